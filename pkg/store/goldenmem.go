package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
	"golang.org/x/text/unicode/norm"
)

// Golden records in memory. A full dedupe run already reads every record; building
// the golden records from those rows in Go costs a fraction of rebuildPeople's SQL,
// which grouped the records field by field through a dozen temporary tables (about
// 5 s at a million records). The rules are the same (TestGoldenFromRowsAsSQL).
// Whatever Go cannot decide exactly as DuckDB would is left to rebuildPeople, for
// those people only: a value not in NFC, an address part with edge whitespace (trim),
// a NULL in a list, a date outside the years 1000-9999, a value holding a separator
// of encode, and two values of one record tied on every key (arg_max's choice
// between them is DuckDB's own, and not the same from run to run).

// GoldenInput is a record's values as golden records take them: the row read with
// the record for matching, as matchRow writes it, or as matchRowExact when exact.
type GoldenInput struct {
	row   string
	exact bool
}

// The row's fields, in matchRow's order.
const (
	gGiven = iota
	gFamily
	gBirthNum
	gBirth
	gStreet
	gPostcode
	gCity
	gNationalID
	gOccupation
	gRegion
	gCountry
	gOptOut
	gSourceFile
	gSource
	gScalars
)

// enc encodes a VARCHAR expression: "~" for NULL, else its length in bytes, ":" and
// the value, so that no value can be mistaken for a separator.
func enc(x string) string {
	return "coalesce(CAST(strlen(" + x + ") AS VARCHAR) || ':' || " + x + ", '~')"
}

// encList encodes a list of VARCHAR: "~" for NULL, else its length, "[" and each
// element encoded as by enc.
func encList(x string) string {
	return "coalesce(CAST(len(" + x + ") AS VARCHAR) || '[' || array_to_string(list_transform(" + x +
		", e -> " + enc("e") + "), ''), '~')"
}

// matchRowExact is the SQL of a record's row (records r) that no value can make
// ambiguous: the scalars in the order of the g* constants, then emails, phones and
// tags. It costs DuckDB twice matchRow's time, so it is only asked for the rare
// record whose matchRow cannot be read back.
var matchRowExact = "concat(" + strings.Join([]string{
	enc("r.given_name"), enc("r.family_name"),
	enc("CAST(year(r.birth_date)*10000 + month(r.birth_date)*100 + day(r.birth_date) AS VARCHAR)"),
	enc("CAST(r.birth_date AS VARCHAR)"), enc("r.street"), enc("r.postcode"), enc("r.city"), enc("r.national_id"),
	enc("r.occupation"), enc("r.region"), enc("r.country"), enc("CAST(r.opt_out AS VARCHAR)"), enc("r.source_file"),
	enc("r.source"), encList("r.emails"), encList("r.phones"), encList("r.tags"),
}, ", ") + ")"

// matchRow is the SQL of a record's row as read for matching: its fields joined by
// sepField, in fastFields' order, NULL written as "" (the golden records and
// matching treat them alike); each list as its length, its count of non-NULL
// elements, and those elements joined by sepElem. A value holding a separator
// shows as a wrong number of fields or elements, and the record is read again
// with matchRowExact.
var matchRow = "concat_ws(chr(31), " + strings.Join([]string{
	"coalesce(r.given_name, '')", "coalesce(r.family_name, '')",
	"coalesce(CAST(year(r.birth_date)*10000 + month(r.birth_date)*100 + day(r.birth_date) AS VARCHAR), '')",
	"coalesce(r.street, '')", "coalesce(r.postcode, '')", "coalesce(r.city, '')", "coalesce(r.national_id, '')",
	"coalesce(r.occupation, '')", "coalesce(r.region, '')", "coalesce(r.country, '')",
	"coalesce(CAST(r.opt_out AS VARCHAR), '')", "r.source_file", "coalesce(r.source, '')",
	fastList("r.emails"), fastList("r.phones"), fastList("r.tags"),
}, ", ") + ")"

