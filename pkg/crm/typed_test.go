package crm

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/xuri/excelize/v2"
)

func writeFormat(t *testing.T, format string, tab Table) []byte {
	t.Helper()
	f, err := LookupFormat(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := Write(&buf, f, tab, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no rows written")
	}
	return buf.Bytes()
}

func TestXLSX(t *testing.T) {
	people := fixturePeople()
	raw := writeFormat(t, "xlsx", PeopleTable(Generic(), peopleEach(people)))
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const sh = "padron"
	panes, err := f.GetPanes(sh)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v, want the header row frozen", panes)
	}
	styleID, err := f.GetCellStyle(sh, "A1")
	if err != nil {
		t.Fatal(err)
	}
	style, err := f.GetStyle(styleID)
	if err != nil {
		t.Fatal(err)
	}
	if style.Font == nil || !style.Font.Bold {
		t.Errorf("header style %+v, want bold", style)
	}

	// Columns of the generic people export: A person_id, B given_name, E phone,
	// H opted_out, J postcode, L birth_date, M national_id, O phones.
	cell := func(ref string) (excelize.CellType, string) {
		t.Helper()
		typ, err := f.GetCellType(sh, ref)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return typ, v
	}
	for _, tt := range []struct {
		ref      string
		typ      excelize.CellType
		want     string
		isNumber bool
	}{
		{"A1", excelize.CellTypeInlineString, "person_id", false},
		{"B2", excelize.CellTypeInlineString, "Łukasz", false},
		{"E2", excelize.CellTypeInlineString, "+48600123456", false}, // a phone stays text
		{"M2", excelize.CellTypeInlineString, "00012345678", false},  // leading zeros kept
		{"J4", excelize.CellTypeInlineString, "00-950", false},       // postcode text
		{"O2", excelize.CellTypeInlineString, "+48600123456; +48126543210", false},
		{"H3", excelize.CellTypeBool, "1", false},     // José opted out
		{"A2", excelize.CellTypeUnset, "1", true},     // person_id is a number
		{"L2", excelize.CellTypeUnset, "31120", true}, // 1985-03-14 as an Excel date
		{"B4", excelize.CellTypeInlineString, `=HYPERLINK("http://x.example","click")`, false},
		{"C4", excelize.CellTypeInlineString, "-Nowak", false},
		{"B5", excelize.CellTypeInlineString, "Robert'); DROP TABLE people;--", false},
	} {
		typ, v := cell(tt.ref)
		if typ != tt.typ || v != tt.want {
			t.Errorf("%s: type %v value %q, want type %v value %q", tt.ref, typ, v, tt.typ, tt.want)
		}
	}
	// Formula text is a string, not a formula: no apostrophe needed (see xlsx.go).
	if fx, err := f.GetCellFormula(sh, "B4"); err != nil || fx != "" {
		t.Errorf("B4 formula %q, %v: want none", fx, err)
	}
	// Text cells carry the Text format, so editing them never turns them into formulas.
	if id, _ := f.GetCellStyle(sh, "B4"); id != 0 {
		if st, _ := f.GetStyle(id); st == nil || st.NumFmt != 49 {
			t.Errorf("B4 style %+v, want NumFmt 49 (@)", st)
		}
	} else {
		t.Error("B4 has no style, want Text")
	}

	// Donations: amounts are numbers with their exact value.
	raw = writeFormat(t, "xlsx", DonationsTable(Generic(), MapLookup(people), donationsEach(fixtureDonations())))
	g, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for ref, want := range map[string]float64{"C2": 50, "C3": 1234.5678, "C4": 12.5, "C5": -12.5, "C6": 0.1} {
		typ, _ := g.GetCellType(sh, ref)
		v, _ := g.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
		got, err := strconv.ParseFloat(v, 64)
		if typ != excelize.CellTypeUnset || err != nil || got != want {
			t.Errorf("amount %s: type %v value %q, want number %v", ref, typ, v, want)
		}
	}
	if v, _ := g.GetCellValue(sh, "G5"); v != "=1+1" {
		t.Errorf("reference G5 = %q, want the text =1+1", v)
	}
	rows, err := g.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(fixtureDonations()) {
		t.Errorf("%d rows, want header + %d", len(rows), len(fixtureDonations()))
	}
}

