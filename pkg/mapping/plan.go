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
	How    string // why: "mapping", "header name", "unmapped", "ignored"
}

// Plan is how a table's columns map, and how that was decided.
type Plan struct {
	Mapping *Mapping // nil when no mapping applied
	Name    string   // the mapping's name, or "header names"
	How     string   // "given", "detected by header", "header names"
	Columns []ColumnPlan
	Missing []string // columns the mapping names that the file lacks
}

// Plan decides the columns of a table with this header. given, when not nil, is the
// mapping the user named; otherwise a library mapping is detected by header, and failing
// that every column whose header is a canonical field or a known synonym is mapped.
func (l *Library) Plan(header []string, given *Mapping) Plan {
	m, how := given, "given"
	if m == nil {
		m, how = l.Match(header), "detected by header"
	}
	p := Plan{Mapping: m, How: how}
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
	case "detected by header":
		return fmt.Sprintf("mapping %s (detected by header)", p.Name)
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
