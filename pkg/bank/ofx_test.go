package bank

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func readOFXFixture(t *testing.T, name string) ([]Statement, []Warning, error) {
	t.Helper()
	return readFixture(t, ReadOFX, "ofx", name)
}

func mustOFX(t *testing.T, name string) ([]Statement, []Warning) {
	t.Helper()
	return mustRead(t, ReadOFX, "ofx", name)
}

func checkOFXStatements(t *testing.T, got, want []Statement) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d statements, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if len(g.Transactions) != len(w.Transactions) {
			t.Errorf("statement %d: got %d transactions, want %d", i, len(g.Transactions), len(w.Transactions))
		} else {
			for j := range w.Transactions {
				if !reflect.DeepEqual(g.Transactions[j], w.Transactions[j]) {
					t.Errorf("statement %d transaction %d:\n got %+v\nwant %+v", i, j, g.Transactions[j], w.Transactions[j])
				}
			}
		}
		g.Transactions, w.Transactions = nil, nil
		if !reflect.DeepEqual(g, w) {
			t.Errorf("statement %d:\n got %+v (closing %+v)\nwant %+v (closing %+v)", i, g, g.Closing, w, w.Closing)
		}
	}
}

func TestReadOFXSGML102(t *testing.T) {
	stmts, warns := mustOFX(t, "sgml_v102.ofx")
	if len(warns) != 0 {
		t.Errorf("warnings: %+v", warns)
	}
	checkOFXStatements(t, stmts, []Statement{{
		// An IBAN is the account on its own, without the BANKID.
		Account:  "PL61109010140000071219812874",
		Currency: "PLN",
		Closing:  &Balance{Date: day("2024-03-01"), Cents: 110450, Currency: "PLN"},
		Line:     17,
		Transactions: []Transaction{
			{
				Seq: 1, Line: 27,
				BookingDate: day("2024-03-01"), ValueDate: day("2024-02-29"),
				Cents: 15000, Currency: "PLN",
				TypeCode:         "CREDIT",
				Reference:        "202403010001",
				CounterpartyName: "KOWALSKA ANNA",
				Title:            "DAROWIZNA NA CELE STATUTOWE",
				Details:          "DAROWIZNA NA CELE STATUTOWE",
			},
			{
				Seq: 2, Line: 36,
				BookingDate: day("2024-03-01"),
				Cents:       -4550, Currency: "PLN",
				TypeCode:          "DEBIT",
				Reference:         "202403010002",
				CustomerReference: "1017",
				CounterpartyName:  "DRUKARNIA & SYN",
				Title:             "DRUKARNIA & SYN", // no MEMO: the name
			},
		},
	}})
}

func TestReadOFXXML211(t *testing.T) {
	stmts, warns := mustOFX(t, "xml_v211.ofx")
	if len(warns) != 0 {
		t.Errorf("warnings: %+v", warns)
	}
	checkOFXStatements(t, stmts, []Statement{{
		Account:  "30004/00012345678",
		Currency: "EUR",
		Closing:  &Balance{Date: day("2024-04-02"), Cents: 51880, Currency: "EUR"},
		Line:     15,
		Transactions: []Transaction{
			{
				Seq: 1, Line: 26,
				BookingDate: day("2024-04-01"), ValueDate: day("2024-03-30"),
				Cents: 2000, Currency: "EUR",
				TypeCode:            "DIRECTDEP",
				Reference:           "FR-0001",
				CounterpartyName:    "ASSOCIATION DES AMIS <TEST>", // PAYEE/NAME
				CounterpartyAddress: "1 RUE EXEMPLE, 75000 PARIS",
				Title:               "COTISATION 2024 – M. DUPONT",
				Details:             "COTISATION 2024 – M. DUPONT",
			},
			{
				Seq: 2, Line: 40,
				BookingDate: day("2024-04-02"),
				Cents:       -120, Currency: "EUR",
				TypeCode:  "FEE",
				Reference: "FR-0002",
				Title:     "FRAIS TENUE & COMPTE",
				Details:   "FRAIS TENUE & COMPTE",
			},
		},
	}})
}

func TestReadOFXCreditCard(t *testing.T) {
	stmts, warns := mustOFX(t, "cc_statement.qfx")
	checkOFXStatements(t, stmts, []Statement{{
		Account:  "4111111111111111",
		Currency: "USD",
		Line:     30,
		Transactions: []Transaction{
			{
				Seq: 1, Line: 38,
				BookingDate: day("2024-05-03"),
				Cents:       -3210, Currency: "USD",
				TypeCode:         "DEBIT",
				Reference:        "CC-20240503-1",
				CounterpartyName: "OFFICE SUPPLY STORE",
				Title:            "OFFICE SUPPLY STORE", // empty MEMO
			},
			{
				Seq: 2, Line: 46,
				BookingDate: day("2024-05-08"),
				Cents:       10000, Currency: "USD", // ORIGCURRENCY: the amount is in CURDEF
				TypeCode:         "CREDIT",
				Reference:        "CC-20240508-2",
				CounterpartyName: "PAYMENT - THANK YOU",
				Title:            "PAYMENT - THANK YOU",
			},
		},
	}})
	if len(warns) != 1 || warns[0].Line != 30 || !strings.Contains(warns[0].Reason, "no ledger balance") {
		t.Errorf("warnings %+v, want one at line 30 about the missing ledger balance", warns)
	}
}

