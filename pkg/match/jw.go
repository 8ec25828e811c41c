package match

import "github.com/agnivade/levenshtein"

// Jaro–Winkler is written here rather than taken from a library: it runs tens of
// millions of times per dedupe, and this version works on the folded ASCII keys
// directly, without converting to runes or allocating (the libraries we looked at do
// both on every call).

// jaroWinkler returns the Jaro–Winkler similarity of a and b (0 to 1), with the
// usual prefix scale 0.1 over at most four characters. Both are byte strings;
// callers pass folded ASCII keys.
func jaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	j := jaro(a, b)
	if j <= 0.7 {
		return j
	}
	l := 0
	for l < 4 && l < len(a) && l < len(b) && a[l] == b[l] {
		l++
	}
	return j + float64(l)*0.1*(1-j)
}

// jwBound returns an upper bound of jaroWinkler(a, b), in O(len a + len b): Jaro's
// matches are at most the letters the two share regardless of position, and its
// transpositions at least none. Comparisons use it to skip the quadratic Jaro
// of pairs that cannot reach a threshold (see jwAtLeast).
func jwBound(a, b string) float64 { return jwBoundFor(a, b, 0.80) }

// jwBoundFor is jwBound for a caller that asks whether jaroWinkler reaches at:
// when the lengths alone keep the bound below at, it is returned without counting
// the letters (at 0.92, names of 4 and 6 letters cannot match).
func jwBoundFor(a, b string, at float64) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 || la > 255 || lb > 255 || a == b {
		return 1
	}
	l := 0
	for l < 4 && l < la && l < lb && a[l] == b[l] {
		l++
	}
	bound := func(m int) float64 {
		mf := float64(m)
		j := (mf/float64(la) + mf/float64(lb) + 1) / 3
		return j + float64(l)*0.1*(1-j)
	}
	// First with the most matches the lengths allow; then counting the letters in
	// common. Bytes are counted modulo 128, which can only add matches.
	if b := bound(min(la, lb)); b < max(at, 0.80) {
		return b
	}
	m := sharedLetters(a, b)
	if m == 0 {
		return 0
	}
	return bound(m)
}

// farApart reports two strings more than two edits apart (insertions, deletions,
// substitutions or swaps of neighbours) whose Jaro–Winkler similarity is below 0.80:
// no typo of each other and not alike. One count of the letters they share bounds
// both: each edit changes at most one shared letter, and Jaro's matches are at most
// the shared letters (as in jwBound). Comparisons ask it first of values that are
// usually strangers', to skip their slower tests.
func farApart(a, b string) bool {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 || la > 255 || lb > 255 {
		return false
	}
	m := sharedLetters(a, b)
	if max(la, lb)-m <= 2 {
		return false
	}
	l := 0
	for l < 4 && l < la && l < lb && a[l] == b[l] {
		l++
	}
	mf := float64(m)
	j := (mf/float64(la) + mf/float64(lb) + 1) / 3
	return j+float64(l)*0.1*(1-j) < 0.80-jwSlack
}

// jwSlack keeps jwBound on the safe side of floating-point rounding.
const jwSlack = 1e-9

// jwAtLeast reports whether jaroWinkler(a, b) >= min, skipping the full computation
// when the bound already rules it out.
func jwAtLeast(a, b string, min float64) bool {
	if jwBoundFor(a, b, min) < min-jwSlack {
		return false
	}
	return jaroWinkler(a, b) >= min
}

// jwFrom returns jaroWinkler(a, b) when it may reach min, and 0 when it surely
// does not: for callers that compare the result only with thresholds of min or more.
func jwFrom(a, b string, min float64) float64 {
	if jwBoundFor(a, b, min) < min-jwSlack {
		return 0
	}
	return jaroWinkler(a, b)
}

func jaro(a, b string) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	la, lb := len(a), len(b)
	if la == 0 {
		return 0
	}
	var bufA, bufB [64]bool
	var ma, mb []bool
	if la <= 64 && lb <= 64 {
		ma, mb = bufA[:la], bufB[:lb]
	} else {
		ma, mb = make([]bool, la), make([]bool, lb)
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > lb {
			hi = lb
		}
		c := a[i]
		for k := lo; k < hi; k++ {
			if !mb[k] && b[k] == c {
				ma[i], mb[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	trans, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			trans++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(la) + m/float64(lb) + (m-float64(trans/2))/m) / 3
}

// editAtMost1 reports whether a and b differ by at most one insertion, deletion,
// substitution, or swap of two adjacent bytes (the typing slips dates and ids suffer).
func editAtMost1(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	if la == lb {
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	}
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if lb-la != 1 {
		return false
	}
	i := 0
	for i < la && a[i] == b[i] {
		i++
	}
	return a[i:] == b[i+1:]
}

// editWithin2 reports whether a and b are at most two edits apart (insertions,
// deletions, substitutions), with a banded dynamic programme over bytes that never
// allocates for names up to 64 bytes.
func editWithin2(a, b string) bool {
	la, lb := len(a), len(b)
	if la-lb > 2 || lb-la > 2 {
		return false
	}
	if la > 64 || lb > 64 {
		return levenshtein.ComputeDistance(a, b) <= 2
	}
	const inf = 3
	var prev, cur [65]uint8
	for j := 0; j <= lb; j++ {
		prev[j] = uint8(min(j, inf))
		cur[j] = inf
	}
	// Only the band |i-j| <= 2 can hold a distance within 2; cells outside it are
	// inf, and of them only cur[i-3] (set in an earlier row) is read.
	for i := 1; i <= la; i++ {
		cur[0] = uint8(min(i, inf))
		if i-3 >= 1 {
			cur[i-3] = inf
		}
		best := cur[0]
		for j := max(1, i-2); j <= min(lb, i+2); j++ {
			cost := uint8(1)
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j-1]+cost, prev[j]+1, cur[j-1]+1, inf)
			cur[j] = v
			best = min(best, v)
		}
		if best > 2 {
			return false
		}
		prev = cur
	}
	return prev[lb] <= 2
}

// sharedLetters counts the letters two strings have in common, each letter of a
// matched once. Bytes are counted modulo 128, which can only add matches.
func sharedLetters(a, b string) int {
	var n [128]uint8
	for i := 0; i < len(a); i++ {
		n[a[i]&127]++
	}
	m := 0
	for i := 0; i < len(b); i++ {
		if c := b[i] & 127; n[c] > 0 {
			n[c]--
			m++
		}
	}
	return m
}
