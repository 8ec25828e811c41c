// Package review walks a steward through the review queue: pages of doubtful pairs
// fetched ahead, each pair's records and explanation loaded before it is shown, the
// decisions written in order behind the steward's back, and an undo stack. It draws
// nothing; 'padron review' renders it.
package review

import (
	"context"
	"errors"
	"fmt"

	"github.com/padron-org/padron/pkg/match"
	"github.com/padron-org/padron/pkg/store"
)

// Pair is one review item with all it takes to show it.
type Pair struct {
	Item        store.ReviewItem
	A, B        store.RecordView
	Fields      []Field
	Explanation *match.Explanation
}

// Source is what a session needs of the store; tests give a fake one.
type Source interface {
	// Queue returns up to limit pending pairs from offset, most valuable first, and
	// how many are pending in all.
	Queue(ctx context.Context, offset, limit int) ([]store.ReviewItem, int, error)
	// Load reads an item's records and explains its score.
	Load(ctx context.Context, it store.ReviewItem) (*Pair, error)
	// Decide saves a decision and returns its log entry.
	Decide(ctx context.Context, a, b int64, decision string) (int64, error)
	// Revert undoes a log entry.
	Revert(ctx context.Context, entry int64) error
}

// ErrAlreadySame says a pair decided the same is already one person: an earlier
// decision of the session joined them. Nothing was written, nothing needs to be.
var ErrAlreadySame = errors.New("already one person")

// StoreSource is a Source over a padron store.
type StoreSource struct {
	st        *store.Store
	nicknames []string
	actor     string
	explainer explainer
}

// NewStoreSource reviews st's queue; decisions are logged under actor, pairs are
// explained with the nickname files dedupe used.
func NewStoreSource(st *store.Store, nicknameFiles []string, actor string) *StoreSource {
	return &StoreSource{st: st, nicknames: nicknameFiles, actor: actor}
}

func (s *StoreSource) Queue(ctx context.Context, offset, limit int) ([]store.ReviewItem, int, error) {
	q, n, err := s.st.ReviewQueue(ctx, offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("review queue: %w", err)
	}
	return q, n, nil
}

func (s *StoreSource) Load(ctx context.Context, it store.ReviewItem) (*Pair, error) {
	p := &Pair{Item: it}
	// One record per query: at a million records the store finds one id by its index
	// in a few milliseconds, while a list of two scans the table (60-120 ms).
	for _, r := range []struct {
		id  int64
		out *store.RecordView
	}{{it.A, &p.A}, {it.B, &p.B}} {
		recs, err := s.st.Records(ctx, store.RecordFilter{IDs: []int64{r.id}})
		if err != nil {
			return nil, fmt.Errorf("record #%d: %w", r.id, err)
		}
		if len(recs) != 1 {
			return nil, fmt.Errorf("record #%d: not in the store", r.id)
		}
		*r.out = recs[0]
	}
	p.Fields = Diff(p.A, p.B)
	var err error
	if p.Explanation, err = s.explain(ctx, &p.A, &p.B); err != nil {
		return nil, fmt.Errorf("explain #%d and #%d: %w", it.A, it.B, err)
	}
	return p, nil
}

// Prepare reads what explaining pairs takes (the model, the term frequencies) ahead
// of the first Load, which otherwise waits for it.
func (s *StoreSource) Prepare(ctx context.Context) error {
	_, err := s.explainer.get(ctx, s.st, s.nicknames)
	return err
}

func (s *StoreSource) Decide(ctx context.Context, a, b int64, decision string) (int64, error) {
	if decision == store.Same {
		// An earlier same of the session may have joined them already.
		pa, err := s.st.PersonOf(ctx, a)
		if err != nil {
			return 0, err
		}
		if pb, err := s.st.PersonOf(ctx, b); err != nil {
			return 0, err
		} else if pa != 0 && pa == pb {
			return 0, ErrAlreadySame
		}
	}
	res, err := s.st.Decide(ctx, a, b, decision, s.actor, "review")
	if err != nil {
		return 0, err
	}
	return res.Event, nil
}

func (s *StoreSource) Revert(ctx context.Context, entry int64) error {
	_, err := s.st.Revert(ctx, entry, s.actor)
	return err
}
