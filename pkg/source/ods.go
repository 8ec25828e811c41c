package source

// The ODS reader: OpenDocument spreadsheets as LibreOffice saves them, read without
// LibreOffice. An .ods file is a zip whose content.xml holds every sheet; a flat .fods
// file is that same XML (inside office:document) on its own.
//
// content.xml of a big workbook runs to hundreds of MB, so it is only ever streamed.
// Opening the file makes one quick pass over it with the lexer below, which looks at
// tag names only, to list the sheets; that pass reads the zip entry to its end, so a
// damaged entry fails its CRC check at open time. Opening a sheet streams content.xml
// again, skips the sheets before it the same way, and parses its rows. The small
// parts (manifest, and what Sniff reads) go through encoding/xml.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits are variables so that tests can exercise the paths for big files.
var (
	// odsSmallPartLimit bounds how much of manifest.xml is read.
	odsSmallPartLimit int64 = 16 << 20
	// odsSniffContentLimit bounds how much of content.xml Sniff reads when a zip has no
	// mimetype entry.
	odsSniffContentLimit int64 = 16 << 20
)

// Sheet limits: LibreOffice's largest ("very large spreadsheets") has 16,777,216 rows
// and 16,384 columns. Content beyond them means a damaged or hostile file; empty cells
// and rows beyond them are ignored, since they are never materialised.
const (
	odsMaxRows = 1 << 24
	odsMaxCols = 1 << 14
	// odsMaxTag bounds one tag (or comment) read by the lexer.
	odsMaxTag = 1 << 20
)

const (
	odsMime          = "application/vnd.oasis.opendocument.spreadsheet"
	odsOfficeNS      = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
	odsTableNS       = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	odsTextNS        = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	odsDrawNS        = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
	odsDamagedReason = "damaged or truncated ODS file: export it again"
	odsContentPart   = "content.xml"
)

// odsDamaged builds the error for a file that cannot be read as it is; cause says what
// was wrong, for whoever debugs it.
func odsDamaged(path string, cause error) error {
	return fmt.Errorf("%w (%w)", &UnsupportedError{Path: path, Reason: odsDamagedReason}, cause)
}

type odsFormat struct{}

// ODS reads OpenDocument spreadsheets (.ods, .ots) and flat OpenDocument spreadsheets
// (.fods).
func ODS() Format { return odsFormat{} }

func (odsFormat) Name() string { return "ods" }

// Sniff accepts zips whose mimetype names a spreadsheet (or, lacking a mimetype, whose
// content.xml has a spreadsheet body) and flat ODS XML. A zip whose first entry is the
// spreadsheet mimetype is accepted even when it is damaged, so that Open can say it is
// a damaged ODS file.
func (odsFormat) Sniff(p *Probe) bool {
	for _, m := range zipMagics {
		if bytes.HasPrefix(p.Head, m) {
			return odsSniffZip(p)
		}
	}
	return odsFlatHead(p.Head)
}

func odsSniffZip(p *Probe) bool {
	if odsHeadMimetype(p.Head) {
		return true
	}
	names, err := p.ZipEntries()
	if err != nil {
		return false
	}
	hasMime, hasContent := false, false
	for _, n := range names {
		hasMime = hasMime || n == "mimetype"
		hasContent = hasContent || n == odsContentPart
	}
	if !hasMime && !hasContent {
		return false
	}
	zr, err := zip.OpenReader(p.Path)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) {
		return false
	}
	defer zr.Close()
	if hasMime {
		mime, err := odsReadMimetype(odsEntry(&zr.Reader, "mimetype"))
		return err == nil && strings.HasPrefix(mime, odsMime)
	}
	rc, err := odsEntry(&zr.Reader, odsContentPart).Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	return odsSpreadsheetBody(io.LimitReader(rc, odsSniffContentLimit))
}

// odsHeadMimetype reports whether the zip's first entry is an uncompressed mimetype
// naming a spreadsheet, as the OpenDocument package format requires.
func odsHeadMimetype(h []byte) bool {
	if len(h) < 30 || !bytes.HasPrefix(h, zipMagic) {
		return false
	}
	method := binary.LittleEndian.Uint16(h[8:])
	nameLen := int(binary.LittleEndian.Uint16(h[26:]))
	extraLen := int(binary.LittleEndian.Uint16(h[28:]))
	start := 30 + nameLen + extraLen
	if method != zip.Store || start > len(h) || string(h[30:30+nameLen]) != "mimetype" {
		return false
	}
	return bytes.HasPrefix(h[start:], []byte(odsMime))
}

// odsSpreadsheetBody reports whether OpenDocument XML has an office:spreadsheet body.
func odsSpreadsheetBody(r io.Reader) (found bool) {
	defer func() {
		if recover() != nil {
			found = false
		}
	}()
	dec := xml.NewDecoder(bufio.NewReader(r))
	ns := odsDefaultNames()
	root := true
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return false
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if root {
			ns.declareAttrs(el.Attr)
			root = false
		}
		if el.Name.Space == ns.office {
			switch el.Name.Local {
			case "spreadsheet":
				return true
			case "text", "drawing", "presentation", "chart", "image":
				return false
			}
		}
	}
}

