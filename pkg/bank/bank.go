// Package bank reads bank statements (SWIFT MT940/MT942, ISO 20022 camt.053/054, OFX,
// Norma 43) into transactions. It never prints and never touches the store: the import
// pipeline stores what it returns, and donation attribution works on the stored rows.
package bank

import (
	"fmt"
	"strings"
	"time"
)

// Format names a statement format.
type Format string

// The statement formats padron reads.
const (
	FormatMT940   Format = "mt940" // also MT942 interim reports
	FormatCAMT    Format = "camt"  // camt.052, camt.053, camt.054
	FormatOFX     Format = "ofx"
	FormatNorma43 Format = "norma43"
)

// Statement is one statement (or interim report) of one account.
type Statement struct {
	// ID is the statement's own reference (:20:, camt Stmt/Id, OFX none).
	ID string
	// Number is the statement and sequence number as written (:28C: "00012/001",
	// camt ElctrncSeqNb), "" when absent.
	Number string
	// Account identifies the account the statement is for: an IBAN when the file
	// gives one, else the account number as written.
	Account  string
	Currency string // ISO 4217, when the statement says
	// Opening and Closing are the booked balances, nil when the file has none.
	Opening, Closing *Balance
	Transactions     []Transaction
	// Line is the 1-based line where the statement starts in the file (for errors).
	Line int
}

// Balance is a booked balance.
type Balance struct {
	Date     time.Time
	Cents    int64 // signed: negative for a debit balance
	Currency string
}

// Transaction is one entry of a statement.
type Transaction struct {
	// Seq is the transaction's 1-based position in the file, over all statements:
	// the record number padron gives it.
	Seq int
	// Line is the 1-based line where the entry starts in the file.
	Line        int
	BookingDate time.Time // zero when the file gives only one date
	ValueDate   time.Time
	// Cents is the amount in minor units, signed: positive for a credit (money in),
	// negative for a debit.
	Cents    int64
	Currency string
	// Reversal marks RC/RD entries (MT940) and reversal indicators (camt).
	Reversal bool
	// TypeCode is the bank's transaction type (MT940 "NTRF", camt BkTxCd, OFX TRNTYPE).
	TypeCode string
	// Reference is the bank's unique reference for the entry when it has one (MT940
	// bank reference, camt AcctSvcrRef or EndToEndId, OFX FITID); "" otherwise.
	Reference string
	// CustomerReference is the account owner's reference (MT940 before //).
	CustomerReference string
	// Counterparty: who paid (for a credit) or was paid (for a debit).
	CounterpartyName    string
	CounterpartyIBAN    string
	CounterpartyAccount string // account number when not an IBAN
	CounterpartyBank    string // BIC or bank code
	// CounterpartyAddress is the counterparty's postal address as one line, when the
	// file gives it apart from the name (camt PstlAdr, OFX PAYEE); "" otherwise.
	CounterpartyAddress string
	// Title is the remittance information, the transfer title, as one line.
	Title string
	// Details is the free text as the bank wrote it (MT940 :86:, OFX MEMO), lines
	// joined with "\n".
	Details string
}

// ParseError says where and why a file could not be read.
type ParseError struct {
	File   string
	Line   int
	Reason string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Reason)
}

// Warning is something odd in a file that did not stop it being read (balances that
// do not add up, a missing closing balance).
type Warning struct {
	Line   int
	Reason string
}

// addressLine joins an address's parts into one line: the words of each part with
// spaces, the parts with commas, empty ones left out.
type addressLine []string

func (a *addressLine) add(words ...string) {
	var ws []string
	for _, w := range words {
		if w != "" {
			ws = append(ws, w)
		}
	}
	if len(ws) > 0 {
		*a = append(*a, strings.Join(ws, " "))
	}
}

func (a addressLine) String() string { return strings.Join(a, ", ") }
