package synth

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// Every random decision is derived from (seed, purpose key, index) rather than from one
// long stream, so a person or record can be rebuilt on demand in any order: that is what
// lets Generate write files in shuffled order with flat memory, and write several files
// concurrently, while staying byte-for-byte deterministic.

// Purpose keys: arbitrary distinct constants, one per kind of decision.
const (
	keyNation  = 0x6e6174696f6e0001
	keyHouse   = 0x686f757365000002
	keyEmail   = 0x656d61696c000003
	keyPlan    = 0x706c616e00000004
	keyPerson  = 0x706572736f6e0005
	keyRecord  = 0x7265636f72640006
	keyPerm    = 0x7065726d00000007
	keyShare   = 0x7368617265000008
	keyPartner = 0x706172746e720009
	keyWide    = 0x776964650000000a
)

// mix is the splitmix64 finaliser: a cheap bijective hash with good avalanche.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func hash3(seed, key, i uint64) uint64 { return mix(seed ^ mix(key^mix(i+0x9e3779b97f4a7c15))) }

// unit maps a hash to [0,1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// rng is a reusable PCG-backed generator that is re-seeded for each person or record.
type rng struct {
	pcg rand.PCG
	*rand.Rand
}

func newRNG() *rng {
	g := &rng{}
	g.Rand = rand.New(&g.pcg)
	return g
}

func (g *rng) reset(seed, key, i uint64) {
	g.pcg.Seed(mix(seed^key), mix(i^key^0x2545f4914f6cdd1d))
}

func (g *rng) chance(p float64) bool { return g.Float64() < p }

// between returns an int in [lo, hi].
func (g *rng) between(lo, hi int) int { return lo + g.IntN(hi-lo+1) }

func (g *rng) pick(s []string) string { return s[g.IntN(len(s))] }

// Lists of names are ordered by frequency; index = n·u^skew favours the start, so
// common names are common and the same full name recurs among distinct people, as in
// real registers. Surnames are flatter than given names.
const (
	givenSkew   = 2.0     // first of n given names: about n^(-1/2)
	surnameSkew = 5.0 / 3 // first of n surnames: about n^(-3/5)
)

func (g *rng) skewIdx(n int, skew float64) int {
	return min(n-1, int(float64(n)*math.Pow(g.Float64(), skew)))
}

// skewProb is the probability that skewIdx(n, skew) returns k.
func skewProb(k, n int, skew float64) float64 {
	return math.Pow(float64(k+1)/float64(n), 1/skew) - math.Pow(float64(k)/float64(n), 1/skew)
}

// weighted picks an index with probability proportional to w[i].
func (g *rng) weighted(w []float64) int {
	var total float64
	for _, x := range w {
		total += x
	}
	u := g.Float64() * total
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	for i := len(w) - 1; i >= 0; i-- {
		if w[i] > 0 {
			return i
		}
	}
	return 0
}

// poisson draws from a Poisson distribution by inversion; fine for the small means used.
func (g *rng) poisson(lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	l := math.Exp(-lambda)
	k, p := 0, g.Float64()
	for p > l {
		k++
		p *= g.Float64()
	}
	return k
}

// perm is a keyed bijection on [0, 2^k) used to visit people in a shuffled order
// without storing the order: values >= n are skipped (cycle walking by iteration).
type perm struct {
	n     uint64
	mask  uint64
	shift uint
	a, b  [3]uint64
}

func newPerm(n int, seed, key uint64) perm {
	k := uint(bits.Len64(uint64(max(n-1, 1))))
	p := perm{n: uint64(n), mask: 1<<k - 1, shift: k/2 + 1}
	for i := range p.a {
		h := hash3(seed, key, uint64(i))
		p.a[i] = (h | 1) & p.mask // odd multiplier: bijective mod 2^k
		p.b[i] = mix(h) & p.mask
		if p.a[i] == 0 {
			p.a[i] = 1
		}
	}
	return p
}

// size is how many positions to iterate over (a power of two >= n).
func (p perm) size() uint64 { return p.mask + 1 }

func (p perm) at(j uint64) uint64 {
	x := j
	for i := range p.a {
		x = (x*p.a[i] + p.b[i]) & p.mask
		x ^= x >> p.shift
	}
	return x
}
