package source

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// xlsxSave writes an excelize workbook into a test directory.
func xlsxSave(t testing.TB, f *excelize.File, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// xlsxEditZip rewrites a saved workbook, passing every part through edit; it is how
// tests put in XML excelize does not write (cached formula results, error cells,
// numbers with float noise).
func xlsxEditZip(t testing.TB, path string, edit func(name string, data []byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(edit(zf.Name, data)); err != nil {
			t.Fatal(err)
		}
	}
	zr.Close()
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// xlsxWithSheetData saves f and replaces the first sheet's rows with sheetData.
func xlsxWithSheetData(t testing.TB, f *excelize.File, sheetData string) string {
	t.Helper()
	p := xlsxSave(t, f, "book.xlsx")
	xlsxEditZip(t, p, func(name string, data []byte) []byte {
		if name != "xl/worksheets/sheet1.xml" {
			return data
		}
		return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
			`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheetData>` + sheetData + `</sheetData></worksheet>`)
	})
	return p
}

func xlsxOpen(t testing.TB, path string, o Options) File {
	t.Helper()
	f, err := XLSX().Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func xlsxRows(t testing.TB, f File, sheet string) []Row {
	t.Helper()
	tb, err := f.Open(sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	var rows []Row
	for {
		r, err := tb.Next()
		if err == io.EOF {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
}

// xlsxCells flattens rows to "Pos:value/type|value/type" for compact comparisons.
func xlsxCells(rows []Row) []string {
	out := make([]string, len(rows))
	typeName := []string{"T", "N", "D", "B", "E"}
	for i, r := range rows {
		parts := make([]string, len(r.Values))
		for j, v := range r.Values {
			parts[j] = v + "/" + typeName[r.Type(j)]
			if v == "" {
				parts[j] = ""
			}
		}
		out[i] = fmt.Sprintf("%d:%s", r.Pos, strings.Join(parts, "|"))
	}
	return out
}

func xlsxCheckCells(t *testing.T, got []Row, want []string) {
	t.Helper()
	g := xlsxCells(got)
	if !reflect.DeepEqual(g, want) {
		t.Errorf("rows:\n got %q\nwant %q", g, want)
	}
	for _, r := range got {
		if len(r.Types) != len(r.Values) {
			t.Errorf("row %d: %d types for %d values", r.Pos, len(r.Types), len(r.Values))
		}
	}
}

func xlsxStyle(t testing.TB, f *excelize.File, s *excelize.Style) int {
	t.Helper()
	id, err := f.NewStyle(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func xlsxCustom(code string) *excelize.Style { return &excelize.Style{CustomNumFmt: &code} }

func xlsxMust(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestXLSXSheetsInOrder(t *testing.T) {
	f := excelize.NewFile()
	xlsxMust(t, f.SetSheetName("Sheet1", "Kontakty"))
	for _, name := range []string{"Zeta", "Alpha", "Ukryty", "Internal"} {
		_, err := f.NewSheet(name)
		xlsxMust(t, err)
		xlsxMust(t, f.SetCellStr(name, "A1", "on "+name))
	}
	xlsxMust(t, f.SetSheetVisible("Ukryty", false))
	xlsxMust(t, f.SetSheetVisible("Internal", false, true))
	xlsxMust(t, f.SetCellValue("Kontakty", "A1", 1))
	xlsxMust(t, f.SetCellValue("Kontakty", "A2", 2))
	xlsxMust(t, f.AddChartSheet("Wykres", &excelize.Chart{
		Type:   excelize.Col,
		Series: []excelize.ChartSeries{{Name: "Kontakty!$A$1", Values: "Kontakty!$A$1:$A$2"}},
	}))
	p := xlsxSave(t, f, "sheets.xlsx")

	x := xlsxOpen(t, p, Options{})
	if got := x.Info().Format; got != "xlsx" {
		t.Errorf("format %q", got)
	}
	want := []string{"Kontakty", "Zeta", "Alpha", "Ukryty"} // chart and very hidden sheets left out
	if got := x.Tables(); !reflect.DeepEqual(got, want) {
		t.Errorf("tables %q, want %q", got, want)
	}
	xlsxCheckCells(t, xlsxRows(t, x, "Alpha"), []string{"1:on Alpha/T"})
	xlsxCheckCells(t, xlsxRows(t, x, "Ukryty"), []string{"1:on Ukryty/T"})
	xlsxCheckCells(t, xlsxRows(t, x, "internal"), []string{"1:on Internal/T"}) // by name, any case

	tb, err := x.Open("Zeta")
	xlsxMust(t, err)
	if tb.Name() != "Zeta" {
		t.Errorf("name %q", tb.Name())
	}
	xlsxMust(t, tb.Close())

	_, err = x.Open("Kontakty 2")
	if err == nil || !strings.Contains(err.Error(), `"Kontakty", "Zeta", "Alpha", "Ukryty"`) || !strings.Contains(err.Error(), p) {
		t.Errorf("unknown sheet: %v", err)
	}
	if _, err := x.Open("Wykres"); err == nil {
		t.Error("chart sheet opened as a table")
	}
}

func TestXLSXPositionsAndAlignment(t *testing.T) {
	f := excelize.NewFile()
	s := "Sheet1"
	bold := xlsxStyle(t, f, &excelize.Style{Font: &excelize.Font{Bold: true}})
	xlsxMust(t, f.SetCellStr(s, "A1", "Lista kontaktów 2024"))
	// rows 2 and 3 blank
	xlsxMust(t, f.SetSheetRow(s, "A4", &[]any{"Imię", "Nazwisko", "Email"}))
	xlsxMust(t, f.SetSheetRow(s, "A5", &[]any{"Ana", "García", "ana@example.org"}))
	xlsxMust(t, f.SetCellStr(s, "C6", "only.email@example.org")) // leading cells empty
	xlsxMust(t, f.SetCellStr(s, "A7", "Jan"))
	xlsxMust(t, f.SetCellStyle(s, "B7", "F7", bold)) // styled but empty: dropped
	xlsxMust(t, f.SetCellStr(s, "B10", "after a gap"))
	p := xlsxSave(t, f, "layout.xlsx")

	rows := xlsxRows(t, xlsxOpen(t, p, Options{}), s)
	xlsxCheckCells(t, rows, []string{
		"1:Lista kontaktów 2024/T",
		"2:",
		"3:",
		"4:Imię/T|Nazwisko/T|Email/T",
		"5:Ana/T|García/T|ana@example.org/T",
		"6:||only.email@example.org/T",
		"7:Jan/T",
		"8:",
		"9:",
		"10:|after a gap/T",
	})
}

func TestXLSXDates(t *testing.T) {
	f := excelize.NewFile()
	s := "Sheet1"
	day := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	moment := time.Date(2024, 3, 15, 14, 30, 5, 0, time.UTC)
	cases := []struct {
		style *excelize.Style
		value any
		want  string
	}{
		{&excelize.Style{NumFmt: 14}, day, "2024-03-15/D"}, // shown as mm-dd-yy or the locale's short date
		{&excelize.Style{NumFmt: 22}, moment, "2024-03-15 14:30:05/D"},
		{&excelize.Style{NumFmt: 22}, day, "2024-03-15 00:00:00/D"},    // the format shows a time
		{&excelize.Style{NumFmt: 14}, moment, "2024-03-15 14:30:05/D"}, // the value has one
		{xlsxCustom("dd.mm.yyyy"), day, "2024-03-15/D"},
		{xlsxCustom("d/m/yyyy"), day, "2024-03-15/D"},
		{xlsxCustom(`[$-415]d mmmm yyyy`), day, "2024-03-15/D"},
		{xlsxCustom(`[$-es-ES]dd/mm/yyyy;@`), day, "2024-03-15/D"},
		{xlsxCustom(`dd\-mm\-yy hh:mm`), moment, "2024-03-15 14:30:05/D"},
		{xlsxCustom(`yyyy"年"m"月"d"日"`), day, "2024-03-15/D"},
		{xlsxCustom(`[h]:mm:ss`), 1.5, "1900-01-01 12:00:00/D"},
		{&excelize.Style{NumFmt: 14}, 60.0, "1900-02-29/D"}, // Excel's phantom leap day
		{&excelize.Style{NumFmt: 14}, 1.0, "1900-01-01/D"},
		{&excelize.Style{NumFmt: 14}, -5.0, "-5/N"}, // no date can be negative
		// Not dates: quoted or escaped letters, numbers, currency.
		{xlsxCustom(`"dmy "0`), 45366.0, "45366/N"},
		{xlsxCustom(`0.00 "zł"`), 150.5, "150.5/N"},
		{xlsxCustom(`#,##0.00\ [$€-C0A]`), 150.5, "150.5/N"},
		{&excelize.Style{NumFmt: 4}, 1234.5, "1234.5/N"},
		{nil, 45366.0, "45366/N"}, // a serial in General is a number
	}
	for i, c := range cases {
		cell := fmt.Sprintf("A%d", i+1)
		xlsxMust(t, f.SetCellValue(s, cell, c.value))
		id := 0
		if c.style != nil {
			id = xlsxStyle(t, f, c.style)
		}
		xlsxMust(t, f.SetCellStyle(s, cell, cell, id))
	}
	p := xlsxSave(t, f, "dates.xlsx")
	rows := xlsxRows(t, xlsxOpen(t, p, Options{}), s)
	if len(rows) != len(cases) {
		t.Fatalf("%d rows for %d cases", len(rows), len(cases))
	}
	for i, c := range cases {
		if got := xlsxCells(rows[i : i+1])[0]; got != fmt.Sprintf("%d:%s", i+1, c.want) {
			t.Errorf("case %d (%v): got %q, want %q", i, c.value, got, c.want)
		}
	}
}

func TestXLSXDate1904(t *testing.T) {
	f := excelize.NewFile()
	yes := true
	xlsxMust(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	date := xlsxStyle(t, f, &excelize.Style{NumFmt: 14})
	dt := xlsxStyle(t, f, xlsxCustom("dd.mm.yyyy hh:mm"))
	s := fmt.Sprint
	p := xlsxWithSheetData(t, f, `<row r="1">`+
		`<c r="A1" s="`+s(date)+`"><v>0</v></c>`+
		`<c r="B1" s="`+s(date)+`"><v>43905</v></c>`+ // 45367 in the 1900 system
		`<c r="C1" s="`+s(dt)+`"><v>43905.75</v></c>`+
		`</row>`)
	rows := xlsxRows(t, xlsxOpen(t, p, Options{}), "Sheet1")
	xlsxCheckCells(t, rows, []string{"1:1904-01-01/D|2024-03-16/D|2024-03-16 18:00:00/D"})
}

func TestXLSXValues(t *testing.T) {
	f := excelize.NewFile()
	date := xlsxStyle(t, f, &excelize.Style{NumFmt: 14})
	p := xlsxWithSheetData(t, f, fmt.Sprintf(`
<row r="1">
  <c r="A1"><v>150.09999999999999</v></c>
  <c r="B1"><v>0.30000000000000004</v></c>
  <c r="C1"><v>600123456</v></c>
  <c r="D1"><v>48600123456</v></c>
  <c r="E1"><v>42</v></c>
  <c r="F1"><v>-3.5</v></c>
  <c r="G1"><v>1.5E-3</v></c>
  <c r="H1"><v>1E+25</v></c>
  <c r="I1"><v>12345678901234567890</v></c>
  <c r="J1"><v>-0</v></c>
  <c r="K1"><v>4.0</v></c>
</row>
<row r="2">
  <c r="A2" t="inlineStr"><is><t>150,00</t></is></c>
  <c r="B2" t="inlineStr"><is><r><t>Ma</t></r><r><rPr><b/></rPr><t xml:space="preserve">ría </t></r><rPh sb="0" eb="1"><t>ma</t></rPh></is></c>
  <c r="C2" t="b"><v>1</v></c>
  <c r="D2" t="b"><v>0</v></c>
  <c r="E2" t="e"><v>#N/A</v></c>
  <c r="F2" t="inlineStr"><is><t>line_x000D_end _x005F_x0041_</t></is></c>
  <c r="G2" t="inlineStr"><is><t>  spaced  </t></is></c>
</row>
<row r="3">
  <c r="A3"><f>40+2</f><v>42</v></c>
  <c r="B3" t="str"><f>CONCAT("a","b")</f><v>ab</v></c>
  <c r="C3" t="e"><f>NA()</f><v>#N/A</v></c>
  <c r="D3" t="b"><f>1=1</f><v>1</v></c>
  <c r="E3" s="%d"><f>DATE(2024,3,15)</f><v>45366</v></c>
  <c r="F3"><f>1/3</f><v>0.33333333333333331</v></c>
  <c r="G3"><f>A1*2</f></c>
  <c r="H3" t="d"><v>2024-03-15T10:20:30Z</v></c>
</row>
<row>
  <c><v>1</v></c><c t="inlineStr"><is><t>no refs</t></is></c>
</row>`, date))
	rows := xlsxRows(t, xlsxOpen(t, p, Options{}), "Sheet1")
	xlsxCheckCells(t, rows, []string{
		"1:150.1/N|0.3/N|600123456/N|48600123456/N|42/N|-3.5/N|0.0015/N|1e+25/N|12345678901234600000/N|0/N|4/N",
		"2:150,00/T|María /T|TRUE/B|FALSE/B|#N/A/E|line\rend _x0041_/T|  spaced  /T",
		"3:42/N|ab/T|#N/A/E|TRUE/B|2024-03-15/D|0.333333333333333/N||2024-03-15 10:20:30/D",
		"4:1/N|no refs/T",
	})
	if n := rows[2].Notes; len(n) != 1 || !strings.Contains(n[0], "column G: formula without a saved result") {
		t.Errorf("notes on the formula row: %q", n)
	}
	if n := rows[0].Notes; n != nil {
		t.Errorf("notes on row 1: %q", n)
	}
}

func TestXLSXSharedStrings(t *testing.T) {
	f := excelize.NewFile()
	s := "Sheet1"
	xlsxMust(t, f.SetCellStr(s, "A1", "150,00"))
	xlsxMust(t, f.SetCellStr(s, "B1", "  Zoë\nKowalska "))
	xlsxMust(t, f.SetCellRichText(s, "C1", []excelize.RichTextRun{
		{Text: "Ana "}, {Text: "García", Font: &excelize.Font{Bold: true}},
	}))
	xlsxMust(t, f.SetCellStr(s, "A2", "150,00")) // same shared string again
	xlsxMust(t, f.SetCellBool(s, "B2", true))
	xlsxMust(t, f.SetCellInt(s, "C2", 600123456))
	xlsxMust(t, f.SetCellFloat(s, "D2", 150.1, -1, 64))
	p := xlsxSave(t, f, "sst.xlsx")
	rows := xlsxRows(t, xlsxOpen(t, p, Options{}), s)
	xlsxCheckCells(t, rows, []string{
		"1:150,00/T|  Zoë\nKowalska /T|Ana García/T",
		"2:150,00/T|TRUE/B|600123456/N|150.1/N",
	})
}

func TestXLSXSparseRows(t *testing.T) {
	f := excelize.NewFile()
	p := xlsxWithSheetData(t, f, `
<row r="3"><c r="B3" t="inlineStr"><is><t>b3</t></is></c></row>
<row r="4" spans="1:3" ht="20" customHeight="1"/>
<row r="7"><c r="A7"><v>7</v></c><c r="E7"/><c r="D7" s="0"><v>4</v></c></row>
<row r="8"><c r="C8" t="s"/></row>`)
	rows := xlsxRows(t, xlsxOpen(t, p, Options{}), "Sheet1")
	xlsxCheckCells(t, rows, []string{
		"1:", "2:", "3:|b3/T", "4:", "5:", "6:", "7:7/N|||4/N", "8:",
	})
}

func TestXLSXFieldLimit(t *testing.T) {
	f := excelize.NewFile()
	xlsxMust(t, f.SetCellStr("Sheet1", "B1", strings.Repeat("ą", 10))) // 20 bytes
	xlsxMust(t, f.SetCellStr("Sheet1", "C1", "short"))
	p := xlsxSave(t, f, "long.xlsx")
	rows := xlsxRows(t, xlsxOpen(t, p, Options{Limits: Limits{MaxFieldBytes: 7}}), "Sheet1")
	if len(rows) != 1 {
		t.Fatalf("%d rows", len(rows))
	}
	if got := rows[0].Values; !reflect.DeepEqual(got, []string{"", "ąąą", "short"}) {
		t.Errorf("values %q", got)
	}
	if len(rows[0].Notes) != 1 || !strings.Contains(rows[0].Notes[0], "column B") {
		t.Errorf("notes %q", rows[0].Notes)
	}
}

// TestXLSXSpilledParts reads a workbook whose sheet and shared strings are over the
// in-memory limit, so excelize unpacks them to TempDir and the reader streams them
// from the zip; Close must leave TempDir empty.
func TestXLSXSpilledParts(t *testing.T) {
	old := xlsxXMLMemLimit
	xlsxXMLMemLimit = 1 << 10
	defer func() { xlsxXMLMemLimit = old }()

	f := excelize.NewFile()
	date := xlsxStyle(t, f, xlsxCustom("dd.mm.yyyy"))
	for i := 1; i <= 300; i++ {
		xlsxMust(t, f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i), &[]any{fmt.Sprintf("name %d", i), i, 45366}))
	}
	xlsxMust(t, f.SetCellStyle("Sheet1", "C1", "C300", date))
	p := xlsxSave(t, f, "big.xlsx")

	tmp := t.TempDir()
	x, err := XLSX().Open(p, Options{TempDir: tmp})
	xlsxMust(t, err)
	if ents, _ := os.ReadDir(tmp); len(ents) == 0 {
		t.Error("nothing spilled to TempDir; the test does not test streaming from the zip")
	}
	rows := xlsxRows(t, x, "Sheet1")
	if len(rows) != 300 {
		t.Fatalf("%d rows", len(rows))
	}
	xlsxCheckCells(t, rows[299:], []string{"300:name 300/T|300/N|2024-03-15/D"})
	xlsxMust(t, x.Close())
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("temp files left after Close: %v", ents)
	}
}

func xlsxSmallBook(t testing.TB) string {
	f := excelize.NewFile()
	for i := 1; i <= 2000; i++ {
		xlsxMust(t, f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i), &[]any{fmt.Sprintf("kontakt %d", i), i * 7, "x@example.org"}))
	}
	return xlsxSave(t, f, "small.xlsx")
}

func xlsxWantDamaged(t *testing.T, err error, path string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), path+": damaged or truncated XLSX file: export it again") {
		t.Errorf("error %q", err)
	}
}

func TestXLSXTruncated(t *testing.T) {
	p := xlsxSmallBook(t)
	data, err := os.ReadFile(p)
	xlsxMust(t, err)
	xlsxMust(t, os.WriteFile(p, data[:len(data)/2], 0o644))

	_, err = XLSX().Open(p, Options{})
	xlsxWantDamaged(t, err, p)

	// Detection leaves it to Detect's explanation of damaged zips.
	probe := &Probe{Path: p, Head: data[:min(len(data)/2, SniffBytes)], Size: int64(len(data) / 2)}
	if XLSX().Sniff(probe) {
		t.Error("truncated workbook sniffed as xlsx")
	}
}

func TestXLSXRandomBytes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "random.xlsx")
	data := make([]byte, 50_000)
	rand.New(rand.NewSource(1)).Read(data)
	copy(data, zipMagic)
	xlsxMust(t, os.WriteFile(p, data, 0o644))
	_, err := XLSX().Open(p, Options{})
	xlsxWantDamaged(t, err, p)
	if XLSX().Sniff(&Probe{Path: p, Head: data[:min(len(data), SniffBytes)], Size: int64(len(data))}) {
		t.Error("random bytes sniffed as xlsx")
	}
}

