package match

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

func TestBlockingPairsAndStats(t *testing.T) {
	recs := []Record{
		{GivenName: "Anna", FamilyName: "Nowak", Emails: []string{"anna.nowak@wp.pl"}},
		{GivenName: "Ania", FamilyName: "Nowak", Emails: []string{"anna.nowak@wp.pl"}},
		{GivenName: "Anna", FamilyName: "Nowak", Phones: []string{"+48600100200"}},
		{GivenName: "Piotr", FamilyName: "Zieliński", Phones: []string{"+48600100200"}},
		{GivenName: "Ewa", FamilyName: "Kos"},
	}
	fs := prepareAll(recs, DefaultNicknames())
	rs := newRules(DefaultNicknames(), 0)
	c, stats, err := rs.block(context.Background(), fs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]RuleStats{}
	for _, s := range stats {
		byName[s.Rule] = s
	}
	// 0–1 share an email, 2–3 a phone, and 0, 1 (Ania is Anna) and 2 a name.
	want := map[[2]int]bool{{0, 1}: true, {2, 3}: true, {0, 2}: true, {1, 2}: true}
	if len(c.pairs) != len(want) {
		t.Fatalf("pairs %v, want %v", c.pairs, want)
	}
	for k, p := range c.pairs {
		i, j := pairOf(p)
		if !want[[2]int{i, j}] {
			t.Errorf("unexpected pair %d-%d", i, j)
		}
		if i == 0 && j == 1 && c.rules[k]&1 == 0 {
			t.Errorf("pair 0-1 not marked as found by the email rule: %b", c.rules[k])
		}
	}
	if s := byName["email"]; s.Pairs != 1 || s.New != 1 {
		t.Errorf("email: %+v", s)
	}
	if s := byName["given+family"]; s.Pairs != 3 || s.New != 2 {
		t.Errorf("given+family: %+v (0-1 was the email rule's)", s)
	}
	var newSum int64
	for _, s := range stats {
		newSum += s.New
	}
	if newSum != int64(len(c.pairs)) {
		t.Errorf("new pairs add up to %d, pairs %d", newSum, len(c.pairs))
	}

	// A block over the cap is skipped and counted.
	rs = newRules(DefaultNicknames(), 2)
	_, stats, _ = rs.block(context.Background(), fs, nil, nil)
	for _, s := range stats {
		if s.Rule == "given+family" && (s.SkippedBlocks != 1 || s.SkippedRecords != 3) {
			t.Errorf("cap 2: %+v", s)
		}
	}
}

// radixSort must sort exactly as slices.Sort does, whatever the spread of the
// values: short lists, shared digits, duplicates, full 64-bit values.
func TestRadixSort(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 5, 255, 256, 1000, 70000} {
		for _, mask := range []uint64{0, 1, 0xff, 1<<20 - 1, 0xfffff<<32 | 0xfffff, ^uint64(0)} {
			a := make([]uint64, n)
			for i := range a {
				a[i] = rnd.Uint64() & mask
			}
			want := slices.Clone(a)
			slices.Sort(want)
			if got := radixSort(a); !slices.Equal(got, want) {
				t.Fatalf("n %d mask %x: radixSort differs from slices.Sort", n, mask)
			}
		}
	}
}

// groupByKey must order entries by their key bits, each value kept, those of one key
// in their first order (lists too short for a radix sort are sorted whole).
func TestGroupByKey(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 255, 256, 1000, 70000} {
		for _, keys := range []uint64{1, 7, 1 << 20, 1 << 38} {
			a := make([]uint64, n)
			for i := range a {
				a[i] = (rnd.Uint64()%keys)<<idxBits | rnd.Uint64()&idxMask
			}
			want := slices.Clone(a)
			if n >= 256 {
				slices.SortStableFunc(want, func(x, y uint64) int { return cmp.Compare(x>>idxBits, y>>idxBits) })
			} else {
				slices.Sort(want)
			}
			if got := groupByKey(a); !slices.Equal(got, want) {
				t.Fatalf("n %d keys %d: groupByKey differs", n, keys)
			}
		}
	}
}

