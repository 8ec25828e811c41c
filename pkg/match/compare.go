package match

import (
	"strings"

	"github.com/padron-org/padron/pkg/normalize"
)

// The comparisons, in the order of a pattern's levels. Level 0 of every comparison
// means "a value is missing on one side": it says nothing either way (weight 0).
const (
	cGiven = iota
	cFamily
	cDOB
	cEmail
	cPhone
	cNatID
	cPostcode
	cCity
	cStreet
	cOcc
	numComp
)

// Level numbers shared by all comparisons: 1 is always the exact match, and the last
// level of each comparison is "different".
const (
	lvMissing = 0
	lvExact   = 1
)

// Comparison describes one field comparison: its levels, strongest first.
type Comparison struct {
	Name   string   `json:"name"`
	Levels []string `json:"levels"` // index = level; [0] is "missing"
	// TF says whether an exact match is weighed by how common the value is.
	TF bool `json:"tf"`
}

// Comparisons lists every comparison and its levels; docs/matching.md describes them.
var Comparisons = [numComp]Comparison{
	cGiven:    {"given_name", []string{"missing", "exact", "nickname or first name", "similar (JW ≥ 0.92)", "similar (JW ≥ 0.85)", "initial", "different"}, true},
	cFamily:   {"family_name", []string{"missing", "exact", "one surname dropped or added", "similar (JW ≥ 0.92)", "similar (JW ≥ 0.80)", "a relative's (another surname differs, or the other gender's form)", "different"}, true},
	cDOB:      {"birth_date", []string{"missing", "exact", "day and month swapped", "one typo", "within a year", "two typos or within 10 years", "different", "missing, and a namesake of another age lives there"}, true},
	cEmail:    {"email", []string{"missing", "same mailbox", "same mailbox, shared by several people", "same user, other domain", "similar (a typo or two)", "different"}, false},
	cPhone:    {"phone", []string{"missing", "exact", "exact, shared by several people", "same last 8 digits", "different"}, false},
	cNatID:    {"national_id", []string{"missing", "exact", "one typo", "different"}, false},
	cPostcode: {"postcode", []string{"missing", "exact", "one typo", "different"}, true},
	cCity:     {"city", []string{"missing", "exact", "similar (JW ≥ 0.90 or two typos)", "different"}, true},
	cStreet:   {"street", []string{"missing", "exact", "similar (JW ≥ 0.90)", "different"}, false},
	cOcc:      {"occupation", []string{"missing", "exact", "different"}, true},
}

// levels holds one pair's level per comparison.
type levels [numComp]uint8

// pattern packs levels into 3 bits each (every comparison has at most 8 levels),
// so that a candidate pair's comparison costs four bytes to keep.
func (l *levels) pattern() uint32 {
	var p uint32
	for i := numComp - 1; i >= 0; i-- {
		p = p<<3 | uint32(l[i])
	}
	return p
}

// emailSameUser is the email level "same user, other domain".
const emailSameUser = 3

// swappedBit marks, in a stored pattern, a pair whose names matched swapped.
const swappedBit = 1 << 31

func unpack(p uint32) (l levels) {
	for i := 0; i < numComp; i++ {
		l[i] = uint8(p & 7)
		p >>= 3
	}
	return l
}

// levelOf returns comparison c's level in a stored pattern: unpack's, for one.
func levelOf(p uint32, c int) uint8 { return uint8(p >> (3 * c) & 7) }

func last(c int) uint8 { return uint8(len(Comparisons[c].Levels) - 1) }

// comparer compares prepared records.
type comparer struct {
	nick *Nicknames
}

