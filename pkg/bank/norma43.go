package bank

// Norma 43 (AEB Cuaderno 43): the Spanish banks' fixed-width account statement. Every
// record is 80 characters; the first two give its type:
//
//	11 account header   bank, branch, account, start and end date, initial balance, currency
//	22 movement         branch, operation and value date, concepts, sign, amount, references
//	23 complementary    up to 5 per movement, two 38-character concept texts each
//	24 equivalence      the movement's amount in another currency
//	33 account footer   debit and credit counts and totals, final balance, currency
//	88 end of file      number of records
//
// Column positions below are the spec's, 1-based and inclusive, as comments; the code
// slices 0-based.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// n43MaxLine is the longest line ReadNorma43 accepts; longer lines are not Norma 43.
const n43MaxLine = 64 * 1024

// n43MinLen is the shortest each record type may be: enough to hold the fields the
// reader needs. Shorter lines are padded with spaces up to 80 columns.
var n43MinLen = map[string]int{
	"11": 50, // through the currency (48-50)
	"22": 42, // through the amount (29-42)
	"23": 4,  // the data code (3-4); the texts may be trimmed away
	"24": 21, // through the amount (8-21)
	"33": 73, // through the final balance (60-73)
	"88": 26, // through the record count (21-26)
}

// n43Currencies maps ISO 4217 numeric codes to letter codes.
var n43Currencies = map[string]string{
	"978": "EUR", "840": "USD", "826": "GBP", "756": "CHF", "985": "PLN",
	"752": "SEK", "208": "DKK", "578": "NOK", "392": "JPY", "124": "CAD",
}

// n43CounterpartyMarks are the phrases that introduce the counterparty's name at the start
// of a complementary concept text. Nothing else is taken for a name.
var n43CounterpartyMarks = []string{
	"TRANSFERENCIA DE ", "TRANSFERENCIA A FAVOR DE ", "TRANSFERENCIA A ",
	"TRANSF. DE ", "TRANSF. A ", "TRANSF DE ", "TRANSF A ",
	"ORDENANTE: ", "ORDENANTE ", "BENEFICIARIO: ", "BENEFICIARIO ",
}

// ReadNorma43 reads AEB Norma 43 (Cuaderno 43) statements from r: one Statement per
// account block (11 … 33). name is the file name used in errors. Lines may end in CRLF or
// LF and may be trimmed short of 80 columns. Text is decoded as UTF-8 when valid, else as
// Windows-1252 (a superset of ISO-8859-1).
//
// The account is given as a Spanish IBAN, built from the bank, branch and account number
// with the CCC control digits computed (the file does not hold them); when those are not
// all digits, as the 18 characters written. Each movement's complementary concepts (23)
// become its Title (joined with " ", text running over the 38-column boundary joined
// as one) and Details (one line per concept text). TypeCode is "common/own" concept.
//
// Broken input (an unknown record type, a movement outside an account, a non-numeric
// amount or date, a record too short for its fields, an account without its 33 footer)
// is a *ParseError; footer counts or totals, balances or a record count that do not add
// up give Warnings.
func ReadNorma43(r io.Reader, name string) ([]Statement, []Warning, error) {
	p := &n43Parser{name: name}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), n43MaxLine+2)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		raw := sc.Bytes()
		if lineNo == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
		}
		s := strings.TrimRight(n43DecodeLine(raw), "\r\n\x1a")
		if strings.TrimSpace(s) == "" {
			continue
		}
		if err := p.record(s, lineNo); err != nil {
			return nil, nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, &ParseError{File: name, Line: lineNo + 1, Reason: "line longer than 64 KiB: not a Norma 43 file"}
		}
		return nil, nil, fmt.Errorf("read %s: %w", name, err)
	}
	if p.cur != nil {
		return nil, nil, p.errf(lineNo, "file ends inside the account %s that starts on line %d (no 33 footer record): truncated?", p.cur.Account, p.cur.Line)
	}
	if len(p.stmts) == 0 {
		return nil, nil, &ParseError{File: name, Reason: "no account found (no 11 record): not a Norma 43 file?"}
	}
	if p.records > 0 {
		p.warnf(lineNo, "no 88 end-of-file record after line %d: the file may be incomplete", p.lastLine)
	}
	return p.stmts, p.warns, nil
}

