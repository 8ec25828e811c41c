package synth

import (
	"fmt"
	"os"
	"time"

	"github.com/xuri/excelize/v2"
)

// contacts.xlsx imitates a CRM export opened and saved in Excel: a merged title row, a
// blank row, then the header on row 3, birthdays as real date cells.
const contactsHeaderRow = 3

type xlsxSink struct {
	path      string
	f         *excelize.File
	sw        *excelize.StreamWriter
	next      int
	dateStyle int
}

// dateValue marks a birthday so the sink writes it as a styled date cell.
type dateValue time.Time

func dateCell(d date) any { return dateValue(d.time()) }

func openContacts(path string) (*xlsxSink, error) {
	f := excelize.NewFile()
	x := &xlsxSink{path: path, f: f}
	if err := x.init(); err != nil {
		f.Close()
		return nil, err
	}
	return x, nil
}

func (x *xlsxSink) init() error {
	f := x.f
	if err := f.SetSheetName("Sheet1", "Contacts"); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter("Contacts")
	if err != nil {
		return err
	}
	x.sw = sw
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{
		Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
	})
	if err != nil {
		return err
	}
	dmy := "dd/mm/yyyy"
	if x.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dmy}); err != nil {
		return err
	}
	if err := sw.SetColWidth(1, 8, 18); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: title, Value: "Contacts – CRM export 03/02/2025"}}); err != nil {
		return err
	}
	if err := sw.MergeCell("A1", "H1"); err != nil {
		return err
	}
	hdr := make([]any, len(specs[Contacts].header))
	for i, h := range specs[Contacts].header {
		hdr[i] = excelize.Cell{StyleID: head, Value: h}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", contactsHeaderRow), hdr); err != nil {
		return err
	}
	x.next = contactsHeaderRow + 1
	return nil
}

func (x *xlsxSink) writeRow(w *worker) error {
	for i, v := range w.cells {
		switch v := v.(type) {
		case dateValue:
			w.cells[i] = excelize.Cell{StyleID: x.dateStyle, Value: time.Time(v)}
		case string:
			if v == "" {
				w.cells[i] = nil // an empty cell, not an empty string
			}
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.next)
	if err != nil {
		return err
	}
	x.next++
	return x.sw.SetRow(cell, w.cells)
}

func (x *xlsxSink) close() error {
	err := x.sw.Flush()
	if err == nil {
		err = x.save()
	}
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// save writes the workbook with ordinary file permissions (SaveAs would make it
// executable).
func (x *xlsxSink) save() error {
	out, err := os.Create(x.path)
	if err != nil {
		return err
	}
	_, err = x.f.WriteTo(out)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
