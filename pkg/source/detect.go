package source

import (
	"bytes"
	"fmt"
	"strings"
)

// Detect picks the format of a probed file from its content; the name is never
// consulted, since people rename files (a .xls that is really HTML, a .csv that is an
// image). Files padron recognises but cannot read, and files it does not recognise,
// give an *UnsupportedError that says what the file is and what to do.
func Detect(p *Probe) (Format, error) {
	if p.Size == 0 {
		return nil, &UnsupportedError{p.Path, "is empty: export the data again, or remove the file from the command"}
	}
	if reason := knownKind(p); reason != "" {
		// A registered reader other than the text fallback may still accept it (the
		// .xlsx reader for workbooks, later readers for other containers).
		for _, f := range Formats() {
			if f.Name() != csvName && f.Sniff(p) {
				return f, nil
			}
		}
		return nil, &UnsupportedError{p.Path, reason}
	}
	for _, f := range Formats() {
		if f.Sniff(p) {
			return f, nil
		}
	}
	return nil, &UnsupportedError{p.Path, "is not a text or spreadsheet file padron can read (it looks binary): export the data as .csv or .xlsx"}
}

const (
	saveAs        = "open it in Excel or LibreOffice and save it as .xlsx or .csv"
	notSheet      = ", not a spreadsheet: export the data as .csv or .xlsx from the program that made it"
	unpackArchive = ": unpack it and import the files inside"
)

// magics are file signatures at offset 0, with what to tell the user.
var magics = []struct{ prefix, reason string }{
	{"\x89PNG\r\n\x1a\n", "is a PNG image" + notSheet},
	{"\xff\xd8\xff", "is a JPEG image" + notSheet},
	{"GIF87a", "is a GIF image" + notSheet},
	{"GIF89a", "is a GIF image" + notSheet},
	{"II*\x00", "is a TIFF image" + notSheet},
	{"MM\x00*", "is a TIFF image" + notSheet},
	{"%PDF-", "is a PDF document" + notSheet},
	{"{\\rtf", "is a Rich Text (RTF) document" + notSheet},
	{"SQLite format 3\x00", "is an SQLite database" + notSheet},
	{"\x1f\x8b", "is a gzip-compressed file: decompress it and import the file inside"},
	{"\xfd7zXZ\x00", "is an xz-compressed file: decompress it and import the file inside"},
	{"\x28\xb5\x2f\xfd", "is a zstd-compressed file: decompress it and import the file inside"},
	{"7z\xbc\xaf\x27\x1c", "is a 7-Zip archive" + unpackArchive},
	{"Rar!\x1a\x07", "is a RAR archive" + unpackArchive},
}

var (
	ole2Magic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	zipMagics = [][]byte{[]byte("PK\x03\x04"), []byte("PK\x05\x06"), []byte("PK\x07\x08")}
)

// knownKind recognises files that are not delimited text, returning why padron
// cannot read them ("" when the file is none of these).
func knownKind(p *Probe) string {
	h := p.Head
	for _, m := range magics {
		if bytes.HasPrefix(h, []byte(m.prefix)) {
			return m.reason
		}
	}
	if bytes.HasPrefix(h, []byte("BZh")) && len(h) >= 10 && string(h[4:10]) == "1AY&SY" {
		return "is a bzip2-compressed file: decompress it and import the file inside"
	}
	if len(h) >= 12 && string(h[:4]) == "RIFF" && string(h[8:12]) == "WEBP" {
		return "is a WebP image" + notSheet
	}
	if bytes.HasPrefix(h, ole2Magic) {
		return ole2Kind(h)
	}
	for _, m := range zipMagics {
		if bytes.HasPrefix(h, m) {
			return zipKind(p)
		}
	}
	return markupKind(h)
}

// ole2Kind tells apart the common OLE2 compound files by the stream names (UTF-16)
// in their directory, which small files carry near the start.
func ole2Kind(h []byte) string {
	switch {
	case bytes.Contains(h, utf16le("EncryptedPackage")):
		return "is a password-protected Excel workbook: open it in Excel, remove the password, and save it as .xlsx or .csv"
	case bytes.Contains(h, utf16le("WordDocument")):
		return "is a legacy Word .doc document" + notSheet
	}
	return "is a legacy Excel .xls workbook: " + saveAs
}

func utf16le(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// zipKind classifies a zip container by its entries.
func zipKind(p *Probe) string {
	names, err := p.ZipEntries()
	if err != nil {
		if bytes.Contains(p.Head, []byte("xl/")) {
			return "is a damaged Excel .xlsx file (cut short or corrupted): export it again"
		}
		return "is a damaged zip/spreadsheet file (cut short or corrupted): export it again"
	}
	has := make(map[string]bool, len(names))
	for _, n := range names {
		has[n] = true
	}
	switch {
	case has["xl/workbook.xml"]:
		return "is an Excel .xlsx workbook whose contents padron could not read: " + saveAs + " again"
	case has["xl/workbook.bin"]:
		return "is an Excel binary workbook (.xlsb): " + saveAs
	case bytes.Contains(p.Head, []byte("application/vnd.oasis.opendocument.spreadsheet")):
		return "is an OpenDocument spreadsheet (.ods), which padron cannot read yet: open it in LibreOffice and save it as .xlsx or .csv"
	case has["mimetype"] && has["content.xml"]:
		return "is an OpenDocument file, not a spreadsheet: export the data as .csv or .xlsx"
	case has["word/document.xml"]:
		return "is a Word document" + notSheet
	case has["ppt/presentation.xml"]:
		return "is a PowerPoint presentation" + notSheet
	case has["Index/Document.iwa"]:
		return "is an Apple Numbers, Pages or Keynote file: export it from the app as .xlsx or .csv"
	case len(names) == 0:
		return "is an empty zip archive: export the data again"
	}
	return fmt.Sprintf("is a zip archive (%d entries)", len(names)) + unpackArchive
}

// markupKind recognises HTML and Excel 2003 XML, which "export to Excel" buttons
// often save under an .xls name.
func markupKind(h []byte) string {
	h = bytes.TrimPrefix(h, utf8BOM)
	h = bytes.TrimLeft(h[:min(len(h), 4096)], " \t\r\n")
	if len(h) == 0 || h[0] != '<' {
		return ""
	}
	s := strings.ToLower(string(h[:min(len(h), 1024)]))
	switch {
	case strings.Contains(s, "urn:schemas-microsoft-com:office:spreadsheet") || strings.Contains(s, "progid=\"excel.sheet\""):
		return "is an Excel 2003 XML spreadsheet: " + saveAs
	case strings.HasPrefix(s, "<!doctype html") || strings.HasPrefix(s, "<html") || strings.HasPrefix(s, "<table") ||
		strings.Contains(s, "<html"):
		return "is a web page (HTML), not a CSV or Excel file whatever its name says: " + saveAs
	}
	return ""
}

// LooksBinary reports whether the start of a file is not text: it has NUL bytes
// (UTF-16 text aside, recognised by its BOM or the NUL beside each ASCII character)
// or more than one byte in twenty is a control character other than tab, line
// breaks, form feed and vertical tab (FileMaker's in-field line break).
func LooksBinary(head []byte) bool {
	if e := bomEncoding(head); e == encUTF16LE || e == encUTF16BE || utf16Pattern(head) != "" {
		return false
	}
	ctrl := 0
	for _, c := range head {
		switch {
		case c == 0:
			return true
		case c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		case c < 0x20 || c == 0x7F:
			ctrl++
		}
	}
	return ctrl > 0 && ctrl*20 > len(head)
}