// n43Parser assembles statements from records in file order.
type n43Parser struct {
	name     string
	stmts    []Statement
	warns    []Warning
	cur      *Statement
	acct     string   // bank, branch and account of cur as written (columns 3-20)
	texts    []string // 23 concept texts of the last movement, 38-column pieces
	nTexts   int      // 23 records of the last movement
	seq      int
	records  int // records since the last 88
	lastLine int
}

func (p *n43Parser) errf(line int, format string, args ...any) error {
	return &ParseError{File: p.name, Line: line, Reason: fmt.Sprintf(format, args...)}
}

func (p *n43Parser) warnf(line int, format string, args ...any) {
	p.warns = append(p.warns, Warning{Line: line, Reason: fmt.Sprintf(format, args...)})
}

// record handles one non-blank line.
func (p *n43Parser) record(s string, line int) error {
	rs := []rune(s)
	if len(rs) < 2 {
		return p.errf(line, "record %q too short to have a record type", s)
	}
	typ := string(rs[:2])
	minLen, ok := n43MinLen[typ]
	if !ok {
		return p.errf(line, "unknown record type %q (want 11, 22, 23, 24, 33 or 88): not a Norma 43 file?", typ)
	}
	if len(rs) < minLen {
		return p.errf(line, "record %s is %d characters long, too short for its fields (at least %d of 80)", typ, len(rs), minLen)
	}
	for len(rs) < 80 {
		rs = append(rs, ' ')
	}
	// col returns the spec's 1-based inclusive columns from..to.
	col := func(from, to int) string { return string(rs[from-1 : to]) }
	if typ != "88" {
		p.records++
		p.lastLine = line
	}
	switch typ {
	case "11":
		return p.header(col, line)
	case "22":
		return p.movement(col, line)
	case "23":
		if p.cur == nil || len(p.cur.Transactions) == 0 || p.nTexts < 0 {
			return p.errf(line, "complementary concept record 23 without a movement (22) before it")
		}
		p.nTexts++
		if p.nTexts == 6 {
			p.warnf(line, "more than 5 complementary concept records (23) for one movement")
		}
		p.texts = append(p.texts, col(5, 42), col(43, 80))
	case "24":
		if p.cur == nil || len(p.cur.Transactions) == 0 || p.nTexts < 0 {
			return p.errf(line, "equivalence record 24 without a movement (22) before it")
		}
		// The amount in another currency is checked but not kept.
		if _, err := p.amount(col(8, 21), "equivalence amount", line); err != nil {
			return err
		}
	case "33":
		return p.footer(col, line)
	case "88":
		n, err := p.number(col(21, 26), "record count", line)
		if err != nil {
			return err
		}
		if p.cur != nil {
			return p.errf(line, "end-of-file record 88 inside the account that starts on line %d (no 33 footer record)", p.cur.Line)
		}
		if int(n) != p.records {
			p.warnf(line, "end-of-file record says %d records, the file has %d", n, p.records)
		}
		p.records = 0
	}
	return nil
}

// header starts an account from an 11 record.
func (p *n43Parser) header(col func(int, int) string, line int) error {
	if p.cur != nil {
		return p.errf(line, "account header 11 before the footer (33) of the account that starts on line %d: truncated account?", p.cur.Line)
	}
	start, err := p.date(col(21, 26), "start date", line)
	if err != nil {
		return err
	}
	end, err := p.date(col(27, 32), "end date", line)
	if err != nil {
		return err
	}
	bal, err := p.signedAmount(col(33, 33), col(34, 47), "initial balance", line)
	if err != nil {
		return err
	}
	cur := n43Currency(col(48, 50))
	p.acct = col(3, 20)
	p.cur = &Statement{
		Account:  n43Account(col(3, 6), col(7, 10), col(11, 20)),
		Currency: cur,
		Opening:  &Balance{Date: start, Cents: bal, Currency: cur},
		Closing:  &Balance{Date: end}, // filled by the 33 record
		Line:     line,
	}
	p.nTexts = -1
	return nil
}

