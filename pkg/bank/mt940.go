package bank

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// mt940MaxLine is the longest line ReadMT940 accepts; longer lines are not MT940.
const mt940MaxLine = 64 * 1024

// mt940Tags are the tags ReadMT940 understands. Lines that look like other tags are an
// error, except inside :86: free text where they are taken as wrapped text.
var mt940Tags = map[string]bool{
	"20": true, "21": true, "25": true, "28": true, "28C": true,
	"60F": true, "60M": true, "61": true, "86": true, "62F": true, "62M": true,
	"64": true, "65": true, "13": true, "13D": true, "34F": true,
	"90D": true, "90C": true, "NS": true,
}

var (
	mt940TagRe     = regexp.MustCompile(`^:([0-9]{2}[A-Z]?|NS):`)
	mt940PartialRe = regexp.MustCompile(`^:[0-9]{1,2}[A-Z]?$`)
)

// mt940Field is one tag with its content lines (the first one without the tag).
type mt940Field struct {
	tag   string
	line  int
	lines []string
}

// ReadMT940 reads SWIFT MT940 statements and MT942 interim reports from r. name is the
// file name used in errors. A file may hold several statements, with or without the
// SWIFT FIN envelope. Text is decoded as UTF-8 when valid, else as Windows-1250,
// ISO-8859-2 or CP852, whichever the file's bytes so far read best in.
//
// Broken input (a truncated file, a missing :20:, a malformed :61:, an unknown tag, a
// header tag such as :25: among the entries) is a *ParseError; odd but readable input
// (balances that do not add up, a missing closing balance or :25:, MT942 :90D:/:90C:
// totals that differ from the entries, an impossible date such as 30 February) gives
// Warnings.
func ReadMT940(r io.Reader, name string) ([]Statement, []Warning, error) {
	var stmts []Statement
	warns, err := ScanMT940(r, name, func(st Statement) error {
		stmts = append(stmts, st)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return stmts, warns, nil
}

// ScanMT940 reads like ReadMT940 but hands each statement to each as soon as it is
// complete, so that memory holds one statement at a time however long the file.
// Statements before an error have already been handed over: a caller storing them
// must do so in one transaction and roll it back on error.
func ScanMT940(r io.Reader, name string, each func(Statement) error) ([]Warning, error) {
	b := &mt940Builder{name: name, each: each}
	var dec mt940Decoder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), mt940MaxLine+2)
	var (
		cur        *mt940Field
		lineNo     int
		inEnvelope bool
		sawText    bool
		lastLine   string
	)
	flush := func() error {
		if cur == nil {
			return nil
		}
		f := cur
		cur = nil
		return b.add(f)
	}
	for sc.Scan() {
		lineNo++
		raw := sc.Bytes()
		if lineNo == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
		}
		s := dec.line(raw)
		s = strings.Map(func(r rune) rune {
			if r == '\r' || r == 0x01 || r == 0x03 {
				return -1
			}
			return r
		}, s)
		t := strings.TrimSpace(s)
		if t == "" {
			continue
		}
		sawText = true
		lastLine = t
		if strings.HasPrefix(t, "{") {
			// SWIFT FIN envelope: {1:..}{2:..}{3:..}{4: opens the text block.
			i := strings.Index(s, "{4:")
			if i < 0 {
				continue // {5:...} trailer or other blocks
			}
			inEnvelope = true
			s = s[i+3:]
			t = strings.TrimSpace(s)
			if t == "" {
				continue
			}
		}
		if t == "-" || strings.HasPrefix(t, "-}") || t == "}" {
			if err := flush(); err != nil {
				return nil, err
			}
			inEnvelope = false
			continue
		}
		if m := mt940TagRe.FindStringSubmatch(s); m != nil {
			tag := m[1]
			if !mt940Tags[tag] {
				if cur != nil && cur.tag == "86" {
					cur.lines = append(cur.lines, s)
					continue
				}
				return nil, &ParseError{File: name, Line: lineNo, Reason: fmt.Sprintf("unknown tag :%s:", tag)}
			}
			if err := flush(); err != nil {
				return nil, err
			}
			cur = &mt940Field{tag: tag, line: lineNo, lines: []string{s[len(m[0]):]}}
			continue
		}
		if cur != nil {
			cur.lines = append(cur.lines, s)
		}
		// Lines outside any tag (file headers such as "940 00" or ":940:") are skipped.
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &ParseError{File: name, Line: lineNo + 1, Reason: "line longer than 64 KiB: not an MT940 file"}
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if !sawText {
		return nil, &ParseError{File: name, Reason: "empty file"}
	}
	if mt940PartialRe.MatchString(lastLine) {
		return nil, &ParseError{File: name, Line: lineNo, Reason: fmt.Sprintf("file ends in an incomplete tag %q: truncated?", lastLine)}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if inEnvelope {
		return nil, &ParseError{File: name, Line: lineNo, Reason: "file ends inside a SWIFT message (no closing \"-}\"): truncated?"}
	}
	if b.cur != nil && b.headerOnly() {
		return nil, &ParseError{File: name, Line: lineNo, Reason: fmt.Sprintf("file ends after the header of statement %q (line %d): truncated?", b.cur.ID, b.cur.Line)}
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	if b.count == 0 {
		return nil, &ParseError{File: name, Reason: "no statement found (no :20: tag)"}
	}
	return b.warns, nil
}

// mt940Builder assembles statements from fields in file order.
type mt940Builder struct {
	name    string
	each    func(Statement) error
	count   int // statements handed over
	warns   []Warning
	cur     *Statement
	lastTag string
	tx      int // index of the last transaction in cur, -1 when none
	seq     int
	details map[int][]string // :86: lines per transaction index of cur
	closeAt int              // line of the closing balance
	interim bool             // MT942: no closing balance expected
	body    int              // line of the first balance or entry tag of cur, 0 before
	debit   []bool           // per transaction of cur: marked D or RC (a debit entry)
	sums    []mt940Sum       // :90D: and :90C: of cur
}

// mt940Sum is an MT942 :90D: or :90C: control total.
type mt940Sum struct {
	debit bool
	line  int
	n     int64
	cents int64
}

func (b *mt940Builder) errf(line int, format string, args ...any) error {
	return &ParseError{File: b.name, Line: line, Reason: fmt.Sprintf(format, args...)}
}

func (b *mt940Builder) warnf(line int, format string, args ...any) {
	b.warns = append(b.warns, Warning{Line: line, Reason: fmt.Sprintf(format, args...)})
}

// headerOnly reports whether the current statement has nothing but header tags.
func (b *mt940Builder) headerOnly() bool {
	switch b.lastTag {
	case "20", "21", "25", "28", "28C":
		return true
	}
	return false
}

func (b *mt940Builder) add(f *mt940Field) error {
	first := strings.TrimSpace(f.lines[0])
	if f.tag == "20" {
		if err := b.finish(); err != nil {
			return err
		}
		b.cur = &Statement{ID: first, Line: f.line}
		b.tx = -1
		b.details = map[int][]string{}
		b.closeAt = 0
		b.interim = false
		b.body = 0
		b.debit = b.debit[:0]
		b.sums = b.sums[:0]
		b.lastTag = f.tag
		return nil
	}
	if b.cur == nil {
		return b.errf(f.line, "tag :%s: before any :20: (missing statement reference)", f.tag)
	}
	st := b.cur
	prev := b.lastTag
	b.lastTag = f.tag
	switch f.tag {
	case "21", "25", "28", "28C":
		// Header tags after the balances or entries have started are not a header: a
		// mistyped tag (":25:" for ":86:") or a statement whose :20: is missing. Taking
		// them would silently change the account of the entries read so far.
		if b.body > 0 {
			return b.errf(f.line, "header tag :%s: after the balances or entries of statement %q (from line %d): misplaced tag or missing :20:?", f.tag, st.ID, b.body)
		}
	case "NS":
	default:
		if b.body == 0 {
			b.body = f.line
		}
	}
	switch f.tag {
	case "21", "NS", "64", "65":
		// Related reference, non-SWIFT data and available balances are not kept.
	case "25":
		st.Account, st.Currency = mt940Account(first, st.Currency)
	case "28", "28C":
		st.Number = first
	case "60F", "60M", "62F", "62M":
		bal, err := b.balance(first, f.line, f.tag)
		if err != nil {
			return err
		}
		if f.tag[:2] == "60" {
			st.Opening = bal
			if st.Currency == "" {
				st.Currency = bal.Currency
			}
		} else {
			st.Closing = bal
			b.closeAt = f.line
		}
	case "13", "13D":
		b.interim = true
	case "90D", "90C":
		b.interim = true
		sum, ok := mt940ParseSum(first)
		if !ok {
			b.warnf(f.line, "malformed :%s: %q (want count, currency, amount): not checked", f.tag, first)
			break
		}
		sum.debit, sum.line = f.tag == "90D", f.line
		b.sums = append(b.sums, sum)
	case "34F":
		b.interim = true
		if st.Currency == "" && len(first) >= 3 && mt940IsUpperAlpha(first[:3]) {
			st.Currency = first[:3]
		}
	case "61":
		if st.Closing != nil {
			return b.errf(f.line, ":61: after the closing balance of statement %q: missing :20:?", st.ID)
		}
		tx, debit, err := b.statementLine(f)
		if err != nil {
			return err
		}
		b.debit = append(b.debit, debit)
		b.seq++
		tx.Seq = b.seq
		tx.Currency = st.Currency
		st.Transactions = append(st.Transactions, tx)
		b.tx = len(st.Transactions) - 1
	case "86":
		if b.tx >= 0 && (prev == "61" || prev == "86") {
			b.details[b.tx] = append(b.details[b.tx], f.lines...)
		}
		// An :86: outside a transaction is statement-level information: not kept.
	}
	return nil
}

// finish closes the current statement (details, currency, balance checks) and hands
// it over.
func (b *mt940Builder) finish() error {
	st := b.cur
	if st == nil {
		return nil
	}
	b.cur = nil
	var sum int64
	for i := range st.Transactions {
		tx := &st.Transactions[i]
		if tx.Currency == "" {
			tx.Currency = st.Currency
		}
		if lines, ok := b.details[i]; ok {
			mt940Details(lines, tx)
		}
		if tx.Reference == "" && mt940UniqueRef(tx.CustomerReference) {
			tx.Reference = tx.CustomerReference
		}
		sum += tx.Cents
	}
	if st.Account == "" {
		b.warnf(st.Line, "statement %q has no account identification (:25:)", st.ID)
	}
	for _, s := range b.sums {
		var n, cents int64
		for i, tx := range st.Transactions {
			if b.debit[i] == s.debit {
				n++
				cents += tx.Cents
			}
		}
		if cents < 0 {
			cents = -cents
		}
		what := "credits"
		if s.debit {
			what = "debits"
		}
		if n != s.n || cents != s.cents {
			b.warnf(s.line, "statement %q: the report says %d %s totalling %s, the entries are %d totalling %s",
				st.ID, s.n, what, mt940FormatCents(s.cents), n, mt940FormatCents(cents))
		}
	}
	switch {
	case st.Closing == nil && !b.interim:
		b.warnf(st.Line, "statement %q has no closing balance (:62F:)", st.ID)
	case st.Closing != nil && st.Opening != nil && st.Opening.Cents+sum != st.Closing.Cents:
		b.warnf(b.closeAt, "statement %q: opening balance %s + transactions %s = %s, but the closing balance is %s",
			st.ID, mt940FormatCents(st.Opening.Cents), mt940FormatCents(sum), mt940FormatCents(st.Opening.Cents+sum), mt940FormatCents(st.Closing.Cents))
	}
	b.count++
	return b.each(*st)
}

// balance parses "C160229EUR1200,00".
func (b *mt940Builder) balance(s string, line int, tag string) (*Balance, error) {
	if len(s) < 11 || (s[0] != 'C' && s[0] != 'D') {
		return nil, b.errf(line, "malformed :%s: balance %q (want C or D, YYMMDD, currency, amount)", tag, s)
	}
	d, err := b.date(s[1:7], line)
	if err != nil {
		return nil, err
	}
	// The currency is sometimes left out ("C020315105000,00").
	cur, rest := "", s[7:]
	if mt940IsUpperAlpha(s[7:10]) {
		cur, rest = s[7:10], s[10:]
	} else if rest == "" || rest[0] < '0' || rest[0] > '9' {
		return nil, b.errf(line, "malformed :%s: balance %q: bad currency %q", tag, s, s[7:10])
	}
	cents, noComma, err := parseMT940Amount(strings.TrimSpace(rest))
	if err != nil {
		return nil, b.errf(line, "malformed :%s: balance %q: %v", tag, s, err)
	}
	if noComma {
		b.warnf(line, "amount %q in :%s: has no decimal comma, read as whole units", rest, tag)
	}
	if s[0] == 'D' {
		cents = -cents
	}
	return &Balance{Date: d, Cents: cents, Currency: cur}, nil
}

// date parses YYMMDD; a day past the month's end is clamped with a warning.
func (b *mt940Builder) date(s string, line int) (time.Time, error) {
	if len(s) != 6 || !mt940IsDigits(s) {
		return time.Time{}, b.errf(line, "malformed date %q (want YYMMDD)", s)
	}
	yy, _ := strconv.Atoi(s[:2])
	year := 2000 + yy
	if yy >= 80 {
		year = 1900 + yy
	}
	return b.ymd(year, s[2:], line, s)
}

// ymd builds a date from a year and "MMDD", clamping the day to the month's end.
func (b *mt940Builder) ymd(year int, mmdd string, line int, orig string) (time.Time, error) {
	m, _ := strconv.Atoi(mmdd[:2])
	d, _ := strconv.Atoi(mmdd[2:4])
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, b.errf(line, "impossible date %q", orig)
	}
	last := time.Date(year, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if d > last {
		t := time.Date(year, time.Month(m), last, 0, 0, 0, 0, time.UTC)
		b.warnf(line, "date %q does not exist, read as %s", orig, t.Format("2006-01-02"))
		return t, nil
	}
	return time.Date(year, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

// statementLine parses a :61: field:
// YYMMDD [MMDD] (C|D|RC|RD) [funds code] amount Nxxx customer-ref [//bank-ref] [\n details].
// debit tells a debit entry (D, RC) from a credit entry (C, RD), which the sign of a
// zero amount cannot.
func (b *mt940Builder) statementLine(f *mt940Field) (tx Transaction, debit bool, err error) {
	s := strings.TrimRight(f.lines[0], " \t")
	bad := func(why string) (Transaction, bool, error) {
		return Transaction{}, false, b.errf(f.line, "malformed :61: statement line %q: %s", s, why)
	}
	tx = Transaction{Line: f.line}
	if len(s) < 6 {
		return bad("too short")
	}
	vd, err := b.date(s[:6], f.line)
	if err != nil {
		return bad("bad value date")
	}
	tx.ValueDate = vd
	p := s[6:]
	switch {
	case len(p) >= 4 && mt940IsDigits(p[:4]):
		// Entry date MMDD: the year is the value date's, or the next/previous one
		// when that is closer (entries booked across the year end).
		var best time.Time
		for _, y := range []int{vd.Year(), vd.Year() - 1, vd.Year() + 1} {
			m, _ := strconv.Atoi(p[:2])
			d, _ := strconv.Atoi(p[2:4])
			if m < 1 || m > 12 || d < 1 || d > 31 {
				return bad("bad entry date")
			}
			last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			t := time.Date(y, time.Month(m), min(d, last), 0, 0, 0, 0, time.UTC)
			if best.IsZero() || mt940AbsDuration(t.Sub(vd)) < mt940AbsDuration(best.Sub(vd)) {
				best = t
			}
		}
		if ed, err := b.ymd(best.Year(), p[:4], f.line, p[:4]); err == nil {
			best = ed
		}
		tx.BookingDate = best
		p = p[4:]
	case strings.HasPrefix(p, "    "):
		p = p[4:] // Citi writes spaces instead of the entry date
	}
	sign := int64(1)
	switch {
	case strings.HasPrefix(p, "RC"):
		tx.Reversal = true
		p = p[2:]
		sign = -1
	case strings.HasPrefix(p, "RD"):
		tx.Reversal = true
		p = p[2:]
	case strings.HasPrefix(p, "C"):
		p = p[1:]
	case strings.HasPrefix(p, "D"):
		p = p[1:]
		sign = -1
	default:
		return bad("want debit/credit mark C, D, RC or RD after the dates")
	}
	if p != "" && p[0] >= 'A' && p[0] <= 'Z' {
		p = p[1:] // funds code
	}
	n := 0
	for n < len(p) && (p[n] >= '0' && p[n] <= '9' || p[n] == ',') {
		n++
	}
	if n == 0 {
		return bad("no amount")
	}
	cents, noComma, err := parseMT940Amount(p[:n])
	if err != nil {
		return bad(err.Error())
	}
	if noComma {
		b.warnf(f.line, "amount %q in :61: has no decimal comma, read as whole units", p[:n])
	}
	tx.Cents = sign * cents
	p = p[n:]
	if len(p) < 4 || !mt940IsUpperAlpha(p[:1]) || !mt940IsAlnum(strings.ReplaceAll(p[1:4], " ", "0")) {
		return bad("want a transaction type such as NTRF after the amount")
	}
	tx.TypeCode = p[:4]
	p = p[4:]
	cust, bank, _ := strings.Cut(p, "//")
	tx.CustomerReference = strings.TrimSpace(cust)
	tx.Reference = strings.TrimSpace(bank)
	// A second line holds supplementary details; it is kept as Details only when
	// the entry has no :86:.
	var extra []string
	for _, l := range f.lines[1:] {
		if l = strings.TrimSpace(l); l != "" {
			extra = append(extra, l)
		}
	}
	tx.Details = strings.Join(extra, "\n")
	return tx, sign < 0, nil
}

// mt940ParseSum parses an MT942 control total "3PLN0,03": count, currency, amount.
func mt940ParseSum(s string) (mt940Sum, bool) {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n == 0 || n > 5 || len(s) < n+4 || !mt940IsUpperAlpha(s[n:n+3]) {
		return mt940Sum{}, false
	}
	count, _ := strconv.ParseInt(s[:n], 10, 64)
	cents, _, err := parseMT940Amount(strings.TrimSpace(s[n+3:]))
	if err != nil {
		return mt940Sum{}, false
	}
	return mt940Sum{n: count, cents: cents}, true
}

// parseMT940Amount parses "1234,56", "380115," or "00,12" into cents. An amount with
// no decimal comma ("500") is read as whole units; noComma tells the caller to warn.
func parseMT940Amount(s string) (cents int64, noComma bool, err error) {
	ip, fp, ok := strings.Cut(s, ",")
	if strings.Contains(fp, ",") || (ip == "" && fp == "") || !mt940IsDigits(ip) || !mt940IsDigits(fp) {
		return 0, false, fmt.Errorf("malformed amount %q", s)
	}
	if len(ip)+len(fp) > 15 {
		return 0, false, fmt.Errorf("amount %q is too long", s)
	}
	for len(fp) > 2 && fp[len(fp)-1] == '0' {
		fp = fp[:len(fp)-1]
	}
	if len(fp) > 2 {
		return 0, false, fmt.Errorf("amount %q has more than 2 decimals", s)
	}
	fp += strings.Repeat("0", 2-len(fp))
	v, err := strconv.ParseInt(ip+fp, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("malformed amount %q", s)
	}
	return v, !ok, nil
}

// mt940Account splits a :25: value into the account (the IBAN when there is one) and
// a currency suffix ("51210600/9223382012EUR").
func mt940Account(s, currency string) (string, string) {
	s = strings.TrimSpace(s)
	if n := len(s); n > 4 && mt940IsUpperAlpha(s[n-3:]) && (s[n-4] >= '0' && s[n-4] <= '9' || s[n-4] == '/') {
		if currency == "" {
			currency = s[n-3:]
		}
		s = strings.TrimSuffix(s[:n-3], "/")
	}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == ' ' }) {
		if mt940IbanShape(part) {
			return part, currency
		}
	}
	return s, currency
}

var (
	mt940SubfieldRes = map[byte]*regexp.Regexp{
		'?': regexp.MustCompile(`\?([0-9]{2})`),
		'^': regexp.MustCompile(`\^([0-9]{2})`),
		'~': regexp.MustCompile(`~([0-9]{2})`),
	}
	mt940LabelRe = regexp.MustCompile(`(?:^|[\s;])(Z RACH\.|NA RACH\.|OD|DO|TYT\.|TNR|ID IPH):`)
	mt940SEPARe  = regexp.MustCompile(`(EREF|KREF|MREF|CRED|DEBT|COAM|OAMT|SVWZ|ABWA|ABWE|IBAN|BIC|PURP)\+`)
)

// mt940Details fills Details, Title and the counterparty from :86: lines.
func mt940Details(lines []string, tx *Transaction) {
	trimmed := make([]string, len(lines))
	for i, l := range lines {
		trimmed[i] = strings.TrimRight(l, " \t")
	}
	tx.Details = strings.Join(trimmed, "\n")
	raw := strings.Join(lines, "")
	if mt940Subfields(raw, tx) || mt940Labelled(raw, tx) {
		return
	}
	tx.Title = mt940FreeText(trimmed)
}

// mt940Subfields reads Polish (^NN, ~NN) and German (?NN) subfields.
func mt940Subfields(raw string, tx *Transaction) bool {
	for _, sep := range []byte{'?', '^', '~'} {
		locs := mt940SubfieldRes[sep].FindAllStringSubmatchIndex(raw, -1)
		if len(locs) < 2 || locs[0][0] > 5 {
			continue
		}
		fields := map[int]string{}
		for i, loc := range locs {
			end := len(raw)
			if i+1 < len(locs) {
				end = locs[i+1][0]
			}
			code, _ := strconv.Atoi(raw[loc[2]:loc[3]])
			fields[code] += raw[loc[1]:end]
		}
		var pieces []string
		for c := 20; c <= 29; c++ {
			pieces = append(pieces, fields[c])
		}
		t := mt940JoinPieces(pieces)
		if m := mt940SEPARe.FindAllStringSubmatchIndex(t, -1); len(m) > 0 {
			for i, loc := range m {
				if t[loc[2]:loc[3]] != "SVWZ" {
					continue
				}
				end := len(t)
				if i+1 < len(m) {
					end = m[i+1][0]
				}
				t = t[loc[1]:end]
				break
			}
		}
		tx.Title = mt940CollapseSpace(t)
		if tx.Title == "" {
			tx.Title = mt940CollapseSpace(fields[0])
		}
		tx.CounterpartyBank = strings.TrimSpace(fields[30])
		mt940SetAccount(fields[31], tx)
		if v := strings.ReplaceAll(strings.TrimSpace(fields[38]), " ", ""); v != "" {
			switch {
			case mt940IbanValid(v):
				tx.CounterpartyIBAN = v
			case len(v) == 26 && mt940IsDigits(v) && mt940IbanValid("PL"+v):
				// A Polish NRB is the IBAN without "PL".
				tx.CounterpartyIBAN = "PL" + v
			default:
				tx.CounterpartyIBAN = v
			}
		}
		if tx.CounterpartyIBAN == "" {
			// Polish layouts give the bank's 8-digit sort code in 30 and the 16-digit
			// account in 31; the NRB check digits are the IBAN's, so both can be rebuilt.
			if iban := mt940PolishIBAN(tx.CounterpartyBank, tx.CounterpartyAccount); iban != "" {
				tx.CounterpartyIBAN = iban
			}
		}
		tx.CounterpartyName = mt940CollapseSpace(mt940JoinPieces([]string{fields[32], fields[33]}))
		return true
	}
	return false
}

// mt940JoinPieces joins the pieces of a text cut into subfields. A piece filling a
// whole subfield (27 characters in the German layout, 35 in most Polish ones) was cut by
// the format, maybe inside a word, and is glued to the next; a shorter one ended where
// the bank ended a line, so a space goes between.
func mt940JoinPieces(pieces []string) string {
	var sb strings.Builder
	glue := true // nothing goes before the first piece
	for _, p := range pieces {
		if p == "" {
			continue
		}
		if !glue {
			sb.WriteByte(' ')
		}
		sb.WriteString(p)
		n := utf8.RuneCountInString(p)
		glue = n == 27 || n == 35
	}
	return sb.String()
}

// mt940PolishIBAN builds a Polish IBAN from an 8-digit sort code and a 16-digit account
// number; "" when they are not that.
func mt940PolishIBAN(bank, account string) string {
	bank = strings.TrimSpace(bank)
	if len(bank) != 8 || len(account) != 16 || !mt940IsDigits(bank+account) {
		return ""
	}
	bban := bank + account
	rem := 0
	for _, c := range bban + "252100" { // P=25, L=21, check digits 00
		rem = (rem*10 + int(c-'0')) % 97
	}
	return fmt.Sprintf("PL%02d%s", 98-rem, bban)
}

// mt940Labelled reads mBank-style text: "...; Z RACH.: 561140...; OD: JAN NOWAK; TYT.: ...; TNR: ...".
func mt940Labelled(raw string, tx *Transaction) bool {
	locs := mt940LabelRe.FindAllStringSubmatchIndex(raw, -1)
	found := false
	for i, loc := range locs {
		label := raw[loc[2]:loc[3]]
		end := len(raw)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		v := mt940CollapseSpace(strings.TrimRight(strings.TrimSpace(raw[loc[1]:end]), "; "))
		switch label {
		case "Z RACH.", "NA RACH.":
			mt940SetAccount(v, tx)
		case "OD", "DO":
			tx.CounterpartyName = v
		case "TYT.":
			tx.Title = v
		case "TNR":
			if tx.Reference == "" {
				tx.Reference = strings.ReplaceAll(v, " ", "")
			}
		default:
			continue
		}
		found = true
	}
	return found
}

// mt940SetAccount stores a counterparty account as IBAN when it is one (a Polish
// 26-digit NRB is an IBAN without its "PL"), else as an account number.
func mt940SetAccount(v string, tx *Transaction) {
	v = strings.ReplaceAll(strings.TrimSpace(v), " ", "")
	switch {
	case v == "":
	case mt940IbanValid(v):
		tx.CounterpartyIBAN = v
	case len(v) == 26 && mt940IsDigits(v) && mt940IbanValid("PL"+v):
		tx.CounterpartyIBAN = "PL" + v
	default:
		tx.CounterpartyAccount = v
	}
}

// mt940FreeText joins unstructured lines into one: lines wrapped at the full 65
// characters are glued, shorter ones joined with a space.
func mt940FreeText(lines []string) string {
	var sb strings.Builder
	for i, l := range lines {
		if i > 0 && utf8.RuneCountInString(lines[i-1]) < 65 {
			sb.WriteByte(' ')
		}
		sb.WriteString(l)
	}
	return mt940CollapseSpace(sb.String())
}

// mt940UniqueRef reports whether a customer reference looks like a real reference.
func mt940UniqueRef(s string) bool {
	if len(s) < 6 || strings.Contains(strings.ToUpper(s), "NONREF") {
		return false
	}
	return strings.ContainsAny(s, "123456789")
}

// mt940Charmaps are the legacy code pages ReadMT940 tells apart, preferred in this
// order on a tie.
var mt940Charmaps = []*charmap.Charmap{charmap.Windows1250, charmap.ISO8859_2, charmap.CodePage852}

// mt940Native are the letters of the languages whose banks write these code pages
// (Polish, Hungarian, German). Windows-1250 and ISO-8859-2 differ in a dozen bytes that
// are letters in both (0xBC is "ź" in one and "Ľ" in the other), so being a letter is
// not enough: a byte that reads as one of these counts for more.
const mt940Native = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻáéíöőúüűÁÉÍÖŐÚÜŰäßÄ"

// mt940Decoder decodes lines: UTF-8 when valid, else the legacy code page in which the
// file's bytes so far read best. Evidence adds up over the file, which is in one
// encoding, so a line with only ambiguous bytes follows the lines before it.
type mt940Decoder struct {
	score [3]int // per mt940Charmaps entry
}

func (d *mt940Decoder) line(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	best := 0
	for i, cm := range mt940Charmaps {
		for _, c := range b {
			if c < 0x80 {
				continue
			}
			switch r := cm.DecodeByte(c); {
			case strings.ContainsRune(mt940Native, r):
				d.score[i] += 3
			case unicode.IsLetter(r):
				d.score[i]++
			}
		}
		if d.score[i] > d.score[best] {
			best = i
		}
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(mt940Charmaps[best].DecodeByte(c))
	}
	return sb.String()
}

// mt940IbanShape reports whether s looks like an IBAN (country, check digits, 11–30 more).
func mt940IbanShape(s string) bool {
	if len(s) < 15 || len(s) > 34 || !mt940IsUpperAlpha(s[:2]) || !mt940IsDigits(s[2:4]) {
		return false
	}
	for _, c := range s[4:] {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// mt940IbanValid reports whether s is an IBAN with a correct mod-97 checksum.
func mt940IbanValid(s string) bool {
	if !mt940IbanShape(s) {
		return false
	}
	var digits strings.Builder
	for _, c := range s[4:] + s[:4] {
		if c >= 'A' && c <= 'Z' {
			digits.WriteString(strconv.Itoa(int(c-'A') + 10))
		} else {
			digits.WriteRune(c)
		}
	}
	n, ok := new(big.Int).SetString(digits.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

func mt940IsDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func mt940IsAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'A' && s[i] <= 'Z') {
			return false
		}
	}
	return true
}

func mt940IsUpperAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

func mt940CollapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func mt940AbsDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// mt940FormatCents writes cents as a decimal amount ("-12.05").
func mt940FormatCents(c int64) string {
	sign := ""
	u := uint64(c)
	if c < 0 {
		sign, u = "-", uint64(-c)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}
