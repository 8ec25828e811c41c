package source

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// The vCard reader parses the cards itself rather than through
// github.com/emersion/go-vcard: that decoder holds a card in a map (losing line
// numbers), reads lines without a length limit, drops vCard 2.1 bare parameters
// ("TEL;CELL;PREF:" loses the number) and splits N and ADR on escaped semicolons.
// Phones, Google and Apple write all of these, so a small tolerant parser is safer.

const vcardName = "vcard"

// vcMaxCardBytes bounds one card. Contact cards are a few kilobytes, a few hundred with
// a photo; anything larger is not a contact and would otherwise be held in memory.
const vcMaxCardBytes = 16 << 20

// vcMaxLineNotes caps the notes about malformed lines in one card, so a card of junk
// gives a readable problem report instead of thousands of lines.
const vcMaxLineNotes = 5

// The table's columns, in order.
const (
	vcFullName = iota
	vcGiven
	vcFamily
	vcAdditional
	vcPrefix
	vcSuffix
	vcNickname
	vcEmail
	vcPhone
	vcStreet
	vcPostcode
	vcCity
	vcRegion
	vcCountry
	vcOrganization
	vcTitle
	vcBirthday
	vcNote
	vcCategories
	vcUID
	vcRaw
	vcColumns
)

var vcardHeader = [vcColumns]string{
	"Full Name", "Given Name", "Family Name", "Additional Names", "Prefix", "Suffix", "Nickname",
	"Email", "Phone", "Street", "Postcode", "City", "Region", "Country",
	"Organization", "Title", "Birthday", "Note", "Categories", "UID", "vCard",
}

type vcardFormat struct{}

// VCard is the vCard contact-book format (.vcf; versions 2.1, 3.0 and 4.0), as phones,
// Google Contacts, Apple Contacts and Outlook export it. The file is one table, named
// "": a fixed header row, then one row per card.
func VCard() Format { return vcardFormat{} }

func (vcardFormat) Name() string { return vcardName }

// Sniff accepts text whose first non-blank line is BEGIN:VCARD, in UTF-8, a one-byte
// encoding or UTF-16 (Windows exports).
func (vcardFormat) Sniff(p *Probe) bool {
	if p.Size == 0 || LooksBinary(p.Head) {
		return false
	}
	head := p.Head
	enc := bomEncoding(head)
	if enc != encUTF16LE && enc != encUTF16BE {
		enc = utf16Pattern(head)
	}
	if enc != "" {
		buf := make([]byte, 4096)
		n, _ := io.ReadFull(decodeRaw(enc, bytes.NewReader(head)), buf)
		head = buf[:n]
	}
	head = bytes.TrimPrefix(head, utf8BOM)
	head = bytes.TrimLeft(head, " \t\r\n")
	if i := bytes.IndexAny(head, "\r\n"); i >= 0 {
		head = head[:i]
	}
	return isVCardLine(head, "BEGIN:VCARD")
}

// isVCardLine reports whether line is the BEGIN or END line given (in upper case),
// ignoring case and trailing blanks.
func isVCardLine(line []byte, want string) bool {
	line = bytes.TrimRight(line, " \t")
	if len(line) != len(want) {
		return false
	}
	for i := range line {
		c := line[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != want[i] {
			return false
		}
	}
	return true
}

// Open names the file's encoding: forced by opts, or detected (reading the whole file
// once, in constant memory) so that old 2.1 cards written in a Windows code page
// without CHARSET parameters still decode.
func (vcardFormat) Open(path string, opts Options) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	enc, err := fileEncoding(path, f, opts)
	if err != nil {
		return nil, err
	}
	return &vcardFile{textFile{path: path, kind: "vCard", info: Info{Format: vcardName, Encoding: enc}, maxField: opts.maxField()}}, nil
}

type vcardFile struct{ textFile }

