// Package dedupe runs matching over a store: it reads records, asks pkg/match for
// people, gives them stable ids and saves the conclusions. It never prints.
package dedupe

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/padron-org/padron/pkg/match"
	"github.com/padron-org/padron/pkg/money"
	"github.com/padron-org/padron/pkg/store"
)

// Options for a run.
type Options struct {
	Auto, Review float64 // 0 means match.DefaultAuto / DefaultReview
	Cap          int
	Full         bool // re-match everything, not only new records
	Retrain      bool // estimate a new model even when one is stored
	// NicknameFiles extend the built-in nickname lists.
	NicknameFiles []string
	// Exclude are the user's rules keeping credits out of the donations.
	Exclude  []money.Rule
	Actor    string
	Progress func(phase string, done, total int64)
}

// Summary is what a run did.
type Summary struct {
	Run        int64  `json:"run"`
	Mode       string `json:"mode"` // full or incremental
	Records    int    `json:"records"`
	NewRecords int    `json:"new_records"`
	Pairs      int64  `json:"pairs"`
	AutoLinks  int    `json:"auto_links"`
	Rejected   int    `json:"rejected_by_guard"`
	Review     int    `json:"review_pairs"`
	People     int    `json:"people"`
	PeopleNew  int    `json:"new_people"`
	// LinksWritten is how many records' links the run wrote: all of them the first
	// time, only those whose person changed later.
	LinksWritten int               `json:"links_written"`
	Trained      bool              `json:"trained"`
	Auto         float64           `json:"auto"`
	ReviewAt     float64           `json:"review"`
	Blocking     []match.RuleStats `json:"blocking"`
	Phases       []match.Phase     `json:"phases"`
	// Attribution says how the bank payers were tied to people (nil without any).
	Attribution *AttributionStats `json:"attribution,omitempty"`
	Seconds     float64           `json:"seconds"`
}

// Keys under which shared emails and phones are stored with the term frequencies.
const (
	sharedEmailKey  = "email:shared"
	sharedPhoneKey  = "phone:shared"
	namesakeHomeKey = "home:namesakes"
)

// retrainGrowth: a stored model is re-estimated once the store has grown by this
// factor since it was trained, so the first small import does not set weights for good.
const retrainGrowth = 1.5

// Nicknames returns the built-in nicknames extended by files.
func Nicknames(files []string) (*match.Nicknames, error) {
	if len(files) == 0 {
		return match.DefaultNicknames(), nil
	}
	n := match.DefaultNicknames().Clone()
	for _, f := range files {
		if err := n.AddFile(f); err != nil {
			return nil, fmt.Errorf("nicknames: %w", err)
		}
	}
	return n, nil
}

