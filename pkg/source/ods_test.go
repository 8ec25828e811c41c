package source

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
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
	"unicode/utf8"
)

// The namespaces LibreOffice declares on content.xml's root.
const odsTestNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
	`xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ` +
	`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ` +
	`xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" ` +
	`xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:dc="http://purl.org/dc/elements/1.1/" ` +
	`xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" ` +
	`xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" ` +
	`xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" ` +
	`xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" ` +
	`xmlns:loext="urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"`

// odsStyles is the kind of preamble LibreOffice writes before the body.
const odsStyles = `<office:scripts/><office:font-face-decls><style:font-face style:name="Liberation Sans" svg:font-family="&apos;Liberation Sans&apos;" style:font-family-generic="swiss" style:font-pitch="variable"/></office:font-face-decls>` +
	`<office:automatic-styles><style:style style:name="co1" style:family="table-column"><style:table-column-properties fo:break-before="auto" style:column-width="0.889in"/></style:style>` +
	`<style:style style:name="ro1" style:family="table-row"><style:table-row-properties style:row-height="0.178in" fo:break-before="auto" style:use-optimal-row-height="true"/></style:style>` +
	`<style:style style:name="ta1" style:family="table" style:master-page-name="Default"><style:table-properties table:display="true" style:writing-mode="lr-tb"/></style:style>` +
	`<number:date-style style:name="N37" number:automatic-order="true"><number:day number:style="long"/><number:text>.</number:text><number:month number:style="long"/><number:text>.</number:text><number:year/></number:date-style>` +
	`<style:style style:name="ce1" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="N37"/></office:automatic-styles>`

// odsContent wraps sheets in a LibreOffice-style content.xml.
func odsContent(sheets string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<office:document-content ` + odsTestNS + ` office:version="1.3">` + odsStyles +
		`<office:body><office:spreadsheet><table:calculation-settings table:automatic-find-labels="false" table:use-regular-expressions="false" table:use-wildcards="true"/>` +
		sheets + `<table:named-expressions/></office:spreadsheet></office:body></office:document-content>`
}

// odsSheet is a sheet with LibreOffice's column declarations before its rows.
func odsSheet(name, rows string) string {
	return `<table:table table:name="` + name + `" table:style-name="ta1">` +
		`<table:table-column table:style-name="co1" table:number-columns-repeated="16384" table:default-cell-style-name="Default"/>` +
		rows + `</table:table>`
}

// odsEmptyRows is how LibreOffice writes n unused rows: one empty row repeated.
func odsEmptyRows(n int) string {
	return fmt.Sprintf(`<table:table-row table:style-name="ro1" table:number-rows-repeated="%d"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>`, n)
}

func odsStr(s string) string {
	return `<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>` + s + `</text:p></table:table-cell>`
}

func odsFloat(v, shown string) string {
	return `<table:table-cell office:value-type="float" office:value="` + v + `" calcext:value-type="float"><text:p>` + shown + `</text:p></table:table-cell>`
}

func odsRow(cells ...string) string {
	return `<table:table-row table:style-name="ro1">` + strings.Join(cells, "") + `</table:table-row>`
}

const odsManifest = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
	`<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">` +
	`<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>` +
	`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>` +
	`<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>` +
	`<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>` +
	`</manifest:manifest>`

const odsEncryptedManifest = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
	`<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">` +
	`<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>` +
	`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml" manifest:size="4021">` +
	`<manifest:encryption-data manifest:checksum-type="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum="bXlDaGVja3N1bQ==">` +
	`<manifest:algorithm manifest:algorithm-name="http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="aXZpdml2aXZpdml2aXZpdg=="/>` +
	`<manifest:start-key-generation manifest:start-key-generation-name="http://www.w3.org/2000/09/xmldsig#sha256" manifest:key-size="32"/>` +
	`<manifest:key-derivation manifest:key-derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count="100000" manifest:salt="c2FsdHNhbHRzYWx0c2FsdA=="/>` +
	`</manifest:encryption-data></manifest:file-entry></manifest:manifest>`

// odsPart is one zip entry of a test package.
type odsPart struct{ name, data string }

// odsPackage builds an OpenDocument package as LibreOffice does: the mimetype first
// and uncompressed, then the manifest and the XML parts, deflated.
func odsPackage(t testing.TB, parts ...odsPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	for _, p := range parts {
		method := zip.Deflate
		if p.name == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method, Modified: time.Date(2024, 3, 15, 10, 0, 0, 0, time.UTC)})
		xlsxMust(t, err)
		_, err = io.WriteString(w, p.data)
		xlsxMust(t, err)
	}
	xlsxMust(t, zw.Close())
	return buf.Bytes()
}

// odsParts are the parts of an ordinary .ods with the given content.xml.
func odsParts(content string) []odsPart {
	return []odsPart{
		{"mimetype", odsMime},
		{"META-INF/manifest.xml", odsManifest},
		{"meta.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-meta ` + odsTestNS + `><office:meta/></office:document-meta>`},
		{"styles.xml", `<?xml version="1.0" encoding="UTF-8"?><office:document-styles ` + odsTestNS + `/>`},
		{"content.xml", content},
	}
}

func odsWriteFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	xlsxMust(t, os.WriteFile(p, data, 0o644))
	return p
}

// odsFileOf writes an .ods whose content.xml holds sheets.
func odsFileOf(t testing.TB, sheets string) string {
	t.Helper()
	return odsWriteFile(t, "book.ods", odsPackage(t, odsParts(odsContent(sheets))...))
}