// movement adds a transaction from a 22 record.
func (p *n43Parser) movement(col func(int, int) string, line int) error {
	if p.cur == nil {
		return p.errf(line, "movement record 22 outside an account (no 11 header before it)")
	}
	p.finishTx()
	op, err := p.date(col(11, 16), "operation date", line)
	if err != nil {
		return err
	}
	val, err := p.date(col(17, 22), "value date", line)
	if err != nil {
		return err
	}
	cents, err := p.signedAmount(col(28, 28), col(29, 42), "amount", line)
	if err != nil {
		return err
	}
	var refs []string
	for _, r := range []string{col(43, 52), col(53, 64), col(65, 80)} {
		if r = strings.TrimSpace(r); strings.Trim(r, "0") != "" {
			refs = append(refs, r)
		}
	}
	p.seq++
	p.cur.Transactions = append(p.cur.Transactions, Transaction{
		Seq:         p.seq,
		Line:        line,
		BookingDate: op,
		ValueDate:   val,
		Cents:       cents,
		Currency:    p.cur.Currency,
		TypeCode:    strings.TrimSpace(col(23, 24)) + "/" + strings.TrimSpace(col(25, 27)),
		Reference:   strings.Join(refs, " "),
	})
	p.nTexts = 0
	p.texts = p.texts[:0]
	return nil
}

// finishTx sets the last movement's texts from its 23 records.
func (p *n43Parser) finishTx() {
	if p.cur == nil || len(p.cur.Transactions) == 0 || len(p.texts) == 0 {
		p.texts = p.texts[:0]
		return
	}
	tx := &p.cur.Transactions[len(p.cur.Transactions)-1]
	var lines, title []string
	for i, t := range p.texts {
		tt := strings.TrimSpace(t)
		if tt == "" {
			continue
		}
		lines = append(lines, tt)
		// Text filling its 38 columns and going on in the next piece was cut by the
		// format, not by the bank: join it without a space.
		if i > 0 && len(title) > 0 && !strings.HasSuffix(p.texts[i-1], " ") && !strings.HasPrefix(t, " ") &&
			strings.TrimSpace(p.texts[i-1]) != "" {
			title[len(title)-1] += strings.TrimRight(t, " ")
			continue
		}
		title = append(title, tt)
	}
	tx.Title = strings.Join(title, " ")
	tx.Details = strings.Join(lines, "\n")
	tx.CounterpartyName = n43Counterparty(title)
	p.texts = p.texts[:0]
}

// footer closes the account with a 33 record and checks its totals.
func (p *n43Parser) footer(col func(int, int) string, line int) error {
	if p.cur == nil {
		return p.errf(line, "account footer 33 without an account header (11) before it")
	}
	p.finishTx()
	st := p.cur
	nDebit, err := p.number(col(21, 25), "number of debits", line)
	if err != nil {
		return err
	}
	totDebit, err := p.amount(col(26, 39), "total debits", line)
	if err != nil {
		return err
	}
	nCredit, err := p.number(col(40, 44), "number of credits", line)
	if err != nil {
		return err
	}
	totCredit, err := p.amount(col(45, 58), "total credits", line)
	if err != nil {
		return err
	}
	final, err := p.signedAmount(col(59, 59), col(60, 73), "final balance", line)
	if err != nil {
		return err
	}
	st.Closing.Cents = final
	st.Closing.Currency = st.Currency
	if c := strings.TrimSpace(col(74, 76)); c != "" {
		if cur := n43Currency(c); cur != st.Currency {
			p.warnf(line, "account footer currency %s differs from the header's %s", cur, st.Currency)
			st.Closing.Currency = cur
		}
	}
	if a := col(3, 20); strings.TrimSpace(a) != "" && a != p.acct {
		p.warnf(line, "account footer is for account %s, the header (line %d) for %s", strings.TrimSpace(a), st.Line, strings.TrimSpace(p.acct))
	}
	var nd, nc, sd, sc int64
	for _, tx := range st.Transactions {
		if tx.Cents < 0 {
			nd++
			sd -= tx.Cents
		} else {
			nc++
			sc += tx.Cents
		}
	}
	if nd != nDebit || sd != totDebit {
		p.warnf(line, "account footer says %d debits totalling %s, the movements are %d totalling %s",
			nDebit, n43FormatCents(totDebit), nd, n43FormatCents(sd))
	}
	if nc != nCredit || sc != totCredit {
		p.warnf(line, "account footer says %d credits totalling %s, the movements are %d totalling %s",
			nCredit, n43FormatCents(totCredit), nc, n43FormatCents(sc))
	}
	if sum := st.Opening.Cents + sc - sd; sum != final {
		p.warnf(line, "account %s: initial balance %s + movements %s = %s, but the final balance is %s",
			st.Account, n43FormatCents(st.Opening.Cents), n43FormatCents(sc-sd), n43FormatCents(sum), n43FormatCents(final))
	}
	p.stmts = append(p.stmts, *st)
	p.cur = nil
	p.nTexts = -1
	return nil
}

