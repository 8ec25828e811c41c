// Package ingest imports source files into the store: it finds each table's header,
// decides the mapping, converts rows into records in parallel, and writes each file as
// one batch in one transaction, so a file is either wholly in the store or not at all.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/padron-org/padron/pkg/bank"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/money"
	"github.com/padron-org/padron/pkg/source"
	"github.com/padron-org/padron/pkg/store"
)

// Options tune an import.
type Options struct {
	Library        *mapping.Library
	Mapping        *mapping.Mapping // nil: detect per table
	Sheet          string           // only this sheet of a workbook
	DefaultCountry string           // region for national phone numbers
	Source         source.Options
	Actor          string
	// Strict refuses a file when inference had to guess a column below the confident
	// threshold, instead of importing it and reporting the guess.
	Strict bool
	// Exclude are the user's rules keeping credits out of the donations (compiled
	// with money.Compile).
	Exclude []money.Rule
	// Progress, when set, is called now and then with the rows read so far, and with -1
	// when all rows are read and the store is loading them.
	Progress func(file string, rows int)
}

// Table says how one table (sheet) of a file was read.
type Table struct {
	Sheet     string       `json:"sheet,omitempty"`
	HeaderRow int          `json:"header_row"` // 0: headerless
	Records   int          `json:"records"`
	Plan      mapping.Plan `json:"-"`
}

// Result is the outcome of importing one file.
type Result struct {
	Path    string
	Batch   *store.Batch // the new batch; nil when the file was not imported
	Already *store.Batch // the earlier batch of a file with the same content
	Tables  []Table
	// Money is what a statement or a list with amounts brought in; nil for neither.
	Money *MoneySummary
	Err   error // why the file could not be imported; nothing of it was stored
}

// File imports one file.
func File(ctx context.Context, st *store.Store, path string, opts Options) Result {
	res := Result{Path: path}
	b, tables, err := importFile(ctx, st, path, opts, &res)
	if err != nil {
		res.Err = err
		return res
	}
	res.Batch, res.Tables = b, tables
	return res
}