func TestReadOFXDecimalComma(t *testing.T) {
	stmts, warns := mustOFX(t, "decimal_comma.ofx")
	if len(warns) != 0 {
		t.Errorf("warnings: %+v", warns)
	}
	checkOFXStatements(t, stmts, []Statement{{
		Account:  "ES9121000418450200051332",
		Currency: "EUR",
		Closing:  &Balance{Date: day("2024-06-30"), Cents: 101160, Currency: "EUR"},
		Line:     12,
		Transactions: []Transaction{
			{
				Seq: 1, Line: 14, BookingDate: day("2024-06-05"), Cents: 1250, Currency: "EUR",
				TypeCode: "CREDIT", Reference: "ES-1", CounterpartyName: "SOCIO 0042",
				Title: "CUOTA JUNIO", Details: "CUOTA JUNIO",
			},
			{
				Seq: 2, Line: 15, BookingDate: day("2024-06-06"), Cents: -90, Currency: "EUR",
				TypeCode: "DEBIT", Reference: "ES-2", Title: "COMISION", Details: "COMISION",
			},
		},
	}})
}

func TestReadOFXWindows1252(t *testing.T) {
	stmts, _ := mustOFX(t, "cp1252.ofx")
	if len(stmts) != 1 || len(stmts[0].Transactions) != 1 {
		t.Fatalf("got %+v", stmts)
	}
	tx := stmts[0].Transactions[0]
	if tx.CounterpartyName != "MUÑOZ GARCÍA JOSÉ" || tx.Details != "DONACIÓN € 25" {
		t.Errorf("name %q, memo %q", tx.CounterpartyName, tx.Details)
	}
}

