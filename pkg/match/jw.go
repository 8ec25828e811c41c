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
	}
	for i := 1; i <= la; i++ {
		cur[0] = uint8(min(i, inf))
		best := cur[0]
		for j := 1; j <= lb; j++ {
			if j < i-2 || j > i+2 {
				cur[j] = inf
				continue
			}
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
