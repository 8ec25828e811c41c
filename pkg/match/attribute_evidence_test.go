package match

import (
	"fmt"
	"math"
	"testing"
)

// attributeExtra attributes payers against the fixture's contacts plus extra, each
// extra record a person of its own, and returns the attributions and the extra
// records' people.
func attributeExtra(t *testing.T, extra []Record, payers []Payer) ([]Attribution, []int32) {
	t.Helper()
	recs, res := attributionFixture(t)
	cluster := append([]int32(nil), res.Cluster...)
	people := make([]int32, len(extra))
	for i := range extra {
		people[i] = int32(res.People + i)
		cluster = append(cluster, people[i])
	}
	recs = append(recs, extra...)
	out, err := Attribute(t.Context(), recs, cluster, res.People+len(extra), payers, AttributeOptions{Model: res.Model, TF: res.TF})
	if err != nil {
		t.Fatal(err)
	}
	return out.Payers, people
}

// A mailing list's member known by an address alone is found by the payer's name run
// together as people make user names.
func TestAttributeUserNameSpellsPayer(t *testing.T) {
	extra := []Record{
		{ID: 5001, Emails: []string{"niedanukw@example.com"}},
		{ID: 5002, Emails: []string{"marcinkowalczyk6411@example.org"}},
		{ID: 5003, Emails: []string{"aguirreg6453@example.net"}},
		// The member's own first name is someone else's: not the payer.
		{ID: 5004, GivenName: "Anna", Emails: []string{"zdrojewskib@example.com"}},
	}
	payers := []Payer{
		{Record: Record{GivenName: "WALENTY", FamilyName: "NIEDANUK"}, IBAN: "PL27114020040000300201355401"},
		{Record: Record{GivenName: "MARCIN", FamilyName: "KOWALCZYK"}, Name: "KOWALCZYK MARCIN", IBAN: "PL27114020040000300201355402"},
		{Record: Record{GivenName: "GREGORIO", FamilyName: "AGUIRRE GALAN"}, IBAN: "ES9121000418450200051332"},
		{Record: Record{GivenName: "BOGDAN", FamilyName: "ZDROJEWSKI"}, IBAN: "PL27114020040000300201355404"},
	}
	got, people := attributeExtra(t, extra, payers)
	for i := range 3 {
		if a := got[i]; a.Cluster != people[i] || a.Method != ByName {
			t.Errorf("payer %d: %+v, want person %d by name", i, a, people[i])
		}
	}
	if a := got[3]; a.Method != ByNone || a.Candidate >= 0 {
		t.Errorf("Bogdan against Anna's address: %+v, want a new person with no candidate", a)
	}
}

// The bank's own word order is where the splits start: "AGUIRRE VEGA ANTONIO" split
// by the import as Vega Antonio | Aguirre is still read Antonio | Aguirre Vega.
func TestAttributeBankWordOrder(t *testing.T) {
	split := Record{GivenName: "VEGA ANTONIO", FamilyName: "AGUIRRE"}
	at := &attributor{}
	readings := func(p Payer) map[string]bool {
		out := map[string]bool{}
		for _, v := range at.group([]Payer{p})[0].variants {
			out[v.given+"|"+v.family] = true
		}
		return out
	}
	if got := readings(Payer{Record: split, Name: "AGUIRRE VEGA ANTONIO"}); !got["antonio|aguirre vega"] || !got["vega antonio|aguirre"] {
		t.Errorf("with the bank's order: readings %v, want antonio|aguirre vega and vega antonio|aguirre", got)
	}
	if got := readings(Payer{Record: split}); got["antonio|aguirre vega"] {
		t.Errorf("without it the test shows nothing: readings %v", got)
	}
}

// Another name at the payer's address is a relative: the address does not make her
// the payer. Mother and daughter are both Raquel Carrillo; the contacts know only the
// daughter's street.
func TestAttributeAddressNeedsTheName(t *testing.T) {
	extra := []Record{
		{ID: 5201, GivenName: "Raquel", FamilyName: "Carrillo Pérez", Street: "Carrer de Balmes 24", Postcode: "08033", City: "Barcelona",
			BirthDate: 19660821, Emails: []string{"raquelcarrillo66@example.com"}},
		{ID: 5202, GivenName: "Raquel", FamilyName: "Carrillo Muñoz", Postcode: "08033", City: "Barcelona", BirthDate: 19420823,
			Emails: []string{"carrillor42@example.com"}},
	}
	got, people := attributeExtra(t, extra, []Payer{{Record: Record{GivenName: "RAQUEL", FamilyName: "CARRILLO MUÑOZ",
		Street: "CARRER DE BALMES 24, 4º DCHA", Postcode: "08033", City: "BARCELONA"}, IBAN: "ES9121000418450200051401"}})
	if a := got[0]; a.Cluster != people[1] || a.Method != ByName {
		t.Errorf("%+v, want person %d (Carrillo Muñoz) by name", a, people[1])
	}
}

