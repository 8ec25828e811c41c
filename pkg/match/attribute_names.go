package match

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/padron-org/padron/pkg/normalize"
)

// nameFromEmail gives a contact without a family name (a mailing list's member) the
// name its address spells, so that a payer "COLOMBO BELEN" is weighed against it like
// against a named contact: "belen.colombo8102@" → Belen Colombo, "colombo.belen@" too,
// "malgorzata.banas89@" of a member known as Małgorzata → Małgorzata Banas,
// "e.allen89@" → E. Allen. The address must hold two or three words, one of them
// the given name (known as one, or the member's), or an initial and a surname.
func nameFromEmail(r *Record) (Record, bool) {
	given := normalize.Fold(strings.ToLower(strings.TrimSpace(r.GivenName)))
	if i := strings.IndexByte(given, ' '); i > 0 {
		given = given[:i]
	}
	for _, e := range r.Emails {
		local, _, _ := strings.Cut(strings.ToLower(e), "@")
		words := strings.FieldsFunc(local, func(c rune) bool { return !(c >= 'a' && c <= 'z') })
		if len(words) == 1 {
			if fam := initialSurname(words[0], given); fam != "" {
				out := *r
				out.FamilyName = fam
				return out, true
			}
		}
		if len(words) < 2 || len(words) > 3 {
			continue
		}
		g, ok := emailGiven(words, given)
		if !ok {
			continue
		}
		var fam []string
		for i, w := range words {
			if i != g {
				fam = append(fam, w)
			}
		}
		out := *r
		if given == "" {
			out.GivenName = words[g]
		} else if len(words[g]) == 1 && words[g][0] != given[0] {
			continue // another initial: another person's address
		}
		out.FamilyName = strings.Join(fam, " ")
		return out, true
	}
	return Record{}, false
}

// emailGiven finds which word of an address's user name is the given name: the
// member's own (given, folded, "" for none), else the first or last word when it is
// a known given name and the others are not, else the initial of "e.allen". Every
// other word must be a plausible surname (two letters or more).
func emailGiven(words []string, given string) (int, bool) {
	surnames := func(skip int) bool {
		for i, w := range words {
			if i != skip && (len(w) < 2 || len(w) < 3 && len(words) == 2) {
				return false
			}
		}
		return true
	}
	if given != "" {
		for i, w := range words {
			if w == given && surnames(i) {
				return i, true
			}
		}
	}
	for _, i := range []int{0, len(words) - 1} {
		if given == "" && len(words[i]) >= 2 && normalize.IsGivenName(words[i]) && surnames(i) {
			other := words[len(words)-1-i]
			if i == 0 || !normalize.IsGivenName(other) {
				return i, true
			}
		}
	}
	if len(words) == 2 {
		for i, w := range words {
			if len(w) == 1 && surnames(i) && !normalize.IsGivenName(words[1-i]) {
				return i, true
			}
		}
	}
	return 0, false
}

// initialSurname reads a one-word user name as the member's initial and surname
// run together, "pbrooks" or "lombardoh" for a member known as Patricia or Horacio:
// the surname, or "" when the word does not start or end with the initial.
func initialSurname(word, given string) string {
	if given == "" || len(word) < 5 || normalize.IsGivenName(word) {
		return ""
	}
	switch {
	case word[0] == given[0] && !strings.HasPrefix(word, given[:min(2, len(given))]):
		return word[1:]
	case word[len(word)-1] == given[0]:
		return word[:len(word)-1]
	}
	return ""
}

// namesFit says a name comparison leaves the two the same person possible: the given
// names are not different, nor the family names those of another (or a relative).
func namesFit(lv *levels) bool {
	return lv[cGiven] != last(cGiven) && lv[cFamily] != last(cFamily) && lv[cFamily] != last(cFamily)-1
}

// nameKeys are the unordered pairs of a name's words, each by its first three
// letters and by those of its canonical names (Kasia → katarzyna): any two words the
// bank and the list wrote alike bring the two together, whatever their order. A
// contact's initial ("E. Allen", from e.allen@) is a word of one letter; a payer's
// words (initials true) also stand for their initials, to meet such contacts.
func (at *attributor) nameKeys(toks []string, initials bool) []string {
	var forms [][]string
	for _, t := range toks {
		if len(t) < 2 {
			if len(t) == 1 && !initials {
				forms = append(forms, []string{t})
			}
			continue
		}
		fs := []string{prefix(t, 3)}
		for _, c := range at.opt.Nicknames.Canon(t) {
			if p := prefix(c, 3); !contains(fs, p) {
				fs = append(fs, p)
			}
		}
		if initials {
			fs = append(fs, t[:1])
		}
		forms = append(forms, fs)
	}
	var keys []string
	for i := 0; i < len(forms); i++ {
		for j := i + 1; j < len(forms); j++ {
			for _, a := range forms[i] {
				for _, b := range forms[j] {
					if len(a) == 1 && len(b) == 1 {
						continue // two initials say nothing
					}
					k := a + "|" + b
					if b < a {
						k = b + "|" + a
					}
					if !contains(keys, k) {
						keys = append(keys, k)
					}
				}
			}
		}
	}
	return keys
}

