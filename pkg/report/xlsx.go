package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the workbook, in order; each is at most 31 characters, Excel's limit.
const (
	sheetSummary    = "Summary"
	sheetPeople     = "People"
	sheetDuplicates = "Duplicates"
	sheetQuality    = "Data quality"
	sheetByYear     = "Donations by year"
	sheetByMonth    = "Donations by month"
	sheetDonors     = "Donors"
	sheetTop        = "Top donors"
	sheetOptOuts    = "Opt-outs"
	sheetActivity   = "Volunteers and events"
)

// Number formats of the workbook.
const (
	fmtInt     = "#,##0"
	fmtMoney   = "#,##0.00"
	fmtPercent = "0.0%"
	fmtDate    = "yyyy-mm-dd"
	fmtMonth   = "mmm yyyy"
	fmtYear    = "0"
)

// WriteXLSX writes the report as an Excel workbook: one sheet per section, money as
// numbers with two decimals, and charts of people and donations. Cells hold float64,
// which shows DECIMAL(18,4) amounts exactly enough; the exact text is in the JSON.
func WriteXLSX(w io.Writer, r *BoardReport) error {
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f}
	if err := x.styles(); err != nil {
		return fmt.Errorf("xlsx styles: %w", err)
	}
	if err := f.SetSheetName("Sheet1", sheetSummary); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for _, s := range []string{sheetPeople, sheetDuplicates, sheetQuality, sheetByYear, sheetByMonth,
		sheetDonors, sheetTop, sheetActivity, sheetOptOuts} {
		if _, err := f.NewSheet(s); err != nil {
			return fmt.Errorf("xlsx sheet %s: %w", s, err)
		}
	}
	for _, sheet := range []func(*BoardReport){x.summary, x.people, x.duplicates, x.quality,
		x.byYear, x.byMonth, x.donors, x.top, x.activity, x.optOuts} {
		sheet(r)
	}
	if x.err != nil {
		return fmt.Errorf("xlsx: %w", x.err)
	}
	f.SetActiveSheet(0)
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// xlsxWriter keeps the first error so that sheets read as a list of cells.
type xlsxWriter struct {
	f   *excelize.File
	err error

	title, header, text, integer, money, percent, date, month, year, plain, bold, boldInt int
}

func (x *xlsxWriter) styles() error {
	custom := func(s string) *string { return &s }
	headerBorder := []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}
	for _, s := range []struct {
		into  *int
		style excelize.Style
	}{
		{&x.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}},
		{&x.header, excelize.Style{Font: &excelize.Font{Bold: true}, Border: headerBorder,
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}},
		{&x.text, excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}},
		{&x.integer, excelize.Style{CustomNumFmt: custom(fmtInt)}},
		{&x.money, excelize.Style{CustomNumFmt: custom(fmtMoney)}},
		{&x.percent, excelize.Style{CustomNumFmt: custom(fmtPercent)}},
		{&x.date, excelize.Style{CustomNumFmt: custom(fmtDate), Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&x.month, excelize.Style{CustomNumFmt: custom(fmtMonth), Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&x.year, excelize.Style{CustomNumFmt: custom(fmtYear), Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&x.plain, excelize.Style{CustomNumFmt: custom(fmtYear)}}, // identifiers: no thousands separator
		{&x.bold, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&x.boldInt, excelize.Style{Font: &excelize.Font{Bold: true}, CustomNumFmt: custom(fmtInt)}},
	} {
		id, err := x.f.NewStyle(&s.style)
		if err != nil {
			return err
		}
		*s.into = id
	}
	return nil
}

func cellName(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row) // col and row are always ≥ 1 here
	return c
}

// set writes v into the cell at col, row of sheet with a style; style 0 keeps the default.
func (x *xlsxWriter) set(sheet string, col, row int, v any, style int) {
	if x.err != nil {
		return
	}
	c := cellName(col, row)
	if x.err = x.f.SetCellValue(sheet, c, v); x.err != nil {
		return
	}
	if style != 0 {
		x.err = x.f.SetCellStyle(sheet, c, c, style)
	}
}

// headers writes a header row starting at col.
func (x *xlsxWriter) headers(sheet string, col, row int, names ...string) {
	for i, h := range names {
		x.set(sheet, col+i, row, h, x.header)
	}
}

// amount writes a decimal string as a number with two decimals; an empty string
// leaves the cell empty (no average of no gifts).
func (x *xlsxWriter) amount(sheet string, col, row int, s string) {
	if x.err != nil || s == "" {
		return
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		x.err = fmt.Errorf("amount %q: %w", s, err)
		return
	}
	x.set(sheet, col, row, v, x.money)
}