// Open streams the cards. Each call reads the file afresh.
func (v *vcardFile) Open(name string) (Table, error) {
	f, err := v.openTable(name)
	if err != nil {
		return nil, err
	}
	t := &vcardTable{fileTable: fileTable{path: v.path, f: f}, charset: v.info.Encoding, maxField: v.maxField}
	var src io.Reader = f
	switch t.charset {
	case encUTF16, encUTF16LE, encUTF16BE:
		// The structure is in UTF-16 units, so the whole stream is decoded; CHARSET
		// then only applies to bytes that quoted-printable decoding produces.
		src = decodeRaw(t.charset, f)
		t.charset, t.wide = encUTF8, true
	}
	t.lr = vcLineReader{window: window{src: src, buf: make([]byte, 64<<10)}}
	if !t.wide && t.lr.ensure(3) && bytes.HasPrefix(t.lr.buf[t.lr.r:t.lr.w], utf8BOM) {
		t.lr.r += 3 // a UTF-8 BOM, even if the user forced a one-byte encoding
	}
	return t, nil
}

// vcLineReader reads physical lines, ended by CRLF, LF or a lone CR, keeping at most
// vcMaxCardBytes+1 bytes of each so a huge line cannot take unbounded memory.
type vcLineReader struct {
	window

	line int    // number of the line last read
	text []byte // that line without its break, cut at vcMaxCardBytes+1 bytes
	full int    // that line's whole length
	brk  string // its break: "\r\n", "\n", "\r", or "" at the end of the file
}

// next reads the next line; false at the end of the input or on a read error (l.rerr).
func (l *vcLineReader) next() bool {
	l.text, l.full, l.brk = l.text[:0], 0, ""
	got := false
	for {
		if l.r == l.w && !l.fill() {
			if got && l.rerr == nil {
				l.line++
				return true
			}
			return false
		}
		got = true
		chunk := l.buf[l.r:l.w]
		i := bytes.IndexByte(chunk, '\n')
		if i < 0 {
			i = len(chunk)
		}
		if j := bytes.IndexByte(chunk[:i], '\r'); j >= 0 {
			i = j
		}
		if room := vcMaxCardBytes + 1 - len(l.text); room > 0 {
			l.text = append(l.text, chunk[:min(i, room)]...)
		}
		l.full += i
		l.r += i
		if i == len(chunk) {
			continue
		}
		l.r++
		l.brk = "\n"
		if chunk[i] == '\r' {
			l.brk = "\r"
			if l.ensure(1) && l.buf[l.r] == '\n' {
				l.r++
				l.brk = "\r\n"
			}
		}
		l.line++
		return true
	}
}

// vcardTable streams one row per card, holding only the current card.
type vcardTable struct {
	fileTable
	lr       vcLineReader
	charset  string // canonical encoding of values without a CHARSET parameter
	wide     bool   // the file is UTF-16, decoded to UTF-8 as a whole
	maxField int

	header   bool   // the header row was returned
	begin    int    // line of a BEGIN:VCARD already read; 0 if none
	beginRaw []byte // that line, with its break
	done     bool   // no more cards
	cards    int
	stray    int      // non-blank lines outside any card
	carry    []string // notes for the next card (lines before the first card)

	// current card
	raw       []byte // the card's text as read
	logical   []byte // the content line being assembled from folded lines
	logLine   int    // line the content line starts on
	logQP     bool   // it has quoted-printable encoding (2.1 soft line breaks)
	logB64    bool   // it has base64 encoding (2.1 continuation lines)
	v21       bool   // the card says VERSION:2.1, which folds and escapes differently
	props     []vcProp
	notes     []string
	malformed int // lines that are not properties
	moreAt    int // index in notes of the count of those past vcMaxLineNotes
}

// vcProp is one content line the table's columns use.
type vcProp struct {
	name   string // upper case, without the group
	params map[string][]string
	value  string // decoded from quoted-printable and its charset, still escaped
}

