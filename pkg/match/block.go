package match

import (
	"context"
	"encoding/binary"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// A blocking rule gives each record zero or more keys; records sharing a key become
// candidate pairs. Keys shared by more than the rule's cap of records say too little
// (every "maria garcia" in a national list) and are skipped, and counted as such:
// the other rules still find those people through their email, phone or birth date.
type rule struct {
	name string
	uses []int // comparisons the rule's keys agree on; its EM session leaves them out
	cap  int
	keys func(r *Rules, f *feat, emit func(a, b string))
	// recall lists, per comparison in uses, the levels at which two records of one
	// person surely share the rule's key: with m it tells what share of all matches
	// the rule finds, which turns its session's match count into an estimate of the
	// matches in the whole data (see prior in train.go). nil: not usable so.
	recall map[int][]uint8
}

// Rules holds the blocking rules and what they need.
type Rules struct {
	list []rule
	nick *Nicknames
}

// DefaultCap is the largest block a rule pairs up in full. Pairs grow with the
// square of it: at a million records 40 halves the pairs of 100 for 0.1% of recall.
const DefaultCap = 40

func newRules(nick *Nicknames, capN int) *Rules {
	if capN <= 0 {
		capN = DefaultCap
	}
	small := capN / 2 // keys that say less (one field, a prefix) get smaller blocks
	if small < 2 {
		small = 2
	}
	r := &Rules{nick: nick}
	r.list = []rule{
		{"email", []int{cEmail}, capN, func(_ *Rules, f *feat, emit func(a, b string)) {
			for _, e := range f.emails {
				emit(e, "")
			}
		}, map[int][]uint8{cEmail: {1, 2}}},
		{"phone", []int{cPhone}, capN, func(_ *Rules, f *feat, emit func(a, b string)) {
			for _, p := range f.phones {
				emit(p, "")
			}
		}, map[int][]uint8{cPhone: {1, 2}}},
		{"national_id", []int{cNatID}, capN, func(_ *Rules, f *feat, emit func(a, b string)) {
			if f.natID != "" {
				emit(f.natID, "")
			}
		}, map[int][]uint8{cNatID: {1}}},
		{"given+family", []int{cGiven, cFamily}, capN, func(r *Rules, f *feat, emit func(a, b string)) {
			if f.given1 == "" {
				return
			}
			for _, g := range r.givenKeys(f) {
				for _, t := range f.famToks {
					if g < t { // order-free, so swapped names meet
						emit(g, t)
					} else {
						emit(t, g)
					}
				}
			}
		}, map[int][]uint8{cGiven: {1}, cFamily: {1}}},
		{"email_user", []int{cEmail}, capN, func(_ *Rules, f *feat, emit func(a, b string)) {
			for _, l := range f.locals {
				if len(l) >= 5 {
					emit(l, "") // jan.kowalski at gmail.com and at wp.pl
				}
			}
		}, nil},
		{"email_parts", []int{cEmail}, small, func(_ *Rules, f *feat, emit func(a, b string)) {
			for _, l := range f.locals {
				if len(l) >= 8 {
					// The start and the end of the user name: a typo spares one.
					emit("<", l[:6])
					emit(">", l[len(l)-6:])
				}
				if len(l) >= 6 {
					emit("=", sortedLetters(l)) // swapped letters: avilai55, aivlai55
				}
			}
		}, nil},
		{"given+family_prefix", []int{cGiven}, small, func(r *Rules, f *feat, emit func(a, b string)) {
			if f.given1 == "" {
				return
			}
			for _, g := range r.nick.canon1(f) {
				for _, t := range f.famToks {
					emit(g, prefix(t, 3)) // a typo late in the surname
				}
			}
		}, nil},
		{"family+given_initial", []int{cFamily}, small, func(_ *Rules, f *feat, emit func(a, b string)) {
			if f.given1 == "" {
				return
			}
			for _, t := range f.famToks {
				emit(t, f.given1[:1]) // a typo in the first name
			}
		}, nil},
		{"given+birth_date", []int{cGiven, cDOB}, capN, func(r *Rules, f *feat, emit func(a, b string)) {
			if f.given1 == "" || f.dob == 0 {
				return
			}
			for _, g := range r.givenKeys(f) {
				emit(g, f.dobS)
			}
		}, map[int][]uint8{cGiven: {1}, cDOB: {1}}},
		{"family+birth_date", []int{cFamily, cDOB}, capN, func(_ *Rules, f *feat, emit func(a, b string)) {
			if f.dob == 0 {
				return
			}
			for _, t := range f.famToks {
				emit(t, f.dobS)
			}
		}, map[int][]uint8{cFamily: {1}, cDOB: {1}}},
		{"birth_date+postcode", []int{cDOB, cPostcode}, capN, func(_ *Rules, f *feat, emit func(a, b string)) {
			if f.dob != 0 && f.post != "" {
				emit(f.dobS, f.post)
			}
		}, map[int][]uint8{cDOB: {1}, cPostcode: {1}}},
		{"family+postcode", []int{cFamily, cPostcode}, capN, func(_ *Rules, f *feat, emit func(a, b string)) {
			if f.post == "" {
				return
			}
			for _, t := range f.famToks {
				emit(t, f.post)
			}
		}, map[int][]uint8{cFamily: {1}, cPostcode: {1}}},
		{"given+postcode", []int{cGiven, cPostcode}, capN, func(r *Rules, f *feat, emit func(a, b string)) {
			if f.given1 == "" || f.post == "" {
				return
			}
			for _, g := range r.nick.canon1(f) {
				emit(g, f.post)
			}
		}, map[int][]uint8{cGiven: {1}, cPostcode: {1}}},
		{"family", []int{cFamily}, small, func(_ *Rules, f *feat, emit func(a, b string)) {
			if f.family != "" {
				emit(f.family, "")
			}
		}, nil},
		{"birth_date", []int{cDOB}, small, func(_ *Rules, f *feat, emit func(a, b string)) {
			if f.dob != 0 {
				emit(f.dobS, "")
			}
		}, nil},
	}
	return r
}

// RuleStats says what one blocking rule produced.
type RuleStats struct {
	Rule string `json:"rule"`
	// Blocks is the number of keys shared by two or more records.
	Blocks int `json:"blocks"`
	// Pairs is the number of pairs the rule produced; New those no earlier rule did.
	Pairs int64 `json:"pairs"`
	New   int64 `json:"new_pairs"`
	// SkippedBlocks are keys shared by more records than the rule's cap, holding
	// SkippedRecords records in all.
	SkippedBlocks  int   `json:"skipped_blocks"`
	SkippedRecords int64 `json:"skipped_records"`
	Cap            int   `json:"cap"`
}

// Record indexes are packed into pair keys: 26 bits each, so one run handles up to
// 67 million records.
const (
	maxRecords = 1 << 26
	idxBits    = 26
	idxMask    = 1<<idxBits - 1
)

// candidates holds the distinct candidate pairs, sorted, with which rules found each.
type candidates struct {
	pairs []uint64 // i<<32 | j, i < j
	rules []uint16 // bit r set when rule r produced the pair
}

func pairOf(p uint64) (i, j int) { return int(p >> 32), int(p & 0xffffffff) }

// keyHash hashes a blocking key of one part (b empty) or two (a, then a zero byte,
// then b): FNV-1a, eight bytes at a time, then a final mix. It is fixed, unlike a
// seeded hash, so that the rare collisions (the same hash for two keys, which only
// add a candidate pair) are the same in every run, and so are the results.
func keyHash(a, b string) uint64 {
	h := uint64(14695981039346656037)
	h = hashBytes(h, a)
	if b != "" {
		h *= 1099511628211 // a zero byte between the two parts: "ab"+"c" is not "a"+"bc"
		h = hashBytes(h, b)
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func hashBytes(h uint64, s string) uint64 {
	for len(s) >= 8 {
		h = (h ^ binary.LittleEndian.Uint64([]byte(s[:8]))) * 1099511628211
		h ^= h >> 29
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

// block runs every rule. A pair is produced only when want(i, j) says so (used by
// incremental runs: at least one side new, not already one person).
func (rs *Rules) block(ctx context.Context, fs []feat, want func(i, j int) bool, progress func(done, total int)) (*candidates, []RuleStats, error) {
	if progress != nil {
		progress(0, len(rs.list)+1) // making the keys is blocking's, not the phase before's
	}
	entries := rs.keyEntries(ctx, fs)
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	stats := make([]RuleStats, len(rs.list))
	perRule := make([][]uint64, len(rs.list))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	var mu sync.Mutex
	done := 0
	for ri := range rs.list {
		wg.Add(1)
		sem <- struct{}{}
		go func(ri int) {
			defer wg.Done()
			defer func() { <-sem }()
			perRule[ri], stats[ri] = rs.rulePairs(ri, entries[ri], want)
			entries[ri] = nil
			mu.Lock()
			done++
			if progress != nil {
				progress(done, len(rs.list)+1)
			}
			mu.Unlock()
		}(ri)
	}
	wg.Wait()
	c := mergePairs(perRule, stats, len(fs))
	if progress != nil {
		progress(len(rs.list)+1, len(rs.list)+1)
	}
	return c, stats, nil
}

// keyEntries returns, per rule, its keys as entries (hash of key) << 26 | record
// index, in no particular order. Every rule's keys are made in one pass over the
// records, on every CPU: a pass per rule read all the records (384 bytes each) once
// per rule. A hash collision only adds a candidate pair, which scoring then rejects.
func (rs *Rules) keyEntries(ctx context.Context, fs []feat) [][]uint64 {
	workers := max(1, min(runtime.GOMAXPROCS(0), len(fs)/4096))
	parts := make([][][]uint64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			lo, hi := w*len(fs)/workers, (w+1)*len(fs)/workers
			part := make([][]uint64, len(rs.list))
			for ri := range part {
				part[ri] = make([]uint64, 0, hi-lo)
			}
			var ri, idx int
			emit := func(a, b string) {
				part[ri] = append(part[ri], keyHash(a, b)<<idxBits|uint64(idx))
			}
			for i := lo; i < hi; i++ {
				if (i-lo)&0xffff == 0 && ctx.Err() != nil {
					return
				}
				idx = i
				for ri = range rs.list {
					rs.list[ri].keys(rs, &fs[i], emit)
				}
			}
			parts[w] = part
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	out := make([][]uint64, len(rs.list))
	for ri := range out {
		if workers == 1 {
			out[ri] = parts[0][ri]
			continue
		}
		n := 0
		for w := range parts {
			n += len(parts[w][ri])
		}
		out[ri] = make([]uint64, 0, n)
		for w := range parts {
			out[ri] = append(out[ri], parts[w][ri]...)
			parts[w][ri] = nil
		}
	}
	return out
}

// rulePairs returns the rule's pairs, lo<<32 | hi, from its key entries (which it
// groups in place): in no order, and repeated when two records share two of the
// rule's keys. mergePairs sorts them, with every rule's at once.
func (rs *Rules) rulePairs(ri int, entries []uint64, want func(i, j int) bool) ([]uint64, RuleStats) {
	ru := &rs.list[ri]
	st := RuleStats{Rule: ru.name, Cap: ru.cap}
	// Grouped, records sharing a key sit together.
	entries = groupByKey(entries)
	// Sized up front: growing the list by appending copied it over and over.
	total := 0
	for a := 0; a < len(entries); {
		b := a + 1
		for b < len(entries) && entries[b]>>idxBits == entries[a]>>idxBits {
			b++
		}
		if size := b - a; size <= ru.cap {
			total += size * (size - 1) / 2
		}
		a = b
	}
	out := make([]uint64, 0, total)
	for a := 0; a < len(entries); {
		b := a + 1
		key := entries[a] >> idxBits
		for b < len(entries) && entries[b]>>idxBits == key {
			b++
		}
		size := b - a
		switch {
		case size < 2:
		case size > ru.cap:
			st.SkippedBlocks++
			st.SkippedRecords += int64(size)
		default:
			st.Blocks++
			for x := a; x < b; x++ {
				i := int(entries[x] & idxMask)
				for y := x + 1; y < b; y++ {
					j := int(entries[y] & idxMask)
					if i == j {
						continue // one record emitting one key twice
					}
					lo, hi := i, j
					if lo > hi {
						lo, hi = hi, lo
					}
					if want != nil && !want(lo, hi) {
						continue
					}
					out = append(out, uint64(lo)<<32|uint64(hi))
				}
			}
		}
		a = b
	}
	return out, st
}

// pairBucketBits: mergePairs splits the pairs of n records into about n>>10 ranges
// of their first record, so that each range's pairs (some 12,000 at a million
// records, 100 kB) are sorted in the CPU's cache.
const pairBucketBits = 10

// mergePairs unites the rules' pair lists (as rulePairs returns them) into the
// sorted distinct pairs of records below n, remembering which rules found each, and
// sets each rule's Pairs (its distinct pairs) and New (those no earlier rule found).
//
// Every rule's pairs are sorted at once, each tagged with its rule: one pass
// scatters them by ranges of their first record, then each range is sorted and its
// repeats folded on its own, on every CPU, in cache. Sorting each rule's list in
// full and merging the sorted lists through a heap read every pair from memory six
// times or more, on one CPU for the merge.
func mergePairs(lists [][]uint64, stats []RuleStats, n int) *candidates {
	total := 0
	for _, l := range lists {
		total += len(l)
	}
	if total == 0 {
		return &candidates{}
	}
	// A pair in a range is (lo within its range, hi, rule) in bits: sorting these
	// orders the range as lo<<32|hi, then by rule.
	ib := max(1, bits.Len(uint(n-1)))          // bits of a record index
	rb := max(1, bits.Len(uint(len(lists)-1))) // of a rule
	shift := max(0, ib-pairBucketBits)         // lo>>shift is the range
	nb := (n-1)>>shift + 1
	lowMask := uint64(1)<<shift - 1
	workers := runtime.GOMAXPROCS(0)

	// Where each rule's pairs of each range go: ranges in order, rules in order
	// within a range.
	counts := make([][]int, len(lists))
	eachList := func(fn func(r int)) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for r := int(next.Add(1) - 1); r < len(lists); r = int(next.Add(1) - 1) {
					fn(r)
				}
			})
		}
		wg.Wait()
	}
	eachList(func(r int) {
		c := make([]int, nb)
		for _, p := range lists[r] {
			c[p>>32>>shift]++
		}
		counts[r] = c
	})
	starts := make([]int, nb+1) // range b is all[starts[b]:starts[b+1]]
	sum := 0
	for b := range nb {
		starts[b] = sum
		for r := range lists {
			c := counts[r][b]
			counts[r][b] = sum
			sum += c
		}
	}
	starts[nb] = sum
	all := make([]uint64, total)
	eachList(func(r int) {
		at := counts[r]
		for _, p := range lists[r] {
			lo, hi := p>>32, p&0xffffffff
			b := lo >> shift
			all[at[b]] = ((lo&lowMask)<<ib|hi)<<rb | uint64(r)
			at[b]++
		}
		lists[r] = nil
	})

	// Each range sorted and folded in place: its distinct pairs to its front.
	rules := make([]uint16, total)
	kept := make([]int, nb)
	pairs := make([][]int64, workers) // per worker: Pairs, then New, per rule
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			cnt := make([]int64, 2*len(lists))
			var buf []uint64
			keyBits := shift + ib + rb
			for b := int(next.Add(1) - 1); b < nb; b = int(next.Add(1) - 1) {
				seg := all[starts[b]:starts[b+1]]
				if len(seg) == 0 {
					continue
				}
				if cap(buf) < len(seg) {
					buf = make([]uint64, len(seg))
				}
				sorted := radixSortBits(seg, buf[:len(seg)], keyBits)
				base := uint64(b) << shift
				k := -1
				var last uint64 = ^uint64(0)
				for _, v := range sorted {
					r := int(v & (1<<rb - 1))
					p := v >> rb
					if p != last {
						last = p
						k++
						lo := base | p>>ib
						seg[k] = lo<<32 | p&(1<<ib-1)
						rules[starts[b]+k] = 1 << r
						cnt[r]++
						cnt[len(lists)+r]++ // rules are in order within a pair: r is the first
					} else if bit := uint16(1) << r; rules[starts[b]+k]&bit == 0 {
						rules[starts[b]+k] |= bit
						cnt[r]++
					}
				}
				kept[b] = k + 1
			}
			pairs[w] = cnt
		})
	}
	wg.Wait()
	for _, cnt := range pairs {
		for r := range lists {
			stats[r].Pairs += cnt[r]
			stats[r].New += cnt[len(lists)+r]
		}
	}
	// The ranges' distinct pairs moved together, in order.
	at := 0
	for b := range nb {
		at += copy(all[at:], all[starts[b]:starts[b]+kept[b]])
		copy(rules[at-kept[b]:], rules[starts[b]:starts[b]+kept[b]])
	}
	return &candidates{pairs: all[:at], rules: rules[:at]}
}

