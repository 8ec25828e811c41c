// Package report computes the reports padron gives to a board: figures about people,
// data quality and donations, exact to the cent. It never prints; the renderers
// write a computed report to a writer.
package report

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/padron-org/padron/pkg/segment"
	"github.com/padron-org/padron/pkg/store"
)

// Options choose what a board report covers.
type Options struct {
	// From and To bound the reporting period, both inclusive; zero is unbounded.
	From, To time.Time
	// Currency keeps only donations in this currency; empty keeps all.
	Currency string
	// AsOf is the reference date of LYBUNT and SYBUNT; zero means To, or else today.
	AsOf time.Time
	// Top is how many top donors to list per currency; zero means 10.
	Top int
}

// BoardReport holds every figure of the board report. Money is an exact decimal
// string per currency; nothing is ever summed as a float.
type BoardReport struct {
	From     string `json:"from,omitempty"` // YYYY-MM-DD; empty: unbounded
	To       string `json:"to,omitempty"`
	AsOf     string `json:"as_of"`
	Year     int    `json:"reporting_year"` // the year retention is measured for (the year of To, or of as-of)
	Currency string `json:"currency,omitempty"`

	People     People     `json:"people"`
	Duplicates Duplicates `json:"duplicates"`
	Quality    Quality    `json:"data_quality"`
	Donations  Donations  `json:"donations"`
	Activity   Activity   `json:"activity"`
	OptOuts    OptOuts    `json:"opt_outs"`
}

// Activity is what the data says about volunteering and events: volunteers (people
// tagged so, or with a record in a volunteers' list), people per tag, and dated
// records that are not donations (event sign-ups, attendance) in the period.
type Activity struct {
	Volunteers int64      `json:"volunteers"`
	Tags       []TagCount `json:"tags"` // the 20 tags most people carry
	// Events: dated records that are not donations, per source file and per month.
	Events        []EventSource `json:"events"`
	EventsByMonth []EventPeriod `json:"events_by_month"`
}

// TagCount is how many people carry a tag.
type TagCount struct {
	Tag    string `json:"tag"`
	People int64  `json:"people"`
}

// EventSource counts one file's dated records in the period and the people they are.
type EventSource struct {
	Source  string `json:"source"`
	Records int64  `json:"records"`
	People  int64  `json:"people"`
}

// EventPeriod counts dated records of one month and the people they are.
type EventPeriod struct {
	Period  string `json:"period"` // YYYY-MM
	Records int64  `json:"records"`
	People  int64  `json:"people"`
}

// People counts the people after dedupe, by source and by how many sources they are in.
type People struct {
	Total    int64         `json:"total"`
	BySource []SourceCount `json:"by_source"`
	// Overlap: how many people appear in exactly 1, 2, 3 and 4 or more source files.
	Overlap Overlap `json:"overlap"`
}

// SourceCount is the number of people with a record from one source file.
type SourceCount struct {
	Source string `json:"source"`
	People int64  `json:"people"`
}

// Overlap counts people by the number of source files their records come from.
type Overlap struct {
	In1     int64 `json:"in_1"`
	In2     int64 `json:"in_2"`
	In3     int64 `json:"in_3"`
	In4Plus int64 `json:"in_4_or_more"`
}

// Duplicates says what dedupe found and merged.
type Duplicates struct {
	Records        int64 `json:"records"`         // every imported record
	LinkedRecords  int64 `json:"linked_records"`  // records that belong to a person
	MergedPeople   int64 `json:"merged_people"`   // people made of two or more records
	MergedRecords  int64 `json:"merged_records"`  // the records of those people
	DuplicatesGone int64 `json:"duplicates_gone"` // linked records minus people: rows merged away
	MatchRuns      int64 `json:"match_runs"`
}

// Quality is the share of people with each kind of contact, and problems per file.
type Quality struct {
	WithEmail   Share       `json:"with_email"`
	WithPhone   Share       `json:"with_phone"`
	WithAddress Share       `json:"with_address"`
	Problems    int64       `json:"problems"`
	ByFile      []FileCount `json:"problems_by_file"`
}

