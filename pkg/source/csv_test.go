package source

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// csvTestFile writes data to a temporary file and returns its path.
func csvTestFile(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "datos.csv")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readCSV opens path with the CSV reader and returns its info and every row.
func readCSV(t testing.TB, path string, opts Options) (Info, []Row) {
	t.Helper()
	f, err := CSV().Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.Tables(); !reflect.DeepEqual(got, []string{""}) {
		t.Fatalf("Tables = %q", got)
	}
	tab, err := f.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	var rows []Row
	for {
		r, err := tab.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	if _, err := tab.Next(); err != io.EOF {
		t.Errorf("Next after the end = %v, want io.EOF", err)
	}
	return f.Info(), rows
}

func row(pos int, values ...string) Row { return Row{Pos: pos, Values: values} }

func noted(r Row, notes ...string) Row { r.Notes = notes; return r }

func TestCSVRead(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		opts  Options
		delim rune
		want  []Row
	}{
		{"comma", "a,b,c\n1,2,3\n", Options{}, ',', []Row{row(1, "a", "b", "c"), row(2, "1", "2", "3")}},
		{"semicolon", "Kowalski;Jan;150,00\nNowak;Anna;20,50\n", Options{}, ';', []Row{row(1, "Kowalski", "Jan", "150,00"), row(2, "Nowak", "Anna", "20,50")}},
		{"tab", "a\tb, c\n1\t2\n", Options{}, '\t', []Row{row(1, "a", "b, c"), row(2, "1", "2")}},
		{"pipe", "a|b|c\n1|2|3\n", Options{}, '|', []Row{row(1, "a", "b", "c"), row(2, "1", "2", "3")}},
		{"no final newline", "a,b\n1,2", Options{}, ',', []Row{row(1, "a", "b"), row(2, "1", "2")}},
		{"crlf", "a,b\r\n1,2\r\n", Options{}, ',', []Row{row(1, "a", "b"), row(2, "1", "2")}},
		{"lone cr", "a,b\r1,2\r3,4", Options{}, ',', []Row{row(1, "a", "b"), row(2, "1", "2"), row(3, "3", "4")}},
		{"bom stripped", "\xef\xbb\xbfNombre;Apellido\nAna;Pérez\n", Options{}, ';', []Row{row(1, "Nombre", "Apellido"), row(2, "Ana", "Pérez")}},
		{"quoted delimiters and quotes", "a,b\n\"Pérez, Ana\",\"dijo \"\"hola\"\"\"\n\"\",x\n", Options{}, ',',
			[]Row{row(1, "a", "b"), row(2, "Pérez, Ana", "dijo \"hola\""), row(3, "", "x")}},
		{"quoted newlines keep positions", "id;nota\n1;\"línea 1\nlínea 2\r\nlínea 3\"\n2;fin\n", Options{}, ';',
			[]Row{row(1, "id", "nota"), row(2, "1", "línea 1\nlínea 2\nlínea 3"), row(5, "2", "fin")}},
		{"quoted field at end of file", "a,\"b\"", Options{}, ',', []Row{row(1, "a", "b")}},
		{"ragged rows", "a;b;c\n1;2\n1;2;3;4;5\n", Options{}, ';', []Row{row(1, "a", "b", "c"), row(2, "1", "2"), row(3, "1", "2", "3", "4", "5")}},
		{"empty fields", "a,b,c\n,,\n1,,\n", Options{}, ',', []Row{row(1, "a", "b", "c"), row(2, "", "", ""), row(3, "1", "", "")}},
		{"blank lines", "a;b\n\n1;2\r\n\r\n\n3;4\n\n", Options{}, ';',
			[]Row{row(1, "a", "b"), row(2, ""), row(3, "1", "2"), row(4, ""), row(5, ""), row(6, "3", "4"), row(7, "")}},
		{"header only", "nombre;apellido;email\n", Options{}, ';', []Row{row(1, "nombre", "apellido", "email")}},
		{"header and blank lines", "nombre;apellido\n\n\n", Options{}, ';', []Row{row(1, "nombre", "apellido"), row(2, ""), row(3, "")}},
		{"bom only", "\xef\xbb\xbf", Options{}, ',', nil},
		{"stray quotes in unquoted fields", "nombre,nota\nO\"Brien,disco 5\" x\n", Options{}, ',', []Row{row(1, "nombre", "nota"), row(2, "O\"Brien", "disco 5\" x")}},
		{"text after closing quote", "a,b\n\"Pepe \"el\" Gómez\",x\ny,z\n", Options{}, ',',
			[]Row{row(1, "a", "b"), noted(row(2, "Pepe el\" Gómez\"", "x"), "column 1: text after the closing quote on line 2 kept as it stands"), row(3, "y", "z")}},
		{"closing quote missing", "a;b\n1;\"abierta\n2;3\n", Options{}, ';',
			[]Row{row(1, "a", "b"), noted(row(2, "1", "abierta\n2;3\n"), "column 2: closing quote missing; the value runs from line 2 to the end of the file")}},
		{"excel sep line", "sep=;\na;b,c\n1;2,5\n", Options{}, ';', []Row{row(2, "a", "b,c"), row(3, "1", "2,5")}},
		{"forced delimiter", "a;b,c\n1;2,3\n", Options{Delimiter: ','}, ',', []Row{row(1, "a;b", "c"), row(2, "1;2", "3")}},
		{"single column", "nombre\nAna\nLuis\n", Options{}, ',', []Row{row(1, "nombre"), row(2, "Ana"), row(3, "Luis")}},
		{"invalid utf-8 decoded as windows-1252", strings.Repeat("Peña;Gdańsk;Zażółć\n", 5) + "Ana;Gómez;Caf\xe9 \x80\n", Options{}, ';',
			append(repeatRows(5, "Peña", "Gdańsk", "Zażółć"), noted(row(6, "Ana", "Gómez", "Café €"), "invalid UTF-8 bytes decoded as Windows-1252 in column 3"))},
		{"field cut at a rune boundary", "a;żółżół\n", Options{Limits: Limits{MaxFieldBytes: 7}}, ';',
			[]Row{noted(row(1, "a", "żół"), "column 2: value of 12 bytes cut to 6 bytes (--max-field-length)")}},
		{"quoted field cut", "\"abcdefghij\";x\n", Options{Limits: Limits{MaxFieldBytes: 4}}, ';',
			[]Row{noted(row(1, "abcd", "x"), "column 1: value of 10 bytes cut to 4 bytes (--max-field-length)")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, rows := readCSV(t, csvTestFile(t, []byte(tt.data)), tt.opts)
			if info.Format != "csv" || info.Delimiter != tt.delim {
				t.Errorf("Info = %+v, want format csv and delimiter %q", info, tt.delim)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows:\n got %#v\nwant %#v", rows, tt.want)
			}
		})
	}
}