// share writes a percentage such as "66.7" as the fraction 0.667 shown as 66.7%;
// no percentage (of zero) is a dash.
func (x *xlsxWriter) share(sheet string, col, row int, p string) {
	if x.err != nil {
		return
	}
	if p == "" {
		x.set(sheet, col, row, "–", x.text)
		return
	}
	v, err := strconv.ParseFloat(p, 64)
	if err != nil {
		x.err = fmt.Errorf("percentage %q: %w", p, err)
		return
	}
	x.set(sheet, col, row, v/100, x.percent)
}

// day writes a YYYY-MM-DD date as a date cell, a dash for no date (an unbounded
// period), or text when it is not a date.
func (x *xlsxWriter) day(sheet string, col, row int, s string) {
	if s == "" {
		x.set(sheet, col, row, "–", x.text)
		return
	}
	if t, err := time.Parse(day, s); err == nil {
		x.set(sheet, col, row, t, x.date)
		return
	}
	x.set(sheet, col, row, s, x.text)
}

// period writes YYYY as a number and YYYY-MM as the month's first day shown as "Mar 2025",
// so that Excel sorts and filters them as years and months.
func (x *xlsxWriter) period(sheet string, col, row int, s string) {
	if y, err := strconv.Atoi(s); err == nil && len(s) == 4 {
		x.set(sheet, col, row, y, x.year)
		return
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		x.set(sheet, col, row, t, x.month)
		return
	}
	x.set(sheet, col, row, s, x.text)
}

func (x *xlsxWriter) widths(sheet string, widths ...float64) {
	for i, wd := range widths {
		if x.err != nil || wd == 0 {
			continue
		}
		c, _ := excelize.ColumnNumberToName(i + 1)
		x.err = x.f.SetColWidth(sheet, c, c, wd)
	}
}

// freeze keeps the first rows rows in view while scrolling.
func (x *xlsxWriter) freeze(sheet string, rows int) {
	if x.err != nil {
		return
	}
	x.err = x.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: rows, TopLeftCell: cellName(1, rows+1),
		ActivePane: "bottomLeft", Selection: []excelize.Selection{{SQRef: cellName(1, rows+1), ActiveCell: cellName(1, rows+1), Pane: "bottomLeft"}}})
}

// xlsxRange is an absolute range reference to column col, rows from..to of sheet, for charts.
func xlsxRange(sheet string, col, from, to int) string {
	c, _ := excelize.ColumnNumberToName(col)
	return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sheet, c, from, c, to)
}

// absCell is an absolute reference to one cell, for a series name.
func absCell(sheet string, col, row int) string {
	c, _ := excelize.ColumnNumberToName(col)
	return fmt.Sprintf("'%s'!$%s$%d", sheet, c, row)
}

// chart adds a chart with its top left corner at the cell at.
func (x *xlsxWriter) chart(sheet, at string, c *excelize.Chart) {
	if x.err != nil {
		return
	}
	if c.Dimension.Width == 0 {
		c.Dimension = excelize.ChartDimension{Width: 640, Height: 320}
	}
	x.err = x.f.AddChart(sheet, at, c)
}

func chartTitle(s string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s}}}
}

// periodText names the period in the words of the Markdown report.
func periodText(r *BoardReport) string {
	switch {
	case r.From != "" && r.To != "":
		return r.From + " to " + r.To
	case r.From != "":
		return "from " + r.From
	case r.To != "":
		return "up to " + r.To
	}
	return "all time"
}

func (x *xlsxWriter) summary(r *BoardReport) {
	s := sheetSummary
	x.set(s, 1, 1, "Board report", x.title)
	x.headers(s, 1, 2, "", "Value")
	row := 3
	label := func(l string) { x.set(s, 1, row, l, x.text) }
	label("Period")
	x.set(s, 2, row, periodText(r), x.text)
	row++
	label("From")
	x.day(s, 2, row, r.From)
	row++
	label("To")
	x.day(s, 2, row, r.To)
	row++
	label("LYBUNT and SYBUNT as of")
	x.day(s, 2, row, r.AsOf)
	row++
	label("Reporting year (retention)")
	x.set(s, 2, row, r.Year, x.year)
	row++
	label("Donations in")
	cur := "all currencies"
	if r.Currency != "" {
		cur = r.Currency + " only"
	}
	x.set(s, 2, row, cur, x.text)
	row++
	for _, kv := range []labelCount{
		{"People after dedupe", r.People.Total},
		{"Duplicate records merged away", r.Duplicates.DuplicatesGone},
		{"Data problems", r.Quality.Problems},
		{"Donors in the period", r.Donations.Donors},
		{"People who opted out", r.OptOuts.People},
	} {
		label(kv.l)
		x.set(s, 2, row, kv.v, x.integer)
		row++
	}
	for _, t := range r.Donations.Totals {
		label("Donations total " + t.Currency)
		x.amount(s, 2, row, t.Total)
		row++
	}
	x.widths(s, 34, 22)
	x.freeze(s, 2)
}

