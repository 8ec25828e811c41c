package crm

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// maxCellChars is Excel's limit for one cell; excelize would cut longer text short
// without a word.
const maxCellChars = 32767

// xlsxWriter streams rows with excelize's StreamWriter, which keeps memory flat for
// 100k+ rows.
//
// Formula injection: every text cell is written as a string cell (an inline string)
// with the Text number format "@". Excel and LibreOffice never evaluate a string
// cell, and the Text format keeps it a string even when someone later edits the
// cell and presses Enter. So, unlike CSV, no apostrophe is added: in an XLSX it
// would not be hidden but become part of the value and travel into the CRM.
type xlsxWriter struct {
	f      *excelize.File
	sw     *excelize.StreamWriter
	w      io.Writer
	cols   []Column
	styles [Number + 1]int
	row    int
	cells  []any
}

func newXLSX(w io.Writer, cols []Column, o Options) (Writer, error) {
	sheet := o.Sheet
	if sheet == "" {
		sheet = "padron"
	}
	f := excelize.NewFile()
	x := &xlsxWriter{f: f, w: w, cols: cols, cells: make([]any, len(cols))}
	fail := func(err error) (Writer, error) {
		f.Close()
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fail(err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return fail(err)
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return fail(err)
	}
	amount := "0.00##" // cents always, up to DECIMAL(18,4)'s four places when there
	amt, err := f.NewStyle(&excelize.Style{CustomNumFmt: &amount})
	if err != nil {
		return fail(err)
	}
	iso := "yyyy-mm-dd"
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &iso})
	if err != nil {
		return fail(err)
	}
	integer, err := f.NewStyle(&excelize.Style{NumFmt: 1}) // "0": no thousands separator in ids
	if err != nil {
		return fail(err)
	}
	x.styles = [Number + 1]int{Text: text, Int: integer, Amount: amt, Date: date, Bool: 0, Number: 0}
	if x.sw, err = f.NewStreamWriter(sheet); err != nil {
		return fail(err)
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return fail(err)
	}
	for i, c := range cols {
		width := 14.0
		if c.Kind == Text {
			width = 20
		}
		if err := x.sw.SetColWidth(i+1, i+1, width); err != nil {
			return fail(err)
		}
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = excelize.Cell{StyleID: bold, Value: c.Name}
	}
	if err := x.sw.SetRow("A1", header); err != nil {
		return fail(err)
	}
	return x, nil
}

func (x *xlsxWriter) Write(row []string) error {
	x.row++
	for i, s := range row {
		v, err := x.cell(x.cols[i].Kind, s)
		if err != nil {
			return &CellError{Row: x.row, Column: x.cols[i].Name, Err: err}
		}
		x.cells[i] = v
	}
	ref, err := excelize.CoordinatesToCellName(1, x.row+1)
	if err != nil {
		return fmt.Errorf("xlsx row %d: %w", x.row, err)
	}
	if err := x.sw.SetRow(ref, x.cells); err != nil {
		return fmt.Errorf("xlsx row %d: %w", x.row, err)
	}
	return nil
}

// cell returns a typed cell for a value: numbers, dates and booleans where the
// column says so and the value parses, text otherwise (a typed column with odd data
// still loses nothing).
func (x *xlsxWriter) cell(k Kind, s string) (any, error) {
	if s == "" {
		return nil, nil
	}
	switch k {
	case Int:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return excelize.Cell{StyleID: x.styles[Int], Value: n}, nil
		}
	case Amount, Number:
		// Excel stores numbers as float64 anyway; the exact text is in CSV and Parquet.
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return excelize.Cell{StyleID: x.styles[k], Value: f}, nil
		}
	case Date:
		// Excel has no dates before 1900; earlier birth dates stay text.
		if t, err := time.Parse(time.DateOnly, s); err == nil && t.Year() >= 1900 {
			return excelize.Cell{StyleID: x.styles[Date], Value: t}, nil
		}
	case Bool:
		if b, err := strconv.ParseBool(s); err == nil {
			return b, nil
		}
	}
	if utf8.RuneCountInString(s) > maxCellChars {
		return nil, errors.New("text longer than the 32767 characters an Excel cell holds")
	}
	return excelize.Cell{StyleID: x.styles[Text], Value: s}, nil
}

func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if _, err := x.f.WriteTo(x.w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

func (x *xlsxWriter) abort() { x.f.Close() }
