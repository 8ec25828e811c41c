package normalize

import (
	"bytes"
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// NameOrder says in which order a full name is written.
type NameOrder int

const (
	NameAuto        NameOrder = iota // decide per value
	NameGivenFirst                   // "Jan Kowalski"
	NameFamilyFirst                  // "Kowalski Jan"
)

//go:embed data/given_names.txt
var givenNamesFile string

// givenNames maps each known given name to whether it is also a common family name.
var givenNames = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 2048)
	for _, line := range strings.Split(givenNamesFile, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		name, star := strings.CutSuffix(line, "*")
		m[name] = m[name] || star
	}
	return m
})

// IsGivenName reports whether a folded token (see Fold) is a known given name. A folded
// double name such as "anna maria" is one if each part is.
func IsGivenName(folded string) bool {
	ok, _ := givenName(folded)
	return ok
}

// GivenNameKind reports whether a folded token is a known given name and whether it
// is also a common family name (weak evidence of being a given name).
func GivenNameKind(folded string) (known, alsoFamily bool) { return givenName(folded) }

// givenName reports whether folded is a known given name and whether it is weak
// evidence (also a common family name, or a double name with such a part).
func givenName(folded string) (ok, weak bool) {
	if folded == "" {
		return false, false
	}
	m := givenNames()
	for part := range strings.SplitSeq(folded, " ") {
		w, found := m[part]
		if !found {
			return false, false
		}
		weak = weak || w
	}
	return true, weak
}

// particles start or join a family name: "de la Fuente", "van Gogh", "Ortega y Gasset".
var particles = map[string]bool{
	"de": true, "del": true, "la": true, "las": true, "los": true, "le": true, "lo": true,
	"van": true, "von": true, "der": true, "den": true, "ter": true, "ten": true, "zu": true,
	"da": true, "di": true, "do": true, "dos": true, "das": true, "du": true, "des": true,
	"della": true, "dello": true, "delle": true, "degli": true, "dei": true, "dal": true,
	"y": true, "e": true, "i": true,
}

// conjunctions join two family names; a capital single letter is an initial instead.
var conjunctions = map[string]bool{"y": true, "e": true, "i": true}

// devotionalNames follow "de/del/de la/de los" inside Spanish given names:
// "María del Carmen", "Juan de Dios", "María de los Ángeles".
var devotionalNames = map[string]bool{
	"carmen": true, "pilar": true, "mar": true, "rosario": true, "rocio": true, "lourdes": true,
	"angeles": true, "dolores": true, "mercedes": true, "luz": true, "consuelo": true,
	"fatima": true, "guadalupe": true, "montserrat": true, "jesus": true, "dios": true,
	"sol": true, "paz": true, "socorro": true, "asuncion": true, "concepcion": true,
	"soledad": true, "remedios": true, "milagros": true, "belen": true, "nieves": true,
	"gracia": true, "cruz": true, "fe": true, "valle": true, "lujan": true,
}

// titles are dropped from the front of a name; those that are also family names
// ("Pan", a Chinese family name) only when two words follow.
var titles = map[string]int{
	"dr": 1, "dra": 1, "drs": 1, "prof": 1, "profa": 1, "mgr": 1, "inz": 1, "hab": 1,
	"ing": 1, "lic": 1, "lcdo": 1, "lcda": 1, "arq": 1, "sr": 1, "sra": 1, "srta": 1,
	"sres": 1, "mr": 1, "mrs": 1, "ms": 1, "mx": 1, "miss": 1, "pani": 1, "herr": 1,
	"frau": 1, "mme": 1, "mlle": 1, "dott": 1, "dott ssa": 1, "sig": 1, "sig ra": 1, "ks": 1,
	"pan": 2,
}

// suffixes stay with the family name: "John Smith Jr.".
var suffixes = map[string]bool{"jr": true, "sr": true, "ii": true, "iii": true, "iv": true}

type nameUnit struct {
	first, last int  // token indices, inclusive
	particle    bool // starts with a particle: part of a family name
	given       bool // a known given name or an initial
	weak        bool // given, but also a common family name
	devotion    bool // "del Carmen": a given name after a particle
	caps        bool // written in capitals, which some lists use for family names
}