// splits prepares a payer's name every way it may divide into given and family
// names: banks write "KOWALSKA ANNA" and "GARCIA LOPEZ MARIA" as often as the other
// way round. The splits tried are the likeliest the given-name lexicon allows:
//   - best, those whose given names are all known given names and whose family
//     names do not start with one that is not also a family name ("NURIA CATALINA
//     SANCHEZ BRAVO" is Nuria Catalina | Sánchez Bravo, not Nuria | Catalina Sánchez
//     Bravo nor, backwards, Catalina Sánchez Bravo | Nuria);
//   - else those starting the given names with a known given name ("KOWALSKA"
//     taken for a given name would match a contact record with its names swapped
//     as if exactly, with the frequency of "kowalska" among given names, rare,
//     instead of among surnames);
//   - else every split.
//
// Each split tried is a rival explanation of the name, and a rival that matches a
// stranger takes probability from the right person: "MARIA MERINO ALVAREZ" read as
// María Merino | Álvarez fits every María Álvarez.
//
// familyWord, when not nil, tells a word the contacts use as a family name too (see
// attributor.familyWord): "SANTIAGO" in "ANTONIA SANTIAGO ZABEGERO".
func splits(r *Record, familyWord func(string) bool) []feat {
	words := strings.Fields(strings.TrimSpace(r.GivenName + " " + r.FamilyName))
	if len(words) < 2 || len(words) > 6 {
		return []feat{prepare(r)}
	}
	var all, known, likely []feat
	for i := 1; i < len(words); i++ {
		for _, givenFirst := range []bool{true, false} {
			v := *r
			var given, fam []string
			if givenFirst {
				given, fam = words[:i], words[i:]
			} else {
				fam, given = words[:i], words[i:]
			}
			v.GivenName, v.FamilyName = strings.Join(given, " "), strings.Join(fam, " ")
			f := prepare(&v)
			all = append(all, f)
			if normalize.IsGivenName(normalize.Fold(given[0])) {
				known = append(known, f)
				if likelySplit(given, fam, familyWord) {
					likely = append(likely, f)
				}
			}
		}
	}
	switch {
	case len(likely) > 0:
		return likely
	case len(known) > 0:
		return known
	}
	return all
}

// likelySplit says every given name is a known one and the family names do not start
// with a word known only as a given name (by the lexicon, or by familyWord).
func likelySplit(given, fam []string, familyWord func(string) bool) bool {
	for _, w := range given {
		if !normalize.IsGivenName(normalize.Fold(w)) {
			return false
		}
	}
	f := normalize.Fold(fam[0])
	known, alsoFamily := normalize.GivenNameKind(f)
	return !known || alsoFamily || familyWord != nil && familyWord(f)
}

// familyWord says the contacts write a word as a family name often enough that a
// payer's name may use it so: three records or more, and at least one use in five
// (Santiago, Vera, Gracia; not María, whose family-name uses are names typed in the
// wrong column).
func (at *attributor) familyWord(w string) bool {
	n := at.famWords[w]
	return n >= 3 && 4*n >= at.givenWords[w]
}

// weigh is the evidence weight of a payer against a contact record, in bits: the best
// over the name's splits, without the prior; and whether the names fit there.
func (at *attributor) weigh(g *payerGroup, c int32) (float64, bool) {
	return at.best(g.variants, []feat{at.cf[c]})
}

