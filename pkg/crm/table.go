// Package crm turns padron's people and donations into the import files of CRMs
// (CiviCRM, Salesforce NPSP, SuiteCRM/SinergiaCRM) and writes any table as CSV, XLSX
// or Parquet. It is a library: it returns values and errors, never prints or exits.
//
// The pipeline is: a Target maps store values to rows with the target's exact
// column names (a Table), and a Format writes that Table to an io.Writer.
package crm

import (
	"fmt"
	"io"
	"strings"
)

// Kind says what a column holds, so that typed formats (XLSX, Parquet) store it as
// the right type. Cell values are always strings, exactly as the CSV shows them.
type Kind int

const (
	// Text is any text, kept as text everywhere (phones, postcodes and ids with
	// leading zeros must never become numbers).
	Text Kind = iota
	// Int is a whole number such as a person id ("" for none).
	Int
	// Amount is an exact decimal with a dot ("12.50", "-3.1234"); DECIMAL(18,4).
	Amount
	// Date is YYYY-MM-DD ("" for none).
	Date
	// Bool is true/false or 1/0, as the target spells it.
	Bool
	// Number is an inexact number such as a match score.
	Number
)

// Column is one column of a table.
type Column struct {
	Name string
	Kind Kind
}

// Rows streams a table's rows: it calls emit once per row, in order, and returns
// emit's first error. Rows are streamed so that 100k-row exports need no memory.
type Rows func(emit func(row []string) error) error

// Table is a header and its rows.
type Table struct {
	Columns []Column
	Rows    Rows
}

// Names returns the header.
func (t Table) Names() []string {
	names := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		names[i] = c.Name
	}
	return names
}

// Writer writes one table's rows; New has already written the header.
type Writer interface {
	// Write writes one row, as many cells as the table has columns.
	Write(row []string) error
	// Close completes the file and releases temporary files and databases; call it
	// even after a failed Write. Nothing is complete before Close returns nil.
	Close() error
}

// aborter is a Writer holding resources that must be released when a write fails.
type aborter interface{ abort() }

// Options tunes the writers; the zero value writes UTF-8, comma-separated CSV.
type Options struct {
	// Encoding of CSV files: see Encodings. "" is utf-8.
	Encoding string
	// Delimiter of CSV files: "," (default), ";", "\t" (or "tab") or "|".
	Delimiter string
	// Sheet names the XLSX worksheet; "" is "padron".
	Sheet string
}

// Format is one file format.
type Format struct {
	Name string
	// Ext is the usual file extension, with the dot.
	Ext string
	// New writes the header of a table with these columns to w and returns a Writer
	// for its rows.
	New func(w io.Writer, cols []Column, o Options) (Writer, error)
}

// Formats lists the file formats, in the order help shows them.
func Formats() []Format {
	return []Format{
		{Name: "csv", Ext: ".csv", New: newCSV},
		{Name: "xlsx", Ext: ".xlsx", New: newXLSX},
		{Name: "parquet", Ext: ".parquet", New: newParquet},
	}
}

// LookupFormat returns the format of that name.
func LookupFormat(name string) (Format, error) {
	var names []string
	for _, f := range Formats() {
		if f.Name == name {
			return f, nil
		}
		names = append(names, f.Name)
	}
	return Format{}, fmt.Errorf("unknown file format %q: use one of %s", name, strings.Join(names, ", "))
}

// Write writes t to w in format f and returns how many rows it wrote.
func Write(w io.Writer, f Format, t Table, o Options) (int, error) {
	tw, err := f.New(w, t.Columns, o)
	if err != nil {
		return 0, err
	}
	n := 0
	err = t.Rows(func(row []string) error {
		if len(row) != len(t.Columns) {
			// A target bug, not a data problem: say where.
			return fmt.Errorf("row %d has %d cells for %d columns", n+1, len(row), len(t.Columns))
		}
		n++
		return tw.Write(row)
	})
	if err != nil {
		if a, ok := tw.(aborter); ok {
			a.abort() // release temporary files without writing a half file to w
		}
		return n, err
	}
	if err := tw.Close(); err != nil {
		return n, err
	}
	return n, nil
}

// CellError says which cell could not be written.
type CellError struct {
	Row    int // 1 is the first row after the header; 0 is the header
	Column string
	Err    error
}

func (e *CellError) Error() string {
	if e.Row == 0 {
		return fmt.Sprintf("header, column %s: %v", e.Column, e.Err)
	}
	return fmt.Sprintf("row %d, column %s: %v", e.Row, e.Column, e.Err)
}

func (e *CellError) Unwrap() error { return e.Err }