// compare fills lv for a and b and reports whether the names matched best with given
// and family name swapped on one side ("KOWALSKA ANNA" typed into the given-name
// column).
func (c *comparer) compare(a, b *feat, lv *levels) (swapped bool) {
	lv[cGiven] = c.given(a.given, a.given1, b.given, b.given1, a.nick1, b.nick1)
	lv[cFamily] = family(a.family, a.famToks, b.family, b.famToks)
	if lv[cGiven]+lv[cFamily] > 4 && a.given != "" && b.given != "" {
		swapped = c.swapNames(a, b, lv)
	}
	lv[cDOB] = dob(a, b)
	lv[cEmail] = email(a, b)
	if lv[cEmail] == 4 && lv[cGiven] == last(cGiven) {
		// Addresses are made from names: a near miss between people with different
		// first names (aguirren@, aguirrea@) is a relative's, not a typo.
		lv[cEmail] = last(cEmail)
	}
	lv[cPhone] = phone(a, b)
	lv[cNatID] = exactTypo(a.natID, b.natID, cNatID)
	lv[cPostcode] = exactTypo(a.post, b.post, cPostcode)
	lv[cCity] = town(a.city, b.city)
	lv[cStreet] = similar(a.street, b.street, 0.90, cStreet)
	switch {
	case a.occ == "" || b.occ == "":
		lv[cOcc] = lvMissing
	case a.occ == b.occ:
		lv[cOcc] = lvExact
	default:
		lv[cOcc] = 2
	}
	if lv[cDOB] == lvMissing && (a.homonym && b.homonym || a.homonymPhone && b.homonymPhone && lv[cPhone] != lvExact) &&
		lv[cGiven] <= 2 && lv[cGiven] != lvMissing && lv[cFamily] <= 2 && lv[cFamily] != lvMissing && sharesHome(lv) {
		// Two people of this name live here, of different ages or with a phone each;
		// without a birth date on both (or, for the phones, one number on both), which
		// one a record is cannot be told.
		lv[cDOB] = dobNamesake
	}
	return swapped
}

// swapNames improves poor name levels by comparing the names across columns: the
// swapped order ("KOWALSKA ANNA" in the given-name column), a family name left empty
// on one side with its given name compared to the other's family name, and the
// whole names as sets of words, for names split at another place ("Daniel | Domínguez
// Gallego" and "Domínguez | Gallego Daniel"). It reports whether it did.
func (c *comparer) swapNames(a, b *feat, lv *levels) bool {
	switch {
	case a.family == "" && b.family == "":
		return false
	case a.family == "" || b.family == "":
		// "Jan" with no family name against "Zych | Jan": the lone name may be the
		// other's family name column's.
		if a.family == "" {
			a, b = b, a
		}
		if b.givenInit&a.famInit == 0 {
			return false
		}
		if g := c.given(a.family, a.famFirst, b.given, b.given1, a.famRef, b.nick1); g < lv[cGiven] && g <= 4 {
			lv[cGiven] = g
			return true
		}
		return false
	}
	if a.givenInit&b.famInit != 0 || a.famInit&b.givenInit != 0 {
		// The swap is taken only with both levels at 4 or better: the family
		// comparison is left out when the given names' already rules it out.
		if g := c.given(a.given, a.given1, b.family, b.famFirst, a.nick1, b.famRef); g <= 4 {
			f := family(a.family, a.famToks, b.given, b.givenToks)
			if g+f < lv[cGiven]+lv[cFamily] && f <= 4 {
				lv[cGiven], lv[cFamily] = g, f
				return true
			}
		}
	}
	if lv[cGiven] != lvExact && lv[cFamily] != lvExact && a.initials == b.initials {
		switch wordsMatch(a.nameToks, b.nameToks) {
		case 2:
			lv[cGiven], lv[cFamily] = lvExact, lvExact
			return true
		case 1:
			lv[cGiven], lv[cFamily] = 3, 3
			return true
		}
	}
	return false
}

func firstTok(s string) string {
	f, _, _ := strings.Cut(s, " ")
	return f
}

