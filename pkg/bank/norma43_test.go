package bank

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readNorma43Fixture(t *testing.T, name string) ([]Statement, []Warning, error) {
	t.Helper()
	return readFixture(t, ReadNorma43, "norma43", name)
}

func mustNorma43(t *testing.T, name string) ([]Statement, []Warning) {
	t.Helper()
	return mustRead(t, ReadNorma43, "norma43", name)
}

func TestNorma43OneAccount(t *testing.T) {
	// The same statement with LF and 80-column lines, and with CRLF and trimmed lines.
	for _, name := range []string{"one_account.n43", "one_account_crlf.n43"} {
		t.Run(name, func(t *testing.T) {
			st, w := mustNorma43(t, name)
			if len(w) != 0 {
				t.Errorf("warnings: %+v", w)
			}
			if len(st) != 1 {
				t.Fatalf("%d statements, want 1", len(st))
			}
			s := st[0]
			if s.Account != "ES9121000418450200051332" || s.Currency != "EUR" || s.Line != 1 || s.ID != "" {
				t.Errorf("header: %+v", s)
			}
			if s.Opening == nil || s.Opening.Cents != 150000 || !s.Opening.Date.Equal(date(2024, 3, 1)) || s.Opening.Currency != "EUR" {
				t.Errorf("opening: %+v", s.Opening)
			}
			if s.Closing == nil || s.Closing.Cents != 152251 || !s.Closing.Date.Equal(date(2024, 3, 31)) || s.Closing.Currency != "EUR" {
				t.Errorf("closing: %+v", s.Closing)
			}
			wants := []Transaction{
				{Seq: 1, Line: 2, BookingDate: date(2024, 3, 5), ValueDate: date(2024, 3, 5), Cents: 5000, Currency: "EUR",
					TypeCode: "04/099", Reference: "0000001234 DON2024030001", CounterpartyName: "KOWALSKA ANNA",
					Title:   "TRANSFERENCIA DE KOWALSKA ANNA CUOTA SOCIO MARZO REF. DONACION 0001",
					Details: "TRANSFERENCIA DE KOWALSKA ANNA\nCUOTA SOCIO MARZO\nREF. DONACION 0001"},
				{Seq: 2, Line: 5, BookingDate: date(2024, 3, 10), ValueDate: date(2024, 3, 11), Cents: -2599, Currency: "EUR",
					TypeCode: "03/010", Title: "RECIBO ELECTRICIDAD EJEMPLO SA FACTURA 2024-03",
					Details: "RECIBO ELECTRICIDAD EJEMPLO SA\nFACTURA 2024-03"},
				{Seq: 3, Line: 7, BookingDate: date(2024, 3, 31), ValueDate: date(2024, 3, 31), Cents: -150, Currency: "EUR",
					TypeCode: "17/201"},
			}
			if len(s.Transactions) != len(wants) {
				t.Fatalf("%d transactions, want %d", len(s.Transactions), len(wants))
			}
			for i, want := range wants {
				if got := s.Transactions[i]; got != want {
					t.Errorf("transaction %d:\n got %+v\nwant %+v", i+1, got, want)
				}
			}
		})
	}
}

