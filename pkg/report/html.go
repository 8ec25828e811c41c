package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteHTML writes the report as one self-contained HTML page: inline CSS, charts as
// inline SVG, no scripts and nothing fetched from the network, so it can be mailed to
// a board, opened on a phone and printed. html/template escapes every name and file.
func WriteHTML(w io.Writer, r *BoardReport) error {
	page, err := htmlPage(r)
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	bw := bufio.NewWriter(w)
	if err := htmlTemplate.Execute(bw, page); err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	return bw.Flush()
}

// chartOf is one chart with the currency it shows, if any.
type chartOf struct {
	Currency string
	SVG      template.HTML
}

type htmlData struct {
	R       *BoardReport
	Period  string
	Sources template.HTML
	Overlap template.HTML
	ByYear  []chartOf
	ByMonth []chartOf
}

func htmlPage(r *BoardReport) (*htmlData, error) {
	p := &htmlData{R: r, Period: periodText(r)}
	var bars []svgBar
	for _, s := range r.People.BySource {
		bars = append(bars, svgBar{Label: s.Source, Value: float64(s.People), Text: n(s.People),
			Title: fmt.Sprintf("%s: %d people", s.Source, s.People)})
	}
	if len(bars) > 0 {
		p.Sources = barChart("chart-sources", "People by source list", "People", bars)
	}
	o := r.People.Overlap
	bars = nil
	for _, kv := range []struct {
		l string
		v int64
	}{{"1 list", o.In1}, {"2 lists", o.In2}, {"3 lists", o.In3}, {"4 or more lists", o.In4Plus}} {
		bars = append(bars, svgBar{Label: kv.l, Value: float64(kv.v), Text: n(kv.v),
			Title: fmt.Sprintf("%d people appear in %s", kv.v, kv.l)})
	}
	p.Overlap = barChart("chart-overlap", "People by the number of lists they appear in", "People", bars)
	var err error
	if p.ByYear, err = periodCharts("chart-year", "Donations by year", r.Donations.ByYear); err != nil {
		return nil, err
	}
	if p.ByMonth, err = periodCharts("chart-month", "Donations by month", r.Donations.ByMonth); err != nil {
		return nil, err
	}
	return p, nil
}

// periodCharts draws one chart per currency: amounts in different currencies are on
// different scales and are never added together.
func periodCharts(id, title string, ps []PeriodTotal) ([]chartOf, error) {
	var out []chartOf
	for _, cur := range periodCurrencies(ps) {
		var bars []svgBar
		for _, p := range ps {
			if p.Currency != cur {
				continue
			}
			v, err := strconv.ParseFloat(p.Total, 64)
			if err != nil {
				return nil, fmt.Errorf("amount %q of %s: %w", p.Total, p.Period, err)
			}
			label := periodLabel(p.Period)
			bars = append(bars, svgBar{Label: label, Value: v, Text: p.Total,
				Title: fmt.Sprintf("%s: %s %s in %s", label, p.Total, cur, plural(p.Count, "donation"))})
		}
		name := cur
		if name == "" {
			name = "no currency"
		}
		out = append(out, chartOf{Currency: name,
			SVG: barChart(id+"-"+strconv.Itoa(len(out)+1), title+", "+name, "Total "+name, bars)})
	}
	return out, nil
}

// periodLabel shows YYYY-MM as "Feb 2025"; years and anything else stay as they are.
func periodLabel(s string) string {
	if t, err := time.Parse("2006-01", s); err == nil {
		return t.Format("Jan 2006")
	}
	return s
}

func plural(c int64, word string) string {
	if c == 1 {
		return "1 " + word
	}
	return n(c) + " " + word + "s"
}

var htmlTemplate = template.Must(template.New("board").Funcs(template.FuncMap{
	"pct":     pct,
	"amounts": amounts,
	"period":  periodLabel,
	"minus1":  func(y int) int { return y - 1 },
	"periodTable": func(head string, rows []PeriodTotal) any {
		return struct {
			Head string
			Rows []PeriodTotal
		}{head, rows}
	},
}).Parse(strings.TrimSpace(htmlSource)))

