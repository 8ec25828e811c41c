package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/big"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

// Batch is one imported file.
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
	Org        string
	Tags       []string
	Notes      string
	OptOut     *bool
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
// it visible at once; Rollback (or any error) leaves the store as it was.
type BatchWriter struct {
	ctx      context.Context
	conn     *sql.Conn
	recs     *duckdb.Appender
	probs    *duckdb.Appender
	batch    Batch
	tables   []BatchTable
	nextID   int64
	firstID  int64
	problems int
	done     bool
}

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
	w.nextID = w.firstID
	err = conn.Raw(func(dc any) error {
		var err error
		if w.recs, err = duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "records"); err != nil {
			return err
		}
		w.probs, err = duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "problems")
		return err
	})
	if err != nil {
		return fail(fmt.Errorf("prepare store writes: %w", err))
	}
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

func nullList(l []string) driver.Value {
	if len(l) == 0 {
		return nil
	}
	return l
}

func nullTime(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	return t
}

func nullBool(b *bool) driver.Value {
	if b == nil {
		return nil
	}
	return *b
}

func cents(c *int64) driver.Value {
	if c == nil {
		return nil
	}
	return duckdb.Decimal{Width: 18, Scale: 2, Value: big.NewInt(*c)}
}

// Append adds a record, giving it its id.
func (w *BatchWriter) Append(r *Record) error {
	r.ID = w.nextID
	w.nextID++
	raw := r.Raw
	if raw == nil {
		raw = []string{}
	}
	err := w.recs.AppendRow(r.ID, w.batch.ID, w.batch.File, r.Sheet, int32(r.RecordNo), int32(r.Pos), raw,
		nullStr(r.Source), nullStr(r.GivenName), nullStr(r.FamilyName), nullStr(r.FullName), nullStr(r.NameKey),
		nullList(r.Emails), nullList(r.Phones), nullStr(r.Street), nullStr(r.Postcode), nullStr(r.City),
		nullStr(r.Region), nullStr(r.Country), nullTime(r.BirthDate), nullStr(r.Org), nullList(r.Tags),
		nullStr(r.Notes), nullBool(r.OptOut), nullBool(r.Consent), nullStr(r.ExternalID), cents(r.Amount),
		nullStr(r.Currency), nullTime(r.Date), nullStr(r.IBAN), nullStr(r.Reference))
	if err != nil {
		return fmt.Errorf("store record %d: %w", r.RecordNo, err)
	}
	return nil
}

// Problem records a problem of this batch.
func (w *BatchWriter) Problem(p Problem) error {
	w.problems++
	var rid driver.Value
	if p.RecordID != 0 {
		rid = p.RecordID
	}
	var pos, rno driver.Value
	if p.Pos != 0 {
		pos = int32(p.Pos)
	}
	if p.RecordNo != 0 {
		rno = int32(p.RecordNo)
	}
	return w.probs.AppendRow(w.batch.ID, rid, w.batch.File, p.Sheet, pos, rno,
		nullStr(p.Column), nullStr(p.Field), nullStr(p.Value), p.Reason)
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
	if err := w.closeAppenders(); err != nil {
		return fail(fmt.Errorf("write records: %w", err))
	}
	b := &w.batch
	b.Records = int(w.nextID - w.firstID)
	b.Problems = w.problems
	if b.ImportedAt.IsZero() {
		b.ImportedAt = time.Now()
	}
	b.ImportedAt = b.ImportedAt.UTC().Truncate(time.Microsecond)
	_, err := w.conn.ExecContext(ctx, `INSERT INTO batches VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		b.ID, b.File, b.Path, b.SHA256, b.Size, b.Format, nullStr(b.Encoding), nullStr(b.Delimiter),
		nullStr(b.Mapping), nullStr(b.MappingHow), b.Records, b.Problems, b.ImportedAt, nullStr(b.Actor))
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
	if _, err := w.conn.ExecContext(ctx, `UPDATE counters SET value = ? WHERE name = 'record'`, w.nextID-1); err != nil {
		return fail(err)
	}
	if err := logEvent(ctx, w.conn, b.Actor, "import", b.ID, map[string]any{
		"file": b.File, "sha256": b.SHA256, "records": b.Records, "problems": b.Problems}); err != nil {
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

func (w *BatchWriter) closeAppenders() error {
	var errs []error
	if w.recs != nil {
		errs = append(errs, w.recs.Close())
		w.recs = nil
	}
	if w.probs != nil {
		errs = append(errs, w.probs.Close())
		w.probs = nil
	}
	return errors.Join(errs...)
}

// Rollback abandons the batch; nothing of it stays in the store.
func (w *BatchWriter) Rollback() {
	if w.done {
		return
	}
	w.done = true
	_ = w.closeAppenders()
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
