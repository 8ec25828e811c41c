package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// Version 6: money. Every bank transaction and every spreadsheet row with an amount is
// also a transaction, stored exactly (DECIMAL with four places covers every ISO 4217
// currency) beside the record it is. kind and excluded decide what counts as a
// donation; attributions say how each bank payer was tied to a person.
const schemaV6 = `
ALTER TABLE batches ADD COLUMN skipped INTEGER;
CREATE TABLE transactions (
	record_id          BIGINT NOT NULL,   -- the record this transaction is
	batch_id           BIGINT NOT NULL,
	origin             VARCHAR NOT NULL,  -- statement (a bank's file) or sheet (a list with amounts)
	account            VARCHAR,           -- the organisation's own account
	statement          VARCHAR,
	booking_date       DATE,
	value_date         DATE,
	amount             DECIMAL(18,4) NOT NULL, -- signed: negative is money out
	currency           VARCHAR,
	kind               VARCHAR NOT NULL,  -- credit, debit, fee
	reversal           BOOLEAN NOT NULL,
	type_code          VARCHAR,
	bank_reference     VARCHAR,
	customer_reference VARCHAR,
	counterparty_name  VARCHAR,
	counterparty_iban  VARCHAR,
	counterparty_bank  VARCHAR,
	title              VARCHAR,
	dedup_key          VARCHAR,           -- the same transaction in an overlapping statement has the same key
	excluded           VARCHAR            -- the rule that keeps it out of donations; NULL when it counts
);
CREATE TABLE attributions (
	record_id BIGINT NOT NULL,  -- a bank transaction's record
	person_id BIGINT,
	method    VARCHAR NOT NULL, -- iban, title_email, title_id, name, new
	score     DOUBLE,
	candidate BIGINT,           -- the person it may be, when sent to review
	run_id    BIGINT NOT NULL
);
`

// Transaction kinds.
const (
	KindCredit = "credit"
	KindDebit  = "debit"
	KindFee    = "fee"
)

// Transaction origins.
const (
	OriginStatement = "statement"
	OriginSheet     = "sheet"
)

// Transaction is money that moved, as stored beside its record.
type Transaction struct {
	RecordID    int64
	Origin      string
	Account     string
	Statement   string
	BookingDate time.Time
	ValueDate   time.Time
	// Minor is the signed amount in minor units with Digits decimal places.
	Minor    int64
	Digits   int
	Currency string
	Kind     string
	Reversal bool
	TypeCode string
	BankRef  string
	CustRef  string
	// Counterparty: who paid (credits) or was paid (debits).
	CounterpartyName string
	CounterpartyIBAN string
	CounterpartyBank string
	Title            string
	DedupKey         string
	Excluded         string
}

