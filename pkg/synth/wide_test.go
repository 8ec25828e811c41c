package synth

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestWideCSV(t *testing.T) {
	var a, b bytes.Buffer
	if err := WriteWideCSV(&a, 3000, 1); err != nil {
		t.Fatal(err)
	}
	if err := WriteWideCSV(&b, 3000, 1); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed, different bytes")
	}
	rows, err := csv.NewReader(bytes.NewReader(a.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], WideHeader) || len(WideHeader) != 12 {
		t.Fatalf("header = %q", rows[0])
	}
	if len(rows) != 3001 {
		t.Fatalf("%d rows, want 3001", len(rows))
	}
	countries := map[string]int{}
	nonASCII := 0
	for _, r := range rows[1:] {
		if r[0] == "" || r[1] == "" || r[6] == "" {
			t.Fatalf("empty name or city: %q", r)
		}
		if _, err := time.Parse("2006-01-02", r[9]); err != nil {
			t.Fatalf("birth_date %q: %v", r[9], err)
		}
		if v, err := strconv.ParseFloat(r[10], 64); err != nil || v <= 0 || !strings.Contains(r[10], ".") {
			t.Fatalf("amount %q", r[10])
		}
		countries[r[8]]++
		if hasNonASCII(r[0] + r[1]) {
			nonASCII++
		}
	}
	if len(countries) != 4 || nonASCII < 500 {
		t.Errorf("countries %v, %d names with diacritics", countries, nonASCII)
	}
	var c bytes.Buffer
	if err := WriteWideCSV(&c, 3000, 2); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("different seeds, same bytes")
	}
}

func TestWideXLSX(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wide.xlsx")
	if err := WriteWideXLSX(path, 400, 1); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows("people", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 401 || !slices.Equal(rows[0], WideHeader) {
		t.Fatalf("%d rows, header %q", len(rows), rows[0])
	}
	for i, r := range rows[1:] {
		serial, err := strconv.ParseFloat(cell(r, 9), 64)
		if err != nil {
			t.Fatalf("row %d: birth_date %q is not a date serial", i+2, cell(r, 9))
		}
		if d, _ := excelize.ExcelDateToTime(serial, false); d.Year() < 1930 || d.Year() > refYear {
			t.Fatalf("row %d: birth year %d", i+2, d.Year())
		}
		if typ, _ := x.GetCellType("people", "K"+strconv.Itoa(i+2)); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
			t.Fatalf("row %d: amount cell type %v", i+2, typ)
		}
		if _, err := strconv.ParseFloat(cell(r, 10), 64); err != nil {
			t.Fatalf("row %d: amount %q", i+2, cell(r, 10))
		}
	}
	// Shown with a date format, not as a bare number.
	sid, _ := x.GetCellStyle("people", "J2")
	st, err := x.GetStyle(sid)
	if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "yyyy-mm-dd" {
		t.Errorf("birth_date style %+v, %v", st, err)
	}
}

func BenchmarkWideCSV1M(b *testing.B) {
	for b.Loop() {
		var n countingWriter
		if err := WriteWideCSV(&n, 1_000_000, 1); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(n))
	}
}

func BenchmarkWideXLSX100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "wide.xlsx")
	for b.Loop() {
		if err := WriteWideXLSX(path, 100_000, 1); err != nil {
			b.Fatal(err)
		}
	}
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}
