package report

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Names that must reach every renderer as text, never as markup or SQL.
const (
	scriptName = `<script>alert(1)</script>`
	bobbyName  = `Robert'); DROP TABLE people;--`
)

// fixtureReport is a board report built by hand, with two currencies, so renderers
// are tested without a store.
func fixtureReport() *BoardReport {
	return &BoardReport{
		From: "2025-01-01", To: "2025-12-31", AsOf: "2025-12-31", Year: 2025,
		People: People{
			Total: 120,
			BySource: []SourceCount{
				{Source: "contacts.csv", People: 80},
				{Source: "donations <2025>.xlsx", People: 55},
				{Source: "newsletter.vcf", People: 30},
			},
			Overlap: Overlap{In1: 85, In2: 25, In3: 8, In4Plus: 2},
		},
		Duplicates: Duplicates{Records: 170, LinkedRecords: 165, MergedPeople: 30, MergedRecords: 75,
			DuplicatesGone: 45, MatchRuns: 3},
		Quality: Quality{
			WithEmail:   Share{Count: 100, Of: 120, Percent: "83.3"},
			WithPhone:   Share{Count: 60, Of: 120, Percent: "50.0"},
			WithAddress: Share{Count: 0, Of: 120, Percent: "0.0"},
			Problems:    7,
			ByFile:      []FileCount{{File: "contacts.csv", Problems: 4}, {File: "newsletter.vcf", Problems: 3}},
		},
		Donations: Donations{
			Totals: []CurrencyTotal{
				{Currency: "EUR", Count: 4, Total: "1234.56", Donors: 3, Average: "308.64", Median: "150.0050"},
				{Currency: "PLN", Count: 3, Total: "300.00", Donors: 2, Average: "100.00", Median: "99.99"},
			},
			ByYear: []PeriodTotal{
				{Period: "2025", Currency: "EUR", Count: 4, Total: "1234.56"},
				{Period: "2025", Currency: "PLN", Count: 3, Total: "300.00"},
			},
			ByMonth: []PeriodTotal{
				{Period: "2025-02", Currency: "EUR", Count: 1, Total: "50.05"},
				{Period: "2025-05", Currency: "EUR", Count: 2, Total: "1084.51"},
				{Period: "2025-07", Currency: "PLN", Count: 1, Total: "0.01"},
				{Period: "2025-08", Currency: "EUR", Count: 1, Total: "100.00"},
				{Period: "2025-09", Currency: "PLN", Count: 2, Total: "299.99"},
			},
			Donors: 5, Unattributed: 1, NewDonors: 2, ReturningDonors: 3,
			Retention: Retention{Year: 2025, PreviousYear: 4, Retained: 3, Percent: "75.0"},
			LYBUNT:    Segment{People: 1, Amounts: []MoneyAmount{{Currency: "PLN", Total: "30.00"}}},
			SYBUNT: Segment{People: 2, Amounts: []MoneyAmount{{Currency: "EUR", Total: "10.00"},
				{Currency: "PLN", Total: "5.50"}}},
			Top: []TopDonor{
				{Currency: "EUR", Rank: 1, PersonID: 12, Name: scriptName, Count: 2, Total: "1000.00"},
				{Currency: "EUR", Rank: 2, PersonID: 7, Name: "Ana García", Count: 1, Total: "150.01"},
				{Currency: "PLN", Rank: 1, PersonID: 3, Name: bobbyName, Count: 2, Total: "299.99"},
			},
		},
		Activity: Activity{Volunteers: 3, Tags: []TagCount{{"volunteer", 3}, {"newsletter", 2}},
			Events:        []EventSource{{"inscripciones.csv", 5, 4}},
			EventsByMonth: []EventPeriod{{"2025-03", 2, 2}, {"2025-05", 3, 3}}},
		OptOuts: OptOuts{People: 4, SuppressedEmails: 6},
	}
}