// A surname dropped or added weighs by how common the lone surname is: "BARTOLOME
// MARTINEZ CALVO" is Bartolomé Martínez Calvo, not one of the Bartolomé Martínez whose
// second surname the lists lack, Martínez being a surname many share.
func TestAttributeCommonLoneSurname(t *testing.T) {
	extra := []Record{
		{ID: 5301, GivenName: "Bartolomé", FamilyName: "Martínez Calvo", Emails: []string{"bartolome_martinez79568@example.net"}},
		{ID: 5302, GivenName: "Bartolomé", FamilyName: "Martínez", Emails: []string{"bmartinez49353@example.com"}},
		{ID: 5303, GivenName: "Bartolomé", FamilyName: "Martínez", Emails: []string{"bartolome.martinez18132@example.es"}},
	}
	for i, g := range []string{"Ana", "Luis", "Carmen", "Pedro", "Rosa", "Pablo", "Elena", "Jorge", "Marta", "Diego"} {
		for j, s := range []string{"", " Gil", " Ruiz", " Sanz"} {
			extra = append(extra, Record{ID: int64(5310 + 4*i + j), GivenName: g, FamilyName: "Martínez" + s,
				Emails: []string{fmt.Sprintf("m%d%d@example.es", i, j)}})
		}
	}
	got, people := attributeExtra(t, extra, []Payer{{Record: Record{GivenName: "BARTOLOME", FamilyName: "MARTINEZ CALVO"}, IBAN: "ES9121000418450200051501"}})
	if a := got[0]; a.Cluster != people[0] || a.Method != ByName {
		t.Errorf("%+v, want person %d (Martínez Calvo) by name", a, people[0])
	}
}

// Two known given names alike in spelling are two people: a bank's MARIANO is not a
// mistyped María.
func TestAttributeOtherKnownGivenName(t *testing.T) {
	extra := []Record{{ID: 5401, GivenName: "Mariano", FamilyName: "González", Emails: []string{"gonzalez.mariano@example.net"}}}
	for i := range 6 {
		extra = append(extra, Record{ID: int64(5410 + i), GivenName: "María", FamilyName: "González", Emails: []string{fmt.Sprintf("mgonzalez%d@example.com", i)}})
	}
	got, people := attributeExtra(t, extra, []Payer{{Record: Record{GivenName: "MARIANO", FamilyName: "GONZALEZ ZABAVON"}, IBAN: "ES9121000418450200051601"}})
	if a := got[0]; a.Cluster != people[0] || a.Method != ByName {
		t.Errorf("%+v, want person %d (Mariano) by name", a, people[0])
	}
}

// A word the contacts write as a family name often is read as one in a payer's
// name, though the lexicon knows it as a given name: ANTONIA SANTIAGO ZABEGERO is also
// Antonia | Santiago Zabegero.
func TestSplitsFamilyWordFromContacts(t *testing.T) {
	at := &attributor{famWords: map[string]int32{"santiago": 17, "maria": 7}, givenWords: map[string]int32{"santiago": 24, "maria": 284}}
	has := func(name, reading string, familyWord func(string) bool) bool {
		for _, f := range splits(&Record{FamilyName: name}, familyWord) {
			if f.given+"|"+f.family == reading {
				return true
			}
		}
		return false
	}
	if !has("ANTONIA SANTIAGO ZABEGERO", "antonia|santiago zabegero", at.familyWord) {
		t.Error("Santiago, a family name in the contacts, not read as one")
	}
	if has("ANTONIA SANTIAGO ZABEGERO", "antonia|santiago zabegero", nil) {
		t.Error("without the contacts' counts the test shows nothing")
	}
	if has("JOSE MARIA LOPEZ", "jose|maria lopez", at.familyWord) {
		t.Error("María, a given name the contacts sometimes put in the family column, read as a family name")
	}
}

