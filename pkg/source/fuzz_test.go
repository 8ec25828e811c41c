package source

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzzers write each input to a file, since readers open paths, and read every
// table to the end. Beyond not panicking they check what callers rely on: rows come
// in increasing positions, values are UTF-8 and within the field limit, spreadsheet
// types line up with values, notes and errors say something and name the file.

// fuzzMaxField is small so that the field-cutting paths run on small inputs.
const fuzzMaxField = 64

// fuzzLimits keep each run small and fast whatever the input claims.
func fuzzLimits() Limits {
	l := DefaultLimits()
	l.MaxFieldBytes = fuzzMaxField
	l.MaxCells = 1 << 16
	l.MaxUnzipBytes = 8 << 20
	l.MaxSharedStrings = 1 << 14
	return l
}

// fuzzFile writes data to name in dir, one file reused for every input: the inputs
// of one fuzz process run one after another, and a new folder each time halves the
// rate.
func fuzzFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fuzzRead opens path with format f and checks every row of every table.
func fuzzRead(t *testing.T, f Format, path string, o Options) {
	t.Helper()
	file, err := f.Open(path, o)
	if err != nil {
		fuzzCheckErr(t, err, path)
		return
	}
	defer file.Close()
	file = withLimits(file, path, o.Limits) // as Open does
	for _, name := range file.Tables() {
		tab, err := file.Open(name)
		if err != nil {
			fuzzCheckErr(t, err, path)
			continue
		}
		fuzzTable(t, tab, path, o.Limits.MaxFieldBytes)
		tab.Close()
	}
}

func fuzzTable(t *testing.T, tab Table, path string, maxField int) {
	t.Helper()
	last := 0
	for {
		r, err := tab.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fuzzCheckErr(t, err, path)
			if _, err2 := tab.Next(); err2 == nil {
				t.Fatalf("Next after error %v gave a row", err)
			}
			return
		}
		// vCard's header row and first card share line 1: positions never go back.
		if r.Pos < 1 || r.Pos < last {
			t.Fatalf("row at %d after row at %d", r.Pos, last)
		}
		last = r.Pos
		if r.Types != nil && len(r.Types) != len(r.Values) {
			t.Fatalf("row %d: %d types for %d values", r.Pos, len(r.Types), len(r.Values))
		}
		for i, v := range r.Values {
			if !utf8.ValidString(v) {
				t.Fatalf("row %d column %d: invalid UTF-8 %q", r.Pos, i+1, v)
			}
			if len(v) > maxField {
				t.Fatalf("row %d column %d: %d bytes, over the %d-byte limit", r.Pos, i+1, len(v), maxField)
			}
		}
		for _, n := range r.Notes {
			if strings.TrimSpace(n) == "" {
				t.Fatalf("row %d: empty note", r.Pos)
			}
		}
	}
	if _, err := tab.Next(); err != io.EOF {
		t.Fatalf("Next after the end = %v, want io.EOF", err)
	}
}

func fuzzCheckErr(t *testing.T, err error, path string) {
	t.Helper()
	msg := err.Error()
	if strings.TrimSpace(msg) == "" {
		t.Fatal("empty error message")
	}
	var le *LimitError
	if errors.As(err, &le) && !strings.Contains(msg, "--") {
		t.Fatalf("limit error %q does not name its flag", msg)
	}
	if !strings.Contains(msg, path) {
		t.Fatalf("error %q does not name the file %s", msg, path)
	}
}

// fuzzSeedFiles adds the files matching pattern (relative to the package) as seeds.
func fuzzSeedFiles(f *testing.F, patterns ...string) {
	for _, pat := range patterns {
		paths, _ := filepath.Glob(pat)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err == nil && len(b) < 64<<10 {
				f.Add(b)
			}
		}
	}
}

func FuzzCSV(f *testing.F) {
	fuzzSeedFiles(f, "../../samples/*.csv", "../../samples/contact-books/*.csv")
	for _, s := range []string{
		"", "\n", "a", "a;b\n1;2\n", "a,b,c\n1,2\n1,2,3,4\n", "\"unterminated\n", "\"a\"\"b\"x,y\r\n",
		"sep=|\na|b\n", "sep=\n", "\xef\xbb\xbfa;b\n", "\xff\xfea\x00;\x00b\x00", "\xfe\xff\x00a\x00;",
		"a\tb\r1\t2\r", "caf\xe9;na\xefve\n", strings.Repeat("x", 200) + ";" + strings.Repeat("\"", 150),
		"\"" + strings.Repeat("ż", 40) + "\";1\n", "a;b\n\x00\x01\x02",
		"Name,Email\nRobert'); DROP TABLE people;--,=HYPERLINK(\"http://evil\",\"x\")\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := fuzzFile(t, dir, "f.csv", data)
		fuzzRead(t, CSV(), p, Options{Limits: fuzzLimits()})
	})
}

