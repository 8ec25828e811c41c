package bank

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readMT940Fixture(t *testing.T, name string) ([]Statement, []Warning, error) {
	t.Helper()
	return readFixture(t, ReadMT940, "mt940", name)
}

func mustMT940(t *testing.T, name string) ([]Statement, []Warning) {
	t.Helper()
	return mustRead(t, ReadMT940, "mt940", name)
}

func TestMT940TwoStatements(t *testing.T) {
	st, w := mustMT940(t, "two_statements.sta")
	if len(w) != 0 {
		t.Errorf("warnings: %+v", w)
	}
	if len(st) != 2 {
		t.Fatalf("%d statements, want 2", len(st))
	}
	s1, s2 := st[0], st[1]
	if s1.ID != "STMT-0001" || s1.Number != "00001/001" || s1.Account != "PL27114020040000300201355387" ||
		s1.Currency != "PLN" || s1.Line != 1 {
		t.Errorf("statement 1 header: %+v", s1)
	}
	if s1.Opening == nil || s1.Opening.Cents != 100000 || !s1.Opening.Date.Equal(date(2023, 12, 28)) || s1.Opening.Currency != "PLN" {
		t.Errorf("statement 1 opening: %+v", s1.Opening)
	}
	if s2.ID != "STMT-0002" || s2.Line != 11 || s2.Closing == nil || s2.Closing.Cents != 38229994 {
		t.Errorf("statement 2: %+v closing %+v", s2, s2.Closing)
	}
	type want struct {
		seq, line       int
		value, booking  time.Time
		cents           int64
		reversal        bool
		ref, custRef    string
		typeCode, title string
	}
	wants := []want{
		// Entry date 0102 after a value date in December: next year.
		{1, 5, date(2023, 12, 29), date(2024, 1, 2), 123456, false, "BNK0001", "REF-DON-77", "NTRF", "Darowizna grudzien"},
		{2, 7, date(2023, 12, 29), date(2023, 12, 29), -12, false, "BNK0002", "NONREF", "NCHG", "Oplata za przelew"},
		// Entry date 1229 before a value date in January: previous year; "380115," amount.
		{3, 15, date(2024, 1, 2), date(2023, 12, 29), 38011500, false, "BNK0003", "NONREF", "NTRF", "Wplata z kasy"},
		// RC: reversal of a credit is a debit; RD: reversal of a debit is a credit.
		{4, 17, date(2024, 1, 3), time.Time{}, -10000, true, "BNK0004", "NONREF", "NTRF", "Storno uznania"},
		{5, 19, date(2024, 1, 3), time.Time{}, 5050, true, "BNK0005", "NONREF", "NTRF", "Storno obciazenia"},
	}
	var got []Transaction
	for _, s := range st {
		got = append(got, s.Transactions...)
	}
	if len(got) != len(wants) {
		t.Fatalf("%d transactions, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		g := got[i]
		if g.Seq != w.seq || g.Line != w.line || !g.ValueDate.Equal(w.value) || !g.BookingDate.Equal(w.booking) ||
			g.Cents != w.cents || g.Reversal != w.reversal || g.Reference != w.ref || g.CustomerReference != w.custRef ||
			g.TypeCode != w.typeCode || g.Title != w.title || g.Currency != "PLN" {
			t.Errorf("transaction %d:\n got %+v\nwant %+v", i+1, g, w)
		}
	}
}

func TestMT940Counterparties(t *testing.T) {
	tests := []struct {
		file                          string
		cents                         int64
		name, iban, account, bankCode string
		title                         string
		account0                      string // statement account
	}{
		{"polish_cp1250.sta", 15000, "KOWALSKA ANNA", "PL61109010140000071219812874", "0000071219812874", "10901014",
			"Darowizna na schronisko - październik", "PL10105000997603123456789123"},
		{"polish_tilde.sta", -7500, "FUNDACJA PRZYJACIÓŁ ZWIERZĄT", "PL27114020040000300201355387", "", "11402004",
			"Składka członkowska 2024", "PL10105000997603123456789123"},
		{"german_envelope.sta", 2500, "Mustermann, Max", "DE44500105175407324931", "", "COBADEFFXXX",
			"Spende Maerz Tierheim Musterstadt", "37040044/0532013000"},
		{"mbank.sta", 1000, "JAN TESTOWY UL. PRZYKLADOWA 1 00-001 WARSZAWA", "PL61109010140000071219812874", "", "",
			"DAROWIZNA KWIECIEN", "PL27114020040000300201355387"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			st, w := mustMT940(t, tt.file)
			if len(w) != 0 {
				t.Errorf("warnings: %+v", w)
			}
			if len(st) != 1 || len(st[0].Transactions) != 1 {
				t.Fatalf("want 1 statement with 1 transaction, got %+v", st)
			}
			if st[0].Account != tt.account0 {
				t.Errorf("account %q, want %q", st[0].Account, tt.account0)
			}
			tx := st[0].Transactions[0]
			if tx.Cents != tt.cents || tx.CounterpartyName != tt.name || tx.CounterpartyIBAN != tt.iban ||
				tx.CounterpartyAccount != tt.account || tx.CounterpartyBank != tt.bankCode || tx.Title != tt.title {
				t.Errorf("got cents %d name %q iban %q account %q bank %q title %q", tx.Cents, tx.CounterpartyName,
					tx.CounterpartyIBAN, tx.CounterpartyAccount, tx.CounterpartyBank, tx.Title)
			}
		})
	}
}