// given compares two given names, whole and first words (a1, b1); ra and rb are the
// first words' refs (see Nicknames.ref), 0 when not looked up.
func (c *comparer) given(a, a1, b, b1 string, ra, rb int32) uint8 {
	switch {
	case a == "" || b == "":
		return lvMissing
	case a == b:
		return lvExact
	// Same(a, b) is asked only of double names: for single ones it is Same(a1, b1).
	case a1 == b1 || c.nick.sameRef(a1, ra, b1, rb) || (a != a1 || b != b1) && (c.nick.Same(a, b) || shareWord(a, b)):
		return 2
	case genderPair(a1, b1):
		return 6 // Mario/María, Daniel/Daniela: siblings and spouses, not typos
	}
	// Only whether jw reaches 0.85 or 0.92 matters: below 0.85 it may read 0.
	jw := jwFrom(a, b, 0.85)
	if a1 != a || b1 != b {
		if j1 := jwFrom(a1, b1, 0.85); j1 > jw {
			jw = j1
		}
	}
	switch {
	case jw >= 0.92:
		return 3
	case jw >= 0.85, len(a1) >= 4 && len(b1) >= 4 && editAtMost1(a1, b1),
		len(a1) >= 5 && len(b1) >= 5 && a1[0] == b1[0] && editWithin2(a1, b1),
		len(a1) >= 3 && anagram(a1, b1):
		return 4
	case (len(a1) == 1 || len(b1) == 1) && a1[0] == b1[0]:
		return 5
	case c.nickTypo(a1, b1, rb) || c.nickTypo(b1, a1, ra) || c.nick.misspelt(a1, ra, b1, rb) || c.nick.misspelt(b1, rb, a1, ra):
		return 4 // "Bartłomiw" and "Bartek", "Naacho" and "Ignacio": a name or its short form mistyped
	}
	return 6
}

// nickTypo reports whether a is a mistyped form of a name b is short for; rb is b's
// ref (see Nicknames.ref).
func (c *comparer) nickTypo(a, b string, rb int32) bool {
	switch {
	case len(a) < 5 || rb == refNone:
		return false
	case rb > 0:
		full := c.nick.canon[rb-1]
		return full != b && full[0] == a[0] && editWithin2(a, full)
	}
	for _, full := range c.nick.Canon(b) {
		if full != b && full[0] == a[0] && editWithin2(a, full) {
			return true
		}
	}
	return false
}

// anagram reports whether a and b hold the same letters in another order: the
// scrambled keystrokes of a name typed in haste ("oeL" for "Leo").
func anagram(a, b string) bool {
	if len(a) != len(b) || len(a) > 32 {
		return false
	}
	var n [256]int8
	for i := 0; i < len(a); i++ {
		n[a[i]]++
		n[b[i]]--
	}
	for _, c := range n {
		if c != 0 {
			return false
		}
	}
	return true
}

// sameWord reports whether two surname words are one, allowing for a typo.
func sameWord(x, y string) bool {
	switch {
	case x == y:
		return true
	case len(x) < 3 || len(y) < 3, !typoOf(x, y):
		return false
	}
	// Kowalski/Kowalska, Agustín/Agustina: relatives, not a word mistyped. Asked
	// last, of the few words alike enough to be typos.
	return !surnameGenders(x, y) && !genderPair(x, y)
}

// typoOf reports whether two different words of three letters or more are close
// enough to be one mistyped (sameWord's test, before the other genders' forms).
func typoOf(x, y string) bool {
	switch {
	case editAtMost1(x, y):
		return true
	case len(x) >= 8 && len(y) >= 8:
		return editWithin2(x, y)
	}
	return len(x) >= 4 && len(y) >= 4 && jwAtLeast(x, y, 0.92)
}

// surnameGenders reports the masculine and feminine forms of one Polish surname
// (Kowalski/Kowalska, Nowicki/Nowicka): a husband and wife, not a typo.
func surnameGenders(x, y string) bool {
	if len(x) != len(y) || len(x) < 5 || x[:len(x)-1] != y[:len(y)-1] {
		return false
	}
	a, b := x[len(x)-1], y[len(y)-1]
	return (a == 'i' && b == 'a' || a == 'a' && b == 'i') && (x[len(x)-2] == 'k' || x[len(x)-2] == 'z')
}

// shareWord reports whether two multi-word given names share a word of three letters
// or more ("María Elena" and "Elena").
func shareWord(a, b string) bool {
	if !strings.Contains(a, " ") && !strings.Contains(b, " ") {
		return false
	}
	for x := range strings.FieldsSeq(a) {
		if len(x) < 3 {
			continue
		}
		for y := range strings.FieldsSeq(b) {
			if x == y {
				return true
			}
		}
	}
	return false
}