func odsOpen(t testing.TB, path string, o Options) File {
	t.Helper()
	f, err := ODS().Open(path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func odsProbe(t testing.TB, path string) *Probe {
	t.Helper()
	data, err := os.ReadFile(path)
	xlsxMust(t, err)
	return &Probe{Path: path, Head: data[:min(len(data), SniffBytes)], Size: int64(len(data))}
}

// odsReadAll reads every row of a sheet, returning the first error.
func odsReadAll(f File, sheet string) ([]Row, error) {
	tb, err := f.Open(sheet)
	if err != nil {
		return nil, err
	}
	defer tb.Close()
	var rows []Row
	for {
		r, err := tb.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows = append(rows, r)
	}
}

func odsWantDamaged(t *testing.T, err error, path string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), path+": damaged or truncated ODS file: export it again") {
		t.Errorf("error %q", err)
	}
}

func TestODSSheetsInOrder(t *testing.T) {
	sheets := odsSheet("Kontakty", odsRow(odsStr("Ana"))) +
		`<!-- <table:table table:name="W komentarzu"> -->` +
		odsSheet("Darczyńcy 2024", odsRow(odsStr("Łukasz"))) +
		`<table:table table:name="Pusty" table:style-name="ta1"/>` +
		odsSheet("Hoja &amp; más", odsRow(odsStr("María"))+
			// A table inside a cell is not a sheet, and not the sheet's rows.
			`<table:table-row><table:table-cell><table:table table:name="Wewnętrzna"><table:table-row>`+odsStr("inner")+`</table:table-row></table:table><text:p>outer</text:p></table:table-cell></table:table-row>`) +
		// DDE links cache their data in tables that are not sheets.
		`<table:dde-links><table:dde-link><office:dde-source office:name="x" office:dde-application="soffice" office:dde-topic="a.ods" office:dde-item="A1"/>` +
		`<table:table table:name="DDE cache"><table:table-row>` + odsStr("cached") + `</table:table-row></table:table></table:dde-link></table:dde-links>`
	p := odsFileOf(t, sheets)
	x := odsOpen(t, p, Options{})
	if got := x.Info().Format; got != "ods" {
		t.Errorf("format %q", got)
	}
	want := []string{"Kontakty", "Darczyńcy 2024", "Pusty", "Hoja & más"}
	if got := x.Tables(); !reflect.DeepEqual(got, want) {
		t.Errorf("tables %q, want %q", got, want)
	}
	xlsxCheckCells(t, xlsxRows(t, x, "Kontakty"), []string{"1:Ana/T"})
	xlsxCheckCells(t, xlsxRows(t, x, "darczyńcy 2024"), []string{"1:Łukasz/T"}) // any case
	xlsxCheckCells(t, xlsxRows(t, x, "Pusty"), []string{})
	xlsxCheckCells(t, xlsxRows(t, x, "Hoja & más"), []string{"1:María/T", "2:outer/T"})

	tb, err := x.Open("Hoja & más")
	xlsxMust(t, err)
	if tb.Name() != "Hoja & más" {
		t.Errorf("name %q", tb.Name())
	}
	xlsxMust(t, tb.Close())
	if _, err := tb.Next(); err == nil || err == io.EOF {
		t.Errorf("Next after Close: %v", err)
	}

	_, err = x.Open("Arkusz1")
	if err == nil || errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), p+`: no sheet named "Arkusz1"; the sheets are "Kontakty", "Darczyńcy 2024", "Pusty", "Hoja & más"`) {
		t.Errorf("unknown sheet: %v", err)
	}
	xlsxMust(t, x.Close())
	if _, err := x.Open("Kontakty"); err == nil {
		t.Error("Open after Close worked")
	}
}

