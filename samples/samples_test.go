package samples

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"slices"
	"testing"
)

var want = []string{"contacts.xlsx", "darczyncy.csv", "inscripciones_evento.csv", "mailing.csv", "voluntarios.csv"}

func TestFSHoldsTheDemoFiles(t *testing.T) {
	var got []string
	err := fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			got = append(got, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("embedded files %v, want %v", got, want)
	}
	for _, n := range got {
		b, err := fs.ReadFile(FS, n)
		if err != nil || len(b) < 500 {
			t.Errorf("%s: %d bytes, %v", n, len(b), err)
		}
	}
}

func TestTruthNamesEveryRecordOfFS(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(Truth)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"source_file", "record_no", "person_id"}) {
		t.Fatalf("truth header %q", rows[0])
	}
	perFile := map[string]int{}
	people := map[string]bool{}
	for _, r := range rows[1:] {
		if !slices.Contains(want, r[0]) {
			t.Fatalf("truth names unknown file %q", r[0])
		}
		perFile[r[0]]++
		people[r[2]] = true
	}
	for _, n := range want {
		if perFile[n] < 20 || perFile[n] > 80 {
			t.Errorf("%s: %d records, want 20-80", n, perFile[n])
		}
	}
	if len(people) >= len(rows)-1 {
		t.Errorf("%d people in %d records: no duplicates to find", len(people), len(rows)-1)
	}
}
