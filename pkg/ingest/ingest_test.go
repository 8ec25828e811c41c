package ingest

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/store"
)

func setup(t *testing.T) (*store.Store, Options) {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "p.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, err := mapping.NewLibrary(nil)
	if err != nil {
		t.Fatal(err)
	}
	return st, Options{Library: lib, Actor: "test"}
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLargeCSVKeepsFileOrderAcrossParallelConversion(t *testing.T) {
	st, opts := setup(t)
	var b strings.Builder
	b.WriteString("id,email\n")
	const n = 10_000
	for i := 1; i <= n; i++ {
		if i%1000 == 0 {
			b.WriteString("\n") // blank lines are not records
		}
		fmt.Fprintf(&b, "%d,user%d@example.org\n", i, i)
	}
	res := File(context.Background(), st, write(t, "big.csv", b.String()), opts)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if res.Batch.Records != n || res.Batch.Problems != 0 {
		t.Fatalf("batch %+v", res.Batch)
	}
	var bad int
	err := st.DB().QueryRow(`SELECT count(*) FROM records WHERE raw->>'$[0]' <> CAST(record_no AS VARCHAR)
		OR emails[1] <> 'user' || record_no || '@example.org'`).Scan(&bad)
	if err != nil || bad != 0 {
		t.Fatalf("%d records out of order (%v)", bad, err)
	}
	var maxPos int
	st.DB().QueryRow(`SELECT max(pos) FROM records`).Scan(&maxPos)
	if maxPos != n+1+n/1000 {
		t.Fatalf("last record on line %d, want %d", maxPos, n+1+n/1000)
	}
}

func xlsxFile(t *testing.T, sheets map[string][][]any, order []string) string {
	t.Helper()
	f := excelize.NewFile()
	for i, name := range order {
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else {
			f.NewSheet(name)
		}
		for r, row := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				t.Fatal(err)
			}
		}
	}
	p := filepath.Join(t.TempDir(), "book.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestWorkbookSheetsShareOneRecordNumbering(t *testing.T) {
	st, opts := setup(t)
	p := xlsxFile(t, map[string][][]any{
		"2023":       {{"Socios 2023"}, {}, {"Nombre", "Apellidos", "Importe"}, {"Ana", "García", 150.5}, {"Luis", "Pérez", "1.234,56"}},
		"2024":       {{"Imię", "Nazwisko", "Kwota"}, {"Jan", "Kowalski", "20,00"}},
		"Hoja vacía": {},
	}, []string{"2023", "2024", "Hoja vacía"})
	res := File(context.Background(), st, p, opts)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Tables) != 2 || res.Tables[0].HeaderRow != 3 || res.Tables[1].HeaderRow != 1 {
		t.Fatalf("tables %+v", res.Tables)
	}
	rows, err := st.DB().Query(`SELECT sheet, record_no, pos, given_name, CAST(amount AS VARCHAR) FROM records ORDER BY record_no`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var sheet, given, amount string
		var no, pos int
		rows.Scan(&sheet, &no, &pos, &given, &amount)
		got = append(got, fmt.Sprintf("%s/%d/%d/%s/%s", sheet, no, pos, given, amount))
	}
	want := "2023/1/4/Ana/150.50 2023/2/5/Luis/1234.56 2024/3/2/Jan/20.00"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
}

// corruptSheet rewrites a workbook with one sheet's XML cut short, so reading fails
// after earlier sheets were already appended.
func corruptSheet(t *testing.T, path, entry string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == entry {
			data = data[:len(data)/2]
		}
		w, _ := zw.Create(f.Name)
		w.Write(data)
	}
	zr.Close()
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestAFileThatFailsHalfwayLeavesNothing(t *testing.T) {
	st, opts := setup(t)
	first := make([][]any, 0, 3000)
	first = append(first, []any{"Name", "Email"})
	for i := 0; i < 2999; i++ {
		first = append(first, []any{"Ana", fmt.Sprintf("a%d@example.org", i)})
	}
	second := [][]any{{"Name", "Email"}}
	for i := 0; i < 500; i++ {
		second = append(second, []any{"Jan", fmt.Sprintf("j%d@example.org", i)})
	}
	p := xlsxFile(t, map[string][][]any{"A": first, "B": second}, []string{"A", "B"})
	corruptSheet(t, p, "xl/worksheets/sheet2.xml")
	res := File(context.Background(), st, p, opts)
	if res.Err == nil {
		t.Fatalf("import of a damaged workbook succeeded: %+v", res.Batch)
	}
	if !strings.Contains(res.Err.Error(), `sheet "B"`) {
		t.Errorf("error does not name the sheet: %v", res.Err)
	}
	var n int
	st.DB().QueryRow(`SELECT (SELECT count(*) FROM records) + (SELECT count(*) FROM batches) + (SELECT count(*) FROM problems)`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d rows left behind by a failed import", n)
	}
}

