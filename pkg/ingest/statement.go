package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/padron-org/padron/pkg/bank"
	"github.com/padron-org/padron/pkg/money"
	"github.com/padron-org/padron/pkg/normalize"
	"github.com/padron-org/padron/pkg/store"
)

// MoneySummary says what a statement (or a list with amounts) brought in.
type MoneySummary struct {
	Statements int `json:"statements,omitempty"`
	// Export is set for a bank's CSV or XLSX export of an account.
	Export   bool           `json:"bank_export,omitempty"`
	Credits  int            `json:"credits"`
	Debits   int            `json:"debits"`
	Fees     int            `json:"fees"`
	Excluded map[string]int `json:"excluded,omitempty"` // credits kept out of donations, by rule
	// Skipped are transactions already stored from an overlapping statement.
	Skipped int `json:"skipped"`
	// Totals of the donations (credits not excluded), per currency, exact.
	Totals   map[string]string `json:"donations,omitempty"`
	Warnings []string          `json:"warnings,omitempty"`
}

// statementColumns are the columns of a statement's raw rows, and the canonical field
// each fills ("" for none).
var statementColumns = []struct{ name, field string }{
	{"statement", ""}, {"account", ""}, {"booking_date", "date"}, {"value_date", ""}, {"amount", "amount"},
	{"currency", "currency"}, {"type_code", ""}, {"reference", "reference"}, {"customer_reference", ""},
	{"counterparty_name", "full_name"}, {"counterparty_account", "iban"}, {"counterparty_bank", ""},
	{"title", "notes"}, {"details", ""},
}

// readStatements reads every statement of a file of format f.
func readStatements(path string, f bank.Format, each func(bank.Statement) error) ([]bank.Warning, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	r := bufio.NewReaderSize(file, 1<<20)
	name := filepath.Base(path)
	if f == bank.FormatMT940 {
		return bank.ScanMT940(r, name, each) // streams: a year of a busy account stays small
	}
	var sts []bank.Statement
	var warns []bank.Warning
	switch f {
	case bank.FormatCAMT:
		sts, warns, err = bank.ReadCAMT(r, name)
	case bank.FormatOFX:
		sts, warns, err = bank.ReadOFX(r, name)
	case bank.FormatNorma43:
		sts, warns, err = bank.ReadNorma43(r, name)
	default:
		return nil, fmt.Errorf("no reader for statement format %q", f)
	}
	if err != nil {
		return warns, err
	}
	for _, s := range sts {
		if err := each(s); err != nil {
			return warns, err
		}
	}
	return warns, nil
}

