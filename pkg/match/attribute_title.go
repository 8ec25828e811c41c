package match

import (
	"regexp"
	"strings"

	"github.com/padron-org/padron/pkg/normalize"
)

// titleEmail finds the email addresses a transfer title holds.
var titleEmail = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}.\-]+\.[\p{L}]{2,}`)

// titleScore is the probability given to an email or donor id written in the title:
// the payer said who they are.
const titleScore = 0.99

// behalfRe finds, at the end of a title, the person a payment is made for: "od Anny",
// "w imieniu Jana", "de parte de María Torres", "- Ana Ruiz", "on behalf of Ann Lee".
var behalfRe = regexp.MustCompile(`(?i)(?:^|\s)(od|w imieniu|de parte de|en nombre de|on behalf of|from|de|-)\s+(\p{L}{3,})(?:\s+(\p{L}{2,}(?:\s+\p{L}{2,})?))?\s*$`)

// behalf attributes a payment whose title names the person it is for, when that is
// not the account holder: the person named (with the holder's surname unless the
// title gives one) is looked for like a payer; not found, the payment goes to review.
func (at *attributor) behalf(p *Payer, g *payerGroup, prior float64) (Attribution, bool) {
	m := behalfRe.FindStringSubmatch(p.Title)
	if m == nil {
		return Attribution{}, false
	}
	// Polish puts the name after "od" and "w imieniu" in the genitive.
	prep := strings.ToLower(m[1])
	given := givenForm(m[2], prep == "od" || prep == "w imieniu")
	if given == "" {
		return Attribution{}, false
	}
	holder := &g.variants[0]
	if at.opt.Nicknames.Same(given, holder.given1) {
		return Attribution{}, false // the holder's own name: nothing new
	}
	family := m[3]
	fromHolder := family == ""
	if fromHolder {
		family = holder.family
	}
	r := Record{GivenName: given, FamilyName: family, Street: p.Street, Postcode: p.Postcode, City: p.City}
	ng := payerGroup{iban: g.iban, variants: []feat{prepare(&r)}}
	if alt, ok := otherGenderSurname(family); ok && fromHolder {
		// The holder's surname in the named person's gender: "w imieniu Hugona" from
		// Danuta Krzyżowska's account is for a Hugo Krzyżowski.
		r.FamilyName = alt
		ng.variants = append(ng.variants, prepare(&r))
	}
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

// otherGenderSurname gives a one-word Polish surname's form for the other gender
// (kowalska → kowalski, nowicki → nowicka), as surnameGenders pairs them.
func otherGenderSurname(f string) (string, bool) {
	n := len(f)
	if strings.Contains(f, " ") || n < 5 || f[n-2] != 'k' && f[n-2] != 'z' {
		return "", false
	}
	switch f[n-1] {
	case 'a':
		return f[:n-1] + "i", true
	case 'i':
		return f[:n-1] + "a", true
	}
	return "", false
}

// givenForm reads a given name as a title writes it, folded; "" when it is no known
// given name. After a Polish preposition (genitive true) the name is read back from
// the genitive first ("Anny" → anna, "Jana" → jan, not the Czech Jana; "Marka" →
// marek, "Pawła" → pawel, "Hugona" → hugo, "Jerzego" → jerzy, "Kasi" → kasia).
func givenForm(w string, genitive bool) string {
	f := normalize.Fold(w)
	n := len(f)
	if genitive && n >= 4 {
		stem := f[:n-1]
		var forms []string
		switch {
		case strings.HasSuffix(f, "ego"):
			forms = []string{f[:n-3] + "y", f[:n-3]} // Jerzego, Antoniego
		case strings.HasSuffix(f, "a"):
			// The fleeting e first, Polish names being the likelier: Marka is
			// Marek's before it is Mark's; Pawła → pawel; then Jana → jan.
			if k := len(stem); k >= 2 {
				forms = append(forms, stem[:k-1]+"e"+stem[k-1:])
			}
			forms = append(forms, stem)
			if strings.HasSuffix(f, "ona") {
				forms = append(forms, f[:n-2]) // Hugona → hugo
			}
		case strings.HasSuffix(f, "y"), strings.HasSuffix(f, "i"):
			forms = []string{stem + "a", stem + "ia"} // Anny, Agnieszki, Marii, Kasi
		}
		for _, x := range forms {
			if normalize.IsGivenName(x) {
				return x
			}
		}
	}
	if normalize.IsGivenName(f) {
		return f
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