// TestXLSXCorrupted damages a valid workbook at many places: every outcome must be a
// clean read or an error, never a panic or a hang.
func TestXLSXCorrupted(t *testing.T) {
	p := xlsxSmallBook(t)
	orig, err := os.ReadFile(p)
	xlsxMust(t, err)
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 60; i++ {
		data := append([]byte(nil), orig...)
		at := rng.Intn(len(data) - 16)
		for j := 0; j < 1+rng.Intn(8); j++ {
			data[at+j] ^= byte(1 + rng.Intn(255))
		}
		q := filepath.Join(t.TempDir(), "bad.xlsx")
		xlsxMust(t, os.WriteFile(q, data, 0o644))
		x, err := XLSX().Open(q, Options{})
		if err != nil {
			xlsxWantDamaged(t, err, q)
			continue
		}
		for _, name := range x.Tables() {
			tb, err := x.Open(name)
			if err != nil {
				xlsxWantDamaged(t, err, q)
				continue
			}
			for {
				_, err := tb.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					xlsxWantDamaged(t, err, q)
					break
				}
			}
			tb.Close()
		}
		x.Close()
	}
}

// TestXLSXZipBomb declares parts far bigger than the limits; the reader must refuse
// from the central directory alone.
func TestXLSXZipBomb(t *testing.T) {
	for _, c := range []struct {
		part string
		size uint64
	}{
		{"xl/worksheets/sheet1.xml", 3 << 30},
		{"xl/styles.xml", 300 << 20},
	} {
		p := xlsxSave(t, excelize.NewFile(), "bomb.xlsx")
		// Rewrite with one part whose header claims c.size bytes.
		data, err := os.ReadFile(p)
		xlsxMust(t, err)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		xlsxMust(t, err)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, zf := range zr.File {
			hdr := zf.FileHeader
			if zf.Name == c.part {
				hdr.UncompressedSize64 = c.size
			}
			w, err := zw.CreateRaw(&hdr)
			xlsxMust(t, err)
			raw, err := zf.OpenRaw()
			xlsxMust(t, err)
			_, err = io.Copy(w, raw)
			xlsxMust(t, err)
		}
		xlsxMust(t, zw.Close())
		xlsxMust(t, os.WriteFile(p, buf.Bytes(), 0o644))

		_, err = XLSX().Open(p, Options{})
		if err == nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "zip bomb") || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v", c.part, err)
		}
	}
}

