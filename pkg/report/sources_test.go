package report

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/padron-org/padron/mappings"
	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/ingest"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/store"
)

// familiesCSV adds to the test store a family sharing an email and a phone (two
// people), three invalid values, someone with no way to reach them, and Ana again.
const familiesCSV = "Nombre,Apellido,Email,Teléfono,Ciudad,Fecha de nacimiento\n" +
	"Marta,Díaz,familia@example.org,+34 611 222 333,Madrid,1970-05-01\n" +
	"Tomás,Díaz,familia@example.org,+34 611 222 333,Madrid,2001-09-12\n" +
	"Rosa,Vidal,rosa@,+34 699 000 111,,1985-02-30\n" +
	"Iker,Sanz,,,,\n" +
	"Ana,García,ana@example.org,,,no sé\n"

// familyStore is testStore with familias.csv imported and deduped too. Its 10
// people: Ana (records in all three files), Jan, Pedro, María, Ola (donations only),
// Zoe (contacts only), Marta, Tomás, Rosa, Iker (familias only).
func familyStore(t *testing.T) *store.Store {
	t.Helper()
	st := testStore(t)
	ctx := context.Background()
	lib, err := mapping.NewLibrary(mappings.FS)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "familias.csv")
	if err := os.WriteFile(p, []byte(familiesCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if res := ingest.File(ctx, st, p, ingest.Options{Library: lib}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if _, err := dedupe.Run(ctx, st, dedupe.Options{Actor: "tester"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// sourceFigures is a file's figures without what changes from run to run (the batch
// id, as testStore imports in map order, and the import time).
func sourceFigures(f SourceFile) SourceFile {
	f.Batch, f.ImportedAt = 0, ""
	return f
}

func TestSources(t *testing.T) {
	st := familyStore(t)
	r, err := Sources(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if r.People != 10 || r.Records != 16 || len(r.Files) != 3 {
		t.Fatalf("people %d, records %d, files %d; want 10, 16, 3", r.People, r.Records, len(r.Files))
	}
	// Figures counted by hand from the three CSV files (see familyStore).
	want := map[string]SourceFile{
		"donations.csv": {File: "donations.csv", Format: "csv", Mapping: "inferred", MappingHow: "inferred",
			Records: 9, Linked: 9, People: 5, OnlyHere: 4, Shared: 1, Emails: 9, Transactions: 9,
			Donations: []DonationSum{{"EUR", 5, "255.48"}, {"PLN", 4, "330.00"}}},
		"contacts.csv": {File: "contacts.csv", Format: "csv", Mapping: "inferred", MappingHow: "inferred",
			Records: 2, Linked: 2, People: 2, OnlyHere: 1, Shared: 1, Emails: 2, Phones: 1, Address: 1,
			Donations: []DonationSum{}},
		"familias.csv": {File: "familias.csv", Format: "csv", Mapping: "inferred", MappingHow: "inferred",
			Records: 5, Problems: 3, Linked: 5, People: 5, OnlyHere: 4, Shared: 1, Emails: 3, Phones: 3, Address: 2,
			Donations: []DonationSum{}},
	}
	var last int64
	for _, f := range r.Files {
		if f.Batch <= last || f.ImportedAt == "" {
			t.Errorf("%s: batch %d after %d, imported %q: want increasing batches with a date", f.File, f.Batch, last, f.ImportedAt)
		}
		last = f.Batch
		if got := sourceFigures(f); !reflect.DeepEqual(got, want[f.File]) {
			t.Errorf("%s:\n got %+v\nwant %+v", f.File, got, want[f.File])
		}
	}
	// The donation totals are the transactions' own sums, exactly.
	direct := directSums(t, st, "2000-01-01", "2100-01-01")
	for _, f := range r.Files {
		for _, d := range f.Donations {
			if direct[d.Currency] != d.Total {
				t.Errorf("%s %s: report %s, transactions %s", f.File, d.Currency, d.Total, direct[d.Currency])
			}
		}
	}
}

func TestSourcesWriters(t *testing.T) {
	st := familyStore(t)
	r, err := Sources(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := WriteSourcesMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Sources report\n",
		"3 files imported, 16 records, 10 people after dedupe.",
		"| familias.csv | 5 | 3 | 5 | 5 | 4 | 1 | 3 | 3 | 2 |",
		"| donations.csv | 9 | 0 | 9 | 5 | 4 | 1 | 9 | 0 | 0 |",
		"| donations.csv | 9 | 9 | 255.48 EUR, 330.00 PLN |",
		"| csv | ",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var js bytes.Buffer
	if err := WriteSourcesJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var back SourcesReport
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || !reflect.DeepEqual(&back, r) {
		t.Errorf("JSON round trip: %v\n%s", err, js.String())
	}
	if !strings.Contains(js.String(), `"donations": []`) || !strings.Contains(js.String(), `"total": "255.48"`) {
		t.Errorf("JSON: want empty lists as [] and money as strings:\n%s", js.String())
	}
}

func TestSourcesEmptyStore(t *testing.T) {
	st, err := store.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := Sources(context.Background(), st)
	if err != nil || r.Files == nil || len(r.Files) != 0 {
		t.Fatalf("empty store: %+v, %v", r, err)
	}
	var md bytes.Buffer
	if err := WriteSourcesMarkdown(&md, r); err != nil || !strings.Contains(md.String(), "_None._") {
		t.Errorf("markdown of an empty store: %v\n%s", err, md.String())
	}
}
