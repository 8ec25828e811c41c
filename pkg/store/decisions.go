package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Version 7: decisions and the log of conclusions. A decision is a fact a person
// stated about two records (the same person, or not): every later dedupe obeys it.
// log_changes keeps, for each logged change of conclusion (events), which record went
// from which person to which, so that any of it can be shown and reverted.
const schemaV7 = `
INSERT INTO counters VALUES ('decision', 0);
CREATE TABLE decisions (
	id        BIGINT PRIMARY KEY,
	record_a  BIGINT NOT NULL,   -- record_a < record_b
	record_b  BIGINT NOT NULL,
	decision  VARCHAR NOT NULL,  -- same or different
	made_at   TIMESTAMP NOT NULL,
	actor     VARCHAR,
	source    VARCHAR NOT NULL,  -- merge, unmerge, review
	event_id  BIGINT NOT NULL,   -- the log entry that made it
	revoked   BOOLEAN NOT NULL   -- reverted: no longer in force
);
CREATE TABLE log_changes (
	event_id      BIGINT NOT NULL,
	record_id     BIGINT NOT NULL,
	person_before BIGINT,        -- NULL: the record had no person
	person_after  BIGINT
);
ALTER TABLE events ADD COLUMN reverted_by BIGINT;
`

// Version 8: an import undo keeps each record's number in its file beside the change,
// so that reverting the undo (importing the file again) can give the records back
// their people and decisions.
const schemaV8 = `
ALTER TABLE log_changes ADD COLUMN record_no INTEGER;
`

// Version 9: people keep every distinct address of their records, like emails and
// phones.
const schemaV9 = `
ALTER TABLE people ADD COLUMN addresses VARCHAR[];
UPDATE people SET addresses = coalesce((SELECT list_sort(list(DISTINCT a)) FROM (
	SELECT nullif(trim(concat_ws(', ', nullif(r.street, ''), nullif(trim(concat_ws(' ', nullif(r.postcode, ''),
		nullif(r.city, ''))), ''))), '') AS a
	FROM links l JOIN records r ON r.id = l.record_id WHERE l.person_id = people.id) WHERE a IS NOT NULL), []);
`

// Decision kinds.
const (
	Same      = "same"
	Different = "different"
)

// Decision is one stated fact about two records.
type Decision struct {
	A, B     int64
	Decision string
}