func (x *xlsxWriter) people(r *BoardReport) {
	s := sheetPeople
	x.headers(s, 1, 1, "Source", "People")
	for i, src := range r.People.BySource {
		x.set(s, 1, i+2, src.Source, x.text)
		x.set(s, 2, i+2, src.People, x.integer)
	}
	total := len(r.People.BySource) + 2
	x.set(s, 1, total, "People after dedupe", x.bold)
	x.set(s, 2, total, r.People.Total, x.boldInt)

	x.headers(s, 4, 1, "Appear in", "People")
	o := r.People.Overlap
	for i, kv := range []labelCount{{"1 list", o.In1}, {"2 lists", o.In2}, {"3 lists", o.In3}, {"4 or more lists", o.In4Plus}} {
		x.set(s, 4, i+2, kv.l, x.text)
		x.set(s, 5, i+2, kv.v, x.integer)
	}
	x.widths(s, 36, 12, 3, 18, 12)
	x.freeze(s, 1)

	noVary := false // one series: one colour, as in the HTML report
	// Charts sit below both tables so they never hide a figure.
	chartRow := max(total, 6) + 2
	if n := len(r.People.BySource); n > 0 {
		x.chart(s, cellName(1, chartRow), &excelize.Chart{
			Type:   excelize.Bar,
			Series: []excelize.ChartSeries{{Name: absCell(s, 2, 1), Categories: xlsxRange(s, 1, 2, n+1), Values: xlsxRange(s, 2, 2, n+1)}},
			Title:  chartTitle("People by source"), VaryColors: &noVary, Legend: excelize.ChartLegend{Position: "none"},
			YAxis:  excelize.ChartAxis{MajorGridLines: true},
			XAxis:  excelize.ChartAxis{ReverseOrder: true}, // first source on top, as in the table
			Format: excelize.GraphicOptions{AltText: "People by source"},
		})
	}
	x.chart(s, cellName(8, chartRow), &excelize.Chart{
		Type:   excelize.Col,
		Series: []excelize.ChartSeries{{Name: absCell(s, 5, 1), Categories: xlsxRange(s, 4, 2, 5), Values: xlsxRange(s, 5, 2, 5)}},
		Title:  chartTitle("People by number of lists they appear in"), VaryColors: &noVary, Legend: excelize.ChartLegend{Position: "none"},
		YAxis:  excelize.ChartAxis{MajorGridLines: true},
		Format: excelize.GraphicOptions{AltText: "Overlap between lists"},
	})
}

// labelCount is one row of a table of counts.
type labelCount struct {
	l string
	v int64
}

// labelled writes a two-column table of label and count with a header row.
func (x *xlsxWriter) labelled(s, head string, rows []labelCount) {
	x.headers(s, 1, 1, head, "Count")
	for i, kv := range rows {
		x.set(s, 1, i+2, kv.l, x.text)
		x.set(s, 2, i+2, kv.v, x.integer)
	}
	x.widths(s, 44, 12)
	x.freeze(s, 1)
}

func (x *xlsxWriter) duplicates(r *BoardReport) {
	d := r.Duplicates
	x.labelled(sheetDuplicates, "", []labelCount{
		{"Records imported", d.Records},
		{"Records linked to a person", d.LinkedRecords},
		{"People merged from two or more records", d.MergedPeople},
		{"Records in those people", d.MergedRecords},
		{"Duplicate records merged away", d.DuplicatesGone},
		{"Dedupe runs", d.MatchRuns},
	})
}

