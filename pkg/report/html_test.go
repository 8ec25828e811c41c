package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

func renderHTML(t *testing.T, r *BoardReport) (string, *html.Node) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return buf.String(), doc
}

// walkElements calls f on every element under n.
func walkElements(n *html.Node, f func(*html.Node)) {
	if n.Type == html.ElementNode {
		f(n)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkElements(c, f)
	}
}

func nodeAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	v, _ := nodeAttr(n, "class")
	for _, c := range strings.Fields(v) {
		if c == class {
			return true
		}
	}
	return false
}

// nodeText is the text of n with runs of white space made one space.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteString(" ")
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func TestWriteHTMLSelfContained(t *testing.T) {
	raw, doc := renderHTML(t, fixtureReport())
	if !strings.HasPrefix(raw, "<!DOCTYPE html>") {
		t.Errorf("no doctype: %.40q", raw)
	}
	external := regexp.MustCompile(`^\s*(?i:https?:|//)`)
	var viewport, styles int
	walkElements(doc, func(n *html.Node) {
		switch n.Data {
		case "script", "link", "img", "iframe", "object", "embed", "image", "use", "foreignObject":
			// No scripts at all, and nothing that loads another resource.
			t.Errorf("unexpected <%s> element", n.Data)
		case "meta":
			if v, _ := nodeAttr(n, "name"); v == "viewport" {
				viewport++
				if c, _ := nodeAttr(n, "content"); !strings.Contains(c, "width=device-width") {
					t.Errorf("viewport %q", c)
				}
			}
		case "style":
			styles++
			css := nodeText(n)
			for _, bad := range []string{"@import", "url(", "@font-face"} {
				if strings.Contains(css, bad) {
					t.Errorf("CSS uses %s", bad)
				}
			}
			for _, want := range []string{"@media print", "overflow-x: auto", "break-before: page"} {
				if !strings.Contains(css, want) {
					t.Errorf("CSS lacks %q", want)
				}
			}
		}
		for _, a := range n.Attr {
			k := strings.TrimPrefix(a.Key, "xlink:")
			if (k == "src" || k == "href" || k == "action" || k == "srcset") && external.MatchString(a.Val) {
				t.Errorf("<%s %s=%q> points to the network", n.Data, a.Key, a.Val)
			}
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has event handler %s", n.Data, a.Key)
			}
		}
	})
	if viewport != 1 || styles != 1 {
		t.Errorf("%d viewport metas and %d style elements, want 1 and 1", viewport, styles)
	}
	if regexp.MustCompile(`(?i)\b(src|href)\s*=\s*["']?\s*(https?:)?//`).MatchString(raw) {
		t.Error("output has a src= or href= to the network")
	}
}

func TestWriteHTMLCharts(t *testing.T) {
	_, doc := renderHTML(t, fixtureReport())
	// Bars per chart, in page order: sources, overlap, years per currency, months per currency.
	want := []struct {
		title string
		bars  int
	}{
		{"People by source list", 3},
		{"People by the number of lists they appear in", 4},
		{"Donations by year, EUR", 1},
		{"Donations by year, PLN", 1},
		{"Donations by month, EUR", 3},
		{"Donations by month, PLN", 2},
	}
	var svgs []*html.Node
	walkElements(doc, func(n *html.Node) {
		if n.Data == "svg" {
			svgs = append(svgs, n)
		}
	})
	if len(svgs) != len(want) {
		t.Fatalf("%d svg charts, want %d", len(svgs), len(want))
	}
	for i, svg := range svgs {
		if vb, _ := nodeAttr(svg, "viewBox"); !regexp.MustCompile(`^0 0 [0-9.]+ [0-9.]+$`).MatchString(vb) {
			t.Errorf("chart %d viewBox %q", i, vb)
		}
		if w, _ := nodeAttr(svg, "width"); w != "100%" {
			t.Errorf("chart %d width %q, want 100%%", i, w)
		}
		if role, _ := nodeAttr(svg, "role"); role != "img" {
			t.Errorf("chart %d role %q, want img", i, role)
		}
		first := svg.FirstChild
		if first == nil || first.Data != "title" || nodeText(first) != want[i].title {
			t.Errorf("chart %d: first child is not <title>%s</title>", i, want[i].title)
		}
		var bars, titles, ticks int
		var labels []string
		walkElements(svg, func(n *html.Node) {
			switch {
			case (n.Data == "rect" || n.Data == "path") && hasClass(n, "bar"):
				bars++
				if w, _ := nodeAttr(n, "width"); strings.HasPrefix(w, "-") {
					t.Errorf("chart %d: negative bar width %s", i, w)
				}
			case n.Data == "title":
				titles++
			case n.Data == "text" && hasClass(n, "tick"):
				ticks++
			case n.Data == "text" && hasClass(n, "label"):
				labels = append(labels, nodeText(n))
			}
		})
		if bars != want[i].bars {
			t.Errorf("chart %q has %d bars, want %d", want[i].title, bars, want[i].bars)
		}
		if titles != bars+1 {
			t.Errorf("chart %q has %d titles, want one per bar and one for the chart", want[i].title, titles)
		}
		if ticks != 3 {
			t.Errorf("chart %q has %d axis ticks, want 3", want[i].title, ticks)
		}
		if len(labels) != bars {
			t.Errorf("chart %q has labels %q for %d bars", want[i].title, labels, bars)
		}
	}
	// The monthly EUR chart: labels readable, values exact, the longest bar the largest total.
	var monthLabels, monthValues []string
	var widths []string
	walkElements(svgs[4], func(n *html.Node) {
		switch {
		case hasClass(n, "label"):
			monthLabels = append(monthLabels, nodeText(n))
		case hasClass(n, "value"):
			monthValues = append(monthValues, nodeText(n))
		case hasClass(n, "bar"):
			w, _ := nodeAttr(n, "width")
			widths = append(widths, w)
		}
	})
	if got := strings.Join(monthLabels, ","); got != "Feb 2025,May 2025,Aug 2025" {
		t.Errorf("month labels %s", got)
	}
	if got := strings.Join(monthValues, ","); got != "50.05,1084.51,100.00" {
		t.Errorf("month values %s", got)
	}
	// Scale: 1084.51 of an axis up to 2000 over a plot 178 wide.
	if got := strings.Join(widths, ","); got != "4.45,96.52,8.9" {
		t.Errorf("month bar widths %s", got)
	}
}