// TestODSValues reads a sheet like an NGO's contact list saved by LibreOffice: a
// merged title row, a blank row, headers, typed values, repeated rows and cells, and
// the trailing run of empty rows down to row 1,048,576.
func TestODSValues(t *testing.T) {
	rows := odsRow(
		`<table:table-cell table:number-columns-spanned="3" table:number-rows-spanned="1" office:value-type="string" calcext:value-type="string"><text:p>Lista kontaktów – Fundación Ñandú</text:p></table:table-cell>`,
		`<table:covered-table-cell table:number-columns-repeated="2"/>`,
		`<table:table-cell table:number-columns-repeated="16381"/>`) +
		odsEmptyRows(1) +
		odsRow(odsStr("Imię"), odsStr("Nazwisko"), odsStr("Kwota"), odsStr("Procent"), odsStr("Urodzony"), odsStr("Wpis"), odsStr("Aktywny"), odsStr("Uwagi"),
			`<table:table-cell table:number-columns-repeated="16376"/>`) +
		odsRow(odsStr("Łukasz"), odsStr("Wróbel-Żółć"),
			`<table:table-cell office:value-type="currency" office:currency="PLN" office:value="1234.5" calcext:value-type="currency"><text:p>1 234,50 zł</text:p></table:table-cell>`,
			`<table:table-cell office:value-type="percentage" office:value="0.125" calcext:value-type="percentage"><text:p>12,50%</text:p></table:table-cell>`,
			`<table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="1984-02-29" calcext:value-type="date"><text:p>29.02.1984</text:p></table:table-cell>`,
			`<table:table-cell office:value-type="date" office:date-value="2024-03-15T14:30:00" calcext:value-type="date"><text:p>15.03.2024 14:30</text:p></table:table-cell>`,
			`<table:table-cell office:value-type="boolean" office:boolean-value="true" calcext:value-type="boolean"><text:p>PRAWDA</text:p></table:table-cell>`,
			`<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>Dzwonić <text:span text:style-name="T1">po</text:span><text:s text:c="2"/>17:00</text:p><text:p>ul. Świętokrzyska<text:tab/>12</text:p></table:table-cell>`) +
		// Three identical rows, written once.
		`<table:table-row table:style-name="ro1" table:number-rows-repeated="3">` + odsStr("María José") + odsStr("García Núñez") +
		odsFloat("0.30000000000000004", "0,3") + `<table:table-cell table:number-columns-repeated="4"/>` +
		`<table:table-cell office:value-type="boolean" office:boolean-value="false" calcext:value-type="boolean"><text:p>FALSO</text:p></table:table-cell>` +
		`<table:table-cell table:number-columns-repeated="16376"/></table:table-row>` +
		odsEmptyRows(2) +
		odsRow(odsStr("x"), `<table:table-cell table:number-columns-repeated="3"/>`,
			`<table:table-cell office:value-type="float" office:value="7" calcext:value-type="float" table:number-columns-repeated="2"><text:p>7</text:p></table:table-cell>`,
			`<table:table-cell table:number-columns-repeated="16378"/>`) +
		odsRow(odsFloat("48600000001", "48600000001"), odsFloat("-1.5E-7", "0"), odsFloat("123456789012345678", "1,23E+17"), odsFloat("1e21", "1E+21"),
			`<table:table-cell office:value-type="time" office:time-value="PT14H30M00S" calcext:value-type="time"><text:p>14:30</text:p></table:table-cell>`,
			`<table:table-cell office:value-type="date" office:date-value="2024-03-15T00:00:00" calcext:value-type="date"><text:p>15.03.2024</text:p></table:table-cell>`,
			`<table:table-cell office:value-type="date" office:date-value="2024-03-15T23:59:59.6" calcext:value-type="date"><text:p>16.03.2024</text:p></table:table-cell>`,
			`<table:table-cell table:formula="of:=1/0" office:value-type="string" office:string-value="" calcext:value-type="error"><text:p>#DIV/0!</text:p></table:table-cell>`) +
		odsEmptyRows(1048576-11) +
		odsRow(`<table:table-cell table:number-columns-repeated="16384"/>`)
	p := odsFileOf(t, odsSheet("Kontakty", rows))
	got := xlsxRows(t, odsOpen(t, p, Options{}), "Kontakty")
	repeated := "María José/T|García Núñez/T|0.3/N|||||FALSE/B"
	xlsxCheckCells(t, got, []string{
		"1:Lista kontaktów – Fundación Ñandú/T",
		"2:",
		"3:Imię/T|Nazwisko/T|Kwota/T|Procent/T|Urodzony/T|Wpis/T|Aktywny/T|Uwagi/T",
		"4:Łukasz/T|Wróbel-Żółć/T|1234.5/N|0.125/N|1984-02-29/D|2024-03-15 14:30:00/D|TRUE/B|Dzwonić po  17:00\nul. Świętokrzyska\t12/T",
		"5:" + repeated, "6:" + repeated, "7:" + repeated,
		"8:", "9:",
		"10:x/T||||7/N|7/N",
		"11:48600000001/N|-0.00000015/N|123456789012346000/N|1e+21/N|14:30/T|2024-03-15/D|2024-03-16/D|#DIV/0!/E",
	})
	// Repeated rows must not share slices.
	got[4].Values[0] = "changed"
	if got[5].Values[0] != "María José" {
		t.Error("repeated rows share their values")
	}
}

func TestODSText(t *testing.T) {
	cell := func(inner string) string {
		return `<table:table-cell office:value-type="string" calcext:value-type="string">` + inner + `</table:table-cell>`
	}
	rows := odsRow(
		cell("<text:p>  Ana \n   Pérez  </text:p>"),     // white space collapses
		cell(`<text:p>a<text:s text:c="3"/>b</text:p>`), // kept spaces
		cell(`<text:p><text:s/>lead</text:p>`),          // leading space kept by text:s
		cell(`<text:p>trail<text:s/></text:p>`),         // trailing space kept by text:s
		cell(`<text:p>a <text:s/>b</text:p>`),           // "a  b" as LibreOffice writes it
		cell(`<text:p>Jo<text:span text:style-name="T1">sé</text:span> <text:a xlink:href="mailto:jose@example.es" xlink:type="simple">jose@example.es</text:a></text:p>`),
		cell(`<text:p>line<text:line-break/>break</text:p>`),
		cell(`<text:p>one</text:p><text:p/><text:p>three</text:p>`),
		// A comment and a drawing anchored to the cell are not its value.
		cell(`<office:annotation office:display="false"><dc:creator>Zofia</dc:creator><dc:date>2024-03-15T10:00:00</dc:date><text:p>nie dzwonić</text:p></office:annotation><draw:frame draw:name="logo"><draw:text-box><text:p>logo</text:p></draw:text-box></draw:frame><text:p>Zofia</text:p>`),
		`<table:table-cell office:value-type="string" office:string-value="tylko atrybut" calcext:value-type="string"/>`,
		`<table:table-cell><text:p>bez typu &amp; &lt;znaczniki&gt; &#x141;</text:p></table:table-cell>`,
	)
	p := odsFileOf(t, odsSheet("Arkusz1", rows))
	got := xlsxRows(t, odsOpen(t, p, Options{}), "Arkusz1")
	want := []string{"Ana Pérez", "a   b", " lead", "trail ", "a  b", "José jose@example.es", "line\nbreak", "one\n\nthree", "Zofia", "tylko atrybut", "bez typu & <znaczniki> Ł"}
	if len(got) != 1 || !reflect.DeepEqual(got[0].Values, want) {
		t.Fatalf("rows %+v\nwant values %q", got, want)
	}
}

