package segment

import (
	"time"
)

// The fundraising segments look at dated donations on or before the reference date
// (the compiler's asOf): credits no rule excludes, of the records linked to a person,
// dated by booking date or else value date. Each compiles to p.id IN (an uncorrelated
// subquery over those donations), so it is computed once per query, not per person.

const day = "2006-01-02"

// dated is the subquery of dated donations up to the reference date: pid, d, amt.
func (c *compiler) dated() string {
	return `SELECT l.person_id AS pid, ` + donationDate + ` AS d, t.amount AS amt
	FROM transactions t JOIN links l ON l.record_id = t.record_id
	WHERE t.kind = 'credit' AND t.excluded IS NULL AND ` + donationDate + ` <= CAST(` + c.arg(c.asOf.Format(day)) + ` AS DATE)`
}

func (c *compiler) date(t time.Time) string {
	return `CAST(` + c.arg(t.Format(day)) + ` AS DATE)`
}

// having selects the donors whose donations up to the reference date satisfy cond,
// an aggregate condition over d and amt.
func (c *compiler) having(cond func() string) string {
	from := c.dated()
	return `coalesce(p.id IN (SELECT pid FROM (` + from + `) GROUP BY pid HAVING ` + cond() + `), false)`
}

func (c *compiler) fundraisingFlag(field string) string {
	thisYear := time.Date(c.asOf.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	lastYear := thisYear.AddDate(-1, 0, 0)
	switch field {
	case "lybunt":
		// Latest donation in the previous calendar year: gave then, nothing since.
		return c.having(func() string {
			return `max(d) >= ` + c.date(lastYear) + ` AND max(d) < ` + c.date(thisYear)
		})
	case "sybunt":
		// Latest donation before the previous calendar year.
		return c.having(func() string { return `max(d) < ` + c.date(lastYear) })
	case "first_time_donor":
		// First donation ever within the 12 months up to the reference date.
		return c.having(func() string { return `min(d) > ` + c.date(c.asOf.AddDate(-1, 0, 0)) })
	case "lapsed":
		// Gave before, nothing in the 18 months up to the reference date.
		return c.having(func() string { return `max(d) <= ` + c.date(c.asOf.AddDate(0, -18, 0)) })
	case "recurring_donor":
		return c.recurring(6, 3)
	}
	panic("segment: unknown flag " + field)
}

// recurring selects donors who gave in at least min distinct calendar months among
// the last months calendar months, the reference date's month included.
func (c *compiler) recurring(months, min int) string {
	first := time.Date(c.asOf.Year(), c.asOf.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -(months - 1), 0)
	return c.having(func() string {
		return `count(DISTINCT date_trunc('month', d)) FILTER (WHERE d >= ` + c.date(first) + `) >= CAST(` + c.arg(min) + ` AS BIGINT)`
	})
}

// totals is the subquery of donors with a positive total up to the reference date:
// pid, total, and rk, their rank by total (1 the largest, ties sharing a rank), and n,
// how many such donors there are.
func (c *compiler) totals() string {
	return `SELECT pid, sum(amt) AS total, rank() OVER (ORDER BY sum(amt) DESC) AS rk, count(*) OVER () AS n
	FROM (` + c.dated() + `) GROUP BY pid HAVING sum(amt) > 0`
}

// majorDonor selects the donors ranked within the top ceil(share × donors) by total;
// everyone tied at the cut is in.
func (c *compiler) majorDonor(share float64) string {
	return `coalesce(p.id IN (SELECT pid FROM (` + c.totals() + `) WHERE rk <= ceil(CAST(` + c.arg(share) + ` AS DOUBLE) * n)), false)`
}

// rfm is the subquery pid, score: each donor's quintile, 1 to 5 (5 best), by
// recency (latest donation), frequency (number of donations) or monetary (total).
// score = 1 + floor(5 × (donors with a strictly worse value) / donors), so ties share
// a score.
func (c *compiler) rfm(field string) string {
	var x string
	switch field {
	case "rfm_recency":
		x = "max(d)"
	case "rfm_frequency":
		x = "count(*)"
	case "rfm_monetary":
		x = "sum(amt)"
	default:
		panic("segment: unknown rfm field " + field)
	}
	return `SELECT pid, 1 + floor(5 * (rank() OVER (ORDER BY ` + x + ` ASC) - 1) / count(*) OVER ()) AS score
	FROM (` + c.dated() + `) GROUP BY pid`
}
