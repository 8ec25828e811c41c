package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/padron-org/padron/pkg/source"
)

// blankTable is a sheet of n blank rows, then one with a value.
type blankTable struct{ n, i int }

func (t *blankTable) Name() string { return "S" }
func (t *blankTable) Close() error { return nil }
func (t *blankTable) Next() (source.Row, error) {
	t.i++
	switch {
	case t.i <= t.n:
		return source.Row{Pos: t.i}, nil
	case t.i == t.n+1:
		return source.Row{Pos: t.i, Values: []string{"Ana"}}, nil
	}
	return source.Row{}, io.EOF
}

// TestReadSampleBlankRows: a 1 KB .ods repeating a blank row 16 million times made
// readSample hold every row while it looked for data rows (3 GB, 7 s). It now stops
// after sampleScanRows rows, and the import reads the rest as a stream.
func TestReadSampleBlankRows(t *testing.T) {
	tbl := &blankTable{n: 10 * sampleScanRows}
	data, err := readSample(tbl, nil)
	if err != nil || len(data) != sampleScanRows {
		t.Fatalf("sample of %d rows, %v; want %d", len(data), err, sampleScanRows)
	}
	// A short table is still sampled to its end.
	data, err = readSample(&blankTable{n: 10}, nil)
	if err != nil || len(data) != 11 || data[10].Values[0] != "Ana" {
		t.Fatalf("sample %v, %v", data, err)
	}
}

// TestStatementFileSizeLimit: bank statements skip source.Open, so they skipped
// --max-file-size too, and the readers hold a file's statements in memory.
func TestStatementFileSizeLimit(t *testing.T) {
	st, opts := setup(t)
	data, err := os.ReadFile(filepath.Join("..", "bank", "testdata", "mt940", "mbank.sta"))
	if err != nil {
		t.Fatal(err)
	}
	p := write(t, "wyciag.sta", string(data))
	opts.Source.Limits.MaxFileBytes = int64(len(data)) - 1
	res := File(context.Background(), st, p, opts)
	if !errors.Is(res.Err, source.ErrLimit) || !strings.Contains(res.Err.Error(), "--max-file-size") || !strings.Contains(res.Err.Error(), p) {
		t.Fatalf("error %v", res.Err)
	}
	opts.Source.Limits.MaxFileBytes = int64(len(data))
	if res := File(context.Background(), st, p, opts); res.Err != nil {
		t.Fatal(res.Err)
	}
}

// TestLimitLeavesStoreUnchanged: a file that hits a limit after rows were already
// handed to the store (more than one chunk) stores nothing.
func TestLimitLeavesStoreUnchanged(t *testing.T) {
	st, opts := setup(t)
	var b strings.Builder
	b.WriteString("name,email\n")
	for i := 0; i < 3*chunkRows; i++ {
		fmt.Fprintf(&b, "P%d,p%d@example.org\n", i, i)
	}
	opts.Source.Limits.MaxCells = 2 * 2 * chunkRows
	res := File(context.Background(), st, write(t, "people.csv", b.String()), opts)
	if !errors.Is(res.Err, source.ErrLimit) || !strings.Contains(res.Err.Error(), "--max-cells") {
		t.Fatalf("error %v", res.Err)
	}
	batches, err := st.Batches(context.Background())
	if err != nil || len(batches) != 0 {
		t.Fatalf("batches %v, %v", batches, err)
	}
}