// Share is a count out of a total, with the percentage rounded to one decimal.
type Share struct {
	Count   int64  `json:"count"`
	Of      int64  `json:"of"`
	Percent string `json:"percent"` // "" when Of is 0
}

// FileCount is the number of problems found in one file.
type FileCount struct {
	File     string `json:"file"`
	Problems int64  `json:"problems"`
}

// Donations are the figures about donations in the period.
type Donations struct {
	// Totals per currency over the period.
	Totals []CurrencyTotal `json:"totals"`
	// ByYear and ByMonth: count and total per period and currency (dated donations only).
	ByYear  []PeriodTotal `json:"by_year"`
	ByMonth []PeriodTotal `json:"by_month"`
	// Donors: distinct people who gave in the period (any currency kept).
	Donors int64 `json:"donors"`
	// Unattributed: donations in the period that belong to no person.
	Unattributed int64 `json:"unattributed_donations"`
	// New donors gave for the first time ever within the period; returning donors gave before it.
	NewDonors       int64      `json:"new_donors"`
	ReturningDonors int64      `json:"returning_donors"`
	Retention       Retention  `json:"retention"`
	LYBUNT          Segment    `json:"lybunt"`
	SYBUNT          Segment    `json:"sybunt"`
	Top             []TopDonor `json:"top_donors"`
}

// CurrencyTotal sums the period's donations in one currency.
type CurrencyTotal struct {
	Currency string `json:"currency"`
	Count    int64  `json:"count"`
	Total    string `json:"total"`
	Donors   int64  `json:"donors"`
	// Average is the total over the count, rounded half away from zero to the cent.
	Average string `json:"average"`
	// Median is exact: the middle gift, or the mean of the two middle gifts.
	Median string `json:"median"`
}

// PeriodTotal is the count and sum of donations of one year or month in one currency.
type PeriodTotal struct {
	Period   string `json:"period"` // YYYY or YYYY-MM
	Currency string `json:"currency"`
	Count    int64  `json:"count"`
	Total    string `json:"total"`
}

// Retention: of the donors of the year before the reporting year, how many gave again.
type Retention struct {
	Year         int    `json:"year"`
	PreviousYear int64  `json:"previous_year_donors"`
	Retained     int64  `json:"retained"`
	Percent      string `json:"percent"` // "" when there were no donors the year before
}

// Segment is a fundraising segment's size and money.
type Segment struct {
	People  int64         `json:"people"`
	Amounts []MoneyAmount `json:"amounts"`
}

// MoneyAmount is a sum in one currency.
type MoneyAmount struct {
	Currency string `json:"currency"`
	Total    string `json:"total"`
}

// TopDonor is one of the largest donors of the period in a currency.
type TopDonor struct {
	Currency string `json:"currency"`
	Rank     int64  `json:"rank"`
	PersonID int64  `json:"person_id"`
	Name     string `json:"name"`
	Count    int64  `json:"count"`
	Total    string `json:"total"`
}

// OptOuts counts people who opted out and emails that must not be written to.
type OptOuts struct {
	People           int64 `json:"people"`
	SuppressedEmails int64 `json:"suppressed_emails"`
}

const day = "2006-01-02"

func dateLit(t time.Time) string { return "DATE '" + t.Format(day) + "'" }

var currencyCode = regexp.MustCompile(`^[A-Za-z]{3}$`)

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// builder runs the report's queries.
type builder struct {
	ctx    context.Context
	db     *sql.DB
	don    string // WITH clause: don(pid, d, amt, cur), the donations kept
	period string // condition on don selecting the reporting period
	from   string // the period's first day as a SQL literal; "" when unbounded
}

