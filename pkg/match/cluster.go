package match

import (
	"slices"
)

// clusterer joins records into people: union–find over accepted links, strongest
// first, where two groups are joined only if no record of one contradicts a record
// of the other (the guard against chaining: A–C and C–B must not make A–B one
// person when A and B have different birth dates).
type clusterer struct {
	parent  []int32
	members [][]int32
	cannot  map[uint64]bool
	fs      []feat
	cmp     *comparer
	// sc and floor judge pairs a link would join indirectly; nil sc checks
	// contradictions only.
	sc    *scorer
	floor float64
	// Rejected counts links refused because they would have joined contradicting
	// records.
	Rejected int
}

func newClusterer(fs []feat, cmp *comparer) *clusterer {
	n := len(fs)
	c := &clusterer{parent: make([]int32, n), members: make([][]int32, n), fs: fs, cmp: cmp, cannot: map[uint64]bool{}}
	for i := range c.parent {
		c.parent[i] = int32(i)
	}
	return c
}

func pairKey(i, j int) uint64 {
	if i > j {
		i, j = j, i
	}
	return uint64(i)<<32 | uint64(j)
}

func (c *clusterer) find(i int32) int32 {
	for c.parent[i] != i {
		c.parent[i] = c.parent[c.parent[i]]
		i = c.parent[i]
	}
	return i
}

func (c *clusterer) group(r int32) []int32 {
	if c.members[r] == nil {
		return []int32{r}
	}
	return c.members[r]
}

// union joins the groups of i and j without any check (existing people, decisions).
func (c *clusterer) union(i, j int) {
	ri, rj := c.find(int32(i)), c.find(int32(j))
	if ri == rj {
		return
	}
	gi, gj := c.group(ri), c.group(rj)
	if len(gi) < len(gj) {
		ri, rj, gi, gj = rj, ri, gj, gi
	}
	c.parent[rj] = ri
	c.members[ri] = append(gi, gj...)
	c.members[rj] = nil
}

// link joins the groups of i and j unless the guard refuses; it reports whether they
// are one group afterwards.
func (c *clusterer) link(i, j int) bool {
	ri, rj := c.find(int32(i)), c.find(int32(j))
	if ri == rj {
		return true
	}
	gi, gj := c.group(ri), c.group(rj)
	var lv levels
	// A link resting on names and places alone may not join records whose emails
	// differ (see indirectConflict).
	bare := false
	if c.sc != nil && len(gi)*len(gj) > 1 {
		c.cmp.compare(&c.fs[i], &c.fs[j], &lv)
		bare = !personal(&lv)
	}
	for _, x := range gi {
		for _, y := range gj {
			if len(c.cannot) > 0 && c.cannot[pairKey(int(x), int(y))] {
				c.Rejected++
				return false
			}
			if int(x) == i && int(y) == j || int(x) == j && int(y) == i {
				continue // the link itself was checked when scored
			}
			if c.indirectConflict(&c.fs[x], &c.fs[y], &lv, bare) {
				c.Rejected++
				return false
			}
		}
	}
	c.union(i, j)
	return true
}

// indirectConflict says whether two records may not become one person through
// others: a contradiction (see conflict), or, directly, a match probability below
// chainFloor with a phone that differs, or an email that differs while both have a
// phone or the link joining them (bare) agrees on nothing personal. The first stops
// a household being joined through a record without a first name; the second stops
// chains of namesakes ("Jan Kowalski" with one address, then another, then another,
// or one with a phone and one with an email joined through a record with the name
// alone). A different email alone, in a pair with a phone missing, is left to weigh
// when the link itself rests on something personal: one person's emails are
// mistyped beyond recognition often enough (fake_1000 shows it).
func (c *clusterer) indirectConflict(a, b *feat, lv *levels, bare bool) bool {
	var w float64
	if c.sc != nil {
		w = c.sc.score(a, b, lv)
	} else {
		c.cmp.compare(a, b, lv)
	}
	strict := strictAll
	if c.sc != nil {
		strict = c.sc.strict
	}
	if conflict(lv, strict) {
		return true
	}
	if c.sc == nil || w >= c.floor {
		return false
	}
	return lv[cPhone] == last(cPhone) || lv[cEmail] == last(cEmail) && (lv[cPhone] != lvMissing || bare)
}

// personal reports whether a pair agrees on something personal: a birth date (up
// to a typo or a day/month swap), an email or a phone (up to a near miss), a national
// id.
func personal(lv *levels) bool {
	return lv[cDOB] != lvMissing && lv[cDOB] <= 3 ||
		lv[cEmail] != lvMissing && lv[cEmail] < last(cEmail) ||
		lv[cPhone] != lvMissing && lv[cPhone] < last(cPhone) ||
		lv[cNatID] != lvMissing && lv[cNatID] < last(cNatID)
}

// clusters numbers the groups 0..k-1 in order of their smallest record.
func (c *clusterer) clusters() []int32 {
	out := make([]int32, len(c.parent))
	// Each root's number, -1 until given: roots are record indexes, so a slice serves
	// where a map of a million roots grew through rehashes.
	ids := make([]int32, len(c.parent))
	for i := range ids {
		ids[i] = -1
	}
	next := int32(0)
	for i := range c.parent {
		r := c.find(int32(i))
		if ids[r] < 0 {
			ids[r] = next
			next++
		}
		out[i] = ids[r]
	}
	return out
}

// AssignIDs gives each cluster a person id. A cluster keeps the old id most of its
// records had (each old id goes to the one cluster holding most of its records, ties
// to the cluster with the lowest record); other clusters get fresh ids from next, in
// order of their first record. old may be nil.
func AssignIDs(cluster []int32, old []int64, next func() int64) []int64 {
	k := int32(0)
	for _, c := range cluster {
		if c+1 > k {
			k = c + 1
		}
	}
	type cell struct {
		cluster int32
		old     int64
		n       int
		first   int
	}
	counts := map[[2]int64]*cell{}
	for i, c := range cluster {
		if old == nil || old[i] == 0 {
			continue
		}
		key := [2]int64{int64(c), old[i]}
		if counts[key] == nil {
			counts[key] = &cell{cluster: c, old: old[i], first: i}
		}
		counts[key].n++
	}
	cells := make([]*cell, 0, len(counts))
	for _, v := range counts {
		cells = append(cells, v)
	}
	slices.SortFunc(cells, func(a, b *cell) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return a.first - b.first
	})
	id := make([]int64, k)
	used := map[int64]bool{}
	for _, c := range cells {
		if id[c.cluster] == 0 && !used[c.old] {
			id[c.cluster], used[c.old] = c.old, true
		}
	}
	out := make([]int64, len(cluster))
	for i, c := range cluster {
		if id[c] == 0 {
			id[c] = next()
		}
		out[i] = id[c]
	}
	return out
}
