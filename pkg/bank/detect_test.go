package bank

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		head string
		want Format
	}{
		{"OFXHEADER:100\nDATA:OFXSGML\n\n<OFX>", FormatOFX},
		{"<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?>\n<OFX>", FormatOFX},
		{"<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>", FormatCAMT},
		{"{1:F01BANKPLPWAXXX0000000000}{2:O940}{4:\n:20:X", FormatMT940},
		{":20:STARTUMS\n:25:PL61109010140000071219812874\n:28C:1\n:60F:C200101PLN100,00\n", FormatMT940},
		{"\x01:20:MBANK\n:25:PL1\n", FormatMT940},
		{"1100810123000123456789200101200131200000000010000978Asociacion Ejemplo\n22", FormatNorma43},
	} {
		if got, ok := Detect([]byte(c.head)); !ok || got != c.want {
			t.Errorf("Detect(%.30q) = %q, %v; want %q", c.head, got, ok, c.want)
		}
	}
	for _, head := range []string{"", "Nombre,Email\nAna,ana@example.org\n", "<html><body>", "BEGIN:VCARD\n",
		"PK\x03\x04", "1100810123\n"} {
		if f, ok := Detect([]byte(head)); ok {
			t.Errorf("Detect(%.20q) = %q, want nothing", head, f)
		}
	}
	// Every fixture of the readers is recognised as its own format.
	for dir, want := range map[string]Format{"mt940": FormatMT940, "camt": FormatCAMT, "ofx": FormatOFX,
		"norma43": FormatNorma43} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) > DetectHead {
				b = b[:DetectHead]
			}
			got, ok := Detect(b)
			base := filepath.Base(f)
			if base == "empty.sta" || base == "truncated.xml" || base == "billion_laughs.xml" || base == "missing_20.sta" ||
				base == "doctype.ofx" || base == "unknown_record.n43" || base == "truncated.n43" {
				continue // broken on purpose: detection may go either way
			}
			if !ok || got != want {
				t.Errorf("%s: Detect = %q, %v; want %q", f, got, ok, want)
			}
		}
	}
}
