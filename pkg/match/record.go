// Package match decides which records are the same person: blocking, comparison,
// Fellegi–Sunter scoring with parameters estimated from the data, and clustering.
// It never prints and never touches the store; pkg/cli feeds it records and saves
// what it concludes.
package match

import (
	"strings"
	"time"

	"github.com/padron-org/padron/pkg/normalize"
)

// Record is what matching reads of one stored record.
type Record struct {
	ID         int64
	GivenName  string
	FamilyName string
	Emails     []string // as stored: lower-case, validated
	Phones     []string // E.164
	BirthDate  int32    // yyyymmdd; 0 when unknown
	Street     string
	Postcode   string
	City       string
	NationalID string
	Occupation string
}

// feat is a record prepared for comparison: folded keys, computed once.
type feat struct {
	given     string   // whole folded given name(s): "maria jose"
	given1    string   // first given token: "maria"
	family    string   // whole folded family name(s): "nowak kowalska"
	famToks   []string // family tokens of 2+ letters
	famFirst  string   // first family token
	givenToks []string
	nameToks  []string // given and family words
	initials  uint32   // bit per first letter of the name's words, for cheap gating
	givenInit uint32   // the same for the given name's words
	famInit   uint32   // and for the family name's
	// famRef is famFirst's place in the nickname lists, as nick1 is given1's: the
	// names compared across columns (see swapNames) skip their lookups. It fills
	// the padding after famInit.
	famRef int32
	emails []string // canonical mailboxes (see canonEmail)
	locals []string // local parts of emails without . _ -, same order
	phones []string
	// phoneNums are the phones as numbers (see phoneNum), same order; 0 for one
	// that is not "+digits".
	phoneNums []uint64
	// emailShared and phoneShared have bit i set when emails[i] / phones[i] is also
	// used by a record with a different first name (see markShared).
	emailShared, phoneShared uint64
	// emailOther has bit i set when emails[i] names someone else (see mailboxOfOther).
	emailOther uint64
	// homonym: the record's name at one of its addresses is also carried by a
	// namesake with another birth date (see namesakeHomes).
	homonym bool
	// homonymPhone: the same, found by two records there with different phones.
	homonymPhone bool
	// famHyphen: the family name was written with a hyphen, a married name
	// (Nowak-Kowalska) rather than a Spanish pair of surnames; folding drops it.
	famHyphen bool
	dob       int32
	dobS      string // "yyyymmdd" or ""
	days      int32  // birth date as days since 1970-01-01 (negative before)
	// nick1 is given1's place in the run's nickname lists (see Nicknames.ref), looked
	// up once here rather than in every pair; 0 when not looked up. It fills the
	// padding after days: feat stays six cache lines.
	nick1  int32
	street string
	post   string
	city   string
	natID  string
	occ    string
}

func prepare(r *Record) feat {
	f := feat{
		given:     normalize.Fold(r.GivenName),
		family:    normalize.Fold(r.FamilyName),
		dob:       r.BirthDate,
		street:    normalize.Fold(r.Street),
		post:      strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(r.Postcode)), " ", ""),
		city:      normalize.Fold(r.City),
		natID:     strings.ToUpper(strings.TrimSpace(r.NationalID)),
		occ:       normalize.Fold(r.Occupation),
		phones:    r.Phones,
		famHyphen: strings.Contains(r.FamilyName, "-"),
	}
	if len(r.Phones) > 0 {
		f.phoneNums = make([]uint64, len(r.Phones))
		for k, p := range r.Phones {
			f.phoneNums[k] = phoneNum(p)
		}
	}
	f.given1, _, _ = strings.Cut(f.given, " ")
	// The family name's words, split once: three lists are made of them.
	var words []string
	if f.family != "" {
		words = strings.Fields(f.family)
		for _, t := range words {
			if len(t) >= 2 {
				f.famToks = append(f.famToks, t)
			}
		}
	}
	f.famFirst = firstTok(f.family)
	if f.given != "" {
		f.givenToks = strings.Fields(f.given)
	}
	if n := len(f.givenToks) + len(words); n > 0 {
		f.nameToks = append(append(make([]string, 0, n), f.givenToks...), words...)
	}
	f.givenInit = initials(f.givenToks)
	f.famInit = initials(words)
	f.initials = f.givenInit | f.famInit
	if r.BirthDate > 0 {
		f.dobS = itoa8(r.BirthDate)
		y, m, d := int(r.BirthDate/10000), time.Month(r.BirthDate/100%100), int(r.BirthDate%100)
		f.days = int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
	}
	for _, e := range r.Emails {
		c := canonEmail(e)
		if c == "" || contains(f.emails, c) {
			continue
		}
		f.emails = append(f.emails, c)
		l, _, _ := strings.Cut(c, "@")
		f.locals = append(f.locals, userKey(l))
	}
	return f
}

// famWords returns the words of f's family name, all of them (famToks leaves out
// single letters): the tail of nameToks, which prepare makes of the given name's
// words and these.
func famWords(f *feat) []string { return f.nameToks[len(f.givenToks):] }

func itoa8(v int32) string {
	var b [8]byte
	for i := 7; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b[:])
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// canonEmail returns the mailbox an address delivers to (see normalize.Mailbox).
func canonEmail(e string) string { return normalize.Mailbox(e) }

// userKey is an email's local part without the separators people vary between
// providers: jan.kowalski, jan_kowalski and jankowalski are one user name.
func userKey(l string) string {
	if !strings.ContainsAny(l, "._-") {
		return l
	}
	return strings.Map(func(r rune) rune {
		if r == '.' || r == '_' || r == '-' {
			return -1
		}
		return r
	}, l)
}

// initials returns a bit per first letter of the words (bit 26 for digits and others).
func initials(words []string) uint32 {
	var m uint32
	for _, t := range words {
		if c := t[0]; c >= 'a' && c <= 'z' {
			m |= 1 << (c - 'a')
		} else {
			m |= 1 << 26
		}
	}
	return m
}

// phoneNum packs an E.164 number ("+" and 1 to 15 digits) into its digits' value,
// with their count in the top byte: equal numbers are equal strings, and the last 8
// digits are the value modulo 10^8. It returns 0 for anything else.
func phoneNum(p string) uint64 {
	if len(p) < 2 || len(p) > 16 || p[0] != '+' {
		return 0
	}
	var v uint64
	for i := 1; i < len(p); i++ {
		c := p[i]
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + uint64(c-'0')
	}
	return uint64(len(p))<<56 | v
}
