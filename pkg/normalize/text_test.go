package normalize

import (
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestCleanName(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Jan Kowalski", "Jan Kowalski"},
		{"  Jan   Kowalski  ", "Jan Kowalski"},
		{"Jan\tKowalski\n", "Jan Kowalski"},
		{"Jan\u00a0Kowalski", "Jan Kowalski"},
		{"Ma\u200bría", "María"},
		{"\ufeffŁukasz", "Łukasz"},
		{"Jo\u00adse", "Jose"},      // soft hyphen
		{"Jos\u0065\u0301", "José"}, // decomposed é becomes one code point
		{"MUÑOZ-GARCÍA", "MUÑOZ-GARCÍA"},
		{"o'brien", "o'brien"},
		{"Anna\x00 Nowak\x07", "Anna Nowak"},
		{"\u200eمحمد\u200f", "محمد"},
		{"", ""},
		{" \u2009 ", ""},
		{"Zoë \u202f Müller", "Zoë Müller"},
	}
	for _, c := range cases {
		got := CleanName(c.in)
		if got != c.want {
			t.Errorf("CleanName(%q) = %q, want %q", c.in, got, c.want)
		}
		if !norm.NFC.IsNormalString(got) || !utf8.ValidString(got) {
			t.Errorf("CleanName(%q) = %q is not NFC", c.in, got)
		}
	}
}

func TestFold(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Łukasz  Wróbel", "lukasz wrobel"},
		{"MUÑOZ-GARCÍA", "munoz garcia"},
		{"jan kowalski", "jan kowalski"},
		{"ŻÓŁĆ gęślą jaźń", "zolc gesla jazn"},
		{"Małgorzata Wąsowska-Żuławska", "malgorzata wasowska zulawska"},
		{"Grzegorz Brzęczyszczykiewicz", "grzegorz brzeczyszczykiewicz"},
		{"José María Núñez", "jose maria nunez"},
		{"Ñandú", "nandu"},
		{"Pérez y Muñoz", "perez y munoz"},
		{"Jürgen Groß", "jurgen gross"},
		{"STRAẞE", "strasse"},
		{"Ærø Øster", "aero oster"},
		{"Œuvre", "oeuvre"},
		{"Đorđević", "dordevic"},
		{"Kadıköy İstanbul", "kadikoy istanbul"},
		{"O'Brien", "o brien"},
		{"O’Connor", "o connor"},
		{"D'Angelo", "d angelo"},
		{"Jean-Pierre", "jean pierre"},
		{"  Smith,  John. ", "smith john"},
		{"Col·legi Paral·lel", "collegi parallel"},
		{"Þór Guðmundsson", "thor gudmundsson"},
		{"Ŀl", "ll"},
		{"ﬁnn", "finn"},
		{"Nº 12", "no 12"},
		{"Олена Шевченко", "олена шевченко"},
		{"Wro\u0301bel", "wrobel"},
		{"Nguyễn Văn Đức", "nguyen van duc"},
		{"", ""},
		{"---", ""},
		{"abc\xffdef", "abc def"},
	}
	for _, c := range cases {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	// Folding is idempotent.
	for _, c := range cases {
		if f := Fold(c.want); f != c.want {
			t.Errorf("Fold(Fold(%q)) = %q", c.in, f)
		}
	}
}

func TestFoldAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { Fold("jan kowalski") }); n != 0 {
		t.Errorf("Fold of a folded string allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { Fold("Łukasz Wróbel") }); n > 1 {
		t.Errorf("Fold allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { CleanName("Jan Kowalski") }); n != 0 {
		t.Errorf("CleanName of a clean name allocates %v times", n)
	}
}

func TestNFCSafe(t *testing.T) {
	var safe []rune
	for r := rune(0); r < 0x600; r++ {
		if nfcSafe(r) {
			safe = append(safe, r)
		}
	}
	// Each rune is a starter, and no pair composes or reorders, so any string of them is
	// NFC.
	for _, a := range safe {
		if p := norm.NFC.PropertiesString(string(a)); p.CCC() != 0 {
			t.Fatalf("%U is not a starter", a)
		}
		for _, b := range safe {
			if s := string([]rune{a, b}); !norm.NFC.IsNormalString(s) {
				t.Fatalf("%U %U is not NFC", a, b)
			}
		}
	}
}