// odsFlatHead recognises flat ODS by its root element: office:document, in the office
// namespace, whose office:mimetype names a spreadsheet.
func odsFlatHead(head []byte) (found bool) {
	defer func() {
		if recover() != nil {
			found = false
		}
	}()
	h := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	if len(h) == 0 || h[0] != '<' || !bytes.Contains(h, []byte(odsOfficeNS)) {
		return false
	}
	dec := xml.NewDecoder(bytes.NewReader(h))
	for i := 0; i < 64; i++ { // an XML declaration and comments may come first
		tok, err := dec.RawToken()
		if err != nil {
			return false
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		ns := odsDefaultNames()
		ns.declareAttrs(el.Attr)
		if el.Name.Local != "document" || el.Name.Space != ns.office || !ns.officeDeclared {
			return false
		}
		for _, a := range el.Attr {
			if a.Name.Local == "mimetype" && a.Name.Space == ns.office {
				return strings.HasPrefix(a.Value, odsMime)
			}
		}
		// No mimetype attribute: look for the spreadsheet body in what the probe has.
		return bytes.Contains(h, []byte("<"+odsQName(ns.office, "spreadsheet")+">"))
	}
	return false
}

// odsNames are the prefixes a document binds to the OpenDocument namespaces, and
// the qualified names of the elements and attributes the reader looks at. Names are
// matched as written (prefix and local name), without namespace processing; the
// prefixes come from the root element, where every producer declares them.
type odsNames struct {
	office, table, text, draw string
	officeDeclared            bool

	qTable, qDDE, qName, qRow, qRowsRep, qCell, qCovered, qColsRep, qFormula string
	qValueType, qValue, qDateValue, qBooleanValue, qTimeValue, qStringValue  string
	qAnnotation, qP, qH, qS, qC, qTab, qLineBreak, qNote, qRubyText          string
	drawColon                                                                string // prefix of drawing elements
}

func odsDefaultNames() odsNames {
	n := odsNames{office: "office", table: "table", text: "text", draw: "draw"}
	n.qualify()
	return n
}

// declare records a namespace declaration of the root element.
func (n *odsNames) declare(prefix, uri string) {
	switch uri {
	case odsOfficeNS:
		n.office, n.officeDeclared = prefix, true
	case odsTableNS:
		n.table = prefix
	case odsTextNS:
		n.text = prefix
	case odsDrawNS:
		n.draw = prefix
	}
}

// declareAttrs records the namespace declarations among decoded attributes.
func (n *odsNames) declareAttrs(attrs []xml.Attr) {
	for _, a := range attrs {
		switch {
		case a.Name.Space == "xmlns":
			n.declare(a.Name.Local, a.Value)
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			n.declare("", a.Value)
		}
	}
}

// qualify writes the qualified names with the declared prefixes.
func (n *odsNames) qualify() {
	tb, of, tx := n.table, n.office, n.text
	n.qTable, n.qDDE, n.qName = odsQName(tb, "table"), odsQName(tb, "dde-links"), odsQName(tb, "name")
	n.qRow, n.qRowsRep = odsQName(tb, "table-row"), odsQName(tb, "number-rows-repeated")
	n.qCell, n.qCovered = odsQName(tb, "table-cell"), odsQName(tb, "covered-table-cell")
	n.qColsRep, n.qFormula = odsQName(tb, "number-columns-repeated"), odsQName(tb, "formula")
	n.qValueType, n.qValue = odsQName(of, "value-type"), odsQName(of, "value")
	n.qDateValue, n.qBooleanValue = odsQName(of, "date-value"), odsQName(of, "boolean-value")
	n.qTimeValue, n.qStringValue = odsQName(of, "time-value"), odsQName(of, "string-value")
	n.qAnnotation = odsQName(of, "annotation")
	n.qP, n.qH, n.qS, n.qC = odsQName(tx, "p"), odsQName(tx, "h"), odsQName(tx, "s"), odsQName(tx, "c")
	n.qTab, n.qLineBreak = odsQName(tx, "tab"), odsQName(tx, "line-break")
	n.qNote, n.qRubyText = odsQName(tx, "note"), odsQName(tx, "ruby-text")
	n.drawColon = n.draw + ":"
	if n.draw == "" { // drawing as the default namespace: no prefix to go by
		n.drawColon = "\x00"
	}
}

func odsQName(prefix, local string) string {
	if prefix == "" {
		return local
	}
	return prefix + ":" + local
}

// odsEntry finds a zip entry by its exact name.
func odsEntry(zr *zip.Reader, name string) *zip.File {
	for _, zf := range zr.File {
		if zf.Name == name {
			return zf
		}
	}
	return nil
}

func odsReadMimetype(zf *zip.File) (string, error) {
	if zf == nil {
		return "", errors.New("no mimetype entry")
	}
	rc, err := zf.Open()
	if err != nil {
		return "", err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 256))
	if err != nil {
		return "", err
	}
	return string(bytes.TrimSpace(b)), nil
}