// importStatement stores a bank statement file: one record per transaction (its
// record_no is the transaction's position in the file) and the transaction beside it,
// exactly. Transactions already stored from an overlapping statement are skipped and
// counted; a file that cannot be read stores nothing.
func importStatement(ctx context.Context, st *store.Store, path string, f bank.Format, opts Options, res *Result) (*store.Batch, []Table, error) {
	// The statement readers hold a file's statements in memory: refuse a huge one first.
	if fi, err := os.Stat(path); err != nil {
		return nil, nil, err
	} else if err := opts.Source.Limits.CheckFileSize(path, fi.Size()); err != nil {
		return nil, nil, err
	}
	sum, size, err := fileSHA256(path)
	if err != nil {
		return nil, nil, err
	}
	if done, err := already(ctx, st, sum, res); done || err != nil {
		return nil, nil, err
	}
	stored, err := st.TransactionKeys(ctx)
	if err != nil {
		return nil, nil, err
	}
	own, err := st.OwnAccounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	// The file's own accounts count as the organisation's from the first statement on:
	// a transfer between two accounts in one file is not a donation either. They are
	// only known after reading, so the file is read before anything is written.
	var sts []bank.Statement
	warns, err := readStatements(path, f, func(s bank.Statement) error {
		if s.Account != "" {
			own[money.Account(s.Account)] = true
		}
		sts = append(sts, s)
		return ctx.Err()
	})
	if err != nil {
		return nil, nil, err
	}
	rules := money.Rules{Own: own}
	if opts.Exclude != nil {
		rules.User = opts.Exclude
	}
	base := filepath.Base(path)
	w, err := st.BeginBatch(ctx, store.Batch{File: base, Path: path, SHA256: sum, Size: size, Format: string(f),
		Mapping: "statement", MappingHow: "detected by content", Actor: opts.Actor})
	if err != nil {
		return nil, nil, err
	}
	ok := false
	defer func() {
		if !ok {
			w.Rollback()
		}
	}()
	cols, fields := make([]string, len(statementColumns)), make([]string, len(statementColumns))
	for i, c := range statementColumns {
		cols[i], fields[i] = c.name, c.field
	}
	w.AddTable(store.BatchTable{Columns: cols, Mapping: "statement", Fields: fields})
	ms := &MoneySummary{Statements: len(sts), Excluded: map[string]int{}, Totals: map[string]string{}}
	totals := map[string]int64{}
	digitsOf := map[string]int{}
	keys := money.NewKeys()
	var recBuf, txBuf []byte
	for _, wn := range warns {
		reason := strings.TrimPrefix(wn.Reason, base+": ")
		ms.Warnings = append(ms.Warnings, fmt.Sprintf("line %d: %s", wn.Line, reason))
		if err := w.Problem(store.Problem{Pos: wn.Line, Reason: reason}); err != nil {
			return nil, nil, err
		}
	}
	for _, s := range sts {
		for i := range s.Transactions {
			t := &s.Transactions[i]
			cur := t.Currency
			if cur == "" {
				cur = s.Currency
			}
			date := t.BookingDate
			if date.IsZero() {
				date = t.ValueDate
			}
			cp := counterpartyAccount(t)
			key := keys.Key(s.Account, date, t.Cents, cur, t.Reference, cp, t.Title)
			if stored[key] {
				ms.Skipped++
				continue
			}
			kind := money.Kind(t.Cents, t.TypeCode)
			digits := bank.MinorDigits(f, cur)
			tx := store.Transaction{Origin: store.OriginStatement, Account: money.Account(s.Account),
				Statement: strings.TrimSpace(s.ID + " " + s.Number), BookingDate: t.BookingDate, ValueDate: t.ValueDate,
				Minor: t.Cents, Digits: digits, Currency: cur, Kind: kind, Reversal: t.Reversal, TypeCode: t.TypeCode,
				BankRef: t.Reference, CustRef: t.CustomerReference, CounterpartyName: t.CounterpartyName,
				CounterpartyIBAN: money.Account(cp), CounterpartyBank: t.CounterpartyBank, Title: t.Title, DedupKey: key}
			tx.Excluded = rules.Exclude(money.Tx{Kind: kind, Cents: t.Cents, Reversal: t.Reversal, Account: s.Account, TypeCode: t.TypeCode,
				CounterpartyName: t.CounterpartyName, CounterpartyIBAN: cp, Title: t.Title})
			switch {
			case kind == store.KindFee:
				ms.Fees++
			case kind == store.KindDebit:
				ms.Debits++
			default:
				ms.Credits++
				if tx.Excluded != "" {
					ms.Excluded[tx.Excluded]++
				} else {
					totals[cur] += t.Cents
					digitsOf[cur] = digits
				}
			}
			rec := statementRecord(&s, t, cur, digits)
			rec.ID = w.RecordID(rec.RecordNo)
			tx.RecordID = rec.ID
			recBuf = store.EncodeRecord(recBuf[:0], w.ID(), base, rec.ID, &rec)
			txBuf = store.EncodeTransaction(txBuf[:0], w.ID(), &tx)
			if err := w.WriteEncoded(recBuf, 1, nil, 0); err != nil {
				return nil, nil, err
			}
			if err := w.WriteTransactions(txBuf, 1); err != nil {
				return nil, nil, err
			}
		}
	}
	for cur, v := range totals {
		ms.Totals[cur] = store.DecimalText(v, digitsOf[cur])
	}
	w.SetSkipped(ms.Skipped)
	if opts.Progress != nil {
		opts.Progress(base, -1)
	}
	b, err := w.Commit()
	if err != nil {
		return nil, nil, err
	}
	ok = true
	res.Money = ms
	return &b, []Table{{Records: b.Records}}, nil
}

