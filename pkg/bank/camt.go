package bank

// ISO 20022 cash management messages: camt.053 (BkToCstmrStmt), camt.052
// (BkToCstmrAcctRpt) and camt.054 (BkToCstmrDbtCdtNtfctn), any version. Elements are
// matched by local name, so every namespace version reads the same way.
//
// The reader streams: it keeps a small element tree of the statement being read and
// turns each <Ntry> into transactions as soon as it closes, then drops it, so memory
// stays bounded by the largest entry, not by the file.

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"encoding/xml"

	"golang.org/x/net/html/charset"
)

// Limits of ReadCAMT. Variables, not constants, so tests can lower them.
var (
	camtMaxBytes int64 = 256 << 20 // input size cap
	camtMaxDepth       = 64        // element nesting cap (camt needs about 15)
	// Elements kept at once: one statement's header plus one entry. A batch entry of
	// 10 000 payments is some 300 000; the cap bounds memory on hostile input.
	camtMaxNodes = 2 << 20
)

// errCAMTTooLarge is what the capped reader returns once the cap is passed.
var errCAMTTooLarge = errors.New("too large")

// ReadCAMT reads an ISO 20022 camt.052, camt.053 or camt.054 message (any version,
// matched by element local names) into one Statement per Rpt, Stmt or Ntfctn.
// name is the file name used in errors and warnings.
//
// Rules worth knowing:
//   - Amounts become exact minor units by the currency's ISO 4217 decimals (JPY 0,
//     BHD 3, most 2). Extra decimal digits are accepted only when they are zeros
//     ("18.150" EUR is 1815); anything else ("1.005" EUR) is a ParseError, because a
//     ledger must not round money silently.
//   - Entries whose status is not booked (Sts PDNG, INFO, ...) are skipped with a
//     Warning: they may never be booked, or come again booked in a later report.
//   - An entry with several TxDtls becomes one Transaction per TxDtls when every TxDtls
//     carries an amount in the entry's currency and they add up to the entry amount;
//     otherwise (no amounts, or amounts that do not add up: a Warning) the entry stays
//     one Transaction, with the parties and reference of its first TxDtls and the
//     remittance texts of all of them.
//   - The counterparty is the Dbtr for a credit and the Cdtr for a debit; for a
//     reversal (RvslInd) it is the other way round, as the parties are those of the
//     original payment.
//   - Warnings: camt.053 statements without a closing balance, and statements whose
//     opening balance plus booked entries differ from the closing balance.
//   - A DOCTYPE is refused, input is capped at 256 MiB and element depth at 64.
func ReadCAMT(r io.Reader, name string) ([]Statement, []Warning, error) {
	p := &camtParser{name: name}
	lr := &cappedReader{r: r, left: camtMaxBytes}
	d := xml.NewDecoder(lr)
	d.CharsetReader = charset.NewReaderLabel
	p.dec = d
	if err := p.run(); err != nil {
		if errors.Is(err, errCAMTTooLarge) {
			return nil, nil, &ParseError{File: name, Reason: fmt.Sprintf("file larger than %d MiB, refusing to read it", camtMaxBytes>>20)}
		}
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, nil, pe
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			return nil, nil, &ParseError{File: name, Line: se.Line, Reason: "malformed XML: " + se.Msg}
		}
		line, _ := d.InputPos()
		return nil, nil, &ParseError{File: name, Line: line, Reason: err.Error()}
	}
	if len(p.stmts) == 0 {
		return nil, nil, &ParseError{File: name, Reason: "no camt statement, report or notification found (is this a camt.052/053/054 file?)"}
	}
	return p.stmts, p.warns, nil
}

// cappedReader reads at most left bytes, then fails with errCAMTTooLarge.
type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(b []byte) (int, error) {
	if c.left <= 0 {
		// One byte more tells a file of exactly the cap from a bigger one.
		var one [1]byte
		n, err := c.r.Read(one[:])
		if n > 0 {
			return 0, errCAMTTooLarge
		}
		return 0, err
	}
	if int64(len(b)) > c.left {
		b = b[:c.left]
	}
	n, err := c.r.Read(b)
	c.left -= int64(n)
	return n, err
}

// node is an element of the small tree kept for the statement being read.
type node struct {
	name     string // local name
	attrs    []xml.Attr
	text     strings.Builder
	children []*node
	line     int
}

