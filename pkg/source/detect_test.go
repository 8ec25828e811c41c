package source

import (
	"archive/zip"
	"bytes"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// probeFile writes data to a file named name and probes it as Open does.
func probeFile(t *testing.T, name string, data []byte) *Probe {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return &Probe{Path: path, Head: data[:min(len(data), SniffBytes)], Size: int64(len(data))}
}

// zipOf builds a zip archive of uncompressed entries, as OpenDocument requires for
// its mimetype.
func zipOf(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func randomBytes(n int, seed int64) []byte {
	b := make([]byte, n)
	rand.New(rand.NewSource(seed)).Read(b)
	return b
}

func TestDetectUnsupported(t *testing.T) {
	ole2 := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...)
	bigZip := zipOf(t, [2]string{"contactos.csv", strings.Repeat("Ana;Pérez;Madrid\n", 4000)})
	// No NUL bytes, but mostly control characters.
	noisy := bytes.Repeat([]byte{1, 2, 3, 'a', 4, 5, 6, 7}, 200)
	tests := []struct {
		name string
		data []byte
		want string // part of the reason
	}{
		{"empty", nil, "is empty: export the data again"},
		{"png", append([]byte("\x89PNG\r\n\x1a\n"), randomBytes(200, 1)...), "is a PNG image, not a spreadsheet"},
		{"jpeg", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, randomBytes(200, 2)...), "is a JPEG image"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), "is a GIF image"},
		{"pdf", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "is a PDF document"},
		{"gzip", []byte{0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0}, "gzip-compressed file: decompress it"},
		{"7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04"), "7-Zip archive: unpack it"},
		{"rar", []byte("Rar!\x1a\x07\x01\x00"), "RAR archive: unpack it"},
		{"ole2 xls", ole2, "is a legacy Excel .xls workbook: open it in Excel or LibreOffice and save it as .xlsx or .csv"},
		{"html saved as xls", []byte("\xef\xbb\xbf\n<html><body><table><tr><td>Ana</td></tr></table></body></html>"), "is a web page (HTML)"},
		{"excel 2003 xml", []byte(`<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">`), "Excel 2003 XML spreadsheet"},
		{"docx", zipOf(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"word/document.xml", "<w:document/>"}), "is a Word document"},
		{"zip archive", zipOf(t, [2]string{"socios.csv", "a;b\n"}, [2]string{"donantes.csv", "c;d\n"}), "is a zip archive (2 entries): unpack it and import the files inside"},
		{"damaged zip", bigZip[:len(bigZip)/2], "is a damaged zip/spreadsheet file (cut short or corrupted): export it again"},
		{"binary garbage", randomBytes(4096, 3), "is not a text or spreadsheet file padron can read (it looks binary)"},
		{"control characters", noisy, "it looks binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := probeFile(t, "contactos.csv", tt.data)
			f, err := Detect(p)
			var ue *UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("Detect = %v, %v; want an *UnsupportedError", f, err)
			}
			if !errors.Is(err, ErrUnsupported) || ue.Path != p.Path {
				t.Errorf("error %v: want ErrUnsupported naming %s", err, p.Path)
			}
			if !strings.Contains(ue.Reason, tt.want) {
				t.Errorf("reason %q does not contain %q", ue.Reason, tt.want)
			}
		})
	}
}

func TestDetectText(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"utf-8", []byte("nombre;apellido\nAna;Pérez\n")},
		{"utf-8 bom", []byte("\xef\xbb\xbfnombre;apellido\n")},
		{"windows-1250", encodeText(t, charmap.Windows1250, "Nazwisko;Imię\nWróbel;Łukasz\n")},
		{"utf-16le bom", encodeText(t, utf16LEBOM, "Nazwisko\tImię\nWróbel\tŁukasz\n")},
		{"utf-16be bom", encodeText(t, utf16BEBOM, "Nazwisko\tImię\n")},
		{"utf-16le no bom", encodeText(t, utf16LE, "Nazwisko\tImie\nWrobel\tLukasz\n")},
		{"form feed and vertical tab", []byte("a;b\fc;d\ve\n")},
		{"one byte", []byte("a")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Detect(probeFile(t, "datos.xls", tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if f.Name() != "csv" {
				t.Errorf("format %q, want csv", f.Name())
			}
		})
	}
}

// Workbooks, damaged ones included, are for the registry to claim; if no reader
// does, the user still learns what the file is.
func TestDetectWorkbookZip(t *testing.T) {
	xlsx := zipOf(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"xl/workbook.xml", "<workbook/>"},
		[2]string{"xl/worksheets/sheet1.xml", strings.Repeat("<row/>", 5000)})
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"xlsx", xlsx, "Excel .xlsx workbook"},
		{"damaged xlsx", xlsx[:len(xlsx)/2], "damaged Excel .xlsx file (cut short or corrupted): export it again"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := probeFile(t, "socios.csv", tt.data)
			f, err := Detect(p)
			if XLSX().Sniff(p) {
				if err != nil || f.Name() != "xlsx" {
					t.Fatalf("Detect = %v, %v; the xlsx reader claims it", f, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Detect = %v, %v; want an error containing %q", f, err, tt.want)
			}
		})
	}
}

// A binary file renamed .csv fails through the package's Open with the reason.
func TestOpenBinaryRenamedCSV(t *testing.T) {
	p := probeFile(t, "socios.csv", randomBytes(100_000, 4))
	_, err := Open(p.Path, Options{})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "looks binary") || !strings.Contains(err.Error(), p.Path) {
		t.Errorf("Open = %v; want an unsupported-file error naming the file", err)
	}
}

func TestDetectLooksBinary(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want bool
	}{
		{"empty", nil, false},
		{"ascii", []byte("a,b,c\r\n1,2,3\n"), false},
		{"utf-8", []byte(polishText), false},
		{"latin-1", encodeText(t, charmap.ISO8859_1, spanishText), false},
		{"utf-16le bom", encodeText(t, utf16LEBOM, polishText), false},
		{"utf-16be bom", encodeText(t, utf16BEBOM, polishText), false},
		{"utf-16le no bom", encodeText(t, utf16LE, "nombre;apellido\r\nAna;Pérez\r\n"), false},
		{"utf-16be no bom", encodeText(t, utf16BE, "nombre;apellido\r\nAna;Pérez\r\n"), false},
		{"one nul", []byte("a,b\x00,c\n"), true},
		{"random", randomBytes(1000, 5), true},
		{"few control characters", []byte("a,b\x1b[0m,c and a long enough line of text to dilute it\n"), false},
		{"many control characters", []byte("\x01\x02\x03\x04abc\x05\x06\x07\x08"), true},
	}
	for _, tt := range tests {
		if got := LooksBinary(tt.head); got != tt.want {
			t.Errorf("%s: LooksBinary = %v, want %v", tt.name, got, tt.want)
		}
	}
}