func (odsFormat) Open(path string, o Options) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	head := make([]byte, SniffBytes)
	n, err := io.ReadFull(f, head)
	f.Close()
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	head, err = head[:n], nil
	x := &odsFile{path: path, opts: o}
	switch {
	case bytes.HasPrefix(head, zipMagic):
		err = x.openZip()
	case odsFlatHead(head):
		if st.Size() > o.maxFile() {
			return nil, fileTooBig(path, st.Size(), o.maxFile())
		}
		x.flat = true
	default:
		return nil, &UnsupportedError{path, "is not an OpenDocument spreadsheet (.ods): open it in LibreOffice and save it as .ods, .xlsx or .csv"}
	}
	if err == nil {
		err = x.list()
	}
	if err != nil {
		x.Close()
		return nil, err
	}
	return x, nil
}

// odsFile is an opened spreadsheet.
type odsFile struct {
	path    string
	opts    Options
	flat    bool
	zr      *zip.ReadCloser
	content *zip.File
	tables  []string
	closed  bool
}

// openZip opens the package and checks, from the central directory and the small
// parts, that content.xml can be read: the right mimetype, no encryption, sane sizes.
func (x *odsFile) openZip() error {
	zr, err := zip.OpenReader(x.path)
	if err != nil && !(errors.Is(err, zip.ErrInsecurePath) && zr != nil) { // no entry is ever written out by name
		return odsDamaged(x.path, err)
	}
	x.zr = zr
	if err := x.opts.limits().checkZipEntries(x.path, len(zr.File)); err != nil {
		return err
	}
	if zf := odsEntry(&zr.Reader, "mimetype"); zf != nil {
		mime, err := odsReadMimetype(zf)
		if err != nil {
			return odsDamaged(x.path, fmt.Errorf("mimetype: %w", err))
		}
		if !strings.HasPrefix(mime, odsMime) {
			return &UnsupportedError{x.path, fmt.Sprintf("is an OpenDocument file of type %q, not a spreadsheet: export the data as .csv or .xlsx", mime)}
		}
	}
	// Encrypted packages keep the manifest in clear and say so there; their
	// content.xml would only look damaged.
	if zf := odsEntry(&zr.Reader, "META-INF/manifest.xml"); zf != nil && odsEncrypted(zf) {
		return &UnsupportedError{x.path, "is password-protected: save it without a password (in LibreOffice: File > Save As, untick \"Save with password\") and import it again"}
	}
	x.content = odsEntry(&zr.Reader, odsContentPart)
	if x.content == nil {
		return odsDamaged(x.path, errors.New("no content.xml"))
	}
	// content.xml is the only part read beyond a few bytes.
	size := x.content.UncompressedSize64
	return x.opts.limits().checkZipEntry(x.path, odsContentPart, size, x.content.CompressedSize64, size)
}

// odsEncrypted reports whether a manifest lists encryption data for any entry.
func odsEncrypted(zf *zip.File) (found bool) {
	defer func() {
		if recover() != nil {
			found = false
		}
	}()
	rc, err := zf.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	dec := xml.NewDecoder(bufio.NewReader(io.LimitReader(rc, odsSmallPartLimit)))
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return false
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "encryption-data" {
			return true
		}
	}
}

// openContent streams the XML that holds the sheets.
func (x *odsFile) openContent() (io.ReadCloser, error) {
	if x.flat {
		return os.Open(x.path)
	}
	return x.content.Open()
}

// list makes the quick pass that finds the sheet names.
func (x *odsFile) list() error {
	rc, err := x.openContent()
	if err != nil {
		return odsDamaged(x.path, err)
	}
	defer rc.Close()
	s := newODSScanner(rc)
	for {
		name, _, err := s.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return odsDamaged(x.path, err)
		}
		x.tables = append(x.tables, name)
	}
	if len(x.tables) == 0 {
		return odsDamaged(x.path, errors.New("no sheets"))
	}
	return nil
}

func (x *odsFile) Info() Info { return Info{Format: "ods"} }

// Tables lists the sheets in document order, hidden ones included.
func (x *odsFile) Tables() []string { return append([]string(nil), x.tables...) }

func (x *odsFile) Open(name string) (Table, error) {
	if x.closed {
		return nil, fmt.Errorf("%s: file closed", x.path)
	}
	idx := -1
	for i, t := range x.tables {
		if t == name {
			idx = i
			break
		}
	}
	if idx < 0 { // LibreOffice's sheet names are case-insensitive
		for i, t := range x.tables {
			if strings.EqualFold(t, name) {
				idx = i
				break
			}
		}
	}
	if idx < 0 {
		quoted := make([]string, len(x.tables))
		for i, t := range x.tables {
			quoted[i] = strconv.Quote(t)
		}
		return nil, fmt.Errorf("%s: no sheet named %q; the sheets are %s", x.path, name, strings.Join(quoted, ", "))
	}
	rc, err := x.openContent()
	if err != nil {
		return nil, odsDamaged(x.path, fmt.Errorf("sheet %q: %w", x.tables[idx], err))
	}
	s := newODSScanner(rc)
	var empty bool
	for i := 0; i <= idx; i++ {
		var got string
		got, empty, err = s.next()
		if err == nil && i == idx && got != x.tables[idx] {
			err = fmt.Errorf("found sheet %q where %q was", got, x.tables[idx])
		}
		if err != nil {
			rc.Close()
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, odsDamaged(x.path, fmt.Errorf("sheet %q: %w", x.tables[idx], err))
		}
	}
	t := &odsTable{f: x, name: x.tables[idx], rc: rc, lex: &s.lex, ns: &s.ns, max: x.opts.maxField(), emit: 1}
	if empty {
		t.err = io.EOF
	}
	return t, nil
}

