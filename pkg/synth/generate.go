package synth

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
)

// Config says what to generate. Zero values mean defaults.
type Config struct {
	// People is the number of distinct real persons (ground-truth identities); >= 1.
	People int
	// Seed selects the data set: the same Config always gives byte-identical files.
	Seed uint64
	// DupRate is the mean number of extra records per person (copies of someone,
	// in the same or another file), so Records ≈ People × (1 + DupRate). 0 means the
	// default 0.3 (1,000,000 people → about 1.3M records); negative means no copies.
	DupRate float64
	// Formats selects the files to write; nil or empty means all of AllFormats().
	Formats []Format
	// MaxXLSXRows caps the expected size of contacts.xlsx: above it, fewer records
	// are routed to the spreadsheet (they go to the other files), so big runs stay
	// fast and the XLSX stays a size spreadsheets really have. 0 means 50,000;
	// negative means no cap.
	MaxXLSXRows int
	// Problems is the fraction of records given one deliberately bad value (invalid
	// email, impossible date, ragged row, bad phone, bad amount). 0 means none.
	Problems float64
}

// DefaultDupRate is the DupRate used when Config.DupRate is 0.
const DefaultDupRate = 0.3

// DefaultMaxXLSXRows is the MaxXLSXRows used when Config.MaxXLSXRows is 0.
const DefaultMaxXLSXRows = 50_000

// TruthFile is the name of the ground-truth file Generate writes.
const TruthFile = "truth.csv"

// Manifest describes what Generate wrote.
type Manifest struct {
	Seed    uint64
	People  int
	DupRate float64
	// Records is the number of data rows over all files; Duplicates = Records - People
	// (every person has at least one record).
	Records    int
	Duplicates int
	Files      []FileInfo
	Truth      string         // path of truth.csv
	Noise      map[string]int // how often each Noise* kind was applied
	Problems   map[string]int // how often each Problem* kind was written
}

// FileInfo describes one written source file.
type FileInfo struct {
	Path      string
	Format    Format
	Encoding  string // "UTF-8", "ISO-8859-1", "windows-1250"; "" for XLSX
	Delimiter rune   // 0 for XLSX
	BOM       bool   // file starts with a UTF-8 byte order mark
	HeaderRow int    // 1-based physical row of the header (3 in contacts.xlsx)
	Records   int    // data rows
}

type tuning struct {
	household float64 // share of person pairs that are a household
	common    float64 // share of people given a deliberately common full name
	noEmail   float64 // share of people without email
	noPhone   float64 // share of people without phone
}

var defaultTuning = tuning{household: 0.08, common: 0.015, noEmail: 0.08, noPhone: 0.05}

// Format routing weights by country of residence: which systems someone living there
// tends to be in. Contacts is scaled down for big runs (see Config.MaxXLSXRows).
var routeWeights = [numCountries][numFormats]float64{
	ctyES: {Volunteers: 0.34, EventSignups: 0.18, Donors: 0.03, Contacts: 0.13, Mailing: 0.32},
	ctyAR: {Volunteers: 0.10, EventSignups: 0.42, Donors: 0.01, Contacts: 0.12, Mailing: 0.35},
	ctyPL: {Volunteers: 0.04, EventSignups: 0.02, Donors: 0.50, Contacts: 0.12, Mailing: 0.32},
	ctyGB: {Volunteers: 0.08, EventSignups: 0.04, Donors: 0.06, Contacts: 0.40, Mailing: 0.42},
}

const maxCopies = 8

type gen struct {
	seed        uint64
	people      int
	lambda      float64
	problems    float64
	tab         *tables
	tune        tuning
	enabled     [numFormats]bool
	weights     [numCountries][numFormats]float64
	mailingOnly bool
	idWidth     int
	// forced places given problems at given records (used for the bundled samples).
	forced map[Format]map[int]int
	// sample mode tweaks a few conventions to keep the demo files readable.
	sample bool
	// mailboxes are the first owners of the addresses drawn (see claimMailboxes).
	mailboxes []mailboxOwner
}