// Next returns the header row (Pos 1), then one row per card with Pos the line of the
// card's BEGIN:VCARD.
func (t *vcardTable) Next() (Row, error) {
	if t.err != nil {
		return Row{}, t.err
	}
	if !t.header {
		t.header = true
		return Row{Pos: 1, Values: append([]string(nil), vcardHeader[:]...)}, nil
	}
	if t.begin == 0 && !t.done {
		if note := t.skipToBegin(); note != "" {
			t.carry = append(t.carry, note)
		}
	}
	if t.begin == 0 {
		switch {
		case t.lr.rerr != nil:
			t.err = fmt.Errorf("%s: reading after line %d: %w", t.path, t.lr.line, t.lr.rerr)
		case t.cards == 0 && t.stray > 0:
			t.err = &UnsupportedError{t.path, "has no BEGIN:VCARD line: it is not a vCard file"}
		default:
			t.err = io.EOF
		}
		return Row{}, t.err
	}
	return t.card()
}

// skipToBegin reads up to the next BEGIN:VCARD line, returning a note about any
// non-blank lines on the way.
func (t *vcardTable) skipToBegin() string {
	n, first, sample := 0, 0, ""
	for {
		if !t.lr.next() {
			t.done = true
			break
		}
		line := bytes.TrimSpace(t.lr.text)
		if len(line) == 0 {
			continue
		}
		if isVCardLine(line, "BEGIN:VCARD") {
			t.begin = t.lr.line
			t.beginRaw = append(append(t.beginRaw[:0], t.lr.text...), t.lr.brk...)
			break
		}
		if n == 0 {
			first, sample = t.lr.line, t.snippet(line)
		}
		n++
	}
	t.stray += n
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%d line(s) outside any BEGIN:VCARD … END:VCARD ignored, the first on line %d: %q", n, first, sample)
}

// card reads the card whose BEGIN:VCARD line was read, and the lines up to the next
// one, so text after END:VCARD is reported with the card it follows.
func (t *vcardTable) card() (Row, error) {
	pos := t.begin
	t.begin = 0
	t.raw = append(t.raw[:0], t.beginRaw...)
	t.logical, t.props, t.notes, t.malformed, t.v21 = t.logical[:0], t.props[:0], t.carry, 0, false
	t.carry = nil
	depth := 0 // nesting of a vCard 2.1 AGENT card inside this one
	for {
		if !t.lr.next() {
			if t.lr.rerr != nil {
				t.err = fmt.Errorf("%s: reading the card that starts on line %d: %w", t.path, pos, t.lr.rerr)
				return Row{}, t.err
			}
			t.flush()
			t.notes = append(t.notes, fmt.Sprintf("card starting on line %d has no END:VCARD", pos))
			t.done = true
			break
		}
		line := t.lr.text
		if len(t.raw)+t.lr.full+len(t.lr.brk) > vcMaxCardBytes {
			t.err = fmt.Errorf("%s: the card starting on line %d is larger than %d MiB, far more than any contact card: check that the file is a contact export", t.path, pos, vcMaxCardBytes>>20)
			return Row{}, t.err
		}
		folded := len(line) > 0 && (line[0] == ' ' || line[0] == '\t')
		if !folded && isVCardLine(line, "BEGIN:VCARD") {
			if depth > 0 || t.agentPending() {
				depth++
				t.flush()
				t.raw = append(append(t.raw, line...), t.lr.brk...)
				continue
			}
			// A new card: this one lost its END:VCARD.
			t.flush()
			t.notes = append(t.notes, fmt.Sprintf("card starting on line %d has no END:VCARD", pos))
			t.begin = t.lr.line
			t.beginRaw = append(append(t.beginRaw[:0], line...), t.lr.brk...)
			break
		}
		t.raw = append(append(t.raw, line...), t.lr.brk...)
		if !folded && isVCardLine(line, "END:VCARD") {
			if depth > 0 {
				depth--
				continue
			}
			t.flush()
			if note := t.skipToBegin(); note != "" {
				t.notes = append(t.notes, note)
			}
			break
		}
		if depth > 0 {
			continue // the AGENT's own card stays in the raw text only
		}
		switch {
		case t.logQP && bytes.HasSuffix(t.logical, []byte("=")):
			// Quoted-printable soft line break: the value goes on, whitespace and all.
			t.logical = append(t.logical[:len(t.logical)-1], line...)
		case len(line) == 0:
			t.flush()
		case folded && len(t.logical) > 0:
			// vCard 3.0 and 4.0 unfold by removing the break and one blank; 2.1
			// follows RFC 822 and keeps the blank.
			if !t.v21 {
				line = line[1:]
			}
			t.logical = append(t.logical, line...)
		case t.logB64 && len(t.logical) > 0 && vcIsBase64Line(line):
			// Some 2.1 writers put base64 lines without the leading blank.
			t.logical = append(t.logical, line...)
		default:
			t.flush()
			t.logical = append(t.logical, bytes.TrimLeft(line, " \t")...)
			t.logLine = t.lr.line
			h := t.logical
			if i := bytes.IndexByte(h, ':'); i >= 0 {
				h = h[:i]
			}
			h = bytes.ToUpper(h)
			t.logQP = bytes.Contains(h, []byte("QUOTED-PRINTABLE"))
			t.logB64 = bytes.Contains(h, []byte("BASE64")) || bytes.Contains(h, []byte("ENCODING=B"))
		}
	}
	t.cards++
	return Row{Pos: pos, Values: t.values(), Notes: t.notes}, nil
}

