package match

import (
	"math"
	"strings"
	"testing"
)

func TestNameFromEmail(t *testing.T) {
	cases := []struct {
		given, email string
		want         string // "given|family", "" for no name
	}{
		{"", "belen.colombo8102@gmail.com", "belen|colombo"},
		{"", "cianorino.camila79@gmail.com", "camila|cianorino"},
		{"Małgorzata", "malgorzata.banas89@gmail.com", "Małgorzata|banas"},
		{"", "e.allen89@outlook.com", "e|allen"},
		{"Patricia", "pbrooks9953@example.net", "Patricia|brooks"},
		{"Horacio", "lombardoh@example.net", "Horacio|lombardo"},
		// The address is someone else's: another given name, another initial.
		{"Anna", "jan.kowalski@example.org", ""},
		{"Anna", "e.allen@example.org", ""},
		{"Anna", "jkowalski@example.org", ""},
		// Nothing that reads as a name.
		{"", "info@example.org", ""},
		{"", "kontakt.biuro@example.org", ""},
	}
	for _, c := range cases {
		r, ok := nameFromEmail(&Record{GivenName: c.given, Emails: []string{c.email}})
		got := ""
		if ok {
			got = r.GivenName + "|" + r.FamilyName
		}
		if got != c.want {
			t.Errorf("%q, %q: got %q, want %q", c.given, c.email, got, c.want)
		}
	}
}

func TestSplitsPreferLikelyReadings(t *testing.T) {
	cases := []struct {
		name string
		want []string // given|family of every split tried
	}{
		// Two known given names, then surnames: one reading.
		{"NURIA CATALINA SANCHEZ BRAVO", []string{"nuria catalina|sanchez bravo"}},
		{"MARIA MERINO ALVAREZ", []string{"maria|merino alvarez"}},
		// Surname first.
		{"KOWALSKA ANNA", []string{"anna|kowalska"}},
		// Either order is a known reading.
		{"JAN ADAM", []string{"jan|adam", "adam|jan"}},
	}
	for _, c := range cases {
		w := strings.Fields(c.name)
		var got []string
		for _, f := range splits(&Record{GivenName: w[0], FamilyName: strings.Join(w[1:], " ")}, nil) {
			got = append(got, f.given+"|"+f.family)
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: splits %q, want %q", c.name, got, c.want)
		}
	}
}

// A payer with a middle name the lists lack weighs like the same payer without it,
// and a surname read as a given name after a swap weighs as the commoner reading.
func TestAttributeMiddleNameAndContactFromEmail(t *testing.T) {
	recs, res := attributionFixture(t)
	n := len(recs)
	recs = append(recs,
		Record{ID: 2001, GivenName: "Oliwer", FamilyName: "Brzęczek", Emails: []string{"oliwer.b@example.org"}},
		Record{ID: 2002, GivenName: "Teodora", Emails: []string{"teodora.szczygiel77@example.org"}},
	)
	cluster := append(append([]int32(nil), res.Cluster...), int32(res.People), int32(res.People+1))
	payers := []Payer{
		{Record: Record{GivenName: "OLIWER REMIGIUSZ", FamilyName: "BRZECZEK"}, IBAN: "PL27114020040000300201355111"},
		{Record: Record{GivenName: "SZCZYGIEL", FamilyName: "TEODORA"}, IBAN: "PL27114020040000300201355222"},
	}
	out, err := Attribute(t.Context(), recs, cluster, res.People+2, payers, AttributeOptions{Model: res.Model, TF: res.TF})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int32{cluster[n], cluster[n+1]} {
		if a := out.Payers[i]; a.Cluster != want || a.Method != ByName {
			t.Errorf("payer %d: %+v, want person %d by name", i, a, want)
		}
	}
	// The rare first given name counts as much with the middle name as without: the
	// bank's longer name costs no more than the level's own m.
	at := &attributor{opt: AttributeOptions{Nicknames: DefaultNicknames()}, sc: newScorer(res.Model, res.TF, DefaultNicknames())}
	at.cf = prepareAll(recs, nil)
	with := payerGroup{variants: splits(&payers[0].Record, nil)}
	without := payerGroup{variants: splits(&Record{GivenName: "OLIWER", FamilyName: "BRZECZEK"}, nil)}
	ww, _ := at.weigh(&with, int32(n))
	wo, _ := at.weigh(&without, int32(n))
	m := res.Model.M[cGiven]
	if lost := wo - ww; math.Abs(lost-math.Log2(m[lvExact]/m[2])) > 1e-9 {
		t.Errorf("middle name: %.2f bits against %.2f without it; want the difference log2(m exact / m first name) = %.2f",
			ww, wo, math.Log2(m[lvExact]/m[2]))
	}
}