// TestODSRowStructure reads rows inside header-row and row-group elements, blank rows
// at the top, and a formula without a saved result.
func TestODSRowStructure(t *testing.T) {
	rows := odsEmptyRows(2) +
		`<table:table-header-rows>` + odsRow(odsStr("Nombre"), odsStr("Total")) + `</table:table-header-rows>` +
		`<table:table-row-group>` + odsRow(odsStr("Ana"), odsFloat("10", "10")) +
		`<table:table-row-group>` + odsRow(odsStr("Jan"), `<table:table-cell table:formula="of:=[.B4]*2"/>`) + `</table:table-row-group></table:table-row-group>` +
		`<table:shapes><draw:frame><draw:text-box><text:p>not a row</text:p></draw:text-box></draw:frame></table:shapes>` +
		odsEmptyRows(1048576-5)
	p := odsFileOf(t, odsSheet("Hoja1", rows))
	got := xlsxRows(t, odsOpen(t, p, Options{}), "Hoja1")
	xlsxCheckCells(t, got, []string{"1:", "2:", "3:Nombre/T|Total/T", "4:Ana/T|10/N", "5:Jan/T"})
	if len(got) == 5 && (len(got[4].Notes) != 1 || !strings.Contains(got[4].Notes[0], "column B: formula without a saved result")) {
		t.Errorf("notes %q", got[4].Notes)
	}
}

// TestODSAbsurdRepeats: repeat counts in the file must never be materialised beyond
// the sheet's size, and content beyond it is an error, found at once.
func TestODSAbsurdRepeats(t *testing.T) {
	for _, tt := range []struct {
		name, rows string
		want       []string // rows read before the error
		wantErr    string   // "" for no error
	}{
		{"empty cells and rows", odsRow(odsStr("a"), `<table:table-cell table:number-columns-repeated="10000000"/>`) +
			odsEmptyRows(100_000_000), []string{"1:a/T"}, ""},
		{"cell content", odsRow(odsStr("a"), `<table:table-cell office:value-type="string" table:number-columns-repeated="10000000"><text:p>x</text:p></table:table-cell>`),
			[]string{}, "cell B1: content repeated 10000000 times, beyond the last column"},
		{"cell content after empty cells", odsRow(`<table:table-cell table:number-columns-repeated="20000"/>`, odsStr("z")),
			[]string{}, "beyond the last column"},
		{"row content", odsRow(odsStr("a")) + `<table:table-row table:number-rows-repeated="99999999">` + odsStr("b") + `</table:table-row>`,
			[]string{"1:a/T"}, "has content beyond the last row"},
		{"row after empty rows", odsRow(odsStr("a")) + odsEmptyRows(1<<25) + odsRow(odsStr("b")),
			[]string{"1:a/T"}, "has content beyond the last row"},
		{"bad counts", `<table:table-row table:number-rows-repeated="-5">` + `<table:table-cell office:value-type="string" table:number-columns-repeated="zwei"><text:p>x</text:p></table:table-cell></table:table-row>`,
			[]string{"1:x/T"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := odsFileOf(t, odsSheet("S", tt.rows))
			start := time.Now()
			rows, err := odsReadAll(odsOpen(t, p, Options{}), "S")
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			xlsxCheckCells(t, rows, tt.want)
			if tt.wantErr == "" {
				xlsxMust(t, err)
				return
			}
			odsWantDamaged(t, err, p)
			if err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestODSRepeatedRowsMany(t *testing.T) {
	p := odsFileOf(t, odsSheet("S", `<table:table-row table:number-rows-repeated="5000">`+odsStr("PL")+`</table:table-row>`+odsRow(odsStr("end"))))
	rows := xlsxRows(t, odsOpen(t, p, Options{}), "S")
	if len(rows) != 5001 || rows[4999].Pos != 5000 || rows[4999].Values[0] != "PL" || rows[5000].Pos != 5001 {
		t.Fatalf("%d rows, last %+v", len(rows), rows[len(rows)-1])
	}
}

func TestODSFieldLimit(t *testing.T) {
	rows := odsRow(`<table:table-cell/>`, odsStr(strings.Repeat("ą", 10)), odsStr("short"),
		`<table:table-cell office:value-type="string"><text:p>a<text:s text:c="1000000000"/>b</text:p></table:table-cell>`)
	p := odsFileOf(t, odsSheet("S", rows))
	got := xlsxRows(t, odsOpen(t, p, Options{Limits: Limits{MaxFieldBytes: 7}}), "S")
	if len(got) != 1 {
		t.Fatalf("%d rows", len(got))
	}
	if v := got[0].Values; !reflect.DeepEqual(v, []string{"", "ąąą", "short", "a      "}) {
		t.Errorf("values %q", v)
	}
	want := []string{"column B: value of 20 bytes cut to 7 bytes (--max-field-length)", "column D: value of 1000000002 bytes cut to 7 bytes (--max-field-length)"}
	if !reflect.DeepEqual(got[0].Notes, want) {
		t.Errorf("notes %q, want %q", got[0].Notes, want)
	}
}

// odsSmallBook is a 2,000-row workbook for the damage tests.
func odsSmallBook(t testing.TB) string {
	var b strings.Builder
	for i := 1; i <= 2000; i++ {
		b.WriteString(odsRow(odsStr(fmt.Sprintf("kontakt %d", i)), odsFloat(fmt.Sprint(i*7), fmt.Sprint(i*7)), odsStr("x@example.org")))
	}
	b.WriteString(odsEmptyRows(1048576 - 2000))
	return odsFileOf(t, odsSheet("Arkusz1", b.String())+odsSheet("Arkusz2", odsRow(odsStr("b"))))
}

func TestODSTruncated(t *testing.T) {
	p := odsSmallBook(t)
	data, err := os.ReadFile(p)
	xlsxMust(t, err)
	xlsxMust(t, os.WriteFile(p, data[:len(data)/2], 0o644))
	_, err = ODS().Open(p, Options{})
	odsWantDamaged(t, err, p)
	// Sniff claims it by its leading mimetype, so the user hears it is a damaged ODS
	// file rather than a damaged zip.
	if !ODS().Sniff(odsProbe(t, p)) {
		t.Error("truncated ODS not sniffed")
	}

	// content.xml cut short inside an intact zip (a program that crashed while
	// writing it): the rows read so far come back, then the error.
	content := odsContent(odsSheet("S", odsRow(odsStr("a"))+odsRow(odsStr("b"))))
	end := strings.Index(content, "</table:table>")
	for _, tt := range []struct {
		cut  int
		want []string
	}{
		{strings.Index(content, ">b<") - 3, []string{"1:a/T"}}, // inside a tag
		{strings.Index(content, ">b<") + 2, []string{"1:a/T"}}, // inside text
		{end + 3, []string{"1:a/T", "2:b/T"}},                  // inside the sheet's end tag
		{end + len("</table:table>"), nil},                     // after the sheet: it is whole
	} {
		q := odsWriteFile(t, "cut.ods", odsPackage(t, odsParts(content[:tt.cut])...))
		rows, err := odsReadAll(odsOpen(t, q, Options{}), "S")
		if tt.want == nil {
			xlsxMust(t, err)
			xlsxCheckCells(t, rows, []string{"1:a/T", "2:b/T"})
			continue
		}
		xlsxCheckCells(t, rows, tt.want)
		odsWantDamaged(t, err, q)
	}
}

func TestODSNoSheets(t *testing.T) {
	p := odsWriteFile(t, "empty.ods", odsPackage(t, odsParts(`<?xml version="1.0"?><office:document-content `+odsTestNS+`/>`)...))
	_, err := ODS().Open(p, Options{})
	odsWantDamaged(t, err, p)
	q := odsWriteFile(t, "nocontent.ods", odsPackage(t, odsParts(odsContent(""))[:3]...))
	_, err = ODS().Open(q, Options{})
	odsWantDamaged(t, err, q)
}

// TestODSCorrupted damages a valid file at many places: every outcome must be a
// clean read or a damaged-file error, never a panic or a hang.
func TestODSCorrupted(t *testing.T) {
	p := odsSmallBook(t)
	orig, err := os.ReadFile(p)
	xlsxMust(t, err)
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 80; i++ {
		data := append([]byte(nil), orig...)
		at := rng.Intn(len(data) - 16)
		for j := 0; j < 1+rng.Intn(8); j++ {
			data[at+j] ^= byte(1 + rng.Intn(255))
		}
		q := odsWriteFile(t, "bad.ods", data)
		x, err := ODS().Open(q, Options{})
		if err != nil {
			odsWantDamaged(t, err, q)
			continue
		}
		for _, name := range x.Tables() {
			if _, err := odsReadAll(x, name); err != nil {
				odsWantDamaged(t, err, q)
			}
		}
		x.Close()
	}
	// Random bytes behind a zip signature.
	junk := make([]byte, 50_000)
	rand.New(rand.NewSource(1)).Read(junk)
	copy(junk, zipMagic)
	q := odsWriteFile(t, "random.ods", junk)
	_, err = ODS().Open(q, Options{})
	odsWantDamaged(t, err, q)
	if ODS().Sniff(odsProbe(t, q)) {
		t.Error("random bytes sniffed as ods")
	}
}

// TestODSZipBomb: a content.xml that claims too much, or packs too well, is refused
// from the central directory alone.
func TestODSZipBomb(t *testing.T) {
	t.Run("declared size", func(t *testing.T) {
		data := odsPackage(t, odsParts(odsContent(odsSheet("S", odsRow(odsStr("a")))))...)
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		xlsxMust(t, err)
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, zf := range zr.File {
			hdr := zf.FileHeader
			if zf.Name == "content.xml" {
				hdr.UncompressedSize64 = 3 << 30
			}
			w, err := zw.CreateRaw(&hdr)
			xlsxMust(t, err)
			raw, err := zf.OpenRaw()
			xlsxMust(t, err)
			_, err = io.Copy(w, raw)
			xlsxMust(t, err)
		}
		xlsxMust(t, zw.Close())
		p := odsWriteFile(t, "bomb.ods", buf.Bytes())
		_, err = ODS().Open(p, Options{})
		if err == nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), p+": unpacks to more than 2 GiB") || !strings.Contains(err.Error(), "zip bomb") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("ratio", func(t *testing.T) {
		old := zipRatioMinBytes
		zipRatioMinBytes = 1 << 20
		defer func() { zipRatioMinBytes = old }()
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestCompression)
		})
		w, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
		xlsxMust(t, err)
		io.WriteString(w, odsMime)
		w, err = zw.Create("content.xml")
		xlsxMust(t, err)
		io.WriteString(w, odsContent(odsSheet("S", strings.Repeat(" ", 8<<20))))
		xlsxMust(t, zw.Close())
		p := odsWriteFile(t, "bomb.ods", buf.Bytes())
		_, err = ODS().Open(p, Options{})
		if err == nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), p+": part content.xml unpacks to 8 MiB") || !strings.Contains(err.Error(), "zip bomb") {
			t.Errorf("error %v", err)
		}
	})
}