func repeatRows(n int, values ...string) []Row {
	var rows []Row
	for i := 1; i <= n; i++ {
		rows = append(rows, row(i, values...))
	}
	return rows
}

func TestCSVEncodings(t *testing.T) {
	text := "Nazwisko;Imię;Miasto\nWróbel;Łukasz;Gdańsk\nŻak;Zofia;Łódź\nKąkol;Jerzy;Świętokrzyska\n"
	spanish := "Apellido;Nombre;Ciudad\nMuñoz;Íñigo;Córdoba\nPeña;Begoña;¿Qué?\n"
	tests := []struct {
		name, enc string
		data      []byte
		text      string
	}{
		{"utf-8", "utf-8", []byte(text), text},
		{"utf-8 bom", "utf-8", append([]byte("\xef\xbb\xbf"), text...), text},
		{"utf-16le bom", "utf-16le", encodeText(t, utf16LEBOM, text), text},
		{"utf-16be bom", "utf-16be", encodeText(t, utf16BEBOM, text), text},
		{"utf-16le no bom", "utf-16le", encodeText(t, utf16LE, text), text},
		{"windows-1250", "windows-1250", encodeText(t, charmap.Windows1250, text), text},
		{"iso-8859-2", "iso-8859-2", encodeText(t, charmap.ISO8859_2, text), text},
		{"iso-8859-1", "iso-8859-1", encodeText(t, charmap.ISO8859_1, spanish), spanish},
		{"windows-1252", "windows-1252", encodeText(t, charmap.Windows1252, spanish+"Cuota;10 €;“socio”\n"), spanish + "Cuota;10 €;“socio”\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, rows := readCSV(t, csvTestFile(t, tt.data), Options{})
			if info.Encoding != tt.enc || info.Delimiter != ';' {
				t.Errorf("Info = %+v, want encoding %s, delimiter ';'", info, tt.enc)
			}
			var want []Row
			for i, line := range strings.Split(strings.TrimSuffix(tt.text, "\n"), "\n") {
				want = append(want, row(i+1, strings.Split(line, ";")...))
			}
			if !reflect.DeepEqual(rows, want) {
				t.Errorf("rows:\n got %+v\nwant %+v", rows, want)
			}
		})
	}
}

