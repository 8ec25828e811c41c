package normalize

import (
	"strings"
	"testing"
)

func TestSplitFullName(t *testing.T) {
	cases := []struct {
		in            string
		order         NameOrder
		given, family string
	}{
		{"Jan Kowalski", NameAuto, "Jan", "Kowalski"},
		{"KOWALSKI JAN", NameAuto, "JAN", "KOWALSKI"},
		{"Kowalski Jan", NameAuto, "Jan", "Kowalski"},
		{"KOWALSKI Jan", NameAuto, "Jan", "KOWALSKI"},
		{"Jan KOWALSKI", NameAuto, "Jan", "KOWALSKI"},
		{"Kowalska, Anna", NameAuto, "Anna", "Kowalska"},
		{"Kowalska,Anna", NameAuto, "Anna", "Kowalska"},
		{"María José García López", NameAuto, "María José", "García López"},
		{"García López, María José", NameAuto, "María José", "García López"},
		{"GARCÍA LÓPEZ María José", NameAuto, "María José", "GARCÍA LÓPEZ"},
		{"García López María José", NameAuto, "María José", "García López"},
		{"Anna Nowak-Kowalska", NameAuto, "Anna", "Nowak-Kowalska"},
		{"Nowak-Kowalska Anna", NameAuto, "Anna", "Nowak-Kowalska"},
		{"José de la Fuente", NameAuto, "José", "de la Fuente"},
		{"José De La Fuente", NameAuto, "José", "De La Fuente"},
		{"de la Fuente José", NameAuto, "José", "de la Fuente"},
		{"Anna Maria Nowak", NameAuto, "Anna Maria", "Nowak"},
		{"Nowak Anna Maria", NameAuto, "Anna Maria", "Nowak"},
		{"José Luis Rodríguez Zapatero", NameAuto, "José Luis", "Rodríguez Zapatero"},
		{"Pedro Martín García", NameAuto, "Pedro", "Martín García"},
		{"José Ortega y Gasset", NameAuto, "José", "Ortega y Gasset"},
		{"María del Carmen García López", NameAuto, "María del Carmen", "García López"},
		{"Juan de Dios Pérez", NameAuto, "Juan de Dios", "Pérez"},
		{"María de los Ángeles Rodríguez", NameAuto, "María de los Ángeles", "Rodríguez"},
		{"Ana Lucía de los Santos", NameAuto, "Ana Lucía", "de los Santos"},
		{"Ludwig van Beethoven", NameAuto, "Ludwig", "van Beethoven"},
		{"Johann Wolfgang von Goethe", NameAuto, "Johann Wolfgang", "von Goethe"},
		{"van der Berg Jan", NameAuto, "Jan", "van der Berg"},
		{"Leonardo da Vinci", NameAuto, "Leonardo", "da Vinci"},
		{"Dr. Jan Kowalski", NameAuto, "Jan", "Kowalski"},
		{"dr hab. inż. Jan Kowalski", NameAuto, "Jan", "Kowalski"},
		{"Sra. María López", NameAuto, "María", "López"},
		{"Pan Jan Kowalski", NameAuto, "Jan", "Kowalski"},
		{"Pan Wei", NameAuto, "Pan", "Wei"}, // a family name, not the title: kept
		{"Dott.ssa Giulia Rossi", NameAuto, "Giulia", "Rossi"},
		{"ANNA Nowak", NameAuto, "ANNA", "Nowak"},
		{"Nowak ANNA", NameAuto, "ANNA", "Nowak"},
		{"Łukasz Wróbel", NameAuto, "Łukasz", "Wróbel"},
		{"Wróbel Łukasz", NameAuto, "Łukasz", "Wróbel"},
		{"Kasia Nowak", NameAuto, "Kasia", "Nowak"},
		{"Nowak Gosia", NameAuto, "Gosia", "Nowak"},
		{"Pepe Pérez", NameAuto, "Pepe", "Pérez"},
		{"Paco de Lucía", NameAuto, "Paco", "de Lucía"},
		{"Nacho Vidal", NameAuto, "Nacho", "Vidal"},
		{"Smith, Bob", NameAuto, "Bob", "Smith"},
		{"J. Kowalski", NameAuto, "J.", "Kowalski"},
		{"Kowalski J.", NameAuto, "J.", "Kowalski"},
		{"John F. Kennedy", NameAuto, "John F.", "Kennedy"},
		{"Martin Luther King Jr.", NameAuto, "Martin Luther", "King Jr."},
		{"Jean-Pierre Dupont", NameAuto, "Jean-Pierre", "Dupont"},
		{"Dupont Jean-Pierre", NameAuto, "Jean-Pierre", "Dupont"},
		{"MÜLLER Hans-Peter", NameAuto, "Hans-Peter", "MÜLLER"},
		{"Olena Shevchenko", NameAuto, "Olena", "Shevchenko"},
		{"Shevchenko Olena", NameAuto, "Olena", "Shevchenko"},
		{"  jan   kowalski ", NameAuto, "jan", "kowalski"},
		{"Xiomara Santos", NameAuto, "Xiomara", "Santos"},
		// Nothing tells the order: given first.
		{"Xyz Qwerty", NameAuto, "Xyz", "Qwerty"},
		{"Mann Thomas", NameAuto, "Mann", "Thomas"},
		// One word: a known given name, otherwise a family name.
		{"Gosia", NameAuto, "Gosia", ""},
		{"Kowalski", NameAuto, "", "Kowalski"},
		{"", NameAuto, "", ""},
		// Explicit orders.
		{"Kowalski Jan", NameGivenFirst, "Kowalski", "Jan"},
		{"Jan Kowalski", NameFamilyFirst, "Kowalski", "Jan"},
		{"Nowak Anna Maria", NameFamilyFirst, "Anna Maria", "Nowak"},
		{"García López María", NameFamilyFirst, "María", "García López"},
		{"Xyz Abc Qwe", NameFamilyFirst, "Qwe", "Xyz Abc"},
		{"Anna Maria Nowak", NameGivenFirst, "Anna Maria", "Nowak"},
		{"Thomas Mann", NameFamilyFirst, "Mann", "Thomas"},
	}
	for _, c := range cases {
		g, f := SplitFullName(c.in, c.order)
		if g != c.given || f != c.family {
			t.Errorf("SplitFullName(%q, %d) = %q, %q; want %q, %q", c.in, c.order, g, f, c.given, c.family)
		}
	}
}

