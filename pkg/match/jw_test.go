package match

import (
	"math"
	"testing"

	"github.com/agnivade/levenshtein"
)

func TestJaroWinkler(t *testing.T) {
	// Reference values from Winkler's paper and the common test tables.
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.961},
		{"dwayne", "duane", 0.840},
		{"dixon", "dicksonx", 0.813},
		{"jones", "johnson", 0.832},
		{"abc", "abc", 1},
		{"", "", 0},
		{"abc", "", 0},
		{"abc", "xyz", 0},
	} {
		got := jaroWinkler(c.a, c.b)
		if math.Abs(got-c.want) > 0.001 {
			t.Errorf("jaroWinkler(%q, %q) = %.4f, want %.3f", c.a, c.b, got, c.want)
		}
		if back := jaroWinkler(c.b, c.a); math.Abs(back-got) > 1e-12 {
			t.Errorf("not symmetric for %q, %q: %v vs %v", c.a, c.b, got, back)
		}
	}
	long := "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
	if got := jaroWinkler(long, long[1:]); got < 0.85 || got >= 1 {
		t.Errorf("long strings: %v", got)
	}
}

func TestEditAtMost1(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"19800512", "19800512", true},
		{"19800512", "19800513", true},
		{"19800512", "19805012", true}, // adjacent swap
		{"19800512", "1980512", true},
		{"19800512", "19810513", false},
		{"abc", "abcde", false},
		{"", "a", true},
		{"ab", "ba", true},
	} {
		if got := editAtMost1(c.a, c.b); got != c.want {
			t.Errorf("editAtMost1(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func BenchmarkJaroWinkler(b *testing.B) {
	for i := 0; i < b.N; i++ {
		jaroWinkler("kowalczyk", "kowalczky")
	}
}

func TestEditWithin2(t *testing.T) {
	for _, c := range [][2]string{
		{"kowalski", "kowalski"}, {"kowalski", "kowalsky"}, {"manzano", "mnzano"}, {"andrew", "amdrrw"},
		{"garcia", "gracia"}, {"abc", "xbcde"}, {"", "ab"}, {"kowalski", "nowakowski"}, {"anna", "piotr"},
		{"smith", "smyth"}, {"abcdef", "badcfe"},
	} {
		want := levenshtein.ComputeDistance(c[0], c[1]) <= 2
		if got := editWithin2(c[0], c[1]); got != want {
			t.Errorf("editWithin2(%q, %q) = %v, want %v", c[0], c[1], got, want)
		}
	}
}
