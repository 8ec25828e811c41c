package ingest

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/padron-org/padron/mappings"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/store"
)

type txRow struct {
	recordNo                  int
	amount, currency, kind    string
	name, iban, title, exclud string
}

func transactions(t *testing.T, st *store.Store, file string) []txRow {
	t.Helper()
	rows, err := st.DB().QueryContext(context.Background(), `SELECT r.record_no, t.amount::VARCHAR, coalesce(t.currency,''),
		t.kind, coalesce(t.counterparty_name,''), coalesce(t.counterparty_iban,''), coalesce(t.title,''), coalesce(t.excluded,'')
		FROM transactions t JOIN records r ON r.id = t.record_id WHERE r.source_file = ? ORDER BY r.record_no`, file)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []txRow
	for rows.Next() {
		var r txRow
		if err := rows.Scan(&r.recordNo, &r.amount, &r.currency, &r.kind, &r.name, &r.iban, &r.title, &r.exclud); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

const statementA = `:20:ORG-1
:25:/PL10105000997603123456789123
:28C:1/1
:60F:C250101PLN0,00
:61:2501100110C150,00NTRFNONREF//BNK0001
:86:240^00PRZELEW^20Darowizna^32KOWALSKA ANNA UL. DLUGA 5^3330-001 KRAKOW^38PL27114020040000300201355387
:61:2501110111C20,00NTRFNONREF
:86:240^00PRZELEW^20Darowizna^32NOWAK ANNA^38PL02109024020000000201349787
:61:2501110111C20,00NTRFNONREF
:86:240^00PRZELEW^20Darowizna^32NOWAK ANNA^38PL02109024020000000201349787
:61:2501120112D12,34NTRFNONREF//BNK0003
:86:020^00PRZELEW^20Faktura^32DRUKARNIA^38PL27114020040000300201355389
:61:2501120112D1,50NCHGNONREF//BNK0004
:86:020^00OPLATA^20Oplata miesieczna
:61:2501130113C500,00NTRFNONREF//BNK0005
:86:^00PRZELEW^20przelew wlasny^32FUNDACJA^3810105000997603123456789123
:62F:C250131PLN636,16
-
`

// statementB overlaps statementA: one of its two equal gifts and the fee, then news.
const statementB = `:20:ORG-2
:25:/PL10105000997603123456789123
:28C:2/1
:60F:C250111PLN150,00
:61:2501110111C20,00NTRFNONREF
:86:240^00PRZELEW^20Darowizna^32NOWAK ANNA^38PL02109024020000000201349787
:61:2501110111C20,00NTRFNONREF
:86:240^00PRZELEW^20Darowizna^32NOWAK ANNA^38PL02109024020000000201349787
:61:2501110111C20,00NTRFNONREF
:86:240^00PRZELEW^20Darowizna^32NOWAK ANNA^38PL02109024020000000201349787
:61:2501120112D1,50NCHGNONREF//BNK0004
:86:020^00OPLATA^20Oplata miesieczna
:61:2502010201C10,00NTRFNONREF//BNK0006
:86:240^00PRZELEW^20Darowizna^32WISNIEWSKI JAN^38PL61109010140000071219812874
:62F:C250201PLN208,50
-
`

func TestStatementImport(t *testing.T) {
	st, opts := setup(t)
	ctx := context.Background()
	res := File(ctx, st, write(t, "a.sta", statementA), opts)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Batch.Records != 6 || res.Batch.Format != "mt940" {
		t.Fatalf("batch %+v", res.Batch)
	}
	m := res.Money
	if m.Statements != 1 || m.Credits != 4 || m.Debits != 1 || m.Fees != 1 || m.Excluded["own transfer"] != 1 ||
		m.Totals["PLN"] != "190.00" {
		t.Fatalf("money summary %+v", m)
	}
	got := transactions(t, st, "a.sta")
	want := []txRow{
		{1, "150.0000", "PLN", "credit", "KOWALSKA ANNA UL. DLUGA 5 30-001 KRAKOW", "PL27114020040000300201355387", "Darowizna", ""},
		{2, "20.0000", "PLN", "credit", "NOWAK ANNA", "PL02109024020000000201349787", "Darowizna", ""},
		{3, "20.0000", "PLN", "credit", "NOWAK ANNA", "PL02109024020000000201349787", "Darowizna", ""},
		{4, "-12.3400", "PLN", "debit", "DRUKARNIA", "PL27114020040000300201355389", "Faktura", ""},
		{5, "-1.5000", "PLN", "fee", "", "", "Oplata miesieczna", ""},
		{6, "500.0000", "PLN", "credit", "FUNDACJA", "PL10105000997603123456789123", "przelew wlasny", "own transfer"},
	}
	if len(got) != len(want) {
		t.Fatalf("transactions %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("transaction %d:\n got %+v\nwant %+v", i+1, got[i], want[i])
		}
	}
	// The payer's record: name and address apart, the account an IBAN.
	var given, family, street, postcode, city, iban string
	err := st.DB().QueryRowContext(ctx, `SELECT given_name, family_name, street, postcode, city, iban FROM records
		WHERE source_file = 'a.sta' AND record_no = 1`).Scan(&given, &family, &street, &postcode, &city, &iban)
	if err != nil {
		t.Fatal(err)
	}
	if given+"|"+family != "ANNA|KOWALSKA" && given+"|"+family != "KOWALSKA|ANNA" {
		t.Errorf("payer name split %q %q", given, family)
	}
	if street != "UL. DLUGA 5" || postcode != "30-001" || city != "KRAKOW" || iban != "PL27114020040000300201355387" {
		t.Errorf("payer address %q %q %q, account %q", street, postcode, city, iban)
	}

	// The overlapping statement stores only what is new: the third equal gift and the
	// February one.
	res = File(ctx, st, write(t, "b.sta", statementB), opts)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Batch.Records != 2 || res.Money.Skipped != 3 || res.Batch.Skipped != 3 {
		t.Fatalf("overlap: batch %+v, money %+v", res.Batch, res.Money)
	}
	got = transactions(t, st, "b.sta")
	if len(got) != 2 || got[0].recordNo != 3 || got[0].amount != "20.0000" || got[1].recordNo != 5 || got[1].amount != "10.0000" {
		t.Errorf("stored from the overlap: %+v", got)
	}
	// Undo takes the transactions with the records.
	if _, err := st.UndoBatch(ctx, res.Batch.ID, "test"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*) FROM transactions`).Scan(&n); err != nil || n != 6 {
		t.Errorf("after undo: %d transactions (%v), want 6", n, err)
	}
}

func TestStatementRefusedWhole(t *testing.T) {
	st, opts := setup(t)
	broken := strings.Replace(statementA, ":61:2501130113C500,00", ":61:25011X0113C500,00", 1)
	res := File(context.Background(), st, write(t, "broken.sta", broken), opts)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "broken.sta line 15") {
		t.Fatalf("err = %v, want one naming the file and line 15", res.Err)
	}
	var n int
	if err := st.DB().QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM records) + (SELECT count(*) FROM transactions) + (SELECT count(*) FROM batches)`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a refused statement left %d rows (%v)", n, err)
	}
}

func TestDonorListAmountsAreTransactions(t *testing.T) {
	st, opts := setup(t)
	csv := "Imię;Nazwisko;Kwota;Data wpłaty\nAnna;Kowalska;150,00;07.04.2024\nJan;Nowak;-20,00;08.04.2024\nEwa;Lis;;09.04.2024\n"
	res := File(context.Background(), st, write(t, "darczyncy.csv", csv), opts)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if m := res.Money; m == nil || m.Credits != 1 || m.Debits != 1 || m.Totals[""] != "150.00" {
		t.Fatalf("money %+v", res.Money)
	}
	got := transactions(t, st, "darczyncy.csv")
	if len(got) != 2 || got[0].amount != "150.0000" || got[0].kind != "credit" || got[0].name != "Anna Kowalska" ||
		got[1].amount != "-20.0000" || got[1].kind != "debit" {
		t.Errorf("transactions %+v", got)
	}
}

func builtinOpts(t *testing.T, opts Options) Options {
	t.Helper()
	lib, err := mapping.NewLibrary(mappings.FS, "")
	if err != nil {
		t.Fatal(err)
	}
	opts.Library = lib
	return opts
}

// An mBank export: a preamble before the header, Windows-1250, signed amounts with
// a decimal comma, the payer's account as a Polish NRB.
const mbankExport = `mBank S.A. Bankowość Detaliczna;
Skrytka Pocztowa 2108;
90-959 Łódź 2;

#Klient;
FUNDACJA PRZYKŁADOWA;

Lista operacji;

#Za okres:;
01.01.2025;31.01.2025;

#Waluta;#Wpływy;#Wydatki;
PLN;200,00;-12,34;

#Data księgowania;#Data operacji;#Opis operacji;#Tytuł;#Nadawca/Odbiorca;#Numer konta;#Kwota;#Saldo po operacji;
2025-01-10;2025-01-10;PRZELEW ZEWNĘTRZNY PRZYCHODZĄCY;"Darowizna styczeń";"KOWALSKA ANNA UL. DŁUGA 5 30-001 KRAKÓW";'27114020040000300201355387';150,00;150,00;
2025-01-11;2025-01-11;PRZELEW ZEWNĘTRZNY WYCHODZĄCY;"Faktura 1/2025";"DRUKARNIA SP. Z O.O.";'27114020040000300201355389';-12,34;137,66;
2025-01-12;2025-01-12;PRZELEW ZEWNĘTRZNY PRZYCHODZĄCY;"Darowizna";"NOWAK ANNA";'02109024020000000201349787';50,00;187,66;
`

func TestBankExportMBank(t *testing.T) {
	st, opts := setup(t)
	opts = builtinOpts(t, opts)
	enc, err := charmap.Windows1250.NewEncoder().String(mbankExport)
	if err != nil {
		t.Fatal(err)
	}
	res := File(context.Background(), st, write(t, "lista.csv", enc), opts)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Batch.Mapping != "bank-mbank-pl" || res.Batch.Records != 3 {
		t.Fatalf("batch %+v", res.Batch)
	}
	if m := res.Money; !m.Export || m.Credits != 2 || m.Debits != 1 || m.Totals["PLN"] != "200.00" {
		t.Fatalf("money %+v", res.Money)
	}
	got := transactions(t, st, "lista.csv")
	if len(got) != 3 || got[0].amount != "150.0000" || got[0].iban != "PL27114020040000300201355387" ||
		got[0].name != "KOWALSKA ANNA" || got[0].title != "Darowizna styczeń" || got[1].kind != "debit" || got[1].amount != "-12.3400" {
		t.Errorf("transactions %+v", got)
	}
	// The same export again, with one more day: only the new row is stored.
	more := mbankExport + "2025-01-13;2025-01-13;PRZELEW;\"Darowizna\";\"WISNIEWSKI JAN\";'61109010140000071219812874';10,00;197,66;\n"
	enc, _ = charmap.Windows1250.NewEncoder().String(more)
	res = File(context.Background(), st, write(t, "lista2.csv", enc), opts)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Batch.Records != 1 || res.Money.Skipped != 3 {
		t.Errorf("overlapping export: batch %+v, money %+v", res.Batch, res.Money)
	}
}

func TestBankExportDebitCreditColumns(t *testing.T) {
	st, opts := setup(t)
	opts = builtinOpts(t, opts)
	csv := "Movimientos de la cuenta\n\nFecha;Descripción;Origen;Débitos;Créditos;Saldo\n" +
		"05/03/2025;TRANSFERENCIA DE TERCEROS - PEREZ JUAN CUIT 20123456789;;0,00;1.500,00;11.500,00\n" +
		"06/03/2025;COMISION MANTENIMIENTO;;350,00;0,00;11.150,00\n"
	res := File(context.Background(), st, write(t, "movimientos.csv", csv), opts)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	got := transactions(t, st, "movimientos.csv")
	if len(got) != 2 || got[0].amount != "1500.0000" || got[0].kind != "credit" || got[0].currency != "ARS" ||
		got[0].name != "PEREZ JUAN" || got[1].amount != "-350.0000" || got[1].kind != "debit" {
		t.Errorf("transactions %+v", got)
	}
}

// TestRecordIDsAfterSkips: a statement whose first entries were skipped uses record
// ids up to its last record number; the next import must not reuse them.
func TestRecordIDsAfterSkips(t *testing.T) {
	st, opts := setup(t)
	ctx := context.Background()
	for _, f := range []struct{ name, text string }{{"a.sta", statementA}, {"b.sta", statementB}, {"c.csv", "Nombre,Email\nAna,ana@example.org\nLuis,luis@example.org\n"}} {
		if res := File(ctx, st, write(t, f.name, f.text), opts); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	var n, distinct int
	if err := st.DB().QueryRowContext(ctx, `SELECT count(*), count(DISTINCT id) FROM records`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	if n != 10 || distinct != n {
		t.Errorf("%d records with %d distinct ids", n, distinct)
	}
}