// already says whether a file with this content was imported before, and says so in
// res.
func already(ctx context.Context, st *store.Store, sum string, res *Result) (bool, error) {
	prev, err := st.FindBatchBySHA(ctx, sum)
	if err != nil || prev == nil {
		return false, err
	}
	res.Already = prev
	return true, nil
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func importFile(ctx context.Context, st *store.Store, path string, opts Options, res *Result) (*store.Batch, []Table, error) {
	// A bank statement would otherwise be read as a one-column CSV of tag lines.
	if f, ok := statementFormat(path); ok {
		if opts.Mapping != nil {
			return nil, nil, fmt.Errorf("a bank statement (%s) is read by its format: --mapping does not apply to it", f)
		}
		return importStatement(ctx, st, path, f, opts, res)
	}
	// The content hash and the format detection each read the whole file: do both at
	// once, then check whether this content was imported before.
	type hashed struct {
		sum  string
		size int64
		err  error
	}
	hc := make(chan hashed, 1)
	go func() {
		sum, size, err := fileSHA256(path)
		hc <- hashed{sum, size, err}
	}()
	src, err := source.Open(path, opts.Source)
	h := <-hc
	if h.err != nil {
		if src != nil {
			src.Close()
		}
		return nil, nil, h.err
	}
	if err != nil {
		return nil, nil, err
	}
	defer src.Close()
	sum, size := h.sum, h.size
	if done, err := already(ctx, st, sum, res); done || err != nil {
		return nil, nil, err
	}
	remembered, err := st.RememberedMappings(ctx)
	if err != nil {
		return nil, nil, err
	}
	info := src.Info()
	sheets := src.Tables()
	if opts.Sheet != "" {
		found := false
		for _, s := range sheets {
			if s == opts.Sheet {
				found = true
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("no sheet %q (sheets: %s)", opts.Sheet, strings.Join(sheets, ", "))
		}
		sheets = []string{opts.Sheet}
	}
	base := filepath.Base(path)
	batch := store.Batch{File: base, Path: path, SHA256: sum, Size: size, Format: info.Format,
		Encoding: info.Encoding, Actor: opts.Actor}
	if info.Delimiter != 0 {
		batch.Delimiter = string(info.Delimiter)
	}
	w, err := st.BeginBatch(ctx, batch)
	if err != nil {
		return nil, nil, err
	}
	ok := false
	defer func() {
		if !ok {
			w.Rollback()
		}
	}()
	imp := &fileImport{ctx: ctx, w: w, opts: opts, file: base, format: info.Format, label: strings.TrimSuffix(base, filepath.Ext(base)),
		remembered: remembered, rules: money.Rules{User: opts.Exclude}}
	var tables []Table
	var mappings []string
	hows := map[string]bool{}
	for _, sheet := range sheets {
		t, err := imp.table(src, sheet)
		if err != nil {
			// Limit and damaged-file errors already say the file and where.
			var le *source.LimitError
			var ue *source.UnsupportedError
			if sheet != "" && !errors.As(err, &le) && !errors.As(err, &ue) {
				return nil, nil, fmt.Errorf("sheet %q: %w", sheet, err)
			}
			return nil, nil, err
		}
		if t == nil {
			continue // an empty sheet
		}
		tables = append(tables, *t)
		if !contains(mappings, t.Plan.Name) {
			mappings = append(mappings, t.Plan.Name)
		}
		hows[t.Plan.How] = true
	}
	if len(tables) == 0 {
		return nil, nil, errors.New("has no rows: it is empty or holds only blank rows")
	}
	w.SetMapping(strings.Join(mappings, ", "), joinKeys(hows))
	if imp.export != nil {
		w.SetSkipped(imp.export.ms.Skipped)
	}
	if opts.Progress != nil {
		opts.Progress(base, -1) // the store's load follows: seconds per million rows
	}
	b, err := w.Commit()
	if err != nil {
		return nil, nil, err
	}
	ok = true
	res.Money = imp.money.summary()
	if imp.export != nil {
		res.Money = imp.export.ms
	}
	return &b, tables, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func joinKeys(m map[string]bool) string {
	var out []string
	for _, k := range []string{"given", "remembered", "detected by header", "inferred", "header names"} {
		if m[k] {
			out = append(out, k)
		}
	}
	return strings.Join(out, ", ")
}

// fileImport carries what the tables of one file share.
type fileImport struct {
	ctx      context.Context
	w        *store.BatchWriter
	opts     Options
	file     string
	format   string
	label    string
	recordNo int // 1-based across the whole file, in file order
	rows     int

	remembered map[string]store.RememberedMapping
	rules      money.Rules
	money      sheetMoney
	export     *exportState // a bank export's tables
}

const chunkRows = 2048

type chunk struct {
	rows  []source.Row
	first int // record_no of rows[0]
	// Converted and encoded by a worker: records and problems as JSON lines.
	recs, probs []byte
	count       int // records in the chunk
	nprobs      int
	// Rows with an amount are transactions too.
	txs   []byte
	money sheetMoney
	done  chan struct{}
}

func (fi *fileImport) known(h string) bool {
	if _, ok := mapping.SynonymField(h); ok {
		return true
	}
	return fi.opts.Library != nil && fi.opts.Library.KnowsHeader(h)
}

// table imports one table. It returns nil for a table without any non-blank row.
func (fi *fileImport) table(src source.File, sheet string) (*Table, error) {
	tbl, err := src.Open(sheet)
	if err != nil {
		return nil, err
	}
	defer tbl.Close()
	header, headerPos, data, err := readHeader(tbl, fi.known)
	if err != nil || header == nil {
		return nil, err
	}
	data, err = readSample(tbl, data)
	if err != nil {
		return nil, err
	}
	plan, err := fi.plan(header, data)
	if err != nil {
		return nil, err
	}
	fi.w.AddTable(store.BatchTable{Sheet: sheet, HeaderPos: headerPos, Columns: header, Mapping: plan.Name, Fields: plan.Fields()})
	conv := newConverter(fi.file, sheet, plan, fi.format == "csv", fi.opts.DefaultCountry, fi.label)
	var n int
	if plan.IsStatement() {
		account := ""
		if plan.Mapping != nil {
			account = plan.Mapping.Account
		}
		n, err = fi.exportRows(conv, data, tbl, account)
	} else {
		n, err = fi.pipeline(conv, data, tbl)
	}
	if err != nil {
		return nil, err
	}
	return &Table{Sheet: sheet, HeaderRow: headerPos, Records: n, Plan: plan}, nil
}

// readHeader reads a table's first rows and finds its header. It returns the header
// (column_N names when the table has none), the header's row (0: none), and the rows
// already read after it; a nil header means the table holds no non-blank row.
func readHeader(tbl source.Table, known func(string) bool) ([]string, int, []source.Row, error) {
	var head []source.Row
	for len(head) < source.HeaderScanRows {
		r, err := tbl.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, nil, err
		}
		head = append(head, r)
	}
	hi := source.FindHeader(head, known)
	var header []string
	var data []source.Row
	headerPos := 0
	if hi >= 0 {
		header = trimRight(head[hi].Values)
		headerPos = head[hi].Pos
		data = head[hi+1:]
	} else {
		width := 0
		for _, r := range head {
			if !source.IsBlank(r) {
				width = max(width, len(r.Values))
			}
		}
		if width == 0 {
			return nil, 0, nil, nil
		}
		for i := 0; i < width; i++ {
			header = append(header, fmt.Sprintf("column_%d", i+1))
		}
		data = head
	}
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			header[i] = fmt.Sprintf("column_%d", i+1)
		}
	}
	return header, headerPos, data, nil
}