// score weighs a payer's variant a against a record b as dedupe does, except that
// names matched swapped keep their frequency adjustment, taken from a's fields (the
// variant's split is the one being tried): "ANNA KOWALSKA" against a contact written
// "Kowalska Anna" is as common a name as against "Anna Kowalska".
func (at *attributor) score(a, b *feat, lv *levels) float64 {
	sw := at.sc.cmp.compare(a, b, lv)
	if sw && lv[cGiven]+lv[cFamily] > 5 && a.family != "" && b.family != "" {
		// The payer's name is tried split every way already (splits): reading a
		// contact's columns crosswise is for a contact written swapped, and two
		// likenesses at once across the columns are strangers' ("FLORENCIA MARÍN
		// DURÁN" against María | Flores Serrano: Florencia~Flores, Marín~María).
		lv[cGiven] = at.sc.cmp.given(a.given, a.given1, b.given, b.given1, a.nick1, b.nick1)
		lv[cFamily] = family(a.family, a.famToks, b.family, b.famToks)
		sw = false
	}
	if !sw && (lv[cGiven] == 3 || lv[cGiven] == 4) && at.otherName(a.given1, b.given1) {
		// A bank copies the holder's name from its records; "MARIANO" against a
		// María is another person, not a typo.
		lv[cGiven] = last(cGiven)
	}
	if !sw && lv[cGiven] == 2 && at.otherCompound(a.givenToks, b.givenToks) {
		// "MARIA ANGELES" against María Pilar, "JOSE LUIS" against María José: two
		// double names sharing a word are two names.
		lv[cGiven] = last(cGiven)
	}
	if lv[cStreet] == last(cStreet) && a.street != "" && strings.HasPrefix(b.street, a.street) {
		// The bank cut the payer's field short in the street ("... CALLE M"): what
		// is left agrees as far as it goes.
		lv[cStreet] = lvMissing
		if len(a.street) >= 8 {
			lv[cStreet] = 2
		}
	}
	if !namesFit(lv) {
		// Another name at the payer's address is a relative's: the address says
		// "of this household", not "this one" (a mother and daughter both Raquel
		// Carrillo, of whom the contacts know only the daughter's street).
		lv[cStreet], lv[cPostcode], lv[cCity] = lvMissing, lvMissing, lvMissing
		if lv[cGiven] == last(cGiven) {
			// So is the household's email or phone to someone of another first name
			// (the same first name with another surname may be a married name).
			lv[cEmail], lv[cPhone] = lvMissing, lvMissing
		}
	}
	w := at.sc.weigh(a, b, lv, sw)
	if lv[cFamily] == 2 && !sw {
		if !a.famHyphen && !b.famHyphen && onlySecondSurname(a.family, b.family) {
			w -= at.secondBits
		}
		// A surname dropped or added ("JOSE MARTINEZ" against José Martínez Calvo)
		// weighs by how common the lone surname is, as an exact match would:
		// a stranger shares "Martínez" far more often than "Zabavón".
		if u, ok := at.wordU(a, b); ok {
			w += math.Log2(at.sc.model.M[cFamily][2]/u) - at.sc.w[cFamily][2]
		}
	}
	if !sw {
		// "OLIWER REMIGIUSZ WÓJCIK" and "Oliwer Wójcik": banks write every given
		// name, lists the first. The same first given name weighs by how common it
		// is, as an exact match does.
		if lv[cGiven] == 2 && a.given1 != "" && a.given1 == b.given1 {
			if u, ok := at.sc.tf.u(cGiven, a.given1); ok {
				w += math.Log2(at.sc.model.M[cGiven][2]/u) - at.sc.w[cGiven][2]
			}
		}
		return w
	}
	// Which column a swapped word belongs in is not known: it weighs as the more
	// common of its two readings ("Nuria" as a family name is rare; as a given name
	// it is not).
	for _, c := range []int{cGiven, cFamily} {
		if lv[c] != lvExact {
			continue
		}
		if u, ok := at.sc.tf.u(c, shared(c, a, a)); ok {
			if u2, ok := at.sc.tf.u(other(c), shared(c, a, a)); ok && u2 > u {
				u = u2
			}
			w += math.Log2(at.sc.model.M[c][lvExact]/u) - at.sc.w[c][lvExact]
		}
	}
	return w
}

// otherName says two first given names are two known names, neither a short form of
// the other: Mariano and María, Marta and María.
func (at *attributor) otherName(a, b string) bool {
	return a != b && len(a) > 1 && len(b) > 1 && normalize.IsGivenName(a) && normalize.IsGivenName(b) &&
		!at.opt.Nicknames.Same(a, b)
}

// otherCompound says two double given names share a word but each has a known given
// name the other lacks: María Ángeles and María Pilar, José Luis and María José.
func (at *attributor) otherCompound(a, b []string) bool {
	if len(a) < 2 || len(b) < 2 {
		return false
	}
	own := func(x, y []string) bool {
		for _, w := range x {
			if len(w) > 1 && !slices.Contains(y, w) && normalize.IsGivenName(w) && !at.nickIn(w, y) {
				return true
			}
		}
		return false
	}
	return own(a, b) && own(b, a)
}

