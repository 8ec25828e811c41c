package match

import (
	"math/rand/v2"
	"testing"
	"unsafe"
)

// byteDistance is the Levenshtein distance over bytes, in full.
func byteDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j-1]+cost, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// The shortcuts comparisons take must never change a level: jwBound is never below
// jaroWinkler, editWithin2 agrees with the full Levenshtein distance, and phones
// compared as numbers give what the strings give.

func randWord(r *rand.Rand, alphabet string, maxLen int) string {
	b := make([]byte, r.IntN(maxLen+1))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// mutate makes a near miss of s: a few edits.
func mutate(r *rand.Rand, s, alphabet string) string {
	b := []byte(s)
	for n := r.IntN(4); n > 0; n-- {
		switch k := r.IntN(4); {
		case k == 0 && len(b) > 0:
			i := r.IntN(len(b))
			b = append(b[:i], b[i+1:]...)
		case k == 1:
			i := r.IntN(len(b) + 1)
			b = append(b[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
		case k == 2 && len(b) > 0:
			b[r.IntN(len(b))] = alphabet[r.IntN(len(alphabet))]
		case k == 3 && len(b) > 1:
			i := r.IntN(len(b) - 1)
			b[i], b[i+1] = b[i+1], b[i]
		}
	}
	return string(b)
}

func TestShortcutsKeepLevels(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, alphabet := range []string{"ab", "abc ", "abcdefghijklmnopqrstuvwxyz 0123456789", "a\xc3\xb3\x81b"} {
		for n := 0; n < 200_000; n++ {
			a := randWord(r, alphabet, 24)
			b := mutate(r, a, alphabet)
			if n%3 == 0 {
				b = randWord(r, alphabet, 24)
			}
			jw := jaroWinkler(a, b)
			if ub := jwBound(a, b); ub < jw-jwSlack {
				t.Fatalf("jwBound(%q, %q) = %v < jaroWinkler %v", a, b, ub, jw)
			}
			for _, min := range []float64{0.80, 0.85, 0.90, 0.92} {
				if jwAtLeast(a, b, min) != (jw >= min) {
					t.Fatalf("jwAtLeast(%q, %q, %v) wrong (jw %v)", a, b, min, jw)
				}
				if f := jwFrom(a, b, min); f != jw && (f != 0 || jw >= min) {
					t.Fatalf("jwFrom(%q, %q, %v) = %v, jw %v", a, b, min, f, jw)
				}
			}
			if got, want := editWithin2(a, b), byteDistance(a, b) <= 2; got != want {
				t.Fatalf("editWithin2(%q, %q) = %v, want %v", a, b, got, want)
			}
			if farApart(a, b) && (jw >= 0.80 || editWithin2(a, b) || editAtMost1(a, b) || anagram(a, b)) {
				t.Fatalf("farApart(%q, %q), yet jw %v, editWithin2 %v, editAtMost1 %v, anagram %v",
					a, b, jw, editWithin2(a, b), editAtMost1(a, b), anagram(a, b))
			}
		}
	}
	phones := []string{"+48123456789", "+48123456780", "+34123456789", "+4812345678", "+1234", "+48 123", "123456789012", "+", "+999999999999999", "+9999999999999999"}
	for n := 0; n < 20_000; n++ {
		pick := func() []string {
			var l []string
			for k := r.IntN(3); k > 0; k-- {
				p := phones[r.IntN(len(phones))]
				if r.IntN(2) == 0 {
					p = mutate(r, p, "0123456789")
				}
				l = append(l, p)
			}
			return l
		}
		a, b := prepare(&Record{Phones: pick()}), prepare(&Record{Phones: pick()})
		a.phoneShared = uint64(r.IntN(4))
		want := a
		want.phoneNums = nil // the string path
		if got, w := phone(&a, &b), phone(&want, &b); got != w {
			t.Fatalf("phone(%q, %q) = %d, strings say %d", a.phones, b.phones, got, w)
		}
	}
}

// familySlow is family without its farApart shortcut, for single words.
func familySlow(a, b string) uint8 {
	if a == "" || b == "" {
		return lvMissing
	}
	if a == b {
		return lvExact
	}
	if surnameGenders(a, b) {
		return 5
	}
	if sameWord(a, b) {
		if len(a) >= 3 {
			return 2
		}
	}
	switch jw := jwFrom(a, b, 0.80); {
	case jw >= 0.92:
		return 3
	case jw >= 0.80:
		return 4
	}
	return 6
}

// townSlow is town without its farApart shortcut.
func townSlow(a, b string) uint8 {
	l := similar(a, b, 0.90, cCity)
	if l == last(cCity) && len(a) >= 5 && len(b) >= 5 && (editWithin2(a, b) || anagram(a, b)) {
		l = 2
	}
	return l
}

// The farApart shortcut in family and town changes no level: one-word surnames
// and towns, near misses and strangers, compared both ways.
func TestFarApartKeepsLevels(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	words := []string{"nowak", "nowakowski", "kowalska", "kowalski", "garcia", "garza", "lopez", "lopes", "smith", "smyth",
		"li", "lu", "wu", "madrid", "warszawa", "sevilla", "lodz", "krakow", "zielinski", "zielinska", "martinez"}
	const alphabet = "abcdefghijklmnopqrstuvwxyz"
	for n := 0; n < 200_000; n++ {
		a := words[r.IntN(len(words))]
		if r.IntN(2) == 0 {
			a = randWord(r, alphabet, 14)
		}
		b := mutate(r, a, alphabet)
		if n%3 == 0 {
			b = words[r.IntN(len(words))]
		}
		if a == "" || b == "" {
			continue
		}
		fa, fb := prepare(&Record{FamilyName: a}), prepare(&Record{FamilyName: b})
		if fa.family != a || fb.family != b || len(fa.famToks) != 1 || len(fb.famToks) != 1 {
			continue // not one plain word
		}
		if got, want := family(a, fa.famToks, b, fb.famToks), familySlow(a, b); got != want {
			t.Fatalf("family(%q, %q) = %d, without the shortcut %d", a, b, got, want)
		}
		if got, want := town(a, b), townSlow(a, b); got != want {
			t.Fatalf("town(%q, %q) = %d, without the shortcut %d", a, b, got, want)
		}
	}
}

// prefetchFeat fetches six cache lines: a feat that grew past them would be
// compared partly unfetched (slower, never wrong). Raise the lines in
// prefetch_amd64.s with the size.
func TestFeatFitsPrefetch(t *testing.T) {
	if n := unsafe.Sizeof(feat{}); n > 6*64 {
		t.Fatalf("feat is %d bytes, prefetchFeat fetches 384", n)
	}
}
