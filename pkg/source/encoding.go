package source

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Canonical encoding names, as reported in Info.Encoding and accepted by Options.Encoding.
const (
	encUTF8    = "utf-8"
	encUTF16   = "utf-16" // byte order from the BOM, little-endian without one
	encUTF16LE = "utf-16le"
	encUTF16BE = "utf-16be"
	enc1250    = "windows-1250"
	encLatin2  = "iso-8859-2"
	enc1252    = "windows-1252"
	encLatin1  = "iso-8859-1"
)

// singleByte lists the one-byte encodings padron decodes; the first four are the ones
// detection chooses between, the rest can only be forced.
var singleByte = []struct {
	name string
	cm   *charmap.Charmap
}{
	{enc1250, charmap.Windows1250},
	{encLatin2, charmap.ISO8859_2},
	{enc1252, charmap.Windows1252},
	{encLatin1, charmap.ISO8859_1},
	{"iso-8859-15", charmap.ISO8859_15},
	{"ibm850", charmap.CodePage850},
	{"ibm852", charmap.CodePage852},
	{"macintosh", charmap.Macintosh},
}

// encodingAliases maps names folded by foldEncodingName to canonical names.
var encodingAliases = map[string]string{
	"utf8":  encUTF8,
	"utf16": encUTF16, "ucs2": encUTF16,
	"utf16le": encUTF16LE, "utf16be": encUTF16BE,
	"windows1250": enc1250, "cp1250": enc1250, "win1250": enc1250, "xcp1250": enc1250,
	"iso88592": encLatin2, "latin2": encLatin2, "l2": encLatin2, "isolatin2": encLatin2,
	"windows1252": enc1252, "cp1252": enc1252, "win1252": enc1252, "xcp1252": enc1252,
	"iso88591": encLatin1, "latin1": encLatin1, "l1": encLatin1, "isolatin1": encLatin1,
	"iso885915": "iso-8859-15", "latin9": "iso-8859-15", "l9": "iso-8859-15",
	"ibm850": "ibm850", "cp850": "ibm850", "850": "ibm850",
	"ibm852": "ibm852", "cp852": "ibm852", "852": "ibm852",
	"macintosh": "macintosh", "mac": "macintosh", "macroman": "macintosh",
}

// EncodingNames lists the canonical encoding names Options.Encoding accepts.
func EncodingNames() []string {
	names := []string{encUTF8, encUTF16, encUTF16LE, encUTF16BE}
	for _, sb := range singleByte {
		names = append(names, sb.name)
	}
	return names
}

func foldEncodingName(name string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', ' ', '.':
			return -1
		}
		return unicode.ToLower(r)
	}, name)
}

// LookupEncoding resolves an encoding name or common alias ("cp1250", "latin2",
// "utf8", ...), ignoring case and punctuation, to its canonical name.
func LookupEncoding(name string) (string, error) {
	if c, ok := encodingAliases[foldEncodingName(name)]; ok {
		return c, nil
	}
	return "", fmt.Errorf("unknown text encoding %q: use one of %s", name, strings.Join(EncodingNames(), ", "))
}

// NewDecoder returns a reader that yields r's text, in the named encoding (a name or
// alias), as UTF-8 without a leading byte order mark. For utf-8, bytes that are not
// valid UTF-8 are decoded as Windows-1252 rather than replaced.
func NewDecoder(name string, r io.Reader) (io.Reader, error) {
	c, err := LookupEncoding(name)
	if err != nil {
		return nil, err
	}
	if c == encUTF8 {
		br := bufio.NewReaderSize(r, 64<<10)
		if head, _ := br.Peek(3); bytes.Equal(head, utf8BOM) {
			br.Discard(3)
		}
		return transform.NewReader(br, utf8Fallback{}), nil
	}
	return decodeRaw(c, r), nil
}