func newGen(cfg Config) (*gen, error) {
	if cfg.People < 1 {
		return nil, fmt.Errorf("synth: People must be at least 1, got %d", cfg.People)
	}
	if cfg.People > 1<<31 {
		return nil, fmt.Errorf("synth: People %d is too large", cfg.People)
	}
	t, err := data()
	if err != nil {
		return nil, err
	}
	g := &gen{seed: cfg.Seed, people: cfg.People, tab: t, tune: defaultTuning}
	switch {
	case cfg.DupRate == 0:
		g.lambda = DefaultDupRate
	case cfg.DupRate > 0:
		g.lambda = cfg.DupRate
	}
	if g.lambda > 3 {
		return nil, fmt.Errorf("synth: DupRate %.2f is above 3", cfg.DupRate)
	}
	g.problems = min(max(cfg.Problems, 0), 1)
	fs := cfg.Formats
	if len(fs) == 0 {
		fs = AllFormats()
	}
	for _, f := range fs {
		if f < 0 || f >= numFormats {
			return nil, fmt.Errorf("synth: unknown format %d", f)
		}
		g.enabled[f] = true
	}
	g.mailingOnly = len(fs) > 0
	for _, f := range fs {
		if f != Mailing {
			g.mailingOnly = false
		}
	}
	g.idWidth = max(7, len(strconv.Itoa(cfg.People)))

	for c := range numCountries {
		for f := range numFormats {
			if g.enabled[f] {
				g.weights[c][f] = routeWeights[c][f]
			}
		}
	}
	maxX := cfg.MaxXLSXRows
	if maxX == 0 {
		maxX = DefaultMaxXLSXRows
	}
	if g.enabled[Contacts] && maxX > 0 {
		if s := g.contactsScale(float64(maxX)); s < 1 {
			for c := range numCountries {
				g.weights[c][Contacts] *= s
			}
		}
	}
	return g, nil
}

// contactsScale finds the factor for the Contacts weights that brings the expected
// number of contacts.xlsx rows down to maxRows (1 when no scaling is needed). The share
// of records routed to Contacts is measured on the plans of a spread-out sample of
// people, which accounts for copies preferring other files.
func (g *gen) contactsScale(maxRows float64) float64 {
	n := min(g.people, 20_000)
	step := g.people / n
	r := newRNG()
	records := float64(g.people) * (1 + g.lambda)
	rows := func(s float64) float64 {
		w := g.weights
		for c := range numCountries {
			w[c][Contacts] *= s
		}
		var all, hit int
		for i := range n {
			// Odd and even indices alike: second household members route differently.
			pl := g.planWith(r, g.skeleton(min(i*step+i%2, g.people-1)), &w)
			for c := 0; c < pl.n; c++ {
				if pl.src[c] == Contacts {
					hit++
				}
			}
			all += pl.n
		}
		return records * float64(hit) / float64(all)
	}
	if rows(1) <= maxRows {
		return 1
	}
	lo, hi := 0.0, 1.0
	for range 30 {
		mid := (lo + hi) / 2
		if rows(mid) > maxRows {
			hi = mid
		} else {
			lo = mid
		}
	}
	return lo
}

type plan struct {
	n   int
	src [maxCopies]Format
}

// plan decides how many records person sk has and which file each goes to.
func (g *gen) plan(r *rng, sk skeleton) plan { return g.planWith(r, sk, &g.weights) }

