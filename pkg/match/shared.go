package match

import (
	"bytes"
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/padron-org/padron/pkg/normalize"
)

// markShared flags each email and phone that records with different first names
// use: a family's address or landline. Sharing one is then weighed as its own level,
// far weaker than a personal address, and lets the review queue, not the matcher,
// decide which of the family a record without a name belongs to.
// Shared holds what records of different people are seen to share: household emails
// and phones, and "namesake homes": a name at an address (email, phone or street)
// that records with birth dates years apart carry, a parent and child of one name.
type Shared struct {
	Emails, Phones, Homes map[string]bool
}

func markShared(fs []feat, cmp *comparer, nick *Nicknames) Shared {
	// The three only read fs: at once, on every CPU (a million records, seconds).
	var phones, homes map[string]bool
	var wg sync.WaitGroup
	wg.Go(func() { phones = sharedValues(fs, cmp, func(f *feat) []string { return f.phones }) })
	wg.Go(func() { homes = namesakeHomes(fs, nick) })
	emails := sharedValues(fs, cmp, func(f *feat) []string { return f.emails })
	for i := range fs {
		for _, e := range fs[i].emails {
			if familyMailbox(e) || gmailFamilyMailbox(e, fs[i].famFirst) {
				emails[e] = true
			}
		}
	}
	wg.Wait()
	sh := Shared{Emails: emails, Phones: phones, Homes: homes}
	applyShared(fs, sh, nick)
	return sh
}

// eachHomeKey calls fn with each of a record's name-at-address keys behind
// phoneHomePrefix, one set per canonical name its first given name stands for (Jerry
// is Gerald, Jeremy and Jerome, and meets a Jeremy under his): name|surname| then an
// email, a phone, or street|postcode. Keys are built in buf (returned for reuse):
// looking every record's keys up as strings allocated a few million of them. When
// want is not nil, only the keys whose name|surname| it wants are made.
func eachHomeKey(buf []byte, f *feat, nick *Nicknames, want func(name []byte) bool, fn func(prefixed []byte)) []byte {
	if f.given1 == "" || f.famFirst == "" {
		return buf
	}
	for _, c := range nick.canon1(f) {
		buf = append(buf[:0], phoneHomePrefix...)
		buf = append(append(append(append(buf, c...), '|'), f.famFirst...), '|')
		n := len(buf)
		if want != nil && !want(buf[len(phoneHomePrefix):]) {
			continue
		}
		for _, e := range f.emails {
			buf = append(buf[:n], e...)
			fn(buf)
		}
		for _, p := range f.phones {
			buf = append(buf[:n], p...)
			fn(buf)
		}
		if f.street != "" {
			buf = append(append(append(buf[:n], f.street...), '|'), f.post...)
			fn(buf)
		}
	}
	return buf
}

// namesakeHomes returns the name-at-address keys carried by records whose birth
// dates are more than ten years and two typos apart, and, prefixed with
// phoneHomePrefix, those carried by records with different phone numbers: a parent
// and a child of one name at one address, each with their own mobile.
//
// Each key a record carries is hashed beside the record's index and the entries
// sorted, as blocking does: records sharing a key are then adjacent, and only their
// keys are built again, to tell keys whose hashes collide apart. Grouping a few
// million keys as strings in maps took seconds.
func namesakeHomes(fs []feat, nick *Nicknames) map[string]bool {
	entries := homeEntries(fs, nick)
	out := map[string]bool{}
	var g homeGroup
	for a := 0; a < len(entries); {
		h := entries[a] >> idxBits
		b := a + 1
		for b < len(entries) && entries[b]>>idxBits == h {
			b++
		}
		if entries[b-1] != entries[a] { // two records at least
			g.resolve(fs, nick, entries[a:b], h, out)
		}
		a = b
	}
	return out
}

// homeHash hashes a name-at-address key; tests make it collide.
var homeHash = func(k []byte) uint64 { return keyHash(unsafe.String(unsafe.SliceData(k), len(k)), "") }

// homeEntries returns, sorted, homeHash(key)<<idxBits | record for each key of each
// record with a birth date or a phone, made on every CPU.
func homeEntries(fs []feat, nick *Nicknames) []uint64 {
	workers := runtime.GOMAXPROCS(0)
	parts := make([][]uint64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var buf []byte
			var i int
			add := func(k []byte) {
				parts[w] = append(parts[w], homeHash(k[len(phoneHomePrefix):])<<idxBits|uint64(i))
			}
			for i = w * len(fs) / workers; i < (w+1)*len(fs)/workers; i++ {
				if fs[i].dob != 0 || len(fs[i].phones) > 0 {
					buf = eachHomeKey(buf, &fs[i], nick, nil, add)
				}
			}
		})
	}
	wg.Wait()
	// Made in record order, so grouping by hash alone (a stable sort) keeps each
	// group's records in order, as sorting them whole did, with two digits fewer.
	return groupByKey(slices.Concat(parts...))
}