// Board computes the board report from the store.
func Board(ctx context.Context, st *store.Store, opts Options) (*BoardReport, error) {
	asOf := opts.AsOf
	if asOf.IsZero() {
		asOf = opts.To
	}
	if asOf.IsZero() {
		asOf = time.Now()
	}
	asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	if !opts.From.IsZero() && !opts.To.IsZero() && opts.To.Before(opts.From) {
		return nil, fmt.Errorf("the period ends (%s) before it starts (%s)", opts.To.Format(day), opts.From.Format(day))
	}
	if opts.Currency != "" && !currencyCode.MatchString(opts.Currency) {
		return nil, fmt.Errorf("currency %q: want an ISO 4217 code such as PLN, EUR, ARS", opts.Currency)
	}
	top := opts.Top
	if top <= 0 {
		top = 10
	}
	r := &BoardReport{AsOf: asOf.Format(day), Currency: opts.Currency}
	r.Year = asOf.Year()
	if !opts.To.IsZero() {
		r.Year = opts.To.Year()
		r.To = opts.To.Format(day)
	}
	if !opts.From.IsZero() {
		r.From = opts.From.Format(day)
	}

	b := &builder{ctx: ctx, db: st.DB()}
	b.don = `WITH don AS (SELECT l.person_id AS pid, coalesce(t.booking_date, t.value_date) AS d, t.amount AS amt,
		coalesce(t.currency, '') AS cur
		FROM transactions t LEFT JOIN links l ON l.record_id = t.record_id
		WHERE t.kind = 'credit' AND t.excluded IS NULL`
	if opts.Currency != "" {
		// A currency is three letters (checked above), so it cannot carry SQL; the
		// fragment is shared by every query below, which is why it is not a parameter.
		b.don += ` AND coalesce(t.currency, '') = ` + quote(strings.ToUpper(opts.Currency))
	}
	b.don += ") "
	var conds []string
	if !opts.From.IsZero() {
		b.from = dateLit(opts.From)
		conds = append(conds, "d >= "+b.from)
	}
	if !opts.To.IsZero() {
		conds = append(conds, "d <= "+dateLit(opts.To))
	}
	b.period = "true"
	if len(conds) > 0 {
		b.period = strings.Join(conds, " AND ")
	}

	steps := []func(*BoardReport) error{b.people, b.duplicates, b.quality, b.optOuts, b.activity, b.totals, b.medians,
		b.byPeriod, b.donors, b.retention, func(r *BoardReport) error { return b.segments(r, asOf) },
		func(r *BoardReport) error { return b.top(r, top) }}
	for _, step := range steps {
		if err := step(r); err != nil {
			return nil, fmt.Errorf("board report: %w", err)
		}
	}
	return r, nil
}

