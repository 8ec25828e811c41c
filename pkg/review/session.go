package review

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/padron-org/padron/pkg/store"
)

// Defaults of Options.
const (
	DefaultPageSize  = 100
	DefaultLookahead = 3
)

// Options tune a session.
type Options struct {
	PageSize  int // pairs read from the queue at a time
	Lookahead int // items loaded ahead of the one shown
	Limit     int // stop after this many items; 0: the whole queue
}

// Progress is where a session stands.
type Progress struct {
	Position int // the item shown, from 1 (0 before the first)
	Total    int // items the session expects to show, the shown ones included
	Decided  int // decisions in force (undone ones not counted)
	Skipped  int
	Unsaved  int // decisions and undos not written yet
}

// slot is one queue item on its way to the screen.
type slot struct {
	item    store.ReviewItem
	started bool
	done    chan struct{} // closed when pair or err is set
	pair    *Pair
	err     error
}

// decision is one answer of the steward, as the undo stack keeps it.
type decision struct {
	slot  *slot
	kind  string
	done  chan struct{} // closed once written (or failed)
	entry int64         // its log entry; 0 when nothing was written
}

// op is one write, in the order the steward made them.
type op struct {
	d      *decision
	revert bool
}

// Session is one steward's walk through the queue. Its methods are for one goroutine
// (the terminal's); the fetching, loading and writing it starts run behind it.
type Session struct {
	ctx    context.Context
	cancel context.CancelFunc
	src    Source
	opt    Options
	bg     sync.WaitGroup // fetches and loads

	mu        sync.Mutex
	cond      *sync.Cond
	cur       *slot
	upcoming  []*slot
	known     map[[2]int64]bool // every pair the session has taken from the queue
	shown     int
	skipped   int
	undo      []*decision
	fetching  bool
	exhausted bool
	fetchErr  error
	total     int // pending at the last fetch, plus the decisions written before it
	written   int // decisions written, less those reverted
	unsaved   int
	notes     []string
	writeErrs []error

	ops    []op       // writes waiting for the writer, oldest first
	opsIn  *sync.Cond // signalled when ops grows or the session closes
	closed bool
	writer chan struct{} // closed when the writer has stopped
}

// NewSession starts reading the queue at once; Close ends it.
func NewSession(ctx context.Context, src Source, opt Options) *Session {
	if opt.PageSize <= 0 {
		opt.PageSize = DefaultPageSize
	}
	if opt.Lookahead <= 0 {
		opt.Lookahead = DefaultLookahead
	}
	if opt.Limit > 0 && opt.PageSize > opt.Limit {
		opt.PageSize = opt.Limit
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Session{ctx: ctx, cancel: cancel, src: src, opt: opt, known: map[[2]int64]bool{}, writer: make(chan struct{})}
	s.cond, s.opsIn = sync.NewCond(&s.mu), sync.NewCond(&s.mu)
	go s.write()
	s.mu.Lock()
	s.fill()
	s.mu.Unlock()
	return s
}

// Current returns the item to show, waiting for it if it is not loaded yet; nil when
// the queue (or the limit) is done.
func (s *Session) Current() (*Pair, error) {
	s.mu.Lock()
	for s.cur == nil {
		if s.opt.Limit > 0 && s.shown >= s.opt.Limit {
			s.mu.Unlock()
			return nil, nil
		}
		if len(s.upcoming) > 0 {
			s.cur = s.upcoming[0]
			s.upcoming = s.upcoming[1:]
			s.shown++
			s.fill()
			break
		}
		if err := s.fetchErr; err != nil {
			s.fetchErr = nil
			s.mu.Unlock()
			return nil, err
		}
		if s.exhausted && !s.fetching {
			s.mu.Unlock()
			return nil, nil
		}
		if err := s.ctx.Err(); err != nil && !s.fetching {
			s.mu.Unlock()
			return nil, err
		}
		s.fill()
		s.cond.Wait()
	}
	c := s.cur
	s.mu.Unlock()
	select {
	case <-c.done:
		return c.pair, c.err
	case <-s.ctx.Done():
		return nil, s.ctx.Err()
	}
}

// Decide answers the current item (store.Same or store.Different) and moves on. The
// decision is written in the background, in order; Close waits for it.
func (s *Session) Decide(kind string) error {
	if kind != store.Same && kind != store.Different {
		return fmt.Errorf("decision %q: want %s or %s", kind, store.Same, store.Different)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("the review session is closed")
	}
	if s.cur == nil {
		return errors.New("no item to decide")
	}
	d := &decision{slot: s.cur, kind: kind, done: make(chan struct{})}
	s.undo = append(s.undo, d)
	s.cur = nil
	s.queue(op{d: d})
	s.fill()
	return nil
}

// Skip leaves the current item in the queue and moves on.
func (s *Session) Skip() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		s.cur = nil
		s.skipped++
		s.fill()
	}
}

// Undo reverts the session's last decision and makes its item current again; false
// when there is none.
func (s *Session) Undo() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.undo) == 0 || s.closed {
		return false
	}
	d := s.undo[len(s.undo)-1]
	s.undo = s.undo[:len(s.undo)-1]
	if s.cur != nil {
		s.upcoming = append([]*slot{s.cur}, s.upcoming...)
		s.shown--
	}
	s.cur = d.slot
	s.queue(op{d: d, revert: true})
	return true
}