func (x *xlsxWriter) quality(r *BoardReport) {
	s := sheetQuality
	q := r.Quality
	x.headers(s, 1, 1, "People with", "Count", "Of", "Share")
	for i, kv := range []struct {
		l  string
		sh Share
	}{{"an email", q.WithEmail}, {"a phone", q.WithPhone}, {"an address", q.WithAddress}} {
		x.set(s, 1, i+2, kv.l, x.text)
		x.set(s, 2, i+2, kv.sh.Count, x.integer)
		x.set(s, 3, i+2, kv.sh.Of, x.integer)
		x.share(s, 4, i+2, kv.sh.Percent)
	}
	x.headers(s, 6, 1, "File", "Problems")
	for i, f := range q.ByFile {
		x.set(s, 6, i+2, f.File, x.text)
		x.set(s, 7, i+2, f.Problems, x.integer)
	}
	total := len(q.ByFile) + 2
	x.set(s, 6, total, "Total", x.bold)
	x.set(s, 7, total, q.Problems, x.boldInt)
	x.widths(s, 16, 10, 10, 10, 3, 40, 12)
	x.freeze(s, 1)
}

// periodCurrencies lists the currencies of periods in order.
func periodCurrencies(ps []PeriodTotal) []string {
	seen := map[string]bool{}
	var cs []string
	for _, p := range ps {
		if !seen[p.Currency] {
			seen[p.Currency] = true
			cs = append(cs, p.Currency)
		}
	}
	sort.Strings(cs)
	return cs
}

// periodList lists the distinct periods in order.
func periodList(ps []PeriodTotal) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		if !seen[p.Period] {
			seen[p.Period] = true
			out = append(out, p.Period)
		}
	}
	sort.Strings(out)
	return out
}

// pivotCol is the first column of the per-currency table beside the period list.
const pivotCol = 6

// periodSheet writes the period list (period, currency, count, total) and beside it a
// table with one column of totals per currency, which the chart draws one series each:
// currencies are never added together.
func (x *xlsxWriter) periodSheet(s, head string, ps []PeriodTotal, chartType excelize.ChartType, catFmt, title string) {
	x.headers(s, 1, 1, head, "Currency", "Donations", "Total")
	for i, p := range ps {
		x.period(s, 1, i+2, p.Period)
		x.set(s, 2, i+2, p.Currency, x.text)
		x.set(s, 3, i+2, p.Count, x.integer)
		x.amount(s, 4, i+2, p.Total)
	}
	curs, pers := periodCurrencies(ps), periodList(ps)
	x.headers(s, pivotCol, 1, head)
	for j, c := range curs {
		x.headers(s, pivotCol+1+j, 1, "Total "+c)
	}
	at := map[string]int{}
	for i, p := range pers {
		at[p] = i + 2
		x.period(s, pivotCol, i+2, p)
	}
	for _, p := range ps {
		for j, c := range curs {
			if c == p.Currency {
				x.amount(s, pivotCol+1+j, at[p.Period], p.Total)
			}
		}
	}
	x.widths(s, 12, 10, 11, 14, 3, 12, 14, 14, 14, 14)
	x.freeze(s, 1)
	if len(pers) == 0 {
		return
	}
	var series []excelize.ChartSeries
	for j := range curs {
		series = append(series, excelize.ChartSeries{Name: absCell(s, pivotCol+1+j, 1),
			Categories: xlsxRange(s, pivotCol, 2, len(pers)+1), Values: xlsxRange(s, pivotCol+1+j, 2, len(pers)+1)})
	}
	c, _ := excelize.ColumnNumberToName(pivotCol + len(curs) + 2)
	x.chart(s, c+"2", &excelize.Chart{
		Type: chartType, Series: series, Title: chartTitle(title),
		Legend: excelize.ChartLegend{Position: "bottom"},
		// Without the format, months on the axis would show as Excel's day numbers.
		XAxis:  excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: catFmt}},
		YAxis:  excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: fmtMoney}},
		Format: excelize.GraphicOptions{AltText: title},
	})
}

func (x *xlsxWriter) byYear(r *BoardReport) {
	x.periodSheet(sheetByYear, "Year", r.Donations.ByYear, excelize.Col, fmtYear, "Donations by year, per currency")
}

func (x *xlsxWriter) byMonth(r *BoardReport) {
	x.periodSheet(sheetByMonth, "Month", r.Donations.ByMonth, excelize.Line, fmtMonth, "Donations by month, per currency")
}