func fastList(x string) string {
	return "coalesce(CAST(len(" + x + ") AS VARCHAR), ''), coalesce(CAST(list_count(" + x + ") AS VARCHAR), ''), " +
		"coalesce(array_to_string(" + x + ", chr(30)), '')"
}

// fastFields are matchRow's scalar fields.
var fastFields = [...]int{gGiven, gFamily, gBirthNum, gStreet, gPostcode, gCity, gNationalID, gOccupation, gRegion,
	gCountry, gOptOut, gSourceFile, gSource}

// errAmbiguous: a value holds a separator of matchRow.
var errAmbiguous = errors.New("record row with a separator in a value")

// parseFastRow takes a matchRow apart; errAmbiguous when it cannot be read back.
func parseFastRow(row string) (parsedRow, error) {
	var g parsedRow
	p := 0
	field := func() (string, bool) {
		if p > len(row) {
			return "", false
		}
		i := strings.IndexByte(row[p:], 0x1f)
		if i < 0 {
			i = len(row) - p
		}
		v := row[p : p+i]
		p += i + 1
		return v, true
	}
	for _, f := range fastFields {
		v, ok := field()
		if !ok {
			return g, errAmbiguous
		}
		g.f[f] = str{v: v, null: v == ""}
	}
	g.f[gBirth] = str{null: true} // made from birthNum when the golden records need it
	for _, l := range []*rowList{&g.emails, &g.phones, &g.tags} {
		n, ok1 := field()
		c, ok2 := field()
		joined, ok3 := field()
		if !ok1 || !ok2 || !ok3 {
			return g, errAmbiguous
		}
		if n == "" {
			l.null = true
			continue
		}
		total, err1 := strconv.Atoi(n)
		count, err2 := strconv.Atoi(c)
		if err1 != nil || err2 != nil {
			return g, errAmbiguous
		}
		l.nulls = count != total
		if count == 0 {
			if joined != "" {
				return g, errAmbiguous
			}
			continue
		}
		if count == 1 {
			if strings.IndexByte(joined, 0x1e) >= 0 {
				return g, errAmbiguous
			}
			l.v = []string{joined}
			continue
		}
		l.v = strings.Split(joined, "\x1e")
		if len(l.v) != count {
			return g, errAmbiguous
		}
	}
	if p != len(row)+1 {
		return g, errAmbiguous
	}
	if v := g.f[gBirthNum].v; v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return g, errAmbiguous
		}
		g.birthNum = int32(n)
		g.birthFromNum = true
	}
	return g, nil
}

// fillBirth writes the birth date of a matchRow as CAST(… AS VARCHAR) would, for the
// years 1000 to 9999; others are marked so that plainDate refuses them.
func (g *parsedRow) fillBirth() {
	if !g.birthFromNum {
		return
	}
	n := g.birthNum
	if n < 10000101 || n > 99991231 {
		g.f[gBirth] = str{v: "?"}
		return
	}
	d := [10]byte{'0', '0', '0', '0', '-', '0', '0', '-', '0', '0'}
	for i, v := range [...]int32{n / 10000, n / 100 % 100, n % 100} {
		end := [...]int{4, 7, 10}[i]
		for k := end - 1; v > 0; k-- {
			d[k] += byte(v % 10)
			v /= 10
		}
	}
	g.f[gBirth] = str{v: string(d[:])}
}

// parse takes a GoldenInput's row apart.
func (in GoldenInput) parse() (parsedRow, error) {
	if in.exact {
		return parseRow(in.row)
	}
	return parseFastRow(in.row)
}

// str is a nullable string.
type str struct {
	v    string
	null bool
}

// rowList is a nullable list of strings; nulls says an element is NULL (read as "").
type rowList struct {
	v     []string
	null  bool
	nulls bool
}

// parsedRow is a row taken apart; its strings share the row's memory.
type parsedRow struct {
	f                    [gScalars]str
	emails, phones, tags rowList
	birthNum             int32
	birthFromNum         bool // f[gBirth] is to be made from birthNum (fillBirth)
}

var errRow = errors.New("malformed record row")