func TestCSVForcedEncoding(t *testing.T) {
	// Polish without the letters that tell the two encodings apart reads the same
	// either way; forcing picks the name.
	path := csvTestFile(t, encodeText(t, charmap.Windows1250, "Nazwisko;Miasto\nŻak;Wrocław\n"))
	info, rows := readCSV(t, path, Options{Encoding: "latin2"})
	if info.Encoding != "iso-8859-2" || rows[1].Values[1] != "Wrocław" {
		t.Errorf("forced latin2: %+v %+v", info, rows)
	}
	// Forcing a wrong encoding is obeyed: the user asked for it.
	_, rows = readCSV(t, path, Options{Encoding: "cp1252"})
	if rows[1].Values[0] != "¯ak" {
		t.Errorf("forced cp1252: %q", rows[1].Values)
	}
	_, err := CSV().Open(path, Options{Encoding: "utf-7"})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "windows-1250") {
		t.Errorf("unknown encoding: %v; want an error naming the file and the accepted encodings", err)
	}
}

func TestCSVBadDelimiter(t *testing.T) {
	path := csvTestFile(t, []byte("a,b\n"))
	for _, d := range []rune{'"', '\n', 'ż'} {
		if _, err := CSV().Open(path, Options{Delimiter: d}); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("delimiter %q: %v; want an error naming the file", d, err)
		}
	}
}

func TestCSVSniff(t *testing.T) {
	for _, tt := range []struct {
		name string
		head []byte
		size int64
		want bool
	}{
		{"text", []byte("a;b\n"), 4, true},
		{"utf-16", encodeText(t, utf16LEBOM, "a;b\n"), 10, true},
		{"empty", nil, 0, false},
		{"binary", []byte("a\x00\x01\x02"), 4, false},
	} {
		if got := CSV().Sniff(&Probe{Path: "x.csv", Head: tt.head, Size: tt.size}); got != tt.want {
			t.Errorf("%s: Sniff = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCSVNoSuchTable(t *testing.T) {
	f, err := CSV().Open(csvTestFile(t, []byte("a\n")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Open("Hoja1"); err == nil {
		t.Error("Open(\"Hoja1\") succeeded on a CSV file")
	}
}

// Values handed out must stay intact while later rows are read.
func TestCSVValuesAreCopies(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "%d;nombre %d;\"nota\n%d\"\n", i, i, i)
	}
	_, rows := readCSV(t, csvTestFile(t, []byte(b.String())), Options{})
	if len(rows) != 20000 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		want := row(2*i+1, fmt.Sprint(i), fmt.Sprint("nombre ", i), fmt.Sprint("nota\n", i))
		if !reflect.DeepEqual(r, want) {
			t.Fatalf("row %d = %+v, want %+v", i, r, want)
		}
	}
}

// The reader agrees with encoding/csv on what encoding/csv writes, across buffer
// boundaries and with CRLF line ends.
func TestCSVRoundTrip(t *testing.T) {
	var want [][]string
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	for i := 0; b.Len() < 300<<10; i++ {
		rec := []string{fmt.Sprint(i), strings.Repeat("ż", i%50), "a,b", "say \"hi\"", "línea\n" + strings.Repeat("x", i%300), "", " lead"}
		want = append(want, rec[:1+i%len(rec)])
		w.Write(rec[:1+i%len(rec)])
	}
	w.Flush()
	_, rows := readCSV(t, csvTestFile(t, []byte(b.String())), Options{Delimiter: ','})
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	line := 1
	for i, r := range rows {
		if r.Pos != line || !reflect.DeepEqual(r.Values, want[i]) {
			t.Fatalf("row %d: pos %d values %q; want pos %d values %q", i, r.Pos, r.Values, line, want[i])
		}
		line += 1 + strings.Count(strings.Join(want[i], ""), "\n")
	}
}

// A 20 MiB field is cut to the limit without the reader ever holding it whole.
func TestCSVLongFieldMemory(t *testing.T) {
	const size = 20 << 20
	for _, quoted := range []bool{false, true} {
		t.Run(fmt.Sprint("quoted=", quoted), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "big.csv")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			bw := bufio.NewWriter(f)
			bw.WriteString("id;nota;fin\n1;")
			if quoted {
				bw.WriteString("\"")
			}
			chunk := strings.Repeat("ñ", 512) // two bytes each: cuts must respect runes
			for n := 0; n < size; n += len(chunk) {
				bw.WriteString(chunk)
			}
			if quoted {
				bw.WriteString("\"")
			}
			bw.WriteString(";x\n2;corta;y\n")
			if err := bw.Flush(); err != nil {
				t.Fatal(err)
			}
			f.Close()

			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, rows := readCSV(t, path, Options{})
			runtime.ReadMemStats(&after)

			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("reading allocated %d bytes; the 20 MiB field must not be held", alloc)
			}
			if len(rows) != 3 {
				t.Fatalf("%d rows", len(rows))
			}
			r := rows[1]
			if r.Pos != 2 || len(r.Values) != 3 || r.Values[2] != "x" || len(r.Values[1]) != DefaultMaxFieldBytes {
				t.Errorf("long row: pos %d, %d values, last %q, field of %d bytes", r.Pos, len(r.Values), r.Values[len(r.Values)-1], len(r.Values[1]))
			}
			want := []string{"column 2: value of 20971520 bytes cut to 1048576 bytes (--max-field-length)"}
			if !reflect.DeepEqual(r.Notes, want) {
				t.Errorf("notes %q, want %q", r.Notes, want)
			}
			if !reflect.DeepEqual(rows[2], row(3, "2", "corta", "y")) {
				t.Errorf("row after the long one: %+v", rows[2])
			}
		})
	}
}