func writeXLSX(t *testing.T, r *BoardReport) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteXLSXSheetsAndCells(t *testing.T) {
	data := writeXLSX(t, fixtureReport())
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	want := []string{"Summary", "People", "Duplicates", "Data quality", "Donations by year",
		"Donations by month", "Donors", "Top donors", "Volunteers and events", "Opt-outs"}
	got := f.GetSheetList()
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	for _, s := range got {
		if len([]rune(s)) > 31 {
			t.Errorf("sheet name %q is longer than Excel's 31 characters", s)
		}
	}

	cells := []struct {
		sheet, cell string
		raw         string // the stored value
		shown       string // as Excel shows it with the cell's number format; "" skips
		numFmt      string // custom number format; "" skips
	}{
		{"Summary", "B3", "2025-01-01 to 2025-12-31", "", ""},
		{"Summary", "B4", "45658", "2025-01-01", fmtDate},
		{"Summary", "B8", "all currencies", "", ""},
		{"People", "A3", "donations <2025>.xlsx", "", ""},
		{"People", "B2", "80", "80", fmtInt},
		{"People", "B5", "120", "", fmtInt},
		{"People", "E5", "2", "", fmtInt},
		{"Duplicates", "B6", "45", "", fmtInt},
		{"Data quality", "D2", "0.833", "83.3%", fmtPercent},
		{"Data quality", "D4", "0", "0.0%", fmtPercent},
		{"Data quality", "G4", "7", "", fmtInt},
		{"Donations by year", "A2", "2025", "2025", fmtYear},
		{"Donations by year", "D2", "1234.56", "1,234.56", fmtMoney},
		{"Donations by year", "G1", "Total EUR", "", ""},
		{"Donations by year", "H2", "300", "300.00", fmtMoney},
		{"Donations by month", "A2", "45689", "Feb 2025", fmtMonth},
		{"Donations by month", "D4", "0.01", "0.01", fmtMoney},
		// Beside the list, one column per currency; a month without PLN gifts stays empty.
		{"Donations by month", "G3", "1084.51", "", fmtMoney},
		{"Donations by month", "H3", "", "", ""},
		{"Donations by month", "H6", "299.99", "", fmtMoney},
		{"Donors", "D2", "1234.56", "1,234.56", fmtMoney},
		{"Donors", "F2", "150.005", "150.01", fmtMoney},
		{"Donors", "E3", "100", "100.00", fmtMoney},
		{"Top donors", "C2", scriptName, "", ""},
		{"Top donors", "C4", bobbyName, "", ""},
		{"Top donors", "F4", "299.99", "", fmtMoney},
		{"Volunteers and events", "B2", "3", "", fmtInt},
		{"Volunteers and events", "A4", "newsletter", "", ""},
		{"Volunteers and events", "D2", "inscripciones.csv", "", ""},
		{"Volunteers and events", "F2", "4", "", fmtInt},
		{"Volunteers and events", "H3", "2025-05", "", ""},
		{"Volunteers and events", "I3", "3", "", fmtInt},
		{"Opt-outs", "B3", "6", "", fmtInt},
	}
	for _, c := range cells {
		raw, err := f.GetCellValue(c.sheet, c.cell, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if raw != c.raw {
			t.Errorf("%s!%s = %q, want %q", c.sheet, c.cell, raw, c.raw)
		}
		if c.shown != "" {
			shown, err := f.GetCellValue(c.sheet, c.cell)
			if err != nil {
				t.Fatal(err)
			}
			if shown != c.shown {
				t.Errorf("%s!%s shows %q, want %q", c.sheet, c.cell, shown, c.shown)
			}
		}
		if c.numFmt != "" {
			if got := cellNumFmt(t, f, c.sheet, c.cell); got != c.numFmt {
				t.Errorf("%s!%s number format %q, want %q", c.sheet, c.cell, got, c.numFmt)
			}
		}
	}
	// Money is stored as numbers, never as text, so that Excel can sum it.
	if typ, _ := f.GetCellType("Donors", "D2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("Donors!D2 is stored as text")
	}

	// The retention and segment block of the Donors sheet, found by label.
	rows, err := f.GetRows("Donors", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string][]string{}
	for _, row := range rows {
		if len(row) > 0 {
			found[row[0]] = append(found[row[0]], strings.Join(row[1:], "|"))
		}
	}
	for label, want := range map[string]string{
		"Retention":                           "0.75",
		"New (first gift ever in the period)": "2",
		"Donations belonging to no person":    "1",
		"LYBUNT (gave last year, not this year; amount: last year's gifts)":       "1|PLN|30",
		"SYBUNT (gave some year before last, not since; amount: all their gifts)": "2|EUR|10,2|PLN|5.5",
	} {
		got := strings.Join(found[label], ",")
		if label == "Retention" {
			got = found[label][len(found[label])-1] // the header is "Retention" too
		}
		if got != want {
			t.Errorf("Donors row %q = %q, want %q", label, got, want)
		}
	}
}

func cellNumFmt(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt == nil {
		return ""
	}
	return *st.CustomNumFmt
}

func TestWriteXLSXFrozenHeaders(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(writeXLSX(t, fixtureReport())))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, s := range f.GetSheetList() {
		p, err := f.GetPanes(s)
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if s == "Summary" {
			want = 2 // the title, then the header
		}
		if !p.Freeze || p.YSplit != want || p.XSplit != 0 {
			t.Errorf("sheet %s panes = %+v, want the first %d rows frozen", s, p, want)
		}
		if w, err := f.GetColWidth(s, "A"); err != nil || w < 10 {
			t.Errorf("sheet %s column A width %v (%v), want a set width", s, w, err)
		}
	}
}

