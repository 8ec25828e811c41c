package match

import (
	"slices"
	"sync"
	"unsafe"
)

// TF holds term frequencies: how many records carry each value of a field. An exact
// match on a value few records share ("Wróbel") is stronger evidence than one on a
// value many share ("García"): its u is the value's frequency rather than the
// comparison's average (Splink's term-frequency adjustment).
type TF struct {
	N      [numComp]int              // records with a value, per comparison
	Counts [numComp]map[string]int32 // records per value
	// Users counts records per email user name (the part before @, without . _ -):
	// "same user, other domain" is weighed by how common the user name is, since
	// anna.wieczorek at two providers may well be two Anna Wieczoreks.
	Users  map[string]int32
	NUsers int
	// rec holds, per comparison, the count of each record's own value (0 for none),
	// by record index, as counted by countTF: scoring reads it instead of hashing the
	// value of every exact match again. Nil when rebuilt by NewTF.
	rec [numComp][]int32
}

// usersKey is the name under which user-name frequencies are stored.
const usersKey = "email:user"

// tfValue returns the value a TF-weighed comparison looks up for one record.
func tfValues(c int, f *feat) []string {
	switch c {
	case cGiven:
		return one(&f.given)
	case cFamily:
		return one(&f.family)
	case cDOB:
		return one(&f.dobS)
	case cEmail:
		return f.emails
	case cPhone:
		return f.phones
	case cPostcode:
		return one(&f.post)
	case cCity:
		return one(&f.city)
	case cOcc:
		return one(&f.occ)
	}
	return nil
}

// one returns the field *s as a list of one (none when empty). The list is the
// field itself, not a copy, so that asking costs no allocation: callers only read it.
func one(s *string) []string {
	if *s == "" {
		return nil
	}
	return unsafe.Slice(s, 1)
}

func countTF(fs []feat) *TF {
	t := &TF{}
	var wg sync.WaitGroup
	for c := 0; c < numComp; c++ {
		if !Comparisons[c].TF {
			continue
		}
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			t.N[c], t.Counts[c], t.rec[c] = countValues(fs, c)
		}(c)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Sized for every user name distinct, as most are: growing it rehashed
		// hundreds of thousands of keys.
		n := 0
		for i := range fs {
			n += len(fs[i].locals)
		}
		t.Users = make(map[string]int32, n)
		for i := range fs {
			if len(fs[i].locals) > 0 {
				t.NUsers++
			}
			for k, l := range fs[i].locals {
				if !slices.Contains(fs[i].locals[:k], l) {
					t.Users[l]++
				}
			}
		}
	}()
	wg.Wait()
	return t
}

// countValues counts the records carrying each value of comparison c, and returns
// the records with a value, the counts, and each record's value's count. Each value is
// hashed once: a record's first visit finds its value's slot, and the counts are
// read back through the slots.
func countValues(fs []feat, c int) (n int, counts map[string]int32, rec []int32) {
	slots := make(map[string]int32)
	var perSlot []int32
	rec = make([]int32, len(fs))
	for i := range fs {
		vs := tfValues(c, &fs[i])
		if len(vs) > 0 {
			n++
		}
		for k, v := range vs {
			s, ok := slots[v]
			if !ok {
				s = int32(len(perSlot))
				slots[v] = s
				perSlot = append(perSlot, 0)
			}
			perSlot[s]++
			if k == 0 {
				rec[i] = s + 1 // slot+1 for now, 0 for no value
			}
		}
	}
	for i, s := range rec {
		if s > 0 {
			rec[i] = perSlot[s-1]
		}
	}
	// The slots map becomes the counts map: same keys, no new table.
	for v, s := range slots {
		slots[v] = perSlot[s]
	}
	return n, slots, rec
}

// userU returns the chance that another record has the user name l.
func (t *TF) userU(l string) (float64, bool) {
	if t == nil || t.Users == nil || t.NUsers < tfMinValues {
		return 0, false
	}
	n := max(t.Users[l]-1, 1)
	return float64(n) / float64(t.NUsers), true
}

// sharedUser returns the user name two records' emails share.
func sharedUser(a, b *feat) string {
	for _, x := range a.locals {
		if len(x) >= 5 && slices.Contains(b.locals, x) {
			return x
		}
	}
	return ""
}

