package match

import "testing"

func rec(given, family string) Record { return Record{GivenName: given, FamilyName: family} }

func levelsOf(a, b Record) (levels, bool) {
	c := comparer{nick: DefaultNicknames()}
	fa, fb := prepare(&a), prepare(&b)
	var lv levels
	sw := c.compare(&fa, &fb, &lv)
	return lv, sw
}

func TestCompareNames(t *testing.T) {
	for _, c := range []struct {
		a, b          Record
		given, family uint8
		swapped       bool
	}{
		{rec("Łukasz", "Wróbel"), rec("LUKASZ", "WROBEL"), lvExact, lvExact, false},
		{rec("Anna", "Kowalska"), rec("KOWALSKA", "ANNA"), lvExact, lvExact, true},
		{rec("Kasia", "Nowak"), rec("Katarzyna", "Nowak"), 2, lvExact, false},
		{rec("Pepe", "Muñoz"), rec("José", "Munoz"), 2, lvExact, false},
		{rec("María José", "García López"), rec("María", "García"), 2, 2, false},
		{rec("Anna", "Kowalska"), rec("Anna", "Nowak-Kowalska"), lvExact, 2, false},
		{rec("Jonathan", "Smith"), rec("Jonathon", "Smith"), 3, lvExact, false},
		{rec("J.", "Smith"), rec("John", "Smith"), 5, lvExact, false},
		{rec("Mario", "Rossi"), rec("Maria", "Rossi"), 6, lvExact, false},
		{rec("Daniel", "Paz"), rec("Daniela", "Paz"), 6, lvExact, false},
		{rec("Anna", "Nowak"), rec("Piotr", "Nowak"), 6, lvExact, false},
		{rec("Edyta", "Lisowska"), rec("Edyt", "Lisowska"), 3, lvExact, false},
		{rec("Fernando", "Mnzano Toledo"), rec("Fernando", "Manzano Toledo"), lvExact, 2, false},
		{rec("Rosario", "Rodríguez Molina"), rec("Rosario", "Rodríguez Vicente"), lvExact, 5, false},
		{rec("Daniel", "Domínguez Gallego"), rec("DOMÍNGUEZ", "GALLEGO DANIEEL"), 3, 3, true},
		// Swapped, with the given name scrambled: the swap is taken at a given level of 4.
		{rec("Leo", "Nowak"), rec("NOWAK", "OEL"), 4, lvExact, true},
		{rec("", "Nowak"), rec("Piotr", "Nowak"), lvMissing, lvExact, false},
		// Compared as sets of words, the other gender's name is still another person's.
		{rec("Agustin", "Gallo"), rec("Agustina", "Galllo"), 6, 2, false},
		// A surname twice is not within two different ones.
		{rec("Juan", "García Martín"), rec("Juan", "García García"), lvExact, 5, false},
		{rec("Juan", "García García"), rec("Juan", "García"), lvExact, 2, false},
		// A surname word in the other gender's form is a relative's, not a typo.
		{rec("Jan", "Kowalski Nowak"), rec("Jan", "Kowalska Nowak"), lvExact, 5, false},
		{rec("Ana", "Martín García"), rec("Ana", "Martina García"), lvExact, 5, false},
		{rec("Ana", "Martín García"), rec("Ana", "Martím García"), lvExact, 2, false},
	} {
		lv, sw := levelsOf(c.a, c.b)
		if lv[cGiven] != c.given || lv[cFamily] != c.family || sw != c.swapped {
			t.Errorf("%v vs %v: given %s, family %s, swapped %v; want %s, %s, %v", c.a, c.b,
				Comparisons[cGiven].Levels[lv[cGiven]], Comparisons[cFamily].Levels[lv[cFamily]], sw,
				Comparisons[cGiven].Levels[c.given], Comparisons[cFamily].Levels[c.family], c.swapped)
		}
	}
}

func TestCompareContacts(t *testing.T) {
	a := Record{Emails: []string{"jan.kowalski+ong@gmail.com"}, Phones: []string{"+48600123456"}, BirthDate: 19800512}
	for _, c := range []struct {
		b                 Record
		email, phone, dob uint8
	}{
		{Record{Emails: []string{"jankowalski@googlemail.com"}, Phones: []string{"+48600123456"}, BirthDate: 19800512}, lvExact, lvExact, lvExact},
		{Record{Emails: []string{"jan.kowalski@wp.pl"}, Phones: []string{"+34600123456"}, BirthDate: 19801205}, 3, 3, 2},
		{Record{Emails: []string{"jan.kowalsky@gmail.com"}, BirthDate: 19800513}, 4, lvMissing, 3},
		{Record{Emails: []string{"ewa@wp.pl"}, Phones: []string{"+48500999888"}, BirthDate: 19800101}, 5, 4, 4},
		{Record{BirthDate: 19750101}, lvMissing, lvMissing, 5},
		{Record{BirthDate: 19500101}, lvMissing, lvMissing, 6},
	} {
		lv, _ := levelsOf(a, c.b)
		if lv[cEmail] != c.email || lv[cPhone] != c.phone || lv[cDOB] != c.dob {
			t.Errorf("%v: email %d phone %d dob %d, want %d %d %d", c.b, lv[cEmail], lv[cPhone], lv[cDOB], c.email, c.phone, c.dob)
		}
	}
}

