package match

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// chainFloor is the match probability below which two records with a different email
// or phone may not become one person through others (see indirectConflict).
const chainFloor = 0.05

// Default thresholds, as match probabilities. 0.95 for automatic links: measured on
// four labelled sets (docs/benchmarks.md), links at 0.95 were still 98–100% right,
// while 0.99 left a fifth of true pairs of mistyped lists to review.
const (
	DefaultAuto   = 0.95
	DefaultReview = 0.80
)

// Options control a run. Zero values mean defaults.
type Options struct {
	// Auto is the probability at or above which a pair is linked without review;
	// Review the one at or above which it goes to the review queue.
	Auto, Review float64
	// Cap is the largest block a rule pairs up in full (DefaultCap).
	Cap       int
	Nicknames *Nicknames
	// Model, when set and Retrain is false, is used as is; otherwise one is trained.
	Model   *Model
	Retrain bool
	// Person holds each record's person from an earlier run (0 for records never
	// matched). Unless Full is set, those people stay together and only pairs with a
	// new record are compared: the incremental run.
	Person []int64
	Full   bool
	// MustLink and CannotLink are decisions by record index, obeyed before any score.
	MustLink, CannotLink [][2]int
	// Seed makes the random pairs drawn for u repeatable.
	Seed uint64
	// Progress is told each phase's progress; it may be nil.
	Progress func(phase string, done, total int64)
}

// ReviewPair is a candidate pair left for a person to decide.
type ReviewPair struct {
	A, B        int // record indexes
	Weight      float64
	Probability float64
	Conflict    bool // scored above auto but carries contradicting evidence
}

// Result is what a run concluded.
type Result struct {
	Model *Model
	TF    *TF
	Rules []RuleStats
	// Pairs is the number of candidate pairs compared.
	Pairs int64
	// Cluster numbers each record's person, 0..People-1.
	Cluster []int32
	People  int
	// Score is, per record, the best probability of a link that joined it (0 for
	// records that stand alone or joined only through an earlier run).
	Score []float32
	// AutoLinks counts links accepted; Rejected those refused by the chaining guard.
	AutoLinks int
	Rejected  int
	Review    []ReviewPair
	Trained   bool
	// Phases says how long each phase took, in order.
	Phases []Phase
	// Shared are the household emails and phones and the namesake homes found.
	Shared Shared
}

// Phase is one phase's wall time.
type Phase struct {
	Phase   string  `json:"phase"`
	Seconds float64 `json:"seconds"`
}

// ErrTooMany is returned for more records than one run can index.
var ErrTooMany = errors.New("match: too many records for one run")

func (o *Options) defaults() {
	if o.Auto == 0 {
		o.Auto = DefaultAuto
	}
	if o.Review == 0 {
		o.Review = DefaultReview
	}
	if o.Nicknames == nil {
		o.Nicknames = DefaultNicknames()
	}
}