func TestNorma43TwoAccounts(t *testing.T) {
	st, w := mustNorma43(t, "two_accounts.n43")
	if len(w) != 0 {
		t.Errorf("warnings: %+v", w)
	}
	if len(st) != 2 {
		t.Fatalf("%d statements, want 2", len(st))
	}
	a, b := st[0], st[1]
	if a.Account != "ES9121000418450200051332" || a.Currency != "EUR" || a.Line != 1 || a.Closing.Cents != 102500 {
		t.Errorf("account 1: %+v closing %+v", a, a.Closing)
	}
	if b.Account != "ES7000491500010512345678" || b.Currency != "USD" || b.Line != 5 ||
		b.Opening.Cents != -1000 || b.Closing.Cents != -2234 || b.Closing.Currency != "USD" {
		t.Errorf("account 2: %+v opening %+v closing %+v", b, b.Opening, b.Closing)
	}
	if len(a.Transactions) != 1 || len(b.Transactions) != 1 {
		t.Fatalf("transactions: %d and %d, want 1 and 1", len(a.Transactions), len(b.Transactions))
	}
	ta, tb := a.Transactions[0], b.Transactions[0]
	if ta.Seq != 1 || ta.Line != 2 || ta.Cents != 2500 || ta.Title != "INGRESO EN EFECTIVO" || ta.Reference != "" {
		t.Errorf("account 1 transaction: %+v", ta)
	}
	if tb.Seq != 2 || tb.Line != 6 || tb.Cents != -1234 || tb.Currency != "USD" || tb.TypeCode != "99/123" ||
		tb.Reference != "0000000042" || tb.Title != "COMISION MANTENIMIENTO" ||
		!tb.BookingDate.Equal(date(2024, 4, 15)) || !tb.ValueDate.Equal(date(2024, 4, 16)) {
		t.Errorf("account 2 transaction: %+v", tb)
	}
}

func TestNorma43Latin1(t *testing.T) {
	st, w := mustNorma43(t, "latin1.n43")
	if len(w) != 0 {
		t.Errorf("warnings: %+v", w)
	}
	if len(st) != 1 || len(st[0].Transactions) != 1 {
		t.Fatalf("statements: %+v", st)
	}
	if st[0].Account != "ES0530580990292012345678" {
		t.Errorf("account %q", st[0].Account)
	}
	tx := st[0].Transactions[0]
	if tx.Title != "TRANSFERENCIA DE PEÑA NÚÑEZ JOSÉ DONATIVO AÑO 2024" || tx.CounterpartyName != "PEÑA NÚÑEZ JOSÉ" || tx.Cents != 1000 {
		t.Errorf("transaction: %+v", tx)
	}
}

// A UTF-8 file keeps its columns in characters, not bytes.
func TestNorma43UTF8(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "norma43", "latin1.n43"))
	if err != nil {
		t.Fatal(err)
	}
	utf := n43DecodeLine(raw) // the whole file is Latin-1: decode it in one go
	st, _, err := ReadNorma43(strings.NewReader(utf), "utf8.n43")
	if err != nil {
		t.Fatal(err)
	}
	if tx := st[0].Transactions[0]; tx.Title != "TRANSFERENCIA DE PEÑA NÚÑEZ JOSÉ DONATIVO AÑO 2024" || tx.Cents != 1000 {
		t.Errorf("transaction: %+v", tx)
	}
}

func TestNorma43Warnings(t *testing.T) {
	st, w := mustNorma43(t, "footer_mismatch.n43")
	if len(st) != 1 || len(st[0].Transactions) != 2 || st[0].Closing.Cents != 11100 {
		t.Fatalf("statements: %+v", st)
	}
	wants := []struct {
		line int
		text string
	}{
		{4, "footer says 2 credits totalling 11.00, the movements are 2 totalling 10.00"},
		{4, "initial balance 100.00 + movements 10.00 = 110.00, but the final balance is 111.00"},
		{5, "end-of-file record says 5 records, the file has 4"},
	}
	if len(w) != len(wants) {
		t.Fatalf("warnings: %+v, want %d", w, len(wants))
	}
	for i, want := range wants {
		if w[i].Line != want.line || !strings.Contains(w[i].Reason, want.text) {
			t.Errorf("warning %d: %+v, want line %d %q", i, w[i], want.line, want.text)
		}
	}
}