// agentPending reports whether the content line being assembled is a vCard 2.1
// "AGENT:" with an empty value, which the nested card that follows belongs to.
func (t *vcardTable) agentPending() bool {
	_, name, _, value, ok := vcSplitContentLine(t.logical)
	return ok && name == "AGENT" && len(bytes.TrimSpace(value)) == 0
}

func vcIsBase64Line(b []byte) bool {
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

// vcUsed are the properties the columns are built from; others are only checked for
// being well formed, and kept in the raw text.
var vcUsed = map[string]bool{
	"VERSION": true, "FN": true, "N": true, "NICKNAME": true, "EMAIL": true, "TEL": true,
	"ADR": true, "ORG": true, "TITLE": true, "BDAY": true, "NOTE": true, "CATEGORIES": true,
	"UID": true, "KIND": true, "X-ADDRESSBOOKSERVER-KIND": true,
}

// flush parses the content line being assembled.
func (t *vcardTable) flush() {
	if len(t.logical) == 0 {
		return
	}
	line := t.logical
	t.logical = t.logical[:0]
	_, name, params, value, ok := vcSplitContentLine(line)
	if !ok {
		t.malformed++
		switch {
		case t.malformed <= vcMaxLineNotes:
			t.notes = append(t.notes, fmt.Sprintf("line %d is not a vCard property (NAME:value) and was skipped: %q", t.logLine, t.snippet(line)))
		case t.malformed == vcMaxLineNotes+1:
			t.moreAt = len(t.notes) // the count goes here once the card is read
			t.notes = append(t.notes, "")
		}
		return
	}
	if !vcUsed[name] {
		return
	}
	p := vcProp{name: name, params: vcParseParams(params)}
	p.value = t.decode(p.params, value, name)
	if name == "VERSION" {
		t.v21 = strings.TrimSpace(p.value) == "2.1"
		return
	}
	t.props = append(t.props, p)
}

// vcSplitContentLine splits "group.NAME;param=x;param:value". ok is false when there is
// no valid name followed by parameters and a colon.
func vcSplitContentLine(line []byte) (group, name string, params, value []byte, ok bool) {
	i := bytes.IndexAny(line, ";:")
	if i <= 0 {
		return
	}
	id := line[:i]
	if d := bytes.LastIndexByte(id, '.'); d >= 0 {
		group, id = string(id[:d]), id[d+1:]
		if !vcIsVCardName([]byte(group)) {
			return
		}
	}
	if !vcIsVCardName(id) {
		return
	}
	name = strings.ToUpper(string(id))
	if line[i] == ':' {
		return group, name, nil, line[i+1:], true
	}
	// Parameters end at the first colon outside double quotes (4.0 quotes values).
	quoted, end := false, -1
	for j := i + 1; j < len(line); j++ {
		if line[j] == '"' {
			quoted = !quoted
		} else if line[j] == ':' && !quoted {
			end = j
			break
		}
	}
	if end < 0 {
		// An unbalanced quote: fall back to the first colon.
		if end = bytes.IndexByte(line[i+1:], ':'); end < 0 {
			return
		}
		end += i + 1
	}
	return group, name, line[i+1 : end], line[end+1:], true
}

// vcIsVCardName reports whether b is a property or group name: letters, digits, '-'
// (and '_', which some writers use). Anything else is text that lost its property.
func vcIsVCardName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// vcParseParams reads "TYPE=work,pref;CHARSET=UTF-8;CELL" into upper-case keys. A bare
// value (vCard 2.1) is a TYPE, or an ENCODING for the encoding names.
func vcParseParams(b []byte) map[string][]string {
	if len(b) == 0 {
		return nil
	}
	m := make(map[string][]string, 2)
	for _, item := range vcSplitOutsideQuotes(string(b), ';') {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, v, found := strings.Cut(item, "=")
		if !found {
			switch strings.ToUpper(item) {
			case "QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT":
				m["ENCODING"] = append(m["ENCODING"], item)
			default:
				m["TYPE"] = append(m["TYPE"], item)
			}
			continue
		}
		k = strings.ToUpper(strings.TrimSpace(k))
		for _, v := range vcSplitOutsideQuotes(v, ',') {
			v = strings.Trim(strings.TrimSpace(v), `"`)
			if k == "TYPE" && strings.Contains(v, ",") {
				// TYPE="work,voice" (4.0) means the same as TYPE=work,voice.
				m[k] = append(m[k], strings.Split(v, ",")...)
				continue
			}
			m[k] = append(m[k], v)
		}
	}
	return m
}

func vcSplitOutsideQuotes(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func vcFirstParam(p map[string][]string, k string) string {
	if v := p[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// decode turns a value's bytes into text: quoted-printable or base64 decoding, then
// its CHARSET (or the file's encoding). Escapes are left for the columns to resolve,
// since N, ADR and ORG split on unescaped semicolons.
func (t *vcardTable) decode(params map[string][]string, v []byte, name string) string {
	enc := strings.ToUpper(vcFirstParam(params, "ENCODING"))
	coded := false
	switch enc {
	case "QUOTED-PRINTABLE":
		v, coded = vcDecodeQP(v), true
	case "B", "BASE64":
		if d, err := base64.StdEncoding.DecodeString(string(vcRemoveBlanks(v))); err == nil {
			v, coded = d, true
		}
	}
	charset := t.charset
	if cs := vcFirstParam(params, "CHARSET"); cs != "" && (coded || !t.wide) {
		if c, ok := vcLookupCharset(cs); ok {
			charset = c
		} else {
			t.notes = append(t.notes, fmt.Sprintf("%s on line %d: unknown CHARSET %q, read as %s", name, t.logLine, cs, charset))
		}
	}
	s, repaired := vcDecodeCharset(charset, v)
	if repaired {
		t.notes = append(t.notes, fmt.Sprintf("%s on line %d: invalid UTF-8 bytes decoded as Windows-1252", name, t.logLine))
	}
	if coded && strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	return s
}

func vcRemoveBlanks(b []byte) []byte {
	return bytes.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, b)
}

// vcDecodeQP decodes quoted-printable text whose soft line breaks were already joined.
// A stray '=' is kept as it stands.
func vcDecodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '=' && i+2 < len(b) {
			if h, ok := vcUnhex2(b[i+1], b[i+2]); ok {
				out = append(out, h)
				i += 2
				continue
			}
		}
		if c == '=' && i == len(b)-1 {
			break // a final soft break
		}
		out = append(out, c)
	}
	return out
}

func vcUnhex2(a, b byte) (byte, bool) {
	x, ok1 := vcUnhex(a)
	y, ok2 := vcUnhex(b)
	return x<<4 | y, ok1 && ok2
}

func vcUnhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// vcExtraCharsets are code pages vCards name in CHARSET that padron does not otherwise
// read: Cyrillic, Baltic and Turkish contacts in old phone exports.
var vcExtraCharsets = map[string]struct {
	name string
	cm   *charmap.Charmap
}{
	"windows1251": {"windows-1251", charmap.Windows1251}, "cp1251": {"windows-1251", charmap.Windows1251},
	"koi8r": {"koi8-r", charmap.KOI8R}, "koi8u": {"koi8-u", charmap.KOI8U},
	"iso88595":    {"iso-8859-5", charmap.ISO8859_5},
	"windows1257": {"windows-1257", charmap.Windows1257}, "iso885913": {"iso-8859-13", charmap.ISO8859_13},
	"windows1254": {"windows-1254", charmap.Windows1254}, "iso88599": {"iso-8859-9", charmap.ISO8859_9},
}

// vcLookupCharset resolves a CHARSET parameter to a name vcDecodeCharset knows.
func vcLookupCharset(name string) (string, bool) {
	if c, err := LookupEncoding(name); err == nil {
		return c, true
	}
	f := foldEncodingName(name)
	switch f {
	case "usascii", "ascii":
		return encUTF8, true
	}
	if e, ok := vcExtraCharsets[f]; ok {
		return e.name, true
	}
	return "", false
}

// vcDecodeCharset decodes b in the named encoding; repaired reports UTF-8 with invalid
// bytes, which are decoded as Windows-1252 as elsewhere in padron.
func vcDecodeCharset(name string, b []byte) (s string, repaired bool) {
	switch name {
	case encUTF8:
		if utf8.Valid(b) {
			return string(b), false
		}
		return string(appendUTF8Fallback(nil, b)), true
	case encUTF16, encUTF16LE, encUTF16BE:
		order := xunicode.LittleEndian
		if name == encUTF16BE {
			order = xunicode.BigEndian
		}
		out, err := xunicode.UTF16(order, xunicode.UseBOM).NewDecoder().Bytes(b)
		if err != nil {
			return string(appendUTF8Fallback(nil, b)), true
		}
		return string(out), false
	}
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b), false
	}
	out := make([]byte, 0, len(b)+len(b)/2)
	if tab := decodeTable(name); tab != nil {
		for _, c := range b {
			out = append(out, tab[c]...)
		}
		return string(out), false
	}
	for _, e := range vcExtraCharsets {
		if e.name == name {
			for _, c := range b {
				out = utf8.AppendRune(out, e.cm.DecodeByte(c))
			}
			return string(out), false
		}
	}
	return string(appendUTF8Fallback(nil, b)), true
}

