package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Version 10: saved segments. A segment is a named filter expression over people
// (see pkg/segment); only the expression is kept, so that it is evaluated fresh
// each time.
const schemaV10 = `
CREATE TABLE segments (
	name       VARCHAR PRIMARY KEY,
	expr       VARCHAR NOT NULL,
	created_at TIMESTAMP NOT NULL,
	actor      VARCHAR
);
`

// Version 11: a segment is either a filter expression (kind 'where') or, for experts,
// a read-only SQL query returning person ids (kind 'sql', see CheckSegmentSQL).
const schemaV11 = `
ALTER TABLE segments ADD COLUMN kind VARCHAR DEFAULT 'where';
UPDATE segments SET kind = 'where' WHERE kind IS NULL;
`

// Segment kinds.
const (
	SegmentWhere = "where" // an expression of the segment language (pkg/segment)
	SegmentSQL   = "sql"   // a SELECT returning person ids
)

// SavedSegment is a segment as stored.
type SavedSegment struct {
	Name      string    `json:"name"`
	Kind      string    `json:"kind"` // SegmentWhere or SegmentSQL
	Expr      string    `json:"expr"` // the expression, or the SQL query
	CreatedAt time.Time `json:"created_at"`
	Actor     string    `json:"actor,omitempty"`
}

// ErrNoSegment is returned for a segment name that is not saved.
var ErrNoSegment = errors.New("no such segment")

// SaveSegment saves a segment, replacing one of the same name when replace is set;
// otherwise a name already in use is an error.
func (s *Store) SaveSegment(ctx context.Context, name, expr, actor string, replace bool) error {
	return s.saveSegment(ctx, name, SegmentWhere, expr, actor, replace)
}

// SaveSQLSegment saves a SQL segment (checked by the caller with CheckSegmentSQL; it
// is checked again each time it is evaluated), as SaveSegment does.
func (s *Store) SaveSQLSegment(ctx context.Context, name, query, actor string, replace bool) error {
	return s.saveSegment(ctx, name, SegmentSQL, query, actor, replace)
}