// decodeRaw is NewDecoder for a canonical name, except that utf-8 passes through
// untouched (BOM included): the CSV reader repairs invalid bytes per field so it can
// say which column they were in.
func decodeRaw(canonical string, r io.Reader) io.Reader {
	switch canonical {
	case encUTF8:
		return r
	case encUTF16, encUTF16LE:
		return transform.NewReader(bufio.NewReaderSize(r, 64<<10), xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewDecoder())
	case encUTF16BE:
		return transform.NewReader(bufio.NewReaderSize(r, 64<<10), xunicode.UTF16(xunicode.BigEndian, xunicode.UseBOM).NewDecoder())
	}
	return transform.NewReader(bufio.NewReaderSize(r, 64<<10), byteDecoder{decodeTable(canonical)})
}

// byteTable holds the UTF-8 form of each byte of a one-byte encoding.
type byteTable [256]string

var byteTables = func() map[string]*byteTable {
	m := make(map[string]*byteTable, len(singleByte))
	for _, sb := range singleByte {
		var t byteTable
		for b := 0; b < 256; b++ {
			r := sb.cm.DecodeByte(byte(b))
			if r == utf8.RuneError {
				// Bytes the code page leaves undefined become the C1 control of the
				// same number, as Windows does, instead of a silent U+FFFD.
				r = rune(b)
			}
			t[b] = string(r)
		}
		m[sb.name] = &t
	}
	return m
}()

func decodeTable(canonical string) *byteTable { return byteTables[canonical] }

// byteDecoder decodes a one-byte encoding.
type byteDecoder struct{ t *byteTable }

func (d byteDecoder) Reset() {}

func (d byteDecoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if nDst == len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		s := d.t[c]
		if nDst+len(s) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], s)
		nSrc++
	}
	return nDst, nSrc, nil
}

// utf8Fallback passes UTF-8 through and decodes each invalid byte as Windows-1252.
type utf8Fallback struct{}

func (utf8Fallback) Reset() {}

func (utf8Fallback) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	cp1252 := decodeTable(enc1252)
	for nSrc < len(src) {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if nDst == len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		r, size := utf8.DecodeRune(src[nSrc:])
		out := src[nSrc : nSrc+size]
		if r == utf8.RuneError && size == 1 {
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			out = []byte(cp1252[c])
		}
		if nDst+len(out) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += copy(dst[nDst:], out)
		nSrc += size
	}
	return nDst, nSrc, nil
}

// appendUTF8Fallback appends b to dst, decoding bytes that are not valid UTF-8 as
// Windows-1252.
func appendUTF8Fallback(dst, b []byte) []byte {
	cp1252 := decodeTable(enc1252)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, cp1252[b[0]]...)
		} else {
			dst = append(dst, b[:size]...)
		}
		b = b[size:]
	}
	return dst
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// bomEncoding names the encoding a byte order mark announces, or "".
func bomEncoding(head []byte) string {
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		return encUTF8
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return encUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return encUTF16BE
	}
	return ""
}

// utf16Pattern recognises BOM-less UTF-16 by the NUL byte every ASCII character
// carries: "utf-16le", "utf-16be" or "".
func utf16Pattern(head []byte) string {
	n := min(len(head), 4096) &^ 1
	if n < 4 {
		return ""
	}
	var nulEven, nulOdd, textLE, textBE int
	for i := 0; i < n; i += 2 {
		a, b := head[i], head[i+1]
		if a == 0 {
			nulEven++
			if asciiText(b) {
				textBE++
			}
		}
		if b == 0 {
			nulOdd++
			if asciiText(a) {
				textLE++
			}
		}
	}
	// Three units in four being ASCII leaves room for accented letters, and keeps a
	// few binary bytes from passing as text.
	units := n / 2
	switch {
	case textLE*4 >= units*3 && nulEven*20 <= units:
		return encUTF16LE
	case textBE*4 >= units*3 && nulOdd*20 <= units:
		return encUTF16BE
	}
	return ""
}

