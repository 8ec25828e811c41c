package mapping

import (
	"fmt"
	"regexp"
	"strings"
)

// ColumnPlan is what one column of a file becomes.
type ColumnPlan struct {
	Index  int
	Header string
	Field  string // canonical field; "" when the column stays raw only
	Spec   Column
	How    string // why: "mapping", "header name", "inferred", "unmapped", "ignored"
	// Inferred columns only: how sure inference is (see Confident) and why.
	Confidence float64
	Reason     string
	Guess      *Guess
}

// Plan is how a table's columns map, and how that was decided.
type Plan struct {
	Mapping *Mapping // nil when no mapping applied
	Name    string   // the mapping's name, or "inferred" / "header names"
	How     string   // "given", "remembered", "detected by header", "inferred", "header names"
	Columns []ColumnPlan
	Missing []string // columns the mapping names that the file lacks
}

// Plan decides the columns of a table with this header. given, when not nil, is the
// mapping the user named; otherwise a library mapping is detected by header, and failing
// that every column whose header is a canonical field or a known synonym is mapped.
func (l *Library) Plan(header []string, given *Mapping) Plan {
	return l.PlanWith(header, given, "given", nil)
}

// PlanWith is Plan with the mapping's provenance (how, e.g. "remembered") and a sample
// of the table's rows: with no mapping, columns are then inferred from headers and
// values instead of matched by header name alone.
func (l *Library) PlanWith(header []string, given *Mapping, how string, rows [][]string) Plan {
	m := given
	if m == nil {
		m, how = l.Match(header), "detected by header"
	}
	p := Plan{Mapping: m, How: how}
	if m == nil && rows != nil {
		return inferredPlan(header, rows)
	}
	if m == nil {
		p.Name, p.How = "header names", "header names"
	} else {
		p.Name = m.Name
	}
	byKey := map[string]string{}
	var globs []glob
	if m != nil {
		for _, col := range m.sortedColumns() {
			switch {
			case strings.HasPrefix(col, "#"):
			case strings.Contains(col, "*"):
				globs = append(globs, newGlob(col))
			default:
				byKey[HeaderKey(col)] = col
			}
		}
	}
	seen := map[string]bool{}
	for i, h := range header {
		c := ColumnPlan{Index: i, Header: h, How: "unmapped"}
		if m != nil {
			col, ok := byKey[HeaderKey(h)]
			for _, g := range globs {
				if !ok && g.match(h) {
					col, ok = g.key, true
				}
			}
			if !ok {
				col = fmt.Sprintf("#%d", i+1)
				_, ok = m.Columns[col]
			}
			if ok {
				c.Spec = m.Columns[col]
				c.Field, c.How = c.Spec.Field, "mapping"
				seen[col] = true
			}
			if c.Field == Ignore {
				c.Field, c.How = "", "ignored"
			}
		} else if f, ok := SynonymField(h); ok {
			c.Field, c.Spec, c.How = f, Column{Field: f}, "header name"
		}
		p.Columns = append(p.Columns, c)
	}
	if m != nil {
		for _, col := range m.sortedColumns() {
			if !seen[col] && m.Columns[col].Field != Ignore && !strings.Contains(col, "*") {
				p.Missing = append(p.Missing, col)
			}
		}
	}
	return p
}

func inferredPlan(header []string, rows [][]string) Plan {
	p := Plan{Name: "inferred", How: "inferred"}
	guesses := Infer(SampleColumns(header, rows))
	for i, h := range header {
		g := guesses[i]
		c := ColumnPlan{Index: i, Header: h, How: "unmapped", Confidence: g.Confidence, Reason: g.Reason, Guess: &guesses[i]}
		if g.Field != "" && g.Confidence >= minUse {
			c.Field, c.Spec, c.How = g.Field, g.Options, "inferred"
			c.Spec.Field = g.Field
		}
		p.Columns = append(p.Columns, c)
	}
	return p
}

// Doubtful lists the inferred columns used below the confident threshold.
func (p Plan) Doubtful() []ColumnPlan {
	var out []ColumnPlan
	for _, c := range p.Columns {
		if c.How == "inferred" && c.Confidence < Confident {
			out = append(out, c)
		}
	}
	return out
}

// Guesses returns the inference behind each column (nil for a plan from a mapping).
func (p Plan) Guesses() []Guess {
	if p.How != "inferred" {
		return nil
	}
	out := make([]Guess, len(p.Columns))
	for i, c := range p.Columns {
		out[i] = *c.Guess
	}
	return out
}

// Headers lists the column headers.
func (p Plan) Headers() []string {
	out := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		out[i] = c.Header
	}
	return out
}

// Unmapped lists the headers of columns kept only in the raw row.
func (p Plan) Unmapped() []string {
	var out []string
	for _, c := range p.Columns {
		if c.Field == "" {
			out = append(out, c.Header)
		}
	}
	return out
}

// Fields lists the canonical field of every column ("" when unmapped).
func (p Plan) Fields() []string {
	out := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		out[i] = c.Field
	}
	return out
}

// Describe says in one line which mapping was used and why.
func (p Plan) Describe() string {
	switch p.How {
	case "given":
		return fmt.Sprintf("mapping %s (given)", p.Name)
	case "remembered":
		return fmt.Sprintf("mapping %s (remembered for this header)", p.Name)
	case "detected by header":
		return fmt.Sprintf("mapping %s (detected by header)", p.Name)
	case "inferred":
		n, doubt := 0, len(p.Doubtful())
		for _, c := range p.Columns {
			if c.Field != "" {
				n++
			}
		}
		s := fmt.Sprintf("no mapping matched: %d of %d columns inferred from headers and values", n, len(p.Columns))
		if doubt > 0 {
			s += fmt.Sprintf(", %d below %.0f%% confidence", doubt, Confident*100)
		}
		return s
	}
	return "no mapping matched: columns mapped by header name"
}

// glob is a mapping column key with "*" standing for any text, so one entry covers
// repeated groups such as Google's "E-mail 1 - Value", "E-mail 2 - Value", ...
type glob struct {
	key string
	re  *regexp.Regexp
}

func newGlob(key string) glob {
	parts := strings.Split(key, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(HeaderKey(p))
	}
	return glob{key: key, re: regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")}
}

func (g glob) match(header string) bool { return g.re.MatchString(HeaderKey(header)) }
