package crm

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// parquetWriter loads the rows into an in-memory DuckDB with the driver's Appender
// and has DuckDB write the Parquet file (COPY ... (FORMAT parquet)), so padron needs
// no Parquet library of its own.
//
// Rows land in a staging table of VARCHARs, exactly as the CSV shows them; COPY then
// casts each column to its type (DECIMAL(18,4) amounts, DATE, BIGINT, BOOLEAN,
// DOUBLE). The casts are exact: "12.50" becomes 12.5000, never a float. A value
// that does not cast fails the export rather than turning into NULL.
//
// Parquet is a binary columnar format read by programs, not opened in spreadsheets,
// so no cell is neutralized.
type parquetWriter struct {
	w    io.Writer
	cols []Column
	conn *duckdb.Connector
	db   *sql.DB
	raw  driver.Conn
	app  *duckdb.Appender
	dir  string
	row  int
	vals []driver.Value
}

func newParquet(w io.Writer, cols []Column, _ Options) (Writer, error) {
	p := &parquetWriter{w: w, cols: cols, vals: make([]driver.Value, len(cols))}
	if err := p.open(); err != nil {
		p.abort()
		return nil, fmt.Errorf("parquet: %w", err)
	}
	return p, nil
}

func (p *parquetWriter) open() error {
	if len(p.cols) == 0 {
		return fmt.Errorf("no columns")
	}
	var err error
	// One connector is one in-memory database: the *sql.DB for statements and the
	// raw connection the Appender needs (database/sql only lends its raw connections
	// for the length of a callback, and the Appender lives across Write calls).
	if p.conn, err = duckdb.NewConnector("", nil); err != nil {
		return err
	}
	p.db = sql.OpenDB(p.conn)
	var defs []string
	for i := range p.cols {
		defs = append(defs, fmt.Sprintf("c%d VARCHAR", i))
	}
	if _, err := p.db.Exec(`CREATE TABLE staging (` + strings.Join(defs, ", ") + `)`); err != nil {
		return err
	}
	if p.raw, err = p.conn.Connect(context.Background()); err != nil {
		return err
	}
	if p.app, err = duckdb.NewAppenderFromConn(p.raw, "", "staging"); err != nil {
		return err
	}
	p.dir, err = os.MkdirTemp("", "padron-parquet-*")
	return err
}

func (p *parquetWriter) Write(row []string) error {
	p.row++
	for i, s := range row {
		p.vals[i] = s
	}
	if err := p.app.AppendRow(p.vals...); err != nil {
		return fmt.Errorf("parquet row %d: %w", p.row, err)
	}
	return nil
}

// sqlType is the Parquet column type of a kind.
func sqlType(k Kind) string {
	switch k {
	case Int:
		return "BIGINT"
	case Amount:
		return "DECIMAL(18,4)"
	case Date:
		return "DATE"
	case Bool:
		return "BOOLEAN"
	case Number:
		return "DOUBLE"
	}
	return "VARCHAR"
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteString(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

func (p *parquetWriter) Close() error {
	defer p.abort()
	err := p.app.Close()
	p.app = nil
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	sel := make([]string, len(p.cols))
	for i, c := range p.cols {
		src := fmt.Sprintf("c%d", i)
		if c.Kind != Text {
			// An empty cell is a missing value, not a cast error.
			src = fmt.Sprintf("CAST(nullif(c%d, '') AS %s)", i, sqlType(c.Kind))
		}
		sel[i] = src + " AS " + quoteIdent(c.Name)
	}
	file := filepath.Join(p.dir, "out.parquet")
	q := `COPY (SELECT ` + strings.Join(sel, ", ") + ` FROM staging ORDER BY rowid) TO ` + quoteString(file) +
		` (FORMAT parquet, COMPRESSION zstd)`
	if _, err := p.db.Exec(q); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(p.w, f); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// abort releases the database and the temporary directory; safe to call twice.
func (p *parquetWriter) abort() {
	if p.app != nil {
		p.app.Close()
		p.app = nil
	}
	if p.raw != nil {
		p.raw.Close()
		p.raw = nil
	}
	if p.db != nil {
		p.db.Close()
		p.db = nil
	}
	if p.conn != nil {
		p.conn.Close()
		p.conn = nil
	}
	if p.dir != "" {
		os.RemoveAll(p.dir)
		p.dir = ""
	}
}