// The run-on rule: text that fills the first 38 columns and goes on in the second is one text.
func TestNorma43RunOnText(t *testing.T) {
	in := "110081539800014144521803181803202000000003005009783DUNDER MIFFLIN               \n" +
		"22    09011803191803191240810000000000109800000000000000000000005540014387733014\n" +
		"2301COMPRA TARG 5540XXXXXXXX3014 DNH*MICHAEL SCOTT                              \n" +
		"3300815398000141445200001000000000010980000000000000000000200000000299402978    \n" +
		"88999999999999999999000004                                                      \n"
	st, w, err := ReadNorma43(strings.NewReader(in), "aeb43.txt")
	if err != nil || len(w) != 0 {
		t.Fatalf("err %v, warnings %+v", err, w)
	}
	tx := st[0].Transactions[0]
	if st[0].Account != "ES0600815398730001414452" || tx.Cents != -1098 || tx.Reference != "5540014387733014" ||
		tx.Title != "COMPRA TARG 5540XXXXXXXX3014 DNH*MICHAEL SCOTT" ||
		tx.Details != "COMPRA TARG 5540XXXXXXXX3014 DNH*MICHA\nEL SCOTT" || tx.CounterpartyName != "" {
		t.Errorf("account %s transaction %+v", st[0].Account, tx)
	}
}

func TestNorma43Errors(t *testing.T) {
	one, err := os.ReadFile(filepath.Join("testdata", "norma43", "one_account.n43"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(one), "\n"), "\n")
	join := func(ls ...string) string { return strings.Join(ls, "\n") + "\n" }
	badDate := lines[1][:10] + "240231" + lines[1][16:]
	badSign := lines[1][:27] + "3" + lines[1][28:]
	cases := []struct {
		name, in string
		line     int
		reason   string
	}{
		{"unknown record", "", 3, `unknown record type "44"`},
		{"truncated", "", 6, "no 33 footer record"},
		{"bad amount", "", 2, `amount "0000000000A,00" is not an amount`},
		{"movement before header", join(lines[1], lines[7]), 1, "outside an account"},
		{"concept before movement", join(lines[0], lines[2]), 2, "without a movement"},
		{"short movement", join(lines[0], lines[1][:40]), 2, "too short"},
		{"impossible date", join(lines[0], badDate, lines[7]), 2, `operation date "240231" is not a date`},
		{"bad sign", join(lines[0], badSign, lines[7]), 2, `sign "3"`},
		{"header inside account", join(lines[0], lines[1], lines[0]), 3, "before the footer"},
		{"empty", "\n\n", 0, "no account found"},
	}
	files := map[string]string{"unknown record": "unknown_record.n43", "truncated": "truncated.n43", "bad amount": "bad_amount.n43"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			if f := files[c.name]; f != "" {
				_, _, err = readNorma43Fixture(t, f)
			} else {
				_, _, err = ReadNorma43(strings.NewReader(c.in), "x.n43")
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if pe.Line != c.line || !strings.Contains(pe.Reason, c.reason) {
				t.Errorf("err = %v, want line %d and %q", err, c.line, c.reason)
			}
		})
	}
}

func TestNorma43IBAN(t *testing.T) {
	for _, c := range []struct{ bank, branch, acct, want string }{
		{"2100", "0418", "0200051332", "ES9121000418450200051332"},
		{"0081", "5398", "0001414452", "ES0600815398730001414452"},
		{"0049", "1500", "0512345678", "ES7000491500010512345678"},
		{"00X9", "1500", "0512345678", "00X915000512345678"}, // not digits: as written
	} {
		if got := n43Account(c.bank, c.branch, c.acct); got != c.want {
			t.Errorf("n43Account(%s, %s, %s) = %s, want %s", c.bank, c.branch, c.acct, got, c.want)
		}
	}
}

func FuzzReadNorma43(f *testing.F) {
	addFixtureSeeds(f, "norma43", "*.n43")
	f.Fuzz(func(t *testing.T, b []byte) {
		st, _, err := ReadNorma43(strings.NewReader(string(b)), "fuzz.n43")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err %v is not a *ParseError", err)
			}
			return
		}
		seq := 0
		for _, s := range st {
			if s.Opening == nil || s.Closing == nil {
				t.Fatalf("statement without balances: %+v", s)
			}
			for _, tx := range s.Transactions {
				seq++
				if tx.Seq != seq || tx.Line < s.Line {
					t.Fatalf("transaction %+v: want seq %d, line after %d", tx, seq, s.Line)
				}
			}
		}
	})
}
