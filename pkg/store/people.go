package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/duckdb/duckdb-go/v2"
)

// Version 5: people, the conclusions drawn from records. links says which person
// each record belongs to; people holds each person's golden view, recomputed from
// their records; match_model and match_tf keep what dedupe learned, so that explain
// and later incremental runs weigh exactly as it did; match_pairs is the queue of
// doubtful pairs. These tables are rewritten by each dedupe run, which is why they
// carry no indexes: DuckDB loads them faster without.
const schemaV5 = `
INSERT INTO counters VALUES ('person', 0), ('run', 0);
CREATE TABLE links (
	record_id   BIGINT NOT NULL,
	person_id   BIGINT NOT NULL,
	probability DOUBLE,             -- best link that joined the record; NULL when alone
	run_id      BIGINT NOT NULL
);
CREATE TABLE people (
	id          BIGINT NOT NULL,
	given_name  VARCHAR,
	family_name VARCHAR,
	email       VARCHAR,
	phone       VARCHAR,
	street      VARCHAR,
	postcode    VARCHAR,
	city        VARCHAR,
	region      VARCHAR,
	country     VARCHAR,
	birth_date  DATE,
	national_id VARCHAR,
	emails      VARCHAR[],
	phones      VARCHAR[],
	tags        VARCHAR[],
	sources     VARCHAR[],
	records     INTEGER NOT NULL,
	opted_out   BOOLEAN NOT NULL
);
CREATE TABLE match_runs (
	id          BIGINT PRIMARY KEY,
	started_at  TIMESTAMP NOT NULL,
	finished_at TIMESTAMP NOT NULL,
	actor       VARCHAR,
	mode        VARCHAR NOT NULL,  -- full or incremental
	records     BIGINT NOT NULL,
	new_records BIGINT NOT NULL,
	pairs       BIGINT NOT NULL,
	auto_links  BIGINT NOT NULL,
	rejected    BIGINT NOT NULL,
	review      BIGINT NOT NULL,
	people      BIGINT NOT NULL,
	settings    JSON,
	blocking    JSON
);
CREATE TABLE match_model (run_id BIGINT NOT NULL, trained_at TIMESTAMP NOT NULL, model JSON NOT NULL);
CREATE TABLE match_tf (comparison VARCHAR NOT NULL, value VARCHAR, n BIGINT NOT NULL); -- value NULL: the total
CREATE TABLE match_pairs (
	record_a    BIGINT NOT NULL,
	record_b    BIGINT NOT NULL,
	weight      DOUBLE NOT NULL,
	probability DOUBLE NOT NULL,
	conflict    BOOLEAN NOT NULL,
	run_id      BIGINT NOT NULL
);
`

// MatchRecord is a record as dedupe reads it, with the person it belongs to (0 when
// no dedupe has seen it yet).
type MatchRecord struct {
	ID         int64
	Person     int64
	GivenName  string
	FamilyName string
	Emails     []string
	Phones     []string
	BirthDate  int32 // yyyymmdd
	Street     string
	Postcode   string
	City       string
	NationalID string
	Occupation string
	// Golden holds the record's values as the golden records take them.
	Golden GoldenInput
}

// MatchRecords reads every record for matching, in id order. The records are read
// in id ranges, one per CPU, at the same time: scanning rows through database/sql
// costs more than DuckDB's query, and a million records took five seconds on one core.
func (s *Store) MatchRecords(ctx context.Context, each func(MatchRecord) error) error {
	var lo, hi sql.NullInt64
	var count int64
	if err := s.db.QueryRowContext(ctx, `SELECT min(id), max(id), count(*) FROM records`).Scan(&lo, &hi, &count); err != nil {
		return fmt.Errorf("read records for matching: %w", err)
	}
	if !lo.Valid {
		return nil
	}
	shards := int64(runtime.GOMAXPROCS(0))
	if n := hi.Int64 - lo.Int64 + 1; n < 100_000 || shards < 2 {
		return s.matchRecords(ctx, "", nil, each)
	}
	size := (hi.Int64 - lo.Int64 + shards) / shards
	// One connection per shard for the read only: the store otherwise keeps to one
	// session (explicit transactions and appenders), and nothing else runs meanwhile.
	s.db.SetMaxOpenConns(int(shards))
	defer s.db.SetMaxOpenConns(1)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type shard struct {
		recs []MatchRecord
		err  error
		done chan struct{}
	}
	parts := make([]*shard, shards)
	for k := range parts {
		// Sized up front: growing half a million records by appending cost half a
		// second of copying. Ids may have gaps, so the count bounds the guess.
		sh := &shard{done: make(chan struct{}), recs: make([]MatchRecord, 0, min(size, count/shards+count/20+1024))}
		parts[k] = sh
		from := lo.Int64 + int64(k)*size
		go func() {
			defer close(sh.done)
			sh.err = s.matchRecords(ctx, "AND r.id BETWEEN ? AND ?", []any{from, from + size - 1}, func(m MatchRecord) error {
				sh.recs = append(sh.recs, m)
				return nil
			})
		}()
	}
	for _, sh := range parts {
		<-sh.done
		if sh.err != nil {
			return sh.err
		}
		for i := range sh.recs {
			if err := each(sh.recs[i]); err != nil {
				return err
			}
		}
		sh.recs = nil
	}
	return nil
}