// child returns the first child with local name n, nil when none (nil-safe).
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// all returns the children with local name n.
func (n *node) all(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// path follows local names from n; nil when a step is missing.
func (n *node) path(names ...string) *node {
	for _, s := range names {
		n = n.child(s)
	}
	return n
}

// str is the trimmed text of the element at path, "" when missing.
func (n *node) str(names ...string) string {
	e := n.path(names...)
	if e == nil {
		return ""
	}
	return strings.TrimSpace(e.text.String())
}

func (n *node) attr(local string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

type camtParser struct {
	name  string
	dec   *xml.Decoder
	stmts []Statement
	warns []Warning
	seq   int
}

// The elements holding one statement, report or notification.
var camtRecords = map[string]bool{"Stmt": true, "Rpt": true, "Ntfctn": true}

func (p *camtParser) run() error {
	var (
		depth   int
		stack   []*node // open elements of the current record, record first
		inRec   bool
		recKind string
		sawRoot bool
		rootAt  int // depth of the BkToCstmr* element
		cur     *Statement
		entries int64 // sum of booked entries of cur, by Ntry
		sumOK   bool  // entries all in the statement currency
		kept    int   // elements kept in the tree
		keptAt  int   // kept when the current entry started
		hdrRead bool  // header read for the entries (once: it precedes them)
	)
	for {
		tok, err := p.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.Directive:
			if strings.HasPrefix(strings.TrimSpace(string(t)), "DOCTYPE") {
				return p.errAt("DTD not allowed (a <!DOCTYPE> in a bank file is refused for safety)")
			}
			return p.errAt("XML directive not allowed")
		case xml.StartElement:
			depth++
			if depth > camtMaxDepth {
				return p.errAt(fmt.Sprintf("elements nested deeper than %d", camtMaxDepth))
			}
			line, _ := p.dec.InputPos()
			l := t.Name.Local
			if !sawRoot && depth <= 2 {
				switch camtRootName(l) {
				case "BkToCstmrStmt", "BkToCstmrAcctRpt", "BkToCstmrDbtCdtNtfctn":
					sawRoot, rootAt = true, depth
				}
			}
			if !inRec {
				if sawRoot && depth == rootAt+1 && camtRecords[l] {
					inRec, recKind = true, l
					stack = []*node{{name: l, line: line}}
					p.stmts = append(p.stmts, Statement{Line: line})
					cur = &p.stmts[len(p.stmts)-1]
					entries, sumOK, hdrRead = 0, true, false
				}
				continue
			}
			if kept++; kept > camtMaxNodes {
				return p.errAt(fmt.Sprintf("more than %d elements in one statement header or entry", camtMaxNodes))
			}
			if l == "Ntry" && len(stack) == 1 {
				keptAt = kept - 1
			}
			n := &node{name: l, attrs: t.Attr, line: line}
			parent := stack[len(stack)-1]
			parent.children = append(parent.children, n)
			stack = append(stack, n)
		case xml.CharData:
			if inRec && len(stack) > 0 {
				top := stack[len(stack)-1]
				if len(top.children) == 0 { // only leaves' text is ever read
					top.text.Write(t)
				}
			}
		case xml.EndElement:
			depth--
			if !inRec {
				continue
			}
			n := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if n.name == "Ntry" && len(stack) == 1 {
				// Read the header now: entries need the statement currency.
				if !hdrRead {
					p.header(cur, stack[0], false)
					hdrRead = true
				}
				txs, sum, counted, err := p.entry(n, cur)
				if err != nil {
					return err
				}
				cur.Transactions = append(cur.Transactions, txs...)
				if counted {
					entries += sum
				} else if len(txs) > 0 {
					sumOK = false
				}
				// Drop the entry: it has been turned into transactions.
				rec := stack[0]
				rec.children = rec.children[:len(rec.children)-1]
				kept = keptAt
				continue
			}
			if len(stack) == 0 {
				p.header(cur, n, true)
				p.check(cur, recKind, entries, sumOK)
				inRec, cur, kept = false, nil, 0
			}
		}
	}
	if !sawRoot {
		return p.errAt("not a camt message: no BkToCstmrStmt, BkToCstmrAcctRpt or BkToCstmrDbtCdtNtfctn element")
	}
	return nil
}

func (p *camtParser) errAt(reason string) error {
	line, _ := p.dec.InputPos()
	return &ParseError{File: p.name, Line: line, Reason: reason}
}

// header fills the statement's own fields from the record element. It runs at the
// first entry (which needs the currency) and again at the end, which alone warns.
func (p *camtParser) header(st *Statement, rec *node, final bool) {
	st.ID = rec.str("Id")
	st.Number = rec.str("ElctrncSeqNb")
	acct := rec.child("Acct")
	if iban, other := camtAccount(acct); iban != "" {
		st.Account = iban
	} else {
		st.Account = other
	}
	st.Currency = acct.str("Ccy")
	st.Opening, st.Closing = nil, nil
	var prcd *Balance
	for _, b := range rec.all("Bal") {
		code := b.str("Tp", "CdOrPrtry", "Cd")
		if code != "OPBD" && code != "PRCD" && code != "CLBD" {
			continue
		}
		bal, err := p.balance(b)
		if err != nil {
			if !final {
				continue
			}
			p.warns = append(p.warns, Warning{Line: b.line, Reason: fmt.Sprintf("%s: statement %q: balance %s ignored: %v", p.name, st.ID, code, err)})
			continue
		}
		switch code {
		case "OPBD":
			if st.Opening == nil {
				st.Opening = bal
			}
		case "PRCD":
			if prcd == nil {
				prcd = bal
			}
		case "CLBD":
			if st.Closing == nil {
				st.Closing = bal
			}
		}
	}
	if st.Opening == nil {
		st.Opening = prcd
	}
	if st.Currency == "" {
		switch {
		case st.Closing != nil:
			st.Currency = st.Closing.Currency
		case st.Opening != nil:
			st.Currency = st.Opening.Currency
		}
	}
}

func (p *camtParser) balance(b *node) (*Balance, error) {
	amt := b.child("Amt")
	if amt == nil {
		return nil, errors.New("no amount")
	}
	ccy := amt.attr("Ccy")
	cents, err := minorUnits(amt.str(), ccy)
	if err != nil {
		return nil, err
	}
	if b.str("CdtDbtInd") == "DBIT" {
		cents = -cents
	}
	date, err := camtDate(b.child("Dt"))
	if err != nil {
		return nil, err
	}
	return &Balance{Date: date, Cents: cents, Currency: ccy}, nil
}

// check adds the warnings about a finished statement's balances.
func (p *camtParser) check(st *Statement, kind string, entries int64, sumOK bool) {
	if st.Closing == nil {
		if kind == "Stmt" {
			p.warns = append(p.warns, Warning{Line: st.Line, Reason: fmt.Sprintf("%s: statement %q has no closing balance (CLBD)", p.name, st.ID)})
		}
		return
	}
	if st.Opening == nil || !sumOK || st.Opening.Currency != st.Closing.Currency {
		return
	}
	if got := st.Opening.Cents + entries; got != st.Closing.Cents {
		p.warns = append(p.warns, Warning{Line: st.Line, Reason: fmt.Sprintf(
			"%s: statement %q: opening balance %s plus entries %s is %s, but the closing balance is %s",
			p.name, st.ID, camtFormat(st.Opening.Cents, st.Opening.Currency), camtFormat(entries, st.Opening.Currency),
			camtFormat(got, st.Opening.Currency), camtFormat(st.Closing.Cents, st.Closing.Currency))})
	}
}

// entry turns one <Ntry> into transactions. sum is its signed amount; counted says
// whether it may be added to the statement's balance check.
func (p *camtParser) entry(n *node, st *Statement) (txs []Transaction, sum int64, counted bool, err error) {
	perr := func(reason string) error {
		return &ParseError{File: p.name, Line: n.line, Reason: reason}
	}
	sts := n.str("Sts")
	if sts == "" {
		sts = n.str("Sts", "Cd") // version 8 and later
	}
	if sts != "" && sts != "BOOK" {
		p.warns = append(p.warns, Warning{Line: n.line, Reason: fmt.Sprintf("%s: entry with status %s (not booked) skipped", p.name, sts)})
		return nil, 0, false, nil
	}
	amt := n.child("Amt")
	if amt == nil {
		return nil, 0, false, perr("entry without an amount (Ntry/Amt)")
	}
	ccy := amt.attr("Ccy")
	cents, err := minorUnits(amt.str(), ccy)
	if err != nil {
		return nil, 0, false, perr("entry amount: " + err.Error())
	}
	credit := true
	switch ind := n.str("CdtDbtInd"); ind {
	case "CRDT":
	case "DBIT":
		credit = false
		cents = -cents
	default:
		return nil, 0, false, perr(fmt.Sprintf("entry credit/debit indicator %q, want CRDT or DBIT", ind))
	}
	base := Transaction{
		Line:      n.line,
		Cents:     cents,
		Currency:  ccy,
		Reversal:  camtBool(n.str("RvslInd")),
		Reference: n.str("AcctSvcrRef"),
		TypeCode:  camtTypeCode(n.child("BkTxCd")),
		Details:   n.str("AddtlNtryInf"),
	}
	if base.BookingDate, err = camtDate(n.child("BookgDt")); err != nil {
		return nil, 0, false, perr("booking date: " + err.Error())
	}
	if base.ValueDate, err = camtDate(n.child("ValDt")); err != nil {
		return nil, 0, false, perr("value date: " + err.Error())
	}
	var details []*node
	for _, nd := range n.all("NtryDtls") {
		details = append(details, nd.all("TxDtls")...)
	}

	// Split a batch when the TxDtls amounts account for the whole entry.
	split := len(details) > 1
	var amounts []int64
	if split {
		var total int64
		for _, d := range details {
			a, aCcy := d.child("Amt"), ""
			if a == nil {
				a = d.path("AmtDtls", "TxAmt", "Amt")
			}
			if a != nil {
				aCcy = a.attr("Ccy")
			}
			if a == nil || aCcy != ccy {
				split = false
				break
			}
			c, err := minorUnits(a.str(), aCcy)
			if err != nil {
				return nil, 0, false, &ParseError{File: p.name, Line: d.line, Reason: "transaction amount: " + err.Error()}
			}
			if ind := d.str("CdtDbtInd"); ind == "DBIT" || (ind == "" && !credit) {
				c = -c
			}
			amounts = append(amounts, c)
			total += c
		}
		if split && total != cents {
			p.warns = append(p.warns, Warning{Line: n.line, Reason: fmt.Sprintf("%s: batch entry of %s: its %d transaction amounts add up to %s, kept as one transaction",
				p.name, camtFormat(cents, ccy), len(details), camtFormat(total, ccy))})
			split = false
		}
	}
	// Whose name to take: the parties are those of the original payment, so a
	// reversed credit (booked as a debit) still names the debtor.
	payer := credit != base.Reversal
	if split {
		for i, d := range details {
			tx := base
			tx.Cents = amounts[i]
			camtDetails(&tx, d, payer)
			txs = append(txs, tx)
		}
	} else {
		tx := base
		if len(details) > 0 {
			camtDetails(&tx, details[0], payer)
			var titles []string
			for _, d := range details {
				if t := camtTitle(d); t != "" {
					titles = append(titles, t)
				}
			}
			tx.Title = strings.Join(titles, " ")
		}
		txs = append(txs, tx)
	}
	for i := range txs {
		p.seq++
		txs[i].Seq = p.seq
	}
	return txs, cents, st.Currency == "" || ccy == st.Currency, nil
}

// camtDetails fills reference, counterparty, title and details from one TxDtls.
func camtDetails(tx *Transaction, d *node, payer bool) {
	refs := d.child("Refs")
	if e2e := refs.str("EndToEndId"); e2e != "" && !strings.EqualFold(e2e, "NOTPROVIDED") {
		tx.Reference = e2e
	} else if r := refs.str("AcctSvcrRef"); r != "" {
		tx.Reference = r
	}
	party, acct, agent := "Cdtr", "CdtrAcct", "CdtrAgt"
	if payer {
		party, acct, agent = "Dbtr", "DbtrAcct", "DbtrAgt"
	}
	pties := d.child("RltdPties")
	// The party itself, or from version 8 on its Pty; the ultimate party (on whose
	// behalf a payment service paid) only when the file names no other.
	for _, p := range []*node{pties.child(party), pties.path(party, "Pty"), pties.child("Ultmt" + party)} {
		if nm := p.str("Nm"); nm != "" {
			tx.CounterpartyName = nm
			tx.CounterpartyAddress = camtAddress(p.child("PstlAdr"))
			break
		}
	}
	if tx.CounterpartyName == "" {
		tx.CounterpartyName = pties.str(party, "Agt", "FinInstnId", "Nm") // a bank as party (v8)
	}
	tx.CounterpartyIBAN, tx.CounterpartyAccount = camtAccount(pties.child(acct))
	fin := d.path("RltdAgts", agent, "FinInstnId")
	if bic := fin.str("BIC"); bic != "" {
		tx.CounterpartyBank = bic
	} else {
		tx.CounterpartyBank = fin.str("BICFI")
	}
	tx.Title = camtTitle(d)
	if add := d.str("AddtlTxInf"); add != "" {
		if tx.Details != "" {
			tx.Details += "\n" + add
		} else {
			tx.Details = add
		}
	}
}

// camtTitle is the remittance information of a TxDtls as one line: the unstructured
// parts, then the structured creditor references.
func camtTitle(d *node) string {
	var parts []string
	rmt := d.child("RmtInf")
	for _, u := range rmt.all("Ustrd") {
		if s := strings.TrimSpace(u.text.String()); s != "" {
			parts = append(parts, s)
		}
	}
	for _, s := range rmt.all("Strd") {
		// Referred documents (invoice numbers), the creditor reference, free text.
		for _, doc := range s.all("RfrdDocInf") {
			if nb := doc.str("Nb"); nb != "" {
				parts = append(parts, nb)
			}
		}
		if ref := s.str("CdtrRefInf", "Ref"); ref != "" {
			parts = append(parts, ref)
		}
		for _, a := range s.all("AddtlRmtInf") {
			if t := strings.TrimSpace(a.text.String()); t != "" {
				parts = append(parts, t)
			}
		}
	}
	return strings.Join(parts, " ")
}

// camtAddress writes a postal address as one line: its address lines when it has
// them, else street and number, post code and town, country.
func camtAddress(a *node) string {
	if a == nil {
		return ""
	}
	var line addressLine
	for _, l := range a.all("AdrLine") {
		line.add(strings.TrimSpace(l.text.String()))
	}
	if len(line) == 0 {
		line.add(a.str("StrtNm"), a.str("BldgNb"))
		line.add(a.str("PstCd"), a.str("TwnNm"))
	}
	line.add(a.str("Ctry"))
	return line.String()
}

// camtTypeCode is Domn/Cd/Fmly/Cd/SubFmlyCd joined with "/", else Prtry/Cd.
func camtTypeCode(b *node) string {
	if b == nil {
		return ""
	}
	if dom := b.child("Domn"); dom != nil {
		var parts []string
		for _, s := range []string{dom.str("Cd"), dom.str("Fmly", "Cd"), dom.str("Fmly", "SubFmlyCd")} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, "/")
		}
	}
	return b.str("Prtry", "Cd")
}