// DecimalText writes minor units with digits decimal places ("-12.50").
func DecimalText(minor int64, digits int) string {
	neg := minor < 0
	if neg {
		minor = -minor
	}
	s := strconv.FormatInt(minor, 10)
	if digits > 0 {
		for len(s) <= digits {
			s = "0" + s
		}
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

const transactionColumns = `{record_id:'BIGINT', batch_id:'BIGINT', origin:'VARCHAR', account:'VARCHAR',
	statement:'VARCHAR', booking_date:'DATE', value_date:'DATE', amount:'DECIMAL(18,4)', currency:'VARCHAR',
	kind:'VARCHAR', reversal:'BOOLEAN', type_code:'VARCHAR', bank_reference:'VARCHAR',
	customer_reference:'VARCHAR', counterparty_name:'VARCHAR', counterparty_iban:'VARCHAR',
	counterparty_bank:'VARCHAR', title:'VARCHAR', dedup_key:'VARCHAR', excluded:'VARCHAR'}`

var transactionSegments = segmentKind{"transactions"}

// EncodeTransaction appends one transaction of batch as a JSON line.
func EncodeTransaction(b []byte, batch int64, t *Transaction) []byte {
	b = append(b, `{"record_id":`...)
	b = strconv.AppendInt(b, t.RecordID, 10)
	b = strconv.AppendInt(append(b, `,"batch_id":`...), batch, 10)
	b = appendStr(b, "origin", t.Origin)
	b = appendStr(b, "account", t.Account)
	b = appendStr(b, "statement", t.Statement)
	b = appendDate(b, "booking_date", t.BookingDate)
	b = appendDate(b, "value_date", t.ValueDate)
	// A string, so that DuckDB casts it to DECIMAL exactly.
	b = appendStr(b, "amount", DecimalText(t.Minor, t.Digits))
	b = appendStr(b, "currency", t.Currency)
	b = appendStr(b, "kind", t.Kind)
	b = strconv.AppendBool(appendKey(b, "reversal"), t.Reversal)
	b = appendStr(b, "type_code", t.TypeCode)
	b = appendStr(b, "bank_reference", t.BankRef)
	b = appendStr(b, "customer_reference", t.CustRef)
	b = appendStr(b, "counterparty_name", t.CounterpartyName)
	b = appendStr(b, "counterparty_iban", t.CounterpartyIBAN)
	b = appendStr(b, "counterparty_bank", t.CounterpartyBank)
	b = appendStr(b, "title", t.Title)
	b = appendStr(b, "dedup_key", t.DedupKey)
	b = appendStr(b, "excluded", t.Excluded)
	return append(b, '}', '\n')
}

// WriteTransactions takes n transactions encoded with EncodeTransaction.
func (w *BatchWriter) WriteTransactions(encoded []byte, n int) error {
	if n == 0 {
		return nil
	}
	if w.txs == nil {
		w.txs = newLoader(w.segDir, w.segBase, transactionSegments, w.queue)
	}
	if err := w.txs.write(encoded); err != nil {
		return err
	}
	w.transactions += n
	return nil
}

// SetSkipped records how many transactions of the file were already stored from an
// overlapping statement, and so were not stored again.
func (w *BatchWriter) SetSkipped(n int) { w.batch.Skipped = n }

// TransactionKeys returns the dedup keys of every stored statement transaction.
func (s *Store) TransactionKeys(ctx context.Context) (map[string]bool, error) {
	return querySet[string](ctx, s.db, transactionKeysQuery)
}

// OwnAccounts returns the accounts the stored statements are for: money from one of
// them is the organisation moving its own money.
func (s *Store) OwnAccounts(ctx context.Context) (map[string]bool, error) {
	return querySet[string](ctx, s.db, ownAccountsQuery)
}

// TransactionKeys and OwnAccounts as seen from inside the batch being written (the
// store allows one connection at a time).
func (w *BatchWriter) TransactionKeys() (map[string]bool, error) {
	return querySet[string](w.ctx, w.conn, transactionKeysQuery)
}

// OwnAccounts is Store.OwnAccounts inside the batch.
func (w *BatchWriter) OwnAccounts() (map[string]bool, error) {
	return querySet[string](w.ctx, w.conn, ownAccountsQuery)
}

const (
	transactionKeysQuery = `SELECT dedup_key FROM transactions WHERE origin = 'statement' AND dedup_key IS NOT NULL`
	ownAccountsQuery     = `SELECT DISTINCT account FROM transactions WHERE origin = 'statement' AND account IS NOT NULL`
)

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// querySet returns the values of a one-column query as a set.
func querySet[T comparable](ctx context.Context, db querier, q string) (map[T]bool, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[T]bool{}
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}

// TxForRules is what exclusion rules read of a stored transaction.
type TxForRules struct {
	RecordID         int64
	Kind             string
	Account          string
	TypeCode         string
	CounterpartyName string
	CounterpartyIBAN string
	Title            string
	Excluded         string
}

// TransactionsForRules calls each for every transaction.
func (s *Store) TransactionsForRules(ctx context.Context, each func(TxForRules) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT record_id, kind, coalesce(account,''), coalesce(type_code,''),
		coalesce(counterparty_name,''), coalesce(counterparty_iban,''), coalesce(title,''), coalesce(excluded,'')
		FROM transactions ORDER BY record_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var t TxForRules
		if err := rows.Scan(&t.RecordID, &t.Kind, &t.Account, &t.TypeCode, &t.CounterpartyName, &t.CounterpartyIBAN,
			&t.Title, &t.Excluded); err != nil {
			return err
		}
		if err := each(t); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SetExclusions rewrites the exclusion of the given transactions (rule "" counts it
// again), in one transaction.
func (s *Store) SetExclusions(ctx context.Context, excluded map[int64]string) error {
	if len(excluded) == 0 {
		return nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN TRANSACTION`); err != nil {
		return err
	}
	fail := func(err error) error {
		_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		return fmt.Errorf("donation exclusions: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE new_excl (record_id BIGINT, rule VARCHAR)`); err != nil {
		return fail(err)
	}
	ids := make([]int64, 0, len(excluded))
	for id := range excluded {
		ids = append(ids, id)
	}
	err = appendRows(ctx, conn, "new_excl", len(ids), func(a *duckdb.Appender, i int) error {
		var rule any
		if r := excluded[ids[i]]; r != "" {
			rule = r
		}
		return a.AppendRow(ids[i], rule)
	})
	if err != nil {
		return fail(err)
	}
	for _, q := range []string{
		`UPDATE transactions t SET excluded = n.rule FROM new_excl n WHERE t.record_id = n.record_id`,
		`DROP TABLE new_excl`,
		`COMMIT`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fail(err)
		}
	}
	return nil
}

// Payer is a bank credit counted as a donation, as attribution reads it.
type Payer struct {
	MatchRecord
	// Name is the payer's name in the bank's word order ("AGUIRRE VEGA ANTONIO"),
	// which the split into given and family names may have changed.
	Name  string
	IBAN  string
	Title string
}

// StatementRecords returns the ids of every record that is a bank statement's
// transaction: those are matched as payers, never as contacts.
func (s *Store) StatementRecords(ctx context.Context) (map[int64]bool, error) {
	return querySet[int64](ctx, s.db, `SELECT record_id FROM transactions WHERE origin = 'statement'`)
}

// Payers returns the bank credits counted as donations, in record order, with the
// person each belonged to after the last run (0 for none).
func (s *Store) Payers(ctx context.Context) ([]Payer, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, coalesce(l.person_id, 0), coalesce(r.given_name,''),
		coalesce(r.family_name,''), coalesce(r.full_name,''), coalesce(r.street,''), coalesce(r.postcode,''), coalesce(r.city,''),
		coalesce(t.counterparty_iban,''), coalesce(t.title,'')
		FROM transactions t JOIN records r ON r.id = t.record_id LEFT JOIN links l ON l.record_id = r.id
		WHERE t.origin = 'statement' AND t.kind = 'credit' AND t.excluded IS NULL AND t.anonymized IS NULL ORDER BY r.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Payer
	for rows.Next() {
		var p Payer
		if err := rows.Scan(&p.ID, &p.Person, &p.GivenName, &p.FamilyName, &p.Name, &p.Street, &p.Postcode, &p.City,
			&p.IBAN, &p.Title); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ContactKey is an account number or donor id a contact record carries.
type ContactKey struct {
	ID         int64
	IBAN       string
	ExternalID string
}

// ContactKeys returns the IBANs and external ids of records that are not statement
// transactions.
func (s *Store) ContactKeys(ctx context.Context) ([]ContactKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, coalesce(iban,''), coalesce(external_id,'') FROM records
		WHERE (iban IS NOT NULL OR external_id IS NOT NULL)
		AND id NOT IN (SELECT record_id FROM transactions WHERE origin = 'statement') ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ContactKey
	for rows.Next() {
		var k ContactKey
		if err := rows.Scan(&k.ID, &k.IBAN, &k.ExternalID); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// Attribution is how one bank payer was tied to a person.
type Attribution struct {
	RecordID  int64
	PersonID  int64
	Method    string
	Score     float64
	Candidate int64 // a person it may be, sent to review; 0 for none
}

// notAboutPeople selects the records that are statement transactions but not
// donations: debits, fees and excluded credits belong to no person.
const notAboutPeople = `SELECT record_id FROM transactions WHERE origin = 'statement' AND (kind <> 'credit' OR excluded IS NOT NULL)`

// saveAttributions replaces the attributions with this run's.
func saveAttributions(ctx context.Context, conn *sql.Conn, r *MatchRun) error {
	if r.Attributions == nil {
		return nil // a run over a store without payers leaves the table alone
	}
	// A credit a new rule excludes leaves its person.
	for _, q := range []string{`DELETE FROM attributions`, `DELETE FROM links WHERE record_id IN (` + notAboutPeople + `)`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return appendRows(ctx, conn, "attributions", len(r.Attributions), func(a *duckdb.Appender, i int) error {
		at := r.Attributions[i]
		var cand, person any
		if at.Candidate != 0 {
			cand = at.Candidate
		}
		if at.PersonID != 0 {
			person = at.PersonID
		}
		return a.AppendRow(at.RecordID, person, at.Method, at.Score, cand, r.ID)
	})
}

// Donation is one donation as listed and exported.
type Donation struct {
	RecordID   int64   `json:"-"`
	PersonID   int64   `json:"person_id,omitempty"`
	Date       string  `json:"date"`
	Amount     string  `json:"amount"`
	Currency   string  `json:"currency"`
	SourceFile string  `json:"source_file"`
	RecordNo   int     `json:"record_no"`
	Reference  string  `json:"reference,omitempty"`
	Name       string  `json:"name,omitempty"`
	Title      string  `json:"title,omitempty"`
	Origin     string  `json:"origin"`
	Method     string  `json:"method,omitempty"`
	Score      float64 `json:"score,omitempty"`
	Candidate  int64   `json:"review_candidate,omitempty"`
}

// DonationFilter narrows Donations.
type DonationFilter struct {
	Person       int64
	Unattributed bool // only those no person is known for: new donors and those in review
	From, To     time.Time
	Limit        int
}

// Donations lists the donations: credits that no rule excludes, from statements and
// from lists with amounts, in date order.
func (s *Store) Donations(ctx context.Context, f DonationFilter, each func(Donation) error) error {
	var where []string
	var args []any
	if f.Person != 0 {
		where = append(where, `l.person_id = ?`)
		args = append(args, f.Person)
	}
	if f.Unattributed {
		where = append(where, `(l.person_id IS NULL OR a.method IN ('new', 'review'))`)
	}
	if !f.From.IsZero() {
		where = append(where, `coalesce(t.booking_date, t.value_date) >= ?`)
		args = append(args, f.From)
	}
	if !f.To.IsZero() {
		where = append(where, `coalesce(t.booking_date, t.value_date) <= ?`)
		args = append(args, f.To)
	}
	q := `SELECT t.record_id, coalesce(l.person_id, 0), coalesce(strftime(coalesce(t.booking_date, t.value_date), '%Y-%m-%d'), ''),
		t.amount::VARCHAR, coalesce(t.currency, ''), r.source_file, r.record_no,
		coalesce(t.bank_reference, t.customer_reference, ''), coalesce(t.counterparty_name, r.full_name,
		trim(coalesce(r.given_name,'') || ' ' || coalesce(r.family_name,'')), ''), coalesce(t.title, ''), t.origin,
		coalesce(a.method, CASE WHEN l.person_id IS NOT NULL THEN 'record' END, ''), coalesce(a.score, l.probability, 0),
		coalesce(a.candidate, 0)
		FROM transactions t JOIN records r ON r.id = t.record_id
		LEFT JOIN links l ON l.record_id = t.record_id LEFT JOIN attributions a ON a.record_id = t.record_id
		WHERE t.kind = 'credit' AND t.excluded IS NULL`
	for _, w := range where {
		q += " AND " + w
	}
	q += ` ORDER BY coalesce(t.booking_date, t.value_date), t.record_id`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d Donation
		if err := rows.Scan(&d.RecordID, &d.PersonID, &d.Date, &d.Amount, &d.Currency, &d.SourceFile, &d.RecordNo,
			&d.Reference, &d.Name, &d.Title, &d.Origin, &d.Method, &d.Score, &d.Candidate); err != nil {
			return err
		}
		d.Amount = trimDecimal(d.Amount)
		if err := each(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

// trimDecimal drops the DECIMAL(18,4)'s padding beyond the cents: "12.5000" → "12.50",
// "1.2340" → "1.234".
func trimDecimal(s string) string {
	dot := strings.IndexByte(s, '.')
	if dot < 0 {
		return s
	}
	for len(s) > dot+3 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	return s
}
