package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"
)

// TestSaveMatchRunRows saves a run, then a later run that changes one record, and
// reads back the rows written in bulk: a probability or person of 0 must be stored
// as NULL, and every other value as given.
func TestSaveMatchRunRows(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	run := &MatchRun{ID: 4, StartedAt: time.Now(), Mode: "full",
		RecordIDs: []int64{1, 2, 3}, PersonIDs: []int64{10, 10, 30}, Probability: []float32{0.5, 0, 0.25},
		Review:     []ReviewPair{{A: 1, B: 3, Weight: 1.5, Probability: 0.75, Conflict: true}},
		TFValues:   map[string]map[string]int32{"email": {"a@b.c": 2}},
		TFTotals:   map[string]int{"email": 3},
		LogChanges: []Change{{Record: 1, After: 10}, {Record: 2, Before: 7}, {Record: 3, Before: 5, After: 30}},
	}
	if err := s.SaveMatchRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	wantRows(t, s.db, `SELECT record_id, person_id, probability, run_id FROM links ORDER BY ALL`,
		"1 10 0.5 4|2 10 NULL 4|3 30 0.25 4")
	wantRows(t, s.db, `SELECT record_id, person_before, person_after, record_no FROM log_changes ORDER BY ALL`,
		"1 NULL 10 NULL|2 7 NULL NULL|3 5 30 NULL")
	wantRows(t, s.db, `SELECT count(DISTINCT event_id) FROM log_changes`, "1")
	wantRows(t, s.db, `SELECT * FROM match_pairs`, "1 3 1.5 0.75 true 4")
	wantRows(t, s.db, `SELECT * FROM match_tf ORDER BY ALL`, "email a@b.c 2|email NULL 3")

	later := &MatchRun{ID: 5, StartedAt: time.Now(), Mode: "incremental", Changed: true, Affected: []int64{10, 30},
		RecordIDs: []int64{3}, PersonIDs: []int64{10}, Probability: []float32{0}}
	if err := s.SaveMatchRun(ctx, later); err != nil {
		t.Fatal(err)
	}
	wantRows(t, s.db, `SELECT record_id, person_id, probability, run_id FROM links ORDER BY ALL`,
		"1 10 0.5 4|2 10 NULL 4|3 10 NULL 5")
}

// wantRows runs q and wants its rows, each as its values joined by spaces, joined by
// "|".
func wantRows(t *testing.T, db *sql.DB, q, want string) {
	t.Helper()
	var got []string
	for _, vals := range scanRows(t, db, q) {
		f := make([]string, len(vals))
		for i, v := range vals {
			f[i] = "NULL"
			if v.Valid {
				f[i] = v.String
			}
		}
		got = append(got, strings.Join(f, " "))
	}
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("%s:\n got %s\nwant %s", q, g, want)
	}
}

// scanRows runs q and returns its rows, every value as text.
func scanRows(t *testing.T, db *sql.DB, q string) [][]sql.NullString {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]sql.NullString
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