// camtAccount reads an account identification: the IBAN, or else the other
// identification (Othr/Id; PrtryAcct/Id and BBAN in version 1).
func camtAccount(acct *node) (iban, other string) {
	id := acct.child("Id")
	if iban = id.str("IBAN"); iban != "" {
		return iban, ""
	}
	for _, p := range [][]string{{"Othr", "Id"}, {"PrtryAcct", "Id"}, {"BBAN"}, {"UPIC"}} {
		if other = id.str(p...); other != "" {
			return "", other
		}
	}
	return "", ""
}

// camtRootName drops the "V01" suffix version 1 messages put on the root element
// (BkToCstmrAcctRptV01).
func camtRootName(l string) string {
	if i := strings.LastIndex(l, "V"); i > 0 && i < len(l)-1 {
		if _, err := strconv.Atoi(l[i+1:]); err == nil {
			return l[:i]
		}
	}
	return l
}

func camtBool(s string) bool { return s == "true" || s == "1" }

// camtDate reads a date choice element holding Dt or DtTm; zero time when absent.
// A DtTm keeps the offset it was written with.
func camtDate(n *node) (time.Time, error) {
	if n == nil {
		return time.Time{}, nil
	}
	if s := n.str("Dt"); s != "" {
		// Dt of a balance is itself a choice: Bal/Dt/Dt.
		return time.Parse("2006-01-02", s)
	}
	if s := n.str("DtTm"); s != "" {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("date-time %q not in ISO 8601 form", s)
	}
	return time.Time{}, nil
}