// homeGroup sorts out the records of one hash of homeEntries by their keys; its
// buffers serve every group.
type homeGroup struct {
	buf, keys []byte
	at        []homeAt
	rs        []int32
}

// homeAt is one key of a record in homeGroup.keys.
type homeAt struct {
	lo, hi int // the key, with phoneHomePrefix, is keys[lo:hi]
	rec    int32
}

// resolve adds to out the namesake homes among the keys with hash h of the records
// of entries.
func (g *homeGroup) resolve(fs []feat, nick *Nicknames, entries []uint64, h uint64, out map[string]bool) {
	g.keys, g.at = g.keys[:0], g.at[:0]
	var rec int32
	add := func(k []byte) {
		if homeHash(k[len(phoneHomePrefix):])<<idxBits>>idxBits == h {
			g.at = append(g.at, homeAt{len(g.keys), len(g.keys) + len(k), rec})
			g.keys = append(g.keys, k...)
		}
	}
	for x, e := range entries {
		if x > 0 && e == entries[x-1] {
			continue // this record's keys were all taken
		}
		rec = int32(e & idxMask)
		g.buf = eachHomeKey(g.buf, &fs[rec], nick, nil, add)
	}
	key := func(a homeAt) []byte { return g.keys[a.lo:a.hi] }
	slices.SortFunc(g.at, func(a, b homeAt) int {
		if c := bytes.Compare(key(a), key(b)); c != 0 {
			return c
		}
		return int(a.rec - b.rec)
	})
	for a := 0; a < len(g.at); {
		b := a + 1
		for b < len(g.at) && bytes.Equal(key(g.at[b]), key(g.at[a])) {
			b++
		}
		g.rs = g.rs[:0]
		for _, at := range g.at[a:b] {
			if len(g.rs) == 0 || g.rs[len(g.rs)-1] != at.rec {
				g.rs = append(g.rs, at.rec)
			}
		}
		if len(g.rs) >= 2 {
			switch k := key(g.at[a]); homeKind(fs, g.rs) {
			case homeByAge:
				out[string(k[len(phoneHomePrefix):])] = true
			case homeByPhones:
				out[string(k)] = true
			}
		}
		a = b
	}
}

const (
	homeNone = iota
	homeByAge
	homeByPhones
)

// homeKind says whether records sharing a name at an address are a namesake home:
// two of them born more than ten years apart, or else two with different phones.
func homeKind(fs []feat, rs []int32) int {
	phones := false
	for x := 0; x < len(rs); x++ {
		for y := x + 1; y < len(rs); y++ {
			a, b := &fs[rs[x]], &fs[rs[y]]
			if a.dob != 0 && b.dob != 0 && dob(a, b) == dobDifferent {
				return homeByAge
			}
			phones = phones || len(a.phones) > 0 && len(b.phones) > 0 && phone(a, b) == last(cPhone)
		}
	}
	if phones {
		return homeByPhones
	}
	return homeNone
}

// phoneHomePrefix marks, in Shared.Homes, a namesake home found by phone numbers.
const phoneHomePrefix = "~"

// applyShared marks each record's shared values. Records are independent and the
// maps only read, so it runs on every CPU.
func applyShared(fs []feat, sh Shared, nick *Nicknames) {
	names := homeNames(sh.Homes)
	_ = parallel(context.Background(), len(fs), func(lo, hi int) { applySharedRange(fs[lo:hi], sh, names, nick) }, nil)
}

// homeNames returns the name|surname| parts that the namesake homes' keys start
// with: a record's keys under any other are none of the homes, and are not made
// (at a million records, a million and a half keys were looked up, twice, to mark
// some 1,500 records). Names and surnames are folded, so hold no '|'. nil, for a
// key not of that form: every key is looked up.
func homeNames(homes map[string]bool) map[string]bool {
	names := map[string]bool{}
	for k, v := range homes {
		if !v {
			continue
		}
		k = strings.TrimPrefix(k, phoneHomePrefix)
		i := strings.IndexByte(k, '|')
		if i < 0 {
			return nil
		}
		j := strings.IndexByte(k[i+1:], '|')
		if j < 0 {
			return nil
		}
		names[k[:i+1+j+1]] = true
	}
	return names
}

