package normalize

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// CleanName trims, collapses inner whitespace to single spaces, removes control and
// zero-width (format) characters, and NFC-normalises. Case and diacritics stay as
// written.
func CleanName(s string) string {
	if alreadyClean(s) {
		return s
	}
	var arr [128]byte
	b := arr[:0]
	space := false // a space is pending: written only before the next visible rune
	nfc := true
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = len(b) > 0
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || unicode.Is(unicode.Cf, r):
			// Controls and invisible format characters (zero-width spaces and joiners,
			// soft hyphens, BOMs, direction marks) are dropped.
		default:
			if space {
				b = append(b, ' ')
				space = false
			}
			b = utf8.AppendRune(b, r)
			nfc = nfc && nfcSafe(r)
		}
	}
	out := string(b)
	if !nfc && !norm.NFC.IsNormalString(out) {
		out = norm.NFC.String(out)
	}
	return out
}

// alreadyClean reports whether CleanName would return s unchanged: no leading,
// trailing or repeated spaces, no other whitespace, controls or format characters, and
// NFC. Names with diacritics ("Łukasz Wróbel") are usually clean already.
func alreadyClean(s string) bool {
	prevSpace := true
	nfc := true // every rune so far is in nfcSafe
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			if c == ' ' {
				if prevSpace {
					return false
				}
				prevSpace = true
			} else {
				prevSpace = false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || r < 0xa0 || unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
		nfc = nfc && nfcSafe(r)
		prevSpace = false
		i += n
	}
	if prevSpace && len(s) > 0 {
		return false
	}
	return nfc || norm.NFC.IsNormalString(s)
}

// nfcSafe reports runes that are NFC on their own and never compose with a neighbour
// (Latin and Cyrillic letters, not combining marks), so a string of them is NFC without
// asking the normaliser. TestNFCSafe checks this against x/text.
func nfcSafe(r rune) bool {
	return r < 0x300 || (r >= 0x400 && r < 0x483) || (r >= 0x48a && r < 0x530)
}

// Fold returns the matching key of a name or text: lower-case, without diacritics
// (including letters NFD does not decompose: ł→l, ø→o, đ→d, ß→ss, æ→ae, œ→oe, ı→i),
// with punctuation, hyphens and apostrophes turned into spaces and spaces collapsed.
// "Łukasz  Wróbel" → "lukasz wrobel"; "MUÑOZ-GARCÍA" → "munoz garcia".
func Fold(s string) string {
	if foldedASCII(s) {
		return s
	}
	var arr [128]byte
	return string(appendFold(arr[:0], s))
}

// foldedASCII reports whether s is already a fold key: [a-z0-9] words separated by
// single spaces.
func foldedASCII(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			prevSpace = false
		case c == ' ' && !prevSpace:
			prevSpace = true
		default:
			return false
		}
	}
	return !prevSpace || len(s) == 0
}

// asciiFold maps each ASCII byte to its folded form; 0 marks a separator.
var asciiFold = func() (t [128]byte) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	return t
}()

// appendFold appends the fold key of s to dst.
func appendFold(dst []byte, s string) []byte {
	start := len(dst)
	space := false
	emit := func(f string) {
		for i := 0; i < len(f); i++ {
			if f[i] == ' ' {
				space = len(dst) > start
				continue
			}
			if space {
				dst = append(dst, ' ')
				space = false
			}
			dst = append(dst, f[i])
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if f := asciiFold[c]; f != 0 {
				if space {
					dst = append(dst, ' ')
					space = false
				}
				dst = append(dst, f)
			} else {
				space = len(dst) > start
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if n == 1 { // invalid UTF-8
			space = len(dst) > start
			continue
		}
		if r == 0xB7 && i < len(s) && len(dst) > start {
			// Catalan l·l: the middle dot joins, it does not separate.
			continue
		}
		emit(foldRune(r))
	}
	return dst
}

// foldTable caches foldRune for the Latin, Greek and Cyrillic blocks, which cover
// nearly every name an organisation in Europe or the Americas stores.
var foldTable = sync.OnceValue(func() []string {
	t := make([]string, 0x530)
	for r := range t {
		t[r] = foldRuneSlow(rune(r))
	}
	return t
})

func foldRune(r rune) string {
	if r < 0x530 {
		return foldTable()[r]
	}
	if r >= 0x1E00 && r <= 0x1EFF { // Latin Extended Additional (Vietnamese, Welsh…)
		return foldExtra()[r-0x1E00]
	}
	return foldRuneSlow(r)
}

var foldExtra = sync.OnceValue(func() []string {
	t := make([]string, 0x100)
	for i := range t {
		t[i] = foldRuneSlow(rune(0x1E00 + i))
	}
	return t
})

// foldSpecial holds letters that are not composed with a combining mark, so Unicode
// decomposition leaves them alone, but that people write without the stroke or ligature.
var foldSpecial = map[rune]string{
	'ł': "l", 'đ': "d", 'ø': "o", 'ß': "ss", 'æ': "ae", 'œ': "oe", 'ı': "i",
	'ð': "d", 'þ': "th", 'ħ': "h", 'ŧ': "t", 'ŀ': "l", 'ĸ': "k", 'ſ': "s",
	'ƒ': "f", 'ŋ': "n", 'ɨ': "i", 'ʉ': "u", 'ƀ': "b", 'ɍ': "r", 'ɏ': "y", 'ȥ': "z",
	'ĳ': "ij", 'ǆ': "dz", 'ǉ': "lj", 'ǌ': "nj", 'ẞ': "ss", 'ɛ': "e", 'ɔ': "o",
	// Apostrophes and hyphens of every kind separate words.
	'\u2019': " ", '\u2018': " ", '\u02bc': " ", '\u2010': " ", '\u2011': " ",
}

func foldRuneSlow(r rune) string {
	if r < utf8.RuneSelf {
		if f := asciiFold[r]; f != 0 {
			return string(rune(f))
		}
		return " "
	}
	l := unicode.ToLower(r)
	if f, ok := foldSpecial[l]; ok {
		return f
	}
	if !unicode.IsLetter(l) && !unicode.IsNumber(l) && !unicode.Is(unicode.Mn, l) {
		return " "
	}
	var b strings.Builder
	for _, d := range norm.NFKD.String(string(l)) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		d = unicode.ToLower(d)
		if f, ok := foldSpecial[d]; ok {
			b.WriteString(f)
		} else if d < utf8.RuneSelf {
			if f := asciiFold[d]; f != 0 {
				b.WriteByte(f)
			} else {
				b.WriteByte(' ')
			}
		} else if unicode.IsLetter(d) || unicode.IsNumber(d) {
			b.WriteRune(d)
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}