func TestODSPasswordProtected(t *testing.T) {
	parts := odsParts(string(randomBytes(4021, 5))) // encrypted content looks random
	parts[1].data = odsEncryptedManifest
	p := odsWriteFile(t, "tajne.ods", odsPackage(t, parts...))
	if !ODS().Sniff(odsProbe(t, p)) {
		t.Error("encrypted ODS not sniffed")
	}
	_, err := ODS().Open(p, Options{})
	if err == nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), p+": is password-protected: save it without a password") {
		t.Errorf("error %v", err)
	}
}

func TestODSSniff(t *testing.T) {
	content := odsContent(odsSheet("S", odsRow(odsStr("a"))))
	parts := odsParts(content)
	text := strings.Replace(content, "<office:spreadsheet>", "<office:text>", 1)
	text = strings.Replace(text, "</office:spreadsheet>", "</office:text>", 1)
	for _, tt := range []struct {
		name string
		data []byte
		want bool
	}{
		{"ods", odsPackage(t, parts...), true},
		{"ods template", odsPackage(t, append([]odsPart{{"mimetype", odsMime + "-template"}}, parts[1:]...)...), true},
		{"mimetype not first", odsPackage(t, append(parts[1:], parts[0])...), true},
		{"no mimetype", odsPackage(t, parts[1:]...), true},
		{"text document", odsPackage(t, append([]odsPart{{"mimetype", "application/vnd.oasis.opendocument.text"}}, parts[1:]...)...), false},
		{"text document without mimetype", odsPackage(t, odsPart{"content.xml", text}), false},
		{"xlsx", odsPackage(t, odsPart{"[Content_Types].xml", "<Types/>"}, odsPart{"xl/workbook.xml", "<workbook/>"}), false},
		{"csv", []byte("imię;nazwisko\nAna;García\n"), false},
		{"flat ods", []byte(odsFlat(odsSheet("S", odsRow(odsStr("a"))))), true},
		{"flat text", []byte(`<?xml version="1.0"?><office:document xmlns:office="` + odsOfficeNS + `" office:mimetype="application/vnd.oasis.opendocument.text"><office:body><office:text/></office:body></office:document>`), false},
		{"other xml", []byte(`<?xml version="1.0"?><office:document xmlns:office="urn:example"><office:spreadsheet/></office:document>`), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := odsWriteFile(t, "datos.csv", tt.data)
			if got := ODS().Sniff(odsProbe(t, p)); got != tt.want {
				t.Errorf("sniff %v, want %v", got, tt.want)
			}
			if !tt.want {
				return
			}
			rows, err := odsReadAll(odsOpen(t, p, Options{}), "S")
			xlsxMust(t, err)
			xlsxCheckCells(t, rows, []string{"1:a/T"})
		})
	}
	// Opened anyway (a forced format), a text document is explained.
	p := odsWriteFile(t, "list.odt", odsPackage(t, append([]odsPart{{"mimetype", "application/vnd.oasis.opendocument.text"}}, parts[1:]...)...))
	_, err := ODS().Open(p, Options{})
	if err == nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "not a spreadsheet") {
		t.Errorf("odt: %v", err)
	}
	q := odsWriteFile(t, "a.csv", []byte("a;b\n"))
	_, err = ODS().Open(q, Options{})
	if err == nil || !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), q+": is not an OpenDocument spreadsheet") {
		t.Errorf("csv: %v", err)
	}
}