// nickIn says a name or one it is short for is among words.
func (at *attributor) nickIn(w string, words []string) bool {
	for _, y := range words {
		if at.opt.Nicknames.Same(w, y) {
			return true
		}
	}
	return false
}

// wordU is the chance that a contact's family name holds the lone surname of a or b
// (the one written with a single word while the other has two), the record itself
// left out; ok is false when neither is a single word, the other does not hold it as
// written, or the contacts are too few.
func (at *attributor) wordU(a, b *feat) (float64, bool) {
	var lone string
	var pair []string
	switch {
	case len(a.famToks) == 1 && len(b.famToks) == 2:
		lone, pair = a.famToks[0], b.famToks
	case len(b.famToks) == 1 && len(a.famToks) == 2:
		lone, pair = b.famToks[0], a.famToks
	default:
		return 0, false
	}
	if pair[0] != lone && pair[1] != lone {
		// Mistyped as well as dropped: how rare the typo is says nothing (a term
		// frequency is for a value both sides hold).
		return 0, false
	}
	if at.famRecords < tfMinValues {
		return 0, false
	}
	n := max(at.famWords[lone]-1, 1)
	return float64(n) / float64(at.famRecords), true
}

// secondSurnameBits weigh down a match on a Spanish second surname alone when the
// contacts cannot tell by how much (see secondSurnameWeight): people and banks drop the
// second surname (García López → García), hardly ever the first.
const secondSurnameBits = 3

// secondSurnameWeight measures how much less a lone surname matching another's
// second surname says than one matching the first: over the record pairs dedupe put
// in one person where one family name is one word and the other two, how often the
// lone word is the second rather than the first, among pairs whose given names agree.
// It returns secondSurnameBits when
// fewer than minSurnamePairs such pairs are seen.
func secondSurnameWeight(cf []feat, cluster []int32) float64 {
	byCluster := map[int32][]int32{}
	for i := range cf {
		if n := len(cf[i].famToks); n == 1 || n == 2 && !cf[i].famHyphen {
			byCluster[cluster[i]] = append(byCluster[cluster[i]], int32(i))
		}
	}
	first, second := 0, 0
	for _, rs := range byCluster {
		for x := range rs {
			for y := range rs {
				a, b := cf[rs[x]].famToks, cf[rs[y]].famToks
				// The same given names: a full name split at the wrong word
				// ("María José Font | Tejero") is not a surname dropped.
				if len(a) != 1 || len(b) != 2 || sameWord(b[0], b[1]) || cf[rs[x]].given != cf[rs[y]].given {
					continue
				}
				switch {
				case sameWord(a[0], b[0]):
					first++
				case sameWord(a[0], b[1]):
					second++
				}
			}
		}
	}
	if first+second < minSurnamePairs {
		return secondSurnameBits
	}
	return math.Log2(float64(first+1) / float64(second+1))
}

// minSurnamePairs is the number of one- against two-surname pairs below which the
// contacts say too little about which surname people drop.
const minSurnamePairs = 50

// onlySecondSurname reports one family name being the second word of the other,
// two-word one ("Hurtado" and "Vicente Hurtado"); the caller leaves hyphenated
// married names (Nowak-Kowalska) alone.
func onlySecondSurname(x, y string) bool {
	xs, ys := strings.Fields(x), strings.Fields(y)
	if len(xs) > len(ys) {
		xs, ys = ys, xs
	}
	return len(xs) == 1 && len(ys) == 2 && xs[0] != ys[0] && sameWord(xs[0], ys[1])
}

// best weighs every pair of variants and returns the best weight and whether the
// names fit in that pairing.
func (at *attributor) best(as, bs []feat) (float64, bool) {
	best, fits := math.Inf(-1), false
	var lv levels
	for i := range as {
		for j := range bs {
			w := at.score(&as[i], &bs[j], &lv) - at.sc.prior
			if w > best {
				best, fits = w, namesFit(&lv)
			}
		}
	}
	return best, fits
}

// initialLevel is the given-name level "initial".
const initialLevel = 5

// initialU is the share of contacts whose given name starts with the letter c.
func (at *attributor) initialU(c byte) float64 {
	if at.givenRecords == 0 {
		return 1
	}
	return max(float64(at.initials[c]), 1) / float64(at.givenRecords)
}

