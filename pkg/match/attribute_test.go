package match

import (
	"context"
	"fmt"
	"testing"
)

// attributionFixture is a contact list of distinct people (and a pair of namesakes)
// clustered by Run, for attribution to work against.
func attributionFixture(t *testing.T) ([]Record, *Result) {
	t.Helper()
	given := []string{"Anna", "Jan", "Piotr", "Katarzyna", "Marek", "Ewa", "Tomasz", "Magdalena", "Krzysztof",
		"Agnieszka", "Paweł", "Joanna", "Michał", "Aleksandra", "Łukasz", "Natalia", "María", "José", "Lucía", "Javier"}
	// Surnames none of the people the tests pay as carry.
	family := []string{"Zieliński", "Dąbrowski", "Kamińska", "Wójcik", "Kaczmarek", "Mazur", "Krawczyk", "Piotrowski",
		"Grabowska", "Pawłowski", "Michalska", "Wróbel", "Jabłońska", "Fernández", "Martínez Ruiz", "Sánchez",
		"Szymańska", "Woźniak", "Kozłowski", "Jankowska"}
	cities := []string{"Kraków", "Gdańsk", "Poznań", "Lublin", "Łódź", "Wrocław", "Madrid", "Sevilla"}
	var recs []Record
	for i := 0; i < 400; i++ {
		g, f := given[i%len(given)], family[(i*7+i/len(given))%len(family)]
		recs = append(recs, Record{ID: int64(i + 1), GivenName: g, FamilyName: f,
			Emails: []string{fmt.Sprintf("p%d@example.org", i)}, City: cities[i%len(cities)]})
	}
	// The people the tests pay as.
	recs = append(recs,
		Record{ID: 1001, GivenName: "Anna", FamilyName: "Kowalska", Emails: []string{"anna.kowalska@example.org"}, City: "Kraków", Street: "ul. Długa 5", Postcode: "30-001"},
		Record{ID: 1002, GivenName: "Anna", FamilyName: "Nowak", Emails: []string{"anna.nowak1@example.org"}, City: "Poznań"},
		Record{ID: 1003, GivenName: "Anna", FamilyName: "Nowak", Emails: []string{"anna.nowak2@example.org"}, City: "Lublin"},
		Record{ID: 1004, GivenName: "Katarzyna", FamilyName: "Lewandowska", Emails: []string{"kasia.lew@example.org"}, City: "Wrocław"},
		Record{ID: 1005, GivenName: "Jan", FamilyName: "Wiśniewski", Emails: []string{"jan.w@example.org"}, City: "Gdańsk"},
		Record{ID: 1006, GivenName: "Remedios", FamilyName: "García López", Emails: []string{"remedios.garcia@example.es"}, City: "Madrid"},
	)
	res, err := Run(context.Background(), recs, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return recs, res
}

func TestAttribute(t *testing.T) {
	recs, res := attributionFixture(t)
	byID := map[int64]int{}
	for i, r := range recs {
		byID[r.ID] = i
	}
	person := func(id int64) int32 { return res.Cluster[byID[id]] }
	iban := make([]string, len(recs))
	iban[byID[1005]] = "PL61109010140000071219812874"
	payers := []Payer{
		0: {Record: Record{GivenName: "KOWALSKA", FamilyName: "ANNA", Street: "UL. DLUGA 5", Postcode: "30-001", City: "KRAKOW"}, IBAN: "PL27114020040000300201355387"},
		1: {Record: Record{GivenName: "KOWALSKA", FamilyName: "ANNA"}, IBAN: "PL27114020040000300201355387"},
		2: {Record: Record{GivenName: "NOWAK", FamilyName: "ANNA"}, IBAN: "PL02109024020000000201349787"},
		3: {Record: Record{GivenName: "ADAM", FamilyName: "LEWANDOWSKI"}, IBAN: "PL50102055581111123456789012", Title: "cuota Kasia.Lew@example.org"},
		4: {Record: Record{GivenName: "WISNIEWSKI", FamilyName: "JAN"}, IBAN: "PL61109010140000071219812874"},
		5: {Record: Record{GivenName: "ZBIGNIEW", FamilyName: "BRZECZYSZCZYKIEWICZ"}, IBAN: "PL27114020040000300201355388"},
		6: {Record: Record{GivenName: "BRZECZYSZCZYKIEWICZ", FamilyName: "ZBIGNIEW"}, IBAN: "PL27114020040000300201355388"},
		7: {Record: Record{GivenName: "HALINA", FamilyName: "BRZECZYSZCZYKIEWICZ"}, IBAN: "PL27114020040000300201355388"},
		8: {Record: Record{GivenName: "GARCIA", FamilyName: "LOPEZ REMEDIOS"}, IBAN: "ES9121000418450200051332"},
	}
	ar, err := Attribute(context.Background(), recs, res.Cluster, res.People, payers, AttributeOptions{
		Model: res.Model, TF: res.TF, ContactIBAN: iban})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		method  string
		cluster int32 // -1: a new person
	}{
		{ByName, person(1001)}, {ByName, person(1001)}, {ByNone, -1}, {ByTitleEmail, person(1004)},
		{ByIBAN, person(1005)}, {ByNone, -1}, {ByNone, -1}, {ByNone, -1}, {ByName, person(1006)},
	}
	for i, w := range want {
		a := ar.Payers[i]
		if a.Method != w.method {
			t.Errorf("payer %d (%s %s): method %s (score %.3f), want %s", i, payers[i].GivenName, payers[i].FamilyName, a.Method, a.Score, w.method)
		}
		if w.cluster >= 0 && a.Cluster != w.cluster {
			t.Errorf("payer %d: person %d, want %d", i, a.Cluster, w.cluster)
		}
		if w.cluster < 0 && int(a.Cluster) < res.People {
			t.Errorf("payer %d: attributed to known person %d, want a new one", i, a.Cluster)
		}
	}
	// Namesakes: a known person, but which one is for a steward to say.
	if a := ar.Payers[2]; a.Candidate < 0 || (a.Candidate != int32(byID[1002]) && a.Candidate != int32(byID[1003])) {
		t.Errorf("Anna Nowak paying: review candidate %d, want one of the two Anna Nowaks", a.Candidate)
	}
	// One new donor on one account, written two ways; another name on the same
	// account is someone else.
	if ar.Payers[5].Cluster != ar.Payers[6].Cluster {
		t.Error("the same new donor written two ways became two people")
	}
	if ar.Payers[7].Cluster == ar.Payers[5].Cluster {
		t.Error("two names on one account became one new person")
	}
	if ar.People != res.People+3 {
		t.Errorf("people after attribution %d, want %d (three new)", ar.People, res.People+3)
	}
	if ar.Prior <= 0.05 || ar.Prior >= 0.99 {
		t.Errorf("share of known payers %v: not estimated", ar.Prior)
	}
}

func TestAttributeNoPayers(t *testing.T) {
	ar, err := Attribute(context.Background(), nil, nil, 7, nil, AttributeOptions{})
	if err != nil || ar.People != 7 || len(ar.Payers) != 0 {
		t.Fatalf("no payers: %+v, %v", ar, err)
	}
}