// MatchRecordsByID reads the given records for matching.
func (s *Store) MatchRecordsByID(ctx context.Context, ids []int64, each func(MatchRecord) error) error {
	if len(ids) == 0 {
		return nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return s.matchRecords(ctx, "AND r.id IN ("+ph+")", args, each)
}

// matchRecords reads records for matching; where is "" or "AND condition". The
// records of anonymized donations (an erased donor's) are no one's: left out.
// Each record comes as one string (matchRow): database/sql scans one column per row
// for less than twelve, and the same row later builds the golden records in memory
// (see goldenFromRows).
func (s *Store) matchRecords(ctx context.Context, where string, args []any, each func(MatchRecord) error) error {
	var pending []MatchRecord // from the first record to read again on, in order
	var again []string
	err := s.matchRows(ctx, matchRow, where, args, func(m MatchRecord) error {
		g, err := parseFastRow(m.Golden.row)
		if err == errAmbiguous {
			again = append(again, strconv.FormatInt(m.ID, 10))
			pending = append(pending, m)
			return nil
		}
		if err != nil {
			return err
		}
		fromRow(&m, &g)
		if again != nil {
			pending = append(pending, m)
			return nil
		}
		return each(m)
	})
	if err != nil || again == nil {
		return err
	}
	exact := map[int64]MatchRecord{}
	err = s.matchRows(ctx, matchRowExact, "AND r.id IN ("+strings.Join(again, ",")+")", nil, func(m MatchRecord) error {
		g, err := parseRow(m.Golden.row)
		if err != nil {
			return err
		}
		m.Golden.exact = true
		fromRow(&m, &g)
		exact[m.ID] = m
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range pending {
		if x, ok := exact[m.ID]; ok {
			m = x
		}
		if err := each(m); err != nil {
			return err
		}
	}
	return nil
}

// matchRows runs the query of matchRecords with the row expression given.
func (s *Store) matchRows(ctx context.Context, row, where string, args []any, each func(MatchRecord) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, coalesce(l.person_id, 0), `+row+`
		FROM records r LEFT JOIN links l ON l.record_id = r.id
		WHERE r.id NOT IN (SELECT record_id FROM transactions WHERE anonymized IS NOT NULL) `+where+` ORDER BY r.id`, args...)
	if err != nil {
		return fmt.Errorf("read records for matching: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m MatchRecord
		if err := rows.Scan(&m.ID, &m.Person, &m.Golden.row); err != nil {
			return fmt.Errorf("read records for matching: %w", err)
		}
		if err := each(m); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read records for matching: %w", err)
	}
	return rows.Close()
}

// fromRow fills a record's fields for matching from its row.
func fromRow(m *MatchRecord, g *parsedRow) {
	m.GivenName, m.FamilyName, m.Street, m.Postcode, m.City = g.f[gGiven].v, g.f[gFamily].v, g.f[gStreet].v,
		g.f[gPostcode].v, g.f[gCity].v
	m.NationalID, m.Occupation, m.BirthDate = g.f[gNationalID].v, g.f[gOccupation].v, g.birthNum
	m.Emails, m.Phones = fieldsOf(g.emails), fieldsOf(g.phones)
}

// fieldsOf is what matching made of a list: its elements joined by spaces
// (array_to_string leaves NULLs out) and split into words again.
func fieldsOf(l rowList) []string {
	if l.null || len(l.v) == 0 {
		return nil
	}
	if len(l.v) == 1 && !l.nulls && l.v[0] != "" && strings.IndexFunc(l.v[0], unicode.IsSpace) < 0 {
		return l.v[:1:1] // the common case, without joining
	}
	var b strings.Builder
	for i, e := range l.v {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(e)
	}
	return strings.Fields(b.String())
}

// MatchRun is one dedupe run's outcome, saved in one transaction.
type MatchRun struct {
	ID         int64
	StartedAt  time.Time
	Actor      string
	Mode       string
	Records    int64
	NewRecords int64
	Pairs      int64
	AutoLinks  int64
	Rejected   int64
	People     int64
	Settings   any
	Blocking   any

	// Links: one per record, in any order; with Changed, only the records whose
	// person changed, and Affected lists every person who gained or lost a record
	// (their golden records are rebuilt; the others are left as they are).
	RecordIDs   []int64
	PersonIDs   []int64
	Probability []float32 // 0 = none
	Changed     bool
	Affected    []int64
	// Golden, when not nil, are the golden records of a full run being built in
	// memory (StartGolden); without them, rebuildPeople builds them in SQL.
	Golden *GoldenBuild

	// Model is the trained model as JSON; nil keeps the stored one.
	Model []byte
	// TF are term frequencies by comparison (values shared by 2+ records) and the
	// totals, rewritten each run.
	TFValues map[string]map[string]int32
	TFTotals map[string]int
	Review   []ReviewPair
	// LogChanges are the records whose person this run changed, for the log.
	LogChanges []Change
	golden     map[string]GoldenRule // the store's survivorship rules, set by SaveMatchRun
	// Attributions replace the stored ones when not nil (see saveAttributions).
	Attributions []Attribution
	// Summary goes to the event log.
	Summary map[string]any
}

// ReviewPair is a doubtful pair of records.
type ReviewPair struct {
	A, B        int64
	Weight      float64
	Probability float64
	Conflict    bool
}

// NextIDs reserves n ids from a counter ("person", "run") and returns the first.
// Reserved ids are used or lost, never handed out twice.
func (s *Store) NextIDs(ctx context.Context, counter string, n int64) (int64, error) {
	v, err := nextCounter(ctx, s.db, counter, n)
	if err != nil {
		return 0, fmt.Errorf("counter %s: %w", counter, err)
	}
	return v - n + 1, nil
}

// SaveMatchRun replaces links, people, the review queue and term frequencies with a
// run's conclusions, all in one transaction: an interrupted run leaves the store as
// it was.
func (s *Store) SaveMatchRun(ctx context.Context, r *MatchRun) error {
	r.golden = s.golden
	golden := r.Golden
	if golden != nil && (r.Changed || golden.records != len(r.RecordIDs)) {
		<-golden.done
		golden = nil // not the run it was started for: the SQL path
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	loaded := func() error { return nil }
	if golden != nil {
		// The golden records are loaded on a second connection while this one writes
		// the links and the rest (see GoldenBuild.load).
		s.db.SetMaxOpenConns(2)
		defer s.db.SetMaxOpenConns(1)
		ctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		var err error
		go func() {
			defer close(done)
			err = loadGolden(ctx, s.db, golden)
		}()
		loaded = func() error { <-done; return err }
		defer func() {
			cancel()
			<-done
			dropGolden(conn)
		}()
	}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	if err := saveMatchRun(ctx, conn, r, golden, loaded); err != nil {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("save dedupe run: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("save dedupe run: %w", err)
	}
	return nil
}

// loadGolden runs golden.load on a connection of its own.
func loadGolden(ctx context.Context, db *sql.DB, golden *GoldenBuild) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("golden records: %w", err)
	}
	defer conn.Close()
	return golden.load(ctx, conn)
}

// saveMatchRun writes the run in the transaction begun on conn; golden, when not
// nil, holds the golden records built in memory, and loaded says when they are
// loaded. The people are written last, to give the load the most time.
func saveMatchRun(ctx context.Context, conn *sql.Conn, r *MatchRun, golden *GoldenBuild, loaded func() error) error {
	if _, err := conn.ExecContext(ctx, `DELETE FROM match_tf`); err != nil {
		return err
	}
	if err := saveAttributions(ctx, conn, r); err != nil {
		return fmt.Errorf("attributions: %w", err)
	}
	if r.Changed {
		if err := saveChangedLinks(ctx, conn, r); err != nil {
			return err
		}
	} else {
		for _, q := range []string{`DELETE FROM links`, `DELETE FROM match_pairs`} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		if err := appendLinks(ctx, conn, "links", r); err != nil {
			return fmt.Errorf("links: %w", err)
		}
	}
	// The review queue: this run's doubtful pairs replace the same pairs queued
	// before; in a later run, earlier pairs about untouched records stay queued.
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE new_pairs AS SELECT * FROM match_pairs LIMIT 0`); err != nil {
		return err
	}
	err := appendRows(ctx, conn, "new_pairs", len(r.Review), func(a *duckdb.Appender, i int) error {
		p := r.Review[i]
		return a.AppendRow(p.A, p.B, p.Weight, p.Probability, p.Conflict, r.ID)
	})
	if err != nil {
		return fmt.Errorf("review pairs: %w", err)
	}
	for _, q := range []string{
		`DELETE FROM match_pairs WHERE (record_a, record_b) IN (SELECT (record_a, record_b) FROM new_pairs)`,
		`INSERT INTO match_pairs SELECT * FROM new_pairs`,
		`DROP TABLE new_pairs`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("review pairs: %w", err)
		}
	}
	type tfRow struct {
		c, v  string
		n     int64
		total bool // v is NULL
	}
	rows := len(r.TFTotals)
	for _, vs := range r.TFValues {
		rows += len(vs)
	}
	tf := make([]tfRow, 0, rows)
	for c, n := range r.TFTotals {
		tf = append(tf, tfRow{c: c, n: int64(n), total: true})
	}
	for c, vs := range r.TFValues {
		for v, k := range vs {
			tf = append(tf, tfRow{c: c, v: v, n: int64(k)})
		}
	}
	// Strings cross into DuckDB one by one either way: insertBulk measured no better
	// than the appender here.
	err = appendRows(ctx, conn, "match_tf", len(tf), func(a *duckdb.Appender, i int) error {
		var v driver.Value
		if !tf[i].total {
			v = tf[i].v
		}
		return a.AppendRow(tf[i].c, v, tf[i].n)
	})
	if err != nil {
		return fmt.Errorf("term frequencies: %w", err)
	}
	now := time.Now().UTC()
	if r.Model != nil {
		if _, err := conn.ExecContext(ctx, `INSERT INTO match_model VALUES (?, ?, ?)`, r.ID, now, string(r.Model)); err != nil {
			return err
		}
	}
	settings, _ := json.Marshal(r.Settings)
	blocking, _ := json.Marshal(r.Blocking)
	if _, err := conn.ExecContext(ctx, `INSERT INTO match_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.StartedAt.UTC(), now, nullStr(r.Actor), r.Mode, r.Records, r.NewRecords, r.Pairs, r.AutoLinks,
		r.Rejected, int64(len(r.Review)), r.People, string(settings), string(blocking)); err != nil {
		return err
	}
	if _, err = logChange(ctx, conn, r.Actor, "dedupe", r.Summary, r.LogChanges); err != nil {
		return err
	}
	return savePeople(ctx, conn, r, golden, loaded)
}

// savePeople rewrites the golden records of the run's people.
func savePeople(ctx context.Context, conn *sql.Conn, r *MatchRun, golden *GoldenBuild, loaded func() error) error {
	if golden != nil {
		if err := loaded(); err != nil {
			return err
		}
		return golden.save(ctx, conn, r.golden)
	}
	var affected []int64 // nil: every person
	if r.Changed {
		affected = r.Affected
		if affected == nil {
			affected = []int64{}
		}
	}
	if err := rebuildPeople(ctx, conn, affected, r.golden); err != nil {
		return err
	}
	if r.Changed {
		return refreshOptOuts(ctx, conn)
	}
	return nil
}

// appendLinks appends the run's links to table.
func appendLinks(ctx context.Context, conn *sql.Conn, table string, r *MatchRun) error {
	return insertBulk(ctx, conn, table, len(r.RecordIDs), int64Col("record_id", r.RecordIDs),
		int64Col("person_id", r.PersonIDs),
		nullableCol("probability", duckdb.TYPE_DOUBLE, func(i int) (float64, bool) {
			return float64(r.Probability[i]), r.Probability[i] > 0
		}),
		constCol("run_id", r.ID))
}

// saveChangedLinks replaces the links of the records whose person changed, and drops
// the review pairs those records were in, and pairs that are now one person.
func saveChangedLinks(ctx context.Context, conn *sql.Conn, r *MatchRun) error {
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE changed_links
		(record_id BIGINT, person_id BIGINT, probability DOUBLE, run_id BIGINT)`); err != nil {
		return err
	}
	if err := appendLinks(ctx, conn, "changed_links", r); err != nil {
		return fmt.Errorf("links: %w", err)
	}
	for _, q := range []string{
		`DELETE FROM links WHERE record_id IN (SELECT record_id FROM changed_links)`,
		`INSERT INTO links SELECT * FROM changed_links`,
		`DELETE FROM match_pairs WHERE record_a IN (SELECT record_id FROM changed_links)
			OR record_b IN (SELECT record_id FROM changed_links)`,
		`DELETE FROM match_pairs WHERE (SELECT person_id FROM links WHERE record_id = record_a) =
			(SELECT person_id FROM links WHERE record_id = record_b)`,
		`DROP TABLE changed_links`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("links: %w", err)
		}
	}
	return nil
}

