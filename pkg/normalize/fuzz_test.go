package normalize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Properties that must hold for any input; go test runs the seeds, go test -fuzz explores.

var fuzzSeeds = []string{
	"", " ", "jan@wp.pl", "ana@ñandú.ar", "+48 600 123 456", "(011) 15-4555-1234", "15.03.1980",
	"15 de marzo de 1980", "1 234,56 PLN", "(12.50)", "12,50-", "María José García López",
	"Kowalska, Anna", "de la Fuente", "Łukasz  Wróbel", "\xff\xfe", "1.2.3.4.5", "mailto:<>",
	",,,", "-", "()", "€", "PL61 1090 1014 0000 0712 1981 2874", "Jr.", "Dr.", "y", "0351/4555123",
	// Found by fuzzing: an endless loop on a misplaced bracket, invalid UTF-8 in a domain.
	"0(\xd1R ", "0@\x86.AA",
	"20-12345678-6", "X1234567L", "44051401359", "111.444.777-35", "DNI: 12.345.678",
}

func FuzzFoldClean(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := Fold(s)
		if Fold(k) != k {
			t.Errorf("Fold not idempotent on %q: %q → %q", s, k, Fold(k))
		}
		if strings.HasPrefix(k, " ") || strings.HasSuffix(k, " ") || strings.Contains(k, "  ") {
			t.Errorf("Fold(%q) = %q has stray spaces", s, k)
		}
		c := CleanName(s)
		if CleanName(c) != c || !utf8.ValidString(c) {
			t.Errorf("CleanName not idempotent on %q: %q", s, c)
		}
	})
}

func FuzzEmail(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Email(s)
		if err != nil {
			return
		}
		if again, err := Email(e); err != nil || again != e {
			t.Errorf("Email(%q) = %q, but Email(%q) = %q, %v", s, e, e, again, err)
		}
		SplitMulti(s)
	})
}

func FuzzPhone(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "PL")
		f.Add(s, "AR")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		p, err := Phone(s, region)
		if err != nil {
			return
		}
		if again, err := Phone(p, ""); err != nil || again != p {
			t.Errorf("Phone(%q, %q) = %q, but Phone(%q) = %q, %v", s, region, p, p, again, err)
		}
	})
}

func FuzzDateAmount(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, serial bool) {
		if d, err := Date(s, "", serial); err == nil && (d.Year() < minYear || d.Year() > maxYear) {
			t.Errorf("Date(%q) = %v outside the year range", s, d)
		}
		Date(s, "02.01.2006", serial)
		Date(s, "20060102", serial)
		for _, m := range []DecimalMark{DecimalAuto, DecimalComma, DecimalDot} {
			a, err := ParseAmount(s, m)
			if err != nil {
				continue
			}
			b, err := ParseAmount(FormatCents(a.Cents), DecimalDot)
			if err != nil || b.Cents != a.Cents {
				t.Errorf("ParseAmount(%q) = %d does not round-trip: %d, %v", s, a.Cents, b.Cents, err)
			}
		}
		Bool(s)
		Country(s)
		IBAN(s)
		DateLayout(s)
	})
}

func FuzzNationalID(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := NationalID(s)
		if err != nil {
			return
		}
		if again, err := NationalID(id); err != nil || again != id {
			t.Errorf("NationalID(%q) = %q, but NationalID(%q) = %q, %v", s, id, id, again, err)
		}
	})
}

func FuzzSplitFullName(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range []NameOrder{NameAuto, NameGivenFirst, NameFamilyFirst} {
			g, fam := SplitFullName(s, o)
			if CleanName(s) != "" && g == "" && fam == "" && strings.Trim(CleanName(s), ", ") != "" {
				t.Errorf("SplitFullName(%q) lost the name", s)
			}
		}
	})
}
