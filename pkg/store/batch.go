package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Batch is one imported file. Its JSON form is what 'padron imports --json' prints.
type Batch struct {
	ID         int64     `json:"id"`
	File       string    `json:"file"`
	Path       string    `json:"path"`
	SHA256     string    `json:"sha256"`
	Size       int64     `json:"size"`
	Format     string    `json:"format"`
	Encoding   string    `json:"encoding,omitempty"`
	Delimiter  string    `json:"delimiter,omitempty"`
	Mapping    string    `json:"mapping,omitempty"`
	MappingHow string    `json:"mapping_how,omitempty"`
	Records    int       `json:"records"`
	Problems   int       `json:"problems"`
	ImportedAt time.Time `json:"imported_at"`
	Actor      string    `json:"actor,omitempty"`
	// Skipped counts a statement's transactions already stored from an overlapping
	// statement, and so not stored again.
	Skipped int `json:"skipped,omitempty"`
}

// BatchTable is one sheet of a batch and how its columns were mapped.
type BatchTable struct {
	Sheet     string
	HeaderPos int // 0 when headerless
	Columns   []string
	Mapping   string
	Fields    []string // canonical field per column, "" if unmapped
}

// Record is one imported row: provenance, the raw values and the normalised fields.
// Zero values are stored as NULL.
type Record struct {
	ID         int64
	Sheet      string
	RecordNo   int
	Pos        int
	Raw        []string
	Source     string
	GivenName  string
	FamilyName string
	FullName   string
	NameKey    string
	Emails     []string
	Phones     []string
	Street     string
	Postcode   string
	City       string
	Region     string
	Country    string
	BirthDate  time.Time
	NationalID string
	Org        string
	Occupation string
	Tags       []string
	Notes      string
	OptOut     *bool
	OptReason  string
	OptDate    time.Time
	Consent    *bool
	ExternalID string
	Amount     *int64 // cents
	Currency   string
	Date       time.Time
	IBAN       string
	Reference  string
}

// Problem is something wrong with a row or a value.
type Problem struct {
	BatchID  int64  `json:"batch"`
	RecordID int64  `json:"-"`
	File     string `json:"file"`
	Sheet    string `json:"sheet,omitempty"`
	Pos      int    `json:"row,omitempty"`
	RecordNo int    `json:"record_no,omitempty"`
	Column   string `json:"column,omitempty"`
	Field    string `json:"field,omitempty"`
	Value    string `json:"value,omitempty"`
	Reason   string `json:"reason"`
}

// BatchWriter writes one file's batch inside a single transaction: Commit makes all of
// it visible at once; Rollback (or any error) leaves the store as it was. Records and
// problems are handed over as JSON lines (EncodeRecord, EncodeProblem), which lets the
// caller encode them in parallel; Append and Problem encode one at a time.
type BatchWriter struct {
	ctx          context.Context
	conn         *sql.Conn
	batch        Batch
	tables       []BatchTable
	firstID      int64
	records      int
	problems     int
	recs         *loader
	probs        *loader
	txs          *loader // made on the first transaction
	segDir       string
	segBase      string
	transactions int
	queue        chan segment
	loaded       chan error
	buf          []byte
	remember     []RememberedMapping
	done         bool
	erased       *erasedFilter // people erased from the store, kept out (forget.go); nil for none
}

// RememberedMapping is a mapping kept for the header it was used with.
type RememberedMapping struct {
	Fingerprint, Name, YAML, File string
}

