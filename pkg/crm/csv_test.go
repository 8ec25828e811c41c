package crm

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func nameTable(rows ...[]string) Table {
	return Table{Columns: []Column{{"first_name", Text}, {"last_name", Text}}, Rows: func(emit func([]string) error) error {
		for _, r := range rows {
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	}}
}

func TestEncodingRoundTrip(t *testing.T) {
	tests := []struct {
		enc     string
		decode  func([]byte) ([]byte, error)
		rows    [][]string
		comma   string
		wantCSV string
	}{
		{"windows-1250", charmap.Windows1250.NewDecoder().Bytes,
			[][]string{{"Łukasz", "Wróbel"}, {"Zażółć", "Gęślą Jaźń"}}, ";",
			"first_name;last_name\nŁukasz;Wróbel\nZażółć;Gęślą Jaźń\n"},
		{"iso-8859-2", charmap.ISO8859_2.NewDecoder().Bytes,
			[][]string{{"Łukasz", "Wróbel"}}, ",", "first_name,last_name\nŁukasz,Wróbel\n"},
		{"iso-8859-1", charmap.ISO8859_1.NewDecoder().Bytes,
			[][]string{{"José", "Muñoz García"}, {"Begoña", "Ibáñez"}}, "\t",
			"first_name\tlast_name\nJosé\tMuñoz García\nBegoña\tIbáñez\n"},
		{"windows-1252", charmap.Windows1252.NewDecoder().Bytes,
			[][]string{{"José", "Muñoz"}}, "|", "first_name|last_name\nJosé|Muñoz\n"},
		{"utf-8", func(b []byte) ([]byte, error) { return b, nil },
			[][]string{{"Łukasz", "Muñoz"}}, ",", "first_name,last_name\nŁukasz,Muñoz\n"},
	}
	for _, tt := range tests {
		t.Run(tt.enc, func(t *testing.T) {
			raw, err := writeCSV(t, nameTable(tt.rows...), Options{Encoding: tt.enc, Delimiter: tt.comma})
			if err != nil {
				t.Fatal(err)
			}
			if tt.enc != "utf-8" && bytes.Equal(raw, []byte(tt.wantCSV)) {
				t.Fatalf("%s output is plain UTF-8", tt.enc)
			}
			got, err := tt.decode(raw)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.wantCSV {
				t.Errorf("decoded:\n%q\nwant\n%q", got, tt.wantCSV)
			}
		})
	}
}

func TestEncodingRefusesUnrepresentable(t *testing.T) {
	// Ł is not in Latin-1: the error names the row and the column, never a silent '?'.
	_, err := writeCSV(t, nameTable([]string{"José", "Muñoz"}, []string{"Łukasz", "Wróbel"}), Options{Encoding: "iso-8859-1"})
	var ce *CellError
	if !errors.As(err, &ce) || ce.Row != 2 || ce.Column != "first_name" || !errors.Is(err, ErrUnrepresentable) {
		t.Fatalf("got %v, want a CellError for row 2, column first_name", err)
	}
	for _, s := range []string{"row 2", "first_name", "U+0141", "iso-8859-1", "utf-8"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	// ñ is not in ISO-8859-2.
	_, err = writeCSV(t, nameTable([]string{"Jan", "Muñoz"}), Options{Encoding: "iso-8859-2"})
	if !errors.As(err, &ce) || ce.Row != 1 || ce.Column != "last_name" {
		t.Errorf("ñ in iso-8859-2: %v", err)
	}
}

func TestEncodingComposesAccents(t *testing.T) {
	// "José" typed with a combining accent fits Latin-1 once composed.
	raw, err := writeCSV(t, nameTable([]string{"Jose\u0301", "Mun\u0303oz"}), Options{Encoding: "latin1"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := charmap.ISO8859_1.NewDecoder().Bytes(raw)
	if want := "first_name,last_name\nJosé,Muñoz\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestEncodingBOMs(t *testing.T) {
	raw, err := writeCSV(t, nameTable([]string{"Łukasz", "Wróbel"}), Options{Encoding: "utf-16le"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte{0xFF, 0xFE}) {
		t.Fatalf("utf-16le starts % x, want the BOM ff fe", raw[:4])
	}
	got, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := "first_name,last_name\nŁukasz,Wróbel\n"; string(got) != want {
		t.Errorf("utf-16le decoded %q, want %q", got, want)
	}

	raw, err = writeCSV(t, nameTable([]string{"Łukasz", "Wróbel"}), Options{Encoding: "utf-8-bom"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "\uFEFFfirst_name,last_name\nŁukasz,Wróbel\n"; string(raw) != want {
		t.Errorf("utf-8-bom: %q, want %q", raw, want)
	}
}

func TestCSVOptionsErrors(t *testing.T) {
	if _, err := writeCSV(t, nameTable(), Options{Encoding: "ebcdic"}); err == nil || !strings.Contains(err.Error(), "windows-1250") {
		t.Errorf("unknown encoding: %v", err)
	}
	if _, err := writeCSV(t, nameTable(), Options{Delimiter: ":"}); err == nil || !strings.Contains(err.Error(), "tab") {
		t.Errorf("unknown delimiter: %v", err)
	}
	if _, err := writeCSV(t, nameTable([]string{"a\xffb", "x"}), Options{}); err == nil || !strings.Contains(err.Error(), "row 1, column first_name") {
		t.Errorf("invalid UTF-8: %v", err)
	}
}

func TestCSVNeutralizesAndQuotes(t *testing.T) {
	raw, err := writeCSV(t, nameTable([]string{`=HYPERLINK("http://x")`, "+48600123456"}, []string{"a;b", "-12.50"}),
		Options{Delimiter: ";"})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := func() ([][]string, error) {
		r := csv.NewReader(bytes.NewReader(raw))
		r.Comma = ';'
		return r.ReadAll()
	}()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"first_name", "last_name"}, {`'=HYPERLINK("http://x")`, "+48600123456"}, {"a;b", "-12.50"}}
	if len(recs) != len(want) {
		t.Fatalf("got %q", recs)
	}
	for i := range want {
		for j := range want[i] {
			if recs[i][j] != want[i][j] {
				t.Errorf("cell %d,%d = %q, want %q", i, j, recs[i][j], want[i][j])
			}
		}
	}
}