func (x *odsFile) Close() error {
	x.closed = true
	if x.zr == nil {
		return nil
	}
	err := x.zr.Close()
	x.zr = nil
	return err
}

// odsLexer splits OpenDocument XML into tags and text. encoding/xml's decoder reads
// a byte at a time and checks every name character against Unicode tables: on the
// 172 MB content.xml of a 100,000-row by 12-column sheet it takes 3.1 s for the
// tokens alone, over twice the XLSX reader's whole read of the same data, because
// OpenDocument spells out every cell with long attribute names. The lexer instead
// finds '<' and '>' with bufio's byte search and hands out slices of its buffer.
// It checks what a damaged file could get wrong (unclosed tags, bad entities,
// invalid UTF-8 in values) and leaves the rest of XML's validation alone.
type odsLexer struct {
	br    *bufio.Reader
	atTag bool   // the '<' of the next tag has been read
	tag   []byte // a tag that spans reads, copied
	text  []byte // decoded text
	carry []byte // an entity cut by the end of the buffer
}

type odsKind uint8

const (
	odsStart odsKind = iota + 1
	odsEnd
	odsText
)

// odsTok is a tag or a run of text; its slices are valid until the next call.
type odsTok struct {
	kind  odsKind
	name  []byte // tags
	attrs []byte // start tags: the raw attributes
	self  bool   // a self-closing start tag, which has no end tag
	text  []byte // text, entities decoded
}

// next returns the next tag, or the next run of text when wantText is set (text is
// otherwise skipped undecoded). io.EOF ends the input.
func (l *odsLexer) next(wantText bool) (odsTok, error) {
	for {
		if !l.atTag {
			chunk, err := l.br.ReadSlice('<')
			switch err {
			case nil:
				l.atTag = true
				chunk = chunk[:len(chunk)-1]
			case bufio.ErrBufferFull: // text longer than the buffer: hand it out in parts
			default:
				return odsTok{}, err
			}
			if !wantText {
				l.carry = l.carry[:0]
				continue
			}
			text, err := l.decodeText(chunk, !l.atTag)
			if err != nil {
				return odsTok{}, err
			}
			if len(text) > 0 {
				return odsTok{kind: odsText, text: text}, nil
			}
			continue
		}
		l.atTag = false
		tok, err := l.readTag()
		if err != nil || tok.kind != 0 {
			return tok, err
		}
		// a comment, processing instruction or declaration
	}
}

// decodeText decodes a run of text; more says the run goes on in the next read, so
// an entity at its end may be cut.
func (l *odsLexer) decodeText(chunk []byte, more bool) ([]byte, error) {
	if len(l.carry) > 0 {
		l.carry = append(l.carry, chunk...)
		chunk = l.carry
	} else if bytes.IndexByte(chunk, '&') < 0 {
		return chunk, nil
	}
	var tail []byte
	if more {
		if i := bytes.LastIndexByte(chunk, '&'); i >= 0 && bytes.IndexByte(chunk[i:], ';') < 0 {
			if len(chunk)-i > 16 {
				return nil, fmt.Errorf("bad entity %.16q", chunk[i:])
			}
			chunk, tail = chunk[:i], chunk[i:]
		}
	}
	var err error
	l.text, err = odsUnescape(l.text[:0], chunk)
	l.carry = append(l.carry[:0], tail...) // tail may alias carry; append moves it down
	return l.text, err
}

// odsUnescape appends s with its entity and character references decoded.
func odsUnescape(dst, s []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(s, '&')
		if i < 0 {
			return append(dst, s...), nil
		}
		dst = append(dst, s[:i]...)
		s = s[i+1:]
		j := bytes.IndexByte(s, ';')
		if j < 0 || j > 12 {
			return dst, fmt.Errorf("bad entity %.16q", s)
		}
		ent := s[:j]
		s = s[j+1:]
		switch string(ent) {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			var n uint64
			err := errors.New("not a number")
			if len(ent) > 2 && ent[0] == '#' && (ent[1] == 'x' || ent[1] == 'X') {
				n, err = strconv.ParseUint(string(ent[2:]), 16, 32)
			} else if len(ent) > 1 && ent[0] == '#' {
				n, err = strconv.ParseUint(string(ent[1:]), 10, 32)
			}
			if err != nil || n == 0 || !utf8.ValidRune(rune(n)) {
				return dst, fmt.Errorf("bad entity &%s;", ent)
			}
			dst = utf8.AppendRune(dst, rune(n))
		}
	}
}