func prefix(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// givenKeys returns the canonical forms of a record's first given name and, for a
// double name, of the whole ("Chema" and "José María" both give "jose maria").
func (rs *Rules) givenKeys(f *feat) []string {
	keys := rs.nick.canon1(f)
	if f.given == f.given1 {
		return keys
	}
	whole := rs.nick.Canon(f.given)
	if len(whole) == 1 && whole[0] == f.given {
		return keys // not a known double name
	}
	out := append([]string(nil), keys...)
	for _, k := range whole {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// sortedLetters returns s's bytes in order: the same for any two orderings. It
// counts them (a record's user names are short and few of their bytes differ):
// sorting them, for a million records, took a fifth of a CPU-second.
func sortedLetters(s string) string {
	if len(s) > 255 {
		b := []byte(s)
		slices.Sort(b)
		return string(b)
	}
	var counts [256]uint8
	var seen [4]uint64 // bit per byte value present
	for i := 0; i < len(s); i++ {
		c := s[i]
		counts[c]++
		seen[c>>6] |= 1 << (c & 63)
	}
	b := make([]byte, 0, len(s))
	for w, m := range seen {
		for ; m != 0; m &= m - 1 {
			c := byte(w<<6 | bits.TrailingZeros64(m))
			for range counts[c] {
				b = append(b, c)
			}
		}
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// radixSort sorts a in ascending order and returns it, or the sorted copy it made
// in a buffer of the same length: a least-significant-digit radix sort, 11 bits at
// a time, skipping the digits every value shares (the top bits of pair keys and
// record indexes are mostly zero). On the millions of keys and pairs of a large
// run it takes a fraction of a comparison sort's time.
func radixSort(a []uint64) []uint64 { return radixSortAbove(a, 0) }

// groupByKey orders key entries (key<<idxBits | record) by key alone: what pairing
// needs, since the pairs of a group are made in any order and sorted after. The
// record bits are left unsorted, which saves two of six digits.
func groupByKey(entries []uint64) []uint64 { return radixSortAbove(entries, idxBits) }

// radixSortBits sorts a by its low keyBits bits (the others must be zero) and
// returns it, or buf (of a's length) holding it sorted: radixSort, in digits of
// equal widths up to 11 bits, for the short lists mergePairs sorts many of.
func radixSortBits(a, buf []uint64, keyBits int) []uint64 {
	if len(a) < 256 {
		slices.Sort(a)
		return a
	}
	digits := max(1, (keyBits+10)/11)
	width := (keyBits + digits - 1) / digits
	mask := uint64(1)<<width - 1
	var counts [6][1 << 11]uint32
	for _, v := range a {
		for d := range digits {
			counts[d][v>>(d*width)&mask]++
		}
	}
	src, dst := a, buf
	for d := range digits {
		c := counts[d][:mask+1]
		shift := d * width
		if int(c[src[0]>>shift&mask]) == len(a) {
			continue // every value has this digit
		}
		var sum uint32
		for k := range c {
			c[k], sum = sum, sum+c[k]
		}
		for _, v := range src {
			k := v >> shift & mask
			dst[c[k]] = v
			c[k]++
		}
		src, dst = dst, src
	}
	return src
}

// radixSortAbove is radixSort by the bits from low up only: values equal there keep
// their order (a short list, sorted whole, is a valid such order too).
func radixSortAbove(a []uint64, low int) []uint64 {
	const bits, buckets = 11, 1 << 11
	if len(a) < 256 {
		slices.Sort(a)
		return a
	}
	var counts [(64 + bits - 1) / bits][buckets]int
	digits := (64 - low + bits - 1) / bits
	for _, v := range a {
		for d := range digits {
			counts[d][v>>(low+d*bits)&(buckets-1)]++
		}
	}
	buf := make([]uint64, len(a))
	src, dst := a, buf
	for d := range digits {
		c := &counts[d]
		shift := low + d*bits
		if c[src[0]>>shift&(buckets-1)] == len(a) {
			continue // every value has this digit
		}
		sum := 0
		for k := range c {
			c[k], sum = sum, sum+c[k]
		}
		for _, v := range src {
			k := v >> shift & (buckets - 1)
			dst[c[k]] = v
			c[k]++
		}
		src, dst = dst, src
	}
	return src
}
