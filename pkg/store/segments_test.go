package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	seglang "github.com/padron-org/padron/pkg/segment"
)

func TestSegmentsSaveListDelete(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if err := s.SaveSegment(ctx, "b", "has_email", "ana", false); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSegment(ctx, "a", "has_phone", "", false); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSegment(ctx, "a", "opted_out", "", false); err == nil {
		t.Error("saved over a segment without replace")
	}
	if err := s.SaveSegment(ctx, "a", "not opted_out", "jan", true); err != nil {
		t.Fatal(err)
	}
	l, err := s.Segments(ctx)
	if err != nil || len(l) != 2 || l[0].Name != "a" || l[0].Expr != "not opted_out" || l[0].Actor != "jan" || l[1].Name != "b" {
		t.Fatalf("segments = %+v, %v", l, err)
	}
	if err := s.DeleteSegment(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Segment(ctx, "a"); !errors.Is(err, ErrNoSegment) {
		t.Errorf("deleted segment: %v", err)
	}
	if err := s.DeleteSegment(ctx, "a"); !errors.Is(err, ErrNoSegment) {
		t.Errorf("delete twice: %v", err)
	}
}

func TestCountWhereLeavesOptedOutApart(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	if _, err := s.db.Exec(`INSERT INTO people (id, given_name, email, records, opted_out) VALUES
		(1, 'Ana', 'ana@x.org', 1, false), (2, 'Jan', 'jan@x.org', 1, true), (3, 'Eva', NULL, 1, false)`); err != nil {
		t.Fatal(err)
	}
	where, args := `coalesce(p.email, '') <> ?`, []any{""}
	c, err := s.CountWhere(ctx, where, args, false)
	if err != nil || c.Matched != 1 || c.OptedOut != 1 {
		t.Errorf("count = %+v, %v", c, err)
	}
	c, err = s.CountWhere(ctx, where, args, true)
	if err != nil || c.Matched != 2 || c.OptedOut != 0 {
		t.Errorf("count with opted out = %+v, %v", c, err)
	}
	var ids []int64
	c, err = s.EachPersonWhere(ctx, where, args, false, func(p PersonView) error { ids = append(ids, p.ID); return nil })
	if err != nil || len(ids) != 1 || ids[0] != 1 || c.OptedOut != 1 {
		t.Errorf("people = %v, %+v, %v", ids, c, err)
	}
	ids = nil
	_, err = s.EachPersonWhere(ctx, where, args, true, func(p PersonView) error { ids = append(ids, p.ID); return nil })
	if err != nil || len(ids) != 2 {
		t.Errorf("people with opted out = %v, %v", ids, err)
	}
}

// fundraisingStore holds eight people and their donations (dates, amounts), with an
// excluded credit, a debit and donations after the reference dates used below.
func fundraisingStore(t *testing.T) *Store {
	t.Helper()
	s, _ := openTemp(t)
	names := []string{"Ana", "Jan", "Eva", "Olga", "Piotr", "Zoe", "Max", "Lea"}
	var people []string
	for i, n := range names {
		people = append(people, fmt.Sprintf("(%d, '%s', 1, false)", i+1, n))
	}
	if _, err := s.db.Exec(`INSERT INTO people (id, given_name, records, opted_out) VALUES ` + strings.Join(people, ", ")); err != nil {
		t.Fatal(err)
	}
	type tx struct {
		person         int
		date           string
		amount         float64
		kind, excluded string
	}
	txs := []tx{
		{1, "2024-03-01", 100, "credit", ""},
		{2, "2022-05-01", 50, "credit", ""},
		{2, "2023-01-10", 50, "credit", ""},
		{3, "2025-01-15", 20, "credit", ""},
		{3, "2025-02-15", 20, "credit", ""},
		{3, "2025-04-15", 20, "credit", ""},
		{3, "2025-05-15", 20, "credit", ""},
		{4, "2020-01-01", 5000, "credit", ""},
		{4, "2025-06-01", 10, "credit", ""},
		{4, "2025-07-01", 1000, "credit", ""}, // after 2025-06-15
		{5, "2024-12-31", 300, "credit", ""},
		{5, "2025-02-01", 500, "credit", "excluded_rule"},
		{5, "2025-03-01", -80, "debit", ""},
		{6, "2025-08-01", 100, "credit", ""}, // after 2025-06-15
		{7, "2024-06-20", 40, "credit", ""},
		{8, "2024-06-15", 40, "credit", ""},
	}
	for i, x := range txs {
		rec := int64(100 + i)
		var excluded any
		if x.excluded != "" {
			excluded = x.excluded
		}
		if _, err := s.db.Exec(`INSERT INTO transactions (record_id, batch_id, origin, booking_date, amount, kind, reversal, excluded)
			VALUES (?, 1, 'sheet', CAST(? AS DATE), ?, ?, false, ?)`, rec, x.date, x.amount, x.kind, excluded); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.Exec(`INSERT INTO links (record_id, person_id, run_id) VALUES (?, ?, 1)`, rec, x.person); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// The fundraising segments select exactly whom their definitions in
// docs/segments.md say, as of a reference date.
func TestFundraisingSegments(t *testing.T) {
	s := fundraisingStore(t)
	ctx := context.Background()
	asOf := time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)
	// Donors up to 2025-06-15 (person: last donation, count, total):
	// Ana 2024-03-01 1 100; Jan 2023-01-10 2 100; Eva 2025-05-15 4 80; Olga 2025-06-01 2 5010;
	// Piotr 2024-12-31 1 300; Max 2024-06-20 1 40; Lea 2024-06-15 1 40. Zoe gives only later.
	for _, c := range []struct {
		expr string
		asOf time.Time
		want []int64
	}{
		{`lybunt`, asOf, []int64{1, 5, 7, 8}},
		{`sybunt`, asOf, []int64{2}},
		{`first_time_donor`, asOf, []int64{3, 5, 7}}, // Lea's first gift is exactly 12 months back: not within
		{`lapsed`, asOf, []int64{2}},
		{`recurring_donor`, asOf, []int64{3}},
		{`recurring_donor(6, 1)`, asOf, []int64{3, 4}},
		{`recurring_donor(12, 2)`, asOf, []int64{3}},
		{`recurring_donor(6, 5)`, asOf, nil},
		{`major_donor(0.1)`, asOf, []int64{4}},
		{`major_donor(0.3)`, asOf, []int64{1, 2, 4, 5}}, // ceil(2.1) = 3 donors; Ana and Jan tie at the cut
		{`major_donor(1)`, asOf, []int64{1, 2, 3, 4, 5, 7, 8}},
		// monetary by rank among 7: Max, Lea 1; Eva 2; Ana, Jan 3; Piotr 4; Olga 5
		{`rfm_monetary >= 4`, asOf, []int64{4, 5}},
		{`rfm_monetary = 1`, asOf, []int64{7, 8}},
		{`rfm_monetary in (2, 3)`, asOf, []int64{1, 2, 3}},
		// frequency: one gift 1; two gifts (Jan, Olga) 3; Eva 5
		{`rfm_frequency = 5`, asOf, []int64{3}},
		{`rfm_frequency >= 3`, asOf, []int64{2, 3, 4}},
		// recency: Jan, Ana 1; Lea 2; Max, Piotr 3; Eva 4; Olga 5
		{`rfm_recency = 5`, asOf, []int64{4}},
		{`rfm_recency <= 1`, asOf, []int64{1, 2}},
		{`rfm_recency = 3`, asOf, []int64{5, 7}},
		{`not (rfm_recency >= 1)`, asOf, []int64{6}},
		{`lybunt and major_donor(0.3)`, asOf, []int64{1, 5}},
		{`not lybunt and not sybunt and donations >= 1`, asOf, []int64{3, 4, 6}},
		// A year later, 2025's givers (Olga's and Zoe's later gifts now count) are lybunt.
		{`lybunt`, asOf.AddDate(1, 0, 0), []int64{3, 4, 6}},
		{`sybunt`, asOf.AddDate(1, 0, 0), []int64{1, 2, 5, 7, 8}},
		{`first_time_donor`, asOf.AddDate(1, 0, 0), []int64{6}},
		{`lapsed`, asOf.AddDate(1, 0, 0), []int64{1, 2, 7, 8}},
	} {
		where, args, err := seglang.CompileWith(c.expr, seglang.Options{AsOf: c.asOf})
		if err != nil {
			t.Fatalf("%s: %v", c.expr, err)
		}
		var got []int64
		if _, err := s.EachPersonWhere(ctx, where, args, true, func(p PersonView) error { got = append(got, p.ID); return nil }); err != nil {
			t.Fatalf("%s: %v\n%s", c.expr, err, where)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s as of %s: got %v, want %v", c.expr, c.asOf.Format("2006-01-02"), got, c.want)
		}
	}
}

func sqlPeopleStore(t *testing.T) *Store {
	t.Helper()
	s, _ := openTemp(t)
	if _, err := s.db.Exec(`INSERT INTO people (id, given_name, email, city, records, opted_out) VALUES
		(1, 'Ana', 'ana@x.org', 'Salta', 1, false), (2, 'Jan', 'jan@x.org', 'Salta', 1, true),
		(3, 'Eva', NULL, 'Kraków', 1, false);
		INSERT INTO links VALUES (10, 1, NULL, 1), (11, 3, NULL, 1);`); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSegmentSQLSelectsPeople(t *testing.T) {
	s := sqlPeopleStore(t)
	ctx := context.Background()
	for _, c := range []struct {
		query       string
		matched, oo int64
	}{
		{`SELECT id FROM people WHERE city = 'Salta'`, 1, 1},
		{`select ID from people where city = 'Salta' -- a comment`, 1, 1},
		{`SELECT id FROM people WHERE city = 'Salta';`, 1, 1},
		{`SELECT person_id, record_id AS id FROM links`, 2, 0}, // person_id wins over id
		{`WITH s AS (SELECT id FROM main.people WHERE email IS NULL) SELECT id FROM s UNION SELECT 1`, 2, 0},
		{`SELECT p.id FROM people p JOIN links l ON l.person_id = p.id WHERE l.record_id > 10`, 1, 0},
		{`SELECT '2' AS id`, 0, 1},
	} {
		where, err := s.CheckSegmentSQL(ctx, c.query)
		if err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		got, err := s.CountWhere(ctx, where, nil, false)
		if err != nil || got.Matched != c.matched || got.OptedOut != c.oo {
			t.Errorf("%s: count %+v, %v; want %d matched, %d opted out\n%s", c.query, got, err, c.matched, c.oo, where)
		}
	}
}

func TestSegmentSQLRefusesAnythingButReadingPadronTables(t *testing.T) {
	s := sqlPeopleStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct{ query, why string }{
		{``, "empty"},
		{`DELETE FROM people`, "only one SELECT"},
		{`UPDATE people SET opted_out = false`, "only one SELECT"},
		{`INSERT INTO people SELECT * FROM people`, "only one SELECT"},
		{`DROP TABLE people`, "only one SELECT"},
		{`SELECT 1; DROP TABLE people`, "only one SELECT"},
		{`SELECT id FROM people; SELECT id FROM people`, "exactly one SELECT statement is accepted, not 2"},
		{`SELECT * FROM read_csv('/etc/passwd')`, "table function read_csv is not allowed"},
		{`SELECT id FROM people WHERE email IN (SELECT content FROM read_text('/etc/passwd'))`, "table function read_text"},
		{`SELECT * FROM '/etc/passwd'`, `"/etc/passwd" is not one of padron's tables`},
		{`SELECT * FROM '` + dir + `/x.csv'`, `is not one of padron's tables`},
		{`SELECT * FROM glob('*')`, "table function glob"},
		{`SELECT * FROM query('DELETE FROM people')`, "table function query"},
		{`COPY people TO '` + dir + `/x.csv'`, "only one SELECT"},
		{`COPY (SELECT id FROM people) TO '` + dir + `/x.csv'`, "only one SELECT"},
		{`ATTACH '` + dir + `/x.db'`, "only one SELECT"},
		{`SELECT id FROM other.main.people`, "padron's own tables"},
		{`SELECT id FROM information_schema.tables`, "padron's own tables"},
		{`SELECT * FROM duckdb_settings()`, "table function duckdb_settings"},
		{`INSTALL httpfs`, "only one SELECT"},
		{`LOAD httpfs`, "only one SELECT"},
		{`PRAGMA enable_profiling`, "only one SELECT"},
		{`SET enable_external_access = true`, "only one SELECT"},
		{`CALL pragma_version()`, "only one SELECT"},
		{`DESCRIBE people`, "not allowed"},
		{`SELECT id FROM people WHERE id = ?`, "parameters"},
		{`SELECT nextval('x') AS id`, "function nextval"},
		{`SELECT id FROM segments`, `"segments" is not one of padron's tables`},
		{`SELECT id FROM people WHERE`, "does not parse"},
		{`SELECT email FROM people`, "column named person_id or id (it returns email)"},
		{`SELECT id FROM nosuch`, `"nosuch" is not one of padron's tables`},
		{`SELECT id FROM people WHERE p.city = 'x'`, "p"}, // no outer people to correlate with
	} {
		_, err := s.CheckSegmentSQL(ctx, c.query)
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s: got %v, want an error saying %q", c.query, err, c.why)
		}
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM people`).Scan(&n); err != nil || n != 3 {
		t.Errorf("people after the refusals: %d, %v", n, err)
	}
	// External access stays off for this store: a file can no longer be read.
	if _, err := s.db.Exec(`SELECT * FROM read_text('/etc/passwd')`); err == nil {
		t.Error("read a file after a SQL segment was checked")
	}
}

func TestSQLSegmentSavedWithKind(t *testing.T) {
	s := sqlPeopleStore(t)
	ctx := context.Background()
	if err := s.SaveSQLSegment(ctx, "salta", `SELECT id FROM people WHERE city = 'Salta'`, "ana", false); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveSegment(ctx, "mail", `has_email`, "ana", false); err != nil {
		t.Fatal(err)
	}
	l, err := s.Segments(ctx)
	if err != nil || len(l) != 2 || l[0].Kind != SegmentWhere || l[1].Kind != SegmentSQL || l[1].Expr != `SELECT id FROM people WHERE city = 'Salta'` {
		t.Fatalf("segments = %+v, %v", l, err)
	}
}

// Segments saved before version 11 are expressions.
func TestSchemaV11MarksOldSegmentsAsExpressions(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/old.duckdb"
	s, err := open(ctx, path, migrations[:10])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO segments VALUES ('old', 'has_email', now(), NULL)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	g, err := s.Segment(ctx, "old")
	if err != nil || g.Kind != SegmentWhere || g.Expr != "has_email" {
		t.Errorf("old segment = %+v, %v", g, err)
	}
}
