package report

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/padron-org/padron/pkg/store"
)

// QualityReport is the data quality of the store: what is filled in, what was
// wrong at import, what waits for a steward, and values that look suspicious.
type QualityReport struct {
	People int64 `json:"people"`
	// Records counts the records about people: every record but bank statement lines,
	// which never carry contact fields.
	Records int64 `json:"records"`

	Fields []FieldFill `json:"fields"`
	// Uncontactable: people with neither an email, nor a phone, nor an address.
	Uncontactable Share `json:"uncontactable"`
	OptedOut      Share `json:"opted_out"`

	Problems         int64          `json:"problems"`
	ProblemsByFile   []FileCount    `json:"problems_by_file"`
	ProblemsByReason []ReasonCount  `json:"problems_by_reason"`
	ProblemsDetail   []ProblemCount `json:"problems_by_file_and_reason"`

	// ReviewPending: pairs of records that may be one person, waiting in the review
	// queue ('padron review'). NotDeduped: records no dedupe has placed yet.
	ReviewPending int64 `json:"review_pending"`
	NotDeduped    int64 `json:"records_not_deduped"`

	SharedEmails SharedValues `json:"shared_emails"`
	SharedPhones SharedValues `json:"shared_phones"`
}

// FieldFill is how many people and records have a field filled in.
type FieldFill struct {
	Field   string `json:"field"`
	People  Share  `json:"people"`
	Records Share  `json:"records"`
}

// ReasonCount is the number of problems of one kind (field and reason, see problemKind),
// in how many files.
type ReasonCount struct {
	Field  string `json:"field"` // "" for a problem of the whole row
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
	Files  int64  `json:"files"`
}

