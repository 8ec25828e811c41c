package match

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Training follows Splink's unsupervised recipe:
//   - u from pairs drawn at random, nearly all of which are different people;
//   - m by expectation maximisation over the candidate pairs of each exact blocking
//     key in turn, leaving out the comparisons that rule's keys agree on (their agreement
//     there says nothing about matching), with u held fixed; each comparison's m is
//     the mean over the sessions that estimated it;
//   - the prior λ from the share of candidate pairs EM finds to be matches.
// On small data EM is pulled towards the built-in starting values by pseudo-counts,
// so a list of 200 contacts gets sensible weights too.

const (
	uSamplePairs  = 500_000 // random pairs drawn to estimate u
	emPseudo      = 20.0    // pseudo-matches pulling m towards its starting value
	emIterations  = 40
	emMinPairs    = 30 // sessions with fewer pairs are skipped
	emMaxPatterns = 1 << 20
)

// estimateU sets model.U from random pairs.
func estimateU(ctx context.Context, m *Model, fs []feat, cmp *comparer, rnd *rand.Rand) error {
	n := len(fs)
	if n < 2 {
		return nil
	}
	var counts [numComp][]float64
	for c := range counts {
		counts[c] = make([]float64, len(Comparisons[c].Levels))
	}
	// The pairs are drawn first, in order, so the sample does not depend on how the
	// counting is spread over CPUs; each CPU then counts its share.
	var pairs [][2]int32
	total := float64(n) * float64(n-1) / 2
	if total <= uSamplePairs {
		pairs = make([][2]int32, 0, int(total))
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				pairs = append(pairs, [2]int32{int32(i), int32(j)})
			}
		}
	} else {
		pairs = make([][2]int32, uSamplePairs)
		for k := range pairs {
			i, j := rnd.IntN(n), rnd.IntN(n-1)
			if j >= i {
				j++
			}
			pairs[k] = [2]int32{int32(i), int32(j)}
		}
	}
	var mu sync.Mutex
	err := parallel(ctx, len(pairs), func(lo, hi int) {
		var local [numComp][]float64
		for c := range local {
			local[c] = make([]float64, len(counts[c]))
		}
		var lv levels
		ps := pairs[lo:hi]
		for k, p := range ps {
			// Both records are anywhere in memory: fetched ahead as in comparePairs.
			if k+12 < len(ps) {
				prefetchFeat(&fs[ps[k+12][0]])
				prefetchFeat(&fs[ps[k+12][1]])
			}
			if k+4 < len(ps) {
				prefetchLists(&fs[ps[k+4][0]])
				prefetchLists(&fs[ps[k+4][1]])
			}
			if k+2 < len(ps) {
				prefetchStrings(&fs[ps[k+2][0]])
				prefetchStrings(&fs[ps[k+2][1]])
			}
			cmp.compare(&fs[p[0]], &fs[p[1]], &lv)
			for c := 0; c < numComp; c++ {
				local[c][lv[c]]++
			}
		}
		mu.Lock()
		defer mu.Unlock()
		for c := range counts {
			for l := range counts[c] {
				counts[c][l] += local[c][l]
			}
		}
	}, nil)
	if err != nil {
		return err
	}
	for c := 0; c < numComp; c++ {
		known := 0.0
		for l := 1; l < len(counts[c]); l++ {
			known += counts[c][l]
		}
		if known < 100 {
			continue // too few pairs with both values: keep the built-in u
		}
		L := float64(len(counts[c]) - 1)
		for l := 1; l < len(counts[c]); l++ {
			// Add-one smoothing: a level never seen among random pairs (two records
			// sharing a mailbox) gets u of about one in the sample, not zero.
			m.U[c][l] = (counts[c][l] + 1) / (known + L)
		}
	}
	return nil
}

// patternCounts counts the level patterns of the candidate pairs that have any of the
// rule bits in mask (all when mask is 0).
func patternCounts(pats []uint32, rules []uint16, mask uint16) map[uint32]float64 {
	out := map[uint32]float64{}
	for k, p := range pats {
		if mask == 0 || rules[k]&mask != 0 {
			out[p&^swappedBit]++
		}
	}
	return out
}

// sessionCounts counts a training session's patterns: those of patternCounts, less
// the pairs that are a household by rule (different first names, or a relative's
// surname, at a shared email, phone or street, without a matching birth date; see
// conflict). Such pairs are never linked, yet they agree on everything a home
// shares, and EM over the email, phone and family+postcode keys took them for
// matches: a different birth date then looked like something one person's records
// often show, and stopped counting against a link.
func sessionCounts(pats []uint32, rules []uint16, mask uint16) map[uint32]float64 {
	out := map[uint32]float64{}
	for k, p := range pats {
		if rules[k]&mask == 0 {
			continue
		}
		p &^= swappedBit
		if levelOf(p, cEmail) == 2 || levelOf(p, cPhone) == 2 {
			continue
		}
		out[p]++
	}
	return out
}