func TestIsGivenName(t *testing.T) {
	for _, n := range []string{"jan", "anna", "kasia", "gosia", "malgorzata", "lukasz", "pepe", "paco",
		"nacho", "bob", "maria", "jose", "joao", "giuseppe", "francois", "jurgen", "olena", "anna maria"} {
		if !IsGivenName(n) {
			t.Errorf("IsGivenName(%q) = false", n)
		}
	}
	for _, n := range []string{"kowalski", "garcia", "lopez", "nowak", "", "Jan", "łukasz", "de", "anna nowak"} {
		if IsGivenName(n) {
			t.Errorf("IsGivenName(%q) = true", n)
		}
	}
}

// The embedded list must stay folded, so that lookups with Fold keys find it.
func TestGivenNamesFile(t *testing.T) {
	starred := map[string]bool{}
	plain := map[string]bool{}
	perSection := map[string]int{}
	section := ""
	for i, line := range strings.Split(givenNamesFile, "\n") {
		if strings.HasPrefix(line, "# ") {
			section = line
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		name, star := strings.CutSuffix(line, "*")
		if Fold(name) != name || strings.Contains(name, " ") {
			t.Errorf("line %d: %q is not a folded single word", i+1, line)
		}
		if star {
			starred[name] = true
		} else {
			plain[name] = true
		}
		perSection[section]++
	}
	for n := range starred {
		if plain[n] {
			t.Errorf("%q is starred in one group and not in another", n)
		}
	}
	for s, n := range perSection {
		if n < 50 {
			t.Errorf("group %q has only %d names", s, n)
		}
	}
	if len(givenNames()) < 1500 {
		t.Errorf("only %d given names", len(givenNames()))
	}
}
