package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A segment is a temporary file of JSON lines for one table, loaded into it with
// DuckDB's read_json inside the batch's transaction. Files beyond segmentBytes are cut
// into several segments; one is then written while the previous one loads.
// They sit next to the store (they hold the same personal data, owner-only) and are
// removed as soon as they are loaded, or on rollback.

// One segment per batch and table where possible: DuckDB's checkpoint after several
// loads into one table in one transaction took 2.3 s per million records (it rewrites
// the partial row groups each load leaves), more than the overlap of writing the next
// segment while loading the last one gained.
const segmentBytes = 4 << 30

// Column types as read_json must produce them; the names are the table's. The raw row
// stays JSON text: building a list per row cost DuckDB more than all the other columns.
const recordColumns = `{id:'BIGINT', batch_id:'BIGINT', source_file:'VARCHAR', sheet:'VARCHAR',
	record_no:'INTEGER', pos:'INTEGER', raw:'JSON', source:'VARCHAR', given_name:'VARCHAR',
	family_name:'VARCHAR', full_name:'VARCHAR', name_key:'VARCHAR', emails:'VARCHAR[]', phones:'VARCHAR[]',
	street:'VARCHAR', postcode:'VARCHAR', city:'VARCHAR', region:'VARCHAR', country:'VARCHAR',
	birth_date:'DATE', organization:'VARCHAR', tags:'VARCHAR[]', notes:'VARCHAR', opt_out:'BOOLEAN',
	consent:'BOOLEAN', external_id:'VARCHAR', amount:'DECIMAL(18,2)', currency:'VARCHAR', date:'DATE',
	iban:'VARCHAR', reference:'VARCHAR', opt_out_reason:'VARCHAR', opt_out_date:'DATE',
	national_id:'VARCHAR', occupation:'VARCHAR'}`

const problemColumns = `{batch_id:'BIGINT', record_id:'BIGINT', source_file:'VARCHAR', sheet:'VARCHAR',
	pos:'INTEGER', record_no:'INTEGER', column_name:'VARCHAR', field:'VARCHAR', value:'VARCHAR',
	reason:'VARCHAR'}`

type segmentKind struct{ table string }

var (
	recordSegments  = segmentKind{"records"}
	problemSegments = segmentKind{"problems"}
)

// loader writes segments and loads them in order on its own goroutine.
type loader struct {
	dir   string
	base  string
	kind  segmentKind
	file  *os.File
	buf   *bufio.Writer
	size  int
	long  int // longest line of the current segment
	n     int // segments started
	queue chan<- segment
}

// segment is a finished file waiting to be loaded.
type segment struct {
	table, path string
	longest     int // bytes of its longest line
}

func newLoader(dir, base string, kind segmentKind, queue chan<- segment) *loader {
	return &loader{dir: dir, base: base, kind: kind, queue: queue}
}

func (l *loader) write(p []byte) error {
	if l.file == nil {
		l.n++
		name := filepath.Join(l.dir, fmt.Sprintf("%s.%s-%d.jsonl", l.base, l.kind.table, l.n))
		f, err := os.OpenFile(name, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return fmt.Errorf("temporary file for the import: %w", err)
		}
		l.file, l.buf, l.size, l.long = f, bufio.NewWriterSize(f, 1<<20), 0, 0
	}
	for rest := p; len(rest) > 0; {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			i = len(rest)
		}
		l.long = max(l.long, i+1)
		rest = rest[min(i+1, len(rest)):]
	}
	if _, err := l.buf.Write(p); err != nil {
		return err
	}
	l.size += len(p)
	if l.size >= segmentBytes {
		return l.flush()
	}
	return nil
}

// flush closes the current segment and hands it to the loading goroutine.
func (l *loader) flush() error {
	if l.file == nil {
		return nil
	}
	err := l.buf.Flush()
	if cerr := l.file.Close(); err == nil {
		err = cerr
	}
	name := l.file.Name()
	l.file, l.buf = nil, nil
	if err != nil {
		os.Remove(name)
		return err
	}
	l.queue <- segment{table: l.kind.table, path: name, longest: l.long}
	return nil
}

// abandon removes an unfinished segment.
func (l *loader) abandon() {
	if l.file != nil {
		l.file.Close()
		os.Remove(l.file.Name())
		l.file = nil
	}
}

// runLoads loads queued segments one by one until the queue closes, then reports the
// first error (later segments are removed unloaded).
func runLoads(ctx context.Context, conn *sql.Conn, queue <-chan segment, done chan<- error) {
	var first error
	for seg := range queue {
		if first == nil {
			first = loadSegment(ctx, conn, seg)
		}
		os.Remove(seg.path)
	}
	done <- first
}

func loadSegment(ctx context.Context, conn *sql.Conn, seg segment) error {
	cols := recordColumns
	switch seg.table {
	case "problems":
		cols = problemColumns
	case "transactions":
		cols = transactionColumns
	}
	// read_json allocates buffers of twice maximum_object_size per thread: size it to the
	// segment's longest line, not to the largest row padron could ever write.
	maxObject := max(1<<20, seg.longest+1024)
	q := fmt.Sprintf(`INSERT INTO %s BY NAME SELECT * FROM read_json(%s, format='newline_delimited',
		records=true, maximum_object_size=%d, columns=%s)`, seg.table, quoteLiteral(seg.path), maxObject, cols)
	if _, err := conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("write %s: %w", seg.table, err)
	}
	return nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// removeStaleSegments deletes segments a killed import left behind. Only the process
// holding the store's lock calls it, so none of them can be in use.
func removeStaleSegments(dir, base string) {
	for _, kind := range []string{"records", "problems", "transactions"} {
		names, _ := filepath.Glob(filepath.Join(dir, base+"."+kind+"-*.jsonl"))
		for _, n := range names {
			os.Remove(n)
		}
	}
}