// odsFlat is a flat ODS (.fods) document holding sheets.
func odsFlat(sheets string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<office:document ` + odsTestNS + ` office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">` +
		`<office:meta><meta:generator xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0">LibreOffice/7.6</meta:generator></office:meta>` +
		`<office:settings><config:config-item-set xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" config:name="ooo:view-settings"><config:config-item-map-named config:name="Tables"/></config:config-item-set></office:settings>` +
		odsStyles + `<office:body><office:spreadsheet>` + sheets + `</office:spreadsheet></office:body></office:document>`
}

func TestODSFlat(t *testing.T) {
	p := odsWriteFile(t, "kontakty.fods", []byte(odsFlat(
		odsSheet("Kontakty", odsRow(odsStr("Ana"), odsFloat("1.5", "1,5"))+odsEmptyRows(1048575))+
			odsSheet("Zeta", odsRow(odsStr("Żaneta"))))))
	x := odsOpen(t, p, Options{})
	if got := x.Tables(); !reflect.DeepEqual(got, []string{"Kontakty", "Zeta"}) {
		t.Errorf("tables %q", got)
	}
	xlsxCheckCells(t, xlsxRows(t, x, "Kontakty"), []string{"1:Ana/T|1.5/N"})
	xlsxCheckCells(t, xlsxRows(t, x, "Zeta"), []string{"1:Żaneta/T"})
}

// TestODSThroughDetect: content decides, not the name. Until the format is
// registered, it checks that Detect explains the file instead.
func TestODSThroughDetect(t *testing.T) {
	p := odsWriteFile(t, "socios.csv", odsPackage(t, odsParts(odsContent(odsSheet("Socios", odsRow(odsStr("Ana"))+odsEmptyRows(1048575))))...))
	if XLSX().Sniff(odsProbe(t, p)) {
		t.Error("xlsx sniffs an ods file")
	}
	if !ODS().Sniff(odsProbe(t, p)) {
		t.Fatal("ods not sniffed")
	}
	x, err := Open(p, Options{})
	xlsxMust(t, err)
	defer x.Close()
	if x.Info().Format != "ods" {
		t.Fatalf("detected %q", x.Info().Format)
	}
	xlsxCheckCells(t, xlsxRows(t, x, "Socios"), []string{"1:Ana/T"})

	// A flat ODS is text: it must be claimed before the CSV reader sees it.
	q := odsWriteFile(t, "socios.csv", []byte(odsFlat(odsSheet("Socios", odsRow(odsStr("Ana"))))))
	y, err := Open(q, Options{})
	xlsxMust(t, err)
	defer y.Close()
	if y.Info().Format != "ods" {
		t.Fatalf("flat: detected %q", y.Info().Format)
	}
}