// chartParts reads the chart parts of the workbook, and which sheet's drawing holds each.
func chartParts(t *testing.T, data []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	parts := map[string]string{}
	for _, zf := range z.File {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[zf.Name] = string(b)
	}
	return parts
}

func TestWriteXLSXCharts(t *testing.T) {
	parts := chartParts(t, writeXLSX(t, fixtureReport()))
	if len(parts) != 4 {
		t.Fatalf("%d chart parts, want 4: %v", len(parts), mapKeys(parts))
	}
	formulas := regexp.MustCompile(`<(?:c:)?f>([^<]*)</(?:c:)?f>`)
	want := []struct {
		kind string   // the chart element, without a namespace prefix
		refs []string // every range it must draw
	}{
		{"barChart>", []string{"'People'!$A$2:$A$4", "'People'!$B$2:$B$4"}},
		{"barChart>", []string{"'People'!$D$2:$D$5", "'People'!$E$2:$E$5"}},
		{"barChart>", []string{"'Donations by year'!$F$2:$F$2", "'Donations by year'!$G$2:$G$2",
			"'Donations by year'!$H$2:$H$2", "'Donations by year'!$G$1", "'Donations by year'!$H$1"}},
		{"lineChart>", []string{"'Donations by month'!$F$2:$F$6", "'Donations by month'!$G$2:$G$6",
			"'Donations by month'!$H$2:$H$6"}},
	}
	matched := make([]bool, len(want))
	for name, xml := range parts {
		var refs []string
		for _, m := range formulas.FindAllStringSubmatch(xml, -1) {
			refs = append(refs, strings.ReplaceAll(m[1], "&#39;", "'"))
		}
		for i, w := range want {
			if matched[i] || !strings.Contains(xml, w.kind) || !containsAll(refs, w.refs) {
				continue
			}
			matched[i] = true
			t.Logf("%s draws %v", name, refs)
			break
		}
	}
	for i, ok := range matched {
		if !ok {
			t.Errorf("no chart %s drawing %v", want[i].kind, want[i].refs)
		}
	}
	// The monthly chart has one series per currency.
	for _, xml := range parts {
		if strings.Contains(xml, "lineChart>") {
			if n := len(regexp.MustCompile(`<(?:c:)?ser>`).FindAllString(xml, -1)); n != 2 {
				t.Errorf("monthly chart has %d series, want 2 (EUR, PLN)", n)
			}
		}
	}
}

func TestWriteXLSXEmptyReport(t *testing.T) {
	// A new store has no people and no donations: the workbook is still written,
	// with only the overlap chart (which always has its four categories).
	r := &BoardReport{AsOf: "2025-06-30", Year: 2025}
	data := writeXLSX(t, r)
	if n := len(chartParts(t, data)); n != 1 {
		t.Errorf("%d charts in an empty report, want 1", n)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Summary", "B3"); v != "all time" {
		t.Errorf("period = %q, want all time", v)
	}
	if v, _ := f.GetCellValue("Summary", "B4"); v != "–" {
		t.Errorf("no start date = %q, want a dash", v)
	}
	if v, _ := f.GetCellValue("Donors", "B13"); v != "–" {
		t.Errorf("retention without donors last year = %q, want a dash", v)
	}
}

func TestWriteXLSXBadAmount(t *testing.T) {
	r := fixtureReport()
	r.Donations.Totals[0].Total = "12,50"
	err := WriteXLSX(io.Discard, r)
	if err == nil || !strings.Contains(err.Error(), `"12,50"`) {
		t.Fatalf("err = %v, want one naming the amount", err)
	}
}

func containsAll(have, want []string) bool {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

func mapKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestWriteXLSXNamesStayText(t *testing.T) {
	// A donor's name that looks like a formula must be stored as text, never run by Excel.
	r := fixtureReport()
	r.Donations.Top[1].Name = `=HYPERLINK("http://example.org","x")`
	f, err := excelize.OpenReader(bytes.NewReader(writeXLSX(t, r)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	formula, err := f.GetCellFormula("Top donors", "C3")
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.GetCellValue("Top donors", "C3")
	if formula != "" || v != r.Donations.Top[1].Name {
		t.Errorf("C3 formula %q value %q, want the name as text", formula, v)
	}
}