func TestMT940Details(t *testing.T) {
	st, _ := mustMT940(t, "german_envelope.sta")
	tx := st[0].Transactions[0]
	want := "166?00GUTSCHRIFT?109310?20EREF+DON-2024-03-01?21SVWZ+Spende Maerz Tier\n" +
		"heim?22 Musterstadt?30COBADEFFXXX?31DE44500105175407324931?32Muster\nmann, Max"
	if tx.Details != want {
		t.Errorf("Details %q, want %q", tx.Details, want)
	}
	st, _ = mustMT940(t, "mbank.sta")
	if tx := st[0].Transactions[0]; !strings.HasPrefix(tx.Details, "911 TRANSAKCJA COLLECT; ID IPH: XX000000000001; Z RACH.:\n611") {
		t.Errorf("mBank Details %q", tx.Details)
	}
}

func TestMT940Warnings(t *testing.T) {
	st, w := mustMT940(t, "warnings.sta")
	if len(st) != 2 {
		t.Fatalf("%d statements, want 2", len(st))
	}
	if tx := st[0].Transactions[0]; !tx.ValueDate.Equal(date(2024, 2, 29)) {
		t.Errorf("Feb 30 read as %v, want 2024-02-29", tx.ValueDate)
	}
	if st[1].Closing != nil {
		t.Errorf("statement 2 closing %+v, want nil", st[1].Closing)
	}
	wantLines := []struct {
		line int
		has  string
	}{
		{5, `"240230" does not exist`},
		{7, "closing balance is 999.00"},
		{9, "no closing balance"},
	}
	if len(w) != len(wantLines) {
		t.Fatalf("warnings %+v, want %d", w, len(wantLines))
	}
	for i, wl := range wantLines {
		if w[i].Line != wl.line || !strings.Contains(w[i].Reason, wl.has) {
			t.Errorf("warning %d = %+v, want line %d containing %q", i, w[i], wl.line, wl.has)
		}
	}
}

func TestMT940Errors(t *testing.T) {
	tests := []struct {
		file string
		line int
		has  string
	}{
		{"malformed_61.sta", 5, "malformed :61:"},
		{"truncated.sta", 6, "truncated"},
		{"empty.sta", 0, "empty file"},
		{"unknown_tag.sta", 3, "unknown tag :99:"},
		{"missing_20.sta", 1, ":20:"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, _, err := readMT940Fixture(t, tt.file)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *ParseError", err)
			}
			if pe.File != tt.file || pe.Line != tt.line || !strings.Contains(pe.Reason, tt.has) {
				t.Errorf("got %+v, want line %d containing %q", pe, tt.line, tt.has)
			}
		})
	}
}

func TestMT940Inline(t *testing.T) {
	tests := []struct {
		name, in string
		line     int    // error line, -1 for no error
		has      string // in the error
	}{
		{"header only", ":20:X\n:25:DE89370400440532013000\n", 2, "truncated"},
		{"partial tag", ":20:X\n:25:A\n:60F:C240101EUR1,00\n:6", 4, "incomplete tag"},
		{"long line", ":20:X\n:86:" + strings.Repeat("a", mt940MaxLine+10) + "\n", 2, "64 KiB"},
		{"bad amount", ":20:X\n:61:240101C1,234NTRF\n", 2, "more than 2 decimals"},
		{"no type", ":20:X\n:61:240101C1,23\n", 2, "transaction type"},
		{"ok", ":20:X\n:25:A\n:60F:C240101EUR1,00\n:61:240101C0,5NMSCINV-2024-0042\n:62F:C240101EUR1,50\n", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _, err := ReadMT940(strings.NewReader(tt.in), "in.sta")
			if tt.line < 0 {
				if err != nil {
					t.Fatal(err)
				}
				tx := st[0].Transactions[0]
				// No "//": the customer reference stands in as Reference.
				if tx.Cents != 50 || tx.Reference != "INV-2024-0042" || tx.CustomerReference != "INV-2024-0042" {
					t.Errorf("got %+v", tx)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != tt.line || !strings.Contains(pe.Reason, tt.has) {
				t.Errorf("error %v, want a ParseError at line %d containing %q", err, tt.line, tt.has)
			}
		})
	}
}

func TestParseMT940Amount(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1234,56", 123456, true},
		{"380115,", 38011500, true},
		{"380115,1", 38011510, true},
		{"00,12", 12, true},
		{"001,12", 112, true},
		{"1,230", 123, true},
		{"1,234", 0, false},
		{",", 0, false},
		{"1,2,3", 0, false},
		{"9999999999999999,", 0, false},
	}
	for _, tt := range tests {
		got, _, err := parseMT940Amount(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseMT940Amount(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// ScanMT940 hands statements over one by one, in order, and stops at the first error
// the caller returns.
func TestScanMT940Streams(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "mt940", "two_statements.sta"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ids []string
	if _, err := ScanMT940(f, "two_statements.sta", func(s Statement) error {
		ids = append(ids, s.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	all, _, err := ReadMT940(mustOpen(t, filepath.Join("testdata", "mt940", "two_statements.sta")), "two_statements.sta")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || len(all) != 2 || ids[0] != all[0].ID || ids[1] != all[1].ID {
		t.Fatalf("scanned %v, read %d statements", ids, len(all))
	}
	stop := errors.New("stop")
	calls := 0
	_, err = ScanMT940(mustOpen(t, filepath.Join("testdata", "mt940", "two_statements.sta")), "x", func(Statement) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Fatalf("err %v after %d calls; want the caller's error after 1", err, calls)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