// odsBenchBook writes the data of xlsxBenchBook (100,000 rows by 12 columns) as
// LibreOffice saves it.
func odsBenchBook(b *testing.B) string {
	first := []string{"Ana", "Jan", "María", "Piotr", "Zofia", "José", "Łukasz", "Ewa"}
	cities := []string{"Warszawa", "Kraków", "Madrid", "Sevilla", "Gdańsk"}
	var s strings.Builder
	s.WriteString(odsRow(odsStr("ID"), odsStr("Imię"), odsStr("Nazwisko"), odsStr("Email"), odsStr("Telefon"), odsStr("Miasto"),
		odsStr("Kod"), odsStr("Urodzony"), odsStr("Dołączył"), odsStr("Kwota"), odsStr("Aktywny"), odsStr("Uwagi"),
		`<table:table-cell table:number-columns-repeated="16372"/>`))
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	date := func(serial int) string {
		d := epoch.AddDate(0, 0, serial).Format("2006-01-02")
		return `<table:table-cell table:style-name="ce1" office:value-type="date" office:date-value="` + d + `" calcext:value-type="date"><text:p>` + d + `</text:p></table:table-cell>`
	}
	for i := 1; i <= 100_000; i++ {
		active := "false"
		if i%3 == 0 {
			active = "true"
		}
		amount := fmt.Sprint(float64(i%10000) / 10)
		s.WriteString(odsRow(
			odsFloat(fmt.Sprint(i), fmt.Sprint(i)),
			odsStr(first[i%len(first)]),
			odsStr(fmt.Sprintf("Nazwisko%d", i%5000)),
			odsStr(fmt.Sprintf("kontakt%d@example.org", i)),
			odsFloat(fmt.Sprint(48600000000+i), fmt.Sprint(48600000000+i)),
			odsStr(cities[i%len(cities)]),
			odsStr(fmt.Sprintf("%02d-%03d", i%100, i%1000)),
			date(20000+i%20000),
			date(44000+i%1500),
			odsFloat(amount, strings.Replace(amount, ".", ",", 1)),
			`<table:table-cell office:value-type="boolean" office:boolean-value="`+active+`" calcext:value-type="boolean"><text:p>`+strings.ToUpper(active)+`</text:p></table:table-cell>`,
			odsStr(fmt.Sprintf("uwaga %d", i%300)),
			`<table:table-cell table:number-columns-repeated="16372"/>`,
		))
	}
	s.WriteString(odsEmptyRows(1048576 - 100_001))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range odsParts(odsContent(odsSheet("Sheet1", s.String()))) {
		method := zip.Deflate
		if p.name == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		xlsxMust(b, err)
		_, err = io.WriteString(w, p.data)
		xlsxMust(b, err)
	}
	xlsxMust(b, zw.Close())
	return odsWriteFile(b, "bench.ods", buf.Bytes())
}