// A row of more delimiters than any spreadsheet has columns is capped, with a note.
func TestCSVRowLimit(t *testing.T) {
	data := "a;b\n" + strings.Repeat(";", maxRowFields+9) + "\nc;d\n"
	_, rows := readCSV(t, csvTestFile(t, []byte(data)), Options{})
	if len(rows) != 3 || len(rows[1].Values) != maxRowFields || len(rows[1].Notes) != 1 || !strings.Contains(rows[1].Notes[0], "10 more columns dropped") {
		t.Fatalf("long row: %d rows, %d values, notes %q", len(rows), len(rows[1].Values), rows[1].Notes)
	}
	if !reflect.DeepEqual(rows[2], row(3, "c", "d")) {
		t.Errorf("row after the long one: %+v", rows[2])
	}
}

func TestCSVReadError(t *testing.T) {
	tab := &csvTable{fileTable: fileTable{path: "x.csv"}, window: window{src: io.MultiReader(strings.NewReader("a;b\n1;2"), iotestErr{}), buf: make([]byte, 16)}, delim: ';', maxField: 100, maxRow: 1000, line: 1}
	tab.stop[';'], tab.stop['\n'], tab.stop['\r'] = true, true, true
	tab.qstop['"'], tab.qstop['\n'], tab.qstop['\r'] = true, true, true
	if r, err := tab.Next(); err != nil || !reflect.DeepEqual(r, row(1, "a", "b")) {
		t.Fatalf("first row: %v, %v", r, err)
	}
	_, err := tab.Next()
	if !errors.Is(err, errDisk) || !strings.Contains(err.Error(), "x.csv") || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("read error: %v; want it wrapped with the file and line", err)
	}
}

var errDisk = errors.New("disk on fire")

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errDisk }

// writeBenchCSV writes rows×12 columns of contact-like data with ';' and decimal
// commas, some fields quoted.
func writeBenchCSV(b *testing.B, rows int) (string, int64) {
	path := filepath.Join(b.TempDir(), "bench.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("id;nombre;apellidos;email;telefono;calle;ciudad;cp;alta;cuota;notas;pais\n")
	for i := 0; i < rows; i++ {
		fmt.Fprintf(w, "%d;María José;Muñoz Peña;socio%d@example.org;+34 600 %06d;\"Calle Mayor, %d\";Córdoba;%05d;2023-%02d-%02d;%d,50;\"dice \"\"hola\"\"\";ES\n",
			i, i, i%1000000, i%300, i%100000, 1+i%12, 1+i%28, i%200)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	st, _ := f.Stat()
	f.Close()
	return path, st.Size()
}

// BenchmarkCSVRead opens (detecting encoding and delimiter) and reads 1,000,000
// rows of 12 columns.
func BenchmarkCSVRead(b *testing.B) {
	const rows = 1_000_000
	path, size := writeBenchCSV(b, rows)
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := CSV().Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		tab, err := f.Open("")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			r, err := tab.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if len(r.Values) != 12 {
				b.Fatalf("row %d has %d values", r.Pos, len(r.Values))
			}
			n++
		}
		tab.Close()
		f.Close()
		if n != rows+1 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e9, "s/file")
}