func TestConversionOfEachKindWithProblems(t *testing.T) {
	st, opts := setup(t)
	m, err := mapping.Parse([]byte(`
name: t
default_country: AR, ES
columns:
  Nombre y apellido: {field: full_name, order: family_first}
  Tel: phone
  País: country
  Baja: {field: opt_out, values: {unsubscribed: yes, subscribed: no}}
  Monto: {field: amount, decimal: comma}
  Fecha: {field: date, format: dd.mm.yyyy}
  Cuenta: iban
  Etiquetas: tags
constants:
  tags: [evento]
  currency: ARS
`), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	opts.Mapping = m
	csv := "Nombre y apellido;Tel;País;Baja;Monto;Fecha;Cuenta;Etiquetas\n" +
		"GARCÍA LÓPEZ MARÍA;011 15-4555-1234;;subscribed;1.500,50;15.03.2024;;socia, voluntaria\n" +
		"Kowalski Jan;600 123 456;Polska;unsubscribed;20;31.02.2024;PL61 1090 1014 0000 0712 1981 2874;\n" +
		"Pérez Luis;612 345 678;;maybe;abc;;ES00 1234;\n"
	res := File(context.Background(), st, write(t, "t.csv", csv), opts)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	recs, err := st.Records(context.Background(), store.RecordFilter{})
	if err != nil || len(recs) != 3 {
		t.Fatalf("records %v %v", len(recs), err)
	}
	a, b, c := recs[0], recs[1], recs[2]
	if a.GivenName != "MARÍA" || a.FamilyName != "GARCÍA LÓPEZ" || a.Phones[0] != "+5491145551234" ||
		*a.OptOut || a.Amount != "1500.50" || a.Currency != "ARS" || a.Date != "2024-03-15" ||
		strings.Join(a.Tags, ",") != "socia,voluntaria,evento" {
		t.Errorf("record 1 = %+v", a)
	}
	if b.Country != "PL" || b.Phones[0] != "+48600123456" || !*b.OptOut || b.Amount != "20.00" || b.Date != "" ||
		b.IBAN != "PL61109010140000071219812874" {
		t.Errorf("record 2 = %+v", b)
	}
	if c.Phones[0] != "+34612345678" || c.OptOut != nil || c.Amount != "" || c.IBAN != "" {
		t.Errorf("record 3 = %+v", c)
	}
	ps, _ := st.Problems(context.Background(), 0, 0)
	var got []string
	for _, p := range ps {
		got = append(got, fmt.Sprintf("%d:%s", p.Pos, p.Column))
	}
	if strings.Join(got, " ") != "3:Fecha 4:Baja 4:Cuenta 4:Monto" {
		t.Fatalf("problems %v", ps)
	}
}

func TestNationalIDAndOccupation(t *testing.T) {
	st, opts := setup(t)
	// No mapping: the headers name the fields. A mixed membership list: Spanish DNI and
	// NIE, a Polish PESEL (one mistyped), an Argentine CUIT, a passport number.
	csv := "Nombre;Apellidos;DNI;Profesión\n" +
		"Ana;García López;12.345.678-z;Maestra\n" +
		"Jan;Kowalski;44051401359;  Nauczyciel \n" +
		"Ewa;Nowak;44051401358;Lekarka\n" +
		"Lucía;Pérez;20-12345678-6;\n" +
		"Olena;Shevchenko;X1234567L;Enfermera\n" +
		"Tom;Smith;GB 123456789;Engineer\n"
	res := File(context.Background(), st, write(t, "socios.csv", csv), opts)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	recs, err := st.Records(context.Background(), store.RecordFilter{})
	if err != nil || len(recs) != 6 {
		t.Fatalf("records %v %v", len(recs), err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.NationalID+"|"+r.Occupation)
	}
	want := []string{"12345678Z|Maestra", "44051401359|Nauczyciel", "|Lekarka", "20123456786|", "X1234567L|Enfermera", "GB123456789|Engineer"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("national_id|occupation = %q\nwant %q", got, want)
	}
	if recs[2].Raw[2] != "44051401358" {
		t.Errorf("raw row lost the bad PESEL: %q", recs[2].Raw)
	}
	ps, err := st.Problems(context.Background(), 0, 0)
	if err != nil || len(ps) != 1 {
		t.Fatalf("problems %+v %v", ps, err)
	}
	if p := ps[0]; p.File != "socios.csv" || p.Pos != 4 || p.RecordNo != 3 || p.Column != "DNI" || p.Field != "national_id" ||
		p.Value != "44051401358" || !strings.Contains(p.Reason, "PESEL check digit is wrong") {
		t.Errorf("problem %+v", p)
	}
	// Both fields are queryable columns of the store.
	var n int
	if err := st.DB().QueryRow(`SELECT count(*) FROM records WHERE national_id IS NOT NULL AND occupation IS NOT NULL`).Scan(&n); err != nil || n != 4 {
		t.Errorf("records with both fields: %d, %v", n, err)
	}
}

// A PESEL typed into a spreadsheet as a number loses its leading zero; it comes back
// when that makes a valid PESEL.
func TestNationalIDFromNumberCells(t *testing.T) {
	st, opts := setup(t)
	p := xlsxFile(t, map[string][][]any{
		"Członkowie": {{"Imię", "PESEL"}, {"Jan", 44051401359}, {"Ewa", 2070803628}, {"Ola", 2070803627}},
	}, []string{"Członkowie"})
	if res := File(context.Background(), st, p, opts); res.Err != nil {
		t.Fatal(res.Err)
	}
	recs, err := st.Records(context.Background(), store.RecordFilter{})
	if err != nil || len(recs) != 3 {
		t.Fatalf("records %v %v", len(recs), err)
	}
	// 2070803627 is no PESEL with or without the zero: kept as written, unchecked.
	if got := recs[0].NationalID + " " + recs[1].NationalID + " " + recs[2].NationalID; got != "44051401359 02070803628 2070803627" {
		t.Errorf("national ids %q", got)
	}
}