// Run matches records into people.
func Run(ctx context.Context, recs []Record, opt Options) (*Result, error) {
	opt.defaults()
	if !(opt.Review > 0 && opt.Review <= opt.Auto && opt.Auto < 1) {
		return nil, fmt.Errorf("match: thresholds must satisfy 0 < review (%v) ≤ auto (%v) < 1", opt.Review, opt.Auto)
	}
	n := len(recs)
	if n >= maxRecords {
		return nil, fmt.Errorf("%w: %d (at most %d)", ErrTooMany, n, maxRecords-1)
	}
	var phases []Phase
	var phaseName string
	var phaseStart time.Time
	var mu sync.Mutex
	progress := func(phase string, done, total int64) {
		mu.Lock()
		if phase != phaseName {
			now := time.Now()
			if phaseName != "" {
				phases = append(phases, Phase{phaseName, now.Sub(phaseStart).Seconds()})
			}
			phaseName, phaseStart = phase, now
		}
		mu.Unlock()
		if opt.Progress != nil {
			opt.Progress(phase, done, total)
		}
	}
	progress("preparing", 0, 0)
	fs := prepareAll(recs, opt.Nicknames)
	cmp := &comparer{nick: opt.Nicknames}
	// Blocking reads none of what markShared writes (the shared and namesake
	// marks), so the two run at once: each leaves a CPU idle in its serial steps
	// (merging the rules' pairs; gathering the shared values).
	var shared Shared
	sharedDone := make(chan struct{})
	go func() {
		defer close(sharedDone)
		shared = markShared(fs, cmp, opt.Nicknames)
	}()
	rs := newRules(opt.Nicknames, opt.Cap)
	incremental := opt.Person != nil && !opt.Full
	var want func(i, j int) bool
	if incremental {
		want = func(i, j int) bool {
			pi, pj := opt.Person[i], opt.Person[j]
			return pi == 0 || pj == 0
		}
	}
	cands, stats, err := rs.block(ctx, fs, want, func(d, t int) { progress("blocking", int64(d), int64(t)) })
	<-sharedDone
	if err != nil {
		return nil, err
	}
	res := &Result{Rules: stats, Pairs: int64(len(cands.pairs)), Shared: shared}

	// Compare every candidate pair once; training and scoring reuse the levels.
	pats := make([]uint32, len(cands.pairs))
	if err := parallel(ctx, len(cands.pairs), func(lo, hi int) {
		comparePairs(cmp, fs, cands.pairs[lo:hi], pats[lo:hi])
	}, func(d int64) { progress("comparing", d, int64(len(pats))) }); err != nil {
		return nil, err
	}

	res.TF = countTF(fs)
	model := opt.Model
	if model == nil || opt.Retrain {
		progress("training", 0, 1)
		model = NewModel()
		rnd := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
		if err := estimateU(ctx, model, fs, cmp, rnd); err != nil {
			return nil, err
		}
		contactU(model, fs, pats)
		train(model, rs, fs, pats, cands.rules)
		model.sanitize()
		res.Trained = true
		progress("training", 1, 1)
	}
	res.Model = model

	sc := newScorer(model, res.TF, opt.Nicknames)
	weights := make([]float32, len(pats))
	if err := parallel(ctx, len(pats), func(lo, hi int) {
		for k := lo; k < hi; k++ {
			i, j := pairOf(cands.pairs[k])
			lv := unpack(pats[k])
			weights[k] = float32(sc.weighAt(&fs[i], &fs[j], i, &lv, pats[k]&swappedBit != 0))
		}
	}, func(d int64) { progress("scoring", d, int64(len(pats))) }); err != nil {
		return nil, err
	}

	// Cluster: earlier people and decisions first, then links strongest first.
	autoW, reviewW := float32(logit(opt.Auto)), float32(logit(opt.Review))
	cl := newClusterer(fs, cmp)
	cl.sc, cl.floor = sc, logit(chainFloor)
	if incremental {
		first := map[int64]int{}
		for i, p := range opt.Person {
			if p == 0 {
				continue
			}
			if f, ok := first[p]; ok {
				cl.union(f, i)
			} else {
				first[p] = i
			}
		}
	}
	for _, p := range opt.CannotLink {
		cl.cannot[pairKey(p[0], p[1])] = true
	}
	for _, p := range opt.MustLink {
		cl.union(p[0], p[1])
	}
	var edges []int
	for k, w := range weights {
		if w >= reviewW {
			edges = append(edges, k)
		}
	}
	slices.SortFunc(edges, func(a, b int) int {
		if weights[a] != weights[b] {
			if weights[a] > weights[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	res.Score = make([]float32, n)
	var doubtful []int
	for x, k := range edges {
		if x&0xfff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			progress("clustering", int64(x), int64(len(edges)))
		}
		lv := unpack(pats[k])
		if weights[k] < autoW || conflict(&lv, sc.strict) {
			doubtful = append(doubtful, k)
			continue
		}
		i, j := pairOf(cands.pairs[k])
		if cl.find(int32(i)) == cl.find(int32(j)) {
			continue
		}
		if !cl.link(i, j) {
			doubtful = append(doubtful, k)
			continue
		}
		res.AutoLinks++
		p := float32(Probability(float64(weights[k])))
		res.Score[i] = max(res.Score[i], p)
		res.Score[j] = max(res.Score[j], p)
	}
	progress("clustering", int64(len(edges)), int64(len(edges)))
	progress("", 0, 0)
	res.Phases = phases
	if runHook != nil {
		runHook(cands.pairs, pats, weights)
	}
	res.Rejected = cl.Rejected
	res.Cluster = cl.clusters()
	for _, c := range res.Cluster {
		res.People = max(res.People, int(c)+1)
	}
	// The review queue: the best doubtful pair between each two people.
	seen := map[uint64]bool{}
	for _, k := range doubtful {
		i, j := pairOf(cands.pairs[k])
		ci, cj := res.Cluster[i], res.Cluster[j]
		if ci == cj {
			continue
		}
		key := pairKey(int(ci), int(cj))
		if seen[key] {
			continue
		}
		seen[key] = true
		lv := unpack(pats[k])
		w := float64(weights[k])
		res.Review = append(res.Review, ReviewPair{A: i, B: j, Weight: w, Probability: Probability(w), Conflict: conflict(&lv, sc.strict)})
	}
	return res, nil
}

// runHook, when set (by tests), sees every candidate pair with its pattern and weight.
var runHook func(pairs []uint64, pats []uint32, weights []float32)

// comparePairs compares pairs, writing their patterns into pats. The pairs are
// sorted, so the first record of each is mostly the last one's, in cache; the second
// is anywhere among a million, and waiting for it from memory was most of a
// comparison's time (at a million records, 40% of it). It is fetched ahead in three
// steps, each reading only what the step before brought in: the record 12 pairs on,
// the lists it points to (emails, surnames, phones) 4 pairs on, and the first
// strings those hold 2 pairs on.
func comparePairs(cmp *comparer, fs []feat, pairs []uint64, pats []uint32) {
	var lv levels
	for k, p := range pairs {
		if k+12 < len(pairs) {
			_, j := pairOf(pairs[k+12])
			prefetchFeat(&fs[j])
		}
		if k+4 < len(pairs) {
			_, j := pairOf(pairs[k+4])
			prefetchLists(&fs[j])
		}
		if k+2 < len(pairs) {
			_, j := pairOf(pairs[k+2])
			prefetchStrings(&fs[j])
		}
		i, j := pairOf(p)
		sw := cmp.compare(&fs[i], &fs[j], &lv)
		pats[k] = lv.pattern()
		if sw {
			pats[k] |= swappedBit
		}
	}
}

// prefetchLists asks for the lists a comparison reads through f.
func prefetchLists(f *feat) {
	if len(f.emails) > 0 {
		prefetch(unsafe.Pointer(unsafe.SliceData(f.emails)))
	}
	if len(f.famToks) > 0 {
		prefetch(unsafe.Pointer(unsafe.SliceData(f.famToks)))
	}
	if len(f.locals) > 0 {
		prefetch(unsafe.Pointer(unsafe.SliceData(f.locals)))
	}
	if len(f.phoneNums) > 0 {
		prefetch(unsafe.Pointer(unsafe.SliceData(f.phoneNums)))
	}
}

// prefetchStrings asks for the bytes of the strings a comparison reads first.
func prefetchStrings(f *feat) {
	if len(f.emails) > 0 {
		prefetch(unsafe.Pointer(unsafe.StringData(f.emails[0])))
	}
	if len(f.locals) > 0 {
		prefetch(unsafe.Pointer(unsafe.StringData(f.locals[0])))
	}
	if f.street != "" {
		prefetch(unsafe.Pointer(unsafe.StringData(f.street)))
	}
	if f.post != "" {
		prefetch(unsafe.Pointer(unsafe.StringData(f.post)))
	}
}

func logit(p float64) float64 { return math.Log2(p / (1 - p)) }

// prepareAll prepares every record, on every CPU. Each worker interns the names,
// places and dates it prepares: the records of a million share a few thousand given
// names, and when equal values share their bytes, comparing them checks one pointer
// and the bytes of unequal ones stay in cache, where before comparing reached into
// a million scattered strings.
//
// With nick, each record's first given and first family name are placed in those
// lists (feat.nick1, feat.famRef): the records must then be compared with nick and
// no other lists.
func prepareAll(recs []Record, nick *Nicknames) []feat {
	fs := make([]feat, len(recs))
	const chunk = 1 << 14
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := interner(make(map[string]string, min(len(recs), 1<<16)))
			for {
				lo := int(next.Add(chunk) - chunk)
				if lo >= len(recs) {
					return
				}
				for i := lo; i < min(lo+chunk, len(recs)); i++ {
					fs[i] = prepare(&recs[i])
					in.feat(&fs[i])
					ownWords(&fs[i])
					if nick != nil && fs[i].given1 != "" {
						fs[i].nick1 = nick.ref(fs[i].given1)
					}
					if nick != nil && fs[i].famFirst != "" {
						fs[i].famRef = nick.ref(fs[i].famFirst)
					}
				}
			}
		}()
	}
	wg.Wait()
	return fs
}

// interner maps each string to the first equal one seen.
type interner map[string]string

func (in interner) str(s string) string {
	if s == "" {
		return s
	}
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}

// feat interns the names and the town: the values comparing reads most, and the
// ones most repeated (streets and postcodes, less so, cost more to intern than
// they save).
//
// A first word that is the whole value (most names are one word) is the interned
// value itself: one lookup, not two.
func (in interner) feat(f *feat) {
	f.given, f.given1 = in.whole(f.given, f.given1)
	f.family, f.famFirst = in.whole(f.family, f.famFirst)
	f.city = in.str(f.city)
}

// whole interns a value and its first word.
func (in interner) whole(v, first string) (string, string) {
	v2 := in.str(v)
	if first == v {
		return v2, v2
	}
	return v2, in.str(first)
}

// ownWords points the word list of a one-word name at the name itself, in the
// record (f must be in its final place): a list of its own would be one more
// scattered read per pair compared.
func ownWords(f *feat) {
	if len(f.famToks) == 1 && f.famToks[0] == f.family {
		f.famToks = unsafe.Slice(&f.family, 1)
	}
	if len(f.givenToks) == 1 && f.givenToks[0] == f.given {
		f.givenToks = unsafe.Slice(&f.given, 1)
	}
}

// parallel runs work over [0,n) in chunks on every CPU, reporting items done.
func parallel(ctx context.Context, n int, work func(lo, hi int), done func(int64)) error {
	const chunk = 1 << 14
	var next, finished atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				lo := int(next.Add(chunk) - chunk)
				if lo >= n {
					return
				}
				hi := min(lo+chunk, n)
				work(lo, hi)
				d := finished.Add(int64(hi - lo))
				if done != nil {
					done(d)
				}
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// Explainer explains pairs with a stored model.
type Explainer struct {
	sc     *scorer
	shared Shared
	nick   *Nicknames
}

// NewExplainer returns an explainer for a model, term frequencies (tf may be nil)
// and what the run found shared.
func NewExplainer(m *Model, tf *TF, nick *Nicknames, shared Shared) *Explainer {
	if nick == nil {
		nick = DefaultNicknames()
	}
	return &Explainer{sc: newScorer(m, tf, nick), shared: shared, nick: nick}
}

// Explain lays out the score of two records.
func (e *Explainer) Explain(a, b *Record) Explanation {
	fs := []feat{prepare(a), prepare(b)}
	applyShared(fs, e.shared, e.nick)
	return e.sc.explain(&fs[0], &fs[1], a, b)
}