func asciiText(c byte) bool { return c >= 0x20 && c < 0x7F || c == '\t' || c == '\n' || c == '\r' }

// DetectEncoding reads r to its end and names its text encoding: "utf-8",
// "utf-16le", "utf-16be", "windows-1250", "iso-8859-2", "windows-1252" or
// "iso-8859-1". Memory use does not depend on the size of the input.
//
// A file that is mostly valid UTF-8 but has some invalid bytes (say, two exports
// concatenated) is reported as utf-8; readers decode the stray bytes as
// Windows-1252 and say so. Otherwise the one-byte encoding whose decoding of the
// non-ASCII bytes reads most like Spanish, Polish or another Latin-script language
// wins.
func DetectEncoding(r io.Reader) (string, error) {
	buf := make([]byte, 256<<10)
	var s encScan
	s.prev = '\n'
	carry := 0
	for first := true; ; first = false {
		n, err := io.ReadFull(r, buf[carry:])
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return "", err
		}
		data := buf[:carry+n]
		if first {
			if name := bomEncoding(data); name != "" {
				return name, nil
			}
			if name := utf16Pattern(data); name != "" {
				return name, nil
			}
		}
		keep := 0
		if !eof {
			keep = partialRuneSuffix(data)
		}
		s.scan(data[:len(data)-keep])
		carry = copy(buf, data[len(data)-keep:])
		if eof {
			return s.decide(), nil
		}
	}
}

// partialRuneSuffix is the length of an incomplete UTF-8 sequence ending b, carried
// over to the next chunk.
func partialRuneSuffix(b []byte) int {
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-k:]) {
				return 0
			}
			return k
		}
	}
	return 0
}

const (
	maxEncSamples = 1 << 18 // invalid bytes examined in context; enough to decide
	maxEncContext = 1 << 14 // distinct contexts kept
)

// encScan accumulates what DetectEncoding learns from each chunk.
type encScan struct {
	valid   int64             // valid multi-byte UTF-8 sequences
	invalid int64             // bytes that are not valid UTF-8
	hist    [256]int64        // invalid bytes by value
	ctx     map[[3]byte]int64 // invalid byte with the bytes either side
	sampled int
	prev    byte
}

func (s *encScan) scan(b []byte) {
	if len(b) == 0 {
		return
	}
	if utf8.Valid(b) {
		s.valid += countLeadBytes(b)
		s.prev = b[len(b)-1]
		return
	}
	for i := nextHigh(b, 0); i < len(b); i = nextHigh(b, i) {
		r, size := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || size > 1 {
			s.valid++
			i += size
			continue
		}
		c := b[i]
		s.invalid++
		s.hist[c]++
		if s.sampled < maxEncSamples {
			s.sampled++
			p, n := s.prev, byte('\n')
			if i > 0 {
				p = b[i-1]
			}
			if i+1 < len(b) {
				n = b[i+1]
			}
			k := [3]byte{p, c, n}
			if s.ctx == nil {
				s.ctx = make(map[[3]byte]int64)
			}
			if _, ok := s.ctx[k]; ok || len(s.ctx) < maxEncContext {
				s.ctx[k]++
			}
		}
		i++
	}
	s.prev = b[len(b)-1]
}