func (g *gen) planWith(r *rng, sk skeleton, weights *[numCountries][numFormats]float64) plan {
	r.reset(g.seed, keyPlan, uint64(sk.idx))
	var p plan
	p.n = min(1+r.poisson(g.lambda), maxCopies)
	w := weights[sk.cty]
	if !sk.hasEmail || (sk.shareEmail && sk.isSecond()) {
		// A mailing tool keys on the address: no one without one, and a shared
		// household address is subscribed once.
		w[Mailing] = 0
	}
	var any bool
	for _, x := range w {
		any = any || x > 0
	}
	if !any { // every enabled format is excluded for this person: use them evenly
		for f := range numFormats {
			if g.enabled[f] && (f != Mailing || sk.hasEmail) {
				w[f] = 1
			}
		}
	}
	for c := 0; c < p.n; c++ {
		f := Format(r.weighted(w[:]))
		p.src[c] = f
		w[f] *= 0.4 // a copy is more often in another system than in the same one
	}
	return p
}

// worker holds the per-goroutine scratch state; one per file being written.
type worker struct {
	g        *gen
	pr       *rng // person
	rr       *rng // record
	plr      *rng // plan
	row      []string
	cells    []any
	noise    [numNoise]int
	problems [numProblems]int
}

func (g *gen) newWorker() *worker {
	return &worker{g: g, pr: newRNG(), rr: newRNG(), plr: newRNG()}
}

type fileResult struct {
	info     FileInfo
	noise    [numNoise]int
	problems [numProblems]int
	truth    string // temp file with this file's truth rows
}

// Generate writes the enabled source files and truth.csv into dir (created if needed)
// and describes them. Memory stays flat: people are rebuilt from (seed, index) when
// their records are written, files are written concurrently, each in a shuffled order.
func Generate(cfg Config, dir string) (*Manifest, error) {
	g, err := newGen(cfg)
	if err != nil {
		return nil, err
	}
	return g.run(dir)
}

func (g *gen) run(dir string) (*Manifest, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	if g.mailboxes == nil {
		g.claimMailboxes()
	}
	var fs []Format
	for _, f := range AllFormats() {
		if g.enabled[f] {
			fs = append(fs, f)
		}
	}
	results := make([]fileResult, len(fs))
	errs := make([]error, len(fs))
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	var wg sync.WaitGroup
	for k, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[k], errs[k] = g.newWorker().writeFile(f, dir)
		}()
	}
	wg.Wait()
	defer func() {
		for _, r := range results {
			if r.truth != "" {
				os.Remove(r.truth)
			}
		}
	}()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	m := &Manifest{Seed: g.seed, People: g.people, DupRate: g.lambda, Truth: filepath.Join(dir, TruthFile),
		Noise: map[string]int{}, Problems: map[string]int{}}
	if err := writeTruth(m.Truth, results); err != nil {
		return nil, err
	}
	for _, r := range results {
		m.Files = append(m.Files, r.info)
		m.Records += r.info.Records
		for k, n := range r.noise {
			if n > 0 {
				m.Noise[noiseNames[k]] += n
			}
		}
		for k, n := range r.problems {
			if n > 0 {
				m.Problems[problemNames[k]] += n
			}
		}
	}
	m.Duplicates = m.Records - m.People
	return m, nil
}

