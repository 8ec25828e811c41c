package match

import (
	"context"
	"math"
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
	at.cf = prepareAll(contacts, nil) // compared with prepare's feats too: no refs
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
	consider := func(r int32) {
		if !seen[r] {
			seen[r] = true
			w, fits := at.weigh(g, r)
			add(r, w, fits)
		}
	}
	for _, k := range at.nameKeys(g.variants[0].nameToks, true) {
		if recs := at.names[k]; len(recs) <= nameKeyCap {
			for _, r := range recs {
				consider(r)
			}
		}
	}
	// The records bearing an email the title gives: a household's shared address
	// names no one person by itself (see titleEvidence), but its people are the
	// likeliest payers, their names deciding between them.
	for _, e := range g.variants[0].emails {
		for _, r := range at.emails[e] {
			consider(r)
		}
	}
	at.userCandidates(g, add)
	at.lossyCandidates(g, add)
	sortCandidates(g.cands)
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
