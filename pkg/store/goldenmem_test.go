package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestGoldenFromRowsAsSQL builds the golden records of random people twice, with
// rebuildPeople's SQL and from the rows in memory, under every rule, and wants the
// same people table, column for column.
func TestGoldenFromRowsAsSQL(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	rng := rand.New(rand.NewPCG(7, 11))
	// Values after a "|" are odd (left to SQL, mostly): drawn one time in 40.
	draw := func(vs []string) string {
		i := 0
		for i < len(vs) && vs[i] != "|" {
			i++
		}
		if i < len(vs) && rng.IntN(40) == 0 {
			return vs[i+1+rng.IntN(len(vs)-i-1)]
		}
		return vs[rng.IntN(i)]
	}
	pickOne := func(vs ...string) any {
		v := draw(vs)
		if v == "NULL" {
			return nil
		}
		return v
	}
	list := func(max int, vs ...string) string {
		switch rng.IntN(8) {
		case 0:
			return "NULL"
		case 1:
			return "[]"
		}
		n := rng.IntN(max + 1)
		out := make([]string, n)
		for i := range out {
			v := draw(vs)
			if v != "NULL" {
				v = quoteLiteral(v)
			}
			out[i] = v
		}
		return "[" + strings.Join(out, ", ") + "]"
	}
	names := []string{"Jose", "José", "JOSE", "jose", "JOSÉ", "Jöse", "", "NULL", "María José",
		"Ǆemal", "ǅemal", "ß", "İnci", "O'Brien", "Ōta", "ΣΟΦΙΑ", "Σοφία", "Łukasz", "LUKASZ", "|", "Jose\u0301",
		"Jo\x1fse", "Jo\x1ese"}
	// Two values of one record that tie on every key are chosen between as DuckDB's
	// arg_max happens to meet them (the SQL alone differs from run to run there), so
	// no two values of a list share their flags and length.
	emails := []string{"a@x.es", "a+tag@x.es", "A@X.ES", "bb@x.es", "üü@x.es", "c+d@x", "+@", "", "|", "NULL"}
	phones := []string{"+34600111222", "+346001112233", "+4930123", "", "|", "NULL"}
	streets := []string{"Calle Mayor 1", "C/ Mayor 1", "", "NULL", "Długa 5", "|", " Calle Mayor 1",
		"Calle Mayor 1\u00a0"}
	postcodes := []string{"28001", "28002", "", "NULL", "30-001"}
	cities := []string{"Madrid", "MADRID", "Alcalá de Henares", "Alcala de Henares", "Kraków", "", "NULL"}
	dates := []string{"1970-01-01", "1980-02-29", "NULL", "2001-10-10", "|", "0999-12-31"}
	tags := []string{"a", "b", "B", "", "ñ", "|", "NULL"}
	files := []string{"a.csv", "b.csv", "socios.csv"}
	srcs := []string{"NULL", "bank", "mailchimp", "socios.csv"}
	const n = 3000
	var stmts []string
	person := int64(0)
	left := 0
	for id := int64(1); id <= n; id++ {
		if left == 0 {
			person++
			left = 1 + rng.IntN(4)
			if rng.IntN(2) == 0 {
				left = 1
			}
		}
		left--
		bd := pickOne(dates...)
		bds := "NULL"
		if bd != nil {
			bds = "DATE '" + bd.(string) + "'"
		}
		lit := func(v any) string {
			if v == nil {
				return "NULL"
			}
			return quoteLiteral(v.(string))
		}
		optOut := []string{"NULL", "true", "false", "false", "false"}[rng.IntN(5)]
		stmts = append(stmts, fmt.Sprintf(`INSERT INTO records (id, batch_id, source_file, sheet, record_no, pos, raw,
			source, given_name, family_name, emails, phones, street, postcode, city, region, country, birth_date,
			national_id, tags, opt_out) VALUES (%d, 1, %s, '', %d, %d, '[]', %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
			%s, %s, %s, %s)`, id, lit(pickOne(files...)), id, id, lit(pickOne(srcs...)), lit(pickOne(names...)),
			lit(pickOne(names...)), list(3, emails...), list(2, phones...), lit(pickOne(streets...)),
			lit(pickOne(postcodes...)), lit(pickOne(cities...)), lit(pickOne("Madrid", "", "NULL", "Mazowieckie")),
			lit(pickOne("ES", "PL", "NULL")), bds, lit(pickOne("12345678Z", "NULL", "", "X1234567L")),
			list(3, tags...), optOut),
			fmt.Sprintf(`INSERT INTO links VALUES (%d, %d, NULL, 1)`, id, person))
	}
	stmts = append(stmts, `INSERT INTO pulled_suppressions (email, reason, since, service, pulled_at)
		VALUES ('b@x.es', 'unsubscribed', now(), 'brevo', now())`)
	for _, q := range stmts {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var ids, persons []int64
	var rows []GoldenInput
	err := s.matchRecords(ctx, "", nil, func(m MatchRecord) error {
		ids, persons, rows = append(ids, m.ID), append(persons, m.Person), append(rows, m.Golden)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The rows read for matching give matching the fields the exact rows give; the
	// values holding a separator were read again exactly.
	var exactRead int
	byID := map[int64]MatchRecord{}
	err = s.matchRecords(ctx, "", nil, func(m MatchRecord) error {
		byID[m.ID] = m
		if m.Golden.exact {
			exactRead++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if exactRead == 0 {
		t.Error("no record was read again exactly: the test should have some")
	}
	err = s.matchRows(ctx, matchRowExact, "", nil, func(m MatchRecord) error {
		g, err := parseRow(m.Golden.row)
		if err != nil {
			return err
		}
		fromRow(&m, &g)
		got := byID[m.ID]
		got.Golden, m.Golden = GoldenInput{}, GoldenInput{}
		if fmt.Sprint(got) != fmt.Sprint(m) {
			t.Errorf("record %d read for matching as\n%v, exactly\n%v", m.ID, got, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all := func(rule GoldenRule) map[string]GoldenRule {
		m := map[string]GoldenRule{}
		for _, f := range GoldenFields() {
			m[f] = rule
		}
		return m
	}
	for _, rules := range []map[string]GoldenRule{
		nil,
		all(GoldenRule{Rule: RuleMostRecent}),
		all(GoldenRule{Rule: RuleMostComplete}),
		all(GoldenRule{Rule: RuleSourcePriority, Sources: []string{"socios.csv", "bank"}}),
		{"city": {Rule: RuleSourcePriority, Sources: []string{"b.csv"}}, "email": {Rule: RuleMostRecent}},
	} {
		if err := rebuildPeople(ctx, s.db, nil, rules); err != nil {
			t.Fatal(err)
		}
		want := peopleTable(t, s.db)
		conn, err := s.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		b, err := startGolden(ctx, conn, ids, persons, rows, rules)
		if err != nil {
			t.Fatal(err)
		}
		<-b.done
		built := 0
		for _, p := range b.parts {
			built += len(p.lines)
		}
		if err := b.load(ctx, conn); err != nil {
			t.Fatal(err)
		}
		if err := b.save(ctx, conn, rules); err != nil {
			t.Fatal(err)
		}
		dropGolden(conn)
		conn.Close()
		if built < int(person)/2 || len(b.residual) == 0 {
			t.Errorf("rules %v: %d people built in memory, %d left to SQL: the test should exercise both",
				rules, built, len(b.residual))
		}
		got := peopleTable(t, s.db)
		if len(got) != len(want) {
			t.Fatalf("rules %v: %d people, want %d", rules, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("rules %v:\n got %s\nwant %s", rules, got[i], want[i])
			}
		}
	}
	// The same through SaveMatchRun, which loads the golden records on a second
	// connection while its transaction writes the rest.
	if err := rebuildPeople(ctx, s.db, nil, nil); err != nil {
		t.Fatal(err)
	}
	want := peopleTable(t, s.db)
	b, err := s.StartGolden(ctx, ids, persons, rows)
	if err != nil || b == nil {
		t.Fatalf("start golden: %v, %v", b, err)
	}
	run := &MatchRun{ID: 1, StartedAt: time.Now(), Mode: "full", RecordIDs: ids, PersonIDs: persons,
		Probability: make([]float32, len(ids)), Golden: b}
	if err := s.SaveMatchRun(ctx, run); err != nil {
		t.Fatal(err)
	}
	got := peopleTable(t, s.db)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("SaveMatchRun: %d people differ from rebuildPeople's %d", len(got), len(want))
	}
}

func peopleTable(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var out []string
	for _, v := range scanRows(t, db, `SELECT CAST(columns(*) AS VARCHAR) FROM people ORDER BY id`) {
		var b strings.Builder
		for _, x := range v {
			if x.Valid {
				fmt.Fprintf(&b, "%q ", x.String)
			} else {
				b.WriteString("NULL ")
			}
		}
		out = append(out, b.String())
	}
	return out
}

// TestGoldenFlagsAsDuckDB checks, for every code point, that the flags pick compares
// values by (accented, cased, length) are DuckDB's.
func TestGoldenFlagsAsDuckDB(t *testing.T) {
	s, _ := openTemp(t)
	rows, err := s.db.Query(`SELECT i, chr(CAST(i AS INTEGER)) AS v, v <> strip_accents(v), NOT (v = upper(v) AND v <> lower(v)), length(v)
		FROM range(1, 1114112) t(i) WHERE i NOT BETWEEN 55296 AND 57343`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	bad := 0
	for rows.Next() {
		var i int
		var v string
		var accented, cased bool
		var length int
		if err := rows.Scan(&i, &v, &accented, &cased, &length); err != nil {
			t.Fatal(err)
		}
		a, c, l, ok := flags(v)
		if !ok {
			continue // left to SQL
		}
		if a != accented || c != cased || l != length || utf8.RuneCountInString(v) != 1 {
			if bad++; bad <= 20 {
				t.Errorf("U+%04X %q: accented %v cased %v length %d, DuckDB %v %v %d", i, v, a, c, l, accented, cased, length)
			}
		}
	}
	if bad > 20 {
		t.Errorf("%d code points in all", bad)
	}
}