// keyEntries makes every rule's keys in one pass, the records split between CPUs:
// each rule must get exactly the keys a pass of its own over all records gives, and
// records on either side of a split must still meet.
func TestKeyEntriesSplitLikeOnePass(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	givens := []string{"Anna", "Ania", "Piotr", "Ewa", "Jan", "Maria"}
	families := []string{"Nowak", "Kos", "Zieliński", "Wójcik"}
	recs := make([]Record, 20000)
	for i := range recs {
		g, f := givens[i%len(givens)], families[(i/7)%len(families)]
		recs[i] = Record{GivenName: g, FamilyName: f,
			Emails:    []string{fmt.Sprintf("%s.%s%d@example.org", g, f, i%5000)},
			BirthDate: int32(19400101 + (i%50)*10000 + i%28)}
	}
	recs[len(recs)-1].Phones = []string{"+48600100200"}
	recs[0].Phones = []string{"+48600100200"}
	fs := prepareAll(recs, DefaultNicknames())
	rs := newRules(DefaultNicknames(), 0)
	got := rs.keyEntries(context.Background(), fs)
	for ri, ru := range rs.list {
		var want []uint64
		for i := range fs {
			ru.keys(rs, &fs[i], func(a, b string) { want = append(want, keyHash(a, b)<<idxBits|uint64(i)) })
		}
		slices.Sort(want)
		g := slices.Clone(got[ri])
		slices.Sort(g)
		if !slices.Equal(g, want) {
			t.Errorf("%s: %d entries, want %d, or different ones", ru.name, len(g), len(want))
		}
	}
	c, _, err := rs.block(context.Background(), fs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := slices.BinarySearch(c.pairs, uint64(len(recs)-1)); !ok {
		t.Errorf("records 0 and %d share a phone but are no candidate pair", len(recs)-1)
	}
}

// Making the keys is part of blocking: block tells its progress before it starts,
// so that the run's phase times do not count it in preparing.
func TestBlockTellsProgressFirst(t *testing.T) {
	fs := prepareAll([]Record{{GivenName: "Anna", FamilyName: "Nowak"}, {GivenName: "Anna", FamilyName: "Nowak"}}, DefaultNicknames())
	rs := newRules(DefaultNicknames(), 0)
	var calls [][2]int
	if _, _, err := rs.block(context.Background(), fs, nil, func(d, t int) { calls = append(calls, [2]int{d, t}) }); err != nil {
		t.Fatal(err)
	}
	n := len(rs.list) + 1
	if len(calls) != n+1 || calls[0] != [2]int{0, n} || calls[n] != [2]int{n, n} {
		t.Errorf("progress %v, want 0 of %d first and %d of %d last", calls, n, n, n)
	}
}

// mergePairs must give what sorting every rule's pairs into a map gives: each
// distinct pair once, in order, with the rules that found it, and per rule its
// distinct pairs and those no earlier rule found, whatever the lists' order and
// repeats, and with few records (one range each) or many (ranges of 1024).
func TestMergePairsLikeMap(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 5, 300, 5000, 70000} {
		nrules := 1 + rnd.IntN(15)
		lists := make([][]uint64, nrules)
		found := map[uint64]uint16{}
		perRule := make([]map[uint64]bool, nrules)
		for r := range lists {
			perRule[r] = map[uint64]bool{}
			for range rnd.IntN(3 * n) {
				i, j := rnd.IntN(n), rnd.IntN(n)
				if i == j {
					continue
				}
				p := uint64(min(i, j))<<32 | uint64(max(i, j))
				lists[r] = append(lists[r], p)
				if rnd.IntN(4) == 0 {
					lists[r] = append(lists[r], p) // a repeat
				}
				found[p] |= 1 << r
				perRule[r][p] = true
			}
		}
		stats := make([]RuleStats, nrules)
		c := mergePairs(lists, stats, n)
		want := slices.Sorted(maps.Keys(found))
		if !slices.Equal(c.pairs, want) {
			t.Fatalf("n %d: %d pairs, want %d", n, len(c.pairs), len(want))
		}
		newPairs := make([]int64, nrules)
		for k, p := range c.pairs {
			if c.rules[k] != found[p] {
				t.Fatalf("n %d: pair %x rules %b, want %b", n, p, c.rules[k], found[p])
			}
			newPairs[bits.TrailingZeros16(found[p])]++
		}
		for r := range stats {
			if stats[r].Pairs != int64(len(perRule[r])) || stats[r].New != newPairs[r] {
				t.Fatalf("n %d rule %d: %+v, want %d pairs, %d new", n, r, stats[r], len(perRule[r]), newPairs[r])
			}
		}
	}
}

// radixSortBits must sort as slices.Sort does, for every width of key.
func TestRadixSortBits(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for keyBits := 1; keyBits <= 64; keyBits++ {
		for _, n := range []int{0, 1, 255, 256, 3000} {
			a := make([]uint64, n)
			for k := range a {
				a[k] = rnd.Uint64() >> (64 - keyBits)
			}
			want := slices.Sorted(slices.Values(a))
			if got := radixSortBits(a, make([]uint64, n), keyBits); !slices.Equal(got, want) {
				t.Fatalf("bits %d n %d: differs from slices.Sort", keyBits, n)
			}
		}
	}
}

// sortedLetters must give the bytes in order, as sorting them does.
func TestSortedLetters(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 2, 12, 13, 64, 255, 256, 300} {
		for range 50 {
			b := make([]byte, n)
			for k := range b {
				switch rnd.IntN(3) {
				case 0:
					b[k] = byte(rnd.IntN(256))
				default:
					b[k] = 'a' + byte(rnd.IntN(4)) // repeats
				}
			}
			want := slices.Clone(b)
			slices.Sort(want)
			if got := sortedLetters(string(b)); got != string(want) {
				t.Fatalf("sortedLetters(%q) = %q, want %q", b, got, want)
			}
		}
	}
}
