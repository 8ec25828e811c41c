package bank

// OFX and QFX (Quicken's OFX) statements: OFX 1.x, which is SGML (a block of
// "KEY:VALUE" header lines, then tags whose leaf elements need no closing tag), and
// OFX 2.x, which is XML (<?xml?> and <?OFX?> processing instructions). Both are read
// by one small tolerant tokenizer: SGML is not XML, so encoding/xml cannot read 1.x.
//
// The reader streams tags through a stack of open aggregates and keeps only the
// statement and transaction being read, so memory stays bounded by the output.

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Limits of ReadOFX. Variables, not constants, so tests can lower them.
var (
	ofxMaxBytes int64 = 256 << 20 // input size cap
	ofxMaxDepth       = 64        // aggregate nesting cap (a statement needs about 8)
)

// ofxLeaves are elements that never hold other elements: an SGML file may leave them
// empty without a closing tag ("<NAME>" then "<MEMO>..."), and they must not be taken
// for an aggregate then.
var ofxLeaves = map[string]bool{
	"TRNTYPE": true, "DTPOSTED": true, "DTUSER": true, "DTAVAIL": true, "TRNAMT": true,
	"FITID": true, "CORRECTFITID": true, "CORRECTACTION": true, "SRVRTID": true,
	"CHECKNUM": true, "REFNUM": true, "SIC": true, "PAYEEID": true, "NAME": true,
	"EXTDNAME": true, "MEMO": true, "INV401KSOURCE": true, "CURSYM": true, "CURRATE": true,
	"CURDEF": true, "BANKID": true, "BRANCHID": true, "ACCTID": true, "ACCTTYPE": true,
	"ACCTKEY": true, "BALAMT": true, "DTASOF": true, "DTSTART": true, "DTEND": true,
	"CODE": true, "SEVERITY": true, "MESSAGE": true, "TRNUID": true, "DTSERVER": true,
	"LANGUAGE": true, "ORG": true, "FID": true, "MKTGINFO": true,
}

// ReadOFX reads OFX or QFX statements, version 1.x (SGML) or 2.x (XML), into one
// Statement per bank statement (STMTRS) or credit card statement (CCSTMTRS). name is
// the file name used in errors and warnings. Investment statements are not read.
//
// Rules worth knowing:
//   - Account is ACCTID, prefixed with "BANKID/" when the file gives a BANKID and
//     ACCTID is not an IBAN (US routing number, French bank code, ...).
//   - Amounts (TRNAMT, BALAMT) become exact minor units of the currency (a decimal
//     comma "12,50" and a leading "+" are accepted); digits beyond the currency's
//     decimals must be zeros, or the amount is a ParseError: a ledger must not round.
//   - A transaction's Currency is its CURRENCY/CURSYM when it has one, else the
//     statement's CURDEF. ORIGCURRENCY does not change it: the amount is then already
//     in CURDEF.
//   - Dates keep the date part only (YYYYMMDD), as a UTC midnight; time and time
//     zone are ignored.
//   - Title is MEMO, or NAME when there is no MEMO; Details is MEMO.
//   - The declared charset (header CHARSET or the XML declaration) is used only when
//     the file is not valid UTF-8: banks often declare 1252 and send UTF-8.
//   - Errors (*ParseError): not OFX, a DTD, a file ending inside a statement or
//     transaction, a transaction without TRNAMT or DTPOSTED, an unreadable amount or
//     date, a file without any statement. Warnings: a statement without a usable
//     ledger balance (LEDGERBAL).
func ReadOFX(r io.Reader, name string) ([]Statement, []Warning, error) {
	raw, err := io.ReadAll(io.LimitReader(r, ofxMaxBytes+1))
	if err != nil {
		return nil, nil, &ParseError{File: name, Reason: err.Error()}
	}
	if int64(len(raw)) > ofxMaxBytes {
		return nil, nil, &ParseError{File: name, Reason: fmt.Sprintf("file larger than %d MiB, refusing to read it", ofxMaxBytes>>20)}
	}
	text, err := ofxDecode(raw)
	if err != nil {
		return nil, nil, &ParseError{File: name, Reason: err.Error()}
	}
	p := &ofxParser{name: name, tk: ofxTokenizer{s: text, line: 1}}
	if err := p.header(); err != nil {
		return nil, nil, err
	}
	if err := p.run(); err != nil {
		return nil, nil, err
	}
	return p.stmts, p.warns, nil
}