func BenchmarkODSRead(b *testing.B) {
	p := odsBenchBook(b)
	for b.Loop() {
		x, err := ODS().Open(p, Options{})
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

// TestODSLexer covers XML that LibreOffice does not write but other producers may:
// other prefixes, quoting styles, comments, CDATA, and text longer than the read
// buffer with entities across its edge.
func TestODSLexer(t *testing.T) {
	long := strings.Repeat("Zażółć gęślą jaźń &amp; ", 5000) // 150 KB, entities across buffer edges
	longWant := strings.Repeat("Zażółć gęślą jaźń & ", 5000)
	content := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<!-- made by a <generator> -->` +
		`<o:document-content xmlns:o="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:t="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:x="urn:oasis:names:tc:opendocument:xmlns:text:1.0">` + "\n" +
		`  <o:body>` + "\n" + `    <o:spreadsheet>` + "\n" +
		`      <t:table t:name='Arkusz "1" &gt; 0' >` + "\n" +
		`        <t:table-row >` + "\n" +
		`          <t:table-cell o:value-type = 'string' t:style-name="a>b"><x:p>` + long + `</x:p></t:table-cell>` + "\n" +
		`          <t:table-cell o:value-type="float" o:value="2.50"><x:p>2,5</x:p></t:table-cell>` + "\n" +
		`          <t:table-cell><!-- a <note> --><x:p>com<!-- <x> -->ment</x:p></t:table-cell>` + "\n" +
		`          <t:table-cell><x:p><![CDATA[<b>&amp;</b>]]></x:p></t:table-cell>` + "\n" +
		`          <t:table-cell><x:p>&#x141;&#243;d&#378;</x:p></t:table-cell>` + "\n" +
		`        </t:table-row>` + "\n" +
		`      </t:table>` + "\n" +
		`    </o:spreadsheet>` + "\n" + `  </o:body>` + "\n" + `</o:document-content>` + "\n"
	p := odsWriteFile(t, "other.ods", odsPackage(t, odsParts(content)...))
	x := odsOpen(t, p, Options{})
	if got := x.Tables(); !reflect.DeepEqual(got, []string{`Arkusz "1" > 0`}) {
		t.Fatalf("tables %q", got)
	}
	rows := xlsxRows(t, x, `Arkusz "1" > 0`)
	want := []string{strings.TrimSuffix(longWant, " "), "2.5", "comment", "<b>&amp;</b>", "Łódź"}
	if len(rows) != 1 || !reflect.DeepEqual(rows[0].Values, want) {
		t.Errorf("rows %+v", rows)
	}

	// What a damaged file may hold instead.
	for _, tt := range []struct{ name, cell string }{
		{"invalid UTF-8", `<table:table-cell><text:p>Jos` + "\xe9" + `</text:p></table:table-cell>`},
		{"unknown entity", `<table:table-cell><text:p>a&nbsp;b</text:p></table:table-cell>`},
		{"bad character reference", `<table:table-cell><text:p>a&#0;b</text:p></table:table-cell>`},
		{"unclosed attribute", `<table:table-cell office:value-type="float office:value="1"><text:p>1</text:p></table:table-cell>`},
		{"bad attribute value", `<table:table-cell office:value-type="float" office:value="1&bad;"><text:p>1</text:p></table:table-cell>`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := odsFileOf(t, odsSheet("S", odsRow(odsStr("ok"))+odsRow(tt.cell)))
			rows, err := odsReadAll(odsOpen(t, p, Options{}), "S")
			xlsxCheckCells(t, rows, []string{"1:ok/T"})
			odsWantDamaged(t, err, p)
		})
	}
}

// odsTokens lists a document's tokens, with adjacent text runs joined, as read
// through a buffer of the given size.
func odsTokens(t *testing.T, doc string, size int) []string {
	t.Helper()
	l := odsLexer{br: bufio.NewReaderSize(strings.NewReader(doc), size)}
	var out []string
	for {
		tok, err := l.next(true)
		if err == io.EOF {
			return out
		}
		xlsxMust(t, err)
		switch tok.kind {
		case odsText:
			if n := len(out); n > 0 && strings.HasPrefix(out[n-1], "text ") {
				out[n-1] += string(tok.text)
				continue
			}
			out = append(out, "text "+string(tok.text))
		default:
			out = append(out, fmt.Sprintf("%d %s [%s] %v", tok.kind, tok.name, tok.attrs, tok.self))
		}
	}
}

// TestODSLexerSmallBuffer reads the same XML through the smallest buffer bufio
// allows, so that tags, comments and entities all cross the buffer's edge.
func TestODSLexerSmallBuffer(t *testing.T) {
	doc := odsContent(odsSheet("Arkusz &amp; 1", odsRow(
		odsStr("a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos; &#x141;&#243;d&#378; "+strings.Repeat("&amp;", 7)),
		`<table:table-cell office:value-type='string' table:style-name="x>y"><!-- a > b <c> --><text:p>x<![CDATA[ <y> ]]>z</text:p></table:table-cell>`,
	)))
	want := odsTokens(t, doc, 64<<10)
	if got := odsTokens(t, doc, 16); !reflect.DeepEqual(got, want) {
		t.Errorf("16-byte buffer:\n got %q\nwant %q", got, want)
	}
	joined := strings.Join(want, "\n")
	for _, s := range []string{`text a & b < c > d "e" 'f' Łódź &&&&&&&`, `table:style-name="x>y"`, "text x <y> z"} {
		if !strings.Contains(joined, s) {
			t.Errorf("tokens lack %q", s)
		}
	}
}

// odsXMLSample is content.xml with a bit of everything the sheet parser handles.
func odsXMLSample() string {
	return odsContent(odsSheet("A", odsRow(odsStr("Imię"), odsStr("Kwota"))+
		`<table:table-row table:number-rows-repeated="2">`+odsStr("Ana &amp; Jan")+odsFloat("0.1", "0,1")+`</table:table-row>`+
		odsRow(`<table:table-cell office:value-type="date" office:date-value="2024-03-15T10:00:00"><text:p>15.03.2024</text:p></table:table-cell>`,
			`<table:table-cell office:value-type="string"><office:annotation><text:p>uwaga</text:p></office:annotation><text:p>a<text:s text:c="2"/><text:span>b</text:span></text:p><text:p>c</text:p></table:table-cell>`,
			`<table:covered-table-cell table:number-columns-repeated="3"/>`, odsStr("z"))+
		odsEmptyRows(1048570)) + odsSheet("B", odsRow(odsStr("b"))))
}

// odsCheckReads reads every sheet of an .ods made of content: any outcome but a
// clean read or a damaged-file error (a panic, a hang, another error) fails. Rows are
// checked as they come, not kept: a damaged repeat count may legitimately make
// millions of them.
func odsCheckReads(t *testing.T, content []byte) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.ods")
	xlsxMust(t, os.WriteFile(p, odsPackage(t, odsParts(string(content))...), 0o644))
	x, err := ODS().Open(p, Options{})
	if err != nil {
		odsWantDamaged(t, err, p)
		return
	}
	defer x.Close()
	for _, name := range x.Tables() {
		tb, err := x.Open(name)
		if err != nil {
			odsWantDamaged(t, err, p)
			continue
		}
		for {
			r, err := tb.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				odsWantDamaged(t, err, p)
				break
			}
			if len(r.Types) != len(r.Values) {
				t.Fatalf("row %d: %d types for %d values", r.Pos, len(r.Types), len(r.Values))
			}
			for _, v := range r.Values {
				if !utf8.ValidString(v) {
					t.Fatalf("row %d: invalid UTF-8 %q", r.Pos, v)
				}
			}
		}
		tb.Close()
	}
}

// TestODSCorruptedXML damages content.xml inside an intact zip, so that the damage
// reaches the XML parser instead of failing the zip's checks.
func TestODSCorruptedXML(t *testing.T) {
	orig := []byte(odsXMLSample())
	rng := rand.New(rand.NewSource(11))
	for i := 0; i < 300; i++ {
		data := append([]byte(nil), orig...)
		at := rng.Intn(len(data) - 16)
		for j := 0; j < 1+rng.Intn(8); j++ {
			const junk = "<>/\"'&;= x\xc5"
			data[at+j] = junk[rng.Intn(len(junk))]
		}
		if rng.Intn(4) == 0 {
			data = data[:rng.Intn(len(data))]
		}
		odsCheckReads(t, data)
	}
}

func FuzzODSContent(f *testing.F) {
	f.Add([]byte(odsXMLSample()))
	f.Add([]byte(odsContent(odsSheet("S", odsRow(odsStr("a"))))))
	f.Fuzz(func(t *testing.T, content []byte) {
		odsCheckReads(t, content)
	})
}

func TestODSWithoutSheetsIsDamaged(t *testing.T) {
	p := probeFile(t, "contactos.csv", zipOf(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, [2]string{"content.xml", "<office:document-content/>"}))
	f, err := Detect(p)
	if err != nil || f.Name() != "ods" {
		t.Fatalf("Detect = %v, %v; want ods", f, err)
	}
	if _, err := Open(p.Path, Options{}); err == nil || !strings.Contains(err.Error(), "damaged or truncated ODS file") {
		t.Fatalf("Open = %v; want a damaged-ODS error", err)
	}
}