// rows runs q and calls scan for each row.
func (b *builder) rows(q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := b.db.QueryContext(b.ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (b *builder) row(q string, args []any, dest ...any) error {
	return b.db.QueryRowContext(b.ctx, q, args...).Scan(dest...)
}

func (b *builder) people(r *BoardReport) error {
	p := &r.People
	if err := b.row(`SELECT count(*),
		count(*) FILTER (WHERE coalesce(len(sources), 0) <= 1),
		count(*) FILTER (WHERE len(sources) = 2),
		count(*) FILTER (WHERE len(sources) = 3),
		count(*) FILTER (WHERE len(sources) >= 4) FROM people`, nil,
		&p.Total, &p.Overlap.In1, &p.Overlap.In2, &p.Overlap.In3, &p.Overlap.In4Plus); err != nil {
		return err
	}
	p.BySource = []SourceCount{}
	return b.rows(`SELECT s, count(*) FROM (SELECT unnest(sources) AS s FROM people) GROUP BY s ORDER BY s`, nil,
		func(rows *sql.Rows) error {
			var c SourceCount
			if err := rows.Scan(&c.Source, &c.People); err != nil {
				return err
			}
			p.BySource = append(p.BySource, c)
			return nil
		})
}

func (b *builder) duplicates(r *BoardReport) error {
	d := &r.Duplicates
	return b.row(`SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM links),
		(SELECT count(*) FROM people WHERE records > 1), (SELECT coalesce(sum(records), 0) FROM people WHERE records > 1),
		(SELECT count(*) FROM links) - (SELECT count(DISTINCT person_id) FROM links),
		(SELECT count(*) FROM match_runs)`, nil,
		&d.Records, &d.LinkedRecords, &d.MergedPeople, &d.MergedRecords, &d.DuplicatesGone, &d.MatchRuns)
}

func share(n, of int64) Share {
	s := Share{Count: n, Of: of}
	if of > 0 {
		s.Percent = big.NewRat(n*100, of).FloatString(1)
	}
	return s
}

func (b *builder) quality(r *BoardReport) error {
	var total, email, phone, addr int64
	if err := b.row(`SELECT count(*), count(*) FILTER (WHERE coalesce(len(emails), 0) > 0),
		count(*) FILTER (WHERE coalesce(len(phones), 0) > 0),
		count(*) FILTER (WHERE coalesce(len(addresses), 0) > 0) FROM people`, nil, &total, &email, &phone, &addr); err != nil {
		return err
	}
	q := &r.Quality
	q.WithEmail, q.WithPhone, q.WithAddress = share(email, total), share(phone, total), share(addr, total)
	q.ByFile = []FileCount{}
	return b.rows(`SELECT source_file, count(*) FROM problems GROUP BY source_file ORDER BY source_file`, nil,
		func(rows *sql.Rows) error {
			var f FileCount
			if err := rows.Scan(&f.File, &f.Problems); err != nil {
				return err
			}
			q.Problems += f.Problems
			q.ByFile = append(q.ByFile, f)
			return nil
		})
}

func (b *builder) optOuts(r *BoardReport) error {
	return b.row(`SELECT (SELECT count(*) FROM people WHERE opted_out),
		(SELECT count(DISTINCT lower(email)) FROM suppressions)`, nil, &r.OptOuts.People, &r.OptOuts.SuppressedEmails)
}

// volunteerWord matches the words for volunteer in padron's languages.
const volunteerWord = `'(^|[^[:alpha:]])(volunt|wolont|bénévol|benevol)'`

func (b *builder) activity(r *BoardReport) error {
	a := &r.Activity
	if err := b.row(`SELECT count(*) FROM people p WHERE len(list_filter(p.tags, t -> regexp_matches(lower(t), `+volunteerWord+`))) > 0
		OR p.id IN (SELECT l.person_id FROM links l JOIN records r ON r.id = l.record_id
			WHERE r.batch_id IN (SELECT id FROM batches WHERE regexp_matches(lower(file), `+volunteerWord+`)))`,
		nil, &a.Volunteers); err != nil {
		return err
	}
	a.Tags, a.Events, a.EventsByMonth = []TagCount{}, []EventSource{}, []EventPeriod{}
	err := b.rows(`SELECT t, count(*) AS n FROM (SELECT DISTINCT id, unnest(tags) AS t FROM people)
		GROUP BY t ORDER BY n DESC, t LIMIT 20`, nil, func(rows *sql.Rows) error {
		var t TagCount
		if err := rows.Scan(&t.Tag, &t.People); err != nil {
			return err
		}
		a.Tags = append(a.Tags, t)
		return nil
	})
	if err != nil {
		return err
	}
	// Dated records that are not transactions: sign-ups, attendance lists. The
	// period's condition is on d, as for donations.
	ev := `WITH ev AS (SELECT r.source_file AS src, r.date AS d, l.person_id AS pid FROM records r
		LEFT JOIN links l ON l.record_id = r.id
		WHERE r.date IS NOT NULL AND r.id NOT IN (SELECT record_id FROM transactions)) `
	err = b.rows(ev+`SELECT src, count(*), count(DISTINCT pid) FROM ev WHERE `+b.period+` GROUP BY src ORDER BY src`, nil,
		func(rows *sql.Rows) error {
			var e EventSource
			if err := rows.Scan(&e.Source, &e.Records, &e.People); err != nil {
				return err
			}
			a.Events = append(a.Events, e)
			return nil
		})
	if err != nil {
		return err
	}
	return b.rows(ev+`SELECT strftime(d, '%Y-%m') AS per, count(*), count(DISTINCT pid) FROM ev WHERE `+b.period+
		` GROUP BY per ORDER BY per`, nil, func(rows *sql.Rows) error {
		var e EventPeriod
		if err := rows.Scan(&e.Period, &e.Records, &e.People); err != nil {
			return err
		}
		a.EventsByMonth = append(a.EventsByMonth, e)
		return nil
	})
}

func (b *builder) totals(r *BoardReport) error {
	d := &r.Donations
	d.Totals = []CurrencyTotal{}
	return b.rows(b.don+`SELECT cur, count(*), sum(amt)::VARCHAR, count(DISTINCT pid) FROM don WHERE `+b.period+
		` GROUP BY cur ORDER BY cur`, nil, func(rows *sql.Rows) error {
		var c CurrencyTotal
		if err := rows.Scan(&c.Currency, &c.Count, &c.Total, &c.Donors); err != nil {
			return err
		}
		c.Total = Decimal(c.Total)
		c.Average = average(c.Total, c.Count)
		d.Totals = append(d.Totals, c)
		return nil
	})
}

// average is total/count rounded half away from zero to the cent.
func average(total string, count int64) string {
	t, ok := new(big.Rat).SetString(total)
	if !ok || count == 0 {
		return ""
	}
	return t.Quo(t, big.NewRat(count, 1)).FloatString(2)
}

// medians reads the one or two middle gifts of each currency and averages them exactly.
func (b *builder) medians(r *BoardReport) error {
	mid := map[string][]string{}
	err := b.rows(b.don+`SELECT cur, amt::VARCHAR FROM (SELECT cur, amt,
		row_number() OVER (PARTITION BY cur ORDER BY amt) AS rn, count(*) OVER (PARTITION BY cur) AS n
		FROM don WHERE `+b.period+`) WHERE rn = (n + 1) // 2 OR rn = (n + 2) // 2 ORDER BY cur, rn`, nil,
		func(rows *sql.Rows) error {
			var cur, amt string
			if err := rows.Scan(&cur, &amt); err != nil {
				return err
			}
			mid[cur] = append(mid[cur], amt)
			return nil
		})
	if err != nil {
		return err
	}
	for i := range r.Donations.Totals {
		c := &r.Donations.Totals[i]
		sum := new(big.Rat)
		vals := mid[c.Currency]
		for _, v := range vals {
			x, ok := new(big.Rat).SetString(v)
			if !ok {
				return fmt.Errorf("amount %q", v)
			}
			sum.Add(sum, x)
		}
		if len(vals) > 0 {
			sum.Quo(sum, big.NewRat(int64(len(vals)), 1))
			c.Median = Decimal(sum.FloatString(4))
		}
	}
	return nil
}

func (b *builder) byPeriod(r *BoardReport) error {
	d := &r.Donations
	d.ByYear, d.ByMonth = []PeriodTotal{}, []PeriodTotal{}
	for _, p := range []struct {
		format string
		into   *[]PeriodTotal
	}{{"%Y", &d.ByYear}, {"%Y-%m", &d.ByMonth}} {
		err := b.rows(b.don+`SELECT strftime(d, '`+p.format+`') AS per, cur, count(*), sum(amt)::VARCHAR FROM don
			WHERE d IS NOT NULL AND `+b.period+` GROUP BY per, cur ORDER BY per, cur`, nil, func(rows *sql.Rows) error {
			var t PeriodTotal
			if err := rows.Scan(&t.Period, &t.Currency, &t.Count, &t.Total); err != nil {
				return err
			}
			t.Total = Decimal(t.Total)
			*p.into = append(*p.into, t)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) donors(r *BoardReport) error {
	d := &r.Donations
	if err := b.row(b.don+`SELECT count(DISTINCT pid), count(*) FILTER (WHERE pid IS NULL) FROM don WHERE `+b.period, nil,
		&d.Donors, &d.Unattributed); err != nil {
		return err
	}
	// A donor's first donation ever (in the currencies kept) decides new or returning.
	before := "false"
	if b.from != "" {
		before = "first < " + b.from
	}
	return b.row(b.don+`SELECT count(*) FILTER (WHERE NOT `+before+`), count(*) FILTER (WHERE `+before+`) FROM (
		SELECT pid, min(d) AS first FROM don WHERE pid IS NOT NULL GROUP BY pid HAVING bool_or(`+b.period+`))`, nil,
		&d.NewDonors, &d.ReturningDonors)
}

func (b *builder) retention(r *BoardReport) error {
	ret := &r.Donations.Retention
	ret.Year = r.Year
	err := b.row(b.don+`, prev AS (SELECT DISTINCT pid FROM don WHERE pid IS NOT NULL AND year(d) = ?),
		cur AS (SELECT DISTINCT pid FROM don WHERE pid IS NOT NULL AND year(d) = ?)
		SELECT (SELECT count(*) FROM prev), (SELECT count(*) FROM prev WHERE pid IN (SELECT pid FROM cur))`,
		[]any{r.Year - 1, r.Year}, &ret.PreviousYear, &ret.Retained)
	if err != nil {
		return err
	}
	if ret.PreviousYear > 0 {
		ret.Percent = big.NewRat(ret.Retained*100, ret.PreviousYear).FloatString(1)
	}
	return nil
}

// segments counts LYBUNT and SYBUNT as the segment language defines them, as of asOf.
// LYBUNT's amount is what they gave last year; SYBUNT's is all they gave up to asOf.
func (b *builder) segments(r *BoardReport, asOf time.Time) error {
	lastYear := asOf.Year() - 1
	for _, s := range []struct {
		name  string
		into  *Segment
		where string
	}{
		{"lybunt", &r.Donations.LYBUNT, fmt.Sprintf("year(d) = %d", lastYear)},
		{"sybunt", &r.Donations.SYBUNT, "d <= " + dateLit(asOf)},
	} {
		cond, args, err := segment.CompileWith(s.name, segment.Options{AsOf: asOf})
		if err != nil {
			return err
		}
		if err := b.row(`SELECT count(*) FROM people p WHERE `+cond, args, &s.into.People); err != nil {
			return err
		}
		s.into.Amounts = []MoneyAmount{}
		err = b.rows(b.don+`SELECT cur, sum(amt)::VARCHAR FROM don WHERE `+s.where+
			` AND pid IN (SELECT p.id FROM people p WHERE `+cond+`) GROUP BY cur ORDER BY cur`, args,
			func(rows *sql.Rows) error {
				var m MoneyAmount
				if err := rows.Scan(&m.Currency, &m.Total); err != nil {
					return err
				}
				m.Total = Decimal(m.Total)
				s.into.Amounts = append(s.into.Amounts, m)
				return nil
			})
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) top(r *BoardReport, n int) error {
	d := &r.Donations
	d.Top = []TopDonor{}
	return b.rows(b.don+`SELECT g.cur, g.rk, g.pid, trim(concat_ws(' ', p.given_name, p.family_name)), g.n, g.s::VARCHAR
		FROM (SELECT cur, pid, count(*) AS n, sum(amt) AS s,
			row_number() OVER (PARTITION BY cur ORDER BY sum(amt) DESC, pid) AS rk
			FROM don WHERE pid IS NOT NULL AND `+b.period+` GROUP BY cur, pid) g
		LEFT JOIN people p ON p.id = g.pid WHERE g.rk <= ? ORDER BY g.cur, g.rk`, []any{n}, func(rows *sql.Rows) error {
		var t TopDonor
		var name sql.NullString
		if err := rows.Scan(&t.Currency, &t.Rank, &t.PersonID, &name, &t.Count, &t.Total); err != nil {
			return err
		}
		t.Name, t.Total = name.String, Decimal(t.Total)
		d.Top = append(d.Top, t)
		return nil
	})
}

// Decimal drops a DECIMAL's padding beyond the cents: "12.5000" → "12.50",
// "1.2340" → "1.234", "7" → "7.00".
func Decimal(s string) string {
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return s + ".00"
	}
	for len(s) < dot+3 {
		s += "0"
	}
	for len(s) > dot+3 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s
}