// ofxDecode turns the file into UTF-8 text with "\n" line ends. Valid UTF-8 stays
// as it is; anything else is decoded with the declared 8-bit charset (Windows-1252
// unless the header says ISO-8859-1).
func ofxDecode(b []byte) (string, error) {
	if len(b) == 0 {
		return "", errors.New("empty file")
	}
	b = []byte(strings.TrimPrefix(string(b), "\xef\xbb\xbf"))
	var s string
	if utf8.Valid(b) {
		s = string(b)
	} else {
		cm := charmap.Windows1252
		head := strings.ToUpper(string(b[:min(len(b), 1024)]))
		if strings.Contains(head, "8859-1") && !strings.Contains(head, "8859-15") {
			cm = charmap.ISO8859_1
		}
		var sb strings.Builder
		sb.Grow(len(b) + len(b)/8)
		for _, c := range b {
			sb.WriteRune(cm.DecodeByte(c))
		}
		s = sb.String()
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n"), nil
}

// Token kinds.
const (
	ofxStart = iota + 1
	ofxEnd
	ofxText
)

type ofxToken struct {
	kind int
	name string // tag name, upper case
	text string // entity-decoded text, untrimmed
	line int
}

// ofxTokenizer splits OFX text into start tags, end tags and text. It accepts both
// SGML and XML: attributes are skipped, "<X/>" gives a start and an end tag,
// processing instructions and comments are dropped, a DTD is refused.
type ofxTokenizer struct {
	s       string
	pos     int
	line    int
	pending []ofxToken // tokens read ahead
}

func (t *ofxTokenizer) advance(to int) {
	t.line += strings.Count(t.s[t.pos:to], "\n")
	t.pos = to
}

// next returns the next token; ok is false at the end of the text.
func (t *ofxTokenizer) next() (ofxToken, bool, error) {
	if _, ok, err := t.peek(0); !ok || err != nil {
		return ofxToken{}, ok, err
	}
	tok := t.pending[0]
	t.pending = t.pending[1:]
	return tok, true, nil
}

// peek returns the i-th token ahead (0 is the next one) without consuming it.
func (t *ofxTokenizer) peek(i int) (ofxToken, bool, error) {
	for len(t.pending) <= i {
		tok, ok, err := t.scan()
		if err != nil || !ok {
			return ofxToken{}, false, err
		}
		t.pending = append(t.pending, tok)
		if tok.kind == ofxStart && tok.text == "/" { // "<X/>": its end tag follows
			t.pending[len(t.pending)-1].text = ""
			t.pending = append(t.pending, ofxToken{kind: ofxEnd, name: tok.name, line: tok.line})
		}
	}
	return t.pending[i], true, nil
}

// scan reads one token from the text; ok is false at its end. A self-closing
// start tag comes with text "/".
func (t *ofxTokenizer) scan() (tok ofxToken, ok bool, err error) {
	for t.pos < len(t.s) {
		line := t.line
		rest := t.s[t.pos:]
		if rest[0] != '<' || !ofxMarkup(rest) {
			// Text up to the next markup.
			end := len(rest)
			for i := 1; i < len(rest); i++ {
				if rest[i] == '<' && ofxMarkup(rest[i:]) {
					end = i
					break
				}
			}
			t.advance(t.pos + end)
			return ofxToken{kind: ofxText, text: ofxUnescape(rest[:end]), line: line}, true, nil
		}
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest, "-->")
			if end < 0 {
				t.advance(len(t.s))
				return ofxToken{}, false, nil
			}
			t.advance(t.pos + end + 3)
			continue
		case strings.HasPrefix(rest, "<![CDATA["):
			end := strings.Index(rest, "]]>")
			if end < 0 {
				end = len(rest)
			}
			text := rest[len("<![CDATA["):end]
			t.advance(min(len(t.s), t.pos+end+3))
			return ofxToken{kind: ofxText, text: text, line: line}, true, nil
		case strings.HasPrefix(rest, "<!"):
			if strings.HasPrefix(strings.ToUpper(rest), "<!DOCTYPE") {
				return ofxToken{}, false, errors.New("DTD not allowed (a <!DOCTYPE> in a bank file is refused for safety)")
			}
			return ofxToken{}, false, errors.New("markup declaration (<!...>) not allowed")
		case strings.HasPrefix(rest, "<?"):
			end := strings.Index(rest, "?>")
			if end < 0 {
				t.advance(len(t.s))
				return ofxToken{}, false, nil
			}
			t.advance(t.pos + end + 2)
			continue
		}
		end := strings.IndexByte(rest, '>')
		if end < 0 { // a tag cut off by the end of the file
			t.advance(len(t.s))
			return ofxToken{}, false, nil
		}
		body := rest[1:end]
		t.advance(t.pos + end + 1)
		kind := ofxStart
		if body[0] == '/' {
			kind, body = ofxEnd, body[1:]
		}
		selfClose := kind == ofxStart && strings.HasSuffix(body, "/")
		body = strings.TrimSuffix(body, "/")
		tagName := body
		if i := strings.IndexAny(body, " \t\n"); i >= 0 {
			tagName = body[:i]
		}
		tok = ofxToken{kind: kind, name: strings.ToUpper(tagName), line: line}
		if selfClose {
			tok.text = "/"
		}
		return tok, true, nil
	}
	return ofxToken{}, false, nil
}

