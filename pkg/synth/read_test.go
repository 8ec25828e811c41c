package synth

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// Test helpers that read generated files back the way an importer would, independently
// of the generator's internals.

// trec is one data row of any source, with the fields the tests compare.
type trec struct {
	file   string
	no     int
	person string
	given  string // separate-name sources
	family string
	full   string // inscripciones: the single name column
	email  string
	phone  string
	birth  time.Time // zero when absent or unparseable
	city   string
	pcode  string
	street string
	fields int // number of fields in the row (ragged rows differ)
}

// readCSVFile decodes a generated CSV and returns header and rows.
func readCSVFile(t *testing.T, path string, f Format) ([]string, [][]string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sp := specs[f]
	if sp.bom {
		if !bytes.HasPrefix(b, []byte("\uFEFF")) {
			t.Fatalf("%s: no BOM", path)
		}
		b = b[3:]
	}
	if sp.cm != nil {
		if b, err = sp.cm.NewDecoder().Bytes(b); err != nil {
			t.Fatal(err)
		}
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.Comma = rune(sp.delim)
	r.FieldsPerRecord = -1
	all, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return all[0], all[1:]
}

// readContacts returns the rows of contacts.xlsx below the header, with raw cell
// values (date cells as serial numbers), plus the three rows above.
func readContacts(t *testing.T, path string) (top [][]string, rows [][]string) {
	t.Helper()
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	all, err := x.GetRows("Contacts", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < contactsHeaderRow {
		t.Fatalf("contacts.xlsx: only %d rows", len(all))
	}
	return all[:contactsHeaderRow], all[contactsHeaderRow:]
}

func cell(row []string, i int) string {
	if i < len(row) {
		return row[i]
	}
	return ""
}

func parseDMY(s string, sep string) time.Time {
	p := strings.Split(s, sep)
	if len(p) != 3 {
		return time.Time{}
	}
	d, e1 := strconv.Atoi(p[0])
	m, e2 := strconv.Atoi(p[1])
	y, e3 := strconv.Atoi(p[2])
	if e1 != nil || e2 != nil || e3 != nil || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return time.Time{}
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
}

// loadTruth returns person ids by file and record number, checking the format.
func loadTruth(t *testing.T, path string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(all[0], ","); got != "source_file,record_no,person_id" {
		t.Fatalf("truth header = %q", got)
	}
	out := map[string][]string{}
	for _, r := range all[1:] {
		n, err := strconv.Atoi(r[1])
		if err != nil {
			t.Fatalf("truth: bad record_no %q", r[1])
		}
		if n != len(out[r[0]])+1 {
			t.Fatalf("truth: %s record_no %d after %d (want 1..n in file order)", r[0], n, len(out[r[0]]))
		}
		out[r[0]] = append(out[r[0]], r[2])
	}
	return out
}

// loadAll reads every generated file and joins it with truth.csv.
func loadAll(t *testing.T, dir string, m *Manifest) []trec {
	t.Helper()
	return loadAllAt(t, dir, m, filepath.Join(dir, TruthFile))
}

func loadAllAt(t *testing.T, dir string, m *Manifest, truthPath string) []trec {
	t.Helper()
	truth := loadTruth(t, truthPath)
	var recs []trec
	for _, fi := range m.Files {
		name := filepath.Base(fi.Path)
		var rows [][]string
		if fi.Format == Contacts {
			_, rows = readContacts(t, fi.Path)
		} else {
			var hdr []string
			hdr, rows = readCSVFile(t, fi.Path, fi.Format)
			if strings.Join(hdr, "|") != strings.Join(specs[fi.Format].header, "|") {
				t.Fatalf("%s: header %q", name, hdr)
			}
		}
		ids := truth[name]
		if len(ids) != len(rows) || len(rows) != fi.Records {
			t.Fatalf("%s: %d rows, %d truth rows, manifest says %d", name, len(rows), len(ids), fi.Records)
		}
		for i, row := range rows {
			r := trec{file: name, no: i + 1, person: ids[i], fields: len(row)}
			switch fi.Format {
			case Volunteers:
				r.given, r.family, r.email, r.phone = cell(row, 0), cell(row, 1), cell(row, 2), cell(row, 3)
				r.birth = parseDMY(cell(row, 4), "/")
				r.street, r.city, r.pcode = cell(row, 5), cell(row, 6), cell(row, 8)
			case EventSignups:
				r.full, r.email, r.phone, r.city = cell(row, 0), cell(row, 1), cell(row, 2), cell(row, 3)
			case Donors:
				r.given, r.family, r.email, r.phone = cell(row, 0), cell(row, 1), cell(row, 2), cell(row, 3)
				r.street, r.city, r.pcode = cell(row, 6), cell(row, 7), cell(row, 8)
			case Contacts:
				r.given, r.family, r.email, r.phone = cell(row, 0), cell(row, 1), cell(row, 2), cell(row, 3)
				if v, err := strconv.ParseFloat(cell(row, 4), 64); err == nil {
					if tm, err := excelize.ExcelDateToTime(v, false); err == nil {
						r.birth = tm
					}
				}
				r.city = cell(row, 5)
			case Mailing:
				r.email, r.given, r.family = cell(row, 0), cell(row, 1), cell(row, 2)
			}
			recs = append(recs, r)
		}
	}
	return recs
}

func byPerson(recs []trec) map[string][]trec {
	m := map[string][]trec{}
	for _, r := range recs {
		m[r.person] = append(m[r.person], r)
	}
	return m
}

// norm is what a matcher compares: lower case, no diacritics, trimmed.
func norm(s string) string { return strings.ToLower(fold(strings.TrimSpace(s))) }

func phoneDigits(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	d := b.String()
	if len(d) > 8 {
		d = d[len(d)-8:] // enough to compare numbers written in different formats
	}
	return d
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