// A street the bank cut short agrees with the contact's as far as it goes.
func TestAttributeTruncatedStreet(t *testing.T) {
	at := &attributor{opt: AttributeOptions{Nicknames: DefaultNicknames()}, sc: newScorer(NewModel(), nil, DefaultNicknames())}
	contact := prepare(&Record{GivenName: "David", FamilyName: "Navarro Valle", Street: "Calle Mayor 95, bajo"})
	for _, c := range []struct {
		street string
		want   uint8
	}{{"CALLE M", lvMissing}, {"CALLE MAYOR 9", 2}, {"CALLE LARGA 3", last(cStreet)}} {
		payer := prepare(&Record{GivenName: "DAVID", FamilyName: "NAVARRO VALLE", Street: c.street})
		var lv levels
		at.score(&payer, &contact, &lv)
		if lv[cStreet] != c.want {
			t.Errorf("%q against %q: street level %d, want %d", c.street, contact.street, lv[cStreet], c.want)
		}
	}
}

// A name that lost letters to a sign-up form's code page ("Micha? ?urinski") is found
// by the payer's name filling them in, in either order; a name that differs elsewhere
// is not.
func TestAttributeLossyName(t *testing.T) {
	extra := []Record{
		{ID: 5501, GivenName: "Micha?", FamilyName: "?urinski", Emails: []string{"mzurinski4165@example.com"}, City: "Kraków"},
		{ID: 5502, GivenName: "El\uFFFDbieta", FamilyName: "Pa\uFFFDska", Emails: []string{"elzbieta.palska88@example.pl"}},
	}
	got, people := attributeExtra(t, extra, []Payer{
		{Record: Record{GivenName: "MICHAŁ", FamilyName: "ŻURINSKI", Street: "os. Tysiąclecia 74/12", Postcode: "31-742", City: "Kraków"}, IBAN: "PL27114020040000300201355501"},
		{Record: Record{GivenName: "PALSKA", FamilyName: "ELZBIETA"}, IBAN: "PL27114020040000300201355502"},
		{Record: Record{GivenName: "MICHAŁ", FamilyName: "ŻUROWSKI"}, IBAN: "PL27114020040000300201355503"},
	})
	for i := range 2 {
		if a := got[i]; a.Cluster != people[i] || a.Method != ByName {
			t.Errorf("payer %d: %+v, want person %d by name", i, a, people[i])
		}
	}
	if a := got[2]; a.Cluster == people[0] {
		t.Errorf("another surname: %+v, want not person %d", a, people[0])
	}
}

// Payments with no account are one donor only as far as they say nothing more: the
// email in one title decides that payment, not every other of the same name.
func TestAttributeNoAccountNameIsNotOneDonor(t *testing.T) {
	extra := []Record{
		{ID: 5601, GivenName: "Carlos", FamilyName: "Rodríguez", Emails: []string{"c.rodriguez8660@example.com"}, City: "La Plata"},
		{ID: 5602, GivenName: "Carlos", FamilyName: "Rodríguez", Emails: []string{"carlos.rodriguez@example.es"}, City: "Guadalajara"},
	}
	payer := func(title string) Payer {
		return Payer{Record: Record{GivenName: "CARLOS", FamilyName: "RODRIGUEZ"}, Title: title}
	}
	got, people := attributeExtra(t, extra, []Payer{payer("APORTE c.rodriguez8660@example.com"), payer("APORTE MENSUAL"), payer("COLABORACION")})
	if a := got[0]; a.Cluster != people[0] {
		t.Errorf("the payment with the email: %+v, want person %d", a, people[0])
	}
	for i := 1; i < 3; i++ {
		if a := got[i]; a.Method != ByNone {
			t.Errorf("payment %d, name only: %+v, want a new person (two Carlos Rodríguez known)", i, a)
		}
	}
}

// An initial read from a user name weighs by how many people's names start with it:
// "mkowalik@" for a Marek says less than "xkowalik@" for a Xawery, M being common.
func TestInitialFromUserName(t *testing.T) {
	recs, res := attributionFixture(t)
	recs = append(recs, Record{ID: 5701, Emails: []string{"mkowalik@example.com"}}, Record{ID: 5702, Emails: []string{"xkowalik@example.com"}})
	at := &attributor{opt: AttributeOptions{Nicknames: DefaultNicknames()}, sc: newScorer(res.Model, res.TF, DefaultNicknames()), contacts: recs}
	at.cf = prepareAll(recs, nil)
	at.index()
	weight := func(given string) float64 {
		g := at.group([]Payer{{Record: Record{GivenName: given, FamilyName: "KOWALIK"}}})[0]
		w := math.Inf(-1)
		at.userCandidates(&g, func(_ int32, x float64, _ bool) { w = math.Max(w, x) })
		return w
	}
	m, x := weight("MAREK"), weight("XAWERY")
	want := math.Log2(at.initialU('m') / at.initialU('x'))
	if at.initialU('m') <= at.initialU('x') || math.Abs((x-m)-want) > 1e-9 {
		t.Errorf("Marek %.2f bits, Xawery %.2f: want Xawery ahead by log2(share of M / share of X) = %.2f", m, x, want)
	}
}