func (x *xlsxWriter) donors(r *BoardReport) {
	s := sheetDonors
	d := r.Donations
	x.headers(s, 1, 1, "Currency", "Donations", "Donors", "Total", "Average gift", "Median gift")
	row := 2
	for _, t := range d.Totals {
		x.set(s, 1, row, t.Currency, x.text)
		x.set(s, 2, row, t.Count, x.integer)
		x.set(s, 3, row, t.Donors, x.integer)
		x.amount(s, 4, row, t.Total)
		x.amount(s, 5, row, t.Average)
		x.amount(s, 6, row, t.Median)
		row++
	}
	x.set(s, 1, row, "Average gifts are rounded to the cent; totals and medians are exact.", x.text)
	row += 2

	x.headers(s, 1, row, "Donors", "Count")
	row++
	for _, kv := range []labelCount{
		{"Donors in the period", d.Donors},
		{"New (first gift ever in the period)", d.NewDonors},
		{"Returning (gave before the period)", d.ReturningDonors},
		{"Donations belonging to no person", d.Unattributed},
	} {
		x.set(s, 1, row, kv.l, x.text)
		x.set(s, 2, row, kv.v, x.integer)
		row++
	}
	row++

	ret := d.Retention
	x.headers(s, 1, row, "Retention", "Value")
	row++
	x.set(s, 1, row, fmt.Sprintf("Donors of %d", ret.Year-1), x.text)
	x.set(s, 2, row, ret.PreviousYear, x.integer)
	row++
	x.set(s, 1, row, fmt.Sprintf("Of them, gave again in %d", ret.Year), x.text)
	x.set(s, 2, row, ret.Retained, x.integer)
	row++
	x.set(s, 1, row, "Retention", x.text)
	x.share(s, 2, row, ret.Percent)
	row += 2

	x.headers(s, 1, row, "Segment", "People", "Currency", "Amount")
	row++
	for _, seg := range []struct {
		l   string
		seg Segment
	}{
		{"LYBUNT (gave last year, not this year; amount: last year's gifts)", d.LYBUNT},
		{"SYBUNT (gave some year before last, not since; amount: all their gifts)", d.SYBUNT},
	} {
		if len(seg.seg.Amounts) == 0 {
			x.set(s, 1, row, seg.l, x.text)
			x.set(s, 2, row, seg.seg.People, x.integer)
			x.amount(s, 4, row, "0")
			row++
		}
		// One row per currency: amounts in different currencies are never added.
		for _, m := range seg.seg.Amounts {
			x.set(s, 1, row, seg.l, x.text)
			x.set(s, 2, row, seg.seg.People, x.integer)
			x.set(s, 3, row, m.Currency, x.text)
			x.amount(s, 4, row, m.Total)
			row++
		}
	}
	x.widths(s, 44, 12, 12, 14, 14, 14)
	x.freeze(s, 1)
}

func (x *xlsxWriter) top(r *BoardReport) {
	s := sheetTop
	x.headers(s, 1, 1, "Currency", "Rank", "Name", "Person", "Donations", "Total")
	for i, t := range r.Donations.Top {
		x.set(s, 1, i+2, t.Currency, x.text)
		x.set(s, 2, i+2, t.Rank, x.integer)
		x.set(s, 3, i+2, t.Name, x.text)
		x.set(s, 4, i+2, t.PersonID, x.plain)
		x.set(s, 5, i+2, t.Count, x.integer)
		x.amount(s, 6, i+2, t.Total)
	}
	x.widths(s, 10, 7, 32, 10, 11, 14)
	x.freeze(s, 1)
}

// activity lists volunteers and tags on the left, events per file and month on
// the right.
func (x *xlsxWriter) activity(r *BoardReport) {
	s, a := sheetActivity, r.Activity
	x.headers(s, 1, 1, "Tag", "People")
	x.set(s, 1, 2, "Volunteers", x.text)
	x.set(s, 2, 2, a.Volunteers, x.integer)
	for i, t := range a.Tags {
		x.set(s, 1, i+3, t.Tag, x.text)
		x.set(s, 2, i+3, t.People, x.integer)
	}
	x.headers(s, 4, 1, "Events: source", "Records", "People")
	for i, e := range a.Events {
		x.set(s, 4, i+2, e.Source, x.text)
		x.set(s, 5, i+2, e.Records, x.integer)
		x.set(s, 6, i+2, e.People, x.integer)
	}
	x.headers(s, 8, 1, "Month", "Records", "People")
	for i, e := range a.EventsByMonth {
		x.set(s, 8, i+2, e.Period, x.text)
		x.set(s, 9, i+2, e.Records, x.integer)
		x.set(s, 10, i+2, e.People, x.integer)
	}
	x.widths(s, 28, 10, 4, 32, 10, 10, 4, 10, 10, 10)
	x.freeze(s, 1)
}

func (x *xlsxWriter) optOuts(r *BoardReport) {
	x.labelled(sheetOptOuts, "", []labelCount{
		{"People who opted out", r.OptOuts.People},
		{"Suppressed email addresses", r.OptOuts.SuppressedEmails},
	})
}