func writeTruth(path string, results []fileResult) error {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	bw.WriteString("source_file,record_no,person_id\n")
	for _, r := range results {
		in, err := os.Open(r.truth)
		if err != nil {
			out.Close()
			return fmt.Errorf("synth: %w", err)
		}
		_, err = io.Copy(bw, in)
		in.Close()
		if err != nil {
			out.Close()
			return fmt.Errorf("synth: writing truth: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		out.Close()
		return fmt.Errorf("synth: writing truth: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("synth: writing truth: %w", err)
	}
	return nil
}

// recordSink is where one file's rows go: a CSV writer or an XLSX stream.
type recordSink interface {
	writeRow(w *worker) error
	close() error
}

type csvSink struct {
	f *os.File
	c *csvWriter
}

func (s *csvSink) writeRow(w *worker) error { return s.c.row(w.row) }
func (s *csvSink) close() error {
	err := s.c.flush()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func openCSV(path string, sp *formatSpec) (*csvSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	c := newCSVWriter(f, sp.delim, sp.crlf, sp.cm)
	if sp.bom {
		c.w.WriteString("\uFEFF")
	}
	if err := c.row(sp.header); err != nil {
		f.Close()
		return nil, err
	}
	return &csvSink{f: f, c: c}, nil
}

func (w *worker) writeFile(f Format, dir string) (res fileResult, err error) {
	g := w.g
	sp := &specs[f]
	path := filepath.Join(dir, sp.file)
	res.info = FileInfo{Path: path, Format: f, Encoding: sp.encoding, Delimiter: rune(sp.delim), BOM: sp.bom, HeaderRow: 1}
	var sink recordSink
	if f == Contacts {
		res.info.HeaderRow = contactsHeaderRow
		sink, err = openContacts(path)
	} else {
		sink, err = openCSV(path, sp)
	}
	if err != nil {
		return res, fmt.Errorf("synth: %s: %w", sp.file, err)
	}
	tf, err := os.CreateTemp(dir, ".truth-*.part")
	if err != nil {
		sink.close()
		return res, fmt.Errorf("synth: %w", err)
	}
	res.truth = tf.Name()
	tw := bufio.NewWriterSize(tf, 128<<10)
	tb := make([]byte, 0, 64)

	recNo := 0
	emit := func(p *person, copyNo, occ int) error {
		recNo++
		w.render(f, p, copyNo, occ, recNo)
		if err := sink.writeRow(w); err != nil {
			return err
		}
		tb = tb[:0]
		tb = append(tb, sp.file...)
		tb = append(tb, ',')
		tb = strconv.AppendInt(tb, int64(recNo), 10)
		tb = append(tb, ',')
		tb = g.appendID(tb, p.sk.idx)
		tb = append(tb, '\n')
		_, err := tw.Write(tb)
		return err
	}

	// Pass k writes each person's k-th record in this file, each pass in its own
	// shuffled order: copies of one person are not adjacent and files do not share an
	// order. Another pass is needed only while someone has more records left.
	for pass := 0; ; pass++ {
		more := false
		pm := newPerm(g.people, g.seed, keyPerm^uint64(f)<<8^uint64(pass))
		for j := range pm.size() {
			i := pm.at(j)
			if i >= uint64(g.people) {
				continue
			}
			pl := g.plan(w.plr, g.skeleton(int(i)))
			occ := 0
			for c := 0; c < pl.n; c++ {
				if pl.src[c] != f {
					continue
				}
				if occ == pass {
					p := g.build(w, int(i))
					if err = emit(&p, c, occ); err != nil {
						sink.close()
						tf.Close()
						return res, fmt.Errorf("synth: %s: %w", sp.file, err)
					}
				}
				occ++
			}
			more = more || occ > pass+1
		}
		if !more {
			break
		}
	}
	res.info.Records = recNo
	res.noise, res.problems = w.noise, w.problems
	if err = sink.close(); err != nil {
		tf.Close()
		return res, fmt.Errorf("synth: %s: %w", sp.file, err)
	}
	if err = tw.Flush(); err != nil {
		tf.Close()
		return res, fmt.Errorf("synth: truth: %w", err)
	}
	if err = tf.Close(); err != nil {
		return res, fmt.Errorf("synth: truth: %w", err)
	}
	return res, nil
}

// appendID writes the ground-truth person id, e.g. P0000042.
func (g *gen) appendID(b []byte, idx int) []byte {
	b = append(b, 'P')
	s := strconv.Itoa(idx + 1)
	for range g.idWidth - len(s) {
		b = append(b, '0')
	}
	return append(b, s...)
}

// PersonID is the ground-truth id Generate writes for the 0-based person index.
func PersonID(index, people int) string {
	g := gen{idWidth: max(7, len(strconv.Itoa(people)))}
	return string(g.appendID(nil, index))
}
