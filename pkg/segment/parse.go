package segment

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// Node is a parsed expression.
type Node interface {
	// Col is the 1-based column where the node starts.
	Col() int
	String() string
}

// Value is a literal: text or a number.
type Value struct {
	Text   string
	Num    float64
	IsText bool
	At     int
}

func (v Value) String() string {
	if v.IsText {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v.Text) + `"`
	}
	return strconv.FormatFloat(v.Num, 'f', -1, 64)
}

// And, Or and Not combine conditions.
type (
	And struct {
		L, R Node
		At   int
	}
	Or struct {
		L, R Node
		At   int
	}
	Not struct {
		X  Node
		At int
	}
	// Flag is a yes/no field alone: has_email.
	Flag struct {
		Field string
		At    int
	}
	// Compare is field OP value.
	Compare struct {
		Field string
		Op    string
		Value Value
		At    int
	}
	// In is field in (values), or field not in (values).
	In struct {
		Field  string
		Values []Value
		Negate bool
		At     int
	}
	// Call is a function: tag("volunteer").
	Call struct {
		Name string
		Args []Value
		At   int
	}
)

func (n *And) Col() int     { return n.At }
func (n *Or) Col() int      { return n.At }
func (n *Not) Col() int     { return n.At }
func (n *Flag) Col() int    { return n.At }
func (n *Compare) Col() int { return n.At }
func (n *In) Col() int      { return n.At }
func (n *Call) Col() int    { return n.At }

func (n *And) String() string     { return "(" + n.L.String() + " and " + n.R.String() + ")" }
func (n *Or) String() string      { return "(" + n.L.String() + " or " + n.R.String() + ")" }
func (n *Not) String() string     { return "not " + n.X.String() }
func (n *Flag) String() string    { return n.Field }
func (n *Compare) String() string { return n.Field + " " + n.Op + " " + n.Value.String() }
func (n *In) String() string {
	op := " in ("
	if n.Negate {
		op = " not in ("
	}
	return n.Field + op + joinValues(n.Values) + ")"
}
func (n *Call) String() string { return n.Name + "(" + joinValues(n.Args) + ")" }

func joinValues(vs []Value) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = v.String()
	}
	return strings.Join(s, ", ")
}

// Kinds of fields.
type kind int

const (
	kText kind = iota
	kNumber
	kDate
	kBool
)

func (k kind) String() string {
	return [...]string{"text", "a number", "a date", "yes/no"}[k]
}

// Fields are the names an expression may use, with their kind.
var fields = map[string]kind{
	"given_name": kText, "family_name": kText, "email": kText, "phone": kText, "city": kText,
	"region": kText, "country": kText, "postcode": kText,
	"birth_date": kDate, "last_donation": kDate,
	"records": kNumber, "total_donated": kNumber, "donations": kNumber,
	"has_email": kBool, "has_phone": kBool, "has_address": kBool, "opted_out": kBool,
	// Fundraising segments, relative to the reference date (Options.AsOf).
	"lybunt": kBool, "sybunt": kBool, "first_time_donor": kBool, "recurring_donor": kBool, "lapsed": kBool,
	"rfm_recency": kNumber, "rfm_frequency": kNumber, "rfm_monetary": kNumber,
}

// Functions and the number of arguments each takes.
var functions = map[string]int{
	"tag": 1, "source": 1, "donated_since": 1, "donated_between": 2, "name_like": 1,
	"major_donor": 1, "recurring_donor": 2,
}

// numericFunctions take numbers, not text; recurring_donor may also be written
// alone, as a yes/no field, for recurring_donor(6, 3).
var numericFunctions = map[string]bool{"major_donor": true, "recurring_donor": true}