// Run matches the store's records into people.
func Run(ctx context.Context, st *store.Store, opt Options) (*Summary, error) {
	start := time.Now()
	nick, err := Nicknames(opt.NicknameFiles)
	if err != nil {
		return nil, err
	}
	if opt.Progress != nil {
		opt.Progress("reading", 0, 0)
	}
	// Sized up front: growing a million records by appending copied them several
	// times over and cost a few seconds of the read.
	total, err := st.RecordCount(ctx)
	if err != nil {
		return nil, err
	}
	if total == 0 {
		return nil, fmt.Errorf("the store holds no records: import files first ('padron import FILE')")
	}
	pr, exclChanged, err := loadPayers(ctx, st, opt.Exclude)
	if err != nil {
		return nil, err
	}
	recs := make([]match.Record, 0, total)
	ids, person := make([]int64, 0, total), make([]int64, 0, total)
	golden := make([]store.GoldenInput, 0, total)
	newRecords := 0
	err = st.MatchRecords(ctx, func(m store.MatchRecord) error {
		if pr.statement[m.ID] {
			return nil // bank transactions are payers, attributed below, not contacts
		}
		recs = append(recs, toMatch(m))
		ids = append(ids, m.ID)
		person = append(person, m.Person)
		golden = append(golden, m.Golden)
		if m.Person == 0 {
			newRecords++
		}
		if opt.Progress != nil && len(recs)&0xffff == 0 {
			opt.Progress("reading", int64(len(recs)), total)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	stored, err := st.StoredModel(ctx)
	if err != nil {
		return nil, err
	}
	var model *match.Model
	if stored != nil && !opt.Retrain && !opt.Full {
		model = new(match.Model)
		if err := json.Unmarshal(stored, model); err != nil {
			model = nil // an unreadable or older model is simply trained again
		} else if float64(len(recs)) > retrainGrowth*float64(model.Records) {
			model = nil
		}
	}
	incremental := !opt.Full && newRecords < len(recs)
	mo := match.Options{Auto: opt.Auto, Review: opt.Review, Cap: opt.Cap, Nicknames: nick, Model: model,
		Full: !incremental, Progress: opt.Progress, Seed: 1}
	if incremental {
		mo.Person = person
	} else {
		mo.Full = true
		mo.Person = person // still used for stable ids, not for grouping
	}
	decisions, err := st.ActiveDecisions(ctx)
	if err != nil {
		return nil, err
	}
	mo.MustLink, mo.CannotLink = decisionPairs(decisions, ids)
	readSecs := time.Since(start).Seconds()
	res, err := match.Run(ctx, recs, mo)
	if err != nil {
		return nil, err
	}
	var attr *match.AttributeResult
	for _, p := range pr.payers {
		if p.Person == 0 {
			newRecords++
		}
	}
	if len(pr.payers) > 0 {
		if opt.Progress != nil {
			opt.Progress("attributing", 0, 0)
		}
		t0 := time.Now()
		if attr, err = pr.attribute(ctx, st, recs, ids, res, nick, mo.Auto, mo.Review); err != nil {
			return nil, err
		}
		for i, p := range pr.payers {
			a := attr.Payers[i]
			ids = append(ids, p.ID)
			person = append(person, p.Person)
			res.Cluster = append(res.Cluster, a.Cluster)
			score := float32(0)
			if a.Method != match.ByNone {
				score = float32(a.Score)
			}
			res.Score = append(res.Score, score)
		}
		res.People = attr.People
		res.People = obeyPayerDecisions(decisions, ids, res.Cluster, res.People, attr)
		res.Phases = append(res.Phases, match.Phase{Phase: "attributing", Seconds: time.Since(t0).Seconds()})
	}
	// Person ids: kept where records stay together, fresh ones from the counter.
	first, err := st.NextIDs(ctx, "person", 0)
	if err != nil {
		return nil, err
	}
	next := first - 1
	fresh := 0
	pids := match.AssignIDs(res.Cluster, person, func() int64 { next++; fresh++; return next })
	if fresh > 0 {
		if _, err := st.NextIDs(ctx, "person", int64(fresh)); err != nil {
			return nil, err
		}
	}
	runID, err := st.NextIDs(ctx, "run", 1)
	if err != nil {
		return nil, err
	}
	auto, review := mo.Auto, mo.Review
	if auto == 0 {
		auto = match.DefaultAuto
	}
	if review == 0 {
		review = match.DefaultReview
	}
	mode := "full"
	if incremental {
		mode = "incremental"
	}
	sum := &Summary{Run: runID, Mode: mode, Records: len(ids), NewRecords: newRecords, Pairs: res.Pairs,
		AutoLinks: res.AutoLinks, Rejected: res.Rejected, Review: len(res.Review), People: res.People,
		PeopleNew: fresh, Trained: res.Trained, Auto: auto, ReviewAt: review, Blocking: res.Rules}
	run := &store.MatchRun{ID: runID, StartedAt: start, Actor: opt.Actor, Mode: mode, Records: int64(len(ids)),
		NewRecords: int64(newRecords), Pairs: res.Pairs, AutoLinks: int64(res.AutoLinks), Rejected: int64(res.Rejected),
		People: int64(res.People), RecordIDs: ids, PersonIDs: pids, Probability: res.Score,
		Settings: map[string]any{"auto": auto, "review": review, "cap": opt.Cap, "nicknames": opt.NicknameFiles},
		Blocking: res.Rules}
	if res.Trained {
		if run.Model, err = json.Marshal(res.Model); err != nil {
			return nil, err
		}
	}
	// When most records keep their person (a later run), only the changed links are
	// written and only the people concerned rebuilt. In a first run every record is
	// new: nothing to look for.
	if newRecords < len(ids) {
		changed, affected := changes(ids, person, pids, res.Score)
		if len(changed) < len(ids)/2 {
			run.Changed, run.Affected = true, affected
			run.RecordIDs, run.PersonIDs, run.Probability = pick(ids, changed), pick(pids, changed), pick(res.Score, changed)
		}
	}
	if !run.Changed && len(pr.payers) == 0 {
		// Every record is a contact read above: the golden records are built from
		// the rows already in memory, beside what remains to do before saving.
		if run.Golden, err = st.StartGolden(ctx, ids, pids, golden); err != nil {
			return nil, err
		}
	}
	run.LogChanges = logChanges(ids, person, pids)
	sum.LinksWritten = len(run.RecordIDs)
	run.TFValues, run.TFTotals = res.TF.Frequent(2)
	// The records and the matcher's working set are no longer needed: hand the memory
	// back while the save begins (the collection marks concurrently; waiting for it
	// cost a quarter of a second at a million records).
	recs, res.TF = nil, nil
	go debug.FreeOSMemory()
	// Shared addresses and numbers are kept beside the frequencies, so that explain
	// weighs a household's email as dedupe did.
	for key, set := range map[string]map[string]bool{sharedEmailKey: res.Shared.Emails, sharedPhoneKey: res.Shared.Phones,
		namesakeHomeKey: res.Shared.Homes} {
		m := make(map[string]int32, len(set))
		for v := range set {
			m[v] = 1
		}
		run.TFValues[key] = m
	}
	run.Review = make([]store.ReviewPair, 0, len(res.Review)+len(pr.payers))
	decided := map[[2]int64]bool{}
	for _, d := range decisions {
		decided[[2]int64{min(d.A, d.B), max(d.A, d.B)}] = true
	}
	for _, p := range res.Review {
		a, b := ids[p.A], ids[p.B]
		if decided[[2]int64{min(a, b), max(a, b)}] {
			continue // a steward already said
		}
		run.Review = append(run.Review, store.ReviewPair{A: a, B: b, Weight: p.Weight,
			Probability: p.Probability, Conflict: p.Conflict})
	}
	sum.Review = len(run.Review)
	if attr != nil {
		stats := &AttributionStats{Payers: len(pr.payers), ByMethod: map[string]int{}, Prior: attr.Prior,
			ExclusionsChanged: exclChanged}
		base := len(ids) - len(pr.payers)
		run.Attributions = make([]store.Attribution, len(pr.payers))
		for i, a := range attr.Payers {
			at := store.Attribution{RecordID: ids[base+i], PersonID: pids[base+i], Method: a.Method, Score: a.Score}
			stats.ByMethod[a.Method]++
			if a.Candidate >= 0 {
				stats.Review++
				cand := int(a.Candidate)
				at.Candidate = pids[cand]
				run.Review = append(run.Review, store.ReviewPair{A: ids[cand], B: ids[base+i],
					Weight: reviewWeight(a.CandidateScore), Probability: a.CandidateScore})
			}
			run.Attributions[i] = at
		}
		sum.Attribution = stats
	} else if len(pr.statement) > 0 {
		run.Attributions = []store.Attribution{} // no payer left: clear the old ones
	}
	sum.Seconds = time.Since(start).Seconds()
	run.Summary = map[string]any{"run": runID, "mode": mode, "records": len(ids), "new_records": newRecords,
		"people": res.People, "new_people": fresh, "auto_links": res.AutoLinks, "review_pairs": len(res.Review)}
	if opt.Progress != nil {
		opt.Progress("saving", 0, 0)
	}
	saveStart := time.Now()
	if err := st.SaveMatchRun(ctx, run); err != nil {
		return nil, err
	}
	sum.Phases = append([]match.Phase{{Phase: "reading", Seconds: readSecs}}, res.Phases...)
	sum.Phases = append(sum.Phases, match.Phase{Phase: "saving", Seconds: time.Since(saveStart).Seconds()})
	sum.Seconds = time.Since(start).Seconds()
	return sum, nil
}

func toMatch(m store.MatchRecord) match.Record {
	return match.Record{ID: m.ID, GivenName: m.GivenName, FamilyName: m.FamilyName, Emails: m.Emails,
		Phones: m.Phones, BirthDate: m.BirthDate, Street: m.Street, Postcode: m.Postcode, City: m.City,
		NationalID: m.NationalID, Occupation: m.Occupation}
}

// StoredModel returns the model the last training run estimated.
func StoredModel(ctx context.Context, st *store.Store) (*match.Model, error) {
	stored, err := st.StoredModel(ctx)
	if err != nil {
		return nil, err
	}
	if stored == nil {
		return nil, fmt.Errorf("no dedupe has run yet: run 'padron dedupe' first")
	}
	model := new(match.Model)
	if err := json.Unmarshal(stored, model); err != nil {
		return nil, fmt.Errorf("stored match model: %w", err)
	}
	return model, nil
}

// NewExplainer builds what explaining a pair needs, once: the stored model, the term
// frequencies and the shared values of the last run. A review session explains many
// pairs with one.
func NewExplainer(ctx context.Context, st *store.Store, nicknameFiles []string) (*match.Explainer, error) {
	nick, err := Nicknames(nicknameFiles)
	if err != nil {
		return nil, err
	}
	model, err := StoredModel(ctx, st)
	if err != nil {
		return nil, err
	}
	values, totals, err := st.StoredTF(ctx)
	if err != nil {
		return nil, err
	}
	set := func(key string) map[string]bool {
		out := make(map[string]bool, len(values[key]))
		for v := range values[key] {
			out[v] = true
		}
		return out
	}
	shared := match.Shared{Emails: set(sharedEmailKey), Phones: set(sharedPhoneKey), Homes: set(namesakeHomeKey)}
	return match.NewExplainer(model, match.NewTF(values, totals), nick, shared), nil
}

// ToMatch is a stored record as matching reads it.
func ToMatch(m store.MatchRecord) match.Record { return toMatch(m) }

// Explain lays out how the last run's model scores two records.
func Explain(ctx context.Context, st *store.Store, a, b int64, nicknameFiles []string) (*match.Explanation, error) {
	ex, err := NewExplainer(ctx, st, nicknameFiles)
	if err != nil {
		return nil, err
	}
	var ra, rb *match.Record
	err = st.MatchRecordsByID(ctx, []int64{a, b}, func(m store.MatchRecord) error {
		r := toMatch(m)
		if m.ID == a {
			ra = &r
		}
		if m.ID == b {
			rb = &r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if ra == nil || rb == nil {
		return nil, fmt.Errorf("record not found")
	}
	out := ex.Explain(ra, rb)
	return &out, nil
}

// changes returns the indexes of records whose person differs from before (new
// records included) or that a link of this run joined, and the people concerned.
func changes(ids, before, after []int64, score []float32) (changed []int, affected []int64) {
	seen := map[int64]bool{}
	for i := range ids {
		if before[i] == after[i] && score[i] == 0 {
			continue
		}
		changed = append(changed, i)
		for _, p := range []int64{before[i], after[i]} {
			if p != 0 && !seen[p] {
				seen[p] = true
				affected = append(affected, p)
			}
		}
	}
	return changed, affected
}

// pick returns v's elements at idx, in order.
func pick[T any](v []T, idx []int) []T {
	out := make([]T, len(idx))
	for k, i := range idx {
		out[k] = v[i]
	}
	return out
}

// logChanges lists the records whose person changed, for the log. Counted first: in
// a first run every record changes, and appending a million grew the list a dozen
// times over.
func logChanges(ids, before, after []int64) []store.Change {
	n := 0
	for i := range ids {
		if before[i] != after[i] {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]store.Change, 0, n)
	for i := range ids {
		if before[i] != after[i] {
			out = append(out, store.Change{Record: ids[i], Before: before[i], After: after[i]})
		}
	}
	return out
}