// householdPair reports the household contradiction of conflict.
func householdPair(lv *levels) bool {
	return (lv[cGiven] == last(cGiven) || lv[cFamily] == 5) && lv[cDOB] != lvExact && sharesHome(lv)
}

// em estimates m for the comparisons in est (true) from counted patterns, u fixed.
// It returns the estimated m, the match share λ and the iterations run.
func em(counts map[uint32]float64, model *Model, est [numComp]bool) (m [numComp][]float64, lambda float64, iters int) {
	type pat struct {
		lv levels
		n  float64
	}
	pats := make([]pat, 0, len(counts))
	for p, n := range counts {
		pats = append(pats, pat{unpack(p), n})
	}
	for c := 0; c < numComp; c++ {
		m[c] = append([]float64(nil), model.M[c]...)
	}
	lambda = 0.3
	for iters = 1; iters <= emIterations; iters++ {
		var sum [numComp][]float64
		var known [numComp]float64
		for c := range sum {
			sum[c] = make([]float64, len(m[c]))
		}
		totalP, total := 0.0, 0.0
		for _, p := range pats {
			logBF := 0.0
			for c := 0; c < numComp; c++ {
				if est[c] && p.lv[c] != lvMissing {
					logBF += math.Log(m[c][p.lv[c]] / model.U[c][p.lv[c]])
				}
			}
			odds := lambda / (1 - lambda) * math.Exp(logBF)
			pm := 1.0
			if !math.IsInf(odds, 1) {
				pm = odds / (1 + odds)
			}
			w := pm * p.n
			totalP += w
			total += p.n
			for c := 0; c < numComp; c++ {
				if est[c] && p.lv[c] != lvMissing {
					sum[c][p.lv[c]] += w
					known[c] += w
				}
			}
		}
		change := 0.0
		for c := 0; c < numComp; c++ {
			if !est[c] {
				continue
			}
			for l := 1; l < len(m[c]); l++ {
				v := (sum[c][l] + emPseudo*defaultM[c][l]) / (known[c] + emPseudo)
				v = math.Max(v, 1e-6)
				change = math.Max(change, math.Abs(v-m[c][l]))
				m[c][l] = v
			}
		}
		nl := math.Min(math.Max(totalP/total, 1e-9), 1-1e-9)
		change = math.Max(change, math.Abs(nl-lambda))
		lambda = nl
		if change < 1e-5 {
			break
		}
	}
	return m, lambda, iters
}

// train estimates m and the prior from candidate pairs (pats: their level patterns)
// for n records.
func train(model *Model, rs *Rules, fs []feat, pats []uint32, ruleBits []uint16) {
	n := len(fs)
	var sums [numComp][]float64
	var sessions [numComp]int
	for c := range sums {
		sums[c] = make([]float64, len(model.M[c]))
	}
	model.Sessions = nil
	var sessionRule []int
	for ri, ru := range rs.list {
		if ru.recall == nil {
			// Keys made for reach (a prefix, an initial, one field alone) gather
			// strangers who look alike in ways random pairs do not: EM over them
			// can call every pair a match. Training uses the exact keys only.
			continue
		}
		counts := sessionCounts(pats, ruleBits, 1<<ri)
		pairs := 0.0
		for _, v := range counts {
			pairs += v
		}
		if pairs < emMinPairs || len(counts) > emMaxPatterns {
			continue
		}
		var est [numComp]bool
		for c := range est {
			est[c] = true
		}
		for _, c := range ru.uses {
			est[c] = false
		}
		m, lambda, iters := em(counts, model, est)
		s := Session{Rule: ru.name, Pairs: int(pairs), Iterations: iters, MatchShare: lambda}
		for c := 0; c < numComp; c++ {
			if est[c] {
				s.Estimated = append(s.Estimated, Comparisons[c].Name)
				for l := range m[c] {
					sums[c][l] += m[c][l]
				}
				sessions[c]++
			}
		}
		model.Sessions = append(model.Sessions, s)
		sessionRule = append(sessionRule, ri)
	}
	for c := 0; c < numComp; c++ {
		if sessions[c] == 0 {
			continue
		}
		for l := 1; l < len(model.M[c]); l++ {
			model.M[c][l] = sums[c][l] / float64(sessions[c])
		}
		model.Trained[c] = true
	}
	model.Prior = estimatePrior(model, rs, sessionRule, fs, pats, ruleBits)
	model.Pairs = int64(len(pats))
	model.Records = n
}