// Two double given names sharing a word are two names: "MARIA ANGELES JIMENEZ" is
// María Ángeles Jiménez Zurita, not one of the María Pilar Jiménez.
func TestAttributeOtherDoubleGivenName(t *testing.T) {
	extra := []Record{
		{ID: 5801, GivenName: "María Ángeles", FamilyName: "Jiménez Zurita", Emails: []string{"mariaangeles_jimenez55@example.com"}},
		{ID: 5802, GivenName: "María Pilar", FamilyName: "Jiménez", Emails: []string{"mpj1@example.com"}},
		{ID: 5803, GivenName: "María Pilar", FamilyName: "Jiménez", Emails: []string{"mpj2@example.com"}},
		{ID: 5804, GivenName: "José Luis", FamilyName: "Jiménez", Emails: []string{"jlj@example.com"}},
	}
	// One payer a run: the share of known payers is estimated over a run's payers.
	got, people := attributeExtra(t, extra, []Payer{{Record: Record{GivenName: "MARIA ANGELES", FamilyName: "JIMENEZ"}, IBAN: "ES9121000418450200051801"}})
	if a := got[0]; a.Cluster != people[0] || a.Method != ByName {
		t.Errorf("%+v, want person %d (María Ángeles) by name", a, people[0])
	}
	got, people = attributeExtra(t, extra, []Payer{{Record: Record{GivenName: "MARIA JOSE", FamilyName: "JIMENEZ"}, IBAN: "ES9121000418450200051802"}})
	if a := got[0]; a.Cluster == people[3] || a.Candidate >= 0 {
		t.Errorf("María José taken for José Luis: %+v", a)
	}
}

// The person a payment is made for bears the holder's surname in their own gender.
func TestAttributeBehalfOtherGender(t *testing.T) {
	recs, res := attributionFixture(t)
	n := len(recs)
	recs = append(recs,
		Record{ID: 5901, GivenName: "Hugo", FamilyName: "Krzyżowski", Emails: []string{"rodzinakrzyzowska7934@example.com"}, City: "Szczecin"},
		Record{ID: 5902, GivenName: "Danuta", FamilyName: "Krzyżowska", City: "Szczecin"},
		// Alike in spelling, no relation.
		Record{ID: 5903, GivenName: "Hugo", FamilyName: "Krzyżanowski", Emails: []string{"hugo.k@example.com"}, City: "Opole"})
	cluster := append(append([]int32(nil), res.Cluster...), int32(res.People), int32(res.People+1), int32(res.People+2))
	// The built-in model: the fixture's few records make a relative's surname weigh
	// as much as the same one.
	out, err := Attribute(t.Context(), recs, cluster, res.People+3, []Payer{{Record: Record{GivenName: "DANUTA", FamilyName: "KRZYZOWSKA"},
		IBAN: "PL27114020040000300201355901", Title: "wpłata darowizny w imieniu Hugo"}}, AttributeOptions{Model: NewModel(), TF: res.TF})
	if err != nil {
		t.Fatal(err)
	}
	if a := out.Payers[0]; a.Cluster != cluster[n] || a.Method != ByTitleName {
		t.Errorf("%+v, want person %d (Hugo Krzyżowski) by the title's name", a, cluster[n])
	}
	for in, want := range map[string]string{"kowalska": "kowalski", "nowicki": "nowicka", "nowak": "", "garcia lopez": ""} {
		if got, _ := otherGenderSurname(in); got != want {
			t.Errorf("otherGenderSurname(%q) = %q, want %q", in, got, want)
		}
	}
}