// appendRows bulk-loads n rows through DuckDB's appender on conn (inside its
// transaction).
func appendRows(ctx context.Context, conn *sql.Conn, table string, n int, row func(*duckdb.Appender, int) error) error {
	if n == 0 {
		return nil
	}
	return conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if i&0xffff == 0 && ctx.Err() != nil {
				a.Close()
				return ctx.Err()
			}
			if err := row(a, i); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
}

// pick returns SQL choosing, per person, one value of expr over their records (table
// golden_lr): the most frequent, then an email without a +tag, then a name in mixed
// case over one in capitals, then the accented form over the unaccented ("José" over
// "Jose"), then the longer (more complete: "Muñoz García" over "Muñoz", "Katarzyna"
// over "Kasia"), then the most recently imported.
func pick(expr, where string, rule GoldenRule) string {
	return `SELECT person_id, arg_max(v, ` + rule.order() + `) AS v FROM (
		SELECT person_id, v, count(*) AS n, max(id) AS last, max(prio) AS prio, v <> strip_accents(v) AS accented,
			NOT (v LIKE '%+%@%') AS plain, NOT (v = upper(v) AND v <> lower(v)) AS cased
		FROM (SELECT person_id, id, ` + expr + ` AS v, ` + rule.priority() + ` AS prio FROM golden_lr` + where + `)
		WHERE v IS NOT NULL AND v <> '' GROUP BY person_id, v) GROUP BY person_id`
}