// ofxMarkup reports whether s (starting with '<') starts markup rather than a stray
// '<' in SGML text.
func ofxMarkup(s string) bool {
	if len(s) < 2 {
		return false
	}
	c := s[1]
	return c == '/' || c == '?' || c == '!' || c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z')
}

// ofxUnescape decodes the XML/SGML character entities; unknown ones stay as written.
func ofxUnescape(s string) string {
	if !strings.Contains(s, "&") {
		return s
	}
	var sb strings.Builder
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			sb.WriteString(s)
			return sb.String()
		}
		sb.WriteString(s[:i])
		s = s[i:]
		j := strings.IndexByte(s[:min(len(s), 12)], ';') // entities are short
		if j < 0 {
			sb.WriteByte('&')
			s = s[1:]
			continue
		}
		ent, r := s[1:j], rune(-1)
		switch ent {
		case "amp":
			r = '&'
		case "lt":
			r = '<'
		case "gt":
			r = '>'
		case "quot":
			r = '"'
		case "apos":
			r = '\''
		case "nbsp":
			r = 0xA0
		default:
			if strings.HasPrefix(ent, "#x") || strings.HasPrefix(ent, "#X") {
				if v, err := strconv.ParseUint(ent[2:], 16, 32); err == nil && utf8.ValidRune(rune(v)) {
					r = rune(v)
				}
			} else if strings.HasPrefix(ent, "#") {
				if v, err := strconv.ParseUint(ent[1:], 10, 32); err == nil && utf8.ValidRune(rune(v)) {
					r = rune(v)
				}
			}
		}
		if r < 0 {
			sb.WriteByte('&')
			s = s[1:]
			continue
		}
		sb.WriteRune(r)
		s = s[j+1:]
	}
}

// ofxTx is the transaction being read: its leaf values by element name.
type ofxTx struct {
	line     int
	fields   map[string]ofxLeaf
	payee    string            // PAYEE/NAME
	addr     map[string]string // PAYEE address parts: ADDR1, CITY, ...
	currency string            // CURRENCY/CURSYM
}

type ofxLeaf struct {
	value string
	line  int
}

// ofxStmt is the statement being read.
type ofxStmt struct {
	line                   int
	acctID, bankID, curdef string
	ledger                 bool
	balamt, dtasof         ofxLeaf
	txs                    []Transaction
}

type ofxParser struct {
	name   string
	tk     ofxTokenizer
	stack  []string // open aggregates
	sawOFX bool
	cur    *ofxStmt
	tx     *ofxTx
	status string // last non-zero STATUS of a statement response, for the "no statement" error
	code   string // CODE of the STATUS being read
	stmts  []Statement
	warns  []Warning
	seq    int
}

func (p *ofxParser) errAt(line int, format string, args ...any) error {
	return &ParseError{File: p.name, Line: line, Reason: fmt.Sprintf(format, args...)}
}

func (p *ofxParser) warnf(line int, format string, args ...any) {
	p.warns = append(p.warns, Warning{Line: line, Reason: p.name + ": " + fmt.Sprintf(format, args...)})
}