// A given name as a Polish title writes it for whom a payment is ("od Anny", "w imieniu
// Hugona") is read back to the name.
func TestGivenForm(t *testing.T) {
	for in, want := range map[string]string{"Anny": "anna", "Jana": "jan", "Marka": "marek", "Pawła": "pawel",
		"Szymona": "szymon", "Hugona": "hugo", "Kasi": "kasia", "Marii": "maria", "Agnieszki": "agnieszka",
		"Jerzego": "jerzy", "Antoniego": "antoni", "Xyzzy": ""} {
		if got := givenForm(in, true); got != want {
			t.Errorf("givenForm(%q, genitive) = %q, want %q", in, got, want)
		}
	}
	// Elsewhere a name is as written: "de parte de Jana" is for a Jana.
	for in, want := range map[string]string{"Jana": "jana", "María": "maria", "Anny": ""} {
		if got := givenForm(in, false); got != want {
			t.Errorf("givenForm(%q) = %q, want %q", in, got, want)
		}
	}
}

// An email in the title that a household shares names no one by itself, but its
// people are candidates and the name decides between them: the member known by the
// address alone, not Lucía.
func TestAttributeHouseholdEmailInTitle(t *testing.T) {
	extra := []Record{
		{ID: 6001, Emails: []string{"casa.cobo1792@example.com"}},
		{ID: 6002, GivenName: "Lucía", FamilyName: "Cobo Moravía", Emails: []string{"casa.cobo1792@example.com"}, City: "Rosario"},
	}
	got, people := attributeExtra(t, extra, []Payer{{Record: Record{GivenName: "MARTIN", FamilyName: "COBO MORAVIA"}, Title: "cuota socio casa.cobo1792@example.com"}})
	if a := got[0]; a.Cluster != people[0] || a.Method != ByName {
		t.Errorf("%+v, want person %d (the member) by name", a, people[0])
	}
}

// A contact's columns are read crosswise only on better grounds than two likenesses:
// "FLORENCIA MARÍN DURÁN" is not María | Flores Serrano (Florencia~Flores and
// Marín~María), while a contact written swapped, Zabegero | Antonia, still is
// "ANTONIA ZABEGERO".
func TestAttributeCrosswiseNeedsMoreThanLikeness(t *testing.T) {
	at := &attributor{opt: AttributeOptions{Nicknames: DefaultNicknames()}, sc: newScorer(NewModel(), nil, DefaultNicknames())}
	weigh := func(payer, contact Record) (float64, levels) {
		a, b := prepare(&payer), prepare(&contact)
		var lv levels
		return at.score(&a, &b, &lv), lv
	}
	w, lv := weigh(Record{GivenName: "FLORENCIA", FamilyName: "MARIN DURAN"}, Record{GivenName: "María", FamilyName: "Flores Serrano"})
	if lv[cGiven] != last(cGiven) || lv[cFamily] != last(cFamily) || w > 0 {
		t.Errorf("Florencia Marín Durán against María Flores Serrano: levels %v, %.2f bits; want both names different", lv, w)
	}
	var plain levels
	a, b := prepare(&Record{GivenName: "FLORENCIA", FamilyName: "MARIN DURAN"}), prepare(&Record{GivenName: "María", FamilyName: "Flores Serrano"})
	if !at.sc.cmp.compare(&a, &b, &plain) {
		t.Error("dedupe's comparison no longer reads these crosswise: the test shows nothing")
	}
	w, lv = weigh(Record{GivenName: "ANTONIA", FamilyName: "ZABEGERO"}, Record{GivenName: "Zabegero", FamilyName: "Antonia"})
	if lv[cGiven] != lvExact || lv[cFamily] != lvExact || w <= 0 {
		t.Errorf("Antonia Zabegero against a contact written swapped: levels %v, %.2f bits; want both exact", lv, w)
	}
}

// A surname dropped weighs by how rare the lone one is only when the other name holds
// it as written: "MORORETTI" against Moretti Rosales is a typo on top of a drop, and
// the rarity of the typo says nothing.
func TestAttributeLoneSurnameRarityNeedsTheWord(t *testing.T) {
	at := &attributor{famWords: map[string]int32{"moretti": 1, "rosales": 40}, famRecords: 2 * tfMinValues}
	contact := prepare(&Record{GivenName: "Julieta", FamilyName: "Moretti Rosales"})
	for _, c := range []struct {
		family string
		ok     bool
	}{{"MORETTI", true}, {"ROSALES", true}, {"MORORETTI", false}} {
		payer := prepare(&Record{GivenName: "JULIETA", FamilyName: c.family})
		if _, ok := at.wordU(&payer, &contact); ok != c.ok {
			t.Errorf("%s against Moretti Rosales: lone-surname frequency used %v, want %v", c.family, ok, c.ok)
		}
	}
}