func TestWriteHTMLEscapes(t *testing.T) {
	raw, doc := renderHTML(t, fixtureReport())
	for _, bad := range []string{"<script>alert", "alert(1)</script>", "<2025>"} {
		if strings.Contains(raw, bad) {
			t.Errorf("output holds %q unescaped", bad)
		}
	}
	for _, want := range []string{
		"<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>",
		"<td>Robert&#39;); DROP TABLE people;--</td>",
		"donations &lt;2025&gt;.xlsx",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// Parsed back, the names are text in table cells, and the source name is the
	// tooltip of its bar.
	cells := map[string]bool{}
	var barTitles []string
	walkElements(doc, func(n *html.Node) {
		switch n.Data {
		case "td":
			cells[nodeText(n)] = true
		case "title":
			if n.Parent != nil && hasClass(n.Parent, "row") {
				barTitles = append(barTitles, nodeText(n))
			}
		}
	})
	for _, name := range []string{scriptName, bobbyName, "donations <2025>.xlsx"} {
		if !cells[name] {
			t.Errorf("no table cell reads %q", name)
		}
	}
	if len(barTitles) == 0 || barTitles[1] != "donations <2025>.xlsx: 55 people" {
		t.Errorf("bar titles %q", barTitles)
	}
}

// TestWriteHTMLHasMarkdownFigures checks that every cell and sentence of the Markdown
// report reads the same in the HTML one.
func TestWriteHTMLHasMarkdownFigures(t *testing.T) {
	for name, r := range map[string]*BoardReport{"full": fixtureReport(), "empty": {AsOf: "2025-06-30", Year: 2025}} {
		t.Run(name, func(t *testing.T) {
			var md bytes.Buffer
			if err := WriteMarkdown(&md, r); err != nil {
				t.Fatal(err)
			}
			_, doc := renderHTML(t, r)
			var body *html.Node
			walkElements(doc, func(n *html.Node) {
				if n.Data == "body" {
					body = n
				}
			})
			page := nodeText(body)
			// Periods read "Feb 2025" on the page; the machine form is in <time datetime>.
			walkElements(doc, func(n *html.Node) {
				if v, ok := nodeAttr(n, "datetime"); ok {
					page += " " + v
				}
			})
			clean := strings.NewReplacer("**", "", "\\|", "|", "_None._", "None.", "### ", "", "## ", "", "# ", "")
			checked := 0
			for _, line := range strings.Split(md.String(), "\n") {
				line = clean.Replace(strings.TrimSpace(line))
				if line == "" || strings.HasPrefix(line, "| -") || strings.HasPrefix(line, "| ---") {
					continue
				}
				parts := []string{line}
				if strings.HasPrefix(line, "|") {
					parts = strings.Split(strings.Trim(line, "|"), " | ")
				}
				for _, p := range parts {
					p = strings.TrimSpace(p)
					if p == "" || strings.HasPrefix(p, "---") {
						continue
					}
					checked++
					if !strings.Contains(page, p) {
						t.Errorf("the Markdown shows %q; the HTML does not", p)
					}
				}
			}
			if checked < 20 {
				t.Fatalf("only %d Markdown figures checked", checked)
			}
		})
	}
}

func TestWriteHTMLEmptyReport(t *testing.T) {
	_, doc := renderHTML(t, &BoardReport{AsOf: "2025-06-30", Year: 2025})
	var svgs int
	walkElements(doc, func(n *html.Node) {
		if n.Data == "svg" {
			svgs++
		}
	})
	// Only the overlap chart, which always has its four rows; no chart of nothing.
	if svgs != 1 {
		t.Errorf("%d charts in an empty report, want 1", svgs)
	}
}

func TestNiceCeil(t *testing.T) {
	for _, c := range []struct{ in, want float64 }{
		{0, 1}, {-3, 1}, {0.01, 0.01}, {0.013, 0.02}, {1, 1}, {3, 5}, {80, 100}, {100, 100}, {101, 200}, {1084.51, 2000}, {6000, 10000},
	} {
		if got := niceCeil(c.in); got != c.want {
			t.Errorf("niceCeil(%v) = %v, want %v", c.in, got, c.want)
		}
	}
}
