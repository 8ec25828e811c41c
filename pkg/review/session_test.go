package review

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/padron-org/padron/pkg/store"
)

// fakeSource is a review queue in memory: decided pairs leave it, reverted ones come
// back, as in the store.
type fakeSource struct {
	mu      sync.Mutex
	items   []store.ReviewItem
	decided map[int64]store.ReviewItem // log entry → pair
	writes  []string
	queries int
	entry   int64
	delay   time.Duration // each write takes this long
	fail    map[int64]error
}

func newFake(n int) *fakeSource {
	f := &fakeSource{decided: map[int64]store.ReviewItem{}, fail: map[int64]error{}}
	for i := 1; i <= n; i++ {
		f.items = append(f.items, store.ReviewItem{A: int64(2*i - 1), B: int64(2 * i), Probability: 0.9})
	}
	return f
}

func (f *fakeSource) pending() []store.ReviewItem {
	var out []store.ReviewItem
	for _, it := range f.items {
		done := false
		for _, d := range f.decided {
			done = done || d == it
		}
		if !done {
			out = append(out, it)
		}
	}
	return out
}

func (f *fakeSource) Queue(_ context.Context, offset, limit int) ([]store.ReviewItem, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries++
	p := f.pending()
	if offset >= len(p) {
		return nil, len(p), nil
	}
	return slices.Clone(p[offset:min(offset+limit, len(p))]), len(p), nil
}

func (f *fakeSource) Load(_ context.Context, it store.ReviewItem) (*Pair, error) {
	return &Pair{Item: it, A: store.RecordView{ID: it.A}, B: store.RecordView{ID: it.B}}, nil
}

func (f *fakeSource) Decide(_ context.Context, a, b int64, kind string) (int64, error) {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[a]; err != nil {
		return 0, err
	}
	f.entry++
	f.decided[f.entry] = store.ReviewItem{A: a, B: b, Probability: 0.9}
	f.writes = append(f.writes, fmt.Sprintf("%s %d-%d", kind, a, b))
	return f.entry, nil
}

func (f *fakeSource) Revert(_ context.Context, entry int64) error {
	time.Sleep(f.delay)
	f.mu.Lock()
	defer f.mu.Unlock()
	it, ok := f.decided[entry]
	if !ok {
		return fmt.Errorf("no entry %d", entry)
	}
	delete(f.decided, entry)
	f.writes = append(f.writes, fmt.Sprintf("revert %d-%d", it.A, it.B))
	return nil
}

func (f *fakeSource) log() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.writes, ", ")
}

// current returns the A record of the item shown, 0 when the session is done.
func current(t *testing.T, s *Session) int64 {
	t.Helper()
	p, err := s.Current()
	if err != nil {
		t.Fatal(err)
	}
	if p == nil {
		return 0
	}
	return p.Item.A
}