// wordsMatch compares two whole names as sets of words: 2 when they hold the same
// words, 1 when the same words up to typos, 0 otherwise.
func wordsMatch(aw, bw []string) int {
	if len(aw) != len(bw) || len(aw) < 2 {
		return 0
	}
	var buf [8]bool
	used := scratch(buf[:0], len(bw))
	exact := true
	for _, x := range aw {
		found := -1
		for k, y := range bw {
			if !used[k] && x == y {
				found = k
				break
			}
		}
		if found < 0 {
			exact = false
			for k, y := range bw {
				if !used[k] && sameWord(x, y) {
					found = k
					break
				}
			}
		}
		if found < 0 {
			return 0
		}
		used[found] = true
	}
	if exact {
		return 2
	}
	return 1
}

// genderPair reports whether a and b are the masculine and feminine forms of one
// name (mario/maria, daniel/daniela, julio/julia): close in spelling, different people.
func genderPair(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) < 3 {
		return false
	}
	// The spelling first, then the names (looked up, so dearer).
	switch {
	case len(b) == len(a)+1: // daniel/daniela, jan/jana (but not the typo diana/dianaa)
		if !(b[len(b)-1] == 'a' && a[len(a)-1] != 'a' && b[:len(a)] == a) {
			return false
		}
	case len(a) == len(b): // mario/maria, julio/julia
		x, y := a[len(a)-1], b[len(b)-1]
		if !(a[:len(a)-1] == b[:len(b)-1] && (x == 'o' && y == 'a' || x == 'a' && y == 'o')) {
			return false
		}
	default:
		return false
	}
	// A typo (Edyt/Edyta) is not a name's other form.
	return normalize.IsGivenName(a) && normalize.IsGivenName(b)
}