func TestXLSXPasswordProtected(t *testing.T) {
	f := excelize.NewFile()
	xlsxMust(t, f.SetCellStr("Sheet1", "A1", "secret"))
	p := filepath.Join(t.TempDir(), "locked.xlsx")
	xlsxMust(t, f.SaveAs(p, excelize.Options{Password: "tajne"}))
	xlsxMust(t, f.Close())
	_, err := XLSX().Open(p, Options{}) // forced: Detect explains encrypted files itself
	if err == nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), p+": is password-protected") {
		t.Errorf("error %v", err)
	}
}

func TestXLSXSniff(t *testing.T) {
	dir := t.TempDir()
	book := xlsxSmallBook(t)
	other := filepath.Join(dir, "other.zip")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte("<w/>"))
	xlsxMust(t, zw.Close())
	xlsxMust(t, os.WriteFile(other, buf.Bytes(), 0o644))
	text := filepath.Join(dir, "a.csv")
	xlsxMust(t, os.WriteFile(text, []byte("imię;nazwisko\nAna;García\n"), 0o644))

	for path, want := range map[string]bool{book: true, other: false, text: false} {
		data, err := os.ReadFile(path)
		xlsxMust(t, err)
		p := &Probe{Path: path, Head: data[:min(len(data), SniffBytes)], Size: int64(len(data))}
		if got := XLSX().Sniff(p); got != want {
			t.Errorf("%s: sniff %v, want %v", filepath.Base(path), got, want)
		}
	}
	if f, ok := ByName("xlsx"); !ok || f.Name() != "xlsx" {
		t.Error("xlsx not registered")
	}
}