func TestParquet(t *testing.T) {
	people, donations := fixturePeople(), fixtureDonations()
	dir := t.TempDir()
	pf := filepath.Join(dir, "donations.parquet")
	if err := os.WriteFile(pf, writeFormat(t, "parquet", DonationsTable(Generic(), MapLookup(people), donationsEach(donations))), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	types := map[string]string{}
	rows, err := db.Query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))`, pf)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n, typ string
		if err := rows.Scan(&n, &typ); err != nil {
			t.Fatal(err)
		}
		types[n] = typ
	}
	rows.Close()
	for col, want := range map[string]string{"person_id": "BIGINT", "date": "DATE", "amount": "DECIMAL(18,4)",
		"currency": "VARCHAR", "record_no": "BIGINT", "score": "DOUBLE", "name": "VARCHAR"} {
		if types[col] != want {
			t.Errorf("column %s is %q, want %s", col, types[col], want)
		}
	}

	rows, err = db.Query(`SELECT coalesce(person_id::VARCHAR, ''), strftime(date, '%Y-%m-%d'), amount::VARCHAR,
		reference, name FROM read_parquet(?)`, pf)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	want := [][5]string{
		{"1", "2024-01-05", "50.0000", "REF-0001", "ŁUKASZ WRÓBEL"},
		{"1", "2024-02-05", "1234.5678", "REF-0001", "ŁUKASZ WRÓBEL"},
		{"2", "2024-02-10", "12.5000", "", "José Muñoz García"},
		{"3", "2024-03-01", "-12.5000", "=1+1", "NOWAK"}, // not a spreadsheet: no neutralizing
		{"", "2024-03-02", "0.1000", "REF-0099", "NIEZNANY DARCZYŃCA"},
	}
	i := 0
	for rows.Next() {
		var got [5]string
		if err := rows.Scan(&got[0], &got[1], &got[2], &got[3], &got[4]); err != nil {
			t.Fatal(err)
		}
		if i >= len(want) || got != want[i] {
			t.Errorf("row %d = %q, want %q", i+1, got, want[min(i, len(want)-1)])
		}
		i++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(want) {
		t.Errorf("%d rows, want %d", i, len(want))
	}

	// People: text with quotes and SQL survives; the boolean is a BOOLEAN.
	pp := filepath.Join(dir, "people.parquet")
	if err := os.WriteFile(pp, writeFormat(t, "parquet", PeopleTable(Generic(), peopleEach(people))), 0o600); err != nil {
		t.Fatal(err)
	}
	var given, family, nid string
	var opted bool
	if err := db.QueryRow(`SELECT given_name, family_name, national_id, opted_out FROM read_parquet(?) WHERE person_id = 4`, pp).
		Scan(&given, &family, &nid, &opted); err != nil {
		t.Fatal(err)
	}
	if given != "Robert'); DROP TABLE people;--" || family != `O"Brien` || opted {
		t.Errorf("person 4: %q %q %v", given, family, opted)
	}
	if err := db.QueryRow(`SELECT national_id, opted_out FROM read_parquet(?) WHERE person_id = 1`, pp).Scan(&nid, &opted); err != nil {
		t.Fatal(err)
	}
	if nid != "00012345678" || opted {
		t.Errorf("person 1: national_id %q opted_out %v", nid, opted)
	}
}

func TestParquetBadValue(t *testing.T) {
	tab := Table{Columns: []Column{{"amount", Amount}}, Rows: func(emit func([]string) error) error {
		return emit([]string{"12,50"})
	}}
	f, _ := LookupFormat("parquet")
	var buf bytes.Buffer
	if _, err := Write(&buf, f, tab, Options{}); err == nil {
		t.Error("a comma-decimal amount was written to parquet, want an error")
	}
}

func TestEmptyTables(t *testing.T) {
	tab := PeopleTable(Generic(), peopleEach(nil))
	for _, f := range Formats() {
		var buf bytes.Buffer
		n, err := Write(&buf, f, tab, Options{})
		if err != nil || n != 0 || buf.Len() == 0 {
			t.Errorf("%s: %d rows, %d bytes, %v; want a header-only file", f.Name, n, buf.Len(), err)
		}
	}
}

// Every target's tables load into the typed formats: booleans spelled 1/0 or
// true/false, empty dates and ids, all cast.
func TestAllTargetsTypedFormats(t *testing.T) {
	people, donations := fixturePeople(), fixtureDonations()
	for _, tg := range Targets(TargetOptions{}) {
		for _, format := range []string{"xlsx", "parquet"} {
			writeFormat(t, format, PeopleTable(tg, peopleEach(people)))
			writeFormat(t, format, DonationsTable(tg, MapLookup(people), donationsEach(donations)))
		}
	}
}
