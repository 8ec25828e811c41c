package ingest

import (
	"io"
	"strings"

	"github.com/padron-org/padron/pkg/money"
	"github.com/padron-org/padron/pkg/normalize"
	"github.com/padron-org/padron/pkg/source"
	"github.com/padron-org/padron/pkg/store"
)

// exportState is what the tables of one bank export (a CSV or XLSX of an account's
// history, read through a mapping of kind statement) share.
type exportState struct {
	stored  map[string]bool
	keys    *money.Keys
	rules   money.Rules
	ms      *MoneySummary
	totals  map[string]int64
	txBuf   []byte
	account string
}

func (fi *fileImport) exportState(account string) (*exportState, error) {
	if fi.export != nil {
		return fi.export, nil
	}
	stored, err := fi.w.TransactionKeys()
	if err != nil {
		return nil, err
	}
	own, err := fi.w.OwnAccounts()
	if err != nil {
		return nil, err
	}
	account = money.Account(account)
	if account != "" {
		own[account] = true
	}
	fi.export = &exportState{stored: stored, keys: money.NewKeys(), rules: money.Rules{User: fi.opts.Exclude, Own: own},
		ms: &MoneySummary{Excluded: map[string]int{}, Totals: map[string]string{}, Export: true}, totals: map[string]int64{},
		account: account}
	return fi.export, nil
}

// exportRows imports a bank export's rows one by one, in file order: each row with an
// amount is a statement transaction, and one already stored from an overlapping export
// is skipped. Bank exports are small; the order matters for telling identical entries
// apart, so there is no parallel conversion here.
func (fi *fileImport) exportRows(conv *converter, pending []source.Row, tbl source.Table, account string) (int, error) {
	es, err := fi.exportState(account)
	if err != nil {
		return 0, err
	}
	batch := fi.w.ID()
	n := 0
	for {
		var row source.Row
		if len(pending) > 0 {
			row, pending = pending[0], pending[1:]
		} else {
			r, err := tbl.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return n, err
			}
			row = r
		}
		if source.IsBlank(row) {
			continue
		}
		fi.recordNo++
		var it item
		conv.convert(row, fi.recordNo, &it)
		rec := &it.rec
		if rec.Source == "" || rec.Source == fi.label {
			rec.Source = "bank"
		}
		payerFields(rec, conv.fullNameOrder())
		var tx *store.Transaction
		if rec.Amount != nil {
			cents := *rec.Amount
			key := es.keys.Key(es.account, rec.Date, cents, rec.Currency, rec.ExternalID, rec.IBAN, rec.Reference)
			if es.stored[key] {
				es.ms.Skipped++
				continue
			}
			kind := money.Kind(cents, "")
			tx = &store.Transaction{Origin: store.OriginStatement, Account: es.account, BookingDate: rec.Date, Minor: cents,
				Digits: 2, Currency: rec.Currency, Kind: kind, BankRef: rec.ExternalID, CounterpartyName: rec.FullName,
				CounterpartyIBAN: money.Account(rec.IBAN), Title: rec.Reference, DedupKey: key}
			tx.Excluded = es.rules.Exclude(money.Tx{Kind: kind, Cents: cents, Account: es.account,
				CounterpartyName: rec.FullName, CounterpartyIBAN: rec.IBAN, Title: rec.Reference})
			es.count(tx)
		}
		rec.ID = fi.w.RecordID(rec.RecordNo)
		if err := fi.w.Append(rec); err != nil {
			return n, err
		}
		for i := range it.probs {
			it.probs[i].RecordID = rec.ID
			if err := fi.w.Problem(it.probs[i]); err != nil {
				return n, err
			}
		}
		if tx != nil {
			tx.RecordID = rec.ID
			es.txBuf = store.EncodeTransaction(es.txBuf[:0], batch, tx)
			if err := fi.w.WriteTransactions(es.txBuf, 1); err != nil {
				return n, err
			}
		}
		n++
		fi.rows++
		if fi.opts.Progress != nil && fi.rows%1024 == 0 {
			fi.opts.Progress(fi.file, fi.rows)
		}
	}
	return n, nil
}

func (es *exportState) count(tx *store.Transaction) {
	switch {
	case tx.Kind == store.KindFee:
		es.ms.Fees++
	case tx.Kind == store.KindDebit:
		es.ms.Debits++
	case tx.Excluded != "":
		es.ms.Credits++
		es.ms.Excluded[tx.Excluded]++
	default:
		es.ms.Credits++
		es.totals[tx.Currency] += tx.Minor
		es.ms.Totals[tx.Currency] = store.DecimalText(es.totals[tx.Currency], 2)
	}
}

// payerFields takes a bank's counterparty apart: the address appended to the name
// goes to the address fields, and the name is split again without it.
func payerFields(rec *store.Record, order normalize.NameOrder) {
	if rec.FullName == "" && rec.GivenName == "" && rec.FamilyName == "" {
		// No counterparty column: many exports name the payer in the description.
		rec.FullName = money.PayerFromTitle(rec.Reference)
		if rec.FullName == "" {
			rec.FullName = money.PayerFromTitle(rec.Notes)
		}
		if rec.FullName != "" {
			rec.GivenName, rec.FamilyName = normalize.SplitFullName(rec.FullName, order)
			rec.NameKey = normalize.Fold(strings.TrimSpace(rec.GivenName + " " + rec.FamilyName))
		}
	}
	name := rec.FullName
	if name == "" {
		return
	}
	p := money.SplitPayer(name)
	if p.Name == name {
		return
	}
	rec.FullName = p.Name
	if rec.Street == "" {
		rec.Street = p.Street
	}
	if rec.Postcode == "" {
		rec.Postcode = strings.ToUpper(p.Postcode)
	}
	if rec.City == "" {
		rec.City = p.City
	}
	rec.GivenName, rec.FamilyName = normalize.SplitFullName(p.Name, order)
	rec.NameKey = normalize.Fold(strings.TrimSpace(rec.GivenName + " " + rec.FamilyName))
}