func applySharedRange(fs []feat, sh Shared, names map[string]bool, nick *Nicknames) {
	emails, phones := sh.Emails, sh.Phones
	var buf []byte
	var f *feat
	mark := func(prefixed []byte) {
		f.homonym = f.homonym || sh.Homes[string(prefixed[len(phoneHomePrefix):])]
		f.homonymPhone = f.homonymPhone || sh.Homes[string(prefixed)]
	}
	var want func(name []byte) bool
	if names != nil {
		want = func(name []byte) bool { return names[string(name)] }
	}
	for i := range fs {
		f = &fs[i]
		f.homonym, f.homonymPhone = false, false
		if len(sh.Homes) > 0 {
			buf = eachHomeKey(buf, f, nick, want, mark)
		}
		f.emailShared, f.phoneShared, f.emailOther = 0, 0, 0
		for k, e := range f.emails {
			if k < 64 && emails[e] {
				f.emailShared |= 1 << k
			}
			if k < 64 && mailboxOfOther(e, f, nick) {
				f.emailOther |= 1 << k
			}
		}
		for k, p := range f.phones {
			if k < 64 && phones[p] {
				f.phoneShared |= 1 << k
			}
		}
	}
}

// sharedValues returns the values carried by records whose first names differ
// outright (the comparison's "different" level, not a typo or a nickname).
//
// Records are grouped by sorting (hash of value) << 26 | record index, as blocking
// does, rather than in a map of a million strings, which took seconds.
func sharedValues(fs []feat, cmp *comparer, values func(*feat) []string) map[string]bool {
	entries := make([]uint64, 0, len(fs))
	for i := range fs {
		if fs[i].given1 == "" {
			continue
		}
		for _, v := range values(&fs[i]) {
			entries = append(entries, valueHash(v)<<idxBits|uint64(i))
		}
	}
	entries = groupByKey(entries) // made in record order: see homeEntries
	out := map[string]bool{}
	var vs []string
	var rs []int32
	for a := 0; a < len(entries); {
		h := entries[a] >> idxBits
		b := a + 1
		for b < len(entries) && entries[b]>>idxBits == h {
			b++
		}
		if b-a < 2 {
			a = b
			continue
		}
		// The group's values, in record order, once per time a record carries one
		// (its entries are adjacent): usually one value, two when hashes collide.
		vs, rs = vs[:0], rs[:0]
		for x := a; x < b; x++ {
			i := int32(entries[x] & idxMask)
			if x > a && entries[x] == entries[x-1] {
				continue // this record's values were all taken
			}
			for _, v := range values(&fs[i]) {
				if valueHash(v)<<idxBits>>idxBits == h {
					vs, rs = append(vs, v), append(rs, i)
				}
			}
		}
		a = b
		if !slices.ContainsFunc(vs, func(v string) bool { return v != vs[0] }) {
			if sharedBy(fs, cmp, rs) {
				out[vs[0]] = true
			}
			continue
		}
		for _, v := range slices.Compact(slices.Sorted(slices.Values(vs))) {
			var of []int32
			for k := range vs {
				if vs[k] == v {
					of = append(of, rs[k])
				}
			}
			if sharedBy(fs, cmp, of) {
				out[v] = true
			}
		}
	}
	return out
}

// valueHash hashes a value for sharedValues; tests make it collide.
var valueHash = func(v string) uint64 { return keyHash(v, "") }

// sharedBy says whether the records carrying one value share it: more than 50 of
// them (an office switchboard or a shared inbox), or two whose first names differ.
func sharedBy(fs []feat, cmp *comparer, rs []int32) bool {
	if len(rs) < 2 {
		return false
	}
	if len(rs) > 50 {
		return true
	}
	for x := 0; x < len(rs); x++ {
		for y := x + 1; y < len(rs); y++ {
			if clearlyDifferent(cmp, &fs[rs[x]], &fs[rs[y]]) {
				return true
			}
		}
	}
	return false
}

// clearlyDifferent reports first names that no typo explains: the "different" level,
// in either order, and not one edit apart (Ana/Aja).
func clearlyDifferent(cmp *comparer, a, b *feat) bool {
	return cmp.given(a.given, a.given1, b.given, b.given1, a.nick1, b.nick1) == last(cGiven) &&
		cmp.given(a.given, a.given1, b.family, firstTok(b.family), a.nick1, 0) == last(cGiven) &&
		!editAtMost1(a.given1, b.given1) && jaroWinkler(a.given1, b.given1) < 0.75
}

// familyWords start the user names families give a shared mailbox
// (familia.garcia@, rodzina.nowak@, thesmiths@).
var familyWords = []string{"familia", "family", "famille", "famiglia", "familie", "rodzina", "dom.", "casa.",
	"home.", "the"}

