package match

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/padron-org/padron/pkg/normalize"
)

// Payer is a bank credit to attribute to a person: the payer's name and address as
// the bank wrote them (Record), the account paid from and the transfer title.
type Payer struct {
	Record
	// Name is the name in the bank's word order, when it was split into Record's
	// given and family names ("" to take those): the splits tried start from it.
	Name  string
	IBAN  string
	Title string
}

// AttributeOptions are what attribution weighs with: the model and term frequencies
// of the run that clustered the contacts, and what contacts carry beside their names.
type AttributeOptions struct {
	Auto, Review float64
	Model        *Model
	TF           *TF
	Nicknames    *Nicknames
	// ContactIBAN and ContactID give, per contact index, the account number and the
	// donor id the record carries ("" for none); either may be nil.
	ContactIBAN, ContactID []string
}

// Attribution methods, strongest evidence first.
const (
	ByTitleEmail = "title_email" // the title names a person's email
	ByTitleID    = "title_id"    // the title names a person's donor id
	ByIBAN       = "iban"        // the account paid from is a known person's
	ByTitleName  = "title_name"  // the title names whom a payment from another's account is for
	ByName       = "name"        // the payer's name (and address) matched a person
	ByNone       = "new"         // no person known: a new one
)

// Attribution is the conclusion for one payer.
type Attribution struct {
	// Cluster is the person: a contact cluster, or a new person numbered from the
	// contacts' people upward.
	Cluster int32
	Method  string
	// Score is the probability that the payer is that person (for new people, that
	// they are none of the known ones).
	Score float64
	// Candidate is the contact record of a person the payer may be, when the evidence
	// was short of the automatic threshold (-1: none): a pair for the review queue.
	Candidate      int32
	CandidateScore float64
	// Others are the next people it may be, for a payer sent to review.
	Others []Alternative
}

// Alternative is a person a payer may be: a contact record of theirs, the
// probability and the evidence weight in bits.
type Alternative struct {
	Record      int32
	Probability float64
	Weight      float64
}

// AttributeResult is what Attribute concluded.
type AttributeResult struct {
	Payers []Attribution
	// People is the number of people after attribution (contacts' plus new donors).
	People int
	// Prior is the estimated share of payers who are known people.
	Prior float64
}