const htmlSource = `
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Board report · {{.Period}}</title>
<style>
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: #1b1b1b; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.3rem; margin: 0 0 .75rem; padding-bottom: .25rem; border-bottom: 2px solid #2f6f9f; }
h3 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
section { margin: 2rem 0; }
p { margin: .5rem 0; }
.note { color: #555; font-size: .9rem; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid #d6d6d6; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #888; white-space: nowrap; }
.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: 600; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .75rem; padding: 0; margin: 1rem 0; list-style: none; }
.figures li { border: 1px solid #d6d6d6; border-radius: .4rem; padding: .6rem .75rem; }
.figures b { display: block; font-size: 1.3rem; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 1rem; }
figure { margin: .5rem 0 1rem; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: .25rem; }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart text { font-size: 12px; fill: #1b1b1b; }
svg.chart .tick, svg.chart .axis-title { fill: #444; }
svg.chart .bar { fill: #2f6f9f; }
svg.chart .axis line { stroke: #666; stroke-width: 1; }
@media print {
  @page { margin: 15mm; }
  body { font-size: 10.5pt; color: #000; background: #fff; }
  main { max-width: none; padding: 0; }
  section { break-before: page; margin: 0; }
  .scroll { overflow: visible; }
  table, figure, tr, .figures li { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  svg.chart .bar { fill: #555; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
</style>
</head>
<body>
<main>
<header>
<h1>Board report</h1>
<p>Period: {{.Period}}. LYBUNT and SYBUNT as of {{.R.AsOf}}.</p>
{{- if .R.Currency}}
<p>Donations in {{.R.Currency}} only.</p>
{{- end}}
<ul class="figures">
<li>People after dedupe<b>{{.R.People.Total}}</b></li>
<li>Donors in the period<b>{{.R.Donations.Donors}}</b></li>
{{- range .R.Donations.Totals}}
<li>Donations in {{.Currency}}<b>{{.Total}}</b></li>
{{- end}}
<li>Data problems<b>{{.R.Quality.Problems}}</b></li>
</ul>
</header>

<section id="people">
<h2>People</h2>
<p>{{.R.People.Total}} people after dedupe.</p>
<div class="charts">
{{- if .Sources}}
<figure>
<figcaption>People by source list</figcaption>
{{.Sources}}
</figure>
{{- end}}
<figure>
<figcaption>People by the number of lists they appear in</figcaption>
{{.Overlap}}
</figure>
</div>
<div class="scroll"><table>
<thead><tr><th>Source</th><th class="num">People</th></tr></thead>
<tbody>
{{- range .R.People.BySource}}
<tr><td>{{.Source}}</td><td class="num">{{.People}}</td></tr>
{{- else}}
<tr><td colspan="2">None.</td></tr>
{{- end}}
</tbody>
</table></div>
<div class="scroll"><table>
<thead><tr><th>Appear in</th><th class="num">People</th></tr></thead>
<tbody>
<tr><td>1 list</td><td class="num">{{.R.People.Overlap.In1}}</td></tr>
<tr><td>2 lists</td><td class="num">{{.R.People.Overlap.In2}}</td></tr>
<tr><td>3 lists</td><td class="num">{{.R.People.Overlap.In3}}</td></tr>
<tr><td>4 or more lists</td><td class="num">{{.R.People.Overlap.In4Plus}}</td></tr>
</tbody>
</table></div>
</section>

<section id="duplicates">
<h2>Duplicates</h2>
{{- with .R.Duplicates}}
<div class="scroll"><table>
<thead><tr><th></th><th class="num">Count</th></tr></thead>
<tbody>
<tr><td>Records imported</td><td class="num">{{.Records}}</td></tr>
<tr><td>Records linked to a person</td><td class="num">{{.LinkedRecords}}</td></tr>
<tr><td>People merged from two or more records</td><td class="num">{{.MergedPeople}}</td></tr>
<tr><td>Records in those people</td><td class="num">{{.MergedRecords}}</td></tr>
<tr><td>Duplicate records merged away</td><td class="num">{{.DuplicatesGone}}</td></tr>
<tr><td>Dedupe runs</td><td class="num">{{.MatchRuns}}</td></tr>
</tbody>
</table></div>
{{- end}}
</section>

<section id="quality">
<h2>Data quality</h2>
{{- with .R.Quality}}
<div class="scroll"><table>
<thead><tr><th>People with</th><th class="num">Count</th><th class="num">Share</th></tr></thead>
<tbody>
<tr><td>an email</td><td class="num">{{.WithEmail.Count}}</td><td class="num">{{pct .WithEmail.Percent}}</td></tr>
<tr><td>a phone</td><td class="num">{{.WithPhone.Count}}</td><td class="num">{{pct .WithPhone.Percent}}</td></tr>
<tr><td>an address</td><td class="num">{{.WithAddress.Count}}</td><td class="num">{{pct .WithAddress.Percent}}</td></tr>
</tbody>
</table></div>
<div class="scroll"><table>
<thead><tr><th>File</th><th class="num">Problems</th></tr></thead>
<tbody>
{{- range .ByFile}}
<tr><td>{{.File}}</td><td class="num">{{.Problems}}</td></tr>
{{- end}}
<tr class="total"><td>Total</td><td class="num">{{.Problems}}</td></tr>
</tbody>
</table></div>
{{- end}}
</section>

<section id="donations">
<h2>Donations</h2>
{{- with .R.Donations}}
<div class="scroll"><table>
<thead><tr><th>Currency</th><th class="num">Donations</th><th class="num">Donors</th><th class="num">Total</th><th class="num">Average gift</th><th class="num">Median gift</th></tr></thead>
<tbody>
{{- range .Totals}}
<tr><td>{{.Currency}}</td><td class="num">{{.Count}}</td><td class="num">{{.Donors}}</td><td class="num">{{.Total}}</td><td class="num">{{.Average}}</td><td class="num">{{.Median}}</td></tr>
{{- else}}
<tr><td colspan="6">None.</td></tr>
{{- end}}
</tbody>
</table></div>
<p class="note">Average gifts are rounded to the cent; totals and medians are exact.</p>
<div class="scroll"><table>
<thead><tr><th>Donors</th><th class="num">Count</th></tr></thead>
<tbody>
<tr><td>Donors in the period</td><td class="num">{{.Donors}}</td></tr>
<tr><td>New (first gift ever in the period)</td><td class="num">{{.NewDonors}}</td></tr>
<tr><td>Returning (gave before the period)</td><td class="num">{{.ReturningDonors}}</td></tr>
<tr><td>Donations belonging to no person</td><td class="num">{{.Unattributed}}</td></tr>
</tbody>
</table></div>
{{- with .Retention}}
{{- if .Percent}}
<p>Donor retention: {{.Percent}}% ({{.Retained}} of {{.PreviousYear}} donors of {{minus1 .Year}} gave again in {{.Year}}).</p>
{{- else}}
<p>Donor retention: no donors in {{minus1 .Year}}.</p>
{{- end}}
{{- end}}
{{- end}}

<h3>By year</h3>
{{- if .ByYear}}
<div class="charts">
{{- range .ByYear}}
<figure>
<figcaption>Donations by year, {{.Currency}}</figcaption>
{{.SVG}}
</figure>
{{- end}}
</div>
{{- end}}
{{template "periods" (periodTable "Year" .R.Donations.ByYear)}}

<h3>By month</h3>
{{- if .ByMonth}}
<div class="charts">
{{- range .ByMonth}}
<figure>
<figcaption>Donations by month, {{.Currency}}</figcaption>
{{.SVG}}
</figure>
{{- end}}
</div>
{{- end}}
{{template "periods" (periodTable "Month" .R.Donations.ByMonth)}}

{{- with .R.Donations}}
<h3>LYBUNT and SYBUNT</h3>
<div class="scroll"><table>
<thead><tr><th>Segment</th><th class="num">People</th><th class="num">Amount</th></tr></thead>
<tbody>
<tr><td>LYBUNT (gave last year, not this year; amount: last year's gifts)</td><td class="num">{{.LYBUNT.People}}</td><td class="num">{{amounts .LYBUNT.Amounts}}</td></tr>
<tr><td>SYBUNT (gave some year before last, not since; amount: all their gifts)</td><td class="num">{{.SYBUNT.People}}</td><td class="num">{{amounts .SYBUNT.Amounts}}</td></tr>
</tbody>
</table></div>

<h3>Top donors</h3>
<div class="scroll"><table>
<thead><tr><th>Currency</th><th class="num">Rank</th><th>Name</th><th class="num">Person</th><th class="num">Donations</th><th class="num">Total</th></tr></thead>
<tbody>
{{- range .Top}}
<tr><td>{{.Currency}}</td><td class="num">{{.Rank}}</td><td>{{.Name}}</td><td class="num">{{.PersonID}}</td><td class="num">{{.Count}}</td><td class="num">{{.Total}}</td></tr>
{{- else}}
<tr><td colspan="6">None.</td></tr>
{{- end}}
</tbody>
</table></div>
{{- end}}
</section>

<section id="activity">
<h2>Volunteers and events</h2>
<p>{{.R.Activity.Volunteers}} volunteers (people tagged as volunteers, or in a volunteers' list).</p>
<div class="scroll"><table>
<thead><tr><th>Tag</th><th class="num">People</th></tr></thead>
<tbody>
{{- range .R.Activity.Tags}}
<tr><td>{{.Tag}}</td><td class="num">{{.People}}</td></tr>
{{- else}}
<tr><td colspan="2">None.</td></tr>
{{- end}}
</tbody>
</table></div>
<h3>Events and sign-ups</h3>
<p>Dated records that are not donations (sign-ups, attendance), in the period.</p>
<div class="scroll"><table>
<thead><tr><th>Source</th><th class="num">Records</th><th class="num">People</th></tr></thead>
<tbody>
{{- range .R.Activity.Events}}
<tr><td>{{.Source}}</td><td class="num">{{.Records}}</td><td class="num">{{.People}}</td></tr>
{{- else}}
<tr><td colspan="3">None.</td></tr>
{{- end}}
</tbody>
</table></div>
<div class="scroll"><table>
<thead><tr><th>Month</th><th class="num">Records</th><th class="num">People</th></tr></thead>
<tbody>
{{- range .R.Activity.EventsByMonth}}
<tr><td>{{.Period}}</td><td class="num">{{.Records}}</td><td class="num">{{.People}}</td></tr>
{{- else}}
<tr><td colspan="3">None.</td></tr>
{{- end}}
</tbody>
</table></div>
</section>

<section id="opt-outs">
<h2>Opt-outs</h2>
<div class="scroll"><table>
<thead><tr><th></th><th class="num">Count</th></tr></thead>
<tbody>
<tr><td>People who opted out</td><td class="num">{{.R.OptOuts.People}}</td></tr>
<tr><td>Suppressed email addresses</td><td class="num">{{.R.OptOuts.SuppressedEmails}}</td></tr>
</tbody>
</table></div>
</section>
</main>
</body>
</html>
{{define "periods"}}
<div class="scroll"><table>
<thead><tr><th>{{.Head}}</th><th>Currency</th><th class="num">Donations</th><th class="num">Total</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr><td><time datetime="{{.Period}}">{{period .Period}}</time></td><td>{{.Currency}}</td><td class="num">{{.Count}}</td><td class="num">{{.Total}}</td></tr>
{{- else}}
<tr><td colspan="4">None.</td></tr>
{{- end}}
</tbody>
</table></div>
{{- end}}
`