// sampleRows is how many data rows inference looks at.
const sampleRows = 200

// sampleScanRows bounds the rows, blank ones included, that readSample holds: a sheet
// of 16 million repeated blank rows (a 1 KB .ods) once made it hold them all, 3 GB.
const sampleScanRows = 100_000

// readSample reads on until sampleRows non-blank data rows are in hand (or the table
// ends, or sampleScanRows rows were read), so inference sees more than the first
// screenful.
func readSample(tbl source.Table, data []source.Row) ([]source.Row, error) {
	n := 0
	for _, r := range data {
		if !source.IsBlank(r) {
			n++
		}
	}
	for n < sampleRows && len(data) < sampleScanRows {
		r, err := tbl.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		data = append(data, r)
		if !source.IsBlank(r) {
			n++
		}
	}
	return data, nil
}

func sampleValues(data []source.Row) [][]string {
	out := make([][]string, 0, len(data))
	for _, r := range data {
		if !source.IsBlank(r) {
			out = append(out, r.Values)
		}
	}
	return out
}

// plan decides a table's mapping: the one given, else one remembered for this exact
// header, else a library mapping matching the header, else inference. A mapping the user
// gives from a file is remembered for this header when the batch commits.
func (fi *fileImport) plan(header []string, data []source.Row) (mapping.Plan, error) {
	lib, given := fi.opts.Library, fi.opts.Mapping
	fp := mapping.Fingerprint(header)
	if given != nil {
		if given.Origin != "built-in" {
			if y, err := given.YAML(); err == nil {
				fi.w.Remember(store.RememberedMapping{Fingerprint: fp, Name: given.Name, YAML: string(y)})
			}
		}
		return lib.Plan(header, given), nil
	}
	if r, ok := fi.remembered[fp]; ok {
		m, err := mapping.Parse([]byte(r.YAML), "remembered mapping "+r.Name)
		if err != nil {
			return mapping.Plan{}, err
		}
		return lib.PlanWith(header, m, "remembered", nil), nil
	}
	plan := lib.PlanWith(header, nil, "", sampleValues(data))
	if doubt := plan.Doubtful(); fi.opts.Strict && len(doubt) > 0 {
		return plan, &DoubtfulError{Columns: doubt}
	}
	return plan, nil
}

// DoubtfulError refuses an import under --strict because some columns were guessed.
type DoubtfulError struct{ Columns []mapping.ColumnPlan }

