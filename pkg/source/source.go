// Package source reads the files an organisation's contacts live in (CSV, spreadsheets,
// later contact books and bank files) as plain rows of strings. Readers never interpret
// values: mapping and normalisation happen later, so the raw row is kept verbatim.
package source

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
)

// Row is one physical row of a table.
type Row struct {
	// Pos is the 1-based physical position of the row in its table: the line on which a
	// CSV record starts, or the row number of a sheet. Used in problem reports.
	Pos    int
	Values []string
	// Types gives each value's cell type where the format has types (spreadsheets);
	// nil for text formats, where every value is CellText.
	Types []CellType
	// Notes are non-fatal things the reader did to this row (a field cut at the size
	// limit, undecodable bytes replaced); the importer records each as a problem.
	Notes []string
}

// CellType is the type a spreadsheet stored a value as.
type CellType uint8

const (
	CellText   CellType = iota
	CellNumber          // value is a plain dot-decimal number, e.g. "150.5"
	CellDate            // value is an ISO date "2006-01-02" or date-time "2006-01-02 15:04:05"
	CellBool            // value is "TRUE" or "FALSE"
	CellError           // value is an error such as "#N/A"
)

// Type returns the type of value i, CellText where the format has no types.
func (r Row) Type(i int) CellType {
	if i < len(r.Types) {
		return r.Types[i]
	}
	return CellText
}

// Table is a rectangular block of rows: a whole CSV file, or one sheet of a workbook.
type Table interface {
	// Name is the sheet name; empty for formats with one table.
	Name() string
	// Next returns the next physical row, blank rows included, or io.EOF.
	Next() (Row, error)
	Close() error
}

// Info describes what was detected about a file.
type Info struct {
	Format    string // registry name: "csv", "xlsx", ...
	Encoding  string // text formats: detected or forced encoding (IANA-style name)
	Delimiter rune   // delimited text: detected or forced delimiter
}

// File is an opened source file.
type File interface {
	Info() Info
	// Tables lists the tables (sheets) in file order.
	Tables() []string
	// Open streams one table's rows.
	Open(name string) (Table, error)
	Close() error
}

// Options tune reading. Zero values mean "detect" or "default".
type Options struct {
	Encoding  string // force an encoding, e.g. "windows-1250"
	Delimiter rune   // force a delimiter
	Limits           // zero fields mean the defaults
	TempDir   string // for readers that spill to disk
}

func (o Options) limits() Limits { return o.Limits.withDefaults() }

func (o Options) maxField() int { return o.limits().MaxFieldBytes }

func (o Options) maxFile() int64 { return o.limits().MaxFileBytes }

// fileTooBig is the error for a file over MaxFileBytes.
func fileTooBig(path string, size, limit int64) error {
	return &LimitError{Path: path, What: fmt.Sprintf("is %s (%d bytes)", FormatSize(size), size),
		Limit: FormatSize(limit), Flag: "--max-file-size"}
}

// Format is one file format padron reads.
type Format interface {
	Name() string
	// Sniff reports whether the probed file is in this format.
	Sniff(p *Probe) bool
	Open(path string, opts Options) (File, error)
}

// SniffBytes is how much of a file detection looks at.
const SniffBytes = 64 << 10

// ErrUnsupported marks files padron recognises but cannot read, and files it cannot
// recognise at all. The message says what the file is and what to do.
var ErrUnsupported = errors.New("unsupported file")

// UnsupportedError explains why a file cannot be read.
type UnsupportedError struct {
	Path   string
	Reason string // what the file is, and what to do about it
}

func (e *UnsupportedError) Error() string { return fmt.Sprintf("%s: %s", e.Path, e.Reason) }
func (e *UnsupportedError) Unwrap() error { return ErrUnsupported }

// Open detects a file's format by content and opens it.
func Open(path string, opts Options) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if st.IsDir() {
		f.Close()
		return nil, &UnsupportedError{path, "is a folder; name the files inside it"}
	}
	if st.Size() > opts.maxFile() {
		f.Close()
		return nil, fileTooBig(path, st.Size(), opts.maxFile())
	}
	head := make([]byte, SniffBytes)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	format, err := Detect(&Probe{Path: path, Head: head[:n], Size: st.Size()})
	if err != nil {
		return nil, err
	}
	file, err := format.Open(path, opts)
	if err != nil {
		return nil, err
	}
	return withLimits(file, path, opts.Limits), nil
}

// Probe is what format detection knows about a file: its first bytes, its size, and on
// request the entries of a zip container (XLSX and ODS are zip files).
type Probe struct {
	Path string
	Head []byte // up to SniffBytes bytes
	Size int64

	zipDone  bool
	zipNames []string
	zipErr   error
}

// ZipEntries lists the entry names of a zip file, reading its central directory once.
func (p *Probe) ZipEntries() ([]string, error) {
	if !p.zipDone {
		p.zipDone = true
		p.zipNames, p.zipErr = zipNames(p.Path)
	}
	return p.zipNames, p.zipErr
}

func zipNames(path string) ([]string, error) {
	z, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	names := make([]string, len(z.File))
	for i, f := range z.File {
		names[i] = f.Name
	}
	return names, nil
}
