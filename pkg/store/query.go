package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

func logEvent(ctx context.Context, q execQuerier, actor, kind string, batch int64, detail any) error {
	id, err := nextCounter(ctx, q, "event", 1)
	if err != nil {
		return err
	}
	js, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	var b any
	if batch != 0 {
		b = batch
	}
	_, err = q.ExecContext(ctx, `INSERT INTO events (id, logged_at, actor, kind, batch_id, detail) VALUES (?, ?, ?, ?, ?, ?)`,
		id, time.Now().UTC(), nullStr(actor), kind, b, string(js))
	return err
}

// Batches lists every batch, oldest first.
func (s *Store) Batches(ctx context.Context) ([]Batch, error) { return s.batches(ctx, "") }

// BatchByID returns one batch.
func (s *Store) BatchByID(ctx context.Context, id int64) (*Batch, error) {
	bs, err := s.batches(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, fmt.Errorf("no batch %d: see 'padron imports' for the list", id)
	}
	return &bs[0], nil
}

func (s *Store) batches(ctx context.Context, where string, args ...any) ([]Batch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, file, path, sha256, size, format, coalesce(encoding,''),
		coalesce(delimiter,''), coalesce(mapping,''), coalesce(mapping_how,''), records, problems, imported_at,
		coalesce(actor,''), coalesce(skipped, 0) FROM batches `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		var b Batch
		if err := rows.Scan(&b.ID, &b.File, &b.Path, &b.SHA256, &b.Size, &b.Format, &b.Encoding, &b.Delimiter,
			&b.Mapping, &b.MappingHow, &b.Records, &b.Problems, &b.ImportedAt, &b.Actor, &b.Skipped); err != nil {
			return nil, err
		}
		b.ImportedAt = b.ImportedAt.UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// UndoBatch removes a batch and everything derived only from it, in one transaction,
// and logs the undo.
func (s *Store) UndoBatch(ctx context.Context, id int64, actor string) (*Batch, error) {
	b, err := s.BatchByID(ctx, id)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// People who had records in the batch lose those links; their golden records are
	// recomputed from what remains, and people left with no record disappear.
	var people []int64
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT person_id FROM links WHERE record_id IN
		(SELECT id FROM records WHERE batch_id = ?) ORDER BY 1`, id)
	if err != nil {
		return nil, fmt.Errorf("undo batch %d: %w", id, err)
	}
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return nil, err
		}
		people = append(people, p)
	}
	rows.Close()
	// The log keeps which person each record left (the undo's event id is the next one).
	ev, err := currentCounter(ctx, tx, "event")
	if err != nil {
		return nil, fmt.Errorf("undo batch %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO log_changes SELECT ?, l.record_id, l.person_id, NULL, r.record_no
		FROM links l JOIN records r ON r.id = l.record_id WHERE r.batch_id = ?`, ev+1, id); err != nil {
		return nil, fmt.Errorf("undo batch %d: %w", id, err)
	}
	for _, q := range []string{
		`DELETE FROM links WHERE record_id IN (SELECT id FROM records WHERE batch_id = ?)`,
		`DELETE FROM match_pairs WHERE record_a IN (SELECT id FROM records WHERE batch_id = ?)
			OR record_b IN (SELECT id FROM records WHERE batch_id = ?)`,
		`DELETE FROM problems WHERE batch_id = ?`,
		`DELETE FROM attributions WHERE record_id IN (SELECT id FROM records WHERE batch_id = ?)`,
		`DELETE FROM transactions WHERE batch_id = ?`,
		`DELETE FROM records WHERE batch_id = ?`,
		`DELETE FROM batch_tables WHERE batch_id = ?`,
		`DELETE FROM batches WHERE id = ?`,
	} {
		args := []any{id}
		if strings.Count(q, "?") == 2 {
			args = append(args, id)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return nil, fmt.Errorf("undo batch %d: %w", id, err)
		}
	}
	if err := rebuildPeople(ctx, tx, people, s.golden); err != nil {
		return nil, fmt.Errorf("undo batch %d: %w", id, err)
	}
	if err := refreshOptOuts(ctx, tx); err != nil {
		return nil, fmt.Errorf("undo batch %d: %w", id, err)
	}
	if err := logEvent(ctx, tx, actor, "import.undo", id, map[string]any{
		"file": b.File, "path": b.Path, "sha256": b.SHA256, "records": b.Records, "people": people}); err != nil {
		return nil, err
	}
	return b, tx.Commit()
}

// Problems lists problems, of one batch when batch is not 0, in file order.
func (s *Store) Problems(ctx context.Context, batch int64, limit int) ([]Problem, error) {
	q := `SELECT batch_id, coalesce(record_id,0), source_file, sheet, coalesce(pos,0), coalesce(record_no,0),
		coalesce(column_name,''), coalesce(field,''), coalesce(value,''), reason FROM problems`
	var args []any
	if batch != 0 {
		q += ` WHERE batch_id = ?`
		args = append(args, batch)
	}
	q += ` ORDER BY batch_id, sheet, pos NULLS FIRST, column_name`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Problem
	for rows.Next() {
		var p Problem
		if err := rows.Scan(&p.BatchID, &p.RecordID, &p.File, &p.Sheet, &p.Pos, &p.RecordNo, &p.Column,
			&p.Field, &p.Value, &p.Reason); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Event is one entry of the change log.
type Event struct {
	ID     int64           `json:"id"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor,omitempty"`
	Kind   string          `json:"kind"`
	Batch  int64           `json:"batch,omitempty"`
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Events lists the change log, oldest first.
func (s *Store) Events(ctx context.Context) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, logged_at, coalesce(actor,''), kind, coalesce(batch_id,0),
		coalesce(CAST(detail AS VARCHAR),'') FROM events ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var d string
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Kind, &e.Batch, &d); err != nil {
			return nil, err
		}
		if d != "" {
			e.Detail = json.RawMessage(d)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SuppressedEmails counts the distinct addresses whose person opted out.
func (s *Store) SuppressedEmails(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(DISTINCT email) FROM suppressions`).Scan(&n)
	return n, err
}
