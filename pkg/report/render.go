package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteJSON writes the report with every figure as indented JSON.
func WriteJSON(w io.Writer, r *BoardReport) error { return writeIndented(w, r) }

// writeIndented writes any report as indented JSON.
func writeIndented(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteMarkdown writes the report as Markdown for pasting into minutes.
func WriteMarkdown(w io.Writer, r *BoardReport) error {
	bw := bufio.NewWriter(w)
	m := &md{w: bw}
	m.line("# Board report")
	m.line("")
	period := "all time"
	switch {
	case r.From != "" && r.To != "":
		period = r.From + " to " + r.To
	case r.From != "":
		period = "from " + r.From
	case r.To != "":
		period = "up to " + r.To
	}
	m.line("Period: %s. LYBUNT and SYBUNT as of %s.", period, r.AsOf)
	if r.Currency != "" {
		m.line("Donations in %s only.", r.Currency)
	}
	m.line("")

	m.section("People")
	m.line("%d people after dedupe.", r.People.Total)
	m.line("")
	rows := [][]string{}
	for _, s := range r.People.BySource {
		rows = append(rows, []string{s.Source, n(s.People)})
	}
	m.table([]string{"Source", "People"}, "lr", rows)
	o := r.People.Overlap
	m.table([]string{"Appear in", "People"}, "lr", [][]string{
		{"1 list", n(o.In1)}, {"2 lists", n(o.In2)}, {"3 lists", n(o.In3)}, {"4 or more lists", n(o.In4Plus)}})

	m.section("Duplicates")
	d := r.Duplicates
	m.table([]string{"", "Count"}, "lr", [][]string{
		{"Records imported", n(d.Records)},
		{"Records linked to a person", n(d.LinkedRecords)},
		{"People merged from two or more records", n(d.MergedPeople)},
		{"Records in those people", n(d.MergedRecords)},
		{"Duplicate records merged away", n(d.DuplicatesGone)},
		{"Dedupe runs", n(d.MatchRuns)},
	})

	m.section("Data quality")
	q := r.Quality
	m.table([]string{"People with", "Count", "Share"}, "lrr", [][]string{
		{"an email", n(q.WithEmail.Count), pct(q.WithEmail.Percent)},
		{"a phone", n(q.WithPhone.Count), pct(q.WithPhone.Percent)},
		{"an address", n(q.WithAddress.Count), pct(q.WithAddress.Percent)},
	})
	rows = [][]string{}
	for _, f := range q.ByFile {
		rows = append(rows, []string{f.File, n(f.Problems)})
	}
	rows = append(rows, []string{"**Total**", "**" + n(q.Problems) + "**"})
	m.table([]string{"File", "Problems"}, "lr", rows)

	m.section("Donations")
	dn := r.Donations
	rows = [][]string{}
	for _, t := range dn.Totals {
		rows = append(rows, []string{t.Currency, n(t.Count), n(t.Donors), t.Total, t.Average, t.Median})
	}
	m.table([]string{"Currency", "Donations", "Donors", "Total", "Average gift", "Median gift"}, "lrrrrr", rows)
	m.line("Average gifts are rounded to the cent; totals and medians are exact.")
	m.line("")
	ret := "no donors in %d"
	if dn.Retention.Percent != "" {
		ret = "%s%% (%d of %d donors of %d gave again in %d)"
	}
	m.table([]string{"Donors", "Count"}, "lr", [][]string{
		{"Donors in the period", n(dn.Donors)},
		{"New (first gift ever in the period)", n(dn.NewDonors)},
		{"Returning (gave before the period)", n(dn.ReturningDonors)},
		{"Donations belonging to no person", n(dn.Unattributed)},
	})
	if dn.Retention.Percent != "" {
		m.line("Donor retention: "+ret+".", dn.Retention.Percent, dn.Retention.Retained, dn.Retention.PreviousYear,
			dn.Retention.Year-1, dn.Retention.Year)
	} else {
		m.line("Donor retention: "+ret+".", dn.Retention.Year-1)
	}
	m.line("")
	m.line("### By year")
	m.line("")
	m.table([]string{"Year", "Currency", "Donations", "Total"}, "llrr", periodRows(dn.ByYear))
	m.line("### By month")
	m.line("")
	m.table([]string{"Month", "Currency", "Donations", "Total"}, "llrr", periodRows(dn.ByMonth))
	m.line("### LYBUNT and SYBUNT")
	m.line("")
	m.table([]string{"Segment", "People", "Amount"}, "lrr", [][]string{
		{"LYBUNT (gave last year, not this year; amount: last year's gifts)", n(dn.LYBUNT.People), amounts(dn.LYBUNT.Amounts)},
		{"SYBUNT (gave some year before last, not since; amount: all their gifts)", n(dn.SYBUNT.People), amounts(dn.SYBUNT.Amounts)},
	})
	m.line("### Top donors")
	m.line("")
	rows = [][]string{}
	for _, t := range dn.Top {
		rows = append(rows, []string{t.Currency, n(t.Rank), t.Name, n(t.PersonID), n(t.Count), t.Total})
	}
	m.table([]string{"Currency", "Rank", "Name", "Person", "Donations", "Total"}, "lrlrrr", rows)

	m.section("Volunteers and events")
	act := r.Activity
	m.line("%d volunteers (people tagged as volunteers, or in a volunteers' list).", act.Volunteers)
	m.line("")
	rows = [][]string{}
	for _, t := range act.Tags {
		rows = append(rows, []string{t.Tag, n(t.People)})
	}
	m.table([]string{"Tag", "People"}, "lr", rows)
	m.line("### Events and sign-ups")
	m.line("")
	m.line("Dated records that are not donations (sign-ups, attendance), in the period.")
	m.line("")
	rows = [][]string{}
	for _, e := range act.Events {
		rows = append(rows, []string{e.Source, n(e.Records), n(e.People)})
	}
	m.table([]string{"Source", "Records", "People"}, "lrr", rows)
	rows = [][]string{}
	for _, e := range act.EventsByMonth {
		rows = append(rows, []string{e.Period, n(e.Records), n(e.People)})
	}
	m.table([]string{"Month", "Records", "People"}, "lrr", rows)

	m.section("Opt-outs")
	m.table([]string{"", "Count"}, "lr", [][]string{
		{"People who opted out", n(r.OptOuts.People)},
		{"Suppressed email addresses", n(r.OptOuts.SuppressedEmails)},
	})
	if m.err != nil {
		return m.err
	}
	return bw.Flush()
}

func periodRows(ps []PeriodTotal) [][]string {
	rows := make([][]string, 0, len(ps))
	for _, p := range ps {
		rows = append(rows, []string{p.Period, p.Currency, n(p.Count), p.Total})
	}
	return rows
}

func amounts(ms []MoneyAmount) string {
	if len(ms) == 0 {
		return "0"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = strings.TrimSpace(m.Total + " " + m.Currency)
	}
	return strings.Join(parts, ", ")
}

func n(v int64) string { return strconv.FormatInt(v, 10) }

func pct(p string) string {
	if p == "" {
		return "–"
	}
	return p + "%"
}

type md struct {
	w   *bufio.Writer
	err error
}

func (m *md) line(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format+"\n", args...)
	}
}

// section starts a section; what came before ends with a blank line.
func (m *md) section(title string) {
	m.line("## %s", title)
	m.line("")
}

// table writes a Markdown table; align has one letter per column, l or r.
func (m *md) table(header []string, align string, rows [][]string) {
	if len(rows) == 0 {
		m.line("_None._")
		m.line("")
		return
	}
	cell := func(s string) string {
		s = strings.Join(strings.Fields(s), " ")
		return strings.ReplaceAll(s, "|", `\|`)
	}
	var b strings.Builder
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + cell(c) + " |")
		}
		b.WriteString("\n")
	}
	row(header)
	b.WriteString("|")
	for i := range header {
		if i < len(align) && align[i] == 'r' {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		row(r)
	}
	m.line("%s", b.String())
}