func TestConflict(t *testing.T) {
	// A household: same surname, email and phone; different first names.
	mother := Record{GivenName: "Anna", FamilyName: "Nowak", Emails: []string{"nowakowie@wp.pl"}, Phones: []string{"+48600123456"}}
	father := Record{GivenName: "Piotr", FamilyName: "Nowak", Emails: []string{"nowakowie@wp.pl"}, Phones: []string{"+48600123456"}}
	if lv, _ := levelsOf(mother, father); !conflict(&lv, strictAll) {
		t.Error("household pair should conflict")
	}
	// The same first name with a typo in the birth date is no conflict.
	a := Record{GivenName: "Anna", FamilyName: "Nowak", BirthDate: 19800512}
	b := Record{GivenName: "Anna", FamilyName: "Nowak", BirthDate: 19800513}
	if lv, _ := levelsOf(a, b); conflict(&lv, strictAll) {
		t.Error("typo in birth date should not conflict")
	}
	// Father and son, same name, different birth dates.
	b.BirthDate = 20050101
	if lv, _ := levelsOf(a, b); !conflict(&lv, strictAll) {
		t.Error("different birth dates should conflict")
	}
}

func TestCanonEmail(t *testing.T) {
	for in, want := range map[string]string{
		"Jan.Kowalski+news@GMAIL.com": "jankowalski@gmail.com",
		"j.k@googlemail.com":          "jk@gmail.com",
		"ana.paz+ong@hotmail.es":      "ana.paz@hotmail.es",
		"nope":                        "",
	} {
		if got := canonEmail(in); got != want {
			t.Errorf("canonEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLevelsFitPattern(t *testing.T) {
	for _, c := range Comparisons {
		if len(c.Levels) > 8 {
			t.Errorf("%s has %d levels: patterns pack 3 bits per comparison", c.Name, len(c.Levels))
		}
	}
	if numComp*3 > 31 {
		t.Errorf("%d comparisons do not fit a 32-bit pattern with the swapped bit", numComp)
	}
	lv := levels{6, 5, 4, 3, 2, 1, 0, 1, 2, 1}
	if got := unpack(lv.pattern() | swappedBit); got != lv {
		t.Errorf("unpack(pattern) = %v, want %v", got, lv)
	}
	for c := range numComp {
		if got := levelOf(lv.pattern()|swappedBit, c); got != lv[c] {
			t.Errorf("levelOf(pattern, %d) = %d, want %d", c, got, lv[c])
		}
	}
}

func TestSimilarMailbox(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"carolina.pineda2151@hotmail.com", "carplina.pineda2151@hotmail.com", true},
		{"adrianna.zajac3840@example.net", "adrianna.zjaac3840@example.net", true},
		{"isabel.perez64@gmail.com", "isabel.perez88@gmail.com", false},
		{"david_zapata@example.org", "david_zapata37@example.org", false},
		{"ana@x.es", "ane@x.es", false}, // too short to mean anything
		{"jan.kowalski@gmail.com", "jan.kowalski@wp.pl", false},
	} {
		if got := similarMailbox(c.a, c.b); got != c.want {
			t.Errorf("similarMailbox(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestNicknameWithTypo(t *testing.T) {
	lv, _ := levelsOf(rec("Bartłomiw", "Sobczak"), rec("Bartek", "Sobczak"))
	if lv[cGiven] != 4 {
		t.Errorf("Bartłomiw/Bartek: level %d, want 4 (similar)", lv[cGiven])
	}
	lv, _ = levelsOf(rec("Tomasz", "Sobczak"), rec("Bartek", "Sobczak"))
	if lv[cGiven] != last(cGiven) {
		t.Errorf("Tomasz/Bartek: level %d, want different", lv[cGiven])
	}
}

// A father and son of one name at one address: a record without a birth date
// cannot be given to either automatically.
func TestNamesakeHome(t *testing.T) {
	recs := []Record{
		{GivenName: "Walter", FamilyName: "Ruiz", Emails: []string{"casa.ruiz@example.org"}, BirthDate: 19580217},
		{GivenName: "Walter", FamilyName: "Ruiz", Emails: []string{"casa.ruiz@example.org"}, BirthDate: 19900120},
		{GivenName: "Walter", FamilyName: "Ruiz", Emails: []string{"casa.ruiz@example.org"}},
		{GivenName: "Walter", FamilyName: "Ruiz", Emails: []string{"w.ruiz@example.org"}},
	}
	fs := prepareAll(recs, DefaultNicknames())
	c := &comparer{nick: DefaultNicknames()}
	sh := markShared(fs, c, c.nick)
	if len(sh.Homes) != 1 {
		t.Fatalf("namesake homes %v", sh.Homes)
	}
	var lv levels
	c.compare(&fs[0], &fs[2], &lv)
	if lv[cDOB] != dobNamesake || !conflict(&lv, contradictions{}) {
		t.Errorf("father vs undated record at the same address: dob level %d", lv[cDOB])
	}
	c.compare(&fs[2], &fs[3], &lv)
	if lv[cDOB] != lvMissing {
		t.Errorf("records sharing no address: dob level %d", lv[cDOB])
	}
}

// The same user name with a mistyped domain is one mailbox mistyped; with another
// provider's domain it is the same user name elsewhere.
func TestEmailDomainTypo(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want uint8
	}{
		{"jorge.pagano94@example.com", "jorge.pagano94@example.cm", 4},
		{"jan.kowalski@gmail.com", "jan.kowalski@gmial.com", 4},
		{"jan.kowalski@gmail.com", "jan.kowalski@wp.pl", 3},
		{"jan.kowalski@gmail.com", "jan.kowalski@gmail.com", lvExact},
	} {
		lv, _ := levelsOf(Record{Emails: []string{c.a}}, Record{Emails: []string{c.b}})
		if lv[cEmail] != c.want {
			t.Errorf("%s vs %s: email level %d, want %d", c.a, c.b, lv[cEmail], c.want)
		}
	}
}