// readTag reads a tag after its '<'. Comments, processing instructions and
// declarations come back as a token of kind 0, CDATA sections as text.
func (l *odsLexer) readTag() (odsTok, error) {
	b, err := l.br.ReadSlice('>')
	if err != nil && err != bufio.ErrBufferFull {
		return odsTok{}, odsUnexpected(err)
	}
	if err != nil || !odsTagDone(b) { // rare: the tag spans reads, so copy it
		l.tag = append(l.tag[:0], b...)
		for err != nil || !odsTagDone(l.tag) {
			if len(l.tag) > odsMaxTag {
				return odsTok{}, fmt.Errorf("a tag of over %d bytes", odsMaxTag)
			}
			b, err = l.br.ReadSlice('>')
			if err != nil && err != bufio.ErrBufferFull {
				return odsTok{}, odsUnexpected(err)
			}
			l.tag = append(l.tag, b...)
		}
		b = l.tag
	}
	b = b[:len(b)-1] // the '>'
	if len(b) == 0 {
		return odsTok{}, errors.New("empty tag")
	}
	switch b[0] {
	case '/':
		return odsTok{kind: odsEnd, name: bytes.TrimRight(b[1:], " \t\r\n")}, nil
	case '?':
		return odsTok{}, nil
	case '!':
		if bytes.HasPrefix(b, []byte("![CDATA[")) {
			return odsTok{kind: odsText, text: b[8 : len(b)-2]}, nil
		}
		return odsTok{}, nil
	}
	tok := odsTok{kind: odsStart}
	if b[len(b)-1] == '/' {
		tok.self, b = true, b[:len(b)-1]
	}
	i := 0
	for i < len(b) && !odsSpace(b[i]) {
		i++
	}
	if i == 0 {
		return odsTok{}, fmt.Errorf("malformed tag %.40q", b)
	}
	tok.name, tok.attrs = b[:i], b[i:]
	return tok, nil
}

// odsTagDone reports whether b (a tag after its '<') is complete: it ends with the
// '>' that closes it, not one inside an attribute value or a comment.
func odsTagDone(b []byte) bool {
	if len(b) == 0 || b[len(b)-1] != '>' {
		return false
	}
	switch b[0] {
	case '!':
		switch {
		case bytes.HasPrefix(b, []byte("!--")):
			return len(b) >= 6 && bytes.HasSuffix(b, []byte("-->"))
		case bytes.HasPrefix(b, []byte("![CDATA[")):
			return len(b) >= 11 && bytes.HasSuffix(b, []byte("]]>"))
		}
		return true
	case '?':
		return len(b) >= 2 && b[len(b)-2] == '?'
	}
	if bytes.IndexByte(b, '\'') < 0 {
		return bytes.Count(b, []byte{'"'})%2 == 0
	}
	var quote byte
	for _, c := range b {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		}
	}
	return quote == 0
}

// odsAttrs walks the raw attributes of a start tag.
type odsAttrs struct {
	b   []byte
	err error
}

func (a *odsAttrs) next() (name, val []byte, ok bool) {
	b := a.b
	i := 0
	for i < len(b) && odsSpace(b[i]) {
		i++
	}
	if i == len(b) {
		return nil, nil, false
	}
	j := i
	for j < len(b) && b[j] != '=' && !odsSpace(b[j]) {
		j++
	}
	name = b[i:j]
	for j < len(b) && odsSpace(b[j]) {
		j++
	}
	if j < len(b) && b[j] == '=' {
		j++
		for j < len(b) && odsSpace(b[j]) {
			j++
		}
		if j < len(b) && (b[j] == '"' || b[j] == '\'') {
			if k := bytes.IndexByte(b[j+1:], b[j]); k >= 0 {
				a.b = b[j+2+k:]
				return name, b[j+1 : j+1+k], true
			}
		}
	}
	a.err = fmt.Errorf("malformed attributes %.40q", b)
	return nil, nil, false
}

// odsValue decodes an attribute value into a string of valid UTF-8.
func odsValue(v []byte) (string, error) {
	if bytes.IndexByte(v, '&') >= 0 {
		var err error
		if v, err = odsUnescape(nil, v); err != nil {
			return "", err
		}
	}
	if !utf8.Valid(v) {
		return "", fmt.Errorf("invalid UTF-8 in %.40q", v)
	}
	return string(v), nil
}

// odsAtoi parses a repeat count; a missing or bad one counts as 1, and big ones are
// capped where they can only mean "to the end of the sheet".
func odsAtoi(b []byte) int { return odsAtoiMax(b, odsMaxRows+1) }

// odsAtoiMax parses a positive count, 1 if it is missing or bad, at most limit.
func odsAtoiMax(b []byte, limit int) int {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 1
		}
		n = min(n*10+int(c-'0'), limit)
	}
	return min(max(n, 1), limit)
}

func odsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF // the XML stopped before its end
	}
	return err
}

// odsScanner finds the start tags of top-level sheets: table:table elements outside
// other tables and outside table:dde-links, whose tables are caches of linked data.
type odsScanner struct {
	lex   odsLexer
	ns    odsNames
	root  bool
	depth int // inside a sheet's table:table elements
	dde   int // inside table:dde-links
}

func newODSScanner(r io.Reader) *odsScanner {
	return &odsScanner{lex: odsLexer{br: bufio.NewReaderSize(r, 64<<10)}, ns: odsDefaultNames()}
}

