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

// An ISO-8859-2 file whose first non-ASCII line has only "ź" (0xBC), a letter in
// Windows-1250 too ("Ľ"); Polish subfields with titles cut at word ends, an IBAN
// rebuilt from ^30 and ^31, and a bare NRB in ^38.
func TestMT940PolishISO88592(t *testing.T) {
	st, w := mustMT940(t, "polish_iso8859_2.sta")
	if len(w) != 0 {
		t.Errorf("warnings: %+v", w)
	}
	if len(st) != 1 || len(st[0].Transactions) != 2 {
		t.Fatalf("got %+v", st)
	}
	want := []struct{ title, name, iban, account, bank string }{
		{"Darowizna na październik", "WIŚNIEWSKA ŻANETA", "PL61109010140000071219812874", "0000071219812874", "10901014"},
		{"Składka członkowska", "STOWARZYSZENIE ŹRÓDŁO", "PL27114020040000300201355387", "", "11402004"},
	}
	for i, w := range want {
		tx := st[0].Transactions[i]
		if tx.Title != w.title || tx.CounterpartyName != w.name || tx.CounterpartyIBAN != w.iban ||
			tx.CounterpartyAccount != w.account || tx.CounterpartyBank != w.bank {
			t.Errorf("transaction %d: title %q name %q iban %q account %q bank %q, want %+v", i+1,
				tx.Title, tx.CounterpartyName, tx.CounterpartyIBAN, tx.CounterpartyAccount, tx.CounterpartyBank, w)
		}
	}
	if d := st[0].Transactions[0].Details; !strings.Contains(d, "październik") {
		t.Errorf("details %q", d)
	}
}

func TestMT940Decoder(t *testing.T) {
	tests := []struct {
		lines []string
		want  string // the last line decoded
	}{
		{[]string{"pa\xbcdziernik"}, "październik"},                             // ISO-8859-2 ź
		{[]string{"Sk\xb3adka \xb9"}, "Składka ą"},                              // Windows-1250 ą
		{[]string{"\xa5"}, "Ą"},                                                 // Windows-1250 Ą
		{[]string{"\xa1ty \xb1 \xb6", "\xa5"}, "Ľ"},                             // the file is ISO-8859-2: 0xA5 is Ľ there
		{[]string{"napi \x94sszevont ut\xa0nv\x82t"}, "napi összevont utánvét"}, // CP852
		{[]string{"UTF-8 żółw"}, "UTF-8 żółw"},
	}
	for _, tt := range tests {
		var d mt940Decoder
		var got string
		for _, l := range tt.lines {
			got = d.line([]byte(l))
		}
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.lines, got, tt.want)
		}
	}
}

// MT942 interim reports have no balances; their :90D:/:90C: totals are checked.
func TestMT942(t *testing.T) {
	st, w := mustMT940(t, "mt942.sta")
	if len(w) != 0 {
		t.Errorf("warnings: %+v", w)
	}
	if len(st) != 1 {
		t.Fatalf("%d statements", len(st))
	}
	s := st[0]
	if s.ID != "INT-2405" || s.Opening != nil || s.Closing != nil || s.Currency != "PLN" || len(s.Transactions) != 2 {
		t.Fatalf("got %+v", s)
	}
	if tx := s.Transactions[0]; tx.Cents != 2500 || tx.Title != "Darowizna maj" || tx.CounterpartyName != "NOWAK EWA" ||
		tx.CounterpartyIBAN != "PL61109010140000071219812874" || tx.Currency != "PLN" {
		t.Errorf("entry 1: %+v", tx)
	}
	if tx := s.Transactions[1]; tx.Cents != -150 || tx.Title != "Oplata za przelew" {
		t.Errorf("entry 2: %+v", tx)
	}

	in := strings.Replace(readTestdata(t, "mt940", "mt942.sta"), ":90C:1PLN25,00", ":90C:2PLN30,00", 1)
	_, w, err := ReadMT940(strings.NewReader(in), "mt942.sta")
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != 1 || w[0].Line != 13 || !strings.Contains(w[0].Reason, "the report says 2 credits totalling 30.00, the entries are 1 totalling 25.00") {
		t.Errorf("warnings %+v", w)
	}
}

func TestMT940Structure(t *testing.T) {
	const head = ":20:S1\n:25:PL27114020040000300201355387\n:28C:1/1\n:60F:C240101PLN0,00\n"
	tests := []struct {
		name, in string
		errLine  int    // 0: no error
		has      string // in the error, or in the only warning
	}{
		// A header tag where :86: belongs must not change the account of the entries.
		{"header tag in entries", head + ":61:240101C1,00NTRFNONREF\n:25:166?00GUTSCHRIFT\n:62F:C240101PLN1,00\n", 6, "header tag :25: after the balances or entries"},
		{"second :28C:", head + ":28C:2/1\n:61:240101C1,00NTRFNONREF\n", 5, "header tag :28C:"},
		{"no :25:", ":20:S1\n:28C:1/1\n:60F:C240101PLN0,00\n:61:240101C1,00NTRFNONREF\n:62F:C240101PLN1,00\n", 0, "no account identification (:25:)"},
		{"malformed :90D:", ":20:S1\n:25:A\n:13D:2401011200+0100\n:61:240101C1,00NTRFNONREF\n:90D:xPLN\n", 0, "malformed :90D:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, w, err := ReadMT940(strings.NewReader(tt.in), "s.sta")
			if tt.errLine > 0 {
				var pe *ParseError
				if !errors.As(err, &pe) || pe.File != "s.sta" || pe.Line != tt.errLine || !strings.Contains(pe.Reason, tt.has) {
					t.Errorf("error %v, want a ParseError at line %d containing %q", err, tt.errLine, tt.has)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(w) != 1 || !strings.Contains(w[0].Reason, tt.has) {
				t.Errorf("warnings %+v, want one containing %q", w, tt.has)
			}
		})
	}
}

func TestMT940JoinPieces(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"Darowizna na", "schronisko"}, "Darowizna na schronisko"},
		{[]string{"MTLG:Grund nicht spezifizie", "rt Reject"}, "MTLG:Grund nicht spezifiziert Reject"}, // 27: cut by the format
		{[]string{"", "a", "", "b"}, "a b"},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := mt940JoinPieces(tt.in); got != tt.want {
			t.Errorf("mt940JoinPieces(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := mt940PolishIBAN("11402004", "0000300201355387"); got != "PL27114020040000300201355387" {
		t.Errorf("mt940PolishIBAN = %q", got)
	}
	if got := mt940PolishIBAN("1140200", "0000300201355387"); got != "" {
		t.Errorf("mt940PolishIBAN of a 7-digit sort code = %q", got)
	}
}

// FuzzReadMT940 checks that no input makes the reader panic and that a file read
// without error has statements (go test runs the seeds; go test -fuzz FuzzReadMT940
// ./pkg/bank explores).
func FuzzReadMT940(f *testing.F) {
	addFixtureSeeds(f, "mt940", "*.sta")
	f.Add([]byte(":20:X\n:25:A\n:60F:C240101EUR1,00\n:61:2401010102RCR0,5NMSCA//B\nx\n:86:~00a~20b~38PL1\n:62F:C240101EUR1,50\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		stmts, _, err := ReadMT940(strings.NewReader(string(b)), "fuzz.sta")
		if err == nil && len(stmts) == 0 {
			t.Error("no error and no statements")
		}
	})
}

func readTestdata(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