// familyMailbox reports an address named as a household's, shared even when only
// one of the family appears with it.
func familyMailbox(e string) bool {
	for _, w := range familyWords {
		if strings.HasPrefix(e, w) && len(e) > len(w)+3 && (w != "the" || !isVowel(e[3])) {
			return true
		}
	}
	return false
}

// gmailFamilyMailbox reports a family's Gmail address whose dot canonEmail dropped:
// dom.nowak@gmail.com delivers to domnowak@gmail.com, which familyMailbox cannot tell
// from a Domański's own. It is a family's when the family name fam (folded) follows
// the word.
func gmailFamilyMailbox(e, fam string) bool {
	local, dom, _ := strings.Cut(e, "@")
	if dom != "gmail.com" || len(fam) < 3 {
		return false
	}
	for _, w := range familyWords {
		if w, dotted := strings.CutSuffix(w, "."); dotted && strings.HasPrefix(local, w+fam) {
			return true
		}
	}
	return false
}

func isVowel(c byte) bool { return strings.IndexByte("aeiouy", c) >= 0 }

// mailboxOfOther reports whether an address's user name names someone other than the
// record f: the record's family name beside another first name or initial
// ("gorecka.wiktoria" for Borys Górecki, "jrogala" for Wawrzyniec Rogala), or another
// known first name and none of the record's words ("wiktorkrol" for Angelika
// Leśniak). Family members write each other's addresses: a record without a name
// that carries such an address is no more this record's person than the one it names.
func mailboxOfOther(email string, f *feat, nick *Nicknames) bool {
	if f.given1 == "" {
		return false
	}
	local, _, _ := strings.Cut(email, "@")
	var arr [64]byte // the letters, on the stack for any valid user name
	l := arr[:0]
	for i := 0; i < len(local); i++ {
		if c := local[i]; c >= 'a' && c <= 'z' {
			l = append(l, c)
		}
	}
	if len(l) < 2 {
		return false
	}
	letters := string(l) // once, not per reading
	famToks := famWords(f)
	other := false
	for _, o := range [2][2][]string{{f.givenToks, famToks}, {famToks, f.givenToks}} {
		switch nameFit(letters, o[0], o[1], nick) {
		case fitYes:
			return false
		case fitOther:
			other = true
		}
	}
	return other
}

const (
	fitUnknown = iota
	fitYes
	fitOther
)

// nameFit says whether a user name's letters l are made of the given names giv and
// family names fam (fitYes), of the family names and another first name or initial
// (fitOther), or cannot be told.
func nameFit(l string, giv, fam []string, nick *Nicknames) int {
	if len(giv) == 0 || len(giv[0]) < 2 {
		return fitUnknown
	}
	rest, found := l, false
	for _, w := range fam {
		if len(w) < 3 {
			continue
		}
		at, n := strings.Index(rest, w), len(w)
		if at < 0 && len(w) >= 5 {
			// Kowalski in kowalska: the other gender's form of a Polish surname.
			if at = strings.Index(rest, w[:len(w)-1]); at >= 0 && at+n > len(rest) {
				n--
			}
		}
		if at >= 0 {
			rest, found = rest[:at]+rest[at+n:], true
		}
	}
	if !found {
		if g := knownGiven(l); g != "" && !givenFits(g, giv, nick) {
			return fitOther
		}
		return fitUnknown
	}
	switch {
	case rest == "":
		return fitYes
	case len(rest) <= 2:
		for _, g := range giv {
			if g[0] == rest[0] {
				return fitYes
			}
		}
		return fitOther
	case givenFits(rest, giv, nick):
		return fitYes
	case knownGiven(rest) != "":
		return fitOther
	}
	return fitUnknown
}

// givenFits reports whether x is the given name giv, or one of its words, a short or
// mistyped form.
func givenFits(x string, giv []string, nick *Nicknames) bool {
	if x == strings.Join(giv, "") {
		return true
	}
	for _, g := range giv {
		if strings.Contains(x, g) || len(x) >= 3 && strings.HasPrefix(g, x) || nick.Same(x, g) || jaroWinkler(x, g) >= 0.85 {
			return true
		}
	}
	return false
}

// knownGiven returns the longest known given name (of three letters or more) that l
// starts or ends with, or "".
func knownGiven(l string) string {
	best := ""
	for n := len(l); n >= 3 && n > len(best); n-- {
		if normalize.IsGivenName(l[:n]) {
			best = l[:n]
		} else if normalize.IsGivenName(l[len(l)-n:]) {
			best = l[len(l)-n:]
		}
	}
	return best
}
