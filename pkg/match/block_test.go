package match

import (
	"context"
	"math/rand/v2"
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
	fs := prepareAll(recs)
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