// next returns the name of the next top-level sheet, leaving the lexer just after its
// start tag; empty is true for a self-closing sheet. io.EOF ends the document.
//
// It skims: after each '<' it looks at the tag name only, and reads the whole tag
// just for the root and the sheet tags. The next '<' always starts the next tag,
// since XML allows no literal '<' in attribute values or text; comments and CDATA,
// which may hold one, are read whole.
func (s *odsScanner) next() (name string, empty bool, err error) {
	l := &s.lex
	for {
		for {
			_, err := l.br.ReadSlice('<')
			if err == nil {
				break
			}
			if err != bufio.ErrBufferFull {
				return "", false, err
			}
		}
		p, _ := l.br.Peek(64)
		if len(p) == 0 {
			return "", false, io.ErrUnexpectedEOF
		}
		switch p[0] {
		case '!', '?':
			if _, err := l.readTag(); err != nil {
				return "", false, err
			}
			continue
		case '/':
			switch string(odsPeekName(p[1:])) {
			case s.ns.qTable:
				s.depth = max(s.depth-1, 0)
			case s.ns.qDDE:
				s.dde = max(s.dde-1, 0)
			}
			continue
		}
		if q := string(odsPeekName(p)); s.root && q != s.ns.qTable && q != s.ns.qDDE {
			continue
		}
		tok, err := l.readTag()
		if err != nil {
			return "", false, err
		}
		if !s.root { // the root element declares the namespaces
			s.root = true
			a := odsAttrs{b: tok.attrs}
			for n, v, ok := a.next(); ok; n, v, ok = a.next() {
				if prefix, ok := bytes.CutPrefix(n, []byte("xmlns:")); ok {
					s.ns.declare(string(prefix), string(v))
				} else if string(n) == "xmlns" {
					s.ns.declare("", string(v))
				}
			}
			s.ns.qualify()
			continue
		}
		if string(tok.name) == s.ns.qDDE {
			if !tok.self {
				s.dde++
			}
			continue
		}
		top := s.depth == 0 && s.dde == 0
		if !tok.self {
			s.depth++
		}
		if !top {
			continue
		}
		a := odsAttrs{b: tok.attrs}
		for n, v, ok := a.next(); ok; n, v, ok = a.next() {
			if string(n) == s.ns.qName {
				if name, err = odsValue(v); err != nil {
					return "", false, err
				}
			}
		}
		return name, tok.self, a.err
	}
}

// odsPeekName returns the tag name at the start of p, nil if p does not hold all of
// it (longer than any name looked for).
func odsPeekName(p []byte) []byte {
	for i, c := range p {
		switch c {
		case ' ', '\t', '\r', '\n', '/', '>':
			return p[:i]
		}
	}
	return nil
}

// odsTable streams the rows of one sheet. Rows and cells carry repeat counts:
// LibreOffice writes identical neighbours once, and the unused rest of a sheet as
// one empty row repeated up to the last row. Empty rows are only counted, and
// returned as blank rows when a row with content follows; a run of them at the end
// of the sheet returns nothing. Empty cells only move the column on.
type odsTable struct {
	f    *odsFile
	name string
	rc   io.ReadCloser
	lex  *odsLexer
	ns   *odsNames
	max  int

	emit    int // Pos of the next row returned
	blanks  int // blank rows to return before rep
	pending int // empty rows read but not returned: dropped if the sheet ends
	rep     Row // a row with content, returned repLeft more times
	repLeft int
	err     error // sticky: io.EOF or the damage found

	rowPos int // Pos of the row being read, for messages
	vals   []string
	types  []CellType
	col    int // 0-based column of the next cell
	skip   int // depth inside an ignored element (nested table, comment, drawing)

	// the cell being read
	inCell bool
	cell   odsCell
	pDepth int // depth inside a text:p; 0 outside paragraphs
	paras  int
	pHas   bool // the paragraph has text, so white space after it may count
	pSpace bool // collapsed white space waiting for more text
	text   []byte
	tlen   int // length of the text, including what was not kept past the limit
}

// odsCell holds a cell's attributes.
type odsCell struct {
	rep                                  int
	vtype, value, date, boolean, str, tm string
	hasStr, formula, isErr               bool
}

func (t *odsTable) Name() string { return t.name }

func (t *odsTable) Close() error {
	if t.rc == nil {
		return nil
	}
	err := t.rc.Close()
	t.rc = nil
	t.blanks, t.repLeft = 0, 0
	if t.err == nil {
		t.err = errors.New("table closed")
	}
	return err
}

func (t *odsTable) Next() (Row, error) {
	for {
		if t.blanks > 0 {
			t.blanks--
			t.emit++
			return Row{Pos: t.emit - 1}, nil
		}
		if t.repLeft > 0 {
			t.repLeft--
			r := t.rep
			r.Pos = t.emit
			t.emit++
			if t.repLeft > 0 { // each copy gets its own slices; the last takes the originals
				r.Values = append([]string(nil), r.Values...)
				r.Types = append([]CellType(nil), r.Types...)
				r.Notes = append([]string(nil), r.Notes...)
			}
			return r, nil
		}
		if t.err != nil {
			return Row{}, t.err
		}
		row, rep, err := t.readRow()
		if err == nil && len(row.Values) == 0 && len(row.Notes) == 0 {
			t.pending = min(t.pending+rep, odsMaxRows)
			continue
		}
		if err == nil && t.emit+t.pending+rep-1 > odsMaxRows {
			err = fmt.Errorf("row %d has content beyond the last row (%d)", t.emit+t.pending+rep-1, odsMaxRows)
		}
		if err != nil {
			if err != io.EOF {
				err = odsDamaged(t.f.path, fmt.Errorf("sheet %q: %w", t.name, err))
			}
			t.err = err
			continue
		}
		t.blanks, t.pending = t.pending, 0
		t.rep, t.repLeft = row, rep
	}
}