// lambdaOnly runs EM for the match share alone, every m and u fixed.
func lambdaOnly(counts map[uint32]float64, model *Model) float64 {
	type pat struct {
		bf float64
		n  float64
	}
	pats := make([]pat, 0, len(counts))
	total := 0.0
	for p, n := range counts {
		lv := unpack(p)
		w := 0.0
		for c := 0; c < numComp; c++ {
			w += model.weight(c, lv[c])
		}
		pats = append(pats, pat{math.Exp2(w), n})
		total += n
	}
	lambda := 0.1
	for it := 0; it < 100; it++ {
		s := 0.0
		for _, p := range pats {
			odds := lambda / (1 - lambda) * p.bf
			if math.IsInf(odds, 1) {
				s += p.n
				continue
			}
			s += p.n * odds / (1 + odds)
		}
		nl := math.Min(math.Max(s/total, 1e-9), 1-1e-9)
		if math.Abs(nl-lambda) < 1e-7 {
			return nl
		}
		lambda = nl
	}
	return lambda
}

// contactU sets u of exact email and phone matches from the candidate pairs rather
// than from random ones. Among random pairs, nearly every shared mailbox belongs to
// one person: the sample would call a shared address almost as likely for strangers
// as for a match. What u needs is how often *different* people share one, and the
// blocks show it: pairs sharing an address whose first names differ outright are a
// household's, not one person's.
func contactU(model *Model, fs []feat, pats []uint32) {
	for _, c := range []int{cEmail, cPhone} {
		have := 0
		for i := range fs {
			if has(c, &fs[i]) {
				have++
			}
		}
		q := model.U[cGiven][last(cGiven)] // share of random pairs with different first names
		all := float64(have) * float64(have-1) / 2 * q
		if all < 1 {
			continue
		}
		// Strangers sharing a household's address show as pairs with first names
		// that differ; so do strangers whose addresses are near misses of each
		// other. A personal address is by definition never seen under two first
		// names, so strangers sharing one cannot be counted: it gets half a pair, a
		// mailbox being as near to an identifier as contact data comes.
		near := uint8(4) // email: similar (a typo or two)
		if c == cPhone {
			near = 3 // phone: the same last 8 digits
		}
		var strangers [5]float64
		for _, p := range pats {
			if l := levelOf(p, c); (l == 2 || l == near) && levelOf(p, cGiven) == last(cGiven) {
				strangers[l]++
			}
		}
		for _, l := range []uint8{1, 2, near} {
			u := math.Max(strangers[l], 0.5) / all
			if u >= model.U[c][l] {
				continue // the random sample already says more
			}
			model.U[c][last(c)] += model.U[c][l] - u
			model.U[c][l] = u
		}
	}
}

// estimatePrior returns λ, the chance that two random records are one person. EM over
// candidate pairs cannot give it: blocking gathers strangers who agree on the
// blocking key, and with u taken from random pairs they look like matches, so the
// candidates' match share comes out far too high. Instead each session's matches
// (its match share × its pairs) are divided by the share of all matches its rule
// can find (how often both records have the key's fields, times m of the levels that
// share the key); the median over the rules estimates the matches in the data.
func estimatePrior(model *Model, rs *Rules, sessionRule []int, fs []feat, pats []uint32, ruleBits []uint16) float64 {
	n := len(fs)
	total := float64(n) * float64(n-1) / 2
	var present [numComp]float64
	for i := range fs {
		for c := 0; c < numComp; c++ {
			if has(c, &fs[i]) {
				present[c]++
			}
		}
	}
	var estimates []float64
	for k, ri := range sessionRule {
		ru := &rs.list[ri]
		s := &model.Sessions[k]
		if ru.recall == nil {
			continue
		}
		recall := 1.0
		for c, lvs := range ru.recall {
			p := present[c] / float64(n)
			m := 0.0
			for _, l := range lvs {
				m += model.M[c][l]
			}
			recall *= p * p * m
		}
		matches := s.MatchShare * float64(s.Pairs)
		if recall < 1e-6 || matches < 1 {
			continue
		}
		s.EstimatedMatches = matches / recall
		estimates = append(estimates, s.EstimatedMatches)
	}
	if len(estimates) == 0 {
		// No rule to extrapolate from: the share EM finds among candidates, which
		// overstates matches but is all there is.
		lambda := lambdaOnly(patternCounts(pats, ruleBits, 0), model)
		return math.Min(math.Max(lambda*float64(len(pats))/total, 1e-12), 0.5)
	}
	slices.Sort(estimates)
	med := estimates[len(estimates)/2]
	if len(estimates)%2 == 0 {
		med = (estimates[len(estimates)/2-1] + med) / 2
	}
	return math.Min(math.Max(med/total, 1e-12), 0.5)
}

// has reports whether a record has a value for comparison c.
func has(c int, f *feat) bool {
	switch c {
	case cNatID:
		return f.natID != ""
	case cStreet:
		return f.street != ""
	}
	return len(tfValues(c, f)) > 0
}