// Progress says where the session stands.
func (s *Session) Progress() Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := Progress{Position: s.shown, Decided: len(s.undo), Skipped: s.skipped, Unsaved: s.unsaved}
	if s.cur == nil && s.shown > 0 {
		p.Position = s.shown // between items: the last one shown
	}
	p.Total = max(s.total, s.shown+len(s.upcoming))
	if s.exhausted && !s.fetching {
		p.Total = s.shown + len(s.upcoming)
	}
	if s.opt.Limit > 0 {
		p.Total = min(p.Total, s.opt.Limit)
	}
	return p
}

// Notes returns, once, what the writer has to say since the last call: decisions
// that needed no writing and writes that failed.
func (s *Session) Notes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.notes
	s.notes = nil
	return n
}

// Close waits for every decision to be written, stops what runs ahead, and returns
// the writes that failed. It may be called from another goroutine (a signal's), and
// more than once.
func (s *Session) Close() error {
	s.mu.Lock()
	s.closed = true
	s.opsIn.Signal()
	s.mu.Unlock()
	<-s.writer
	s.cancel()
	s.bg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.writeErrs...)
}

// fill starts loading the items about to be shown and fetching the next page when
// the upcoming ones run low. Called with mu held.
func (s *Session) fill() {
	if s.cur != nil {
		s.load(s.cur)
	}
	for i := 0; i < len(s.upcoming) && i < s.opt.Lookahead; i++ {
		s.load(s.upcoming[i])
	}
	if s.fetching || s.exhausted || s.fetchErr != nil || s.ctx.Err() != nil {
		return
	}
	if s.opt.Limit > 0 && s.shown+len(s.upcoming) >= s.opt.Limit {
		return
	}
	// A page ahead at all times: at a million records the queue query takes about
	// 200 ms, the time a steward who only skips needs to go through a page.
	if len(s.upcoming) >= s.opt.PageSize && len(s.upcoming) > s.opt.Lookahead {
		return
	}
	s.fetching = true
	// Pending pairs ahead of the next page: those skipped, the one shown and those
	// waiting. Decisions not written yet make this too small, never too big: the page
	// then overlaps what the session has, which is filtered out, and nothing is missed.
	offset := s.skipped + len(s.upcoming)
	if s.cur != nil {
		offset++
	}
	written := s.written
	s.bg.Add(1)
	go s.fetch(offset, written)
}

func (s *Session) load(c *slot) {
	if c.started {
		return
	}
	c.started = true
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		c.pair, c.err = s.src.Load(s.ctx, c.item)
		close(c.done)
	}()
}

// fetch reads pages from offset until one holds pairs the session has not taken;
// at the end of the queue it looks once more from the start, for pairs that moved
// ahead of the session as people grew.
func (s *Session) fetch(offset, written int) {
	defer s.bg.Done()
	fresh, total, err := s.scan(offset)
	if err == nil && len(fresh) == 0 && offset > 0 {
		fresh, total, err = s.scan(0)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fetching = false
	switch {
	case err != nil:
		s.fetchErr = err
	case len(fresh) == 0:
		s.exhausted = true
	default:
		s.total = total + written
		for _, it := range fresh {
			s.known[[2]int64{it.A, it.B}] = true
			s.upcoming = append(s.upcoming, &slot{item: it, done: make(chan struct{})})
		}
		s.fill()
	}
	s.cond.Broadcast()
}

func (s *Session) scan(offset int) ([]store.ReviewItem, int, error) {
	for {
		q, total, err := s.src.Queue(s.ctx, offset, s.opt.PageSize)
		if err != nil {
			return nil, 0, err
		}
		var fresh []store.ReviewItem
		s.mu.Lock()
		for _, it := range q {
			if !s.known[[2]int64{it.A, it.B}] {
				fresh = append(fresh, it)
			}
		}
		s.mu.Unlock()
		if len(fresh) > 0 || len(q) < s.opt.PageSize {
			return fresh, total, nil
		}
		offset += len(q)
	}
}

// queue hands a write to the writer. Called with mu held.
func (s *Session) queue(o op) {
	s.ops = append(s.ops, o)
	s.unsaved++
	s.opsIn.Signal()
}

// write saves decisions and undos one after the other, as they were made, until the
// session is closed and nothing is left to write.
func (s *Session) write() {
	defer close(s.writer)
	for {
		s.mu.Lock()
		for len(s.ops) == 0 && !s.closed {
			s.opsIn.Wait()
		}
		if len(s.ops) == 0 {
			s.mu.Unlock()
			return
		}
		o := s.ops[0]
		s.ops = s.ops[1:]
		s.mu.Unlock()
		d := o.d
		var note string
		var err error
		if !o.revert {
			d.entry, err = s.src.Decide(s.ctx, d.slot.item.A, d.slot.item.B, d.kind)
			if errors.Is(err, ErrAlreadySame) {
				note, err = fmt.Sprintf("#%d and #%d were already one person: nothing to write", d.slot.item.A, d.slot.item.B), nil
			}
			close(d.done)
		} else if d.entry != 0 {
			err = s.src.Revert(s.ctx, d.entry)
		}
		s.mu.Lock()
		s.unsaved--
		switch {
		case err != nil && o.revert:
			err = fmt.Errorf("undo the decision on #%d and #%d (log entry %d): %w", d.slot.item.A, d.slot.item.B, d.entry, err)
		case err != nil:
			err = fmt.Errorf("decide #%d and #%d %s: %w", d.slot.item.A, d.slot.item.B, d.kind, err)
		case d.entry != 0 && o.revert:
			s.written--
		case d.entry != 0:
			s.written++
		}
		if err != nil {
			s.writeErrs = append(s.writeErrs, err)
			note = err.Error()
		}
		if note != "" {
			s.notes = append(s.notes, note)
		}
		s.mu.Unlock()
	}
}