func FuzzVCard(f *testing.F) {
	fuzzSeedFiles(f, "../../samples/contact-books/*.vcf")
	for _, s := range []string{
		"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ana\r\nEMAIL:a@b.c\r\nEND:VCARD\r\n",
		"BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=windows-1250;ENCODING=QUOTED-PRINTABLE:=B3=F3d=9F\nEND:VCARD\n",
		"BEGIN:VCARD\nFN:a\n b\n\tc\nNOTE;ENCODING=QUOTED-PRINTABLE:x=\n=\ny\nEND:VCARD",
		"BEGIN:VCARD\nBEGIN:VCARD\nEND:VCARD\nEND:VCARD\n", "BEGIN:VCARD\n", "END:VCARD\n",
		"BEGIN:VCARD\nPHOTO;ENCODING=b:" + strings.Repeat("QUFB", 50) + "\nEND:VCARD\n",
		"BEGIN:VCARD\nitem1.EMAIL;TYPE=INTERNET,pref:zofia@żółw.pl\nitem1.X-ABLabel:_$!<Home>!$_\nEND:VCARD\n",
		vcCrlf("BEGIN:VCARD", "VERSION:2.1", "N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=C5=81=", "ukasz;Jan", "TEL;CELL;PREF:1", "END:VCARD"),
		vcCrlf("BEGIN:VCARD", "VERSION:4.0", `ADR;GEO="geo:1,2":;;a\;b;c`, "AGENT:", "BEGIN:VCARD", "END:VCARD", "END:VCARD", "x"),
		"BEGIN:VCARD\rFN:a\\\r \\n\rBDAY:--0101\rPHOTO;BASE64:QUFB\rQUFB\r\rEND:VCARD",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := fuzzFile(t, dir, "f.vcf", data)
		VCard().Sniff(&Probe{Path: p, Head: data[:min(len(data), SniffBytes)], Size: int64(len(data))})
		fuzzRead(t, VCard(), p, Options{Limits: fuzzLimits()})
		// Every row, the header first, has the same columns.
		vf, err := VCard().Open(p, Options{Limits: fuzzLimits()})
		if err != nil {
			t.Fatal(err) // the vCard reader opens any file
		}
		defer vf.Close()
		tab, err := vf.Open("")
		if err != nil {
			t.Fatal(err)
		}
		defer tab.Close()
		for i := 0; ; i++ {
			r, err := tab.Next()
			if err != nil {
				if i == 0 || err != io.EOF && !errors.Is(err, ErrUnsupported) {
					t.Fatalf("row %d: %v", i, err)
				}
				return
			}
			if len(r.Values) != vcColumns {
				t.Fatalf("row %d: %d values, want %d", i, len(r.Values), vcColumns)
			}
		}
	})
}

// fuzzXLSXPackage builds a minimal workbook around a sheet and a shared-strings part,
// stored uncompressed so that the fuzzer's bytes reach the XML parsers as they are.
func fuzzXLSXPackage(sheet, sst []byte) []byte {
	parts := []struct{ name, data string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
			`<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", string(sheet)},
		{"xl/sharedStrings.xml", string(sst)},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		io.WriteString(w, p.data)
	}
	zw.Close()
	return buf.Bytes()
}

const fuzzSheetNS = `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`

func FuzzXLSX(f *testing.F) {
	sst := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>Nombre</t></si><si><r><t>Ana </t></r><r><t xml:space="preserve">Pérez</t></r></si></sst>`
	for _, c := range []struct{ sheet, sst string }{
		{fuzzSheetNS + `<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Email</t></is></c></row>` +
			`<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>44197</v></c><c r="C2" t="b"><v>1</v></c><c r="D2" t="e"><v>#N/A</v></c></row></sheetData></worksheet>`, sst},
		{fuzzSheetNS + `<sheetData><row r="1048576"><c r="XFD1048576"><v>1e308</v></c></row><row><c><v>-0</v></c></row></sheetData></worksheet>`, sst},
		{fuzzSheetNS + `<sheetData><row r="3"><c r="C3" t="s"><v>99</v></c><c r="A3" t="str"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>`, sst},
		{`<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` + fuzzSheetNS + `<sheetData><row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>`, sst},
		{`<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + fuzzSheetNS + `<sheetData><row><c t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>`, sst},
		{fuzzSheetNS + `<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>`, `<sst><si><t>` + strings.Repeat("ą", 100) + `</t></si></sst>`},
		{fuzzSheetNS + `<sheetData>`, `<sst>`},
	} {
		f.Add(false, []byte(c.sheet), []byte(c.sst))
	}
	if b, err := os.ReadFile("../../samples/contacts.xlsx"); err == nil {
		f.Add(true, b, []byte(nil))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, raw bool, sheet, sst []byte) {
		data := sheet
		if !raw {
			data = fuzzXLSXPackage(sheet, sst)
		}
		p := fuzzFile(t, dir, "f.xlsx", data)
		fuzzRead(t, XLSX(), p, Options{Limits: fuzzLimits()})
	})
}

func FuzzODS(f *testing.F) {
	for _, c := range []string{
		odsContent(odsSheet("S", odsRow(odsStr("Nombre"), odsStr("Email"))+odsRow(odsStr("Ana"), odsFloat("1.5", "1,5"))+odsEmptyRows(1000))),
		odsContent(odsSheet("S", `<table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>`)),
		odsContent(odsSheet("S", odsRow(`<table:table-cell office:value-type="date" office:date-value="2024-02-30T10:00:00"/>`, `<table:table-cell office:value-type="boolean" office:boolean-value="true"/>`,
			`<table:table-cell><text:p>a<text:s text:c="99999999"/>b<text:tab/><text:line-break/></text:p><text:p>c</text:p></table:table-cell>`))),
		odsContent(odsSheet("A", odsRow(odsStr("x"))) + odsSheet("A", odsRow(odsStr("y")))),
		`<!DOCTYPE lolz [<!ENTITY lol "lol">]>` + odsContent(odsSheet("S", odsRow(odsStr("&lol;")))),
		odsContent(odsSheet("S", odsRow(odsStr("<covered>")))),
		`<office:document-content><office:body><office:spreadsheet><table:table>`,
	} {
		f.Add(false, []byte(c))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, raw bool, data []byte) {
		if !raw {
			data = odsPackage(t, odsParts(string(data))...)
		}
		p := fuzzFile(t, dir, "f.ods", data)
		fuzzRead(t, ODS(), p, Options{Limits: fuzzLimits()})
	})
}