var titleEmail = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}.\-]+\.[\p{L}]{2,}`)

// nameKeyCap skips name keys shared by more records than this: such a key says nothing.
const nameKeyCap = 20000

// Attribute ties bank payers to the people the contacts were clustered into, in order
// of evidence: an email or donor id written in the title; an account already seen
// with a person whose name fits; the payer's name and address weighed with the
// contacts' model against every person sharing a name key. A name match is a
// probability over all the people it could be and "none of them" (the payer is not
// in the contacts), with the share of known payers estimated from the data: three
// Anna Nowaks split the probability three ways and go to review. Unmatched payers
// become new people, one per account and name.
func Attribute(ctx context.Context, contacts []Record, cluster []int32, people int, payers []Payer, opt AttributeOptions) (*AttributeResult, error) {
	o := Options{Auto: opt.Auto, Review: opt.Review, Nicknames: opt.Nicknames}
	o.defaults()
	opt.Auto, opt.Review, opt.Nicknames = o.Auto, o.Review, o.Nicknames
	res := &AttributeResult{Payers: make([]Attribution, len(payers)), People: people}
	if len(payers) == 0 {
		return res, nil
	}
	at := &attributor{opt: opt, cluster: cluster, people: people, sc: newScorer(opt.Model, opt.TF, opt.Nicknames), contacts: contacts}
	at.cf = prepareAll(contacts)
	for i := range contacts {
		if at.cf[i].family == "" {
			if r, ok := nameFromEmail(&contacts[i]); ok {
				at.cf[i] = prepare(&r)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	at.secondBits = secondSurnameWeight(at.cf, cluster)
	at.index()
	groups := at.group(payers)
	// Candidates and their name weights, once per group.
	for gi := range groups {
		if gi&0x3ff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		at.candidates(&groups[gi])
	}
	res.Prior = at.estimatePrior(groups)
	learned := map[string]map[int32]bool{}
	// The title can name someone else than the group does: an email ("cuota socio
	// jan@x.pl"), a donor id, or the person a payment is made for ("darowizna od
	// Anny"). A payment an email or id ties to a person also teaches its account, so
	// that the same donor's other payments from it, namesakes or not, follow.
	titled := map[int]Attribution{}
	for gi := range groups {
		g := &groups[gi]
		for _, pi := range g.payers {
			if c, method, ok := at.titleEvidence(&payers[pi], g); ok {
				titled[pi] = Attribution{Cluster: c, Method: method, Score: titleScore, Candidate: -1}
				if g.iban != "" {
					if learned[g.iban] == nil {
						learned[g.iban] = map[int32]bool{}
					}
					learned[g.iban][c] = true
				}
				continue
			}
			if a, ok := at.behalf(&payers[pi], g, res.Prior); ok {
				titled[pi] = a
			}
		}
	}
	decided := make([]bool, len(groups))
	// First the evidence that stands alone; then, until nothing changes, accounts
	// learned from it; last, what is left goes to review or becomes new people.
	for pass := 0; ; pass++ {
		final := pass >= 4
		changed := false
		var accounts map[int32]map[string]bool
		if pass > 0 {
			accounts = at.accountsOf(learned)
		}
		for gi := range groups {
			g := &groups[gi]
			if decided[gi] {
				continue
			}
			var ibanClusters map[int32]bool
			if g.iban != "" {
				ibanClusters = at.ibanClusters(g.iban, learned, pass > 0)
			}
			a, ok := at.decide(g, ibanClusters, accounts, res.Prior, final)
			if !ok {
				continue
			}
			decided[gi], changed = true, true
			for _, pi := range g.payers {
				res.Payers[pi] = a
			}
			if a.Method != ByNone && g.iban != "" {
				if learned[g.iban] == nil {
					learned[g.iban] = map[int32]bool{}
				}
				learned[g.iban][a.Cluster] = true
			}
		}
		if final {
			break
		}
		if !changed && pass > 0 {
			pass = 3 // nothing new learned: the next pass is the last
		}
	}
	// Payments whose title decided keep that over their group's conclusion.
	for pi, a := range titled {
		res.Payers[pi] = a
	}
	at.newPeople(groups, res)
	return res, nil
}

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

// titleScore is the probability given to an email or donor id written in the title:
// the payer said who they are.
const titleScore = 0.99

type attributor struct {
	opt AttributeOptions
	// secondBits is what a match on a second surname alone weighs less (see
	// secondSurnameWeight).
	secondBits float64
	cluster    []int32
	people     int
	sc         *scorer
	cf         []feat
	names      map[string][]int32
	emails     map[string][]int32
	ids        map[string][]int32
	ibans      map[string][]int32
	// famWords counts the contact records whose family name holds each word, of
	// famRecords with a family name: how common a surname is whatever it is paired with.
	famWords   map[string]int32
	famRecords int
	givenWords map[string]int32 // the same for given names
	// initials counts the contact records by the first letter of their given name,
	// of givenRecords with one.
	initials     [256]int32
	givenRecords int
	// contacts are the records as read; users indexes the unnamed ones by their
	// email user names, letters only (see userCandidates).
	contacts []Record
	users    map[string][]int32
	// lossy indexes the contacts whose names lost letters to a code page by
	// lengthsKey; lossyNames holds their names (see lossyCandidates).
	lossy      map[string][]int32
	lossyNames map[int32]lossyName
}

// payerGroup is the payers sharing an account and a name: one donor, as far as the
// bank's data can tell.
type payerGroup struct {
	iban     string
	payers   []int
	variants []feat // the name split every plausible way into given and family
	cands    []candidate
}

type candidate struct {
	cluster int32
	rec     int32
	w       float64 // best evidence weight over the cluster's records, in bits
	fits    bool    // given and family names agree (see namesFit)
}

// namesFit says a name comparison leaves the two the same person possible: the given
// names are not different, nor the family names those of another (or a relative).
func namesFit(lv *levels) bool {
	return lv[cGiven] != last(cGiven) && lv[cFamily] != last(cFamily) && lv[cFamily] != last(cFamily)-1
}

func (at *attributor) index() {
	at.names, at.emails, at.ids, at.ibans = map[string][]int32{}, map[string][]int32{}, map[string][]int32{}, map[string][]int32{}
	at.famWords, at.givenWords, at.users = map[string]int32{}, map[string]int32{}, map[string][]int32{}
	at.lossy, at.lossyNames = map[string][]int32{}, map[int32]lossyName{}
	for i := range at.cf {
		f := &at.cf[i]
		if i < len(at.contacts) {
			if c := &at.contacts[i]; strings.ContainsAny(c.GivenName+c.FamilyName, "?\uFFFD") {
				ln := lossyName{given: lossyWords(c.GivenName), family: lossyWords(c.FamilyName)}
				if all := append(append([]string(nil), ln.given...), ln.family...); len(all) >= 2 {
					k := lengthsKey(all)
					at.lossy[k] = append(at.lossy[k], int32(i))
					at.lossyNames[int32(i)] = ln
				}
			}
		}
		if i < len(at.contacts) && strings.TrimSpace(at.contacts[i].FamilyName) == "" {
			for _, e := range at.contacts[i].Emails {
				local, _, _ := strings.Cut(strings.ToLower(e), "@")
				user := strings.Map(func(c rune) rune {
					if c >= 'a' && c <= 'z' {
						return c
					}
					return -1
				}, local)
				if len(user) >= 5 && !slices.Contains(at.users[user], int32(i)) {
					at.users[user] = append(at.users[user], int32(i))
				}
			}
		}
		if len(f.famToks) > 0 {
			at.famRecords++
		}
		for k, w := range f.famToks {
			if !slices.Contains(f.famToks[:k], w) {
				at.famWords[w]++
			}
		}
		if f.given1 != "" {
			at.initials[f.given1[0]]++
			at.givenRecords++
		}
		for k, w := range f.givenToks {
			if !slices.Contains(f.givenToks[:k], w) {
				at.givenWords[w]++
			}
		}
		for _, k := range at.nameKeys(f.nameToks, false) {
			at.names[k] = append(at.names[k], int32(i))
		}
		for _, e := range f.emails {
			at.emails[e] = append(at.emails[e], int32(i))
		}
		if i < len(at.opt.ContactID) && at.opt.ContactID[i] != "" {
			k := strings.ToUpper(strings.TrimSpace(at.opt.ContactID[i]))
			at.ids[k] = append(at.ids[k], int32(i))
		}
		if i < len(at.opt.ContactIBAN) && at.opt.ContactIBAN[i] != "" {
			at.ibans[at.opt.ContactIBAN[i]] = append(at.ibans[at.opt.ContactIBAN[i]], int32(i))
		}
	}
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

func (at *attributor) group(payers []Payer) []payerGroup {
	byKey := map[string]int{}
	var groups []payerGroup
	for i := range payers {
		p := &payers[i]
		words := strings.Fields(normalize.Fold(p.GivenName + " " + p.FamilyName))
		sorted := append([]string(nil), words...)
		sort.Strings(sorted)
		key := p.IBAN + "|" + strings.Join(sorted, " ")
		if p.IBAN == "" {
			// Without an account a name is not one donor: payments that say more
			// (an email in the title, an address) are apart, so that one title's
			// email does not decide for every "CARLOS RODRIGUEZ".
			emails := titleEmail.FindAllString(strings.ToLower(p.Title), 3)
			sort.Strings(emails)
			key += "|" + strings.Join(emails, " ") + "|" + normalize.Fold(p.Street+" "+p.Postcode+" "+p.City)
		}
		gi, ok := byKey[key]
		if !ok {
			gi = len(groups)
			byKey[key] = gi
			groups = append(groups, payerGroup{iban: p.IBAN})
		}
		groups[gi].payers = append(groups[gi].payers, i)
	}
	// The group's name as its first payment gives it. An email in a title is the
	// payer's own, as a rule: weighed like a contact's email, it speaks for a person
	// whose address is alike (a typo, another domain) and against one with another
	// address. (One that is a person's exactly is title evidence, see titleEvidence.)
	for gi := range groups {
		g := &groups[gi]
		r := payers[g.payers[0]].Record
		if n := payers[g.payers[0]].Name; n != "" {
			r.GivenName, r.FamilyName = "", n
		}
		for _, pi := range g.payers {
			for _, m := range titleEmail.FindAllString(payers[pi].Title, 3) {
				if e := strings.ToLower(strings.Trim(m, ".")); !contains(r.Emails, e) {
					// A copy: the payment's own list stays as it is.
					r.Emails = append(r.Emails[:len(r.Emails):len(r.Emails)], e)
				}
			}
		}
		g.variants = splits(&r, at.familyWord)
	}
	return groups
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
// left out; ok is false when neither is a single word or the contacts are too few.
func (at *attributor) wordU(a, b *feat) (float64, bool) {
	var lone string
	switch {
	case len(a.famToks) == 1 && len(b.famToks) == 2:
		lone = a.famToks[0]
	case len(b.famToks) == 1 && len(a.famToks) == 2:
		lone = b.famToks[0]
	default:
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

func (at *attributor) candidates(g *payerGroup) {
	seen := map[int32]bool{}
	best := map[int32]int{}
	add := func(r int32, w float64, fits bool) {
		cl := at.cluster[r]
		if bi, ok := best[cl]; ok {
			if w > g.cands[bi].w {
				g.cands[bi].w, g.cands[bi].rec, g.cands[bi].fits = w, r, fits
			}
			return
		}
		best[cl] = len(g.cands)
		g.cands = append(g.cands, candidate{cluster: cl, rec: r, w: w, fits: fits})
	}
	for _, k := range at.nameKeys(g.variants[0].nameToks, true) {
		recs := at.names[k]
		if len(recs) > nameKeyCap {
			continue
		}
		for _, r := range recs {
			if seen[r] {
				continue
			}
			seen[r] = true
			w, fits := at.weigh(g, r)
			add(r, w, fits)
		}
	}
	at.userCandidates(g, add)
	at.lossyCandidates(g, add)
	sortCandidates(g.cands)
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

// posterior returns the probability of each candidate (same order) given that a
// payer is a known person with probability prior, any of the people alike.
func (at *attributor) posterior(cands []candidate, prior float64) []float64 {
	n := float64(max(at.people, 1))
	out := make([]float64, len(cands))
	if len(cands) == 0 {
		return out
	}
	// In bits, relative to the best candidate, so that 2^w never overflows.
	top := cands[0].w
	base := math.Log2(prior / n)
	none := math.Log2(1-prior) - base - top // "none of them", on the same scale
	total := math.Exp2(none)
	for i, c := range cands {
		out[i] = math.Exp2(c.w - top)
		total += out[i]
	}
	for i := range out {
		out[i] /= total
	}
	return out
}

// estimatePrior finds the share of payers who are known people: the mean
// probability, over payers, of being one of them, iterated to its fixed point.
func (at *attributor) estimatePrior(groups []payerGroup) float64 {
	prior := 0.8
	for it := 0; it < 20; it++ {
		sum, n := 0.0, 0
		for gi := range groups {
			g := &groups[gi]
			p := 0.0
			for _, q := range at.posterior(g.cands, prior) {
				p += q
			}
			sum += p * float64(len(g.payers))
			n += len(g.payers)
		}
		next := math.Min(0.99, math.Max(0.05, sum/float64(n)))
		if math.Abs(next-prior) < 1e-4 {
			return next
		}
		prior = next
	}
	return prior
}

func (at *attributor) ibanClusters(iban string, learned map[string]map[int32]bool, useLearned bool) map[int32]bool {
	var out map[int32]bool
	for _, r := range at.ibans[iban] {
		if out == nil {
			out = map[int32]bool{}
		}
		out[at.cluster[r]] = true
	}
	if useLearned {
		for c := range learned[iban] {
			if out == nil {
				out = map[int32]bool{}
			}
			out[c] = true
		}
	}
	return out
}

// decide attributes a group, or says it cannot yet (ok false) in the first pass,
// when an account learned later may still decide it.
func (at *attributor) decide(g *payerGroup, ibanClusters map[int32]bool, accounts map[int32]map[string]bool, prior float64, last bool) (Attribution, bool) {
	cands := at.otherAccounts(g, accounts)
	post := at.posterior(cands, prior)
	// An account known for one person whose name fits.
	if len(ibanClusters) > 0 {
		var fits []int
		for i, c := range cands {
			if ibanClusters[c.cluster] && c.fits && c.w >= 0 {
				fits = append(fits, i)
			}
		}
		if len(fits) > 0 {
			// A shared household account: the name decides among its people.
			best, sum := fits[0], 0.0
			for _, i := range fits {
				sum += math.Exp2(cands[i].w - cands[fits[0]].w)
			}
			score := titleScore / sum
			a := Attribution{Cluster: cands[best].cluster, Method: ByIBAN, Score: math.Max(score, post[best]), Candidate: -1}
			if a.Score >= at.opt.Auto {
				return a, true
			}
		}
	}
	if len(cands) > 0 && post[0] >= at.opt.Auto {
		return Attribution{Cluster: cands[0].cluster, Method: ByName, Score: post[0], Candidate: -1}, true
	}
	if !last {
		return Attribution{}, false
	}
	none := 1.0
	for _, p := range post {
		none -= p
	}
	a := Attribution{Cluster: -1, Method: ByNone, Score: math.Max(0, none), Candidate: -1}
	// Likely someone known, but not clearly whom (namesakes), or likely one person
	// but not enough: a steward decides.
	if len(cands) > 0 && (post[0] >= at.opt.Review || 1-none >= at.opt.Review) {
		a.Candidate, a.CandidateScore = cands[0].rec, post[0]
		for i := 0; i < len(cands) && i < 3; i++ {
			a.Others = append(a.Others, Alternative{Record: cands[i].rec, Probability: post[i], Weight: cands[i].w})
		}
	}
	return a, true
}

// otherAccountBits is the evidence against a person, in bits, that a payment comes
// from an account other than the one(s) they are known to pay from: most donors give
// from one account.
const otherAccountBits = 3

// accountsOf returns, per person, the accounts they are known to pay from: their
// contact records' and those of payments attributed to them with confidence.
func (at *attributor) accountsOf(learned map[string]map[int32]bool) map[int32]map[string]bool {
	out := map[int32]map[string]bool{}
	add := func(c int32, iban string) {
		if out[c] == nil {
			out[c] = map[string]bool{}
		}
		out[c][iban] = true
	}
	for iban, recs := range at.ibans {
		for _, r := range recs {
			add(at.cluster[r], iban)
		}
	}
	for iban, cs := range learned {
		for c := range cs {
			add(c, iban)
		}
	}
	return out
}

// otherAccounts returns a group's candidates with the people known to pay from other
// accounts weighed down, best first.
func (at *attributor) otherAccounts(g *payerGroup, accounts map[int32]map[string]bool) []candidate {
	if g.iban == "" || len(accounts) == 0 {
		return g.cands
	}
	out := append([]candidate(nil), g.cands...)
	moved := false
	for i := range out {
		if known := accounts[out[i].cluster]; len(known) > 0 && !known[g.iban] {
			out[i].w -= otherAccountBits
			moved = true
		}
	}
	if moved {
		sortCandidates(out)
	}
	return out
}

func sortCandidates(cs []candidate) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].w != cs[j].w {
			return cs[i].w > cs[j].w
		}
		return cs[i].cluster < cs[j].cluster
	})
}

// behalfRe finds, at the end of a title, the person a payment is made for: "od Anny",
// "w imieniu Jana", "de parte de María Torres", "- Ana Ruiz", "on behalf of Ann Lee".
var behalfRe = regexp.MustCompile(`(?i)(?:^|\s)(?:od|w imieniu|de parte de|en nombre de|on behalf of|from|de|-)\s+(\p{L}{3,})(?:\s+(\p{L}{2,}(?:\s+\p{L}{2,})?))?\s*$`)

// behalf attributes a payment whose title names the person it is for, when that is
// not the account holder: the person named (with the holder's surname unless the
// title gives one) is looked for like a payer; not found, the payment goes to review.
func (at *attributor) behalf(p *Payer, g *payerGroup, prior float64) (Attribution, bool) {
	m := behalfRe.FindStringSubmatch(p.Title)
	if m == nil {
		return Attribution{}, false
	}
	given := givenForm(m[1])
	if given == "" {
		return Attribution{}, false
	}
	holder := &g.variants[0]
	if at.opt.Nicknames.Same(given, holder.given1) {
		return Attribution{}, false // the holder's own name: nothing new
	}
	family := m[2]
	if family == "" {
		family = holder.family
	}
	r := Record{GivenName: given, FamilyName: family, Street: p.Street, Postcode: p.Postcode, City: p.City}
	ng := payerGroup{iban: g.iban, variants: []feat{prepare(&r)}}
	at.candidates(&ng)
	post := at.posterior(ng.cands, prior)
	if len(ng.cands) > 0 && post[0] >= at.opt.Auto {
		return Attribution{Cluster: ng.cands[0].cluster, Method: ByTitleName, Score: post[0], Candidate: -1}, true
	}
	a := Attribution{Cluster: -1, Method: ByNone, Score: 1, Candidate: -1}
	if len(ng.cands) > 0 {
		a.Candidate, a.CandidateScore = ng.cands[0].rec, post[0]
		a.Score = 1 - post[0]
	}
	return a, true
}

// givenForm reads a given name as a title writes it, also in the Polish genitive
// ("Anny" → anna, "Jana" → jan, "Marka" → marek, "Kasi" → kasia), folded; "" when
// it is no known given name.
func givenForm(w string) string {
	f := normalize.Fold(w)
	if normalize.IsGivenName(f) {
		return f
	}
	n := len(f)
	if n < 4 {
		return ""
	}
	stem := f[:n-1]
	forms := []string{stem + "a", stem, stem + "ia"}
	if k := len(stem); k >= 2 {
		forms = append(forms, stem[:k-1]+"e"+stem[k-1:]) // Marka → marek, Pawła → pawel
	}
	for _, x := range forms {
		if normalize.IsGivenName(x) {
			return x
		}
	}
	return ""
}

// titleEvidence looks in a payer's title for a person's email or donor id.
func (at *attributor) titleEvidence(p *Payer, g *payerGroup) (int32, string, bool) {
	if p.Title == "" {
		return 0, "", false
	}
	for _, m := range titleEmail.FindAllString(p.Title, 3) {
		if c, ok := at.one(at.emails[canonEmail(strings.ToLower(strings.Trim(m, ".")))]); ok {
			return c, ByTitleEmail, true
		}
	}
	if len(at.ids) == 0 {
		return 0, "", false
	}
	for _, tok := range strings.FieldsFunc(strings.ToUpper(p.Title), func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '-' || r == '/')
	}) {
		if len(tok) < 4 || !strings.ContainsAny(tok, "0123456789") || yearLike(tok) {
			continue
		}
		c, ok := at.one(at.ids[tok])
		if !ok {
			continue
		}
		// An id is short and may collide with an invoice number: the name must not
		// say it is someone else.
		if len(g.variants[0].nameToks) > 0 {
			fits := false
			for _, r := range at.ids[tok] {
				if w, ok := at.weigh(g, r); ok && w >= 0 {
					fits = true
				}
			}
			if !fits {
				continue
			}
		}
		return c, ByTitleID, true
	}
	return 0, "", false
}

func yearLike(s string) bool {
	return len(s) == 4 && (strings.HasPrefix(s, "19") || strings.HasPrefix(s, "20"))
}

// one returns the single person the records belong to.
func (at *attributor) one(recs []int32) (int32, bool) {
	if len(recs) == 0 {
		return 0, false
	}
	c := at.cluster[recs[0]]
	for _, r := range recs[1:] {
		if at.cluster[r] != c {
			return 0, false
		}
	}
	return c, true
}

// newPeople numbers the people of payers no known person took: one per account,
// unless the names on one account are clearly different people (a shared account).
func (at *attributor) newPeople(groups []payerGroup, res *AttributeResult) {
	byIBAN := map[string][]int{} // groups that made a new person, by account
	newCluster := map[int]int32{}
	for gi := range groups {
		g := &groups[gi]
		open := false
		for _, p := range g.payers {
			open = open || res.Payers[p].Method == ByNone
		}
		if !open {
			continue
		}
		c := int32(-1)
		if g.iban != "" {
			for _, other := range byIBAN[g.iban] {
				if at.sameDonor(g, &groups[other]) {
					c = newCluster[other]
					break
				}
			}
		}
		if c < 0 {
			c = int32(res.People)
			res.People++
			newCluster[gi] = c
			if g.iban != "" {
				byIBAN[g.iban] = append(byIBAN[g.iban], gi)
			}
		}
		for _, p := range g.payers {
			if res.Payers[p].Method == ByNone {
				res.Payers[p].Cluster = c
			}
		}
	}
}

// sameDonor says whether two groups on one account are one person written two ways
// ("KOWALSKI JAN" and "JAN KOWALSKI UL. POLNA 3"): the names must agree.
func (at *attributor) sameDonor(a, b *payerGroup) bool {
	w, fits := at.best(a.variants, b.variants)
	return fits && w > 0
}

// other is the other name column: given for family, family for given.
func other(c int) int {
	if c == cGiven {
		return cFamily
	}
	return cGiven
}
