package main

import (
	"archive/zip"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/padron-org/padron/pkg/cli"
)

// TestMain lets the test binary act as the real padron command inside scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"padron": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script against the real binary.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PADRON_ACTOR", "tester")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"agedecrypt":    cmdAgeDecrypt,
			"agekeygen":     cmdAgeKeygen,
			"encode":        cmdEncode,
			"flipbyte":      cmdFlipByte,
			"fakebrevo":     cmdFakeBrevo,
			"fakelistmonk":  cmdFakeListmonk,
			"fakemailchimp": cmdFakeMailchimp,
			"mkxlsx":        cmdMkxlsx,
			"notcontains":   cmdNotContains,
			"perm":          cmdPerm,
			"sql":           cmdSQL,
			"truncate":      cmdTruncate,
			"xlsxset":       cmdXlsxset,
			"zipdir":        cmdZipdir,
		},
	})
}

// encode CHARSET SRC DST rewrites a UTF-8 file in another encoding, so scripts can hold
// readable text and still test Latin-1, Windows-1250 or UTF-16 input.
func cmdEncode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: encode CHARSET SRC DST")
	}
	src := ts.ReadFile(args[1])
	var out []byte
	var err error
	switch args[0] {
	case "iso-8859-1":
		out, err = charmap.ISO8859_1.NewEncoder().Bytes([]byte(src))
	case "iso-8859-2":
		out, err = charmap.ISO8859_2.NewEncoder().Bytes([]byte(src))
	case "windows-1250":
		out, err = charmap.Windows1250.NewEncoder().Bytes([]byte(src))
	case "windows-1252":
		out, err = charmap.Windows1252.NewEncoder().Bytes([]byte(src))
	case "utf-16le-bom":
		out, err = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(src))
	case "utf-8-bom":
		out = append([]byte("\xEF\xBB\xBF"), src...)
	default:
		ts.Fatalf("unknown charset %s", args[0])
	}
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), out, 0o644))
}

// mkxlsx OUT SHEET=FILE.csv... builds a workbook whose sheets hold the CSV files' rows.
// A cell "date:2024-01-15" becomes a real Excel date, "num:150.5" a number, "blank:" an
// empty row marker is just an empty line.
func cmdMkxlsx(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: mkxlsx OUT SHEET=FILE.csv...")
	}
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	ts.Check(err)
	for i, spec := range args[1:] {
		name, file, ok := strings.Cut(spec, "=")
		if !ok {
			ts.Fatalf("bad sheet spec %q", spec)
		}
		if i == 0 {
			ts.Check(f.SetSheetName("Sheet1", name))
		} else {
			_, err := f.NewSheet(name)
			ts.Check(err)
		}
		r := csv.NewReader(strings.NewReader(ts.ReadFile(file)))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		ts.Check(err)
		for ri, row := range rows {
			for ci, v := range row {
				cell, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				switch {
				case strings.HasPrefix(v, "date:"):
					var y, m, d int
					fmt.Sscanf(v[5:], "%d-%d-%d", &y, &m, &d)
					ts.Check(f.SetCellValue(name, cell, excelDate(y, m, d)))
					ts.Check(f.SetCellStyle(name, cell, cell, dateStyle))
				case strings.HasPrefix(v, "num:"):
					var x float64
					fmt.Sscanf(v[4:], "%g", &x)
					ts.Check(f.SetCellValue(name, cell, x))
				case v != "":
					ts.Check(f.SetCellStr(name, cell, v))
				}
			}
		}
	}
	ts.Check(f.SaveAs(ts.MkAbs(args[0])))
}

// excelDate is the 1900-system serial of a date after 1900-03-01.
func excelDate(y, m, d int) float64 {
	days := func(y, m, d int) int { // days from civil, Howard Hinnant's algorithm
		if m <= 2 {
			y--
		}
		era := y / 400
		yoe := y - era*400
		mp := (m + 9) % 12
		doy := (153*mp+2)/5 + d - 1
		doe := yoe*365 + yoe/4 - yoe/100 + doy
		return era*146097 + doe
	}
	return float64(days(y, m, d) - days(1899, 12, 30))
}

// sql DB QUERY runs a query against a store file and prints the rows, tab-separated,
// so scripts can check what was stored exactly.
func cmdSQL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: sql DB QUERY")
	}
	db, err := sql.Open("duckdb", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), args[1])
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("sql: %v", err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		ts.Check(rows.Scan(ptrs...))
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		fmt.Fprintln(ts.Stdout(), strings.Join(parts, "\t"))
	}
	ts.Check(rows.Err())
}

// zipdir OUT DIR zips a folder's files (an OpenDocument "mimetype" first and stored, as
// the format requires), so scripts can build .ods files from readable XML.
func cmdZipdir(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: zipdir OUT DIR")
	}
	root := ts.MkAbs(args[1])
	var names []string
	ts.Check(filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			names = append(names, filepath.ToSlash(rel))
		}
		return err
	}))
	sort.Slice(names, func(i, j int) bool { return names[i] == "mimetype" || (names[j] != "mimetype" && names[i] < names[j]) })
	out, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	zw := zip.NewWriter(out)
	for _, n := range names {
		method := zip.Deflate
		if n == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: method})
		ts.Check(err)
		data, err := os.ReadFile(filepath.Join(root, n))
		ts.Check(err)
		_, err = w.Write(data)
		ts.Check(err)
	}
	ts.Check(zw.Close())
	ts.Check(out.Close())
}

// xlsxset FILE SHEET CELL=VALUE... writes text into cells of an existing workbook, as a
// steward filling in a review export would.
func cmdXlsxset(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 {
		ts.Fatalf("usage: xlsxset FILE SHEET CELL=VALUE...")
	}
	f, err := excelize.OpenFile(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	for _, kv := range args[2:] {
		c, v, ok := strings.Cut(kv, "=")
		if !ok {
			ts.Fatalf("bad cell spec %q", kv)
		}
		ts.Check(f.SetCellStr(args[1], c, v))
	}
	ts.Check(f.Save())
}