// snippet is the start of a line, as valid UTF-8, for notes.
func (t *vcardTable) snippet(b []byte) string {
	const n = 40
	if len(b) > n {
		k := n
		for k > 0 && !utf8.RuneStart(b[k]) {
			k--
		}
		b = b[:k]
	}
	s, _ := vcDecodeCharset(t.charset, b)
	return s
}

// vcUnescape resolves backslash escapes: \\ \; \, \: everywhere, \n as a line break in
// 3.0 and 4.0 (2.1 has no such escape, and a "C:\notes" must stay as written).
func vcUnescape(s string, v21 bool) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch n := s[i+1]; {
		case n == '\\' || n == ';' || n == ',' || n == ':':
			b.WriteByte(n)
			i++
		case (n == 'n' || n == 'N') && !v21:
			b.WriteByte('\n')
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// vcSplitEscaped splits s on the separator bytes in seps that no backslash escapes.
func vcSplitEscaped(s, seps string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case strings.IndexByte(seps, s[i]) >= 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// list splits a value on unescaped separators, unescaping and trimming each part and
// dropping empty ones.
func (t *vcardTable) list(s, seps string) []string {
	var out []string
	for _, p := range vcSplitEscaped(s, seps) {
		if p = strings.TrimSpace(vcUnescape(p, t.v21)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// vcRank orders values by preference: PREF=n (4.0), TYPE=pref (3.0) or a bare PREF
// (2.1) first, lower n first, then the rest.
func vcRank(p map[string][]string) int {
	if v, ok := p["PREF"]; ok {
		if len(v) > 0 {
			if n, err := strconv.Atoi(strings.TrimSpace(v[0])); err == nil && n >= 1 && n <= 100 {
				return n
			}
		}
		return 1
	}
	for _, ty := range p["TYPE"] {
		if strings.EqualFold(ty, "pref") {
			return 1
		}
	}
	return 101
}

// byName returns the card's properties of one name, preferred first, in card order
// otherwise.
func (t *vcardTable) byName(name string) []vcProp {
	var out []vcProp
	for _, p := range t.props {
		if p.name == name {
			out = append(out, p)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return vcRank(out[i].params) < vcRank(out[j].params) })
	return out
}

// values builds the row from the card's properties.
func (t *vcardTable) values() []string {
	v := make([]string, vcColumns)

	if fn := t.byName("FN"); len(fn) > 0 {
		v[vcFullName] = strings.TrimSpace(vcUnescape(fn[0].value, t.v21))
	}
	if n := t.byName("N"); len(n) > 0 {
		comps := vcSplitEscaped(n[0].value, ";")
		for i, col := range []int{vcFamily, vcGiven, vcAdditional, vcPrefix, vcSuffix} {
			if i >= len(comps) {
				break
			}
			if t.v21 {
				v[col] = strings.TrimSpace(vcUnescape(comps[i], true))
			} else {
				// 3.0 and 4.0 list several names in a component with commas.
				v[col] = strings.Join(t.list(comps[i], ","), " ")
			}
		}
	}
	var nick, cats, titles, notes []string
	for _, p := range t.props {
		switch p.name {
		case "NICKNAME":
			nick = append(nick, t.list(p.value, ",")...)
		case "CATEGORIES":
			seps := ","
			if t.v21 {
				seps = ",;" // Outlook and phones separate 2.1 categories with semicolons
			}
			cats = append(cats, t.list(p.value, seps)...)
		case "TITLE":
			if s := strings.TrimSpace(vcUnescape(p.value, t.v21)); s != "" {
				titles = append(titles, s)
			}
		case "NOTE":
			if s := strings.TrimSpace(vcUnescape(p.value, t.v21)); s != "" {
				notes = append(notes, s)
			}
		case "KIND", "X-ADDRESSBOOKSERVER-KIND":
			if strings.EqualFold(strings.TrimSpace(p.value), "group") {
				t.notes = append(t.notes, "card is a contact group ("+p.name+":group), not a person or organisation")
			}
		}
	}
	v[vcNickname] = strings.Join(nick, ", ")
	v[vcCategories] = strings.Join(cats, ", ")
	v[vcTitle] = strings.Join(titles, ", ")

	var emails, phones []string
	for _, p := range t.byName("EMAIL") {
		s := strings.TrimSpace(vcUnescape(p.value, t.v21))
		if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
			s = s[7:]
		}
		if s != "" {
			emails = append(emails, s)
		}
	}
	for _, p := range t.byName("TEL") {
		if s := vcTelValue(vcUnescape(p.value, t.v21)); s != "" {
			phones = append(phones, s)
		}
	}
	v[vcEmail] = strings.Join(emails, "; ")
	v[vcPhone] = strings.Join(phones, "; ")

	for i, p := range t.byName("ADR") {
		a := t.address(p.value)
		if a == ([7]string{}) {
			continue
		}
		street := vcJoinNonEmpty(", ", a[2], a[1], a[0])
		if i == 0 || v[vcStreet]+v[vcPostcode]+v[vcCity]+v[vcRegion]+v[vcCountry] == "" {
			v[vcStreet], v[vcCity], v[vcRegion], v[vcPostcode], v[vcCountry] = street, a[3], a[4], a[5], a[6]
			continue
		}
		notes = append(notes, "Other address: "+vcJoinNonEmpty(", ", street, vcJoinNonEmpty(" ", a[5], a[3]), a[4], a[6]))
	}
	v[vcNote] = strings.Join(notes, "\n")

	if org := t.byName("ORG"); len(org) > 0 {
		v[vcOrganization] = strings.Join(t.list(org[0].value, ";"), ", ")
	}
	if b := t.byName("BDAY"); len(b) > 0 {
		v[vcBirthday] = vcBDay(vcUnescape(b[0].value, t.v21), b[0].params)
	}
	if u := t.byName("UID"); len(u) > 0 {
		v[vcUID] = strings.TrimSpace(vcUnescape(u[0].value, t.v21))
	}
	v[vcRaw], _ = vcDecodeCharset(t.charset, t.raw)

	for i, s := range v {
		if len(s) > t.maxField {
			k := t.maxField
			for k > 0 && !utf8.RuneStart(s[k]) {
				k--
			}
			v[i] = s[:k]
			t.notes = append(t.notes, fmt.Sprintf("column %q: value of %d bytes cut to %d bytes (--max-field-length)", vcardHeader[i], len(s), k))
		}
	}
	if t.malformed > vcMaxLineNotes {
		t.notes[t.moreAt] = fmt.Sprintf("%d more lines that are not vCard properties skipped", t.malformed-vcMaxLineNotes)
	}
	return v
}

// address splits an ADR value into post-office box, extended address, street, city,
// region, postcode and country. Multi-line streets (Apple) become one line.
func (t *vcardTable) address(s string) [7]string {
	var a [7]string
	for i, c := range vcSplitEscaped(s, ";") {
		if i >= len(a) {
			break
		}
		c = strings.TrimSpace(vcUnescape(c, t.v21))
		if strings.IndexByte(c, '\n') >= 0 {
			var lines []string
			for _, l := range strings.Split(c, "\n") {
				if l = strings.TrimSpace(l); l != "" {
					lines = append(lines, l)
				}
			}
			c = strings.Join(lines, ", ")
		}
		a[i] = c
	}
	return a
}

func vcJoinNonEmpty(sep string, parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
	}
	return b.String()
}

// vcTelValue strips the tel: of a 4.0 URI value, keeping an extension, so its
// ";ext=" does not look like a second number to the importer.
func vcTelValue(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 4 || !strings.EqualFold(s[:4], "tel:") {
		return s
	}
	num, params, _ := strings.Cut(s[4:], ";")
	for _, kv := range strings.Split(params, ";") {
		if k, v, _ := strings.Cut(kv, "="); strings.EqualFold(k, "ext") && v != "" {
			num += " ext. " + v
		}
	}
	return strings.TrimSpace(num)
}

// vcBDay writes a full date as yyyy-mm-dd. Dates without a year (--mmdd, --mm-dd)
// and text it cannot read stay as written; Apple's year-omitted dates (a placeholder
// year named by X-APPLE-OMIT-YEAR) become --mmdd.
func vcBDay(s string, params map[string][]string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "--") {
		return s
	}
	d := s
	if i := strings.IndexAny(d, "Tt"); i >= 8 {
		d = d[:i] // a date-time: the day is enough
	}
	for _, layout := range []string{"2006-01-02", "20060102", "2006-1-2"} {
		tm, err := time.Parse(layout, d)
		if err != nil {
			continue
		}
		if y := vcFirstParam(params, "X-APPLE-OMIT-YEAR"); y != "" && y == strconv.Itoa(tm.Year()) {
			return tm.Format("--0102")
		}
		return tm.Format("2006-01-02")
	}
	return s
}