// parseRow takes a matchRowExact apart.
func parseRow(row string) (parsedRow, error) {
	var g parsedRow
	p := 0
	num := func(end byte) (int, bool) {
		i := strings.IndexByte(row[p:], end)
		if i <= 0 {
			return 0, false
		}
		n, err := strconv.Atoi(row[p : p+i])
		if err != nil || n < 0 {
			return 0, false
		}
		p += i + 1
		return n, true
	}
	scalar := func() (str, bool) {
		if p < len(row) && row[p] == '~' {
			p++
			return str{null: true}, true
		}
		n, ok := num(':')
		if !ok || p+n > len(row) {
			return str{}, false
		}
		v := row[p : p+n]
		p += n
		return str{v: v}, true
	}
	list := func() (rowList, bool) {
		if p < len(row) && row[p] == '~' {
			p++
			return rowList{null: true}, true
		}
		n, ok := num('[')
		if !ok || n > len(row) {
			return rowList{}, false
		}
		l := rowList{v: make([]string, n)}
		for i := range l.v {
			e, ok := scalar()
			if !ok {
				return rowList{}, false
			}
			l.v[i] = e.v
			l.nulls = l.nulls || e.null
		}
		return l, true
	}
	for i := range g.f {
		var ok bool
		if g.f[i], ok = scalar(); !ok {
			return g, errRow
		}
	}
	var ok1, ok2, ok3 bool
	g.emails, ok1 = list()
	g.phones, ok2 = list()
	g.tags, ok3 = list()
	if !ok1 || !ok2 || !ok3 || p != len(row) {
		return g, errRow
	}
	if !g.f[gBirthNum].null {
		n, err := strconv.ParseInt(g.f[gBirthNum].v, 10, 32)
		if err != nil {
			return g, errRow
		}
		g.birthNum = int32(n)
	}
	return g, nil
}

// goldenPerson is one person's row of people.
type goldenPerson struct {
	id                         int64
	fields                     [len(goldenFieldsOrder)]str // NULL where null
	emails, phones, tags, srcs []string
	addresses                  []string
	records                    int32
	optedOut                   bool
}

// goldenFieldsOrder are goldenFields' columns as row fields (-1: a list's element).
var goldenFieldsOrder = [...]int{gGiven, gFamily, -1, -2, gStreet, gPostcode, gCity, gRegion, gCountry, gBirth,
	gNationalID}

// goldenPart is the golden records of one slice of the people, each person as one
// encoded line (encode), and the people left to rebuildPeople.
type goldenPart struct {
	done     chan struct{}
	lines    []string
	residual []int64
	err      error
}

// goldenSlices is how many parts per CPU goldenFromRows cuts the people into: the
// first parts are ready early, and load appends them while the others build.
const goldenSlices = 8

// goldenFromRows builds the golden records of the people in ids/persons (one entry
// per record) from their rows into parts, on every CPU, the parts in order; each
// part's done is closed when it is built.
func goldenFromRows(ids, persons []int64, rows []GoldenInput, sup map[string]bool, rules map[string]GoldenRule,
	parts []*goldenPart) {
	order := byPerson(ids, persons)
	var rulesByField [len(goldenFieldsOrder)]GoldenRule
	for k, f := range goldenFields {
		rulesByField[k] = rules[f.name]
	}
	// Cut the records into slices at a change of person (some may be empty).
	bounds := make([]int, len(parts)+1)
	for k := 1; k < len(parts); k++ {
		b := max(len(order)*k/len(parts), bounds[k-1])
		for b > 0 && b < len(order) && persons[order[b]] == persons[order[b-1]] {
			b++
		}
		bounds[k] = b
	}
	bounds[len(parts)] = len(order)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := int(next.Add(1) - 1); k < len(parts); k = int(next.Add(1) - 1) {
				buildPart(parts[k], order[bounds[k]:bounds[k+1]], ids, persons, rows, sup, &rulesByField)
				close(parts[k].done)
			}
		}()
	}
	wg.Wait()
}

