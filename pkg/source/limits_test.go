package source

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestParseSize(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"1048576", 1 << 20}, {"20MB", 20e6}, {"20 MiB", 20 << 20}, {"1.5GiB", 3 << 29}, {"512k", 512 << 10},
		{"2gb", 2e9}, {"10 B", 10}, {"1G", 1 << 30},
	} {
		got, err := ParseSize(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "lots", "-1", "1 parsec", "MB", "1e30GB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) accepted", bad)
		}
	}
	for _, n := range []int64{0, 1023, 1 << 20, DefaultMaxFileBytes, 37807} {
		s := FormatSize(n)
		back, err := ParseSize(s)
		if err != nil || n >= 1024 && (back < n*99/100 || back > n*101/100) || n < 1024 && back != n {
			t.Errorf("FormatSize(%d) = %q reads back as %d, %v", n, s, back, err)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	l := DefaultLimits()
	if l.MaxFileBytes != 2<<30 || l.MaxCells != 50_000_000 || l.MaxFieldBytes != 1<<20 || l.MaxUnzipBytes != 2<<30 ||
		l.MaxZipRatio != 200 || l.MaxSharedStrings != 10_000_000 || l.MaxZipEntries != 100_000 {
		t.Errorf("DefaultLimits() = %+v", l)
	}
	if got := (Limits{MaxCells: 7}).withDefaults(); got.MaxCells != 7 || got.MaxFileBytes != DefaultMaxFileBytes {
		t.Errorf("withDefaults kept %+v", got)
	}
}

// readAll reads every table of a file opened through Open, returning the first error.
func readAll(path string, o Options) (int, error) {
	f, err := Open(path, o)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	for _, name := range f.Tables() {
		tab, err := f.Open(name)
		if err != nil {
			return n, err
		}
		for {
			_, err := tab.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				tab.Close()
				return n, err
			}
			n++
		}
		tab.Close()
	}
	return n, nil
}

func TestLimitCells(t *testing.T) {
	var sb strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&sb, "a%d;b;c\n", i)
	}
	p := csvTestFile(t, []byte(sb.String()))
	if n, err := readAll(p, Options{Limits: Limits{MaxCells: 300}}); err != nil || n != 100 {
		t.Fatalf("at the limit: %d rows, %v", n, err)
	}
	_, err := readAll(p, Options{Limits: Limits{MaxCells: 299}})
	var le *LimitError
	if !errors.As(err, &le) || !errors.Is(err, ErrLimit) || !errors.Is(err, ErrUnsupported) ||
		err.Error() != p+": row 100: the file has more than 299 cells (a damaged or hostile file?): if the file is genuine, raise the limit with --max-cells" {
		t.Fatalf("error %v", err)
	}

	// Cells of all sheets count together, and the error names the sheet.
	f := excelize.NewFile()
	f.NewSheet("Dos")
	for _, s := range []string{"Sheet1", "Dos"} {
		for r := 1; r <= 10; r++ {
			f.SetSheetRow(s, fmt.Sprintf("A%d", r), &[]string{"x", "y"})
		}
	}
	x := xlsxSave(t, f, "book.xlsx")
	_, err = readAll(x, Options{Limits: Limits{MaxCells: 30}})
	if err == nil || !strings.Contains(err.Error(), x+`: sheet "Dos" row 6: the file has more than 30 cells`) {
		t.Fatalf("error %v", err)
	}
}

// TestLimitSharedStrings: a strings table of millions of empty entries was read
// whole, at 16 bytes an entry whatever its size on disk.
func TestLimitSharedStrings(t *testing.T) {
	f := excelize.NewFile()
	f.SetCellStr("Sheet1", "A1", "a")
	f.SetCellStr("Sheet1", "A2", "b")
	f.SetCellStr("Sheet1", "A3", "c")
	p := xlsxSave(t, f, "sst.xlsx")
	if _, err := readAll(p, Options{Limits: Limits{MaxSharedStrings: 3}}); err != nil {
		t.Fatal(err)
	}
	_, err := readAll(p, Options{Limits: Limits{MaxSharedStrings: 2}})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), p+": part xl/sharedStrings.xml: the shared strings table has more than 2 entries") ||
		!strings.Contains(err.Error(), "--max-shared-strings") {
		t.Fatalf("error %v", err)
	}
}

func TestLimitUnzip(t *testing.T) {
	p := xlsxSmallBook(t)
	_, err := readAll(p, Options{Limits: Limits{MaxUnzipBytes: 1000}})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "unpacks to more than 1000 B") || !strings.Contains(err.Error(), "--max-unzip-size") {
		t.Fatalf("error %v", err)
	}
	o := odsFileOf(t, odsSheet("S", odsRow(odsStr("a"))))
	_, err = readAll(o, Options{Limits: Limits{MaxUnzipBytes: 100}})
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "--max-unzip-size") {
		t.Fatalf("ods error %v", err)
	}
}

func TestLimitFileSize(t *testing.T) {
	p := csvTestFile(t, []byte("a;b\n1;2\n"))
	_, err := Open(p, Options{Limits: Limits{MaxFileBytes: 4}})
	if err == nil || err.Error() != p+": is 8 B (8 bytes), over the limit of 4 B (a damaged or hostile file?): if the file is genuine, raise the limit with --max-file-size" {
		t.Fatalf("error %v", err)
	}
	if err := (Limits{MaxFileBytes: 8}).CheckFileSize(p, 8); err != nil {
		t.Fatal(err)
	}
}

// TestLimitCellsRepeatedODS: a 1 KB .ods whose row of 16,000 filled cells repeats 16
// million times made the reader hand out 2.6e11 values, hours of work; the cell limit
// now stops it.
func TestLimitCellsRepeatedODS(t *testing.T) {
	row := `<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="16000" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>`
	p := odsFileOf(t, odsSheet("S", strings.Repeat(row, 16)))
	n, err := readAll(p, Options{Limits: Limits{MaxCells: 100_000}})
	if !errors.Is(err, ErrLimit) || n != 6 || !strings.Contains(err.Error(), p+`: sheet "S" row 7: the file has more than 100000 cells`) {
		t.Fatalf("%d rows, error %v", n, err)
	}
}

// TestLimitZipEntries: 300,000 empty parts in a 35 MB workbook took 9.5 s and 520 MB
// to open; a package with more parts than the limit is refused from its directory.
func TestLimitZipEntries(t *testing.T) {
	x := xlsxSmallBook(t)
	o := odsFileOf(t, odsSheet("S", odsRow(odsStr("a"))))
	for _, p := range []string{x, o} {
		if _, err := readAll(p, Options{}); err != nil {
			t.Fatal(err)
		}
		_, err := readAll(p, Options{Limits: Limits{MaxZipEntries: 3}})
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), p+": holds ") ||
			!strings.Contains(err.Error(), "over the limit of 3 parts") || !strings.Contains(err.Error(), "--max-zip-entries") {
			t.Errorf("error %v", err)
		}
	}
}
