package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/padron-org/padron/pkg/synth"
)

// importMain runs the import benchmark: padron import of a generated CSV against
// DuckDB's read_csv, of a generated XLSX against a bare excelize scan.
func importMain(args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	rows := fs.Int("rows", 1_000_000, "rows of the CSV")
	xrows := fs.Int("xlsx-rows", 100_000, "rows of the XLSX")
	runs := fs.Int("runs", 3, "runs of each side; the median is reported")
	dir := fs.String("dir", "", "work folder (default: a temporary one, removed after)")
	fs.Parse(args)
	return benchImport(*rows, *xrows, *runs, *dir)
}

func benchImport(rows, xrows, runs int, dir string) error {
	dir, cleanup, err := workDir(dir)
	if err != nil {
		return err
	}
	defer cleanup()
	bin, err := buildPadron(dir)
	if err != nil {
		return err
	}
	csvPath := filepath.Join(dir, "wide.csv")
	step(fmt.Sprintf("generating %d-row CSV", rows))
	f, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := synth.WriteWideCSV(bw, rows, 1); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	f.Close()
	xlsxPath := filepath.Join(dir, "wide.xlsx")
	step(fmt.Sprintf("generating %d-row XLSX", xrows))
	if err := synth.WriteWideXLSX(xlsxPath, xrows, 1); err != nil {
		return err
	}

	var csvPadron, csvDuck, xPadron, xBare []time.Duration
	var csvRSS, xRSS int64
	for i := 0; i < runs; i++ {
		step(fmt.Sprintf("run %d/%d", i+1, runs))
		d, rss, err := runPadron(bin, dir, csvPath)
		if err != nil {
			return err
		}
		csvPadron, csvRSS = append(csvPadron, d), max(csvRSS, rss)
		if d, err = duckReadCSV(dir, csvPath); err != nil {
			return err
		}
		csvDuck = append(csvDuck, d)
		if d, rss, err = runPadron(bin, dir, xlsxPath); err != nil {
			return err
		}
		xPadron, xRSS = append(xPadron, d), max(xRSS, rss)
		if d, err = bareExcelize(xlsxPath); err != nil {
			return err
		}
		xBare = append(xBare, d)
	}
	mc, md, mx, mb := median(csvPadron), median(csvDuck), median(xPadron), median(xBare)
	st, _ := os.Stat(csvPath)
	fmt.Printf("\nCSV: %d rows x 12 columns, %.0f MB\n", rows, float64(st.Size())/1e6)
	fmt.Printf("  padron import          %8.2fs   peak RSS %5d MiB  (target <= 1024)\n", mc.Seconds(), csvRSS>>20)
	fmt.Printf("  DuckDB read_csv table  %8.2fs\n", md.Seconds())
	fmt.Printf("  ratio                  %8.2f    (target <= 3)\n", mc.Seconds()/md.Seconds())
	fmt.Printf("XLSX: %d rows x 12 columns\n", xrows)
	fmt.Printf("  padron import          %8.2fs   peak RSS %5d MiB\n", mx.Seconds(), xRSS>>20)
	fmt.Printf("  bare excelize scan     %8.2fs\n", mb.Seconds())
	fmt.Printf("  ratio                  %8.2f    (target <= 1.5)\n", mx.Seconds()/mb.Seconds())
	fmt.Printf("(median of %d runs; every run imports into a new store)\n", runs)
	return nil
}

// runPadron imports one file into a fresh store and returns wall time and peak RSS.
func runPadron(bin, dir, file string) (time.Duration, int64, error) {
	db := filepath.Join(dir, "bench.duckdb")
	os.Remove(db)
	os.Remove(db + ".wal")
	cmd := exec.Command(bin, "--db", db, "--quiet", "import", "--default-country", "PL", file)
	cmd.Stderr = os.Stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			return 0, 0, fmt.Errorf("padron import %s: %w", file, err)
		}
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return d, ru.Maxrss * 1024, nil
}

// duckReadCSV loads the file into a table of a fresh DuckDB file: the practical limit.
func duckReadCSV(dir, file string) (time.Duration, error) {
	path := filepath.Join(dir, "duck.duckdb")
	os.Remove(path)
	os.Remove(path + ".wal")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	start := time.Now()
	if _, err := db.ExecContext(context.Background(), fmt.Sprintf(`CREATE TABLE t AS SELECT * FROM read_csv('%s')`, file)); err != nil {
		return 0, err
	}
	if _, err := db.Exec(`CHECKPOINT`); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// bareExcelize reads every row of every sheet with excelize and nothing else.
func bareExcelize(file string) (time.Duration, error) {
	start := time.Now()
	f, err := excelize.OpenFile(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	for _, sheet := range f.GetSheetList() {
		rows, err := f.Rows(sheet)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			cols, err := rows.Columns()
			if err != nil {
				return 0, err
			}
			n += len(cols)
		}
		rows.Close()
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: no cells", file)
	}
	return time.Since(start), nil
}
