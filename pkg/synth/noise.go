package synth

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Noise is what happens to a person's data between systems. Each extra copy of a person
// gets one to three of these; Manifest.Noise counts how often each was applied.
const (
	NoiseTypo            = "typo"                    // 1-2 character edits in a name
	NoiseNoDiacritics    = "no_diacritics"           // Łukasz → Lukasz, Muñoz → Munoz
	NoiseUpperCase       = "upper_case"              // KOWALSKA
	NoiseLowerCase       = "lower_case"              // kowalska
	NoiseSwappedNames    = "swapped_names"           // given and family name exchanged
	NoiseNickname        = "nickname"                // Kasia for Katarzyna, Mª José for María José
	NoiseSurnameDropped  = "second_surname_dropped"  // García López → García
	NoiseMarriedSurname  = "married_surname"         // Kowalska → Nowak-Kowalska
	NoiseGmailVariant    = "gmail_variant"           // dots, +tag, googlemail.com
	NoiseEmailTypo       = "email_typo"              // gmial.com, swapped letters
	NoisePhoneFormat     = "phone_format"            // same number, unusual format
	NoisePhoneMissing    = "phone_missing"           // phone left out
	NoiseEmailMissing    = "email_missing"           // email left out
	NoiseBirthSwapped    = "birth_day_month_swapped" // 03/07 written as 07/03
	NoiseFieldEmpty      = "field_empty"             // city, postcode, street or birth date left out
	NoiseCityVariant     = "city_variant"            // A Coruña / La Coruña, Warszawa / Warsaw
	numNoise             = 16
	maxNoiseOpsPerRecord = 3
)

var noiseNames = [numNoise]string{
	NoiseTypo, NoiseNoDiacritics, NoiseUpperCase, NoiseLowerCase, NoiseSwappedNames,
	NoiseNickname, NoiseSurnameDropped, NoiseMarriedSurname, NoiseGmailVariant,
	NoiseEmailTypo, NoisePhoneFormat, NoisePhoneMissing, NoiseEmailMissing,
	NoiseBirthSwapped, NoiseFieldEmpty, NoiseCityVariant,
}

// Relative weights of the noise kinds when a kind is drawn for a copy.
var noiseWeights = [numNoise]float64{14, 10, 6, 4, 7, 8, 8, 5, 7, 4, 6, 5, 5, 5, 8, 4}

// Problems are deliberately bad values (what an importer must report, not fix).
const (
	ProblemInvalidEmail = "invalid_email"
	ProblemBadDate      = "bad_date"
	ProblemRaggedRow    = "ragged_row"
	ProblemBadPhone     = "bad_phone"
	ProblemBadAmount    = "bad_amount"
	numProblems         = 5
)

var problemNames = [numProblems]string{ProblemInvalidEmail, ProblemBadDate, ProblemRaggedRow, ProblemBadPhone, ProblemBadAmount}

// foldMap strips diacritics from the letters that occur in the name lists.
var foldMap = map[rune]string{
	'ą': "a", 'ć': "c", 'ę': "e", 'ł': "l", 'ń': "n", 'ó': "o", 'ś': "s", 'ź': "z", 'ż': "z",
	'Ą': "A", 'Ć': "C", 'Ę': "E", 'Ł': "L", 'Ń': "N", 'Ó': "O", 'Ś': "S", 'Ź': "Z", 'Ż': "Z",
	'á': "a", 'é': "e", 'í': "i", 'ú': "u", 'ü': "u", 'ñ': "n", 'ç': "c", 'à': "a", 'è': "e",
	'ì': "i", 'ò': "o", 'ù': "u", 'ï': "i", 'ö': "o", 'ä': "a", 'â': "a", 'ê': "e", 'ô': "o",
	'Á': "A", 'É': "E", 'Í': "I", 'Ú': "U", 'Ü': "U", 'Ñ': "N", 'Ç': "C", 'À': "A", 'È': "E",
	'Ì': "I", 'Ò': "O", 'Ù': "U", 'Ï': "I", 'Ö': "O", 'Ä': "A", 'Â': "A", 'Ê': "E", 'Ô': "O",
	'º': "o", 'ª': "a", '°': "o",
}

// fold removes diacritics: what a keyboard without Polish or Spanish letters produces.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if f, ok := foldMap[r]; ok {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// qwerty neighbours: a slipped finger hits an adjacent key.
var qwerty = map[rune]string{
	'a': "qwsz", 'b': "vghn", 'c': "xdfv", 'd': "serfcx", 'e': "wsdr", 'f': "drtgvc",
	'g': "ftyhbv", 'h': "gyujnb", 'i': "ujko", 'j': "huikmn", 'k': "jiolm", 'l': "kop",
	'm': "njk", 'n': "bhjm", 'o': "iklp", 'p': "ol", 'q': "wa", 'r': "edft", 's': "awedxz",
	't': "rfgy", 'u': "yhji", 'v': "cfgb", 'w': "qase", 'x': "zsdc", 'y': "tghu", 'z': "asx",
}