// readRow parses up to the end of the next table:table-row, returning it with its
// repeat count; io.EOF at the end of the sheet.
func (t *odsTable) readRow() (row Row, rep int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("unexpected content: %v", r)
		}
	}()
	q := t.ns
	inRow := false
	for {
		tok, err := t.lex.next(t.pDepth > 0 && t.skip == 0)
		if err != nil {
			return Row{}, 0, odsUnexpected(err)
		}
		switch tok.kind {
		case odsStart:
			name := string(tok.name) // not allocated: only compared
			switch {
			case t.skip > 0:
				if !tok.self {
					t.skip++
				}
			case t.pDepth > 0:
				t.paragraphElement(tok)
			case t.inCell:
				// Only the cell's paragraphs are its value; comments
				// (office:annotation), drawings and the like are not.
				switch {
				case name == q.qP || name == q.qH:
					if t.paras > 0 {
						t.add("\n")
					}
					t.paras++
					if !tok.self {
						t.pDepth, t.pHas, t.pSpace = 1, false, false
					}
				case !tok.self:
					t.skip = 1
				}
			case name == q.qRow:
				if inRow {
					return Row{}, 0, fmt.Errorf("row %d: a row inside a row", t.rowPos)
				}
				inRow, rep = true, 1
				a := odsAttrs{b: tok.attrs}
				for n, v, ok := a.next(); ok; n, v, ok = a.next() {
					if string(n) == q.qRowsRep {
						rep = odsAtoi(v)
					}
				}
				if a.err != nil {
					return Row{}, 0, a.err
				}
				t.rowPos = t.emit + t.pending
				t.col, t.vals, t.types = 0, t.vals[:0], t.types[:0]
				if tok.self {
					return row, rep, nil
				}
			case name == q.qCell || name == q.qCovered:
				// Covered cells are the ones a merged cell hides; they keep their
				// column, and any value LibreOffice kept in them.
				if !inRow {
					break
				}
				if err := t.startCell(tok); err != nil {
					return Row{}, 0, err
				}
				if tok.self {
					if err := t.endCell(&row); err != nil {
						return Row{}, 0, err
					}
				}
			case name == q.qTable:
				if !tok.self {
					t.skip = 1 // a table inside a sheet is not the sheet's rows
				}
			}
		case odsEnd:
			name := string(tok.name)
			switch {
			case t.skip > 0:
				t.skip--
			case t.pDepth > 0:
				t.pDepth--
			case name == q.qCell || name == q.qCovered:
				if t.inCell {
					if err := t.endCell(&row); err != nil {
						return Row{}, 0, err
					}
				}
			case name == q.qRow:
				if inRow {
					t.finishRow(&row)
					return row, rep, nil
				}
			case name == q.qTable:
				if inRow {
					return Row{}, 0, fmt.Errorf("row %d: the sheet ends inside the row", t.rowPos)
				}
				return Row{}, 0, io.EOF
			}
		case odsText:
			if t.pDepth > 0 && t.skip == 0 {
				t.addText(tok.text)
			}
		}
	}
}

// paragraphElement handles an element inside a cell's paragraph: the elements that
// stand for white space, and the ones whose text is not the cell's.
func (t *odsTable) paragraphElement(tok odsTok) {
	q := t.ns
	switch name := string(tok.name); {
	case name == q.qS:
		n := 1
		a := odsAttrs{b: tok.attrs}
		for k, v, ok := a.next(); ok; k, v, ok = a.next() {
			if string(k) == q.qC {
				n = odsAtoiMax(v, 1<<40) // counted against the field limit, never written out
			}
		}
		t.addSpaces(n)
	case name == q.qTab:
		t.add("\t")
	case name == q.qLineBreak:
		t.add("\n")
	case name == q.qNote || name == q.qRubyText || name == q.qAnnotation ||
		strings.HasPrefix(name, q.drawColon):
		// footnotes, pronunciations, comments and drawings are not the cell's text
		if !tok.self {
			t.skip = 1
		}
		return
	}
	if !tok.self {
		t.pDepth++
	}
}

// addText appends a paragraph's character data under OpenDocument's white space
// rule: runs of spaces, tabs and line breaks count as one space, and none counts at
// the start or end of a paragraph (text:s, text:tab and text:line-break stand for
// the white space that is kept).
func (t *odsTable) addText(b []byte) {
	for len(b) > 0 {
		i := 0
		for i < len(b) && !odsSpace(b[i]) {
			i++
		}
		if i > 0 {
			if t.pSpace {
				t.put([]byte{' '})
				t.pSpace = false
			}
			t.put(b[:i])
			t.pHas = true
			b = b[i:]
		}
		i = 0
		for i < len(b) && odsSpace(b[i]) {
			i++
		}
		if i > 0 {
			t.pSpace = t.pHas
			b = b[i:]
		}
	}
}

func odsSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// add appends text that an element stands for.
func (t *odsTable) add(s string) {
	if t.pSpace {
		t.put([]byte{' '})
		t.pSpace = false
	}
	t.put([]byte(s))
	t.pHas = true
}