// addressExpr is one record's address on one line, "ul. Długa 5, 30-001 Kraków", or
// NULL; prefix qualifies the columns ("r.").
func addressExpr(prefix string) string {
	return "nullif(trim(concat_ws(', ', nullif(" + prefix + "street, ''), nullif(trim(concat_ws(' ', nullif(" + prefix +
		"postcode, ''), nullif(" + prefix + "city, ''))), ''))), '')"
}

// goldenFields are the people columns chosen by pick, with the record expression.
var goldenFields = []struct{ name, expr string }{
	{"given_name", "given_name"}, {"family_name", "family_name"}, {"email", "unnest(emails)"},
	{"phone", "unnest(phones)"}, {"street", "street"}, {"postcode", "postcode"}, {"city", "city"},
	{"region", "region"}, {"country", "country"}, {"birth_date", "CAST(birth_date AS VARCHAR)"},
	{"national_id", "national_id"},
}

// rebuildPeople recomputes the golden view of people from their records: all of them
// when ids is nil. It works field by field through temporary tables, so that DuckDB
// holds one field's grouping at a time: one query for everything ran out of memory
// at a million records under the 512 MB limit.
func rebuildPeople(ctx context.Context, q execQuerier, ids []int64, rules map[string]GoldenRule) error {
	filter := ""
	var drop []string
	if ids != nil {
		if len(ids) == 0 {
			return nil
		}
		// The ids go in as one list parameter: written into the SQL, preparing the
		// statements took 10 s for the 778,000 people a reverted run rebuilds.
		if _, err := q.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE golden_ids AS SELECT unnest(?::BIGINT[]) AS id`, ids); err != nil {
			return fmt.Errorf("golden records: %w", err)
		}
		drop = append(drop, "ids")
		filter = " WHERE l.person_id IN (SELECT id FROM golden_ids)"
		if _, err := q.ExecContext(ctx, `DELETE FROM people WHERE id IN (SELECT id FROM golden_ids)`); err != nil {
			return err
		}
	} else if _, err := q.ExecContext(ctx, `DELETE FROM people`); err != nil {
		return err
	}
	// Most people have one record: their golden values are that record's, without
	// grouping (multi marks the others). Those whose one record has at most one email
	// and one phone have nothing to choose from at all: they are written straight
	// from the record, and only the others go through the tables below (at a million
	// records, that halved the time of saving).
	stmts := []string{`CREATE OR REPLACE TEMP TABLE golden_n AS SELECT person_id, count(*) AS n FROM links l` +
		filter + ` GROUP BY person_id`,
		`INSERT INTO people (id, given_name, family_name, email, phone, street, postcode, city, region, country,
			birth_date, national_id, emails, phones, tags, sources, records, opted_out, addresses)
		SELECT l.person_id, nullif(r.given_name, ''), nullif(r.family_name, ''), nullif(r.emails[1], ''),
			nullif(r.phones[1], ''), nullif(r.street, ''), nullif(r.postcode, ''), nullif(r.city, ''),
			nullif(r.region, ''), nullif(r.country, ''), r.birth_date, nullif(r.national_id, ''),
			coalesce(r.emails, []), coalesce(r.phones, []), coalesce(list_sort(list_distinct(r.tags)), []),
			[r.source_file], 1,
			coalesce(r.opt_out, false) OR coalesce(r.emails[1] IN (SELECT email FROM suppressions), false),
			list_filter([` + addressExpr("r.") + `], x -> x IS NOT NULL)
		FROM links l JOIN records r ON r.id = l.record_id JOIN golden_n n ON n.person_id = l.person_id
		WHERE n.n = 1 AND len(coalesce(r.emails, [])) <= 1 AND len(coalesce(r.phones, [])) <= 1` +
			strings.Replace(filter, "WHERE", "AND", 1),
		`CREATE OR REPLACE TEMP TABLE golden_lr AS SELECT l.person_id, r.id, n.n > 1 AS multi, r.given_name,
		r.family_name, r.emails, r.phones, r.street, r.postcode, r.city, r.region, r.country, r.birth_date,
		r.national_id, r.opt_out, r.tags, r.source_file, r.source FROM links l JOIN records r ON r.id = l.record_id
		JOIN golden_n n ON n.person_id = l.person_id
		WHERE (n.n > 1 OR len(coalesce(r.emails, [])) > 1 OR len(coalesce(r.phones, [])) > 1)` +
			strings.Replace(filter, "WHERE", "AND", 1),
		`CREATE OR REPLACE TEMP TABLE golden_agg AS SELECT person_id, count(*) AS records,
			bool_or(coalesce(opt_out, false)) AS opt_out, list_sort(list(DISTINCT source_file)) AS sources
			FROM golden_lr GROUP BY person_id`,
	}
	for _, l := range []string{"emails", "phones", "tags"} {
		stmts = append(stmts, fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE golden_%[1]s AS SELECT person_id,
			list_sort(list(DISTINCT v)) AS %[1]s FROM (SELECT person_id, unnest(%[1]s) AS v FROM golden_lr)
			GROUP BY person_id`, l))
	}
	stmts = append(stmts, `CREATE OR REPLACE TEMP TABLE golden_addresses AS SELECT person_id,
		list_sort(list(DISTINCT v)) AS addresses FROM (SELECT person_id, `+addressExpr("")+` AS v FROM golden_lr)
		WHERE v IS NOT NULL GROUP BY person_id`)
	stmts = append(stmts, `CREATE OR REPLACE TEMP TABLE golden_sup AS SELECT DISTINCT person_id FROM
		(SELECT person_id, unnest(emails) AS email FROM golden_lr) WHERE email IN (SELECT email FROM suppressions)`)
	// Each field's pick lands in one long table, pivoted by a single grouping: a
	// join of one table per field took five seconds at a million people.
	stmts = append(stmts, `CREATE OR REPLACE TEMP TABLE golden_v (person_id BIGINT, field VARCHAR, v VARCHAR)`)
	var sel strings.Builder
	for _, f := range goldenFields {
		q := pick(f.expr, "", rules[f.name])
		if !strings.Contains(f.expr, "unnest") {
			q = pick(f.expr, " WHERE multi", rules[f.name]) + ` UNION ALL SELECT person_id, ` + f.expr + ` AS v FROM golden_lr
				WHERE NOT multi AND ` + f.expr + ` IS NOT NULL AND ` + f.expr + ` <> ''`
		}
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO golden_v SELECT person_id, '%s', v FROM (%s)`, f.name, q))
		v := fmt.Sprintf("any_value(v) FILTER (WHERE field = '%s')", f.name)
		if f.name == "birth_date" {
			v = "CAST(" + v + " AS DATE)"
		}
		fmt.Fprintf(&sel, ", %s AS %s", v, f.name)
	}
	stmts = append(stmts, `CREATE OR REPLACE TEMP TABLE golden_p AS SELECT person_id`+sel.String()+`
		FROM golden_v GROUP BY person_id`)
	var cols strings.Builder
	for _, f := range goldenFields {
		fmt.Fprintf(&cols, ", p.%s", f.name)
	}
	stmts = append(stmts, `INSERT INTO people (id`+strings.ReplaceAll(cols.String(), "p.", "")+`, emails, phones,
			tags, sources, records, opted_out, addresses) SELECT a.person_id`+cols.String()+`,
			coalesce(golden_emails.emails, []), coalesce(golden_phones.phones, []), coalesce(golden_tags.tags, []),
			a.sources, a.records, a.opt_out OR s.person_id IS NOT NULL, coalesce(golden_addresses.addresses, [])
		FROM golden_agg a LEFT JOIN golden_p p ON p.person_id = a.person_id
		LEFT JOIN golden_sup s ON s.person_id = a.person_id
		LEFT JOIN golden_emails ON golden_emails.person_id = a.person_id
		LEFT JOIN golden_phones ON golden_phones.person_id = a.person_id
		LEFT JOIN golden_tags ON golden_tags.person_id = a.person_id
		LEFT JOIN golden_addresses ON golden_addresses.person_id = a.person_id`)
	for _, t := range append(drop, "n", "lr", "agg", "emails", "phones", "tags", "addresses", "sup", "v", "p") {
		stmts = append(stmts, "DROP TABLE golden_"+t)
	}
	for _, st := range stmts {
		if _, err := q.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("golden records: %w", err)
		}
	}
	return nil
}

// refreshOptOuts recomputes every person's opted_out: a suppression can arrive with
// another person's record (a mailing tool's unsubscribe list) or leave with an undone
// import, without the person's own records changing.
func refreshOptOuts(ctx context.Context, q execQuerier) error {
	_, err := q.ExecContext(ctx, `UPDATE people SET opted_out = (id IN (
		SELECT l.person_id FROM links l JOIN records r ON r.id = l.record_id WHERE coalesce(r.opt_out, false)
		UNION
		SELECT l.person_id FROM links l JOIN (SELECT id, unnest(emails) AS email FROM records) e ON e.id = l.record_id
			WHERE e.email IN (SELECT email FROM suppressions)))`)
	if err != nil {
		return fmt.Errorf("opt-outs: %w", err)
	}
	return nil
}

// StoredModel returns the model JSON of the latest trained run, or nil.
func (s *Store) StoredModel(ctx context.Context) ([]byte, error) {
	var m string
	err := s.db.QueryRowContext(ctx, `SELECT CAST(model AS VARCHAR) FROM match_model ORDER BY run_id DESC LIMIT 1`).Scan(&m)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read match model: %w", err)
	}
	return []byte(m), nil
}

// StoredTF returns the term frequencies of the latest run.
func (s *Store) StoredTF(ctx context.Context) (map[string]map[string]int32, map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT comparison, value, n FROM match_tf`)
	if err != nil {
		return nil, nil, fmt.Errorf("read term frequencies: %w", err)
	}
	defer rows.Close()
	values, totals := map[string]map[string]int32{}, map[string]int{}
	for rows.Next() {
		var c string
		var v sql.NullString
		var n int64
		if err := rows.Scan(&c, &v, &n); err != nil {
			return nil, nil, err
		}
		if !v.Valid {
			totals[c] = int(n)
			continue
		}
		if values[c] == nil {
			values[c] = map[string]int32{}
		}
		values[c][v.String] = int32(n)
	}
	return values, totals, rows.Err()
}