// minorUnits converts an unsigned decimal amount ("1234.5") to minor units of ccy,
// exactly (shared by the camt and OFX readers).
func minorUnits(s, ccy string) (int64, error) {
	if s == "" {
		return 0, errors.New("empty amount")
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, fmt.Errorf("amount %q is not a number", s)
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("amount %q is not a plain decimal number", s)
		}
	}
	dec := currencyDecimals(ccy)
	if len(frac) > dec {
		if strings.Trim(frac[dec:], "0") != "" {
			return 0, fmt.Errorf("amount %q has more decimals than %s has (%d)", s, ccy, dec)
		}
		frac = frac[:dec]
	}
	frac += strings.Repeat("0", dec-len(frac))
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("amount %q is too large", s)
	}
	return v, nil
}

// currencyDecimals is the ISO 4217 number of minor-unit digits of a currency.
func currencyDecimals(ccy string) int {
	switch strings.ToUpper(ccy) {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
		"UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	case "CLF", "UYW":
		return 4
	}
	return 2
}

// camtFormat writes minor units back as a decimal amount with currency, for messages.
func camtFormat(cents int64, ccy string) string {
	dec := currencyDecimals(ccy)
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	s := strconv.FormatInt(cents, 10)
	if dec > 0 {
		if len(s) <= dec {
			s = strings.Repeat("0", dec-len(s)+1) + s
		}
		s = s[:len(s)-dec] + "." + s[len(s)-dec:]
	}
	return sign + s + " " + ccy
}