// nextHigh returns the index of the first non-ASCII byte at or after i, or len(b),
// skipping ASCII eight bytes at a time.
func nextHigh(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

func countLeadBytes(b []byte) int64 {
	var n int64
	for i := nextHigh(b, 0); i < len(b); i = nextHigh(b, i+1) {
		if b[i] >= 0xC0 {
			n++
		}
	}
	return n
}

// detectionOrder is also the preference on equal scores: the candidates then decode
// the file identically, and a Spanish organisation's Latin-1 is the likelier name.
var detectionOrder = []string{encLatin1, enc1252, enc1250, encLatin2}

func (s *encScan) decide() string {
	// Accidental valid sequences are rare in one-byte text, so a clear majority of
	// valid ones means UTF-8 with some foreign bytes mixed in.
	if s.invalid == 0 || s.valid >= 2*s.invalid {
		return encUTF8
	}
	best, bestScore := "", int64(0)
	for _, name := range detectionOrder {
		sc := s.score(decodeTable(name))
		if best == "" || sc > bestScore {
			best, bestScore = name, sc
		}
	}
	return best
}

func (s *encScan) score(t *byteTable) int64 {
	dec := func(c byte) rune {
		if c < utf8.RuneSelf {
			return rune(c)
		}
		r, _ := utf8.DecodeRuneInString(t[c])
		return r
	}
	var sc int64
	for k, n := range s.ctx {
		sc += n * int64(scoreRune(dec(k[0]), dec(k[1]), dec(k[2])))
	}
	// A C1 control or undefined byte is near-proof against an encoding, so it counts
	// over the whole file, not just the sampled contexts.
	for c := 0x80; c < 0xA0; c++ {
		if r := dec(byte(c)); s.hist[c] > 0 && r >= 0x80 && r < 0xA0 {
			sc -= 5 * s.hist[c]
		}
	}
	return sc
}

// Letters of the languages padron's users write: Spanish, Polish, Portuguese,
// French, German, Italian.
const targetLetters = "áéíóúüñÁÉÍÓÚÜÑ" + "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ" + "àâãçèêëîïôõùûœÀÂÃÇÈÊËÎÏÔÕÙÛŒ" + "äößÄÖ" + "ìòÌÒ"

const vowels = "aeiouyáéíóúàèìòùâêîôûãõäëïöüąę"

func isVowel(r rune) bool { return strings.ContainsRune(vowels, unicode.ToLower(r)) }

// scoreRune rates how plausible the character c is between p and n in Latin-script
// text: positive for expected letters and punctuation, negative for symbols inside
// words and for letter sequences the languages never use.
func scoreRune(p, c, n rune) int {
	if c >= 0x80 && c < 0xA0 {
		return 0 // scored per byte over the whole file
	}
	pl, nl := unicode.IsLetter(p), unicode.IsLetter(n)
	pd, nd := unicode.IsDigit(p), unicode.IsDigit(n)
	switch c {
	case 0xA0, 0xAD: // no-break space, soft hyphen: the same in every candidate
		return 0
	case 'º', 'ª': // ordinals: "1º", "2ª", "Nº"
		if pd || pl && !nl {
			return 2
		}
		return -1
	case '¿', '¡': // open a Spanish question or exclamation
		if !pl && nl {
			return 3
		}
	case '’', '·': // apostrophe "d’Ávila", Catalan "l·l"
		if pl && nl {
			return 1
		}
	case '€', '£', '¥', '¢', '°':
		if pd || nd {
			return 2
		}
	case '«', '»', '“', '”', '„', '‘', '‚', '‹', '›', '–', '—', '…', '•', '©', '®', '™', '§':
		if !(pl && nl) {
			return 1
		}
	}
	if unicode.IsLetter(c) && !unicode.Is(unicode.Lm, c) {
		s := -1
		if strings.ContainsRune(targetLetters, c) {
			s = 2
		}
		// Case changes inside a word: "żQué" is "¿Qué" misread.
		if unicode.IsUpper(c) && pl && unicode.IsLower(p) {
			s -= 3
		}
		if unicode.IsLower(c) && nl && unicode.IsUpper(n) {
			s -= 3
		}
		switch c {
		case 'ń', 'Ń': // Polish writes "ni" before a vowel, never "ń"
			if isVowel(n) {
				s -= 6
			}
		case 'ñ', 'Ñ': // Spanish ñ is followed by a vowel
			if isVowel(n) {
				s++
			} else {
				s -= 3
			}
		}
		return s
	}
	switch {
	case pl && nl:
		return -5
	case pl || nl:
		return -3
	}
	return 0
}