// buildPart builds the golden records of the records at order (whole people).
func buildPart(pt *goldenPart, order []int, ids, persons []int64, rows []GoldenInput, sup map[string]bool,
	rules *[len(goldenFieldsOrder)]GoldenRule) {
	pt.lines = make([]string, 0, len(order)) // at most one person a record
	var recs []parsedRow
	var recIDs []int64
	var buf []byte
	for lo := 0; lo < len(order); {
		hi := lo + 1
		for hi < len(order) && persons[order[hi]] == persons[order[lo]] {
			hi++
		}
		recs, recIDs = recs[:0], recIDs[:0]
		for _, i := range order[lo:hi] {
			g, err := rows[i].parse()
			if err != nil {
				pt.err = fmt.Errorf("record %d: %w", ids[i], err)
				return
			}
			g.fillBirth()
			recs = append(recs, g)
			recIDs = append(recIDs, ids[i])
		}
		pid := persons[order[lo]]
		lo = hi
		p, ok := buildGolden(pid, recs, recIDs, sup, rules)
		if ok {
			buf, ok = p.encode(buf[:0])
		}
		if !ok {
			pt.residual = append(pt.residual, pid)
			continue
		}
		pt.lines = append(pt.lines, string(buf))
	}
}

// byPerson returns the record indexes ordered by person, then record id.
func byPerson(ids, persons []int64) []int {
	order := make([]int, len(ids))
	lo, hi := int64(0), int64(-1)
	sorted := true
	for i := range ids {
		if i > 0 && ids[i] <= ids[i-1] {
			sorted = false
		}
		if i == 0 || persons[i] < lo {
			lo = persons[i]
		}
		hi = max(hi, persons[i])
	}
	if !sorted || hi-lo > int64(4*len(ids)) {
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			if c := cmp.Compare(persons[a], persons[b]); c != 0 {
				return c
			}
			return cmp.Compare(ids[a], ids[b])
		})
		return order
	}
	// Records come in id order and person ids are dense: a counting sort keeps the
	// id order within each person.
	start := make([]int32, hi-lo+2)
	for _, p := range persons {
		start[p-lo+1]++
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	for i, p := range persons {
		order[start[p-lo]] = i
		start[p-lo]++
	}
	return order
}

// Separators of encoded people: fields and list elements. A value holding either
// leaves its person to rebuildPeople.
const (
	sepField = "\x1f"
	sepElem  = "\x1e"
)

// encode writes the person as one line for GoldenBuild.save: id,
// the golden fields ("" for NULL: a golden value is never empty), the lists (each
// element after a separator, so that [] and [""] differ), records and opted_out.
// A value holding a separator shows as one too many when the separators are
// counted at the end: one count per line costs less than one look per value.
func (p *goldenPerson) encode(b []byte) ([]byte, bool) {
	start := len(b)
	b = strconv.AppendInt(b, p.id, 10)
	for _, f := range p.fields {
		b = append(b, 0x1f)
		b = append(b, f.v...)
	}
	elems := 0
	for _, l := range [...][]string{p.emails, p.phones, p.tags, p.srcs, p.addresses} {
		b = append(b, 0x1f)
		elems += len(l)
		for _, e := range l {
			b = append(b, 0x1e)
			b = append(b, e...)
		}
	}
	b = append(b, 0x1f)
	b = strconv.AppendInt(b, int64(p.records), 10)
	b = append(b, 0x1f)
	b = strconv.AppendBool(b, p.optedOut)
	line := b[start:]
	return b, bytes.Count(line, []byte{0x1f}) == len(p.fields)+7 && bytes.Count(line, []byte{0x1e}) == elems
}

