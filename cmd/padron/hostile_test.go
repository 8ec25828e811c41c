package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestHostile runs the real padron binary (set up on PATH by TestMain) on damaged and
// hostile files generated here, so that nothing big is committed. Each must end with
// a clear error naming the file and the reason, leaving the store as it was, or be
// imported safely. The cases and their messages are listed in docs/security.md;
// -v logs each outcome in that table's form.
func TestHostile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "padron.duckdb")
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A first import, so that "unchanged" is checked against a store with data in it.
	if code, out := padron(t, dir, db, "import", write("base.csv", []byte("Name,Email\nAna Nowak,ana@example.org\n"))); code != 0 {
		t.Fatalf("baseline import: exit %d\n%s", code, out)
	}

	xlsx := hostileXLSX(t)
	ods := hostileODS()
	bigField := "Name,Email,Notes\nAna,ana@example.org," + strings.Repeat("a", 20<<20) + "\nLuis,luis@example.org,ok\n"
	var cells strings.Builder
	cells.WriteString("Name,Email,A,B,C,D,E,F,G,H\n")
	for i := 0; i < 5000; i++ { // more than one chunk of rows is written before the limit
		fmt.Fprintf(&cells, "P%d,p%d@example.org,1,2,3,4,5,6,7,8\n", i, i)
	}
	billion := `<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
`
	xxe := `<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
`
	camt := `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>S1</Id>` +
		`<Acct><Id><IBAN>PL61109010140000071219812874</IBAN></Id></Acct><Ntry><Amt Ccy="PLN">10.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>` +
		`<BookgDt><Dt>2025-01-02</Dt></BookgDt><NtryDtls><TxDtls><RmtInf><Ustrd>%s</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>`
	ofx := `<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>EUR</CURDEF><BANKACCTFROM><BANKID>1</BANKID><ACCTID>2</ACCTID></BANKACCTFROM>
<BANKTRANLIST><STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20250102</DTPOSTED><TRNAMT>10.00</TRNAMT><FITID>1</FITID><NAME>%s</NAME></STMTTRN></BANKTRANLIST>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>`
	xlsxSheet := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>%s</t></is></c></row></sheetData></worksheet>`

	cases := []struct {
		file string
		data []byte
		args []string // flags before the file
		// code is the exit status: 1 for a refused file, 0 or 3 for a safe import.
		code int
		want []string // regexps stderr must match
	}{
		{file: "truncated.xlsx", data: xlsx[:len(xlsx)/2], code: 1,
			want: []string{`truncated.xlsx: is a damaged Excel .xlsx file \(cut short or corrupted\): export it again`}},
		{file: "truncated.ods", data: ods[:len(ods)/2], code: 1,
			want: []string{`truncated.ods: damaged or truncated ODS file: export it again \(zip: not a valid zip file\)`}},
		{file: "bomb.xlsx", data: hostileBombXLSX(t), code: 1,
			want: []string{`bomb.xlsx: part xl/worksheets/sheet1.xml unpacks to 64 MiB from [0-9.]+ KiB, a ratio over 200:1 that no real spreadsheet has \(damaged file or zip bomb\) \(a damaged or hostile file\?\): if the file is genuine, raise the limit with --max-zip-ratio`}},
		{file: "big-unzip.xlsx", data: xlsx, args: []string{"--max-unzip-size", "4KB"}, code: 1,
			want: []string{`big-unzip.xlsx: unpacks to more than 3.9 KiB, .*raise the limit with --max-unzip-size`}},
		{file: "many-parts.xlsx", data: hostileManyParts(t, 1100), args: []string{"--max-zip-entries", "1000"}, code: 1,
			want: []string{`many-parts.xlsx: holds 1110 parts, far beyond any real spreadsheet \(damaged file or zip bomb\), over the limit of 1000 parts \(a damaged or hostile file\?\): if the file is genuine, raise the limit with --max-zip-entries`}},
		{file: "sharedstrings.xlsx", data: hostileSSTXLSX(t, 100_001), args: []string{"--max-shared-strings", "100000"}, code: 1,
			want: []string{`sharedstrings.xlsx: part xl/sharedStrings.xml: the shared strings table has more than 100000 entries \(a damaged or hostile file\?\): if the file is genuine, raise the limit with --max-shared-strings`}},
		{file: "repeated.ods", data: hostileRepeatedODS(`<table:table-cell table:number-columns-repeated="16000" office:value-type="string"><text:p>x</text:p></table:table-cell>`),
			args: []string{"--max-cells", "1000000"}, code: 1,
			want: []string{`repeated.ods: sheet "S" row 65: the file has more than 1000000 cells \(a damaged or hostile file\?\): if the file is genuine, raise the limit with --max-cells`}},
		{file: "blank-rows.ods", data: hostileRepeatedODS(`<table:table-cell table:number-columns-repeated="16000"/>`), code: 0,
			want: []string{`blank-rows.ods: batch \d+, 2 records`}},
		{file: "laughs.xlsx", data: hostileXLSXSheet(t, billion+fmt.Sprintf(xlsxSheet, "&lol3;")), code: 1,
			want: []string{`laughs.xlsx: damaged or truncated XLSX file: export it again \(.*invalid character entity &lol3;`}},
		{file: "xxe.xlsx", data: hostileXLSXSheet(t, xxe+fmt.Sprintf(xlsxSheet, "&xxe;")), code: 1,
			want: []string{`xxe.xlsx: damaged or truncated XLSX file: export it again \(.*invalid character entity &xxe;`}},
		{file: "laughs.camt.xml", data: []byte(billion + fmt.Sprintf(camt, "&lol3;")), code: 1,
			want: []string{`laughs.camt.xml: line 2: DTD not allowed \(a <!DOCTYPE> in a bank file is refused for safety\)`}},
		{file: "xxe.camt.xml", data: []byte(xxe + fmt.Sprintf(camt, "&xxe;")), code: 1,
			want: []string{`xxe.camt.xml: line 2: DTD not allowed \(a <!DOCTYPE> in a bank file is refused for safety\)`}},
		{file: "laughs.ofx", data: []byte(billion + fmt.Sprintf(ofx, "&lol3;")), code: 1,
			want: []string{`laughs.ofx.*DTD not allowed \(a <!DOCTYPE> in a bank file is refused for safety\)`}},
		{file: "xxe.ofx", data: []byte(xxe + fmt.Sprintf(ofx, "&xxe;")), code: 1,
			want: []string{`xxe.ofx.*DTD not allowed \(a <!DOCTYPE> in a bank file is refused for safety\)`}},
		{file: "bigfield.csv", data: []byte(bigField), code: 3,
			want: []string{`bigfield.csv: batch \d+, 2 records`, `1 problems`}},
		{file: "toobig.csv", data: []byte(cells.String()), args: []string{"--max-file-size", "10KB"}, code: 1,
			want: []string{`toobig.csv: is [0-9.]+ KiB \(\d+ bytes\), over the limit of 9.8 KiB \(a damaged or hostile file\?\): if the file is genuine, raise the limit with --max-file-size`}},
		{file: "cells.csv", data: []byte(cells.String()), args: []string{"--max-cells", "40000"}, code: 1,
			want: []string{`cells.csv: row 4001: the file has more than 40000 cells \(a damaged or hostile file\?\): if the file is genuine, raise the limit with --max-cells`}},
		{file: "ragged.csv", data: []byte("Name,Email,City\nAna,ana@example.org\nLuis,luis@example.org,Salta,extra\n"), code: 3,
			want: []string{`ragged.csv: batch \d+, 2 records .*, 2 problems`}},
		// Declared UTF-8 with stray Windows-1252 bytes: decoded as such, with a problem.
		{file: "badutf8.csv", data: []byte("Name,Email\nJos\xe9 P\xe9rez,jose@example.org\nZo\xc5\x9bia,zosia@example.org\n"), args: []string{"--encoding", "utf-8"}, code: 3,
			want: []string{`badutf8.csv: batch \d+, 2 records \(csv, utf-8, delimiter ,\), 1 problems`}},
		{file: "picture.csv", data: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"), code: 1,
			want: []string{`picture.csv: is a PNG image, not a spreadsheet: export the data as .csv or .xlsx from the program that made it`}},
		{file: "empty.csv", data: nil, code: 1,
			want: []string{`empty.csv: is empty: export the data again, or remove the file from the command`}},
		{file: "header-only.csv", data: []byte("Name;Email;City\n"), code: 0,
			want: []string{`header-only.csv: batch \d+, 0 records`}},
		{file: "injection.csv", data: []byte("Name,Email,Notes\n\"Robert'); DROP TABLE people;--\",bobby@example.org,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"\n" +
			"Zofia Żółw,zofia@żółw.pl,IDN\n"), code: 0,
			want: []string{`injection.csv: batch \d+, 2 records`}},
	}
	for _, c := range cases {
		before := storeState(t, db)
		p := write(c.file, c.data)
		args := append(append([]string{"import"}, c.args...), p)
		code, out := padron(t, dir, db, args...)
		out = strings.ReplaceAll(out, dir+string(filepath.Separator), "")
		t.Logf("| %s | exit %d | %s |", c.file, code, strings.ReplaceAll(strings.TrimSpace(out), "\n", " / "))
		if code != c.code {
			t.Errorf("%s: exit %d, want %d\n%s", c.file, code, c.code, out)
		}
		for _, w := range c.want {
			if !regexp.MustCompile(w).MatchString(out) {
				t.Errorf("%s: output does not match %q:\n%s", c.file, w, out)
			}
		}
		if after := storeState(t, db); c.code == 1 && after != before {
			t.Errorf("%s: refused, but the store changed from %s to %s", c.file, before, after)
		}
	}

	// What the safe imports stored.
	for _, q := range []struct{ query, want string }{
		// The 20 MB value is cut at --max-field-length and the cut recorded.
		{`SELECT length(notes), (SELECT reason FROM problems WHERE source_file = 'bigfield.csv') FROM records WHERE source_file = 'bigfield.csv' AND record_no = 1`,
			`1048576|column 3: value of 20971520 bytes cut to 1048576 bytes (--max-field-length)`},
		// Rows with fewer or more values than the header are kept, each with a problem.
		{`SELECT count(*), (SELECT count(*) FROM problems WHERE source_file = 'ragged.csv') FROM records WHERE source_file = 'ragged.csv'`, `2|2`},
		{`SELECT raw::VARCHAR FROM records WHERE source_file = 'ragged.csv' AND record_no = 2`, `["Luis","luis@example.org","Salta","extra"]`},
		// Stray Windows-1252 bytes in UTF-8 text are decoded, not dropped.
		{`SELECT full_name FROM records WHERE source_file = 'badutf8.csv' ORDER BY record_no`, "José Pérez\nZośia"},
		{`SELECT reason FROM problems WHERE source_file = 'badutf8.csv'`, `invalid UTF-8 bytes decoded as Windows-1252 in column 1`},
		// SQL and formulas are plain text, and the people table is still there.
		{`SELECT full_name, notes FROM records WHERE source_file = 'injection.csv' AND record_no = 1`, `Robert'); DROP TABLE people;--|=HYPERLINK("http://evil","x")`},
		{`SELECT count(*) >= 0 FROM people`, `true`},
		// IDN domains are stored as punycode.
		{`SELECT emails[1] FROM records WHERE source_file = 'injection.csv' AND record_no = 2`, `zofia@xn--w-uga1v8h.pl`},
	} {
		if got := storeQuery(t, db, q.query); got != q.want {
			t.Errorf("%s\n got %.200q\nwant %q", q.query, got, q.want)
		}
	}
}