func TestReadOFXErrors(t *testing.T) {
	tests := []struct {
		file string
		line int
		has  string
	}{
		{"truncated.ofx", 27, "file ends inside a transaction"},
		{"missing_trnamt.ofx", 27, "without an amount (TRNAMT)"},
		{"doctype.ofx", 3, "DTD not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, _, err := readOFXFixture(t, tt.file)
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

// ofxDoc is a minimal OFX 1.02 file around one transaction's elements.
func ofxDoc(trn string) string {
	return "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n" +
		"<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKACCTFROM><ACCTID>1</BANKACCTFROM>\n" +
		"<BANKTRANLIST>\n<STMTTRN>" + trn + "</STMTTRN>\n</BANKTRANLIST>" +
		"<LEDGERBAL><BALAMT>0<DTASOF>20240101</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
}

func TestReadOFXInline(t *testing.T) {
	tests := []struct {
		name, in string
		line     int    // error line, -1 for no error
		has      string // in the error
	}{
		{"ok", ofxDoc("<TRNTYPE>CREDIT<DTPOSTED>20240101<TRNAMT>1"), -1, ""},
		{"not ofx", "hello,world\n1,2\n", 0, "not an OFX file"},
		{"other xml", "<?xml version=\"1.0\"?>\n<Document/>", 2, "not an OFX file"},
		{"empty", "", 0, "empty file"},
		{"bad amount", ofxDoc("<DTPOSTED>20240101<TRNAMT>$120"), 7, `amount "$120"`},
		{"too many decimals", ofxDoc("<DTPOSTED>20240101<TRNAMT>1.005"), 7, "more decimals"},
		{"bad date", ofxDoc("<DTPOSTED>20120231<TRNAMT>1"), 7, "does not exist"},
		{"empty date", ofxDoc("<DTPOSTED></DTPOSTED><TRNAMT>1"), 7, "empty date"},
		{"no date", ofxDoc("<TRNAMT>1"), 7, "DTPOSTED"},
		{"bad user date", ofxDoc("<DTPOSTED>20240101<DTUSER>2024<TRNAMT>1"), 7, "DTUSER"},
		{"no statement", "OFXHEADER:100\n\n<OFX></OFX>\n", 0, "no bank or credit card statement"},
		{"server error", "<OFX><BANKMSGSRSV1><STMTTRNRS><STATUS><CODE>2000<SEVERITY>ERROR<MESSAGE>Down</STATUS></STMTTRNRS></BANKMSGSRSV1></OFX>", 0, "code 2000 ERROR Down"},
		{"truncated statement", "<OFX><BANKMSGSRSV1><STMTTRNRS>\n<STMTRS><CURDEF>EUR", 2, "inside a statement"},
		{"entity decl", "<?xml version=\"1.0\"?>\n<!ENTITY x \"y\">\n<OFX/>", 2, "not allowed"},
		{"external entity", "<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\" VERSION=\"211\"?>\n" +
			"<!DOCTYPE OFX [<!ENTITY x SYSTEM \"http://example.invalid/x\">]>\n<OFX><SIGNONMSGSRSV1>&x;</SIGNONMSGSRSV1></OFX>", 3, "DTD not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadOFX(strings.NewReader(tt.in), "x.ofx")
			if tt.line < 0 {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *ParseError", err)
			}
			if pe.Line != tt.line || !strings.Contains(pe.Reason, tt.has) {
				t.Errorf("got %+v, want line %d containing %q", pe, tt.line, tt.has)
			}
		})
	}
}

func TestReadOFXEmptyLedgerBalance(t *testing.T) {
	doc := strings.Replace(ofxDoc("<DTPOSTED>20240101<TRNAMT>1"), "<BALAMT>0", "<BALAMT></BALAMT>", 1)
	stmts, warns, err := ReadOFX(strings.NewReader(doc), "x.ofx")
	if err != nil {
		t.Fatal(err)
	}
	if stmts[0].Closing != nil || len(warns) != 1 || !strings.Contains(warns[0].Reason, "without an amount") {
		t.Errorf("closing %+v, warnings %+v", stmts[0].Closing, warns)
	}
}

func TestReadOFXSizeCap(t *testing.T) {
	defer func(n int64) { ofxMaxBytes = n }(ofxMaxBytes)
	doc := ofxDoc("<DTPOSTED>20240101<TRNAMT>1")
	ofxMaxBytes = int64(len(doc))
	if _, _, err := ReadOFX(strings.NewReader(doc), "x.ofx"); err != nil {
		t.Fatalf("at the cap: %v", err)
	}
	ofxMaxBytes--
	if _, _, err := ReadOFX(strings.NewReader(doc), "x.ofx"); err == nil || !strings.Contains(err.Error(), "refusing to read") {
		t.Errorf("over the cap: %v", err)
	}
}

func TestReadOFXDepthCap(t *testing.T) {
	doc := "<OFX>" + strings.Repeat("<A>", ofxMaxDepth) + "<B>x</B>"
	_, _, err := ReadOFX(strings.NewReader(doc), "x.ofx")
	if err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("got %v", err)
	}
}

func TestOFXAmount(t *testing.T) {
	tests := []struct {
		in, ccy string
		want    int64
		err     bool
	}{
		{"-12.50", "EUR", -1250, false},
		{"+12,5", "EUR", 1250, false},
		{"12,50", "EUR", 1250, false},
		{".5", "USD", 50, false},
		{"7.", "USD", 700, false},
		{" 100 ", "", 10000, false},
		{"-6.6000", "CAD", -660, false},
		{"1500", "JPY", 1500, false},
		{"0", "EUR", 0, false},
		{"1.005", "EUR", 0, true},
		{"1.011,60", "EUR", 0, true},
		{"$120", "USD", 0, true},
		{"", "EUR", 0, true},
		{"-", "EUR", 0, true},
		{"1e3", "EUR", 0, true},
		{"99999999999999999999", "EUR", 0, true},
	}
	for _, tt := range tests {
		got, err := ofxAmount(tt.in, tt.ccy)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ofxAmount(%q, %q) = %d, %v; want %d, error %v", tt.in, tt.ccy, got, err, tt.want, tt.err)
		}
	}
}

func TestOFXDate(t *testing.T) {
	for in, want := range map[string]string{
		"20090401122017.000[-5:EST]": "2009-04-01",
		"20240229":                   "2024-02-29",
		"20200101120000[0:GMT]":      "2020-01-01",
		"20231231235959.999[+9:JST]": "2023-12-31",
	} {
		got, err := ofxDate(in)
		if err != nil || !got.Equal(day(want)) {
			t.Errorf("ofxDate(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"", "2024", "201120000000", "20230229", "abcdefgh"} {
		if _, err := ofxDate(in); err == nil {
			t.Errorf("ofxDate(%q): no error", in)
		}
	}
}

// FuzzReadOFX checks that no input makes the reader panic (go test runs the seeds;
// go test -fuzz FuzzReadOFX ./pkg/bank explores).
func FuzzReadOFX(f *testing.F) {
	addFixtureSeeds(f, "ofx", "*")
	f.Add([]byte(ofxDoc("<DTPOSTED>20240101<TRNAMT>1<NAME/><MEMO>&#x41;&amp;&bogus;<PAYEE><NAME>P</PAYEE>")))
	f.Fuzz(func(t *testing.T, b []byte) {
		stmts, _, err := ReadOFX(strings.NewReader(string(b)), "fuzz.ofx")
		if err == nil && len(stmts) == 0 {
			t.Error("no error and no statements")
		}
	})
}