func (s *Store) saveSegment(ctx context.Context, name, kind, expr, actor string, replace bool) error {
	if !replace {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM segments WHERE name = ?`, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("segment %q already exists", name)
		}
	}
	return s.withTx(ctx, func(conn *sql.Conn) error {
		if _, err := conn.ExecContext(ctx, `DELETE FROM segments WHERE name = ?`, name); err != nil {
			return err
		}
		_, err := conn.ExecContext(ctx, `INSERT INTO segments (name, expr, created_at, actor, kind) VALUES (?, ?, now(), ?, ?)`,
			name, expr, nullStr(actor), kind)
		return err
	})
}

// Segments lists the saved segments by name.
func (s *Store) Segments(ctx context.Context) ([]SavedSegment, error) {
	return s.segments(ctx, ``)
}

// Segment returns one saved segment, or ErrNoSegment.
func (s *Store) Segment(ctx context.Context, name string) (*SavedSegment, error) {
	l, err := s.segments(ctx, `WHERE name = ?`, name)
	if err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, fmt.Errorf("segment %q: %w", name, ErrNoSegment)
	}
	return &l[0], nil
}

func (s *Store) segments(ctx context.Context, where string, args ...any) ([]SavedSegment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, coalesce(kind, 'where'), expr, created_at, coalesce(actor, '') FROM segments `+where+` ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list segments: %w", err)
	}
	defer rows.Close()
	var out []SavedSegment
	for rows.Next() {
		var g SavedSegment
		if err := rows.Scan(&g.Name, &g.Kind, &g.Expr, &g.CreatedAt, &g.Actor); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// DeleteSegment removes a saved segment, or returns ErrNoSegment.
func (s *Store) DeleteSegment(ctx context.Context, name string) error {
	if _, err := s.Segment(ctx, name); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `DELETE FROM segments WHERE name = ?`, name)
	return err
}

// SegmentCount is how many people a condition matched, and how many more it would
// have matched but for their opt-out.
type SegmentCount struct {
	Matched  int64 `json:"matched"`
	OptedOut int64 `json:"opted_out_excluded"`
}

// optOutFilter returns the condition that keeps opted-out people out unless asked.
func optOutFilter(includeOptedOut bool) string {
	if includeOptedOut {
		return ""
	}
	return ` AND NOT coalesce(p.opted_out, false)`
}

// CountWhere counts the people matching whereSQL, a condition over people p with ?
// parameters args (as pkg/segment compiles, or CheckSegmentSQL returns). Opted-out
// people are left out, and counted apart, unless includeOptedOut. It runs in a
// transaction that is always rolled back.
func (s *Store) CountWhere(ctx context.Context, whereSQL string, args []any, includeOptedOut bool) (SegmentCount, error) {
	var c SegmentCount
	err := s.readOnly(ctx, func(conn *sql.Conn) error {
		var err error
		c, err = countWhere(ctx, conn, whereSQL, args, includeOptedOut)
		return err
	})
	return c, err
}

func countWhere(ctx context.Context, conn *sql.Conn, whereSQL string, args []any, includeOptedOut bool) (SegmentCount, error) {
	var c SegmentCount
	q := `SELECT count(*) FILTER (WHERE NOT coalesce(p.opted_out, false)), count(*) FILTER (WHERE coalesce(p.opted_out, false))
		FROM people p WHERE ` + whereSQL
	var ok, out int64
	if err := conn.QueryRowContext(ctx, q, args...).Scan(&ok, &out); err != nil {
		return c, fmt.Errorf("count segment: %w", err)
	}
	c.Matched = ok
	if includeOptedOut {
		c.Matched += out
	} else {
		c.OptedOut = out
	}
	return c, nil
}

// EachPersonWhere calls each for the people matching whereSQL (see CountWhere), by
// id, and returns the count with the opted-out left out. each must not use the store.
func (s *Store) EachPersonWhere(ctx context.Context, whereSQL string, args []any, includeOptedOut bool, each func(PersonView) error) (SegmentCount, error) {
	var c SegmentCount
	err := s.readOnly(ctx, func(conn *sql.Conn) error {
		var err error
		if c, err = countWhere(ctx, conn, whereSQL, args, includeOptedOut); err != nil {
			return err
		}
		rows, err := conn.QueryContext(ctx, `SELECT `+peopleCols+` FROM people p WHERE (`+whereSQL+`)`+optOutFilter(includeOptedOut)+` ORDER BY p.id`, args...)
		if err != nil {
			return fmt.Errorf("list segment: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPerson(rows)
			if err != nil {
				return err
			}
			if err := each(p); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return c, err
}

// readOnly runs f in a transaction that is always rolled back: whatever a segment's
// SQL could do is undone.
func (s *Store) readOnly(ctx context.Context, f func(conn *sql.Conn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK") // nothing to keep, whatever happened
	return f(conn)
}

// segmentSQLTables are the tables and views a SQL segment may read: padron's data
// about people, records, donations and imports.
var segmentSQLTables = []string{"attributions", "batches", "decisions", "links", "match_pairs", "people",
	"problems", "records", "suppressions", "transactions"}

// SQLRefusedError says why a SQL segment's query is refused.
type SQLRefusedError struct{ Reason string }

func (e *SQLRefusedError) Error() string { return "--sql refused: " + e.Reason }

func refuse(format string, args ...any) error {
	return &SQLRefusedError{Reason: fmt.Sprintf(format, args...)}
}

// Scalar functions that change state or reach outside the store.
var sqlDeniedFunctions = map[string]bool{"nextval": true, "currval": true, "setseed": true, "getenv": true}

var cteName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// CheckSegmentSQL checks a SQL segment's query and returns the condition over people
// p that selects the people it returns. The query must be exactly one SELECT (WITH
// and set operations allowed) that reads only segmentSQLTables (and its own WITH
// names), calls no table function, has no parameters, and returns a column named
// person_id or, failing that, id. It is checked on DuckDB's own parse tree
// (json_serialize_sql), not by searching for keywords, and what is run is the
// query regenerated from that tree, so comments and semicolons cannot end it early.
//
// As a last safeguard it switches off DuckDB's access to files outside the store
// (enable_external_access) for the rest of this Store's life: DuckDB cannot switch it
// back on, so open another Store to import files after evaluating a SQL segment.
func (s *Store) CheckSegmentSQL(ctx context.Context, query string) (string, error) {
	if strings.TrimSpace(query) == "" {
		return "", refuse("the query is empty")
	}
	if _, err := s.db.ExecContext(ctx, "SET enable_external_access = false"); err != nil {
		return "", fmt.Errorf("lock the store down for SQL: %w", err)
	}
	var tree string
	if err := s.db.QueryRowContext(ctx, `SELECT json_serialize_sql(CAST(? AS VARCHAR))::VARCHAR`, query).Scan(&tree); err != nil {
		return "", fmt.Errorf("parse --sql: %w", err)
	}
	var parsed struct {
		Error      bool              `json:"error"`
		Type       string            `json:"error_type"`
		Message    string            `json:"error_message"`
		Statements []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal([]byte(tree), &parsed); err != nil {
		return "", fmt.Errorf("parse --sql: %w", err)
	}
	switch {
	case parsed.Error && strings.Contains(parsed.Message, "Only SELECT"):
		return "", refuse("only one SELECT statement is accepted; a segment is read-only (no INSERT, UPDATE, DELETE, DROP, COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET, CALL, ...)")
	case parsed.Error:
		return "", refuse("it does not parse: %s", parsed.Message)
	case len(parsed.Statements) != 1:
		return "", refuse("exactly one SELECT statement is accepted, not %d", len(parsed.Statements))
	}
	if err := checkSQLTree(parsed.Statements[0]); err != nil {
		return "", err
	}
	var norm string
	if err := s.db.QueryRowContext(ctx, `SELECT json_deserialize_sql(CAST(? AS JSON))`, tree).Scan(&norm); err != nil {
		return "", fmt.Errorf("parse --sql: %w", err)
	}
	var col string
	err := s.readOnly(ctx, func(conn *sql.Conn) error {
		rows, err := conn.QueryContext(ctx, `SELECT * FROM (`+norm+"\n) AS segment_sql LIMIT 0")
		if err != nil {
			return refuse("%v", err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		for _, want := range []string{"person_id", "id"} {
			for _, c := range cols {
				if strings.EqualFold(c, want) && col == "" {
					col = c
				}
			}
		}
		if col == "" {
			return refuse("the query must return a column named person_id or id (it returns %s)", strings.Join(cols, ", "))
		}
		return rows.Err()
	})
	if err != nil {
		return "", err
	}
	return `p.id IN (SELECT CAST(segment_sql.` + quoteIdent(col) + ` AS BIGINT) FROM (` + norm + "\n) AS segment_sql)", nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// checkSQLTree walks one statement's parse tree: every table read must be one of
// padron's (or a WITH name of the query), and nothing may read files or state.
func checkSQLTree(stmt json.RawMessage) error {
	dec := json.NewDecoder(bytes.NewReader(stmt))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return fmt.Errorf("parse --sql: %w", err)
	}
	ctes := map[string]bool{}
	var collect func(v any) error
	collect = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			if m, ok := v["cte_map"].(map[string]any); ok {
				entries, _ := m["map"].([]any)
				for _, e := range entries {
					kv, _ := e.(map[string]any)
					name, _ := kv["key"].(string)
					if !cteName.MatchString(name) {
						return refuse("WITH name %q: use letters, digits and _ only", name)
					}
					ctes[strings.ToLower(name)] = true
				}
			}
			for _, x := range v {
				if err := collect(x); err != nil {
					return err
				}
			}
		case []any:
			for _, x := range v {
				if err := collect(x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := collect(root); err != nil {
		return err
	}
	allowed := map[string]bool{}
	for _, t := range segmentSQLTables {
		allowed[t] = true
	}
	var walk func(v any) error
	walk = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			typ, _ := v["type"].(string)
			class, _ := v["class"].(string)
			switch {
			case typ == "TABLE_FUNCTION":
				name := "?"
				if f, ok := v["function"].(map[string]any); ok {
					name, _ = f["function_name"].(string)
				}
				return refuse("table function %s is not allowed: a SQL segment reads only padron's tables (%s)",
					name, strings.Join(segmentSQLTables, ", "))
			case typ == "SHOW_REF" || typ == "COLUMN_DATA" || typ == "DELIM_GET" || typ == "BOUND_TABLE_REF":
				return refuse("%s is not allowed in a SQL segment", strings.ToLower(typ))
			case typ == "BASE_TABLE":
				if err := checkBaseTable(v, allowed, ctes); err != nil {
					return err
				}
			case class == "PARAMETER":
				return refuse("parameters ($1, ?) cannot be given to a segment: write the values in the query")
			case class == "FUNCTION":
				name, _ := v["function_name"].(string)
				if sqlDeniedFunctions[strings.ToLower(name)] {
					return refuse("function %s is not allowed in a SQL segment", name)
				}
			}
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys) // the same query is always refused for the same reason
			for _, k := range keys {
				if err := walk(v[k]); err != nil {
					return err
				}
			}
		case []any:
			for _, x := range v {
				if err := walk(x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(root)
}

func checkBaseTable(v map[string]any, allowed, ctes map[string]bool) error {
	name, _ := v["table_name"].(string)
	catalog, _ := v["catalog_name"].(string)
	schema, _ := v["schema_name"].(string)
	list := strings.Join(segmentSQLTables, ", ")
	if catalog != "" || (schema != "" && !strings.EqualFold(schema, "main")) {
		return refuse("table %s.%s: a SQL segment reads only padron's own tables (%s)", schema, name, list)
	}
	low := strings.ToLower(name)
	if allowed[low] || (schema == "" && ctes[low]) {
		return nil
	}
	return refuse("%q is not one of padron's tables: a SQL segment may read %s", name, list)
}
