package review

import (
	"context"
	"sync"
	"time"

	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/match"
	"github.com/padron-org/padron/pkg/store"
)

// explainer scores pairs as dedupe.Explain does, but reads the model and the term
// frequencies once per session: at a million records reading them again for every
// pair would cost more than the whole budget of an item.
type explainer struct {
	once sync.Once
	x    *match.Explainer
	err  error
}

func (e *explainer) get(ctx context.Context, st *store.Store, nicknameFiles []string) (*match.Explainer, error) {
	e.once.Do(func() { e.x, e.err = dedupe.NewExplainer(ctx, st, nicknameFiles) })
	return e.x, e.err
}

// explain scores two records with the session's explainer.
func (s *StoreSource) explain(ctx context.Context, a, b *store.RecordView) (*match.Explanation, error) {
	x, err := s.explainer.get(ctx, s.st, s.nicknames)
	if err != nil {
		return nil, err
	}
	ra, rb := matchRecord(a), matchRecord(b)
	ex := x.Explain(&ra, &rb)
	return &ex, nil
}

// matchRecord is what dedupe compares of a record, taken from the record as shown
// rather than read again (store.MatchRecordsByID holds the same values).
func matchRecord(r *store.RecordView) match.Record {
	var birth int32
	if t, err := time.Parse("2006-01-02", r.BirthDate); err == nil {
		birth = int32(t.Year()*10000 + int(t.Month())*100 + t.Day())
	}
	return match.Record{ID: r.ID, GivenName: r.GivenName, FamilyName: r.FamilyName, Emails: r.Emails,
		Phones: r.Phones, BirthDate: birth, Street: r.Street, Postcode: r.Postcode, City: r.City,
		NationalID: r.NationalID, Occupation: r.Occupation}
}