// typo applies one or two edits (substitution by a neighbouring key, deletion, doubled
// letter, transposition), never to the first letter, which people rarely get wrong.
func typo(r *rng, s string) string {
	rs := []rune(s)
	if len(rs) < 3 {
		return s
	}
	orig := s
	n := 1
	if r.chance(0.25) && len(rs) > 5 {
		n = 2
	}
	for range n {
		i := r.between(1, len(rs)-1)
		switch r.IntN(4) {
		case 0: // neighbouring key
			c := rs[i]
			lc := unicode.ToLower([]rune(fold(string(c)))[0])
			if nb, ok := qwerty[lc]; ok {
				x := rune(nb[r.IntN(len(nb))])
				if unicode.IsUpper(c) {
					x = unicode.ToUpper(x)
				}
				rs[i] = x
				continue
			}
			fallthrough
		case 1: // dropped letter
			if len(rs) > 3 && rs[i] != ' ' && rs[i] != '-' {
				rs = append(rs[:i], rs[i+1:]...)
				continue
			}
			fallthrough
		case 2: // doubled letter
			rs = append(rs[:i+1], rs[i:]...)
		case 3: // transposed letters
			if i+1 < len(rs) && rs[i] != rs[i+1] {
				rs[i], rs[i+1] = rs[i+1], rs[i]
			} else {
				rs = append(rs[:i+1], rs[i:]...)
			}
		}
	}
	out := string(rs)
	if out == orig {
		return orig + string(rs[len(rs)-1])
	}
	return out
}

// nickname returns a short form people use for a given name, or "".
func (g *gen) nickname(r *rng, given string) string {
	if ns, ok := g.tab.nick[given]; ok {
		return ns[r.IntN(len(ns))]
	}
	first, rest, ok := strings.Cut(given, " ")
	if !ok {
		return ""
	}
	if first == "María" && r.chance(0.6) {
		return []string{"Mª ", "M. ", "Mari "}[r.IntN(3)] + rest // Mª José
	}
	if ns, ok := g.tab.nick[first]; ok && r.chance(0.3) {
		return ns[r.IntN(len(ns))]
	}
	return first // María José → María, Juan Carlos → Juan
}

// gmailVariant writes the same Gmail mailbox differently: Gmail ignores dots and
// everything after "+", and googlemail.com is an alias of gmail.com.
func gmailVariant(r *rng, email string) string {
	local, dom, ok := strings.Cut(email, "@")
	if !ok || dom != "gmail.com" {
		return email
	}
	switch r.IntN(4) {
	case 0:
		if strings.Contains(local, ".") {
			return strings.ReplaceAll(local, ".", "") + "@" + dom
		}
		i := r.between(1, len(local)-1)
		return local[:i] + "." + local[i:] + "@" + dom
	case 1, 2:
		tag := []string{"ong", "newsletter", "donaciones", "fundacja", "eventos", "ngo", "voluntariado"}[r.IntN(7)]
		return local + "+" + tag + "@" + dom
	default:
		return local + "@googlemail.com"
	}
}

var domainTypos = map[string][]string{
	"gmail.com":   {"gmial.com", "gmail.con", "gmai.com", "gnail.com", "gmail.co"},
	"hotmail.com": {"hotmial.com", "hotmail.con", "hotmal.com"},
	"hotmail.es":  {"hotmail.com", "hotmial.es"},
	"wp.pl":       {"wp.p", "wpl.pl"},
	"onet.pl":     {"onet.com.pl", "onte.pl"},
	"example.org": {"exmaple.org", "example.or"},
	"example.com": {"exmaple.com", "example.cm"},
}

func emailTypo(r *rng, email string) string {
	local, dom, ok := strings.Cut(email, "@")
	if !ok {
		return email
	}
	if ds, ok := domainTypos[dom]; ok && r.chance(0.5) {
		return local + "@" + ds[r.IntN(len(ds))]
	}
	if len(local) < 3 {
		return local + local[len(local)-1:] + "@" + dom
	}
	return typo(r, local) + "@" + dom
}

// invalidEmail breaks an address so that no validator accepts it.
func invalidEmail(r *rng, email string) string {
	local, dom, ok := strings.Cut(email, "@")
	if !ok {
		return email + "@"
	}
	switch r.IntN(6) {
	case 0:
		return local + dom // @ lost
	case 1:
		return local + "@@" + dom
	case 2:
		return local + " @" + dom
	case 3:
		d, _, _ := strings.Cut(dom, ".")
		return local + "@" + d // no top-level domain
	case 4:
		return local + "(at)" + dom
	default:
		return strings.Replace(email, ".", ",", 1) + ""
	}
}