// lossyName is a contact's name written through a code page that lacked some of its
// letters, each lost one a '?' ("Micha? ?urinski" for Michał Żurinski, a Polish name
// in a Spanish sign-up form): its words folded, '?' kept, given and family apart.
type lossyName struct {
	given, family []string
}

// lossyWords folds a name's words keeping each '?' or U+FFFD as '?'.
func lossyWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		var b strings.Builder
		for _, r := range w {
			if r == '?' || r == '\uFFFD' {
				b.WriteByte('?')
			} else {
				b.WriteString(normalize.Fold(string(r)))
			}
		}
		if b.Len() > 0 {
			out = append(out, b.String())
		}
	}
	return out
}

// lengthsKey is the sorted lengths of a name's words: the key a lossy name and a
// payer's must share.
func lengthsKey(words []string) string {
	ls := make([]int, len(words))
	for i, w := range words {
		ls[i] = len(w)
	}
	slices.Sort(ls)
	return fmt.Sprint(ls)
}

// lossyCandidates finds the contacts whose name lost letters to a code page and that
// the payer's name fills in ("MICHAL ZURINSKI" for "Micha? ?urinski"): every word the
// same but for the lost letters, in any order. Such a contact is weighed as if its
// name were the payer's words in its own given and family columns.
func (at *attributor) lossyCandidates(g *payerGroup, add func(int32, float64, bool)) {
	words := g.variants[0].nameToks
	for _, r := range at.lossy[lengthsKey(words)] {
		ln := at.lossyNames[r]
		used := make([]bool, len(words))
		fill := func(pats []string) ([]string, bool) {
			var out []string
			for _, p := range pats {
				found := false
				for i, w := range words {
					if !used[i] && wildMatch(p, w) {
						used[i], found = true, true
						out = append(out, w)
						break
					}
				}
				if !found {
					return nil, false
				}
			}
			return out, true
		}
		given, ok1 := fill(ln.given)
		family, ok2 := fill(ln.family)
		if !ok1 || !ok2 {
			continue
		}
		c := at.contacts[r]
		c.GivenName, c.FamilyName = strings.Join(given, " "), strings.Join(family, " ")
		w, fits := at.best(g.variants, []feat{prepare(&c)})
		add(r, w, fits)
	}
}

// wildMatch says word w is pattern p with each '?' any one letter.
func wildMatch(p, w string) bool {
	if len(p) != len(w) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] != w[i] && p[i] != '?' {
			return false
		}
	}
	return true
}

// userCandidates finds the unnamed contacts (a mailing list's members) whose email
// user name is the payer's name run together, as people make them: "niedanukw@" or
// "wniedanuk@" for a Walenty Niedanuk, "marcinkowalczyk6411@", "aguirreg@" for a
// Gregorio Aguirre Galán. Such a member is weighed as if the list had their name so
// written: surname and initial, or given name and surname.
func (at *attributor) userCandidates(g *payerGroup, add func(int32, float64, bool)) {
	if len(at.users) == 0 {
		return
	}
	done := map[int32]bool{}
	for vi := range g.variants {
		v := &g.variants[vi]
		if len(v.given1) < 2 || len(v.famToks) == 0 {
			continue
		}
		fams := []string{v.famToks[0]}
		if len(v.famToks) > 1 {
			fams = append(fams, strings.Join(v.famToks, ""))
		}
		for _, given := range []string{v.given1, v.given1[:1]} {
			for fi, fam := range fams {
				for _, user := range []string{given + fam, fam + given} {
					for _, r := range at.users[user] {
						if done[r] {
							continue
						}
						c := at.contacts[r]
						own := normalize.Fold(strings.ToLower(strings.TrimSpace(c.GivenName)))
						switch {
						case own == "":
							c.GivenName = given
						case own[0] != given[0]:
							continue // the member's own first name is someone else's
						}
						c.FamilyName = fam
						if fi > 0 {
							c.FamilyName = strings.Join(v.famToks, " ")
						}
						done[r] = true
						w, fits := at.best(g.variants, []feat{prepare(&c)})
						if len(given) == 1 {
							// An initial read from a user name says what share of
							// people it starts, not what the model's "initial" level
							// (initials typed into a name column) says.
							w += math.Log2(1/at.initialU(given[0])) - at.sc.w[cGiven][initialLevel]
						}
						add(r, w, fits)
					}
				}
			}
		}
	}
}

// other is the other name column: given for family, family for given.
func other(c int) int {
	if c == cGiven {
		return cFamily
	}
	return cGiven
}