// date parses YYMMDD; years 80-99 are 1980-1999. "000000" (no date) is the zero time.
func (p *n43Parser) date(s, what string, line int) (time.Time, error) {
	if !n43IsDigits(s) {
		return time.Time{}, p.errf(line, "%s %q is not a date (want YYMMDD)", what, s)
	}
	if s == "000000" {
		return time.Time{}, nil
	}
	yy, _ := strconv.Atoi(s[:2])
	m, _ := strconv.Atoi(s[2:4])
	d, _ := strconv.Atoi(s[4:])
	year := 2000 + yy
	if yy >= 80 {
		year = 1900 + yy
	}
	t := time.Date(year, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != d {
		return time.Time{}, p.errf(line, "%s %q is not a date (want YYMMDD)", what, s)
	}
	return t, nil
}

// number parses an unsigned count.
func (p *n43Parser) number(s, what string, line int) (int64, error) {
	if !n43IsDigits(s) {
		return 0, p.errf(line, "%s %q is not a number", what, s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, p.errf(line, "%s %q is not a number", what, s)
	}
	return n, nil
}

// amount parses 14 digits with 2 implied decimals into cents.
func (p *n43Parser) amount(s, what string, line int) (int64, error) {
	if !n43IsDigits(s) {
		return 0, p.errf(line, "%s %q is not an amount (want 14 digits, 2 of them decimals)", what, s)
	}
	return p.number(s, what, line)
}

// signedAmount parses a sign key (1 debit, 2 credit) and an amount.
func (p *n43Parser) signedAmount(sign, s, what string, line int) (int64, error) {
	n, err := p.amount(s, what, line)
	if err != nil {
		return 0, err
	}
	switch sign {
	case "1":
		return -n, nil
	case "2":
		return n, nil
	}
	return 0, p.errf(line, "%s sign %q is neither 1 (debit) nor 2 (credit)", what, sign)
}

// n43Account gives the Spanish IBAN of bank, branch and account number, or the three as
// written when they are not all digits.
func n43Account(bank, branch, number string) string {
	ccc, ok := n43CCC(bank, branch, number)
	if !ok {
		return strings.TrimSpace(bank + branch + number)
	}
	return n43IBAN(ccc)
}

// n43CCC builds the 20-digit Código Cuenta Cliente: bank, branch, the two control digits
// (the first over "00"+bank+branch, the second over the account number) and account.
func n43CCC(bank, branch, number string) (string, bool) {
	if len(bank) != 4 || len(branch) != 4 || len(number) != 10 || !n43IsDigits(bank+branch+number) {
		return "", false
	}
	return bank + branch + CCCControlDigit("00"+bank+branch) + CCCControlDigit(number) + number, true
}

// n43ControlDigit is the CCC modulo-11 control digit of 10 digits.
func CCCControlDigit(s string) string {
	weights := [10]int{1, 2, 4, 8, 5, 10, 9, 7, 3, 6}
	sum := 0
	for i := 0; i < 10; i++ {
		sum += int(s[i]-'0') * weights[i]
	}
	d := 11 - sum%11
	switch d {
	case 11:
		d = 0
	case 10:
		d = 1
	}
	return strconv.Itoa(d)
}

// n43IBAN builds "ES" + check digits + the CCC (ISO 13616 mod 97; E=14, S=28).
func n43IBAN(ccc string) string {
	rem := 0
	for _, c := range ccc + "142800" {
		rem = (rem*10 + int(c-'0')) % 97
	}
	return fmt.Sprintf("ES%02d%s", 98-rem, ccc)
}

// n43Currency maps an ISO 4217 numeric code to its letters, leaving unknown codes as written.
func n43Currency(code string) string {
	code = strings.TrimSpace(code)
	if c, ok := n43Currencies[code]; ok {
		return c
	}
	return code
}

// n43Counterparty finds a name introduced by one of n43CounterpartyMarks at the start
// of a concept text; "" when there is none.
func n43Counterparty(texts []string) string {
	for _, t := range texts {
		for _, m := range n43CounterpartyMarks {
			if len(t) > len(m) && strings.EqualFold(t[:len(m)], m) {
				return strings.TrimSpace(t[len(m):])
			}
		}
	}
	return ""
}

// n43DecodeLine decodes a line as UTF-8 when valid, else as Windows-1252.
func n43DecodeLine(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for _, c := range b {
		sb.WriteRune(charmap.Windows1252.DecodeByte(c))
	}
	return sb.String()
}

func n43IsDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// n43FormatCents writes cents as "-1234.56".
func n43FormatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}
