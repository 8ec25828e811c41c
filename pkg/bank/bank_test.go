package bank

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// reader is the signature every statement reader shares.
type reader func(r io.Reader, name string) ([]Statement, []Warning, error)

// readFixture reads testdata/DIR/NAME with read.
func readFixture(t *testing.T, read reader, dir, name string) ([]Statement, []Warning, error) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return read(f, name)
}

// mustRead is readFixture for a file that must read without error.
func mustRead(t *testing.T, read reader, dir, name string) ([]Statement, []Warning) {
	t.Helper()
	st, w, err := readFixture(t, read, dir, name)
	if err != nil {
		t.Fatalf("%s/%s: %v", dir, name, err)
	}
	return st, w
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// addFixtureSeeds adds every file matching testdata/DIR/PATTERN to a fuzzer's corpus.
func addFixtureSeeds(f *testing.F, dir, pattern string) {
	files, err := filepath.Glob(filepath.Join("testdata", dir, pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}