// An email in the title that is not the candidate's speaks against them; one that is
// the candidate's with a typo speaks for them.
func TestAttributeTitleEmailWeighs(t *testing.T) {
	recs, res := attributionFixture(t)
	n := len(recs)
	recs = append(recs, Record{ID: 3001, GivenName: "Wiesława", FamilyName: "Żmudzińska", Emails: []string{"wieslawa.zmudzinska@example.org"}})
	cluster := append(append([]int32(nil), res.Cluster...), int32(res.People))
	payer := func(title string) Payer {
		return Payer{Record: Record{GivenName: "ZMUDZINSKA", FamilyName: "WIESLAWA"}, IBAN: "PL27114020040000300201355333", Title: title}
	}
	score := func(title string) Attribution {
		out, err := Attribute(t.Context(), recs, cluster, res.People+1, []Payer{payer(title)}, AttributeOptions{Model: res.Model, TF: res.TF})
		if err != nil {
			t.Fatal(err)
		}
		return out.Payers[0]
	}
	plain, other, typo := score("darowizna"), score("darowizna kontakt: w.zmudzinska.1960@poczta.example.com"), score("darowizna wieslawa.zmudzinska@exmaple.org")
	if plain.Cluster != cluster[n] {
		t.Fatalf("no title: %+v, want person %d", plain, cluster[n])
	}
	if other.Cluster == cluster[n] && other.Score >= plain.Score {
		t.Errorf("another address in the title: %+v, want less than %.4f", other, plain.Score)
	}
	if typo.Cluster != cluster[n] || typo.Score <= plain.Score {
		t.Errorf("the address mistyped in the title: %+v, want more than %.4f", typo, plain.Score)
	}
}

// How much a lone second surname says is measured on the contacts' own people.
func TestSecondSurnameWeight(t *testing.T) {
	var recs []Record
	var cluster []int32
	person := func(recsOfOne ...Record) {
		c := int32(len(cluster))
		for _, r := range recsOfOne {
			recs = append(recs, r)
			cluster = append(cluster, c)
		}
	}
	for i := 0; i < 60; i++ { // the first surname kept: García López → García
		person(Record{GivenName: "Juan", FamilyName: "García López"}, Record{GivenName: "Juan", FamilyName: "García"})
	}
	for i := 0; i < 3; i++ { // the second kept
		person(Record{GivenName: "Ana", FamilyName: "Ruiz Picasso"}, Record{GivenName: "Ana", FamilyName: "Picasso"})
	}
	// Not counted: a married name, a full name split at the wrong word.
	person(Record{GivenName: "Anna", FamilyName: "Nowak-Kowalska"}, Record{GivenName: "Anna", FamilyName: "Kowalska"})
	person(Record{GivenName: "María José Font", FamilyName: "Tejero"}, Record{GivenName: "María José", FamilyName: "Font Tejero"})
	got := secondSurnameWeight(prepareAll(recs, nil), cluster)
	if want := math.Log2(61.0 / 4.0); math.Abs(got-want) > 1e-9 {
		t.Errorf("weight %.3f bits, want log2(61/4) = %.3f", got, want)
	}
	if got := secondSurnameWeight(prepareAll(recs[:20], nil), cluster[:20]); got != secondSurnameBits {
		t.Errorf("10 pairs: %.3f bits, want the default %d", got, secondSurnameBits)
	}
}