func (e *DoubtfulError) Error() string {
	var b strings.Builder
	b.WriteString("--strict: some columns would be guessed below the confident threshold:")
	for _, c := range e.Columns {
		fmt.Fprintf(&b, "\n  %q -> %s (%.0f%%): %s", c.Header, c.Field, c.Confidence*100, c.Reason)
	}
	b.WriteString("\nwrite a mapping with 'padron mapping suggest FILE --out mapping.yaml', check it, then import with --mapping mapping.yaml")
	return b.String()
}

func trimRight(vs []string) []string {
	n := len(vs)
	for n > 0 && strings.TrimSpace(vs[n-1]) == "" {
		n--
	}
	return append([]string(nil), vs[:n]...)
}

// pipeline reads rows (first the ones already read, then the rest of tbl), converts
// them on every core and appends them in file order.
func (fi *fileImport) pipeline(conv *converter, pending []source.Row, tbl source.Table) (int, error) {
	ctx, cancel := context.WithCancel(fi.ctx)
	defer cancel()
	work := make(chan *chunk, runtime.GOMAXPROCS(0)*2)
	ordered := make(chan *chunk, runtime.GOMAXPROCS(0)*2)
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var it item
			batch, file := fi.w.ID(), fi.w.File()
			for c := range work {
				c.recs = make([]byte, 0, 512*len(c.rows))
				for k, r := range c.rows {
					it = item{probs: it.probs[:0]}
					conv.convert(r, c.first+k, &it)
					it.rec.ID = fi.w.RecordID(it.rec.RecordNo)
					c.recs = store.EncodeRecord(c.recs, batch, file, it.rec.ID, &it.rec)
					for i := range it.probs {
						it.probs[i].RecordID = it.rec.ID
						c.probs = store.EncodeProblem(c.probs, batch, file, &it.probs[i])
					}
					c.nprobs += len(it.probs)
					if it.rec.Amount != nil {
						c.txs = c.money.add(c.txs, batch, &it.rec, &fi.rules)
					}
				}
				c.rows = nil // let the rows go while the chunk waits for its turn
				close(c.done)
			}
		}()
	}
	var readErr error
	go func() {
		defer close(ordered)
		defer close(work)
		cur := &chunk{first: fi.recordNo + 1, done: make(chan struct{})}
		send := func() bool {
			select {
			case ordered <- cur:
			case <-ctx.Done():
				return false
			}
			work <- cur
			cur = &chunk{first: fi.recordNo + 1, done: make(chan struct{})}
			return true
		}
		add := func(r source.Row) bool {
			if source.IsBlank(r) {
				return true // blank lines separate nothing and hold nothing
			}
			fi.recordNo++
			cur.rows = append(cur.rows, r)
			cur.count++
			if len(cur.rows) == chunkRows {
				return send()
			}
			return true
		}
		for _, r := range pending {
			if !add(r) {
				return
			}
		}
		for {
			r, err := tbl.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				readErr = err
				cancel()
				return
			}
			if !add(r) {
				return
			}
		}
		if len(cur.rows) > 0 {
			send()
		}
	}()
	n := 0
	var writeErr error
	for c := range ordered {
		<-c.done
		if writeErr != nil {
			continue // drain
		}
		count := c.count
		if err := fi.w.WriteEncoded(c.recs, count, c.probs, c.nprobs); err != nil {
			writeErr = err
			cancel()
			continue
		}
		if err := fi.w.WriteTransactions(c.txs, c.money.n); err != nil {
			writeErr = err
			cancel()
			continue
		}
		fi.money.merge(&c.money)
		n += count
		fi.rows += count
		if fi.opts.Progress != nil {
			fi.opts.Progress(fi.file, fi.rows)
		}
	}
	wg.Wait()
	if readErr != nil {
		return n, readErr
	}
	if writeErr != nil {
		return n, writeErr
	}
	return n, ctx.Err()
}

// statementFormat detects a bank statement by its first bytes.
func statementFormat(path string) (bank.Format, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false // the readers report the error
	}
	defer f.Close()
	head := make([]byte, bank.DetectHead)
	n, _ := io.ReadFull(f, head)
	return bank.Detect(head[:n])
}