// header checks that the text is OFX: a 1.x "OFXHEADER:" block (skipped: the charset
// was handled by ofxDecode) or markup starting with an XML declaration or <OFX>.
func (p *ofxParser) header() error {
	s := p.tk.s
	start := len(s) - len(strings.TrimLeft(s, " \t\n"))
	if strings.HasPrefix(strings.ToUpper(s[start:]), "OFXHEADER") {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			lt = len(s)
		}
		p.tk.advance(lt)
		return nil
	}
	if start == len(s) || s[start] != '<' {
		return p.errAt(0, "not an OFX file (no OFXHEADER header and no <OFX> element)")
	}
	return nil
}

func (p *ofxParser) run() error {
	for {
		tok, ok, err := p.tk.next()
		if err != nil {
			return p.errAt(p.tk.line, "%v", err)
		}
		if !ok {
			break
		}
		switch tok.kind {
		case ofxStart:
			if !p.sawOFX {
				if tok.name != "OFX" {
					return p.errAt(tok.line, "not an OFX file: first element is <%s>, want <OFX>", tok.name)
				}
				p.sawOFX = true
			}
			value, leaf, err := p.leafValue(tok.name)
			if err != nil {
				return p.errAt(p.tk.line, "%v", err)
			}
			if leaf {
				p.leaf(tok.name, strings.TrimSpace(value), tok.line)
				continue
			}
			if err := p.open(tok); err != nil {
				return err
			}
		case ofxEnd:
			if err := p.close(tok.name); err != nil {
				return err
			}
		}
	}
	if p.tx != nil {
		return p.errAt(p.tx.line, "file ends inside a transaction (STMTTRN): is it truncated?")
	}
	if p.cur != nil {
		return p.errAt(p.cur.line, "file ends inside a statement: is it truncated?")
	}
	if !p.sawOFX {
		return p.errAt(0, "not an OFX file (no <OFX> element)")
	}
	if len(p.stmts) == 0 {
		if p.status != "" {
			return p.errAt(0, "no statement in the file; the bank answered %s", p.status)
		}
		return p.errAt(0, "no bank or credit card statement (STMTRS or CCSTMTRS) in the file")
	}
	return nil
}

// leafValue decides whether the start tag just read opens a leaf element, and
// consumes its text and optional end tag if so. A leaf is followed by text, or
// directly by its own end tag, or is a known leaf name.
func (p *ofxParser) leafValue(name string) (string, bool, error) {
	tok, ok, err := p.tk.peek(0)
	if err != nil || !ok {
		return "", ofxLeaves[name], err
	}
	next := 0
	value := ""
	if tok.kind == ofxText {
		if strings.TrimSpace(tok.text) != "" {
			// The text, with any CDATA sections that continue it.
			var sb strings.Builder
			for ok && tok.kind == ofxText {
				sb.WriteString(tok.text)
				p.tk.next()
				if tok, ok, err = p.tk.peek(0); err != nil {
					return "", false, err
				}
			}
			if ok && tok.kind == ofxEnd && tok.name == name {
				p.tk.next()
			}
			return sb.String(), true, nil
		}
		next = 1
		if tok, ok, err = p.tk.peek(1); err != nil || !ok {
			return "", ofxLeaves[name], err
		}
	}
	if tok.kind == ofxEnd && tok.name == name {
		for range next + 1 {
			p.tk.next()
		}
		return value, true, nil
	}
	return "", ofxLeaves[name], nil
}

func (p *ofxParser) parent() string {
	if len(p.stack) == 0 {
		return ""
	}
	return p.stack[len(p.stack)-1]
}

func (p *ofxParser) open(tok ofxToken) error {
	if len(p.stack) >= ofxMaxDepth {
		return p.errAt(tok.line, "elements nested deeper than %d", ofxMaxDepth)
	}
	switch tok.name {
	case "STMTRS", "CCSTMTRS":
		if p.cur != nil {
			return p.errAt(tok.line, "<%s> inside a statement", tok.name)
		}
		p.cur = &ofxStmt{line: tok.line}
	case "STMTTRN":
		if p.tx != nil {
			return p.errAt(tok.line, "<STMTTRN> inside the transaction of line %d (missing </STMTTRN>?)", p.tx.line)
		}
		if p.cur != nil {
			p.tx = &ofxTx{line: tok.line, fields: map[string]ofxLeaf{}}
		}
	case "LEDGERBAL":
		if p.cur != nil && p.parent() != "STMTTRN" {
			p.cur.ledger = true
		}
	case "STATUS":
		p.code = ""
	}
	p.stack = append(p.stack, tok.name)
	return nil
}