// ActiveDecisions returns the decisions in force, oldest first; a later decision about
// the same two records replaces an earlier one.
func (s *Store) ActiveDecisions(ctx context.Context) ([]Decision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT record_a, record_b, arg_max(decision, id) FROM decisions
		WHERE NOT revoked GROUP BY record_a, record_b ORDER BY min(id)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Decision
	for rows.Next() {
		var d Decision
		if err := rows.Scan(&d.A, &d.B, &d.Decision); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Change is one record moving between people.
type Change struct {
	Record int64 `json:"record"`
	Before int64 `json:"person_before"` // 0: no person
	After  int64 `json:"person_after"`
}

// LogEntry is one change of conclusion, as 'padron log' lists it.
type LogEntry struct {
	ID         int64          `json:"id"`
	At         time.Time      `json:"at"`
	Actor      string         `json:"actor,omitempty"`
	Kind       string         `json:"kind"`
	Detail     map[string]any `json:"detail,omitempty"`
	Changes    int            `json:"changes"`
	RevertedBy int64          `json:"reverted_by,omitempty"`
	Batch      int64          `json:"batch,omitempty"` // the import an import entry made
}

// MergeResult says what a merge or unmerge did.
type MergeResult struct {
	Event   int64    `json:"log_entry"`
	Person  int64    `json:"person"` // the person the records are in now
	People  []int64  `json:"people"` // the people concerned, before
	Changes []Change `json:"changes"`
}

// withTx runs f in one transaction on one connection.
func (s *Store) withTx(ctx context.Context, f func(conn *sql.Conn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	if err := f(conn); err != nil {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		return err
	}
	return nil
}

// personRecords returns a person's record ids, in order.
func personRecords(ctx context.Context, conn *sql.Conn, person int64) ([]int64, error) {
	rows, err := conn.QueryContext(ctx, `SELECT record_id FROM links WHERE person_id = ? ORDER BY record_id`, person)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// logChange writes an event and its changes.
func logChange(ctx context.Context, conn *sql.Conn, actor, kind string, detail map[string]any, changes []Change) (int64, error) {
	if err := logEvent(ctx, conn, actor, kind, 0, detail); err != nil {
		return 0, err
	}
	id, err := currentCounter(ctx, conn, "event")
	if err != nil {
		return 0, err
	}
	err = insertBulk(ctx, conn, "log_changes", len(changes), constCol("event_id", id),
		funcCol("record_id", duckdb.TYPE_BIGINT, func(i int) int64 { return changes[i].Record }),
		nullableCol("person_before", duckdb.TYPE_BIGINT, func(i int) (int64, bool) {
			return changes[i].Before, changes[i].Before != 0
		}),
		nullableCol("person_after", duckdb.TYPE_BIGINT, func(i int) (int64, bool) {
			return changes[i].After, changes[i].After != 0
		}))
	return id, err
}

func addDecisions(ctx context.Context, conn *sql.Conn, ds []Decision, actor, source string, event int64) error {
	if len(ds) == 0 {
		return nil
	}
	first, err := nextCounter(ctx, conn, "decision", int64(len(ds)))
	if err != nil {
		return err
	}
	first -= int64(len(ds)) - 1
	now := time.Now().UTC()
	return appendRows(ctx, conn, "decisions", len(ds), func(a *duckdb.Appender, i int) error {
		d := ds[i]
		x, y := d.A, d.B
		if x > y {
			x, y = y, x
		}
		return a.AppendRow(first+int64(i), x, y, d.Decision, now, nullStr(actor), source, event, false)
	})
}

// moveRecords points records at a person and rebuilds the people concerned. The
// changes go through a table in one statement each way: reverting a dedupe run
// moves every record, and one statement per record took minutes at a million. A
// record with no link gets one (reverting the revert of a run that placed it); the
// restored link is dated to the latest run, the one whose placement it brings back
// or a later one.
func moveRecords(ctx context.Context, conn *sql.Conn, changes []Change, rules map[string]GoldenRule) error {
	if len(changes) == 0 {
		return nil
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE moved (record_id BIGINT, person_id BIGINT)`); err != nil {
		return err
	}
	err := insertBulk(ctx, conn, "moved", len(changes),
		funcCol("record_id", duckdb.TYPE_BIGINT, func(i int) int64 { return changes[i].Record }),
		// NULL: back to no person (reverting the run that first placed the record).
		nullableCol("person_id", duckdb.TYPE_BIGINT, func(i int) (int64, bool) {
			return changes[i].After, changes[i].After != 0
		}))
	if err != nil {
		return err
	}
	for _, q := range []string{
		`DELETE FROM links WHERE record_id IN (SELECT record_id FROM moved)`,
		`INSERT INTO links SELECT record_id, person_id, NULL, (SELECT coalesce(max(id), 0) FROM match_runs)
			FROM moved WHERE person_id IS NOT NULL`,
		`DROP TABLE moved`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	seen := map[int64]bool{}
	var people []int64
	for _, c := range changes {
		for _, p := range []int64{c.Before, c.After} {
			if p != 0 && !seen[p] {
				seen[p] = true
				people = append(people, p)
			}
		}
	}
	if len(people) == 0 {
		return nil // nil would rebuild everyone
	}
	sort.Slice(people, func(i, j int) bool { return people[i] < people[j] })
	// Queued pairs stay: the queue shows only pairs still in two people and undecided,
	// so an undone merge puts its pair back in the queue.
	return rebuildPeople(ctx, conn, people, rules)
}

// ErrNoPerson says a record has no person yet.
var ErrNoPerson = errors.New("no person yet: run 'padron dedupe' first")

// Merge makes the people of the given records one: the first's. Each other person's
// first record is decided the same as the first's, so later runs keep them together.
func (s *Store) Merge(ctx context.Context, records []int64, actor string) (*MergeResult, error) {
	return s.merge(ctx, records, actor, "merge")
}

// Decide records a steward's answer about two records: the same person (their people
// are merged at once) or different (kept apart by every later run). kind is how it is
// logged ("review" for the queue). It returns the log entry.
func (s *Store) Decide(ctx context.Context, a, b int64, decision, actor, kind string) (*MergeResult, error) {
	switch decision {
	case Same:
		return s.merge(ctx, []int64{a, b}, actor, kind)
	case Different:
	default:
		return nil, fmt.Errorf("decision %q: want %s or %s", decision, Same, Different)
	}
	res := &MergeResult{}
	err := s.withTx(ctx, func(conn *sql.Conn) error {
		var pa, pb int64
		if err := conn.QueryRowContext(ctx, `SELECT (SELECT person_id FROM links WHERE record_id = ?),
			(SELECT person_id FROM links WHERE record_id = ?)`, a, b).Scan(&pa, &pb); err != nil {
			return fmt.Errorf("records #%d and #%d: %w", a, b, ErrNoPerson)
		}
		res.People = []int64{pa, pb}
		var changes []Change
		if pa == pb {
			// Said different while one person: the second record leaves.
			fresh, err := nextCounter(ctx, conn, "person", 1)
			if err != nil {
				return err
			}
			changes = []Change{{Record: b, Before: pb, After: fresh}}
		}
		id, err := logChange(ctx, conn, actor, kind, map[string]any{"records": []int64{a, b}, "decision": Different,
			"people": res.People}, changes)
		if err != nil {
			return err
		}
		res.Event, res.Changes = id, changes
		if err := addDecisions(ctx, conn, []Decision{{A: a, B: b, Decision: Different}}, actor, kind, id); err != nil {
			return err
		}
		if len(changes) > 0 {
			return moveRecords(ctx, conn, changes, s.golden)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Store) merge(ctx context.Context, records []int64, actor, kind string) (*MergeResult, error) {
	if len(records) < 2 {
		return nil, errors.New("merge needs two records or people at least")
	}
	res := &MergeResult{}
	err := s.withTx(ctx, func(conn *sql.Conn) error {
		persons := make([]int64, len(records))
		for i, r := range records {
			if err := conn.QueryRowContext(ctx, `SELECT person_id FROM links WHERE record_id = ?`, r).Scan(&persons[i]); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("record #%d: %w", r, ErrNoPerson)
				}
				return err
			}
		}
		target := persons[0]
		res.Person = target
		var ds []Decision
		seen := map[int64]bool{target: true}
		res.People = []int64{target}
		for i, p := range persons[1:] {
			if seen[p] {
				continue
			}
			seen[p] = true
			res.People = append(res.People, p)
			ds = append(ds, Decision{A: records[0], B: records[i+1], Decision: Same})
			recs, err := personRecords(ctx, conn, p)
			if err != nil {
				return err
			}
			for _, r := range recs {
				res.Changes = append(res.Changes, Change{Record: r, Before: p, After: target})
			}
		}
		if len(res.Changes) == 0 {
			return fmt.Errorf("already one person (%d): nothing to merge", target)
		}
		detail := map[string]any{"records": records, "people": res.People, "into": target}
		if kind != "merge" {
			detail["decision"] = Same
		}
		id, err := logChange(ctx, conn, actor, kind, detail, res.Changes)
		if err != nil {
			return err
		}
		res.Event = id
		if err := addDecisions(ctx, conn, ds, actor, kind, id); err != nil {
			return err
		}
		return moveRecords(ctx, conn, res.Changes, s.golden)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Unmerge takes a record out of its person into a new one of its own, and decides it
// different from every other record of the person it leaves.
func (s *Store) Unmerge(ctx context.Context, record int64, actor string) (*MergeResult, error) {
	res := &MergeResult{}
	err := s.withTx(ctx, func(conn *sql.Conn) error {
		var person int64
		if err := conn.QueryRowContext(ctx, `SELECT person_id FROM links WHERE record_id = ?`, record).Scan(&person); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("record #%d: %w", record, ErrNoPerson)
			}
			return err
		}
		recs, err := personRecords(ctx, conn, person)
		if err != nil {
			return err
		}
		if len(recs) < 2 {
			return fmt.Errorf("record #%d is the only record of person %d: nothing to take out", record, person)
		}
		fresh, err := nextCounter(ctx, conn, "person", 1)
		if err != nil {
			return err
		}
		var ds []Decision
		for _, r := range recs {
			if r != record {
				ds = append(ds, Decision{A: record, B: r, Decision: Different})
			}
		}
		res.Person, res.People = fresh, []int64{person}
		res.Changes = []Change{{Record: record, Before: person, After: fresh}}
		id, err := logChange(ctx, conn, actor, "unmerge", map[string]any{"record": record, "from": person, "into": fresh}, res.Changes)
		if err != nil {
			return err
		}
		res.Event = id
		if err := addDecisions(ctx, conn, ds, actor, "unmerge", id); err != nil {
			return err
		}
		return moveRecords(ctx, conn, res.Changes, s.golden)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// RevertConflictError lists records that changed since the entry being reverted.
type RevertConflictError struct {
	Entry   int64
	Records []int64
}

func (e *RevertConflictError) Error() string {
	ids := make([]string, len(e.Records))
	for i, r := range e.Records {
		ids[i] = fmt.Sprintf("#%d", r)
	}
	return fmt.Sprintf("log entry %d cannot be reverted: records %s changed person since (revert the later entries first)",
		e.Entry, strings.Join(ids, ", "))
}

// Revert undoes a logged change of conclusion: its records go back to the people they
// were in, and the decisions it made are no longer in force. It is itself logged.
func (s *Store) Revert(ctx context.Context, entry int64, actor string) (*MergeResult, error) {
	res := &MergeResult{}
	err := s.withTx(ctx, func(conn *sql.Conn) error {
		var kind string
		var reverted sql.NullInt64
		if err := conn.QueryRowContext(ctx, `SELECT kind, reverted_by FROM events WHERE id = ?`, entry).Scan(&kind, &reverted); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("no log entry %d: see 'padron log'", entry)
			}
			return err
		}
		if reverted.Valid {
			return fmt.Errorf("log entry %d was already reverted by entry %d", entry, reverted.Int64)
		}
		switch kind {
		case "merge", "unmerge", "review", "revert", "dedupe":
		case "import":
			return fmt.Errorf("log entry %d is an import: undo it with 'padron imports undo'", entry)
		case "import.undo":
			return fmt.Errorf("log entry %d undid an import: 'padron log revert' imports the file again (Store.Revert cannot)", entry)
		default:
			return fmt.Errorf("log entry %d (%s) cannot be reverted", entry, kind)
		}
		rows, err := conn.QueryContext(ctx, `SELECT c.record_id, coalesce(c.person_before, 0), coalesce(c.person_after, 0),
			coalesce(l.person_id, 0) FROM log_changes c LEFT JOIN links l ON l.record_id = c.record_id
			WHERE c.event_id = ? ORDER BY c.record_id`, entry)
		if err != nil {
			return err
		}
		var conflicts []int64
		for rows.Next() {
			var c Change
			var now int64
			if err := rows.Scan(&c.Record, &c.Before, &c.After, &now); err != nil {
				rows.Close()
				return err
			}
			if now != c.After {
				conflicts = append(conflicts, c.Record)
				continue
			}
			res.Changes = append(res.Changes, Change{Record: c.Record, Before: c.After, After: c.Before})
		}
		rows.Close()
		if len(conflicts) > 0 {
			return &RevertConflictError{Entry: entry, Records: conflicts}
		}
		id, err := logChange(ctx, conn, actor, "revert", map[string]any{"reverts": entry, "kind": kind}, res.Changes)
		if err != nil {
			return err
		}
		res.Event = id
		for _, q := range []string{`UPDATE events SET reverted_by = ? WHERE id = ?`} {
			if _, err := conn.ExecContext(ctx, q, id, entry); err != nil {
				return err
			}
		}
		if _, err := conn.ExecContext(ctx, `UPDATE decisions SET revoked = true WHERE event_id = ?`, entry); err != nil {
			return err
		}
		return moveRecords(ctx, conn, res.Changes, s.golden)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Log lists the log of conclusions, newest first: imports and their undo, dedupe
// runs, merges, unmerges, review decisions and reverts. With person, only the
// entries that moved one of that person's records (or named them).
func (s *Store) Log(ctx context.Context, person int64, limit int) ([]LogEntry, error) {
	q := `SELECT e.id, e.logged_at, coalesce(e.actor, ''), e.kind, coalesce(e.detail::VARCHAR, ''),
		(SELECT count(*) FROM log_changes c WHERE c.event_id = e.id), coalesce(e.reverted_by, 0), coalesce(e.batch_id, 0)
		FROM events e`
	var args []any
	if person != 0 {
		q += ` WHERE e.id IN (SELECT event_id FROM log_changes WHERE person_before = ? OR person_after = ?
			OR record_id IN (SELECT record_id FROM links WHERE person_id = ?))`
		args = append(args, person, person, person)
	}
	q += ` ORDER BY e.id DESC`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		var e LogEntry
		var detail string
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Kind, &detail, &e.Changes, &e.RevertedBy, &e.Batch); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		if detail != "" {
			_ = json.Unmarshal([]byte(detail), &e.Detail)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Entry returns one log entry.
func (s *Store) Entry(ctx context.Context, id int64) (*LogEntry, error) {
	var e LogEntry
	var detail string
	err := s.db.QueryRowContext(ctx, `SELECT id, logged_at, coalesce(actor, ''), kind, coalesce(detail::VARCHAR, ''),
		(SELECT count(*) FROM log_changes c WHERE c.event_id = e.id), coalesce(reverted_by, 0), coalesce(batch_id, 0)
		FROM events e WHERE id = ?`, id).Scan(&e.ID, &e.At, &e.Actor, &e.Kind, &detail, &e.Changes, &e.RevertedBy, &e.Batch)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("no log entry %d: see 'padron log'", id)
	}
	if err != nil {
		return nil, err
	}
	if detail != "" {
		_ = json.Unmarshal([]byte(detail), &e.Detail)
	}
	return &e, nil
}

// RestoreUndone finishes reverting an import undo once its file is imported again as
// batch: each record goes back to the person it left (matched by its number in the
// file), decisions about the old records now name the new ones, and the revert is
// logged.
func (s *Store) RestoreUndone(ctx context.Context, entry, batch int64, actor string) (*MergeResult, error) {
	res := &MergeResult{}
	err := s.withTx(ctx, func(conn *sql.Conn) error {
		rows, err := conn.QueryContext(ctx, `SELECT c.record_id, r.id, c.person_before FROM log_changes c
			JOIN records r ON r.batch_id = ? AND r.record_no = c.record_no
			WHERE c.event_id = ? AND c.person_before IS NOT NULL ORDER BY r.id`, batch, entry)
		if err != nil {
			return err
		}
		oldToNew := map[int64]int64{}
		for rows.Next() {
			var old, fresh, person int64
			if err := rows.Scan(&old, &fresh, &person); err != nil {
				rows.Close()
				return err
			}
			oldToNew[old] = fresh
			res.Changes = append(res.Changes, Change{Record: fresh, Before: 0, After: person})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		err = appendRows(ctx, conn, "links", len(res.Changes), func(a *duckdb.Appender, i int) error {
			return a.AppendRow(res.Changes[i].Record, res.Changes[i].After, nil, int64(0))
		})
		if err != nil {
			return err
		}
		for old, fresh := range oldToNew {
			for _, q := range []string{`UPDATE decisions SET record_a = ? WHERE record_a = ?`, `UPDATE decisions SET record_b = ? WHERE record_b = ?`} {
				if _, err := conn.ExecContext(ctx, q, fresh, old); err != nil {
					return err
				}
			}
		}
		if _, err := conn.ExecContext(ctx, `UPDATE decisions SET record_a = least(record_a, record_b), record_b = greatest(record_a, record_b)`); err != nil {
			return err
		}
		id, err := logChange(ctx, conn, actor, "revert", map[string]any{"reverts": entry, "kind": "import.undo", "batch": batch}, res.Changes)
		if err != nil {
			return err
		}
		res.Event = id
		if _, err := conn.ExecContext(ctx, `UPDATE events SET reverted_by = ? WHERE id = ?`, id, entry); err != nil {
			return err
		}
		people := peopleOf(res.Changes)
		if len(people) == 0 {
			return nil
		}
		return rebuildPeople(ctx, conn, people, s.golden)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func peopleOf(changes []Change) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, c := range changes {
		if c.After != 0 && !seen[c.After] {
			seen[c.After] = true
			out = append(out, c.After)
		}
	}
	return out
}
