package synth

import (
	"cmp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// refYear anchors ages and payment dates so output never depends on the clock.
const refYear = 2025

type household uint8

const (
	hhNone household = iota
	hhCouple
	hhParentChild
)

// skeleton is the cheap part of a person, computed from hashes alone: enough to decide
// which files their records go to without building names and addresses.
type skeleton struct {
	idx        int
	nat        nation
	cty        country
	hh         household
	hasEmail   bool
	shareEmail bool // household members write the same email
	sharePhone bool // household members write the same phone
}

// isSecond reports whether the person is the second member of a household pair.
func (s skeleton) isSecond() bool { return s.hh != hhNone && s.idx%2 == 1 }

type phone struct {
	cty  country
	area string // AR area code; empty otherwise
	nsn  string // national significant number, digits only ("" = no phone)
}

type date struct{ y, m, d int }

func (d date) zero() bool { return d.y == 0 }

type person struct {
	sk       skeleton
	female   bool
	given    string
	fam1     string
	famBase  string // fam1 before Polish gender agreement, shared within a family
	fam2     string // Spanish/Argentine second surname, "" if none
	email    string
	ph       phone
	birth    date
	pl       *place
	postcode string // digits for ES/PL/AR, full code for GB
	street   string
	husband  string // a surname a woman may add when married (noise)
	common   bool   // given one of the deliberately common full names
	// sameName is the expected number of people in the data set with this given name
	// and first surname; email addresses get more digits the higher it is, so that
	// unrelated namesakes do not end up sharing an address by accident.
	sameName float64
}

func (p *person) family() string {
	if p.fam2 != "" {
		return p.fam1 + " " + p.fam2
	}
	return p.fam1
}

// population mix and where each group lives.
var (
	nationShare = [numNations]float64{natPL: 0.35, natES: 0.35, natAR: 0.20, natEN: 0.10}
	residence   = [numNations][numCountries]float64{
		natPL: {ctyPL: 0.92, ctyES: 0.08},
		natES: {ctyES: 0.96, ctyPL: 0.02, ctyGB: 0.02},
		natAR: {ctyAR: 0.60, ctyES: 0.40},
		natEN: {ctyGB: 0.30, ctyES: 0.50, ctyPL: 0.20},
	}
)

// commonNames are full names given on purpose to several unrelated people (hard
// negatives): same name, different email, birth date and city.
var commonNames = [numNations][][3]string{ // sex, given, family
	natPL: {{"f", "Anna", "Nowak"}, {"m", "Jan", "Kowalski"}, {"f", "Katarzyna", "Wiśniewski"}, {"m", "Piotr", "Wójcik"}},
	natES: {{"m", "Juan", "García"}, {"f", "María", "García"}, {"m", "José", "Martínez"}, {"f", "Carmen", "López"}},
	natAR: {{"m", "Juan", "Pérez"}, {"f", "María", "González"}, {"m", "Carlos", "Rodríguez"}},
	natEN: {{"m", "John", "Smith"}, {"f", "Mary", "Jones"}, {"m", "David", "Brown"}},
}

func pickNation(u float64) nation {
	for n := nation(0); n < numNations; n++ {
		if u < nationShare[n] {
			return n
		}
		u -= nationShare[n]
	}
	return natEN
}

func pickCountry(n nation, u float64) country {
	for c := country(0); c < numCountries; c++ {
		if u < residence[n][c] {
			return c
		}
		u -= residence[n][c]
	}
	return country(0)
}

// skeleton derives the cheap facts about person i.
func (g *gen) skeleton(i int) skeleton {
	s := skeleton{idx: i}
	seed := g.seed
	b := uint64(i / 2)
	if 2*int(b)+1 < g.people {
		u := unit(hash3(seed, keyHouse, b))
		if u < g.tune.household {
			if u < g.tune.household*0.55 {
				s.hh = hhCouple
			} else {
				s.hh = hhParentChild
			}
		}
	}
	natKey := uint64(i) << 1
	if s.hh != hhNone {
		natKey = b<<1 | 1 // both members of a household share origin and country
	}
	h := hash3(seed, keyNation, natKey)
	s.nat = pickNation(unit(h))
	s.cty = pickCountry(s.nat, unit(mix(h)))
	s.hasEmail = unit(hash3(seed, keyEmail, uint64(i))) >= g.tune.noEmail || g.mailingOnly
	if s.hh != hhNone {
		u := unit(hash3(seed, keyShare, b))
		s.shareEmail = u < 0.55
		s.sharePhone = u >= 0.40
		if s.shareEmail {
			s.hasEmail = true
		}
	}
	return s
}

// build makes person i in full. The second member of a household is derived from the
// first, so it rebuilds the first (cheap, and keeps memory flat).
func (g *gen) build(w *worker, i int) person {
	sk := g.skeleton(i)
	if !sk.isSecond() {
		w.pr.reset(g.seed, keyPerson, uint64(i))
		return g.newPerson(w.pr, sk, nil)
	}
	psk := g.skeleton(i - 1)
	w.pr.reset(g.seed, keyPerson, uint64(i-1))
	first := g.newPerson(w.pr, psk, nil)
	w.pr.reset(g.seed, keyPartner, uint64(i))
	return g.newPerson(w.pr, sk, &first)
}

// newPerson builds a person; rel is the first household member when sk is the second.
func (g *gen) newPerson(r *rng, sk skeleton, rel *person) person {
	t := g.tab
	p := person{sk: sk}
	p.female = r.chance(0.52)

	// Age: the first member of a parent/child household is the parent.
	var age int
	switch {
	case rel != nil && sk.hh == hhCouple:
		p.female = !rel.female
		if r.chance(0.05) {
			p.female = rel.female
		}
		age = max(18, refYear-rel.birth.y+r.between(-6, 6))
	case rel != nil && sk.hh == hhParentChild:
		age = max(16, refYear-rel.birth.y-r.between(20, 38))
	case sk.hh == hhParentChild:
		age = r.between(45, 86)
	case sk.hh == hhCouple:
		age = r.between(24, 82)
	default:
		age = adultAge(r)
	}
	p.birth = date{y: refYear - age, m: r.between(1, 12)}
	p.birth.d = r.between(1, daysIn(p.birth.y, p.birth.m))

	var pg, ps float64
	p.given, pg = g.givenName(r, sk.nat, p.female)
	if rel != nil && sk.hh == hhParentChild && p.female == rel.female && r.chance(0.3) {
		p.given = rel.given // "junior": same name, same surname, same address
	}
	p.fam1, ps = pickSurname(r, t, sk.nat)
	if sk.nat == natES || (sk.nat == natAR && r.chance(0.25)) {
		p.fam2, _ = pickSurname(r, t, natES)
		if p.fam2 == p.fam1 && r.chance(0.9) {
			p.fam2, _ = pickSurname(r, t, natES)
		}
	}
	p.sameName = float64(g.people) * nationShare[sk.nat] * 0.5 * pg * ps
	if rel == nil && r.chance(g.tune.common) {
		cn := commonNames[sk.nat][r.IntN(len(commonNames[sk.nat]))]
		p.female = cn[0] == "f"
		p.given, p.fam1 = cn[1], cn[2]
		p.common = true
	}
	if p.common {
		p.sameName = float64(g.people) // many on purpose
	}
	if rel != nil {
		switch {
		case sk.hh == hhParentChild:
			// Children carry the parent's (first) surname.
			p.fam1 = rel.famBase
		case sk.nat == natPL || sk.nat == natEN:
			if r.chance(0.75) { // married couples usually share a surname here
				p.fam1 = rel.famBase
			}
		}
	}
	p.famBase = p.fam1
	if sk.nat == natPL {
		p.fam1 = polishGender(p.fam1, p.female)
	}
	if p.female {
		p.husband, _ = pickSurname(r, t, sk.nat)
		if sk.nat == natPL {
			p.husband = polishGender(p.husband, true)
		}
	}

	// Address: a household lives together.
	if rel != nil {
		p.pl, p.postcode, p.street = rel.pl, rel.postcode, rel.street
	} else {
		p.pl = g.pickPlace(r, sk.cty)
		p.postcode = postcode(r, p.pl)
		p.street = street(r, t, sk.cty)
	}

	if r.chance(g.tune.noPhone) && !(rel != nil && sk.sharePhone) {
		p.ph = phone{cty: sk.cty}
	} else {
		p.ph = makePhone(r, sk.cty, p.pl, g.people <= ukFictionalMaxPeople)
	}
	if rel != nil && sk.sharePhone && rel.ph.nsn != "" {
		p.ph = rel.ph
	}

	if sk.hasEmail {
		p.email = makeEmail(r, &p)
		if sk.hh != hhNone && sk.shareEmail {
			if rel != nil {
				p.email = rel.email
			} else if r.chance(0.4) {
				p.email = familyEmail(r, &p)
			}
		}
		if !(rel != nil && sk.shareEmail) {
			p.email = g.ownMailbox(p.email, sk.idx)
		}
	}
	return p
}

// A mailbox belongs to one person or one household. Addresses are drawn from names,
// so two unrelated namesakes could draw the same one; mailboxes records, for each
// address drawn (as the mailbox it delivers to), the first person who drew it, and
// ownMailbox gives everyone else a number of their own instead.
type mailboxOwner struct {
	h   uint64 // hash of the canonical mailbox
	idx int32
}

// claimMailboxes draws every person's address once and keeps its first owner.
func (g *gen) claimMailboxes() {
	owners := make([]mailboxOwner, g.people)
	workers := max(1, runtime.GOMAXPROCS(0))
	chunk := (g.people + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < g.people; lo += chunk {
		hi := min(lo+chunk, g.people)
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := g.newWorker()
			for i := lo; i < hi; i++ {
				owners[i] = mailboxOwner{idx: int32(i)}
				sk := g.skeleton(i)
				if !sk.hasEmail || sk.isSecond() && sk.shareEmail {
					continue // no address, or the household's, drawn by its first member
				}
				if p := g.build(w, i); p.email != "" {
					owners[i].h = mailboxHash(p.email)
				}
			}
		}()
	}
	wg.Wait()
	slices.SortFunc(owners, func(a, b mailboxOwner) int {
		if c := cmp.Compare(a.h, b.h); c != 0 {
			return c
		}
		return cmp.Compare(a.idx, b.idx)
	})
	out := owners[:0]
	for k, o := range owners {
		if o.h != 0 && (k == 0 || owners[k-1].h != o.h) {
			out = append(out, o)
		}
	}
	g.mailboxes = slices.Clip(out)
}

// ownMailbox returns e when person idx is its first owner (or no owners are known),
// and otherwise the same user name with a number no drawn address has: 100000 and
// up, one per person.
func (g *gen) ownMailbox(e string, idx int) string {
	if g.mailboxes == nil || e == "" {
		return e
	}
	h := mailboxHash(e)
	k, found := slices.BinarySearchFunc(g.mailboxes, h, func(o mailboxOwner, h uint64) int { return cmp.Compare(o.h, h) })
	if !found || int(g.mailboxes[k].idx) == idx {
		return e
	}
	local, dom, _ := strings.Cut(e, "@")
	local = strings.TrimRight(local, "0123456789")
	return local + strconv.Itoa(100000+idx) + "@" + dom
}

// mailboxHash hashes the mailbox an address delivers to: Gmail ignores dots.
func mailboxHash(e string) uint64 {
	local, dom, _ := strings.Cut(e, "@")
	if dom == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	h := uint64(14695981039346656037)
	for _, s := range []string{local, "@", dom} {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * 1099511628211
		}
	}
	return mix(h) | 1 // never 0, which means "no address"
}