func TestXLSXThroughDetect(t *testing.T) {
	f := excelize.NewFile()
	xlsxMust(t, f.SetCellStr("Sheet1", "A1", "Ana"))
	p := xlsxSave(t, f, "book.xlsx")
	xlsxMust(t, os.Rename(p, p+".csv")) // content decides, not the name
	p += ".csv"
	x, err := Open(p, Options{})
	xlsxMust(t, err)
	defer x.Close()
	if x.Info().Format != "xlsx" {
		t.Fatalf("detected %q", x.Info().Format)
	}
	xlsxCheckCells(t, xlsxRows(t, x, "Sheet1"), []string{"1:Ana/T"})
}

// xlsxBenchBook writes a 100,000-row by 12-column workbook like an NGO's export:
// shared-string text, phone numbers, amounts, two date formats and booleans.
func xlsxBenchBook(b *testing.B) string {
	f := excelize.NewFile()
	s := "Sheet1"
	iso := xlsxStyle(b, f, &excelize.Style{NumFmt: 14})
	pl := xlsxStyle(b, f, xlsxCustom("dd.mm.yyyy"))
	xlsxMust(b, f.SetSheetRow(s, "A1", &[]any{"ID", "Imię", "Nazwisko", "Email", "Telefon", "Miasto", "Kod", "Urodzony", "Dołączył", "Kwota", "Aktywny", "Uwagi"}))
	first := []string{"Ana", "Jan", "María", "Piotr", "Zofia", "José", "Łukasz", "Ewa"}
	cities := []string{"Warszawa", "Kraków", "Madrid", "Sevilla", "Gdańsk"}
	row := make([]any, 12)
	for i := 1; i <= 100_000; i++ {
		row[0] = i
		row[1] = first[i%len(first)]
		row[2] = fmt.Sprintf("Nazwisko%d", i%5000)
		row[3] = fmt.Sprintf("kontakt%d@example.org", i)
		row[4] = 48600000000 + i
		row[5] = cities[i%len(cities)]
		row[6] = fmt.Sprintf("%02d-%03d", i%100, i%1000)
		row[7] = 20000 + i%20000
		row[8] = 44000.0 + float64(i%1500)
		row[9] = float64(i%10000) / 10
		row[10] = i%3 == 0
		row[11] = fmt.Sprintf("uwaga %d", i%300)
		xlsxMust(b, f.SetSheetRow(s, fmt.Sprintf("A%d", i+1), &row))
	}
	xlsxMust(b, f.SetCellStyle(s, "H2", "H100001", iso))
	xlsxMust(b, f.SetCellStyle(s, "I2", "I100001", pl))
	return xlsxSave(b, f, "bench.xlsx")
}