// close pops the aggregates up to the innermost open one called name; an end tag
// of nothing open is ignored.
func (p *ofxParser) close(name string) error {
	i := len(p.stack) - 1
	for i >= 0 && p.stack[i] != name {
		i--
	}
	if i < 0 {
		return nil
	}
	for len(p.stack) > i {
		top := p.stack[len(p.stack)-1]
		p.stack = p.stack[:len(p.stack)-1]
		switch top {
		case "STMTTRN":
			if p.tx != nil {
				if err := p.finishTx(); err != nil {
					return err
				}
			}
		case "STMTRS", "CCSTMTRS":
			if p.cur != nil {
				p.finishStmt()
			}
		}
	}
	return nil
}

func (p *ofxParser) leaf(name, value string, line int) {
	parent := p.parent()
	if p.tx != nil {
		switch parent {
		case "STMTTRN":
			if _, seen := p.tx.fields[name]; !seen {
				p.tx.fields[name] = ofxLeaf{value: value, line: line}
			}
		case "PAYEE":
			switch name {
			case "NAME":
				if p.tx.payee == "" {
					p.tx.payee = value
				}
			case "ADDR1", "ADDR2", "ADDR3", "CITY", "STATE", "POSTALCODE", "COUNTRY":
				if p.tx.addr == nil {
					p.tx.addr = map[string]string{}
				}
				p.tx.addr[name] = strings.TrimSpace(value)
			}
		case "CURRENCY":
			if name == "CURSYM" {
				p.tx.currency = strings.ToUpper(value)
			}
		}
		return
	}
	if p.cur != nil {
		switch parent {
		case "STMTRS", "CCSTMTRS":
			if name == "CURDEF" {
				p.cur.curdef = strings.ToUpper(value)
			}
		case "BANKACCTFROM", "CCACCTFROM":
			switch name {
			case "ACCTID":
				p.cur.acctID = value
			case "BANKID":
				p.cur.bankID = value
			}
		case "LEDGERBAL":
			switch name {
			case "BALAMT":
				p.cur.balamt = ofxLeaf{value: value, line: line}
			case "DTASOF":
				p.cur.dtasof = ofxLeaf{value: value, line: line}
			}
		}
		return
	}
	// The STATUS of a statement response (STMTTRNRS, CCSTMTTRNRS) that carries no
	// statement: kept to explain an empty file.
	if parent == "STATUS" && len(p.stack) >= 2 && strings.HasSuffix(p.stack[len(p.stack)-2], "STMTTRNRS") {
		switch name {
		case "CODE":
			p.code = value
			if value != "0" {
				p.status = "code " + value
			}
		case "SEVERITY", "MESSAGE":
			if p.code != "" && p.code != "0" && value != "" {
				p.status += " " + value
			}
		}
	}
}

func (p *ofxParser) finishTx() error {
	t := p.tx
	p.tx = nil
	st := p.cur
	get := func(n string) string { return t.fields[n].value }
	at := func(n string) int {
		if l := t.fields[n].line; l > 0 {
			return l
		}
		return t.line
	}
	tx := Transaction{
		Line:              t.line,
		Currency:          st.curdef,
		TypeCode:          strings.ToUpper(get("TRNTYPE")),
		Reference:         get("FITID"),
		CustomerReference: get("CHECKNUM"),
		CounterpartyName:  get("NAME"),
		Details:           get("MEMO"),
	}
	if t.currency != "" {
		tx.Currency = t.currency
	}
	if tx.CounterpartyName == "" {
		tx.CounterpartyName = t.payee
	}
	tx.CounterpartyAddress = ofxAddress(t.addr)
	tx.Title = tx.Details
	if tx.Title == "" {
		tx.Title = tx.CounterpartyName
	}
	amt, ok := t.fields["TRNAMT"]
	if !ok {
		return p.errAt(t.line, "transaction without an amount (TRNAMT)")
	}
	cents, err := ofxAmount(amt.value, tx.Currency)
	if err != nil {
		return p.errAt(at("TRNAMT"), "transaction amount: %v", err)
	}
	tx.Cents = cents
	if _, ok := t.fields["DTPOSTED"]; !ok {
		return p.errAt(t.line, "transaction without a posting date (DTPOSTED)")
	}
	if tx.BookingDate, err = ofxDate(get("DTPOSTED")); err != nil {
		return p.errAt(at("DTPOSTED"), "transaction posting date (DTPOSTED): %v", err)
	}
	if s := get("DTUSER"); s != "" {
		if tx.ValueDate, err = ofxDate(s); err != nil {
			return p.errAt(at("DTUSER"), "transaction date (DTUSER): %v", err)
		}
	}
	p.seq++
	tx.Seq = p.seq
	st.txs = append(st.txs, tx)
	return nil
}

