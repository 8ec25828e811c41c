package crm

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/padron-org/padron/pkg/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, ``},
		{`Kowalski`, `Kowalski`},
		{`=HYPERLINK("http://x")`, `'=HYPERLINK("http://x")`},
		{`=1+1`, `'=1+1`},
		{`+48600123456`, `+48600123456`},
		{`+48 600 123 456`, `+48 600 123 456`},
		{`+1 (555) 123-4567`, `+1 (555) 123-4567`},
		{`+48600123456; +48126543210`, `+48600123456; +48126543210`},
		{`-12.50`, `-12.50`},
		{`-1,5`, `-1,5`},
		{`+3`, `+3`},
		{`-`, `'-`},
		{`-Nowak`, `'-Nowak`},
		{`+SUM(A1)`, `'+SUM(A1)`},
		{`-2+3+cmd|' /C calc'!A0`, `'-2+3+cmd|' /C calc'!A0`},
		{`+1-HELLO`, `'+1-HELLO`},
		{`+123`, `+123`}, // a number, even if too short for a phone
		{`+12 3`, `'+12 3`},
		{`-12.`, `'-12.`},
		{`@SUM(A1)`, `'@SUM(A1)`},
		{`@attacker.example`, `'@attacker.example`},
		{"\tcmd", "'\tcmd"},
		{"\r=1", "'\r=1"},
		{"a=1", "a=1"},
		{" =1", " =1"},
		{`'already`, `'already`},
	}
	for _, tt := range tests {
		if got := Neutralize(tt.in); got != tt.want {
			t.Errorf("Neutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// writeCSV writes a table as CSV with the given options.
func writeCSV(t *testing.T, tab Table, o Options) ([]byte, error) {
	t.Helper()
	f, err := LookupFormat("csv")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = Write(&buf, f, tab, o)
	return buf.Bytes(), err
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/crm -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (rerun with -update and review the diff):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestGoldenCSV(t *testing.T) {
	people, donations := fixturePeople(), fixtureDonations()
	lookup := MapLookup(people)
	for _, tg := range Targets(TargetOptions{SuiteCRMCommitment: "Donativos padron"}) {
		t.Run(tg.Name, func(t *testing.T) {
			got, err := writeCSV(t, PeopleTable(tg, peopleEach(people)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tg.Name+"_people.csv", got)
			got, err = writeCSV(t, DonationsTable(tg, lookup, donationsEach(donations)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tg.Name+"_donations.csv", got)
		})
	}
}

func TestTargetsColumnsMatchRows(t *testing.T) {
	lookup := MapLookup(fixturePeople())
	for _, o := range []TargetOptions{{}, {NPSPUnmanaged: true}} {
		for _, tg := range Targets(o) {
			for _, p := range fixturePeople() {
				if n := len(tg.Person(p)); n != len(tg.PeopleColumns) {
					t.Errorf("%s: person row has %d cells for %d columns", tg.Name, n, len(tg.PeopleColumns))
				}
			}
			row := tg.Donations(lookup)
			for _, d := range fixtureDonations() {
				if n := len(row(d)); n != len(tg.DonationColumns) {
					t.Errorf("%s: donation row has %d cells for %d columns", tg.Name, n, len(tg.DonationColumns))
				}
			}
		}
	}
}

func TestDonorRequired(t *testing.T) {
	for _, tg := range Targets(TargetOptions{}) {
		if want := tg.Name != "padron"; tg.DonorRequired != want {
			t.Errorf("%s: DonorRequired %v, want %v", tg.Name, tg.DonorRequired, want)
		}
	}
}

func TestNPSPNamespace(t *testing.T) {
	for _, tt := range []struct {
		o    TargetOptions
		want string
	}{{TargetOptions{}, "npsp__Contact1_Firstname__c"}, {TargetOptions{NPSPUnmanaged: true}, "Contact1_Firstname__c"}} {
		tg := NPSP(tt.o)
		if got := tg.PeopleColumns[1].Name; got != tt.want {
			t.Errorf("NPSPUnmanaged=%v: column %q, want %q", tt.o.NPSPUnmanaged, got, tt.want)
		}
		// Custom fields are the org's own, never in the package namespace.
		if got := tg.PeopleColumns[0].Name; got != "Padron_ID__c" {
			t.Errorf("external id column %q", got)
		}
	}
}

func TestCiviCRMTrxnID(t *testing.T) {
	row := CiviCRM().Donations(nil)
	trxn := func(d store.Donation) string { return row(d)[4] }
	a := store.Donation{SourceFile: "bank.xml", RecordNo: 1, Reference: "R1"}
	b := store.Donation{SourceFile: "bank.xml", RecordNo: 2, Reference: "R1"}
	c := store.Donation{SourceFile: "bank.xml", RecordNo: 3}
	if got := trxn(a); got != "R1" {
		t.Errorf("first R1: %q", got)
	}
	if got := trxn(b); got != "padron:bank.xml:2" {
		t.Errorf("duplicate R1: %q", got)
	}
	if got := trxn(c); got != "padron:bank.xml:3" {
		t.Errorf("empty reference: %q", got)
	}
	// Stable: a new export derives the same id for the same donation.
	if got := CiviCRM().Donations(nil)(c)[4]; got != "padron:bank.xml:3" {
		t.Errorf("second export: %q", got)
	}
}

func TestPhoneSplit(t *testing.T) {
	// The Polish mobile goes to mobile, the Madrid landline to home.
	tg := SuiteCRM(TargetOptions{})
	ppl := fixturePeople()
	if r := tg.Person(ppl[0]); r[4] != "+48600123456" || r[5] != "" {
		t.Errorf("mobile: %q %q", r[4], r[5])
	}
	if r := tg.Person(ppl[1]); r[4] != "" || r[5] != "+34912345678" {
		t.Errorf("landline: %q %q", r[4], r[5])
	}
}

func TestLookups(t *testing.T) {
	if _, err := LookupTarget("hubspot", TargetOptions{}); err == nil ||
		!strings.Contains(err.Error(), "padron, civicrm, npsp, suitecrm") {
		t.Errorf("unknown target: %v", err)
	}
	if _, err := LookupFormat("ods"); err == nil || !strings.Contains(err.Error(), "csv, xlsx, parquet") {
		t.Errorf("unknown format: %v", err)
	}
	if _, _, err := LookupExport("salesforce", TargetOptions{}); err == nil ||
		!strings.Contains(err.Error(), "csv, xlsx, parquet, civicrm, npsp, suitecrm") {
		t.Errorf("unknown export: %v", err)
	}
	for _, e := range Exports() {
		tg, f, err := LookupExport(e.Name, TargetOptions{})
		if err != nil || tg.Name != e.Target || f.Name != e.Format {
			t.Errorf("LookupExport(%q) = %q, %q, %v", e.Name, tg.Name, f.Name, err)
		}
	}
}

func TestWriteStopsOnRowError(t *testing.T) {
	boom := errors.New("store failed")
	tab := Table{Columns: []Column{{"a", Text}}, Rows: func(emit func([]string) error) error {
		if err := emit([]string{"x"}); err != nil {
			return err
		}
		return boom
	}}
	for _, f := range Formats() {
		var buf bytes.Buffer
		if _, err := Write(&buf, f, tab, Options{}); !errors.Is(err, boom) {
			t.Errorf("%s: %v, want the rows' error", f.Name, err)
		}
	}
	bad := Table{Columns: []Column{{"a", Text}}, Rows: func(emit func([]string) error) error {
		return emit([]string{"x", "y"})
	}}
	if _, err := writeCSV(t, bad, Options{}); err == nil || !strings.Contains(err.Error(), "row 1 has 2 cells for 1 columns") {
		t.Errorf("ragged row: %v", err)
	}
}