// nameToks are the words of a cleaned name as byte spans, so that the results are
// substrings of it and splitting does not allocate. The text is passed alongside, not
// stored: escape analysis is not field-sensitive, and returning substrings of a field
// would move the span arrays to the heap.
type nameToks struct {
	start, end []int
}

func (t nameToks) tok(s string, i int) string { return s[t.start[i]:t.end[i]] }

// join returns the units as written.
func (t nameToks) join(s string, units []nameUnit) string {
	if len(units) == 0 {
		return ""
	}
	return s[t.start[units[0].first]:t.end[units[len(units)-1].last]]
}

// SplitFullName splits a full name into given and family names: "Jan Kowalski",
// "KOWALSKI Jan", "Kowalska, Anna" (comma: family first), "María José García López",
// "Anna Nowak-Kowalska", "José de la Fuente" (particles belong to the family name).
// With NameAuto the order comes from capitals ("KOWALSKI Jan"), particles and the
// embedded list of common given names; when nothing tells, given names come first.
// Leading titles (Dr., Sra., Pan) are dropped. Parts keep their case as written.
func SplitFullName(s string, order NameOrder) (given, family string) {
	s = CleanName(s)
	if i := strings.IndexByte(s, ','); i >= 0 {
		fam := trim(s[:i])
		giv := trim(s[i+1:])
		if strings.IndexByte(giv, ',') >= 0 {
			giv = CleanName(strings.ReplaceAll(giv, ",", " "))
		}
		switch {
		case fam != "" && giv != "":
			var starts, ends [16]int
			t := splitName(giv, starts[:0], ends[:0])
			t = t.dropTitles(giv)
			return giv[t.start[0]:], fam
		case fam == "":
			s = giv
		default:
			s = fam
		}
	}
	var starts, ends [16]int
	t := splitName(s, starts[:0], ends[:0])
	if len(t.start) == 0 {
		return "", ""
	}
	t = t.dropTitles(s)
	var arr [12]nameUnit
	units := t.units(s, arr[:0])
	n := len(units)
	if n == 1 {
		if units[0].given && !units[0].particle {
			return t.join(s, units), ""
		}
		return "", t.join(s, units)
	}
	// Capitals mark the family name when the rest is not in capitals, unless only the
	// capitals are given names ("ANNA Nowak").
	if k, prefix := capsSplit(units); k > 0 && !capsAreGiven(units, k, prefix) {
		if prefix && order != NameGivenFirst {
			return t.join(s, units[k:]), t.join(s, units[:k])
		}
		if !prefix && order != NameFamilyFirst {
			return t.join(s, units[:k]), t.join(s, units[k:])
		}
	}
	familyFirst := order == NameFamilyFirst
	if order == NameAuto {
		u0, last := units[0], units[n-1]
		switch {
		case u0.particle:
			familyFirst = true
		case u0.given:
		case last.given && !last.weak && !last.particle:
			familyFirst = true
		}
	}
	if familyFirst {
		k := n - 1
		for ; k > 1; k-- {
			if u := units[k-1]; u.particle || !takeGiven(u, k-1) {
				break
			}
		}
		return t.join(s, units[k:]), t.join(s, units[:k])
	}
	// Given first: extend the given names while the next unit is one, keeping at least
	// one unit, or two after a name that is also a family name ("Pedro Martín García").
	k := 1
	for ; k < n-1; k++ {
		if !takeGiven(units[k], n-k-1) {
			break
		}
	}
	return t.join(s, units[:k]), t.join(s, units[k:])
}

// takeGiven reports whether unit u belongs to the given names when rest units would
// remain for the family name.
func takeGiven(u nameUnit, rest int) bool {
	switch {
	case u.particle:
		return u.devotion && rest >= 1
	case u.weak:
		return rest >= 2
	}
	return u.given
}

// splitName finds the space-separated words of a cleaned name, appending their spans
// to start and end (caller-provided arrays keep this off the heap).
func splitName(s string, start, end []int) nameToks {
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			break
		}
		j := i
		for j < len(s) && s[j] != ' ' {
			j++
		}
		start, end = append(start, i), append(end, j)
		i = j
	}
	return nameToks{start: start, end: end}
}