// buildGolden is rebuildPeople for one person; false when it cannot tell exactly.
func buildGolden(pid int64, recs []parsedRow, ids []int64, sup map[string]bool,
	rules *[len(goldenFieldsOrder)]GoldenRule) (goldenPerson, bool) {
	p := goldenPerson{id: pid, records: int32(len(recs))}
	for i := range recs {
		r := &recs[i]
		if r.emails.nulls || r.phones.nulls || r.tags.nulls || r.f[gSourceFile].null {
			return p, false
		}
		if !r.f[gBirth].null && !plainDate(r.f[gBirth].v) {
			return p, false
		}
		for _, f := range []int{gStreet, gPostcode, gCity} {
			if edgeSpace(r.f[f].v) {
				return p, false
			}
		}
		if r.f[gOptOut].v == "true" {
			p.optedOut = true
		}
		for _, e := range r.emails.v {
			if sup[e] {
				p.optedOut = true
			}
		}
	}
	one := &recs[0]
	if len(recs) == 1 && len(one.emails.v) <= 1 && len(one.phones.v) <= 1 {
		// Nothing to choose: the record's values, as rebuildPeople's first INSERT.
		for k, f := range goldenFieldsOrder {
			switch f {
			case -1:
				p.fields[k] = firstOf(one.emails)
			case -2:
				p.fields[k] = firstOf(one.phones)
			default:
				p.fields[k] = nonEmpty(one.f[f])
			}
		}
		p.emails = orEmpty(one.emails.v)
		p.phones = orEmpty(one.phones.v)
		p.tags = sortedDistinct(one.tags.v)
		p.srcs = []string{one.f[gSourceFile].v}
		p.addresses = []string{}
		if a, ok := address(one); ok {
			p.addresses = []string{a}
		}
	} else {
		multi := len(recs) > 1
		var cands []cand
		for k, f := range goldenFieldsOrder {
			var v str
			var ok bool
			switch {
			case f < 0 || multi:
				cands = collect(cands[:0], recs, ids, f, rules[k])
				v, ok = choose(cands, rules[k])
			default:
				v, ok = nonEmpty(one.f[f]), true
			}
			if !ok {
				return p, false
			}
			p.fields[k] = v
		}
		var emails, phones, tags, srcs, addrs []string
		for i := range recs {
			r := &recs[i]
			emails = append(emails, r.emails.v...)
			phones = append(phones, r.phones.v...)
			tags = append(tags, r.tags.v...)
			srcs = append(srcs, r.f[gSourceFile].v)
			if a, ok := address(r); ok {
				addrs = append(addrs, a)
			}
		}
		p.emails, p.phones, p.tags = sortedDistinct(emails), sortedDistinct(phones), sortedDistinct(tags)
		p.srcs, p.addresses = sortedDistinct(srcs), sortedDistinct(addrs)
	}
	return p, true
}

func firstOf(l rowList) str {
	if len(l.v) == 0 || l.v[0] == "" {
		return str{null: true}
	}
	return str{v: l.v[0]}
}

func nonEmpty(s str) str {
	if s.v == "" {
		return str{null: true}
	}
	return s
}

