package segment

import (
	"strings"
	"time"
)

// Options change how an expression is compiled.
type Options struct {
	// AsOf is the reference date of the fundraising segments (lybunt, sybunt,
	// first_time_donor, recurring_donor, lapsed, major_donor, rfm_*): "this year"
	// is its year, and donations dated after it are ignored by them. Zero means today.
	AsOf time.Time
}

func (o Options) asOf() time.Time {
	d := o.AsOf
	if d.IsZero() {
		d = time.Now()
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// Compile parses an expression and compiles it to a SQL condition over the people
// table aliased p, with ? placeholders and their values in order, as of today.
func Compile(src string) (where string, args []any, err error) {
	return CompileWith(src, Options{})
}

// CompileWith is Compile with options.
func CompileWith(src string, o Options) (where string, args []any, err error) {
	n, err := Parse(src)
	if err != nil {
		return "", nil, err
	}
	where, args = CompileNodeWith(n, o)
	return where, args, nil
}

// fold is the SQL that compares text ignoring case and accents (ł as l).
func fold(x string) string {
	return `strip_accents(lower(replace(replace(` + x + `, 'Ł', 'L'), 'ł', 'l')))`
}

// donations is the FROM and WHERE of a person's donations: credits no rule excludes,
// of the records linked to them.
const donations = `FROM transactions t JOIN links l ON l.record_id = t.record_id
	WHERE l.person_id = p.id AND t.kind = 'credit' AND t.excluded IS NULL`

const donationDate = `coalesce(t.booking_date, t.value_date)`

// CompileNode compiles a parsed expression. Every condition is true or false, never
// NULL, so that not and or behave as people expect for missing values.
func CompileNode(n Node) (string, []any) {
	return CompileNodeWith(n, Options{})
}

// CompileNodeWith is CompileNode with options.
func CompileNodeWith(n Node, o Options) (string, []any) {
	c := &compiler{asOf: o.asOf()}
	sql := c.node(n)
	return sql, c.args
}

type compiler struct {
	args []any
	asOf time.Time
}

func (c *compiler) arg(v any) string {
	c.args = append(c.args, v)
	return "?"
}

func (c *compiler) node(n Node) string {
	switch n := n.(type) {
	case *And:
		return "(" + c.node(n.L) + " AND " + c.node(n.R) + ")"
	case *Or:
		return "(" + c.node(n.L) + " OR " + c.node(n.R) + ")"
	case *Not:
		return "(NOT " + c.node(n.X) + ")"
	case *Flag:
		if sql, ok := flagSQL[n.Field]; ok {
			return sql
		}
		return c.fundraisingFlag(n.Field)
	case *Compare:
		return "coalesce(" + c.compare(n.Field, n.Op, n.Value) + ", false)"
	case *In:
		parts := make([]string, len(n.Values))
		for i, v := range n.Values {
			parts[i] = c.compare(n.Field, "=", v)
		}
		s := "coalesce(" + strings.Join(parts, " OR ") + ", false)"
		if len(parts) > 1 {
			s = "coalesce((" + strings.Join(parts, " OR ") + "), false)"
		}
		if n.Negate {
			s = "(NOT " + s + ")"
		}
		return s
	case *Call:
		return c.call(n)
	}
	panic("segment: unknown node")
}

var flagSQL = map[string]string{
	"has_email":   `(coalesce(p.email, '') <> '')`,
	"has_phone":   `(coalesce(p.phone, '') <> '')`,
	"has_address": `(coalesce(len(p.addresses), 0) > 0 OR coalesce(p.street, '') <> '')`,
	"opted_out":   `coalesce(p.opted_out, false)`,
}

var sqlOps = map[string]string{"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

func (c *compiler) compare(field, op string, v Value) string {
	o := sqlOps[op]
	switch fields[field] {
	case kText:
		return fold("coalesce(p."+field+", '')") + " " + o + " " + fold("CAST("+c.arg(v.Text)+" AS VARCHAR)")
	case kDate:
		d, _ := parseDate(v)
		var x string
		if field == "last_donation" {
			x = `(SELECT max(` + donationDate + `) ` + donations + `)`
		} else {
			x = "p." + field
		}
		return x + " " + o + " CAST(" + c.arg(d.Format("2006-01-02")) + " AS DATE)"
	case kNumber:
		var x string
		switch field {
		case "total_donated":
			x = `(SELECT coalesce(sum(t.amount), 0) ` + donations + `)`
		case "donations":
			x = `(SELECT count(*) ` + donations + `)`
		case "rfm_recency", "rfm_frequency", "rfm_monetary":
			// Non-donors have no score: the condition is false for them.
			return `p.id IN (SELECT pid FROM (` + c.rfm(field) + `) WHERE score ` + o + ` CAST(` + c.arg(v.Num) + ` AS DOUBLE))`
		default:
			x = "p." + field
		}
		return x + " " + o + " CAST(" + c.arg(v.Num) + " AS DOUBLE)"
	}
	panic("segment: not comparable: " + field)
}

func (c *compiler) call(n *Call) string {
	switch n.Name {
	case "tag":
		return `EXISTS (SELECT 1 FROM (SELECT unnest(p.tags) AS v) WHERE ` + fold("v") + ` = ` + fold("CAST("+c.arg(strings.TrimSpace(n.Args[0].Text))+" AS VARCHAR)") + `)`
	case "source":
		x := strings.TrimSpace(n.Args[0].Text)
		return `(EXISTS (SELECT 1 FROM (SELECT unnest(p.sources) AS v) WHERE ` + fold("v") + ` = ` + fold("CAST("+c.arg(x)+" AS VARCHAR)") + `)
	OR EXISTS (SELECT 1 FROM links l JOIN records r ON r.id = l.record_id WHERE l.person_id = p.id AND ` +
			fold("coalesce(r.source, '')") + ` = ` + fold("CAST("+c.arg(x)+" AS VARCHAR)") + `))`
	case "donated_since":
		d, _ := parseDate(n.Args[0])
		return `EXISTS (SELECT 1 ` + donations + ` AND ` + donationDate + ` >= CAST(` + c.arg(d.Format("2006-01-02")) + ` AS DATE))`
	case "donated_between":
		a, _ := parseDate(n.Args[0])
		b, _ := parseDate(n.Args[1])
		return `EXISTS (SELECT 1 ` + donations + ` AND ` + donationDate + ` BETWEEN CAST(` + c.arg(a.Format("2006-01-02")) +
			` AS DATE) AND CAST(` + c.arg(b.Format("2006-01-02")) + ` AS DATE))`
	case "major_donor":
		return c.majorDonor(n.Args[0].Num)
	case "recurring_donor":
		return c.recurring(int(n.Args[0].Num), int(n.Args[1].Num))
	case "name_like":
		name := fold(`coalesce(p.given_name, '') || ' ' || coalesce(p.family_name, '')`)
		rev := fold(`coalesce(p.family_name, '') || ' ' || coalesce(p.given_name, '')`)
		x := strings.TrimSpace(n.Args[0].Text)
		return `(contains(` + name + `, ` + fold("CAST("+c.arg(x)+" AS VARCHAR)") + `) OR contains(` +
			rev + `, ` + fold("CAST("+c.arg(x)+" AS VARCHAR)") + `))`
	}
	panic("segment: unknown function " + n.Name)
}