// ProblemCount is the number of problems of one kind in one file.
type ProblemCount struct {
	File   string `json:"file"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// SharedValues are emails or phones that several people have: a shared family
// address or household phone, a placeholder ("no@email.com") or a data entry slip.
type SharedValues struct {
	Values int64 `json:"values"` // distinct values held by two or more people
	People int64 `json:"people"` // people holding one of them
	// Top lists the most shared values, most people first (ties by value).
	Top []SharedValue `json:"top"`
}

// SharedValue is one value and how many people have it.
type SharedValue struct {
	Value  string `json:"value"`
	People int64  `json:"people"`
}

// QualityOptions choose how much a quality report lists.
type QualityOptions struct {
	// Top is how many shared emails and phones to list; zero means 10.
	Top int
}

// contactFields are the fields whose fill rate the quality report gives: the SQL
// that says a person has one, and the SQL that says a record does.
var contactFields = []struct{ name, person, record string }{
	{"email", `coalesce(len(p.emails), 0) > 0 OR coalesce(p.email, '') <> ''`, `coalesce(len(r.emails), 0) > 0`},
	{"phone", `coalesce(len(p.phones), 0) > 0 OR coalesce(p.phone, '') <> ''`, `coalesce(len(r.phones), 0) > 0`},
	{"address", `coalesce(len(p.addresses), 0) > 0 OR coalesce(p.street, '') <> ''`,
		`coalesce(r.street, '') <> '' OR coalesce(r.postcode, '') <> '' OR coalesce(r.city, '') <> ''`},
	{"birth_date", `p.birth_date IS NOT NULL`, `r.birth_date IS NOT NULL`},
	{"national_id", `coalesce(p.national_id, '') <> ''`, `coalesce(r.national_id, '') <> ''`},
}

// statementLines selects the records that are bank statement lines.
const statementLines = `SELECT record_id FROM transactions WHERE origin = 'statement'`

// DataQuality computes the data quality report (Quality is the board report's section).
func DataQuality(ctx context.Context, st *store.Store, opts QualityOptions) (*QualityReport, error) {
	top := opts.Top
	if top <= 0 {
		top = 10
	}
	b := &builder{ctx: ctx, db: st.DB()}
	r := &QualityReport{Fields: []FieldFill{}, ProblemsByFile: []FileCount{}, ProblemsByReason: []ReasonCount{},
		ProblemsDetail: []ProblemCount{}}
	if err := b.qualityFields(r); err != nil {
		return nil, fmt.Errorf("quality report: %w", err)
	}
	if err := b.qualityProblems(r); err != nil {
		return nil, fmt.Errorf("quality report: %w", err)
	}
	_, pending, err := st.ReviewQueue(ctx, 0, 1)
	if err != nil {
		return nil, fmt.Errorf("quality report: review queue: %w", err)
	}
	r.ReviewPending = int64(pending)
	if r.NotDeduped, err = st.Unlinked(ctx); err != nil {
		return nil, fmt.Errorf("quality report: records not deduped: %w", err)
	}
	for _, s := range []struct {
		col  string
		into *SharedValues
	}{{"emails", &r.SharedEmails}, {"phones", &r.SharedPhones}} {
		if err := b.shared(s.col, top, s.into); err != nil {
			return nil, fmt.Errorf("quality report: shared %s: %w", s.col, err)
		}
	}
	return r, nil
}

func (b *builder) qualityFields(r *QualityReport) error {
	var optedOut, uncontactable int64
	q := `SELECT count(*), count(*) FILTER (WHERE p.opted_out), count(*) FILTER (WHERE NOT (` +
		contactFields[0].person + `) AND NOT (` + contactFields[1].person + `) AND NOT (` + contactFields[2].person + `))`
	for _, f := range contactFields {
		q += `, count(*) FILTER (WHERE ` + f.person + `)`
	}
	people := make([]int64, len(contactFields))
	dest := []any{&r.People, &optedOut, &uncontactable}
	for i := range people {
		dest = append(dest, &people[i])
	}
	if err := b.row(q+` FROM people p`, nil, dest...); err != nil {
		return err
	}
	q = `SELECT count(*)`
	for _, f := range contactFields {
		q += `, count(*) FILTER (WHERE ` + f.record + `)`
	}
	records := make([]int64, len(contactFields))
	dest = []any{&r.Records}
	for i := range records {
		dest = append(dest, &records[i])
	}
	if err := b.row(q+` FROM records r WHERE r.id NOT IN (`+statementLines+`)`, nil, dest...); err != nil {
		return err
	}
	for i, f := range contactFields {
		r.Fields = append(r.Fields, FieldFill{Field: f.name, People: share(people[i], r.People), Records: share(records[i], r.Records)})
	}
	r.OptedOut = share(optedOut, r.People)
	r.Uncontactable = share(uncontactable, r.People)
	return nil
}

// problemKind is a problem's reason with the offending value replaced by "…", so
// that the same mistake with different values counts as one kind
// ("date … does not exist"). Values of one character are left, as they would
// replace unrelated letters.
const problemKind = `CASE WHEN length(coalesce(value, '')) > 1 THEN replace(reason, value, '…') ELSE reason END`

func (b *builder) qualityProblems(r *QualityReport) error {
	err := b.rows(`SELECT source_file, count(*) FROM problems GROUP BY source_file ORDER BY source_file`, nil,
		func(rows *sql.Rows) error {
			var f FileCount
			if err := rows.Scan(&f.File, &f.Problems); err != nil {
				return err
			}
			r.Problems += f.Problems
			r.ProblemsByFile = append(r.ProblemsByFile, f)
			return nil
		})
	if err != nil {
		return err
	}
	err = b.rows(`SELECT coalesce(field, ''), `+problemKind+`, count(*), count(DISTINCT source_file) FROM problems
		GROUP BY ALL ORDER BY count(*) DESC, 1, 2`, nil, func(rows *sql.Rows) error {
		var c ReasonCount
		if err := rows.Scan(&c.Field, &c.Reason, &c.Count, &c.Files); err != nil {
			return err
		}
		r.ProblemsByReason = append(r.ProblemsByReason, c)
		return nil
	})
	if err != nil {
		return err
	}
	return b.rows(`SELECT source_file, coalesce(field, ''), `+problemKind+`, count(*) FROM problems
		GROUP BY ALL ORDER BY 1, count(*) DESC, 2, 3`, nil, func(rows *sql.Rows) error {
		var c ProblemCount
		if err := rows.Scan(&c.File, &c.Field, &c.Reason, &c.Count); err != nil {
			return err
		}
		r.ProblemsDetail = append(r.ProblemsDetail, c)
		return nil
	})
}

// shared finds the values of a list column of people (emails, phones) that two or
// more people hold. col is one of two constants, never user input.
func (b *builder) shared(col string, top int, into *SharedValues) error {
	with := `WITH v AS (SELECT lower(x) AS val, count(DISTINCT id) AS n, list(DISTINCT id) AS ids
		FROM (SELECT id, unnest(` + col + `) AS x FROM people) WHERE coalesce(x, '') <> '' GROUP BY 1 HAVING count(DISTINCT id) > 1) `
	if err := b.row(with+`SELECT count(*), (SELECT count(DISTINCT i) FROM (SELECT unnest(ids) AS i FROM v)) FROM v`, nil,
		&into.Values, &into.People); err != nil {
		return err
	}
	into.Top = []SharedValue{}
	return b.rows(with+`SELECT val, n FROM v ORDER BY n DESC, val LIMIT ?`, []any{top}, func(rows *sql.Rows) error {
		var s SharedValue
		if err := rows.Scan(&s.Value, &s.People); err != nil {
			return err
		}
		into.Top = append(into.Top, s)
		return nil
	})
}

// WriteQualityJSON writes the quality report as indented JSON.
func WriteQualityJSON(w io.Writer, r *QualityReport) error { return writeIndented(w, r) }

// WriteQualityMarkdown writes the quality report as Markdown.
func WriteQualityMarkdown(w io.Writer, r *QualityReport) error {
	bw := bufio.NewWriter(w)
	m := &md{w: bw}
	m.line("# Data quality report")
	m.line("")
	m.line("%d people after dedupe, from %d records about people.", r.People, r.Records)
	m.line("")

	m.section("Fields filled in")
	rows := [][]string{}
	for _, f := range r.Fields {
		rows = append(rows, []string{f.Field, n(f.People.Count), pct(f.People.Percent), n(f.Records.Count), pct(f.Records.Percent)})
	}
	m.table([]string{"Field", "People", "Share of people", "Records", "Share of records"}, "lrrrr", rows)
	m.table([]string{"People", "Count", "Share"}, "lrr", [][]string{
		{"with no email, phone or address (cannot be contacted)", n(r.Uncontactable.Count), pct(r.Uncontactable.Percent)},
		{"who opted out", n(r.OptedOut.Count), pct(r.OptedOut.Percent)},
	})

	m.section("Problems found at import")
	m.line("%d problems: values that were invalid and not kept, or rows that could not be read.", r.Problems)
	m.line("")
	rows = [][]string{}
	for _, f := range r.ProblemsByFile {
		rows = append(rows, []string{f.File, n(f.Problems)})
	}
	m.table([]string{"File", "Problems"}, "lr", rows)
	rows = [][]string{}
	for _, c := range r.ProblemsByReason {
		rows = append(rows, []string{qualityField(c.Field), c.Reason, n(c.Count), n(c.Files)})
	}
	m.table([]string{"Field", "Reason", "Problems", "Files"}, "llrr", rows)
	if len(r.ProblemsDetail) > 0 {
		m.line("### By file and reason")
		m.line("")
		rows = [][]string{}
		for _, c := range r.ProblemsDetail {
			rows = append(rows, []string{c.File, qualityField(c.Field), c.Reason, n(c.Count)})
		}
		m.table([]string{"File", "Field", "Reason", "Problems"}, "lllr", rows)
	}

	m.section("Waiting for a steward")
	m.table([]string{"", "Count"}, "lr", [][]string{
		{"Possible duplicates in the review queue ('padron review')", n(r.ReviewPending)},
		{"Records not yet deduped ('padron dedupe')", n(r.NotDeduped)},
	})

	m.section("Suspicious values")
	m.line("Emails and phones held by two or more people: a family or household sharing one, a")
	m.line("placeholder, or a slip at data entry.")
	m.line("")
	for _, s := range []struct {
		what string
		v    SharedValues
	}{{"email", r.SharedEmails}, {"phone", r.SharedPhones}} {
		m.line("Shared %ss: %d, held by %d people.", s.what, s.v.Values, s.v.People)
		m.line("")
		rows = [][]string{}
		for _, t := range s.v.Top {
			rows = append(rows, []string{t.Value, n(t.People)})
		}
		if len(rows) > 0 {
			m.table([]string{"Shared " + s.what, "People"}, "lr", rows)
		}
	}
	if m.err != nil {
		return m.err
	}
	return bw.Flush()
}

func qualityField(f string) string {
	if f == "" {
		return "(row)"
	}
	return f
}