// tfMinValues is how many records must carry a field before its value frequencies
// are trusted: in a list of 20, every shared value looks common.
const tfMinValues = 200

// u returns the chance that another record carries v, for comparison c: (records
// with v − 1) / records with a value, the record itself left out. ok is false when c
// is not weighed by frequency, or too few records carry it.
func (t *TF) u(c int, v string) (float64, bool) {
	if t == nil || t.Counts[c] == nil || t.N[c] < tfMinValues {
		return 0, false
	}
	n := t.Counts[c][v] - 1
	if n < 1 {
		n = 1
	}
	return float64(n) / float64(t.N[c]), true
}

// uOf returns u for comparison c's exact match between records a and b, as
// u(c, shared(c, a, b)) would, reading record ia's counted value (ia < 0: unknown).
func (t *TF) uOf(c int, ia int, a, b *feat) (float64, bool) {
	if t == nil || t.Counts[c] == nil || t.N[c] < tfMinValues {
		return 0, false
	}
	if ia < 0 || t.rec[c] == nil || c == cEmail || c == cPhone {
		return t.u(c, shared(c, a, b))
	}
	n := max(t.rec[c][ia]-1, 1)
	return float64(n) / float64(t.N[c]), true
}

// shared returns the value two records agree on exactly for comparison c.
func shared(c int, a, b *feat) string {
	var av, bv []string
	switch c {
	case cEmail:
		av, bv = a.emails, b.emails
	case cPhone:
		av, bv = a.phones, b.phones
	default:
		// One value a side (or none): a's, as tfValues would give it, without
		// allocating the list (scoring asks this of every exact match).
		return tfValue(c, a)
	}
	if len(av) == 1 {
		return av[0]
	}
	for _, x := range av {
		for _, y := range bv {
			if x == y {
				return x
			}
		}
	}
	return ""
}

// tfValue returns a record's one value for a single-valued comparison ("" for none
// and for the others): tfValues' value without the list.
func tfValue(c int, f *feat) string {
	switch c {
	case cGiven:
		return f.given
	case cFamily:
		return f.family
	case cDOB:
		return f.dobS
	case cPostcode:
		return f.post
	case cCity:
		return f.city
	case cOcc:
		return f.occ
	}
	return ""
}

// Frequent returns, per comparison name, the values at least min records share,
// with the number of records with a value: what the store keeps so that explain and
// review weigh exactly as dedupe did.
func (t *TF) Frequent(min int32) (values map[string]map[string]int32, totals map[string]int) {
	values, totals = map[string]map[string]int32{}, map[string]int{}
	for c := 0; c < numComp; c++ {
		if t.Counts[c] == nil {
			continue
		}
		name := Comparisons[c].Name
		totals[name] = t.N[c]
		values[name] = atLeast(t.Counts[c], min)
	}
	if t.Users != nil {
		values[usersKey], totals[usersKey] = atLeast(t.Users, min), t.NUsers
	}
	return values, totals
}

// atLeast returns the values of counts at least min records share. They are counted
// first, so that the map is made once at its size, not grown through rehashes.
func atLeast(counts map[string]int32, min int32) map[string]int32 {
	size := 0
	for _, n := range counts {
		if n >= min {
			size++
		}
	}
	m := make(map[string]int32, size)
	for v, n := range counts {
		if n >= min {
			m[v] = n
		}
	}
	return m
}

// NewTF rebuilds term frequencies from what Frequent returned.
func NewTF(values map[string]map[string]int32, totals map[string]int) *TF {
	t := &TF{}
	for c := 0; c < numComp; c++ {
		name := Comparisons[c].Name
		if n, ok := totals[name]; ok && Comparisons[c].TF {
			t.N[c] = n
			t.Counts[c] = values[name]
			if t.Counts[c] == nil {
				t.Counts[c] = map[string]int32{}
			}
		}
	}
	if n, ok := totals[usersKey]; ok {
		t.Users, t.NUsers = values[usersKey], n
		if t.Users == nil {
			t.Users = map[string]int32{}
		}
	}
	return t
}
