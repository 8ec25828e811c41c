package bank

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzzers feed each reader arbitrary bytes. Beyond not panicking they check what
// the importer relies on: errors are *ParseError values that name the file and say
// why, and every transaction read is well-formed (positions increase, amounts fit and
// survive a round trip through their decimal text, text is UTF-8).

const fuzzName = "fuzz.sta"

func fuzzSeedDir(f *testing.F, dir string) {
	paths, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

func fuzzCheck(t *testing.T, format Format, sts []Statement, warns []Warning, err error) {
	t.Helper()
	if err != nil {
		msg := err.Error()
		if !strings.Contains(msg, fuzzName) || strings.TrimSpace(strings.TrimPrefix(msg, fuzzName)) == ":" {
			t.Fatalf("error %q does not name the file or says nothing", msg)
		}
		if sts != nil {
			t.Fatalf("error %v with %d statements", err, len(sts))
		}
		return
	}
	if len(sts) == 0 {
		t.Fatal("no error and no statement")
	}
	for _, w := range warns {
		if strings.TrimSpace(w.Reason) == "" {
			t.Fatal("empty warning")
		}
	}
	seq := 0
	for _, st := range sts {
		for _, s := range []string{st.ID, st.Number, st.Account, st.Currency} {
			fuzzUTF8(t, s)
		}
		for _, tx := range st.Transactions {
			if tx.Seq <= seq {
				t.Fatalf("transaction seq %d after %d", tx.Seq, seq)
			}
			seq = tx.Seq
			if tx.Line < 0 {
				t.Fatalf("transaction at line %d", tx.Line)
			}
			if tx.Cents == math.MinInt64 {
				t.Fatalf("line %d: amount %d cannot be negated", tx.Line, tx.Cents)
			}
			fuzzAmount(t, format, tx)
			for _, s := range []string{tx.Currency, tx.TypeCode, tx.Reference, tx.CustomerReference, tx.CounterpartyName,
				tx.CounterpartyIBAN, tx.CounterpartyAccount, tx.CounterpartyBank, tx.CounterpartyAddress, tx.Title, tx.Details} {
				fuzzUTF8(t, s)
			}
		}
	}
}

// fuzzAmount writes an amount as decimal text in its minor digits and reads it back.
func fuzzAmount(t *testing.T, format Format, tx Transaction) {
	t.Helper()
	dec := MinorDigits(format, tx.Currency)
	c := tx.Cents
	if c < 0 {
		c = -c
	}
	s := strconv.FormatInt(c, 10)
	if dec > 0 {
		s = strings.Repeat("0", max(0, dec-len(s)+1)) + s
		s = s[:len(s)-dec] + "." + s[len(s)-dec:]
	}
	ccy := map[int]string{0: "JPY", 2: "EUR", 3: "KWD", 4: "CLF"}[dec]
	back, err := minorUnits(s, ccy)
	if err != nil || back != c {
		t.Fatalf("line %d: amount %d written as %q reads back as %d, %v", tx.Line, tx.Cents, s, back, err)
	}
}

func fuzzUTF8(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("invalid UTF-8 %q", s)
	}
}

func FuzzMT940(f *testing.F) {
	fuzzSeedDir(f, "mt940")
	f.Add([]byte(":20:X\n:25:PL61109010140000071219812874\n:28C:1/1\n:60F:C240101EUR0,\n:61:2401020102C1,00NTRFNONREF//B1\n:86:/NAME/x\n:62F:C240102EUR1,00\n"))
	f.Add([]byte(":20:X\n:61:9912319912319D99999999999999,99NTRF\n"))
	f.Add([]byte("{1:F01}{2:O940}{4:\n:20:A\n-}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sts, warns, err := ReadMT940(bytes.NewReader(data), fuzzName)
		fuzzCheck(t, FormatMT940, sts, warns, err)
	})
}

func FuzzCamt(f *testing.F) {
	fuzzSeedDir(f, "camt")
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Document><BkToCstmrStmt><Stmt><Ntry><Amt Ccy="EUR">&xxe;</Amt></Ntry></Stmt></BkToCstmrStmt></Document>`))
	f.Add([]byte(`<Document><BkToCstmrStmt><Stmt><Acct><Id><IBAN>X</IBAN></Id></Acct><Ntry><Amt Ccy="JPY">1.</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-02-30</Dt></BookgDt></Ntry></Stmt></BkToCstmrStmt></Document>`))
	f.Add([]byte(`<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Ntry><Amt Ccy="EUR">99999999999999999999</Amt></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sts, warns, err := ReadCAMT(bytes.NewReader(data), fuzzName)
		fuzzCheck(t, FormatCAMT, sts, warns, err)
	})
}

func FuzzOFX(f *testing.F) {
	fuzzSeedDir(f, "ofx")
	f.Add([]byte("OFXHEADER:100\nDATA:OFXSGML\nCHARSET:1252\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR<BANKTRANLIST><STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20240101<TRNAMT>-,5<FITID>1<NAME>A&amp;B</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>"))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE OFX [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><?OFX OFXHEADER="200" VERSION="211"?><OFX>&lol2;</OFX>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sts, warns, err := ReadOFX(bytes.NewReader(data), fuzzName)
		fuzzCheck(t, FormatOFX, sts, warns, err)
	})
}

func FuzzNorma43(f *testing.F) {
	fuzzSeedDir(f, "norma43")
	f.Add([]byte("11\n22\n33\n88\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sts, warns, err := ReadNorma43(bytes.NewReader(data), fuzzName)
		fuzzCheck(t, FormatNorma43, sts, warns, err)
	})
}

// FuzzDetect checks that detection is a pure function of the head, that a UTF-8 BOM
// does not change it, and that the reader of a detected format copes with the file.
func FuzzDetect(f *testing.F) {
	for _, dir := range []string{"mt940", "camt", "ofx", "norma43"} {
		fuzzSeedDir(f, dir)
	}
	f.Add([]byte("Nombre;Email\nAna;a@b.c\n"))
	f.Add([]byte("\xef\xbb\xbf  \n\x00<OFX>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fm, ok := Detect(data)
		if fm2, ok2 := Detect(bytes.Clone(data)); fm2 != fm || ok2 != ok {
			t.Fatalf("Detect not stable: %q %v then %q %v", fm, ok, fm2, ok2)
		}
		if ok != (fm != "") {
			t.Fatalf("Detect = %q, %v", fm, ok)
		}
		if !bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
			if fb, okb := Detect(append([]byte("\xef\xbb\xbf"), data...)); fb != fm || okb != ok {
				t.Fatalf("a BOM changes detection from %q to %q", fm, fb)
			}
		}
		var read func() ([]Statement, []Warning, error)
		switch fm {
		case FormatMT940:
			read = func() ([]Statement, []Warning, error) { return ReadMT940(bytes.NewReader(data), fuzzName) }
		case FormatCAMT:
			read = func() ([]Statement, []Warning, error) { return ReadCAMT(bytes.NewReader(data), fuzzName) }
		case FormatOFX:
			read = func() ([]Statement, []Warning, error) { return ReadOFX(bytes.NewReader(data), fuzzName) }
		case FormatNorma43:
			read = func() ([]Statement, []Warning, error) { return ReadNorma43(bytes.NewReader(data), fuzzName) }
		default:
			return
		}
		sts, warns, err := read()
		fuzzCheck(t, fm, sts, warns, err)
	})
}