func (t *odsTable) addSpaces(n int) {
	if t.pSpace {
		t.put([]byte{' '})
		t.pSpace = false
	}
	// n comes from the file: add what fits under the field limit and count the rest.
	keep := min(n, max(0, t.max+utf8.UTFMax-len(t.text)))
	for i := 0; i < keep; i++ {
		t.text = append(t.text, ' ')
	}
	t.tlen += n
	t.pHas = true
}

// put keeps text up to the field limit (and a character more, to cut it cleanly),
// counting the full length for the note.
func (t *odsTable) put(b []byte) {
	t.tlen += len(b)
	if room := t.max + utf8.UTFMax - len(t.text); room > 0 {
		t.text = append(t.text, b[:min(len(b), room)]...)
	}
}

func (t *odsTable) startCell(tok odsTok) error {
	t.inCell, t.pDepth, t.paras, t.tlen = true, 0, 0, 0
	t.text = t.text[:0]
	t.cell = odsCell{rep: 1}
	c, q := &t.cell, t.ns
	a := odsAttrs{b: tok.attrs}
	var err error
	for n, v, ok := a.next(); ok && err == nil; n, v, ok = a.next() {
		switch string(n) {
		case q.qColsRep:
			c.rep = odsAtoi(v)
		case q.qValueType:
			switch string(v) { // the common types without allocating
			case "float":
				c.vtype = "float"
			case "string":
				c.vtype = "string"
			case "date":
				c.vtype = "date"
			case "boolean":
				c.vtype = "boolean"
			default:
				c.vtype, err = odsValue(v)
			}
		case q.qValue:
			c.value, err = odsValue(v)
		case q.qDateValue:
			c.date, err = odsValue(v)
		case q.qBooleanValue:
			c.boolean, err = odsValue(v)
		case q.qTimeValue:
			c.tm, err = odsValue(v)
		case q.qStringValue:
			c.str, err = odsValue(v)
			c.hasStr = true
		case q.qFormula:
			c.formula = true
		default:
			// LibreOffice marks formula errors with calcext:value-type="error".
			if bytes.HasSuffix(n, []byte(":value-type")) && string(v) == "error" {
				c.isErr = true
			}
		}
	}
	if err == nil {
		err = a.err
	}
	return err
}

func (t *odsTable) endCell(row *Row) error {
	t.inCell = false
	rep := t.cell.rep
	val, typ, full := t.cellValue()
	if val == "" {
		if t.cell.formula && t.cell.vtype == "" && !t.cell.isErr && t.col < odsMaxCols {
			// Written by a program that does not calculate: the value is unknown,
			// not empty.
			row.Notes = append(row.Notes, fmt.Sprintf("column %s: formula without a saved result; open the file in LibreOffice and save it again", xlsxColumnName(t.col+1)))
		}
		t.col = min(t.col+rep, odsMaxCols+1)
		return nil
	}
	if t.col+rep > odsMaxCols {
		return fmt.Errorf("cell %s%d: content repeated %d times, beyond the last column (%d)", xlsxColumnName(min(t.col+1, odsMaxCols+1)), t.rowPos, rep, odsMaxCols)
	}
	if full > t.max {
		row.Notes = append(row.Notes, fmt.Sprintf("column %s: value of %d bytes cut to %d bytes (--max-field-length)", xlsxColumnName(t.col+1), full, t.max))
		val = cutUTF8(val, t.max)
	}
	if !utf8.ValidString(val) { // XML is Unicode: this file was damaged
		return fmt.Errorf("cell %s%d: invalid UTF-8", xlsxColumnName(t.col+1), t.rowPos)
	}
	for len(t.vals) < t.col {
		t.vals = append(t.vals, "")
		t.types = append(t.types, CellText)
	}
	for i := 0; i < rep; i++ {
		t.vals = append(t.vals, val)
		t.types = append(t.types, typ)
	}
	t.col += rep
	return nil
}

// cellValue turns the cell just read into text, a type and the text's full length.
// Typed values come from their attributes, written in a fixed form whatever the cell
// shows; the displayed text is the value of text cells and the fallback.
func (t *odsTable) cellValue() (string, CellType, int) {
	c := &t.cell
	if c.isErr { // a formula's error, whatever value type came with it
		if t.tlen > 0 {
			return string(t.text), CellError, t.tlen
		}
		return c.str, CellError, len(c.str)
	}
	switch c.vtype {
	case "float", "percentage", "currency":
		if n, ok := excelNumber(c.value); ok {
			return n, CellNumber, len(n)
		}
	case "date":
		if d, ok := isoDateCell(c.date); ok {
			return d, CellDate, len(d)
		}
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(c.boolean)) {
		case "true", "1":
			return "TRUE", CellBool, 4
		case "false", "0":
			return "FALSE", CellBool, 5
		}
	}
	if t.tlen > 0 {
		return string(t.text), CellText, t.tlen
	}
	if c.hasStr { // a string given only as an attribute
		return c.str, CellText, len(c.str)
	}
	if c.vtype == "time" {
		return c.tm, CellText, len(c.tm)
	}
	return "", CellText, 0
}

// finishRow hands the row its own slices, without trailing empty cells.
func (t *odsTable) finishRow(row *Row) {
	n := len(t.vals)
	for n > 0 && t.vals[n-1] == "" {
		n--
	}
	if n == 0 {
		return
	}
	row.Values = append([]string(nil), t.vals[:n]...)
	row.Types = append([]CellType(nil), t.types[:n]...)
}