// sortedDistinct is list_sort(list(DISTINCT …)): byte order, as DuckDB sorts
// VARCHAR; never nil.
func sortedDistinct(v []string) []string {
	switch len(v) {
	case 0:
		return []string{}
	case 1:
		return v[:1:1] // most people's, and never written to
	}
	out := slices.Clone(v)
	slices.Sort(out)
	out = slices.Compact(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// plainDate says a date is written yyyy-mm-dd, as CAST(… AS VARCHAR) writes
// the years 1000 to 9999.
func plainDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || s[0] == '0' {
		return false
	}
	for i := range s {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// edgeSpace says a value begins or ends with a character DuckDB's trim might
// remove: the address is then left to SQL.
func edgeSpace(s string) bool {
	if s == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	odd := func(r rune) bool {
		return r <= ' ' || r >= 0x7f && (unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || !unicode.IsPrint(r))
	}
	return odd(first) || odd(last)
}

// address is addressExpr for a record whose street, postcode and city have no
// edge spaces (so trim changes nothing).
func address(r *parsedRow) (string, bool) {
	pc := r.f[gPostcode].v
	if c := r.f[gCity].v; c != "" {
		if pc != "" {
			pc += " "
		}
		pc += c
	}
	a := r.f[gStreet].v
	if pc != "" {
		if a != "" {
			a += ", "
		}
		a += pc
	}
	return a, a != ""
}

// cand is one value of a field among a person's records, with pick's grouped
// columns.
type cand struct {
	v                      string
	n                      int
	last                   int64
	prio                   int
	plain, cased, accented bool
	length                 int
}

// collect gathers the non-empty values of field f (-1 emails, -2 phones) over recs,
// grouped as pick groups them.
func collect(cs []cand, recs []parsedRow, ids []int64, f int, rule GoldenRule) []cand {
	add := func(v string, id int64, prio int) {
		if v == "" {
			return
		}
		for i := range cs {
			if cs[i].v == v {
				cs[i].n++
				cs[i].last = max(cs[i].last, id)
				cs[i].prio = max(cs[i].prio, prio)
				return
			}
		}
		cs = append(cs, cand{v: v, n: 1, last: id, prio: prio})
	}
	for i := range recs {
		r := &recs[i]
		prio := rule.priorityOf(r)
		switch f {
		case -1:
			for _, e := range r.emails.v {
				add(e, ids[i], prio)
			}
		case -2:
			for _, e := range r.phones.v {
				add(e, ids[i], prio)
			}
		default:
			if !r.f[f].null {
				add(r.f[f].v, ids[i], prio)
			}
		}
	}
	return cs
}

// priorityOf is priority's CASE for one record.
func (r GoldenRule) priorityOf(g *parsedRow) int {
	if r.Rule != RuleSourcePriority {
		return 0
	}
	for i, src := range r.Sources {
		if (!g.f[gSourceFile].null && g.f[gSourceFile].v == src) || (!g.f[gSource].null && g.f[gSource].v == src) {
			return len(r.Sources) - i
		}
	}
	return 0
}

// choose is pick's arg_max: false when a value's flags cannot be told exactly or
// two values tie on every key (DuckDB's choice between them is its own).
func choose(cs []cand, rule GoldenRule) (str, bool) {
	switch len(cs) {
	case 0:
		return str{null: true}, true
	case 1:
		return str{v: cs[0].v}, true
	}
	for i := range cs {
		c := &cs[i]
		var ok bool
		if c.accented, c.cased, c.length, ok = flags(c.v); !ok {
			return str{}, false
		}
		c.plain = !plusAt(c.v)
	}
	best, tied := 0, false
	for i := 1; i < len(cs); i++ {
		switch k := rule.compare(&cs[i], &cs[best]); {
		case k > 0:
			best, tied = i, false
		case k == 0:
			tied = true
		}
	}
	if tied {
		return str{}, false
	}
	return str{v: cs[best].v}, true
}

// compare orders two values by the rule's key (order in golden.go).
func (r GoldenRule) compare(a, b *cand) int {
	ka, kb := r.key(a), r.key(b)
	return slices.Compare(ka[:], kb[:])
}

// key is a value's sort key under the rule, as GoldenRule.order spells it in SQL.
func (r GoldenRule) key(c *cand) [7]int64 {
	b2i := func(x bool) int64 {
		if x {
			return 1
		}
		return 0
	}
	plain, cased, accented := b2i(c.plain), b2i(c.cased), b2i(c.accented)
	switch r.Rule {
	case RuleMostRecent:
		return [7]int64{c.last, int64(c.n), plain, cased, accented, int64(c.length)}
	case RuleMostComplete:
		return [7]int64{int64(c.length), int64(c.n), plain, cased, accented, c.last}
	case RuleSourcePriority:
		return [7]int64{int64(c.prio), int64(c.n), plain, cased, accented, int64(c.length), c.last}
	}
	return [7]int64{int64(c.n), plain, cased, accented, int64(c.length), c.last}
}

// plusAt is v LIKE '%+%@%'.
func plusAt(v string) bool {
	i := strings.IndexByte(v, '+')
	return i >= 0 && strings.IndexByte(v[i+1:], '@') >= 0
}

// flags are pick's accented (v <> strip_accents(v)), cased (NOT (v = upper(v) AND
// v <> lower(v))) and length(v) (code points); false for a value not in NFC, where
// DuckDB's normalisation, not Go's, would decide.
func flags(v string) (accented, cased bool, length int, ok bool) {
	ascii := true
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	allUpper, anyChange := true, false
	if ascii {
		for i := 0; i < len(v); i++ {
			c := v[i]
			if 'a' <= c && c <= 'z' {
				allUpper = false
			}
			if 'A' <= c && c <= 'Z' {
				anyChange = true
			}
		}
		return false, !(allUpper && anyChange), len(v), true
	}
	if !norm.NFC.IsNormalString(v) {
		return false, false, 0, false
	}
	for _, r := range v {
		length++
		if unicode.ToUpper(r) != r {
			allUpper = false
		}
		if unicode.ToLower(r) != r {
			anyChange = true
		}
		if !accented && hasMark(r) {
			accented = true
		}
	}
	return accented, !(allUpper && anyChange), length, true
}

// hasMark says r's canonical decomposition holds a mark (strip_accents removes it).
func hasMark(r rune) bool {
	if r < 0xc0 {
		return false
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	d := norm.NFD.String(string(buf[:n]))
	for _, c := range d {
		if unicode.In(c, unicode.Mn, unicode.Mc, unicode.Me) {
			return true
		}
	}
	return false
}

// suppressedEmails is every email of the suppressions view.
func suppressedEmails(ctx context.Context, q querier) (map[string]bool, error) {
	return querySet[string](ctx, q, `SELECT DISTINCT email FROM suppressions WHERE email IS NOT NULL`)
}

// inMemoryRules says the rules can be followed from matchRow, where a NULL source
// reads as "": not when a rule trusts the source "".
func inMemoryRules(rules map[string]GoldenRule) bool {
	for _, r := range rules {
		if r.Rule == RuleSourcePriority && slices.Contains(r.Sources, "") {
			return false
		}
	}
	return true
}

// GoldenBuild is the golden records of a full run being built in memory, beside
// the rest of the run (StartGolden); SaveMatchRun writes them.
type GoldenBuild struct {
	done     chan struct{} // closed when every part is built
	records  int           // how many records it was started with
	parts    []*goldenPart
	residual []int64 // the people left to rebuildPeople, once done
	err      error
}

// StartGolden starts building the golden records of every person of a full run
// from the rows read for matching: ids, persons and rows are aligned, one entry per
// record of the run, none left out. It returns nil when the rules need the SQL of
// rebuildPeople.
func (s *Store) StartGolden(ctx context.Context, ids, persons []int64, rows []GoldenInput) (*GoldenBuild, error) {
	if !inMemoryRules(s.golden) {
		return nil, nil
	}
	return startGolden(ctx, s.db, ids, persons, rows, s.golden)
}

func startGolden(ctx context.Context, q querier, ids, persons []int64, rows []GoldenInput,
	rules map[string]GoldenRule) (*GoldenBuild, error) {
	sup, err := suppressedEmails(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("golden records: %w", err)
	}
	b := &GoldenBuild{done: make(chan struct{}), records: len(ids),
		parts: make([]*goldenPart, goldenSlices*runtime.GOMAXPROCS(0))}
	for k := range b.parts {
		b.parts[k] = &goldenPart{done: make(chan struct{})}
	}
	go func() {
		defer close(b.done)
		goldenFromRows(ids, persons, rows, sup, rules, b.parts)
		for _, p := range b.parts {
			if p.err != nil && b.err == nil {
				b.err = p.err
			}
			b.residual = append(b.residual, p.residual...)
		}
	}()
	return b, nil
}

// goldenDB is the in-memory database attached while a run is saved, holding its
// golden records' lines: attached databases are seen by every connection,
// unlike temporary tables, so a second connection prepares them (load) while the
// save's transaction writes the rest.
const goldenDB = "padron_golden"

// load appends the golden records, one string per person, to the table
// padron_golden.lines, on conn, each part as soon as it is built; save splits them into people's columns
// (appending nineteen values, five of them lists, cost four seconds of cgo calls at
// a million records). It must not run inside the save's transaction: an INSERT
// reading a table the transaction itself filled ran on one core, and took twice as
// long. dropGolden detaches the database.
func (b *GoldenBuild) load(ctx context.Context, conn *sql.Conn) error {
	for _, q := range []string{`ATTACH IF NOT EXISTS ':memory:' AS ` + goldenDB,
		`CREATE OR REPLACE TABLE ` + goldenDB + `.lines (line VARCHAR)`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("golden records: %w", err)
		}
	}
	err := conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppender(dc.(driver.Conn), goldenDB, "", "lines")
		if err != nil {
			return err
		}
		if err := b.appendParts(ctx, a); err != nil {
			a.Close()
			return err
		}
		return a.Close()
	})
	if err != nil {
		return fmt.Errorf("golden records: %w", err)
	}
	<-b.done
	if b.err != nil {
		return fmt.Errorf("golden records: %w", b.err)
	}
	return nil
}

// appendParts appends each part's lines as soon as it is built.
func (b *GoldenBuild) appendParts(ctx context.Context, a *duckdb.Appender) error {
	for _, p := range b.parts {
		select {
		case <-p.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if p.err != nil {
			return p.err
		}
		for _, l := range p.lines {
			if err := a.AppendRow(l); err != nil {
				return err
			}
		}
		p.lines = nil // DuckDB holds them now
	}
	return nil
}

func dropGolden(conn *sql.Conn) {
	_, _ = conn.ExecContext(context.Background(), `DETACH DATABASE IF EXISTS `+goldenDB)
}

// goldenSelect is the SELECT of people's columns (goldenColumns) from the lines of
// encode in table.
func goldenSelect(table string) string {
	list := func(i int) string {
		return fmt.Sprintf("CASE WHEN s[%[1]d] = '' THEN [] ELSE string_split(s[%[1]d], e'%[2]s')[2:] END", i, sepElem)
	}
	var cols strings.Builder
	for k, f := range goldenFields {
		v := fmt.Sprintf("nullif(s[%d], '')", k+2)
		if f.name == "birth_date" {
			v = "CAST(" + v + " AS DATE)"
		}
		cols.WriteString(", " + v + " AS " + f.name)
	}
	n := len(goldenFields) + 2
	return `SELECT CAST(s[1] AS BIGINT) AS id` + cols.String() + `, ` + list(n) + ` AS emails, ` + list(n+1) +
		` AS phones, ` + list(n+2) + ` AS tags, ` + list(n+3) + ` AS sources, ` + list(n+4) + ` AS addresses` +
		fmt.Sprintf(`, CAST(s[%d] AS INTEGER) AS records, CAST(s[%d] AS BOOLEAN) AS opted_out`, n+5, n+6) +
		` FROM (SELECT string_split(line, e'` + sepField + `') AS s FROM ` + table + `)`
}

// goldenColumns are people's columns in goldenSelect's order.
func goldenColumns() string {
	return `id` + colNames() + `, emails, phones, tags, sources, addresses, records, opted_out`
}

// save writes the golden records loaded, and has rebuildPeople build those it could
// not. The lines are split in the INSERT itself: splitting them into a table first,
// during the load, cost more than it hid.
func (b *GoldenBuild) save(ctx context.Context, conn *sql.Conn, rules map[string]GoldenRule) error {
	if _, err := conn.ExecContext(ctx, `DELETE FROM people`); err != nil {
		return fmt.Errorf("golden records: %w", err)
	}
	cols := goldenColumns()
	if _, err := conn.ExecContext(ctx, `INSERT INTO people (`+cols+`) `+goldenSelect(goldenDB+".lines")); err != nil {
		return fmt.Errorf("golden records: %w", err)
	}
	if len(b.residual) > 0 {
		return rebuildPeople(ctx, conn, b.residual, rules)
	}
	return nil
}

func colNames() string {
	var b strings.Builder
	for _, f := range goldenFields {
		b.WriteString(", " + f.name)
	}
	return b.String()
}