// statementRecord is a transaction as a record: the payer's name and address, their
// account, the amount, date and title, and every field verbatim in the raw row.
func statementRecord(s *bank.Statement, t *bank.Transaction, cur string, digits int) store.Record {
	p := money.SplitPayer(normalize.CleanName(t.CounterpartyName))
	if p.Street == "" && p.City == "" && t.CounterpartyAddress != "" {
		a := money.SplitAddress(normalize.CleanName(t.CounterpartyAddress))
		p.Street, p.Postcode, p.City = a.Street, a.Postcode, a.City
	}
	rec := store.Record{RecordNo: t.Seq, Pos: t.Line, Source: "bank", FullName: p.Name, Street: p.Street,
		Postcode: strings.ToUpper(p.Postcode), City: p.City, Currency: cur, Reference: t.Reference, Notes: t.Title}
	if rec.Reference == "" {
		rec.Reference = t.CustomerReference
	}
	if p.Name != "" {
		rec.GivenName, rec.FamilyName = normalize.SplitFullName(p.Name, normalize.NameAuto)
		rec.NameKey = normalize.Fold(strings.TrimSpace(rec.GivenName + " " + rec.FamilyName))
	}
	cp := counterpartyAccount(t)
	if iban, err := normalize.IBAN(money.Account(cp)); err == nil && iban != "" {
		rec.IBAN = iban
	}
	rec.Date = t.BookingDate
	if rec.Date.IsZero() {
		rec.Date = t.ValueDate
	}
	// records.amount holds hundredths; currencies with finer units keep their exact
	// amount in transactions only.
	switch {
	case digits <= 2:
		c := t.Cents
		for d := digits; d < 2; d++ {
			c *= 10
		}
		rec.Amount = &c
	case t.Cents%pow10(digits-2) == 0:
		c := t.Cents / pow10(digits-2)
		rec.Amount = &c
	}
	rec.Raw = []string{strings.TrimSpace(s.ID + " " + s.Number), s.Account, day(t.BookingDate), day(t.ValueDate),
		store.DecimalText(t.Cents, digits), cur, t.TypeCode, t.Reference, t.CustomerReference, t.CounterpartyName, cp,
		t.CounterpartyBank, t.Title, t.Details}
	return rec
}

// counterpartyAccount is the payer's (or payee's) IBAN, else their account as written.
func counterpartyAccount(t *bank.Transaction) string {
	if t.CounterpartyIBAN != "" {
		return t.CounterpartyIBAN
	}
	return t.CounterpartyAccount
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func pow10(n int) int64 {
	v := int64(1)
	for ; n > 0; n-- {
		v *= 10
	}
	return v
}

// ExcludedText lists the exclusions as "interest 1, own transfer 3", stably.
func (ms *MoneySummary) ExcludedText() string {
	m := ms.Excluded
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// sheetMoney gathers the transactions of a list with amounts (a donor list with
// "Kwota" and "Data wpłaty"): every row with an amount is a transaction, a positive
// one a donation unless a rule excludes it.
type sheetMoney struct {
	n               int
	credits, debits int
	excluded        map[string]int
	totals          map[string]int64
}

func (m *sheetMoney) add(b []byte, batch int64, rec *store.Record, rules *money.Rules) []byte {
	kind := money.Kind(*rec.Amount, "")
	tx := store.Transaction{RecordID: rec.ID, Origin: store.OriginSheet, BookingDate: rec.Date, Minor: *rec.Amount,
		Digits: 2, Currency: rec.Currency, Kind: kind, BankRef: rec.Reference, CounterpartyIBAN: money.Account(rec.IBAN),
		Title: rec.Reference}
	tx.CounterpartyName = rec.FullName
	if tx.CounterpartyName == "" {
		tx.CounterpartyName = strings.TrimSpace(rec.GivenName + " " + rec.FamilyName)
	}
	tx.Excluded = rules.Exclude(money.Tx{Kind: kind, Cents: *rec.Amount, CounterpartyName: tx.CounterpartyName,
		CounterpartyIBAN: rec.IBAN, Title: rec.Reference})
	m.n++
	switch {
	case kind != store.KindCredit:
		m.debits++
	case tx.Excluded != "":
		m.credits++
		if m.excluded == nil {
			m.excluded = map[string]int{}
		}
		m.excluded[tx.Excluded]++
	default:
		m.credits++
		if m.totals == nil {
			m.totals = map[string]int64{}
		}
		m.totals[rec.Currency] += *rec.Amount
	}
	return store.EncodeTransaction(b, batch, &tx)
}

func (m *sheetMoney) merge(o *sheetMoney) {
	m.n += o.n
	m.credits += o.credits
	m.debits += o.debits
	for k, v := range o.excluded {
		if m.excluded == nil {
			m.excluded = map[string]int{}
		}
		m.excluded[k] += v
	}
	for k, v := range o.totals {
		if m.totals == nil {
			m.totals = map[string]int64{}
		}
		m.totals[k] += v
	}
}

func (m *sheetMoney) summary() *MoneySummary {
	if m.n == 0 {
		return nil
	}
	ms := &MoneySummary{Credits: m.credits, Debits: m.debits, Excluded: m.excluded, Totals: map[string]string{}}
	for k, v := range m.totals {
		ms.Totals[k] = store.DecimalText(v, 2)
	}
	return ms
}
