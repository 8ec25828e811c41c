package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// SavedSegment is a segment as stored.
type SavedSegment struct {
	Name      string    `json:"name"`
	Expr      string    `json:"expr"`
	CreatedAt time.Time `json:"created_at"`
	Actor     string    `json:"actor,omitempty"`
}

// ErrNoSegment is returned for a segment name that is not saved.
var ErrNoSegment = errors.New("no such segment")

// SaveSegment saves a segment, replacing one of the same name when replace is set;
// otherwise a name already in use is an error.
func (s *Store) SaveSegment(ctx context.Context, name, expr, actor string, replace bool) error {
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
		_, err := conn.ExecContext(ctx, `INSERT INTO segments VALUES (?, ?, now(), ?)`, name, expr, nullStr(actor))
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
	rows, err := s.db.QueryContext(ctx, `SELECT name, expr, created_at, coalesce(actor, '') FROM segments `+where+` ORDER BY name`, args...)
	if err != nil {
		return nil, fmt.Errorf("list segments: %w", err)
	}
	defer rows.Close()
	var out []SavedSegment
	for rows.Next() {
		var g SavedSegment
		if err := rows.Scan(&g.Name, &g.Expr, &g.CreatedAt, &g.Actor); err != nil {
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
// parameters args (as pkg/segment compiles). Opted-out people are left out, and
// counted apart, unless includeOptedOut.
func (s *Store) CountWhere(ctx context.Context, whereSQL string, args []any, includeOptedOut bool) (SegmentCount, error) {
	var c SegmentCount
	q := `SELECT count(*) FILTER (WHERE NOT coalesce(p.opted_out, false)), count(*) FILTER (WHERE coalesce(p.opted_out, false))
		FROM people p WHERE ` + whereSQL
	var ok, out int64
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&ok, &out); err != nil {
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
// id, and returns the count with the opted-out left out.
func (s *Store) EachPersonWhere(ctx context.Context, whereSQL string, args []any, includeOptedOut bool, each func(PersonView) error) (SegmentCount, error) {
	c, err := s.CountWhere(ctx, whereSQL, args, includeOptedOut)
	if err != nil {
		return c, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+peopleCols+` FROM people p WHERE (`+whereSQL+`)`+optOutFilter(includeOptedOut)+` ORDER BY p.id`, args...)
	if err != nil {
		return c, fmt.Errorf("list segment: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return c, err
		}
		if err := each(p); err != nil {
			return c, err
		}
	}
	return c, rows.Err()
}
