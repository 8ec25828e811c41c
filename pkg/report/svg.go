package report

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// svgBar is one bar of a chart: the value sets its length, Text is what the reader sees
// (the exact decimal for money), Title is the tooltip and accessible description.
type svgBar struct {
	Label string
	Value float64
	Text  string
	Title string
}

// Geometry of a horizontal bar chart, in viewBox units. The box is narrow so that
// its 12-unit text stays readable when a phone scales it down to the screen.
const (
	svgWidth  = 380.0
	svgLabelW = 120.0 // category labels, right-aligned against the plot
	svgValueW = 76.0  // room for the value printed after the longest bar
	svgRowH   = 24.0
	svgBarH   = 16.0
	svgTop    = 6.0
	svgAxisH  = 44.0 // ticks, tick labels and the axis title
	svgMaxLbl = 16   // runes of a label shown; the full label is in the title
)

// barChart draws bars as a self-contained inline SVG. Every text is escaped here,
// since the result is trusted as HTML by the template: labels come from user data.
func barChart(id, title, axis string, bars []svgBar) template.HTML {
	esc := template.HTMLEscapeString
	n := float64(len(bars))
	height := svgTop + n*svgRowH + svgAxisH
	x0, x1 := svgLabelW+6, svgWidth-svgValueW
	maxV := 0.0
	for _, b := range bars {
		maxV = math.Max(maxV, b.Value)
	}
	top := niceCeil(maxV)
	scale := func(v float64) float64 { return (x1 - x0) * math.Max(v, 0) / top }

	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart" id="%s" role="img" aria-labelledby="%s-t" viewBox="0 0 %s %s" width="100%%" preserveAspectRatio="xMinYMin meet">`,
		esc(id), esc(id), svgNum(svgWidth), svgNum(height))
	fmt.Fprintf(&s, `<title id="%s-t">%s</title>`, esc(id), esc(title))
	axisY := svgTop + n*svgRowH
	for i, b := range bars {
		y := svgTop + float64(i)*svgRowH + (svgRowH-svgBarH)/2
		w := scale(b.Value)
		label := b.Label
		if r := []rune(label); len(r) > svgMaxLbl {
			label = string(r[:svgMaxLbl-1]) + "…"
		}
		fmt.Fprintf(&s, `<g class="row"><title>%s</title>`, esc(b.Title))
		fmt.Fprintf(&s, `<text class="label" x="%s" y="%s" text-anchor="end" dominant-baseline="middle">%s</text>`,
			svgNum(x0-6), svgNum(y+svgBarH/2), esc(label))
		fmt.Fprintf(&s, `<rect class="bar" x="%s" y="%s" width="%s" height="%s"/>`, svgNum(x0), svgNum(y), svgNum(w), svgNum(svgBarH))
		fmt.Fprintf(&s, `<text class="value" x="%s" y="%s" dominant-baseline="middle">%s</text></g>`,
			svgNum(x0+w+4), svgNum(y+svgBarH/2), esc(b.Text))
	}
	// The value axis: a line with ticks at zero, half and the top of the scale.
	fmt.Fprintf(&s, `<g class="axis"><line x1="%s" y1="%s" x2="%s" y2="%s"/>`, svgNum(x0), svgNum(svgTop), svgNum(x0), svgNum(axisY))
	fmt.Fprintf(&s, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, svgNum(x0), svgNum(axisY), svgNum(x1), svgNum(axisY))
	for _, f := range []float64{0, 0.5, 1} {
		x := x0 + (x1-x0)*f
		fmt.Fprintf(&s, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, svgNum(x), svgNum(axisY), svgNum(x), svgNum(axisY+4))
		fmt.Fprintf(&s, `<text class="tick" x="%s" y="%s" text-anchor="middle">%s</text>`,
			svgNum(x), svgNum(axisY+16), esc(svgNum(top*f)))
	}
	fmt.Fprintf(&s, `<text class="axis-title" x="%s" y="%s" text-anchor="middle">%s</text></g></svg>`,
		svgNum((x0+x1)/2), svgNum(axisY+36), esc(axis))
	return template.HTML(s.String())
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten, so ticks are round numbers.
func niceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// svgNum writes a coordinate or tick without float noise.
func svgNum(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