// padron runs the binary in dir on the store db and returns its exit code and stderr.
func padron(t *testing.T, dir, db string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command("padron", append([]string{"--db", db}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PADRON_ACTOR=tester")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), stderr.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, stderr.String()
}

// storeState summarises what a store holds, to tell whether a refused import wrote.
func storeState(t *testing.T, db string) string {
	t.Helper()
	return storeQuery(t, db, `SELECT (SELECT count(*) FROM batches), (SELECT count(*) FROM batch_tables),
		(SELECT count(*) FROM records), (SELECT count(*) FROM problems), (SELECT count(*) FROM transactions),
		(SELECT coalesce(max(id), 0) FROM batches)`)
}

// storeQuery runs a query and returns its rows, values joined by | and rows by \n.
func storeQuery(t *testing.T, db, query string) string {
	t.Helper()
	conn, err := sql.Open("duckdb", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			parts[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

// hostileXLSX is an ordinary small workbook.
func hostileXLSX(t *testing.T) []byte {
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range [][]string{{"Name", "Email"}, {"Ana Nowak", "ana@example.org"}, {"Luis Pérez", "luis@example.org"}} {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// hostileODS is an ordinary small OpenDocument spreadsheet.
func hostileODS() []byte {
	content := `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
		`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">` +
		`<office:body><office:spreadsheet><table:table table:name="S">` + strings.Repeat(`<table:table-row><table:table-cell office:value-type="string"><text:p>Ana Nowak ana@example.org</text:p></table:table-cell></table:table-row>`, 50) +
		`</table:table></office:spreadsheet></office:body></office:document-content>`
	return hostileZip(map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": content}, "mimetype", "content.xml")
}

// hostileRepeatedODS is a tiny spreadsheet whose rows repeat 16 million times
// (number-rows-repeated), each row the given cells.
func hostileRepeatedODS(cells string) []byte {
	content := `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
		`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">` +
		`<office:body><office:spreadsheet><table:table table:name="S">` +
		`<table:table-row><table:table-cell office:value-type="string"><text:p>Name</text:p></table:table-cell></table:table-row>` +
		`<table:table-row><table:table-cell office:value-type="string"><text:p>Ana Nowak</text:p></table:table-cell></table:table-row>` +
		strings.Repeat(`<table:table-row table:number-rows-repeated="1000000">`+cells+`</table:table-row>`, 16) +
		`<table:table-row><table:table-cell office:value-type="string"><text:p>Luis Pérez</text:p></table:table-cell></table:table-row>` +
		`</table:table></office:spreadsheet></office:body></office:document-content>`
	return hostileZip(map[string]string{"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": content}, "mimetype", "content.xml")
}

// hostileZip packs parts in the given order, the mimetype stored, the rest deflated.
func hostileZip(parts map[string]string, order ...string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestCompression) })
	for _, name := range order {
		method := zip.Deflate
		if name == "mimetype" {
			method = zip.Store
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		io.WriteString(w, parts[name])
	}
	zw.Close()
	return buf.Bytes()
}

// hostileEditXLSX rewrites a workbook's parts through edit.
func hostileEditXLSX(t *testing.T, data []byte, edit func(name string, w io.Writer, old []byte)) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
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
		old, _ := io.ReadAll(rc)
		rc.Close()
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		edit(zf.Name, w, old)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostileXLSXSheet is the small workbook with its sheet XML replaced.
func hostileXLSXSheet(t *testing.T, sheet string) []byte {
	return hostileEditXLSX(t, hostileXLSX(t), func(name string, w io.Writer, old []byte) {
		if name == "xl/worksheets/sheet1.xml" {
			old = []byte(sheet)
		}
		w.Write(old)
	})
}

// hostileBombXLSX has a 64 MiB sheet of one repeated row that deflates a
// thousandfold: a zip bomb.
func hostileBombXLSX(t *testing.T) []byte {
	return hostileEditXLSX(t, hostileXLSX(t), func(name string, w io.Writer, old []byte) {
		if name != "xl/worksheets/sheet1.xml" {
			w.Write(old)
			return
		}
		row := []byte(`<row><c t="inlineStr"><is><t>x</t></is></c></row>`)
		head := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
		tail := `</sheetData></worksheet>`
		n := 64<<20 - len(head) - len(tail)
		io.WriteString(w, head)
		w.Write(bytes.Repeat(row, n/len(row)))
		w.Write(bytes.Repeat([]byte(" "), n%len(row)))
		io.WriteString(w, tail)
	})
}

// hostileManyParts is the small workbook with n empty parts added.
func hostileManyParts(t *testing.T, n int) []byte {
	data := hostileXLSX(t)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, zf := range zr.File {
		if err := zw.Copy(zf); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		if _, err := zw.Create(fmt.Sprintf("xl/media/empty%d.bin", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostileSSTXLSX has a shared strings table of n distinct entries, declaring far more.
func hostileSSTXLSX(t *testing.T, n int) []byte {
	f := excelize.NewFile()
	defer f.Close()
	f.SetCellStr("Sheet1", "A1", "Name")
	f.SetCellStr("Sheet1", "A2", "Ana Nowak")
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return hostileEditXLSX(t, b.Bytes(), func(name string, w io.Writer, old []byte) {
		if name != "xl/sharedStrings.xml" {
			w.Write(old)
			return
		}
		io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2000000000" uniqueCount="2000000000">`)
		io.WriteString(w, `<si><t>Name</t></si><si><t>Ana Nowak</t></si>`)
		for i := 2; i < n; i++ {
			fmt.Fprintf(w, `<si><t>s%d</t></si>`, i)
		}
		io.WriteString(w, `</sst>`)
	})
}
