package synth

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// The name, place and street lists live in text files so they are easy to review and
// extend; they are parsed once on first use.
//
//go:embed data/*.txt
var dataFS embed.FS

type nation uint8 // where a person's names come from

const (
	natPL nation = iota
	natES
	natAR
	natEN
	numNations
)

type country uint8 // where a person lives (phone, address, postcode)

const (
	ctyES country = iota
	ctyPL
	ctyAR
	ctyGB
	numCountries
)

type place struct {
	country  country
	city     string
	region   string
	lo, hi   int      // postcode range (digits); GB: unused
	width    int      // number of postcode digits, keeps leading zeros
	areas    []string // GB outward-code areas
	phone    string   // AR area code or GB drama-range prefix
	aliases  []string // other spellings people write
	cumw     int      // cumulative weight within its country
	hasAlias bool
}

type tables struct {
	givenF, givenM [numNations][]string // AR lists are ES + AR-specific names
	surnames       [numNations][]string
	arOnlyF        []string
	arOnlyM        []string
	nick           map[string][]string
	places         [numCountries][]place
	placeTotal     [numCountries]int
	streets        [numCountries][]string
}

var (
	tabOnce sync.Once
	tab     *tables
	tabErr  error
)

// data returns the parsed tables. The files are part of the package, so a parse error
// is a programming error; it is still reported rather than panicking so that a library
// user sees an error value.
func data() (*tables, error) {
	tabOnce.Do(func() { tab, tabErr = loadTables() })
	return tab, tabErr
}

func readLines(name string) ([]string, error) {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("synth: reading embedded %s: %w", name, err)
	}
	var out []string
	seen := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") || seen[l] {
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out, nil
}

func readGiven(name string) (f, m []string, err error) {
	lines, err := readLines(name)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range lines {
		sex, n, ok := strings.Cut(l, " ")
		switch {
		case ok && sex == "f":
			f = append(f, n)
		case ok && sex == "m":
			m = append(m, n)
		default:
			return nil, nil, fmt.Errorf("synth: %s: bad line %q", name, l)
		}
	}
	return f, m, nil
}

func loadTables() (*tables, error) {
	t := &tables{nick: map[string][]string{}}
	var err error
	if t.givenF[natPL], t.givenM[natPL], err = readGiven("given_pl.txt"); err != nil {
		return nil, err
	}
	if t.givenF[natES], t.givenM[natES], err = readGiven("given_es.txt"); err != nil {
		return nil, err
	}
	if t.arOnlyF, t.arOnlyM, err = readGiven("given_ar.txt"); err != nil {
		return nil, err
	}
	if t.givenF[natEN], t.givenM[natEN], err = readGiven("given_en.txt"); err != nil {
		return nil, err
	}
	// Argentines draw from the Argentine list first, then the Spanish one.
	t.givenF[natAR] = appendNew(t.arOnlyF, t.givenF[natES])
	t.givenM[natAR] = appendNew(t.arOnlyM, t.givenM[natES])

	for n, file := range map[nation]string{natPL: "surnames_pl.txt", natES: "surnames_es.txt", natEN: "surnames_en.txt"} {
		if t.surnames[n], err = readLines(file); err != nil {
			return nil, err
		}
	}
	ar, err := readLines("surnames_ar.txt")
	if err != nil {
		return nil, err
	}
	// Interleave so both Spanish-origin and Italian/criollo surnames are frequent.
	t.surnames[natAR] = interleave(ar, t.surnames[natES])

	nl, err := readLines("nicknames.txt")
	if err != nil {
		return nil, err
	}
	for _, l := range nl {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return nil, fmt.Errorf("synth: nicknames.txt: bad line %q", l)
		}
		for _, n := range strings.Split(v, ",") {
			t.nick[strings.TrimSpace(k)] = append(t.nick[strings.TrimSpace(k)], strings.TrimSpace(n))
		}
	}

	pl, err := readLines("places.txt")
	if err != nil {
		return nil, err
	}
	for _, l := range pl {
		f := strings.Split(l, "|")
		if len(f) != 8 {
			return nil, fmt.Errorf("synth: places.txt: bad line %q", l)
		}
		c, ok := countryCode(f[0])
		if !ok {
			return nil, fmt.Errorf("synth: places.txt: bad country in %q", l)
		}
		p := place{country: c, city: f[1], region: f[2], phone: f[6]}
		if c == ctyGB {
			p.areas = strings.Fields(f[3])
		} else {
			p.width = len(f[3])
			if p.lo, err = strconv.Atoi(f[3]); err != nil {
				return nil, fmt.Errorf("synth: places.txt: %q: %w", l, err)
			}
			if p.hi, err = strconv.Atoi(f[4]); err != nil {
				return nil, fmt.Errorf("synth: places.txt: %q: %w", l, err)
			}
		}
		w, err := strconv.Atoi(f[5])
		if err != nil {
			return nil, fmt.Errorf("synth: places.txt: %q: %w", l, err)
		}
		if f[7] != "" {
			for _, a := range strings.Split(f[7], ",") {
				p.aliases = append(p.aliases, strings.TrimSpace(a))
			}
			p.hasAlias = true
		}
		t.placeTotal[c] += w
		p.cumw = t.placeTotal[c]
		t.places[c] = append(t.places[c], p)
	}

	st, err := readLines("streets.txt")
	if err != nil {
		return nil, err
	}
	for _, l := range st {
		cs, name, ok := strings.Cut(l, "|")
		c, ok2 := countryCode(cs)
		if !ok || !ok2 {
			return nil, fmt.Errorf("synth: streets.txt: bad line %q", l)
		}
		t.streets[c] = append(t.streets[c], name)
	}
	for c := country(0); c < numCountries; c++ {
		if len(t.places[c]) == 0 || len(t.streets[c]) == 0 {
			return nil, fmt.Errorf("synth: no places or streets for country %d", c)
		}
	}
	return t, nil
}

func countryCode(s string) (country, bool) {
	switch s {
	case "ES":
		return ctyES, true
	case "PL":
		return ctyPL, true
	case "AR":
		return ctyAR, true
	case "GB":
		return ctyGB, true
	}
	return 0, false
}

func appendNew(a, b []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(a)+len(b))
	for _, s := range append(append([]string{}, a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func interleave(a, b []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(a)+len(b))
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for i := 0; i < len(a) || i < len(b); i++ {
		if i < len(b) {
			add(b[i])
		}
		if i < len(a) {
			add(a[i])
		}
	}
	return out
}
