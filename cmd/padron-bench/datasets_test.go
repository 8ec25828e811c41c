package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFebrlEntity(t *testing.T) {
	for id, want := range map[string]string{"rec-1496-org": "1496", "rec-552-dup-3": "552", "rec-0-dup-0": "0"} {
		if got, err := febrlEntity(id); err != nil || got != want {
			t.Errorf("febrlEntity(%q) = %q, %v; want %q", id, got, err, want)
		}
	}
	for _, bad := range []string{"", "rec-1496", "rec--org", "rec-12-dup", "rec-x-org", "id-1-org", "rec-1-dup-2-3", "rec-1-copy"} {
		if _, err := febrlEntity(bad); err == nil {
			t.Errorf("febrlEntity(%q): no error", bad)
		}
	}
}

func TestFebrlToCSV(t *testing.T) {
	in := `rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id
rec-1496-org, mitchell, green, 7, wallaby place, delmar, cleveland, 2119, sa, 19560409, 1804974
rec-1716-dup-1, isabelle, , 23, gundulu place, , utakarra, 2193, wa, , 4314184
rec-1496-dup-0, mitchel, green, , wallaby place, delmar, cleveland, 2119, sa, 19560490, 1804974
`
	out := filepath.Join(t.TempDir(), "f.csv")
	ds, err := febrlToCSV(strings.NewReader(in), out)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `rec_id,given_name,family_name,street,city,postcode,region,birth_date,national_id
rec-1496-org,mitchell,green,7 wallaby place delmar,cleveland,2119,sa,19560409,1804974
rec-1716-dup-1,isabelle,,23 gundulu place,utakarra,2193,wa,,4314184
rec-1496-dup-0,mitchel,green,wallaby place delmar,cleveland,2119,sa,19560490,1804974
`
	if string(b) != want {
		t.Errorf("converted:\n%s\nwant:\n%s", b, want)
	}
	labels, err := ds.truth.Labels()
	if err != nil {
		t.Fatal(err)
	}
	if len(labels) != 3 || labels[0] != labels[2] || labels[0] == labels[1] {
		t.Errorf("truth labels %v, want records 1 and 3 together", labels)
	}
	y := ds.files[0].mapping.yaml()
	for _, line := range []string{"  birth_date: {field: birth_date, format: yyyymmdd}\n", "  national_id: national_id\n", "  rec_id: external_id\n"} {
		if !strings.Contains(y, line) {
			t.Errorf("mapping lacks %q:\n%s", line, y)
		}
	}

	if _, err := febrlToCSV(strings.NewReader("rec_id, given_name\nrec-1-org, a\n"), out); err == nil {
		t.Error("short header: no error")
	}
	bad := strings.Replace(in, "rec-1716-dup-1", "rec-1716-copy-1", 1)
	if _, err := febrlToCSV(strings.NewReader(bad), out); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("bad rec_id: %v", err)
	}
}

func TestFake1000ToCSV(t *testing.T) {
	in := "unique_id,first_name,surname,dob,city,email,cluster\n0,Robert,Alan,1971-06-24,,robert255@smith.net,0\n1,Robert,Allen,1971-05-24,,roberta25@smith.net,0\n,,,,,,7\n4,Grace,,1997-04-26,Hull,grace@kim.com,1\n"
	out := filepath.Join(t.TempDir(), "fake.csv")
	ds, err := fake1000ToCSV(strings.NewReader(in), out)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	want := "unique_id,first_name,surname,dob,city,email\n0,Robert,Alan,1971-06-24,,robert255@smith.net\n1,Robert,Allen,1971-05-24,,roberta25@smith.net\n4,Grace,,1997-04-26,Hull,grace@kim.com\n"
	if string(b) != want {
		t.Errorf("converted:\n%s\nwant:\n%s", b, want)
	}
	// The blank row is left out, as padron would skip it, and so is its entity.
	if ds.truth.Len() != 3 || ds.truth.Entities() != 2 {
		t.Errorf("truth: %d records, %d entities", ds.truth.Len(), ds.truth.Entities())
	}
	if len(ds.notes) != 2 || !strings.Contains(ds.notes[1], "1 rows") {
		t.Errorf("notes %q: want one on the blank row", ds.notes)
	}
}

func TestReadLinks(t *testing.T) {
	var tr Truth
	tr.AddFile("a.csv", 3)
	for i, e := range []string{"P1", "P1", "P2"} {
		tr.Set("a.csv", i+1, e)
	}
	p, err := readLinks(strings.NewReader("source_file,record_no,person_id\na.csv,3,9\na.csv,1,7\na.csv,2,7\n"), &tr)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := p.Score(); err != nil || m.F1 != 1 {
		t.Errorf("score %+v, %v", m, err)
	}
	for name, in := range map[string]string{
		"header":    "file,record,person\na.csv,1,7\n",
		"missing":   "source_file,record_no,person_id\na.csv,1,7\na.csv,2,7\n",
		"twice":     "source_file,record_no,person_id\na.csv,1,7\na.csv,1,7\na.csv,2,7\na.csv,3,7\n",
		"unknown":   "source_file,record_no,person_id\nb.csv,1,7\n",
		"range":     "source_file,record_no,person_id\na.csv,4,7\n",
		"no person": "source_file,record_no,person_id\na.csv,1,\n",
	} {
		p, err := readLinks(strings.NewReader(in), &tr)
		if err == nil {
			_, err = p.Score()
		}
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestPeopleFor(t *testing.T) {
	if got := peopleFor(1_000_000); got != 769231 {
		t.Errorf("peopleFor(1M) = %d", got)
	}
	if got := peopleFor(1); got != 1 {
		t.Errorf("peopleFor(1) = %d", got)
	}
}