func TestSessionDecideSkipUndo(t *testing.T) {
	f := newFake(4)
	s := NewSession(context.Background(), f, Options{})
	if got := current(t, s); got != 1 {
		t.Fatalf("first item %d, want 1", got)
	}
	if p := s.Progress(); p.Position != 1 || p.Total != 4 {
		t.Errorf("progress %+v, want item 1 of 4", p)
	}
	must(t, s.Decide(store.Same))
	if got := current(t, s); got != 3 {
		t.Fatalf("after same: item %d, want 3", got)
	}
	must(t, s.Decide(store.Different))
	if got := current(t, s); got != 5 {
		t.Fatalf("after different: item %d, want 5", got)
	}
	if !s.Undo() {
		t.Fatal("nothing to undo")
	}
	if got := current(t, s); got != 3 {
		t.Fatalf("after undo: item %d, want 3 again", got)
	}
	if p := s.Progress(); p.Position != 2 || p.Decided != 1 {
		t.Errorf("progress after undo %+v, want item 2, 1 decided", p)
	}
	s.Skip()
	if got := current(t, s); got != 5 {
		t.Fatalf("after skip: item %d, want 5", got)
	}
	must(t, s.Decide(store.Different))
	if got := current(t, s); got != 7 {
		t.Fatalf("item %d, want 7", got)
	}
	s.Skip()
	if got := current(t, s); got != 0 {
		t.Fatalf("after the last item: %d, want the end", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := f.log(), "same 1-2, different 3-4, revert 3-4, different 5-6"; got != want {
		t.Errorf("writes %q, want %q", got, want)
	}
	if p := s.Progress(); p.Decided != 2 || p.Skipped != 2 || p.Unsaved != 0 {
		t.Errorf("final progress %+v, want 2 decided, 2 skipped, all saved", p)
	}
	if s.Undo(); f.log() != "same 1-2, different 3-4, revert 3-4, different 5-6" {
		t.Error("an undo after Close wrote something")
	}
}

func TestSessionUndoTwice(t *testing.T) {
	f := newFake(3)
	s := NewSession(context.Background(), f, Options{})
	current(t, s)
	must(t, s.Decide(store.Same))
	current(t, s)
	must(t, s.Decide(store.Same))
	current(t, s)
	s.Undo()
	s.Undo()
	if got := current(t, s); got != 1 {
		t.Fatalf("after two undos: item %d, want 1", got)
	}
	if s.Undo() {
		t.Error("a third undo with two decisions")
	}
	must(t, s.Close())
	if got, want := f.log(), "same 1-2, same 3-4, revert 3-4, revert 1-2"; got != want {
		t.Errorf("writes %q, want %q", got, want)
	}
}

// Pages smaller than the queue, decisions and skips mixed, writes slower than the
// steward: every pair is shown once, in order.
func TestSessionPagesShowEachPairOnce(t *testing.T) {
	f := newFake(23)
	f.delay = 2 * time.Millisecond
	s := NewSession(context.Background(), f, Options{PageSize: 4, Lookahead: 2})
	var seen []int64
	for i := 0; ; i++ {
		a := current(t, s)
		if a == 0 {
			break
		}
		seen = append(seen, a)
		if i%3 == 2 {
			s.Skip()
		} else {
			must(t, s.Decide(store.Different))
		}
		if len(seen) > 100 {
			t.Fatal("the session does not end")
		}
	}
	must(t, s.Close())
	var want []int64
	for i := 1; i <= 23; i++ {
		want = append(want, int64(2*i-1))
	}
	if !slices.Equal(seen, want) {
		t.Errorf("shown %v, want %v", seen, want)
	}
	if n := len(f.pending()); n != 7 {
		t.Errorf("%d pairs pending after the session, want the 7 skipped", n)
	}
}

// A pair that moves ahead of the session (its people grew) is still shown, at the end.
func TestSessionSweepsPairsThatMovedAhead(t *testing.T) {
	f := newFake(6)
	s := NewSession(context.Background(), f, Options{PageSize: 2, Lookahead: 1})
	if got := current(t, s); got != 1 {
		t.Fatalf("item %d, want 1", got)
	}
	// The last pair jumps to the front once the session has passed it.
	f.mu.Lock()
	last := f.items[5]
	f.items = append([]store.ReviewItem{last}, f.items[:5]...)
	f.mu.Unlock()
	var seen []int64
	for a := current(t, s); a != 0; a = current(t, s) {
		seen = append(seen, a)
		s.Skip()
	}
	must(t, s.Close())
	slices.Sort(seen)
	if !slices.Equal(seen, []int64{1, 3, 5, 7, 9, 11}) {
		t.Errorf("shown %v, want every pair once", seen)
	}
}

func TestSessionLimit(t *testing.T) {
	f := newFake(10)
	s := NewSession(context.Background(), f, Options{Limit: 3})
	n := 0
	for current(t, s) != 0 {
		n++
		s.Skip()
	}
	must(t, s.Close())
	if n != 3 {
		t.Errorf("%d items shown, want the limit 3", n)
	}
	if p := s.Progress(); p.Total != 3 {
		t.Errorf("total %d, want 3", p.Total)
	}
}

func TestSessionCloseWaitsForWrites(t *testing.T) {
	f := newFake(5)
	f.delay = 20 * time.Millisecond
	s := NewSession(context.Background(), f, Options{})
	for current(t, s) != 0 {
		must(t, s.Decide(store.Different))
	}
	if p := s.Progress(); p.Unsaved == 0 {
		t.Log("writes finished before the steward: the test proves less")
	}
	must(t, s.Close())
	if got := strings.Count(f.log(), "different"); got != 5 {
		t.Errorf("%d decisions written at Close, want 5", got)
	}
}

func TestSessionWriteErrors(t *testing.T) {
	f := newFake(3)
	f.fail[1] = ErrAlreadySame
	f.fail[3] = errors.New("disk full")
	s := NewSession(context.Background(), f, Options{})
	for current(t, s) != 0 {
		must(t, s.Decide(store.Same))
	}
	err := s.Close()
	if err == nil || !strings.Contains(err.Error(), "disk full") || strings.Contains(err.Error(), "already") {
		t.Errorf("Close: %v, want the failed write only", err)
	}
	notes := strings.Join(s.Notes(), "\n")
	if !strings.Contains(notes, "#1 and #2 were already one person") || !strings.Contains(notes, "disk full") {
		t.Errorf("notes %q", notes)
	}
	if got := f.log(); got != "same 5-6" {
		t.Errorf("writes %q, want same 5-6", got)
	}
	if p := s.Progress(); p.Unsaved != 0 {
		t.Errorf("%d unsaved after Close", p.Unsaved)
	}
}

func TestSessionEmptyQueue(t *testing.T) {
	s := NewSession(context.Background(), newFake(0), Options{})
	if got := current(t, s); got != 0 {
		t.Fatalf("item %d from an empty queue", got)
	}
	if err := s.Decide(store.Same); err == nil {
		t.Error("a decision with no item")
	}
	if s.Undo() {
		t.Error("an undo with no decision")
	}
	must(t, s.Close())
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