// wordsWithin says every word of sub is a word of set, each word of set used once.
func wordsWithin(sub, set []string) bool {
	if len(sub) > len(set) {
		return false
	}
	var buf [8]bool
	used := scratch(buf[:0], len(set))
	for _, y := range sub {
		found := false
		for k, x := range set {
			if !used[k] && x == y {
				used[k], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func family(a string, at []string, b string, bt []string) uint8 {
	switch {
	case a == "" || b == "":
		return lvMissing
	case a == b:
		return lvExact
	case surnameGenders(a, b):
		return 5
	case len(at) == 1 && len(bt) == 1 && at[0] == a && bt[0] == b && farApart(a, b):
		// One word each, too far apart for a typo or a likeness (most pairs of
		// strangers): what follows could only find them different, at more cost.
		return 6
	}
	// Surnames as sets of words: one contained in the other is a dropped second
	// surname (García López / García) or a married name (Nowak-Kowalska / Kowalska);
	// one shared and another different is a relative (García López / García Pérez).
	shared, differ := false, false
	for _, x := range at {
		found := false
		for _, y := range bt {
			if sameWord(x, y) {
				found = true
				break
			}
		}
		if found {
			shared = shared || len(x) >= 3
		} else {
			differ = true
		}
	}
	if shared && differ && len(bt) > 1 && !wordsWithin(bt, at) {
		// Every word of b may still be in a: checked the other way round, each word
		// once (García García is not within García Martín).
		return 5
	}
	if shared {
		return 2
	}
	// Only whether jw reaches 0.80 or 0.92 matters: below 0.80 it may read 0.
	jw := jwFrom(a, b, 0.80)
	if len(at) > 1 || len(bt) > 1 {
		if j1 := jwFrom(firstOr(at, a), firstOr(bt, b), 0.80); j1 > jw {
			jw = j1
		}
	}
	switch {
	case jw >= 0.92:
		return 3
	case jw >= 0.80:
		return 4
	}
	return 6
}

func firstOr(t []string, s string) string {
	if len(t) > 0 {
		return t[0]
	}
	return s
}

func dob(a, b *feat) uint8 {
	switch {
	case a.dob == 0 || b.dob == 0:
		return lvMissing
	case a.dob == b.dob:
		return lvExact
	}
	ya, ma, da := a.dob/10000, a.dob/100%100, a.dob%100
	yb, mb, db := b.dob/10000, b.dob/100%100, b.dob%100
	days := a.days - b.days
	if days < 0 {
		days = -days
	}
	switch {
	case ya == yb && ma == db && da == mb:
		return 2
	case editAtMost1(a.dobS, b.dobS):
		return 3
	case days <= 366:
		return 4
	case days <= 3653 || editWithin2(a.dobS, b.dobS):
		return 5
	}
	return dobDifferent
}

// Birth date levels with a meaning of their own: dobDifferent is "different" (not
// the last level: dobNamesake follows it).
const (
	dobDifferent = 6
	dobNamesake  = 7
)

// Email and phone levels 1 and 2 are both exact matches: 2 when the address or
// number is shared by records with different first names (a household's), which is
// much weaker evidence than a personal one.
func email(a, b *feat) uint8 {
	if len(a.emails) == 0 || len(b.emails) == 0 {
		return lvMissing
	}
	best, typo := uint8(5), false
	for i, x := range a.emails {
		for j, y := range b.emails {
			switch {
			case x == y:
				if a.emailShared&(1<<i) == 0 && !otherMailbox(a, b, i, j) {
					return lvExact
				}
				best = 2
			case !typo && !digitDiffers(x, y) && (editAtMost1(x, y) || similarMailbox(x, y)):
				// One mailbox mistyped, the domain included (example.cm): not the
				// same user name at another provider.
				typo = true
			case best > 3 && a.locals[i] == b.locals[j] && len(a.locals[i]) >= 5:
				best = 3
			}
		}
	}
	if typo && best > 2 {
		return 4
	}
	return best
}

// otherMailbox reports a nameless record sharing an address that names someone other
// than the other record (see mailboxOfOther): a household's, whoever the record is.
func otherMailbox(a, b *feat, i, j int) bool {
	switch {
	case a.emailOther == 0 && b.emailOther == 0:
		return false
	case b.given == "" && b.family == "":
		return i < 64 && a.emailOther&(1<<i) != 0
	case a.given == "" && a.family == "":
		return j < 64 && b.emailOther&(1<<j) != 0
	}
	return false
}

func phone(a, b *feat) uint8 {
	if len(a.phones) == 0 || len(b.phones) == 0 {
		return lvMissing
	}
	best := uint8(4)
	if len(a.phoneNums) == len(a.phones) && len(b.phoneNums) == len(b.phones) {
		// The same, on numbers: no reaching into two strings per pair.
		for i, x := range a.phoneNums {
			for k, y := range b.phoneNums {
				if x == 0 || y == 0 {
					if l := phoneStrings(a.phones[i], b.phones[k], best); l == lvExact {
						if a.phoneShared&(1<<i) == 0 {
							return lvExact
						}
						best = 2
					} else {
						best = min(best, l)
					}
					continue
				}
				switch {
				case x == y:
					if a.phoneShared&(1<<i) == 0 {
						return lvExact
					}
					best = 2
				case best > 3 && x>>56 >= 9 && y>>56 >= 9 && (x&phoneDigits)%1e8 == (y&phoneDigits)%1e8:
					best = 3
				}
			}
		}
		return best
	}
	for i, x := range a.phones {
		for _, y := range b.phones {
			switch {
			case x == y:
				if a.phoneShared&(1<<i) == 0 {
					return lvExact
				}
				best = 2
			case best > 3 && len(x) >= 9 && len(y) >= 9 && x[len(x)-8:] == y[len(y)-8:]:
				best = 3
			}
		}
	}
	return best
}

// phoneDigits masks a phoneNum's value.
const phoneDigits = 1<<56 - 1

// phoneStrings is phone's test of two numbers as strings: lvExact, 3 (the same
// last 8 digits, when best is still above 3) or best.
func phoneStrings(x, y string, best uint8) uint8 {
	switch {
	case x == y:
		return lvExact
	case best > 3 && len(x) >= 9 && len(y) >= 9 && x[len(x)-8:] == y[len(y)-8:]:
		return 3
	}
	return best
}

// town compares two towns: exact, similar (Jaro–Winkler 0.90, or mistyped twice
// over) or different.
func town(a, b string) uint8 {
	if a != b && a != "" && b != "" && farApart(a, b) {
		return last(cCity) // most pairs: no test below could pass
	}
	l := similar(a, b, 0.90, cCity)
	if l == last(cCity) && len(a) >= 5 && len(b) >= 5 && (editWithin2(a, b) || anagram(a, b)) {
		l = 2 // a town's name mistyped twice over
	}
	return l
}

func exactTypo(a, b string, c int) uint8 {
	switch {
	case a == "" || b == "":
		return lvMissing
	case a == b:
		return lvExact
	case editAtMost1(a, b):
		return 2
	}
	return last(c)
}

func similar(a, b string, min float64, c int) uint8 {
	switch {
	case a == "" || b == "":
		return lvMissing
	case a == b:
		return lvExact
	case jwAtLeast(a, b, min):
		return 2
	}
	return last(c)
}

// conflict reports strong evidence that two records are different people, which no
// amount of shared contact details may outweigh: a household shares an email, a
// phone, an address and a surname, but not a first name and a birth date. (Without
// shared contact details, different first names are ordinary evidence, weighed.) Such a pair is never
// linked automatically, and a cluster never joins two such records through a third.
//
// Different birth dates and national ids count only where the data makes them
// strong: strict says so (see scorer.strict); in a list where one person's birth
// date is often mistyped beyond recognition, they are ordinary evidence.
func conflict(lv *levels, strict contradictions) bool {
	switch {
	case lv[cNatID] == last(cNatID) && strict.natID:
		return true
	case lv[cNatID] == lvExact:
		return false
	case lv[cDOB] == dobDifferent && strict.dob, lv[cDOB] == dobNamesake:
		return true
	}
	return householdPair(lv)
}

// sharesHome reports contact details a family shares: an email, a phone, a street.
func sharesHome(lv *levels) bool {
	return lv[cEmail] == lvExact || lv[cEmail] == 2 || lv[cPhone] == lvExact || lv[cPhone] == 2 ||
		lv[cStreet] == lvExact || lv[cStreet] == 2
}

// contradictions says which "different" levels are strong enough to forbid a link.
type contradictions struct{ dob, natID bool }

// strictAll treats every difference as a contradiction (no model at hand).
var strictAll = contradictions{dob: true, natID: true}

// similarMailbox reports two addresses a couple of slips apart: user names at most
// two edits apart (and long enough for that to mean something) at the same or a
// mistyped domain.
func similarMailbox(x, y string) bool {
	if d := len(x) - len(y); d > 3 || d < -3 {
		return false
	}
	lx, dx, _ := strings.Cut(x, "@")
	ly, dy, _ := strings.Cut(y, "@")
	if len(lx) < 8 || len(ly) < 8 || !(dx == dy || editAtMost1(dx, dy)) {
		return false
	}
	// Numbers are how providers tell namesakes apart: isabel.perez64 and
	// isabel.perez88 are two people.
	if sameLetters(lx, ly) {
		return false
	}
	return editWithin2(lx, ly)
}

// sameLetters reports whether a and b are equal once digits are left out.
func sameLetters(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && a[i] >= '0' && a[i] <= '9' {
			i++
		}
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if i == len(a) || j == len(b) {
			return i == len(a) && j == len(b)
		}
		if a[i] != b[j] {
			return false
		}
		i++
		j++
	}
}

// digitDiffers reports whether two addresses differ only in one digit replaced by
// another (jan.kowalski57 and jan.kowalski58 are two mailboxes, not a typo; 5768
// and 5678 is a slip of the fingers).
func digitDiffers(x, y string) bool {
	if len(x) != len(y) {
		return false
	}
	i := 0
	for i < len(x) && x[i] == y[i] {
		i++
	}
	if i == len(x) || x[i+1:] != y[i+1:] {
		return false
	}
	return x[i] >= '0' && x[i] <= '9' && y[i] >= '0' && y[i] <= '9'
}

// scratch returns n cleared flags, in buf's room when it has enough: comparisons
// of short names mark words used without allocating.
func scratch(buf []bool, n int) []bool {
	if n <= cap(buf) {
		return buf[:n]
	}
	return make([]bool, n)
}