func BenchmarkXLSXRead(b *testing.B) {
	p := xlsxBenchBook(b)
	for b.Loop() {
		x, err := XLSX().Open(p, Options{})
		xlsxMust(b, err)
		tb, err := x.Open("Sheet1")
		xlsxMust(b, err)
		n := 0
		for {
			_, err := tb.Next()
			if err == io.EOF {
				break
			}
			xlsxMust(b, err)
			n++
		}
		if n != 100_001 {
			b.Fatalf("%d rows", n)
		}
		xlsxMust(b, tb.Close())
		xlsxMust(b, x.Close())
	}
}

// BenchmarkXLSXBareExcelize is the baseline: excelize's own streaming scan of the
// same file with the same limits.
func BenchmarkXLSXBareExcelize(b *testing.B) {
	p := xlsxBenchBook(b)
	for b.Loop() {
		f, err := excelize.OpenFile(p, excelize.Options{UnzipSizeLimit: DefaultMaxUnzipBytes, UnzipXMLSizeLimit: xlsxXMLMemLimit})
		xlsxMust(b, err)
		rows, err := f.Rows("Sheet1")
		xlsxMust(b, err)
		n := 0
		for rows.Next() {
			_, err := rows.Columns()
			xlsxMust(b, err)
			n++
		}
		if n != 100_001 {
			b.Fatalf("%d rows", n)
		}
		xlsxMust(b, rows.Close())
		xlsxMust(b, f.Close())
	}
}

// BenchmarkXLSXBareExcelizeRaw is excelize's scan without number formatting
// (RawCellValue), for reference: it cannot tell types apart.
func BenchmarkXLSXBareExcelizeRaw(b *testing.B) {
	p := xlsxBenchBook(b)
	for b.Loop() {
		f, err := excelize.OpenFile(p, excelize.Options{UnzipSizeLimit: DefaultMaxUnzipBytes, UnzipXMLSizeLimit: xlsxXMLMemLimit})
		xlsxMust(b, err)
		rows, err := f.Rows("Sheet1")
		xlsxMust(b, err)
		n := 0
		for rows.Next() {
			_, err := rows.Columns(excelize.Options{RawCellValue: true})
			xlsxMust(b, err)
			n++
		}
		if n != 100_001 {
			b.Fatalf("%d rows", n)
		}
		xlsxMust(b, rows.Close())
		xlsxMust(b, f.Close())
	}
}