func (p *ofxParser) finishStmt() {
	c := p.cur
	p.cur, p.tx = nil, nil
	st := Statement{
		Account:      c.acctID,
		Currency:     c.curdef,
		Transactions: c.txs,
		Line:         c.line,
	}
	if c.bankID != "" && !ofxIBANShape(c.acctID) {
		st.Account = c.bankID + "/" + c.acctID
	}
	switch {
	case !c.ledger:
		p.warnf(c.line, "statement of account %q has no ledger balance (LEDGERBAL)", st.Account)
	case c.balamt.value == "":
		p.warnf(c.line, "statement of account %q: ledger balance (LEDGERBAL) without an amount, ignored", st.Account)
	default:
		cents, err := ofxAmount(c.balamt.value, c.curdef)
		if err != nil {
			p.warnf(c.balamt.line, "statement of account %q: ledger balance ignored: %v", st.Account, err)
			break
		}
		var date time.Time
		if c.dtasof.value != "" {
			if date, err = ofxDate(c.dtasof.value); err != nil {
				p.warnf(c.dtasof.line, "statement of account %q: ledger balance ignored: date (DTASOF): %v", st.Account, err)
				break
			}
		}
		st.Closing = &Balance{Date: date, Cents: cents, Currency: c.curdef}
	}
	p.stmts = append(p.stmts, st)
}

// ofxIBANShape reports whether s looks like an IBAN: two letters, two digits, then
// 11 to 30 letters or digits.
func ofxIBANShape(s string) bool {
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		isDigit, isUpper := c >= '0' && c <= '9', c >= 'A' && c <= 'Z'
		switch {
		case i < 2 && !isUpper, i >= 2 && i < 4 && !isDigit, !isDigit && !isUpper:
			return false
		}
	}
	return true
}

// ofxDate reads the date part of an OFX date-time, YYYYMMDD[HHMMSS[.XXX]][[+-]H:TZ],
// as UTC midnight. An impossible date (20120231) is an error.
func ofxDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("empty date")
	}
	if len(s) < 8 {
		return time.Time{}, fmt.Errorf("date %q is not YYYYMMDD", s)
	}
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, fmt.Errorf("date %q is not YYYYMMDD", s)
		}
	}
	y, _ := strconv.Atoi(s[:4])
	m, _ := strconv.Atoi(s[4:6])
	d, _ := strconv.Atoi(s[6:8])
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, fmt.Errorf("date %q does not exist", s)
	}
	return t, nil
}

// ofxAmount converts a signed decimal amount ("-12.50", "+3", "12,50") to minor
// units of ccy, exactly.
func ofxAmount(s, ccy string) (int64, error) {
	orig := s
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if strings.Contains(s, ".") && strings.Contains(s, ",") {
		return 0, fmt.Errorf("amount %q has both a decimal point and a comma", orig)
	}
	v, err := minorUnits(strings.Replace(s, ",", ".", 1), ccy)
	if err != nil {
		return 0, fmt.Errorf("amount %q: %w", orig, err)
	}
	if neg {
		v = -v
	}
	return v, nil
}

// ofxAddress writes a PAYEE address as one line: "1 RUE EXEMPLE, 75000 PARIS, FRA".
func ofxAddress(a map[string]string) string {
	var line addressLine
	line.add(a["ADDR1"])
	line.add(a["ADDR2"])
	line.add(a["ADDR3"])
	line.add(a["POSTALCODE"], a["CITY"], a["STATE"])
	line.add(a["COUNTRY"])
	return line.String()
}