// RememberedMappings returns every remembered mapping by fingerprint.
func (s *Store) RememberedMappings(ctx context.Context) (map[string]RememberedMapping, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT fingerprint, name, yaml, coalesce(file, '') FROM mapping_memory`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]RememberedMapping{}
	for rows.Next() {
		var m RememberedMapping
		if err := rows.Scan(&m.Fingerprint, &m.Name, &m.YAML, &m.File); err != nil {
			return nil, err
		}
		out[m.Fingerprint] = m
	}
	return out, rows.Err()
}

// Remember keeps a mapping for a header fingerprint when the batch commits.
func (w *BatchWriter) Remember(m RememberedMapping) { w.remember = append(w.remember, m) }

// FindBatchBySHA returns the batch that imported a file with this content, if any.
func (s *Store) FindBatchBySHA(ctx context.Context, sha string) (*Batch, error) {
	bs, err := s.batches(ctx, `WHERE sha256 = ?`, sha)
	if err != nil || len(bs) == 0 {
		return nil, err
	}
	return &bs[0], nil
}

// BeginBatch starts writing a batch. The caller must Commit or Rollback.
func (s *Store) BeginBatch(ctx context.Context, b Batch) (*BatchWriter, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w := &BatchWriter{ctx: ctx, conn: conn, batch: b}
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		conn.Close()
		return nil, err
	}
	fail := func(err error) (*BatchWriter, error) {
		w.Rollback()
		return nil, err
	}
	if w.batch.ID, err = nextCounter(ctx, conn, "batch", 1); err != nil {
		return fail(err)
	}
	if w.firstID, err = currentCounter(ctx, conn, "record"); err != nil {
		return fail(err)
	}
	w.firstID++
	if w.erased, err = loadErased(ctx, conn); err != nil {
		return fail(fmt.Errorf("erased people: %w", err))
	}
	dir, base := os.TempDir(), fmt.Sprintf("padron-%d", os.Getpid())
	if s.path != "" {
		dir, base = filepath.Dir(s.path), filepath.Base(s.path)
		removeStaleSegments(dir, base)
	}
	w.queue, w.loaded = make(chan segment, 1), make(chan error, 1)
	w.segDir, w.segBase = dir, base
	w.recs = newLoader(dir, base, recordSegments, w.queue)
	w.probs = newLoader(dir, base, problemSegments, w.queue)
	go runLoads(ctx, conn, w.queue, w.loaded)
	return w, nil
}

// ID is the batch id being written.
func (w *BatchWriter) ID() int64 { return w.batch.ID }

// SetMapping records which mapping(s) the batch used and how they were chosen.
func (w *BatchWriter) SetMapping(name, how string) { w.batch.Mapping, w.batch.MappingHow = name, how }

// AddTable records a sheet's header and mapping.
func (w *BatchWriter) AddTable(t BatchTable) { w.tables = append(w.tables, t) }

func nullStr(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}

// RecordID is the id the record with this record_no gets: ids follow file order.
func (w *BatchWriter) RecordID(recordNo int) int64 { return w.firstID + int64(recordNo) - 1 }

// File is the batch's file name as stored on every record.
func (w *BatchWriter) File() string { return w.batch.File }

// WriteEncoded takes records and problems already encoded with EncodeRecord and
// EncodeProblem, n records and np problems.
func (w *BatchWriter) WriteEncoded(records []byte, n int, problems []byte, np int) error {
	if w.erased != nil {
		records, n, problems, np = w.erased.filter(w, records, n, problems, np)
	}
	if len(records) > 0 {
		if err := w.recs.write(records); err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		if err := w.probs.write(problems); err != nil {
			return err
		}
	}
	w.records += n
	w.problems += np
	return nil
}

// Append adds one record; r.RecordNo must follow the file's order.
func (w *BatchWriter) Append(r *Record) error {
	r.ID = w.RecordID(r.RecordNo)
	w.buf = EncodeRecord(w.buf[:0], w.batch.ID, w.batch.File, r.ID, r)
	return w.WriteEncoded(w.buf, 1, nil, 0)
}

// Problem records one problem of this batch.
func (w *BatchWriter) Problem(p Problem) error {
	w.buf = EncodeProblem(w.buf[:0], w.batch.ID, w.batch.File, &p)
	return w.WriteEncoded(nil, 0, w.buf, 1)
}

// finishLoads flushes the last segments and waits for every load.
func (w *BatchWriter) finishLoads() error {
	if w.queue == nil {
		return nil
	}
	err := w.recs.flush()
	if err == nil {
		err = w.probs.flush()
	}
	if err == nil && w.txs != nil {
		err = w.txs.flush()
	}
	w.recs.abandon()
	w.probs.abandon()
	if w.txs != nil {
		w.txs.abandon()
	}
	close(w.queue)
	w.queue = nil
	if lerr := <-w.loaded; err == nil {
		err = lerr
	}
	return err
}

// Commit writes the batch row and makes everything visible.
func (w *BatchWriter) Commit() (Batch, error) {
	if w.done {
		return Batch{}, errors.New("batch already finished")
	}
	ctx := w.ctx
	fail := func(err error) (Batch, error) {
		w.Rollback()
		return Batch{}, err
	}
	if err := w.finishLoads(); err != nil {
		return fail(err)
	}
	if err := w.erased.commit(ctx, w); err != nil {
		return fail(err)
	}
	var n int
	if err := w.conn.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE batch_id = ?`, w.batch.ID).Scan(&n); err != nil {
		return fail(err)
	}
	if n != w.records {
		return fail(fmt.Errorf("write records: %d of %d stored", n, w.records))
	}
	if err := w.conn.QueryRowContext(ctx, `SELECT count(*) FROM transactions WHERE batch_id = ?`, w.batch.ID).Scan(&n); err != nil {
		return fail(err)
	}
	if n != w.transactions {
		return fail(fmt.Errorf("write transactions: %d of %d stored", n, w.transactions))
	}
	b := &w.batch
	b.Records = w.records
	b.Problems = w.problems
	if b.ImportedAt.IsZero() {
		b.ImportedAt = time.Now()
	}
	b.ImportedAt = b.ImportedAt.UTC().Truncate(time.Microsecond)
	_, err := w.conn.ExecContext(ctx, `INSERT INTO batches VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		b.ID, b.File, b.Path, b.SHA256, b.Size, b.Format, nullStr(b.Encoding), nullStr(b.Delimiter),
		nullStr(b.Mapping), nullStr(b.MappingHow), b.Records, b.Problems, b.ImportedAt, nullStr(b.Actor), b.Skipped)
	if err != nil {
		return fail(fmt.Errorf("record batch: %w", err))
	}
	for _, t := range w.tables {
		var hp driver.Value
		if t.HeaderPos > 0 {
			hp = t.HeaderPos
		}
		if _, err := w.conn.ExecContext(ctx, `INSERT INTO batch_tables VALUES (?,?,?,?,?,?)`,
			b.ID, t.Sheet, hp, orEmpty(t.Columns), nullStr(t.Mapping), orEmpty(t.Fields)); err != nil {
			return fail(fmt.Errorf("record sheet %q: %w", t.Sheet, err))
		}
	}
	// Record ids follow record numbers, which have gaps where a statement's entries were
	// already stored: the counter moves past the highest id used, not by the count.
	last := w.firstID + int64(w.records) - 1
	var maxID sql.NullInt64
	if err := w.conn.QueryRowContext(ctx, `SELECT max(id) FROM records WHERE batch_id = ?`, w.batch.ID).Scan(&maxID); err != nil {
		return fail(err)
	}
	if maxID.Valid && maxID.Int64 > last {
		last = maxID.Int64
	}
	if _, err := w.conn.ExecContext(ctx, `UPDATE counters SET value = ? WHERE name = 'record'`, last); err != nil {
		return fail(err)
	}
	for _, m := range w.remember {
		if _, err := w.conn.ExecContext(ctx, `INSERT OR REPLACE INTO mapping_memory VALUES (?, ?, ?, ?, ?)`,
			m.Fingerprint, m.Name, m.YAML, b.File, b.ImportedAt); err != nil {
			return fail(fmt.Errorf("remember mapping %s: %w", m.Name, err))
		}
	}
	if err := logEvent(ctx, w.conn, b.Actor, "import", b.ID, map[string]any{
		"file": b.File, "sha256": b.SHA256, "records": b.Records, "problems": b.Problems, "skipped": b.Skipped}); err != nil {
		return fail(err)
	}
	if _, err := w.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return fail(fmt.Errorf("commit batch: %w", err))
	}
	w.done = true
	w.conn.Close()
	return *b, nil
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// Rollback abandons the batch; nothing of it stays in the store.
func (w *BatchWriter) Rollback() {
	if w.done {
		return
	}
	w.done = true
	_ = w.finishLoads()
	_, _ = w.conn.ExecContext(context.Background(), "ROLLBACK")
	w.conn.Close()
}

type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func currentCounter(ctx context.Context, q execQuerier, name string) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT value FROM counters WHERE name = ?`, name).Scan(&v)
	return v, err
}

func nextCounter(ctx context.Context, q execQuerier, name string, n int64) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `UPDATE counters SET value = value + ? WHERE name = ? RETURNING value`, n, name).Scan(&v)
	return v, err
}