// Fields lists the field names, sorted; Functions the function names.
func Fields() []string    { return sortedKeys(fields) }
func Functions() []string { return sortedKeys(functions) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// suggest names the closest known word, if one is close.
func suggest(word string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := levenshtein.ComputeDistance(word, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return ""
	}
	return " (did you mean " + best + "?)"
}

type parser struct {
	toks []token
	pos  int
	ops  int // and/or operators so far
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

// maxDepth bounds nesting so that a hostile expression cannot exhaust the stack.
const maxDepth = 100

// Bounds on an expression's size. Compiling nests one level of SQL per and/or, so a
// chain of tens of thousands took seconds (quadratic) and gave the database a
// condition nested as deep; no real segment comes near these.
const (
	maxSource = 64 << 10 // bytes
	maxOps    = 1000     // and/or operators
	maxValues = 10000    // values of one in (...)
)

// tooMany counts an and/or operator and refuses one too many.
func (p *parser) tooMany(op token) error {
	p.ops++
	if p.ops > maxOps {
		return errAt(op.col, "more than %d conditions joined by and/or: split the segment, or use in (...) for lists of values", maxOps)
	}
	return nil
}

// Parse parses an expression and checks its names, kinds and values.
func Parse(src string) (Node, error) {
	if len(src) > maxSource {
		return nil, errAt(utf8.RuneCountInString(src[:maxSource])+1, "expression longer than %d KiB: split the segment", maxSource>>10)
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 1 {
		return nil, errAt(1, "empty expression: write a condition such as has_email")
	}
	p := &parser{toks: toks}
	n, err := p.or(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		if t.kind == tRParen {
			return nil, errAt(t.col, `")" without a matching "("`)
		}
		return nil, errAt(t.col, `expected "and", "or" or the end, found %s`, t.describe())
	}
	return n, nil
}

func (p *parser) or(depth int) (Node, error) {
	l, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tOr {
		op := p.next()
		if err := p.tooMany(op); err != nil {
			return nil, err
		}
		r, err := p.and(depth)
		if err != nil {
			return nil, err
		}
		l = &Or{L: l, R: r, At: op.col}
	}
	return l, nil
}

func (p *parser) and(depth int) (Node, error) {
	l, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tAnd {
		op := p.next()
		if err := p.tooMany(op); err != nil {
			return nil, err
		}
		r, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		l = &And{L: l, R: r, At: op.col}
	}
	return l, nil
}

func (p *parser) unary(depth int) (Node, error) {
	if depth > maxDepth {
		return nil, errAt(p.peek().col, "expression nested too deeply")
	}
	if t := p.peek(); t.kind == tNot {
		p.next()
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Not{X: x, At: t.col}, nil
	}
	return p.primary(depth)
}

func (p *parser) primary(depth int) (Node, error) {
	t := p.next()
	switch t.kind {
	case tLParen:
		n, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c.kind != tRParen {
			if c.kind == tEOF {
				return nil, errAt(t.col, `"(" is never closed: add ")"`)
			}
			return nil, errAt(c.col, `expected ")", found %s`, c.describe())
		}
		p.next()
		return n, nil
	case tIdent:
		if p.peek().kind == tLParen {
			return p.call(t)
		}
		return p.condition(t)
	case tEOF:
		return nil, errAt(t.col, "expression ends too early: a condition is missing")
	case tString, tNumber:
		return nil, errAt(t.col, "expected a field or function, found %s: a value goes after a field, as in city = \"Salta\"", t.describe())
	default:
		return nil, errAt(t.col, "expected a field or function, found %s", t.describe())
	}
}

func (p *parser) call(name token) (Node, error) {
	want, ok := functions[name.text]
	if !ok {
		if _, isField := fields[name.text]; isField {
			return nil, errAt(name.col, "%s is a field, not a function", name.text)
		}
		return nil, errAt(name.col, "unknown function %q%s", name.text, suggest(name.text, Functions()))
	}
	p.next() // (
	var args []Value
	if p.peek().kind != tRParen {
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			args = append(args, v)
			if p.peek().kind != tComma {
				break
			}
			p.next()
		}
	}
	if c := p.peek(); c.kind != tRParen {
		if c.kind == tEOF {
			return nil, errAt(name.col, `%s( is never closed: add ")"`, name.text)
		}
		return nil, errAt(c.col, `expected "," or ")", found %s`, c.describe())
	}
	p.next()
	if len(args) != want {
		return nil, errAt(name.col, "%s takes %s, not %d", name.text, plural(want, "value"), len(args))
	}
	if numericFunctions[name.text] {
		if err := checkNumericCall(name, args); err != nil {
			return nil, err
		}
		return &Call{Name: name.text, Args: args, At: name.col}, nil
	}
	for _, a := range args {
		if !a.IsText {
			return nil, errAt(a.At, "%s wants text in quotes, found %s", name.text, a)
		}
	}
	switch name.text {
	case "donated_since", "donated_between":
		var ds []time.Time
		for _, a := range args {
			d, err := parseDate(a)
			if err != nil {
				return nil, err
			}
			ds = append(ds, d)
		}
		if len(ds) == 2 && ds[1].Before(ds[0]) {
			return nil, errAt(args[1].At, "donated_between: %s is before %s", args[1], args[0])
		}
	case "tag", "source", "name_like":
		if strings.TrimSpace(args[0].Text) == "" {
			return nil, errAt(args[0].At, "%s needs some text", name.text)
		}
	}
	return &Call{Name: name.text, Args: args, At: name.col}, nil
}

// checkNumericCall checks the numbers given to major_donor and recurring_donor.
func checkNumericCall(name token, args []Value) error {
	for _, a := range args {
		if a.IsText {
			return errAt(a.At, "%s wants a number without quotes, found %s", name.text, a)
		}
	}
	switch name.text {
	case "major_donor":
		if s := args[0].Num; !(s > 0 && s <= 1) {
			return errAt(args[0].At, "major_donor wants a share above 0 and at most 1, as in major_donor(0.1), not %s", args[0])
		}
	case "recurring_donor":
		months, min := args[0], args[1]
		if months.Num != float64(int(months.Num)) || months.Num < 1 || months.Num > 120 {
			return errAt(months.At, "recurring_donor: months must be a whole number from 1 to 120, not %s", months)
		}
		if min.Num != float64(int(min.Num)) || min.Num < 1 || min.Num > months.Num {
			return errAt(min.At, "recurring_donor: the minimum must be a whole number from 1 to %s, not %s", months, min)
		}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func (p *parser) value() (Value, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return Value{Text: t.text, IsText: true, At: t.col}, nil
	case tNumber:
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return Value{}, errAt(t.col, "%q is not a number", t.text)
		}
		return Value{Num: f, At: t.col}, nil
	case tIdent:
		return Value{}, errAt(t.col, "expected a value, found %s: put text in quotes", t.describe())
	default:
		return Value{}, errAt(t.col, "expected a value, found %s", t.describe())
	}
}

func (p *parser) condition(name token) (Node, error) {
	k, ok := fields[name.text]
	if !ok {
		if _, isFunc := functions[name.text]; isFunc {
			if name.text == "major_donor" {
				return nil, errAt(name.col, `major_donor is a function: write major_donor(0.1) for the top 10%% of donors`)
			}
			return nil, errAt(name.col, `%s is a function: write %s("...")`, name.text, name.text)
		}
		return nil, errAt(name.col, "unknown field %q%s", name.text, suggest(name.text, Fields()))
	}
	t := p.peek()
	switch {
	case t.kind == tOp:
		p.next()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if err := checkValue(name, k, t, v); err != nil {
			return nil, err
		}
		return &Compare{Field: name.text, Op: t.text, Value: v, At: name.col}, nil
	case t.kind == tIn || t.kind == tNot && p.toks[p.pos+1].kind == tIn:
		negate := t.kind == tNot
		p.next()
		if negate {
			p.next()
		}
		if k == kBool {
			return nil, errAt(t.col, "%s is yes/no: use it alone, or with not", name.text)
		}
		open := p.next()
		if open.kind != tLParen {
			return nil, errAt(open.col, `expected "(" after in, found %s`, open.describe())
		}
		var vals []Value
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			if err := checkValue(name, k, token{kind: tOp, text: "=", col: t.col}, v); err != nil {
				return nil, err
			}
			if len(vals) == maxValues {
				return nil, errAt(v.At, "more than %d values in one in (...): split the list", maxValues)
			}
			vals = append(vals, v)
			c := p.next()
			if c.kind == tRParen {
				break
			}
			if c.kind != tComma {
				if c.kind == tEOF {
					return nil, errAt(open.col, `"(" is never closed: add ")"`)
				}
				return nil, errAt(c.col, `expected "," or ")", found %s`, c.describe())
			}
		}
		return &In{Field: name.text, Values: vals, Negate: negate, At: name.col}, nil
	}
	if k != kBool {
		return nil, errAt(name.col, "%s is %s: compare it, as in %s", name.text, k, example(name.text, k))
	}
	return &Flag{Field: name.text, At: name.col}, nil
}

func example(field string, k kind) string {
	switch k {
	case kNumber:
		return field + " >= 1"
	case kDate:
		return field + ` >= "2025-01-01"`
	}
	return field + ` = "..."`
}

func checkValue(name token, k kind, op token, v Value) error {
	switch k {
	case kBool:
		return errAt(op.col, "%s is yes/no: use it alone, or with not", name.text)
	case kText:
		if !v.IsText {
			return errAt(v.At, "%s is text: put the value in quotes", name.text)
		}
		if op.text != "=" && op.text != "!=" {
			return errAt(op.col, "%s is text: compare it with = or != or in (...)", name.text)
		}
	case kNumber:
		if v.IsText {
			return errAt(v.At, "%s is a number: write the value without quotes", name.text)
		}
	case kDate:
		if !v.IsText {
			return errAt(v.At, `%s is a date: write it in quotes as "YYYY-MM-DD"`, name.text)
		}
		if _, err := parseDate(v); err != nil {
			return err
		}
	}
	return nil
}

func parseDate(v Value) (time.Time, error) {
	d, err := time.Parse("2006-01-02", v.Text)
	if err != nil {
		return time.Time{}, errAt(v.At, `%q is not a date: write it as "YYYY-MM-DD"`, v.Text)
	}
	return d, nil
}