func (t nameToks) dropTitles(s string) nameToks {
	var buf [32]byte
	for len(t.start) > 1 {
		if need := titles[string(appendFold(buf[:0], t.tok(s, 0)))]; need == 0 || len(t.start)-1 < need {
			break
		}
		t.start, t.end = t.start[1:], t.end[1:]
	}
	return t
}

// units groups particles with the name that follows them and classifies each unit.
func (t nameToks) units(s string, units []nameUnit) []nameUnit {
	var buf [64]byte
	n := len(t.start)
	for i := 0; i < n; i++ {
		tok := t.tok(s, i)
		f := appendFold(buf[:0], tok)
		if i > 0 && i == n-1 && n > 2 && suffixes[string(f)] {
			units[len(units)-1].last = i
			continue
		}
		isParticle := i < n-1 && particles[string(f)]
		if isParticle && conjunctions[string(f)] && (i == 0 || !isLower(tok)) {
			isParticle = false
		}
		if isParticle {
			head := string(f) == "de" || string(f) == "del"
			j := i
			for j < n-1 && particles[string(appendFold(buf[:0], t.tok(s, j)))] {
				j++
			}
			u := nameUnit{first: i, last: j, particle: true, caps: t.allCaps(s, i, j)}
			if head {
				u.devotion = devotionalNames[string(appendFold(buf[:0], t.tok(s, j)))]
			}
			units = append(units, u)
			i = j
			continue
		}
		u := nameUnit{first: i, last: i, caps: t.allCaps(s, i, i)}
		if isInitial(tok) {
			u.given = true
		} else {
			u.given, u.weak = givenNameBytes(f)
		}
		units = append(units, u)
	}
	return units
}

// givenNameBytes is givenName on a folded byte slice, without allocating.
func givenNameBytes(folded []byte) (ok, weak bool) {
	if len(folded) == 0 {
		return false, false
	}
	m := givenNames()
	for len(folded) > 0 {
		part := folded
		if i := bytes.IndexByte(folded, ' '); i >= 0 {
			part, folded = folded[:i], folded[i+1:]
		} else {
			folded = nil
		}
		w, found := m[string(part)]
		if !found {
			return false, false
		}
		weak = weak || w
	}
	return true, weak
}

// allCaps reports whether tokens first..last have at least two letters and none in
// lower case; a lone initial says nothing.
func (t nameToks) allCaps(s string, first, last int) bool {
	if first == last && isInitial(t.tok(s, first)) {
		return false
	}
	letters := 0
	for _, r := range s[t.start[first]:t.end[last]] {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

// capsSplit finds units in capitals forming a prefix or suffix while the others are
// not: "KOWALSKI Jan", "Anna NOWAK-KOWALSKA". k is the first unit after the prefix or
// the first of the suffix; 0 when capitals say nothing.
func capsSplit(units []nameUnit) (k int, prefix bool) {
	n := len(units)
	i := 0
	for i < n && units[i].caps {
		i++
	}
	if i > 0 && i < n && noneCaps(units[i:]) {
		return i, true
	}
	j := n
	for j > 0 && units[j-1].caps {
		j--
	}
	if j < n && j > 0 && noneCaps(units[:j]) {
		return j, false
	}
	return 0, false
}

func capsAreGiven(units []nameUnit, k int, prefix bool) bool {
	caps, rest := units[:k], units[k:]
	if !prefix {
		caps, rest = units[k:], units[:k]
	}
	for _, u := range caps {
		if !u.given || u.weak || u.particle {
			return false
		}
	}
	for _, u := range rest {
		if u.given {
			return false
		}
	}
	return true
}

func noneCaps(units []nameUnit) bool {
	for _, u := range units {
		if u.caps {
			return false
		}
	}
	return true
}

func isLower(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return unicode.IsLower(r)
}

// isInitial reports "J", "J." or "J.M.".
func isInitial(t string) bool {
	r, n := utf8.DecodeRuneInString(t)
	if n == len(t) {
		return unicode.IsUpper(r)
	}
	// Letters each followed by a dot.
	for len(t) > 0 {
		r, n := utf8.DecodeRuneInString(t)
		if !unicode.IsLetter(r) || n >= len(t) || t[n] != '.' {
			return false
		}
		t = t[n+1:]
	}
	return true
}
