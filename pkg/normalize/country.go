package normalize

import (
	_ "embed"
	"errors"
	"strings"
	"sync"
)

//go:embed data/countries.txt
var countriesFile string

// countryKeys maps a country key (see appendCountryKey) to its ISO 3166-1 alpha-2 code.
var countryKeys = sync.OnceValue(func() map[string]string {
	m := make(map[string]string, 1024)
	for _, line := range strings.Split(countriesFile, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.SplitN(line, " ", 3)
		code := f[0]
		m[strings.ToLower(code)] = code
		m[strings.ToLower(f[1])] = code
		for _, name := range strings.Split(f[2], ";") {
			m[string(appendCountryKey(nil, name))] = code
		}
	}
	m["uk"] = "GB" // not ISO, but what the British write
	m["el"] = "GR" // the EU's code for Greece
	return m
})

// appendCountryKey folds s and drops the spaces, so "EE.UU." and "Reino  Unido" match
// "eeuu" and "reinounido".
func appendCountryKey(dst []byte, s string) []byte {
	start := len(dst)
	dst = appendFold(dst, s)
	out := dst[:start]
	for _, c := range dst[start:] {
		if c != ' ' {
			out = append(out, c)
		}
	}
	return out
}

// Country returns the ISO 3166-1 alpha-2 code of a country written as a code ("PL",
// "pol") or a name in English, the country's own language, Spanish or Polish ("Polska",
// "Poland", "Polonia", "España", "Hiszpania", "Deutschland", "Alemania"). Case,
// accents and punctuation are ignored.
func Country(s string) (string, error) {
	v := trim(s)
	if v == "" {
		return "", errors.New("empty country")
	}
	var buf [64]byte
	if code, ok := countryKeys()[string(appendCountryKey(buf[:0], v))]; ok {
		return code, nil
	}
	return "", errors.New("unknown country " + quote(v))
}
