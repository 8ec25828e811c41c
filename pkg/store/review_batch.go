package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// DecideMany applies many decisions about pairs of records in one transaction, in
// order, as Decide would one after another: a same decision merges the second record's
// person into the first's, a different one about records in one person takes the
// second out into a new person. Each decision is its own log entry (kind) with its own
// changes, so each can be reverted alone. Unlike Decide, a same decision about records
// already in one person (joined by an earlier decision of the batch, say) is still
// recorded, as a fact, with no change. details, when not nil, adds to each decision's
// log entry (where it came from, say). The results follow ds; nothing is applied when
// an error is returned.
func (s *Store) DecideMany(ctx context.Context, ds []Decision, actor, kind string, details []map[string]any) ([]MergeResult, error) {
	for _, d := range ds {
		if d.Decision != Same && d.Decision != Different {
			return nil, fmt.Errorf("decision %q about #%d and #%d: want %s or %s", d.Decision, d.A, d.B, Same, Different)
		}
	}
	if len(ds) == 0 {
		return nil, nil
	}
	out := make([]MergeResult, len(ds))
	err := s.withTx(ctx, func(conn *sql.Conn) error {
		ids := make([]int64, 0, 2*len(ds))
		for _, d := range ds {
			ids = append(ids, d.A, d.B)
		}
		person, members, err := peopleOfRecords(ctx, conn, ids)
		if err != nil {
			return err
		}
		type event struct {
			detail map[string]any
		}
		events := make([]event, len(ds))
		var changes [][]Change
		final := map[int64]int64{} // record → person, after the batch
		touched := map[int64]bool{}
		for i, d := range ds {
			pa, okA := person[d.A]
			pb, okB := person[d.B]
			if !okA {
				return fmt.Errorf("record #%d: %w", d.A, ErrNoPerson)
			}
			if !okB {
				return fmt.Errorf("record #%d: %w", d.B, ErrNoPerson)
			}
			res := &out[i]
			var ch []Change
			move := func(r, from, to int64) {
				ch = append(ch, Change{Record: r, Before: from, After: to})
				person[r], final[r] = to, to
				touched[from], touched[to] = true, true
			}
			switch {
			case d.Decision == Same:
				res.Person, res.People = pa, []int64{pa}
				if pa != pb {
					res.People = append(res.People, pb)
					recs := members[pb]
					sort.Slice(recs, func(i, j int) bool { return recs[i] < recs[j] })
					for _, r := range recs {
						move(r, pb, pa)
					}
					members[pa] = append(members[pa], recs...)
					delete(members, pb)
				}
				events[i].detail = map[string]any{"records": []int64{d.A, d.B}, "people": res.People, "into": pa, "decision": Same}
			default:
				res.People = []int64{pa, pb}
				if pa == pb {
					fresh, err := nextCounter(ctx, conn, "person", 1)
					if err != nil {
						return err
					}
					move(d.B, pb, fresh)
					members[pb] = without(members[pb], d.B)
					members[fresh] = []int64{d.B}
				}
				events[i].detail = map[string]any{"records": []int64{d.A, d.B}, "decision": Different, "people": res.People}
			}
			if i < len(details) {
				for k, v := range details[i] {
					if _, taken := events[i].detail[k]; !taken {
						events[i].detail[k] = v
					}
				}
			}
			res.Changes = ch
			changes = append(changes, ch)
		}
		// The log entries, one per decision, with their changes and decisions.
		last, err := nextCounter(ctx, conn, "event", int64(len(ds)))
		if err != nil {
			return err
		}
		first := last - int64(len(ds)) + 1
		now := time.Now().UTC()
		const chunk = 500
		for lo := 0; lo < len(ds); lo += chunk {
			hi := min(lo+chunk, len(ds))
			var q strings.Builder
			q.WriteString(`INSERT INTO events (id, logged_at, actor, kind, batch_id, detail) VALUES `)
			args := make([]any, 0, 5*(hi-lo))
			for i := lo; i < hi; i++ {
				if i > lo {
					q.WriteByte(',')
				}
				q.WriteString(`(?, ?, ?, ?, NULL, ?)`)
				js, err := json.Marshal(events[i].detail)
				if err != nil {
					return err
				}
				args = append(args, first+int64(i), now, nullStr(actor), kind, string(js))
			}
			if _, err := conn.ExecContext(ctx, q.String(), args...); err != nil {
				return err
			}
		}
		for i := range out {
			out[i].Event = first + int64(i)
		}
		type logged struct {
			event int64
			c     Change
		}
		var rows []logged
		for i, ch := range changes {
			for _, c := range ch {
				rows = append(rows, logged{first + int64(i), c})
			}
		}
		err = appendRows(ctx, conn, "log_changes", len(rows), func(a *duckdb.Appender, i int) error {
			return a.AppendRow(rows[i].event, rows[i].c.Record, rows[i].c.Before, rows[i].c.After, nil)
		})
		if err != nil {
			return err
		}
		lastD, err := nextCounter(ctx, conn, "decision", int64(len(ds)))
		if err != nil {
			return err
		}
		firstD := lastD - int64(len(ds)) + 1
		err = appendRows(ctx, conn, "decisions", len(ds), func(a *duckdb.Appender, i int) error {
			x, y := ds[i].A, ds[i].B
			if x > y {
				x, y = y, x
			}
			return a.AppendRow(firstD+int64(i), x, y, ds[i].Decision, now, nullStr(actor), kind, first+int64(i), false)
		})
		if err != nil {
			return err
		}
		return s.moveMany(ctx, conn, final, touched)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// peopleOfRecords reads the person of each record and of every record of those people.
func peopleOfRecords(ctx context.Context, conn *sql.Conn, ids []int64) (map[int64]int64, map[int64][]int64, error) {
	person := map[int64]int64{}
	members := map[int64][]int64{}
	const chunk = 2000
	for lo := 0; lo < len(ids); lo += chunk {
		list := intList(ids[lo:min(lo+chunk, len(ids))])
		rows, err := conn.QueryContext(ctx, `SELECT record_id, person_id FROM links WHERE person_id IN
			(SELECT person_id FROM links WHERE record_id IN (`+list+`))`)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var r, p int64
			if err := rows.Scan(&r, &p); err != nil {
				rows.Close()
				return nil, nil, err
			}
			if _, seen := person[r]; !seen {
				person[r] = p
				members[p] = append(members[p], r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return person, members, nil
}

// moveMany points records at their final people in a few statements, drops the queued
// pairs now inside one person, and rebuilds the people concerned.
func (s *Store) moveMany(ctx context.Context, conn *sql.Conn, final map[int64]int64, touched map[int64]bool) error {
	if len(final) == 0 {
		return nil
	}
	recs := make([]int64, 0, len(final))
	for r := range final {
		recs = append(recs, r)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i] < recs[j] })
	const chunk = 1000
	for lo := 0; lo < len(recs); lo += chunk {
		var v strings.Builder
		for i, r := range recs[lo:min(lo+chunk, len(recs))] {
			if i > 0 {
				v.WriteByte(',')
			}
			fmt.Fprintf(&v, "(%d,%d)", r, final[r])
		}
		if _, err := conn.ExecContext(ctx, `UPDATE links SET person_id = m.p, probability = NULL FROM (VALUES `+v.String()+
			`) AS m(r, p) WHERE links.record_id = m.r`); err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, `DELETE FROM match_pairs WHERE (SELECT person_id FROM links WHERE record_id = record_a) =
		(SELECT person_id FROM links WHERE record_id = record_b)`); err != nil {
		return err
	}
	people := make([]int64, 0, len(touched))
	for p := range touched {
		people = append(people, p)
	}
	sort.Slice(people, func(i, j int) bool { return people[i] < people[j] })
	return rebuildPeople(ctx, conn, people, s.golden)
}

func intList(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

func without(v []int64, x int64) []int64 {
	out := v[:0:0]
	for _, y := range v {
		if y != x {
			out = append(out, y)
		}
	}
	return out
}

// PeopleOf returns the person of each record that has one.
func (s *Store) PeopleOf(ctx context.Context, ids []int64) (map[int64]int64, error) {
	out := map[int64]int64{}
	const chunk = 2000
	for lo := 0; lo < len(ids); lo += chunk {
		rows, err := s.db.QueryContext(ctx, `SELECT record_id, person_id FROM links WHERE record_id IN (`+
			intList(ids[lo:min(lo+chunk, len(ids))])+`)`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r, p int64
			if err := rows.Scan(&r, &p); err != nil {
				rows.Close()
				return nil, err
			}
			out[r] = p
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DecisionInForce is a decision in force with the log entry that made it.
type DecisionInForce struct {
	Decision
	Event int64
	Actor string
	At    time.Time
}

// DecisionsInForce returns every decision in force with who made it, when and in which
// log entry, keyed by the pair of records (smaller id first).
func (s *Store) DecisionsInForce(ctx context.Context) (map[[2]int64]DecisionInForce, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT record_a, record_b, arg_max(decision, id), arg_max(event_id, id),
		coalesce(arg_max(actor, id), ''), arg_max(made_at, id) FROM decisions WHERE NOT revoked GROUP BY record_a, record_b`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[[2]int64]DecisionInForce{}
	for rows.Next() {
		var d DecisionInForce
		if err := rows.Scan(&d.A, &d.B, &d.Decision.Decision, &d.Event, &d.Actor, &d.At); err != nil {
			return nil, err
		}
		out[[2]int64{d.A, d.B}] = d
	}
	return out, rows.Err()
}