func adultAge(r *rng) int {
	// A volunteer/donor base: few teenagers, many 25-65, a tail to 90.
	switch u := r.Float64(); {
	case u < 0.08:
		return r.between(16, 22)
	case u < 0.78:
		return r.between(23, 65)
	default:
		return r.between(66, 90)
	}
}

// daysIn is the number of days of month m: day 0 of the next month is its last day.
func daysIn(y, m int) int { return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// givenName draws a given name and returns the probability of having drawn it.
func (g *gen) givenName(r *rng, n nation, female bool) (string, float64) {
	t := g.tab
	list, share := t.givenM[n], 1.0
	if female {
		list = t.givenF[n]
	}
	if n == natAR {
		share = 0.45
		if r.chance(0.55) {
			list, share = t.arOnlyM, 0.55
			if female {
				list = t.arOnlyF
			}
		}
	}
	k := r.skewIdx(len(list), givenSkew)
	return list[k], share * skewProb(k, len(list), givenSkew)
}

// polishGender turns adjectival surnames into their feminine form (Kowalski → Kowalska,
// Konieczny → Konieczna); noun surnames (Nowak) do not change.
func polishGender(s string, female bool) string {
	if !female {
		return s
	}
	switch {
	case strings.HasSuffix(s, "ski"), strings.HasSuffix(s, "cki"), strings.HasSuffix(s, "dzki"):
		return s[:len(s)-1] + "a"
	case strings.HasSuffix(s, "ny"):
		return s[:len(s)-1] + "a"
	}
	return s
}

func (g *gen) pickPlace(r *rng, c country) *place {
	ps := g.tab.places[c]
	u := r.IntN(g.tab.placeTotal[c])
	for i := range ps {
		if u < ps[i].cumw {
			return &ps[i]
		}
	}
	return &ps[len(ps)-1]
}

const gbLetters = "ABDEFGHJLNPQRSTUWXYZ" // letters used in the inward part of UK postcodes

func postcode(r *rng, p *place) string {
	if p.country == ctyGB {
		area := p.areas[r.IntN(len(p.areas))]
		return area + strconv.Itoa(r.between(1, 20)) + " " + strconv.Itoa(r.IntN(10)) +
			string(gbLetters[r.IntN(len(gbLetters))]) + string(gbLetters[r.IntN(len(gbLetters))])
	}
	n := p.lo
	if p.hi > p.lo {
		n = r.between(p.lo, p.hi)
	}
	s := strconv.Itoa(n)
	for len(s) < p.width {
		s = "0" + s
	}
	if p.country == ctyPL {
		s = s[:2] + "-" + s[2:] // 00-950
	}
	return s
}

func street(r *rng, t *tables, c country) string {
	name := r.pick(t.streets[c])
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte(' ')
	switch c {
	case ctyES:
		b.WriteString(strconv.Itoa(r.between(1, 160)))
		switch r.IntN(4) {
		case 0:
			b.WriteString(", " + strconv.Itoa(r.between(1, 9)) + "º " + string("ABCD"[r.IntN(4)]))
		case 1:
			b.WriteString(", " + strconv.Itoa(r.between(1, 6)) + "º " + []string{"izq.", "dcha.", "izda.", "dcha"}[r.IntN(4)])
		case 2:
			b.WriteString(", bajo")
		}
	case ctyPL:
		b.WriteString(strconv.Itoa(r.between(1, 120)))
		if r.chance(0.6) {
			b.WriteString("/" + strconv.Itoa(r.between(1, 80)))
		}
	case ctyAR:
		b.WriteString(strconv.Itoa(r.between(100, 5200)))
		switch r.IntN(3) {
		case 0:
			b.WriteString(", " + strconv.Itoa(r.between(1, 14)) + "° " + string("ABCDEF"[r.IntN(6)]))
		case 1:
			b.WriteString(", PB")
		}
	case ctyGB:
		s := strconv.Itoa(r.between(1, 220)) + " " + name
		if r.chance(0.2) {
			s = "Flat " + strconv.Itoa(r.between(1, 30)) + ", " + s
		}
		return s
	}
	return b.String()
}

var plMobilePrefixes = []string{"50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"}

func digits(r *rng, b []byte, n int) []byte {
	for range n {
		b = append(b, byte('0'+r.IntN(10)))
	}
	return b
}

// ukFictionalMaxPeople: up to this many people, UK numbers come from Ofcom's drama
// ranges (reserved for fiction). Those hold about ten thousand numbers, so in bigger
// runs unrelated UK residents would share numbers by accident; there ordinary UK
// mobile numbers (07xxx) are drawn instead.
const ukFictionalMaxPeople = 10_000

// makePhone draws a mobile number valid for the country (for GB, see
// ukFictionalMaxPeople).
func makePhone(r *rng, c country, pl *place, ukFictional bool) phone {
	b := make([]byte, 0, 12)
	p := phone{cty: c}
	switch c {
	case ctyES:
		if r.chance(0.85) {
			b = append(b, '6')
		} else {
			b = append(b, '7', byte('1'+r.IntN(4)))
		}
		b = digits(r, b, 9-len(b))
	case ctyPL:
		b = append(b, r.pick(plMobilePrefixes)...)
		b = digits(r, b, 7)
	case ctyAR:
		p.area = pl.phone
		b = append(b, p.area...)
		b = append(b, byte('2'+r.IntN(6)))
		b = digits(r, b, 10-len(b))
	case ctyGB:
		switch {
		case !ukFictional:
			b = append(b, '7', "45789"[r.IntN(5)]) // 076 is pagers, not mobiles
		case r.chance(0.6):
			b = append(b, "7700900"...)
		default:
			b = append(b, pl.phone...)
		}
		b = digits(r, b, 10-len(b))
	}
	p.nsn = string(b)
	return p
}

// Email domains by country of residence. Webmail addresses always get digits in the
// local part so they are plainly synthetic; most addresses use the reserved example
// domains.
var emailDomains = [numCountries][]struct {
	d string
	w float64
}{
	ctyES: {{"example.org", 22}, {"example.com", 20}, {"example.net", 12}, {"gmail.com", 26}, {"hotmail.com", 8}, {"hotmail.es", 4}, {"yahoo.es", 4}, {"outlook.es", 4}},
	ctyPL: {{"example.org", 20}, {"example.com", 18}, {"example.net", 12}, {"gmail.com", 24}, {"wp.pl", 10}, {"onet.pl", 7}, {"o2.pl", 5}, {"interia.pl", 4}},
	ctyAR: {{"example.org", 20}, {"example.com", 22}, {"example.net", 10}, {"gmail.com", 30}, {"hotmail.com", 10}, {"yahoo.com.ar", 8}},
	ctyGB: {{"example.org", 22}, {"example.com", 22}, {"example.net", 12}, {"gmail.com", 24}, {"outlook.com", 10}, {"yahoo.co.uk", 10}},
}

func isExampleDomain(d string) bool { return strings.HasPrefix(d, "example.") }

func pickDomain(r *rng, c country) string {
	ds := emailDomains[c]
	var total float64
	for _, d := range ds {
		total += d.w
	}
	u := r.Float64() * total
	for _, d := range ds {
		if u < d.w {
			return d.d
		}
		u -= d.w
	}
	return ds[0].d
}

// localPart turns a name into a plausible mailbox: ASCII, lower case, no spaces.
func localPart(s string) string {
	s = strings.ToLower(fold(s))
	var b strings.Builder
	for _, c := range s {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func makeEmail(r *rng, p *person) string {
	given := p.given
	if f, _, ok := strings.Cut(given, " "); ok && r.chance(0.7) {
		given = f // "María José" usually writes "maria"
	}
	g := localPart(given)
	f := localPart(p.fam1)
	if p.fam2 != "" && r.chance(0.2) {
		f += localPart(p.fam2)
	}
	if g == "" {
		g = "x"
	}
	if f == "" {
		f = "y"
	}
	dom := pickDomain(r, p.sk.cty)
	var local string
	same := p.sameName
	switch r.IntN(9) {
	case 0, 1, 2:
		local = g + "." + f
	case 3:
		local = g + "_" + f
	case 4:
		local = g + f
	case 5:
		local, same = g[:1]+"."+f, same*8 // initials merge different given names
	case 6:
		local = f + "." + g
	case 7:
		local, same = g[:1]+f, same*8
	default:
		local, same = f+g[:1], same*8
	}
	// No digits only on the example domains and only where a namesake is unlikely;
	// webmail addresses always get digits, so they are plainly synthetic. The more
	// namesakes, the more digits, so unrelated people rarely share an address.
	if isExampleDomain(dom) && r.chance(min(0.5, 0.25/max(same, 1e-9))) {
		return local + "@" + dom
	}
	switch {
	case same < 1 && r.chance(0.4):
		local += strconv.Itoa(p.birth.y % 100)
	case same < 20:
		local += strconv.Itoa(r.between(1, 9999))
	default:
		local += strconv.Itoa(r.between(100, 99999))
	}
	return local + "@" + dom
}

// familyEmail is the one address a household shares ("familia.garcia@…").
func familyEmail(r *rng, p *person) string {
	f := localPart(p.fam1)
	var local string
	switch p.sk.nat {
	case natES, natAR:
		local = []string{"familia.", "familia", "casa."}[r.IntN(3)] + f
	case natPL:
		local = []string{"rodzina.", "dom.", "rodzina"}[r.IntN(3)] + f
	default:
		local = []string{"the", "family.", "home."}[r.IntN(3)] + f
	}
	local += strconv.Itoa(r.between(1, 9999))
	return local + "@" + pickDomain(r, p.sk.cty)
}
