package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/padron-org/padron/pkg/bank"
)

// bankMT940Main checks bank.ReadMT940 against the expectations of two peer parsers:
//
//	padron-bench bank-mt940 [-shared ../shared] [-v]
//
// svenstaro/mt940-rs (*.json beside mt940__full__*.sta: statements, accounts, balances,
// amounts, value and entry dates, marks, customer and bank references) and wolph/mt940 (*.normalized.json:
// amount, date and status per transaction). Both peers have their own conventions
// (wolph keeps only the last statement's header data; mt940-rs compares sanitised text),
// so only what both can say is compared. It prints one line per file and the totals.
func bankMT940Main(args []string) error {
	fs := flag.NewFlagSet("bank-mt940", flag.ExitOnError)
	sharedDir := sharedFlag(fs)
	verbose := fs.Bool("v", false, "list every difference, not only the first")
	fs.Parse(args)
	if fs.NArg() > 0 {
		return fmt.Errorf("bank-mt940 takes no arguments, got %q", fs.Args())
	}
	shared, err := sharedDir()
	if err != nil {
		return err
	}
	base := filepath.Join(shared, "datasets", "bank", "mt940")
	var total, agree, convs int
	for _, src := range []struct {
		name string
		run  func(dir string, verbose bool) (n, ok, conv int, err error)
	}{
		{"svenstaro-mt940-rs", mt940CheckRust},
		{"wolph-mt940", mt940CheckWolph},
	} {
		n, ok, conv, err := src.run(filepath.Join(base, src.name), *verbose)
		if err != nil {
			return fmt.Errorf("%s: %w", src.name, err)
		}
		fmt.Printf("%s: %d of %d files fully agree, %d more up to known conventions\n\n", src.name, ok, n, conv)
		total += n
		agree += ok
		convs += conv
	}
	fmt.Printf("%d of %d files fully agree (%d more agree up to known differences of convention)\n", agree, total, convs)
	return nil
}

// mt940Diff collects differences between our reading and a peer's: real ones, and
// those explained by a known difference of convention (listed, not counted).
type mt940Diff struct{ diffs, convs []string }

func (d *mt940Diff) convf(format string, args ...any) {
	d.convs = append(d.convs, fmt.Sprintf(format, args...))
}

func (d *mt940Diff) addf(format string, args ...any) {
	d.diffs = append(d.diffs, fmt.Sprintf(format, args...))
}

func (d *mt940Diff) report(file string, verbose bool) bool {
	if len(d.diffs) == 0 && len(d.convs) == 0 {
		fmt.Printf("  ok        %s\n", file)
		return true
	}
	if len(d.diffs) == 0 {
		fmt.Printf("  conv      %s: %s (%d differences of convention)\n", file, d.convs[0], len(d.convs))
		if verbose {
			for _, s := range d.convs[1:] {
				fmt.Printf("              %s\n", s)
			}
		}
		return false
	}
	if verbose {
		fmt.Printf("  mismatch  %s (%d differences)\n", file, len(d.diffs))
		for _, s := range d.diffs {
			fmt.Printf("              %s\n", s)
		}
	} else {
		fmt.Printf("  mismatch  %s: %s (%d differences)\n", file, d.diffs[0], len(d.diffs))
	}
	return false
}

func readMT940File(path string) ([]bank.Statement, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, _, err := bank.ReadMT940(f, filepath.Base(path))
	return st, err
}

type rustBalance struct {
	DebitCredit string `json:"debit_credit_indicator"`
	Date        string `json:"date"`
	Currency    string `json:"iso_currency_code"`
	Amount      string `json:"amount"`
}

type rustMessage struct {
	Ref     string       `json:"transaction_ref_no"`
	Account string       `json:"account_id"`
	Opening *rustBalance `json:"opening_balance"`
	Closing *rustBalance `json:"closing_balance"`
	Lines   []struct {
		ValueDate string  `json:"value_date"`
		EntryDate *string `json:"entry_date"`
		Mark      string  `json:"ext_debit_credit_indicator"`
		Amount    string  `json:"amount"`
		CustRef   string  `json:"customer_ref"`
		BankRef   *string `json:"bank_ref"`
	} `json:"statement_lines"`
}

func mt940CheckRust(dir string, verbose bool) (n, ok, conv int, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "mt940__full__*.sta"))
	if err != nil {
		return 0, 0, 0, err
	}
	sort.Strings(files)
	fmt.Printf("%s (statements, accounts, balances; per entry amount, value and entry date, mark, customer and bank reference)\n", filepath.Base(dir))
	var expectFail []string
	for _, sta := range files {
		want := strings.TrimSuffix(sta, ".sta") + ".json"
		if _, err := os.Stat(want); err != nil {
			expectFail = append(expectFail, sta)
			continue
		}
		n++
		raw, err := os.ReadFile(want)
		if err != nil {
			return 0, 0, 0, err
		}
		var exp []rustMessage
		if err := json.Unmarshal(raw, &exp); err != nil {
			return 0, 0, 0, fmt.Errorf("%s: %w", want, err)
		}
		var d mt940Diff
		got, err := readMT940File(sta)
		if err != nil {
			d.addf("read error: %v", err)
		} else {
			mt940CompareRust(&d, got, exp)
		}
		if d.report(filepath.Base(sta), verbose) {
			ok++
		} else if len(d.diffs) == 0 {
			conv++
		}
	}
	// Files mt940-rs must reject, and its special cases: informational only.
	special, _ := filepath.Glob(filepath.Join(dir, "mt940__special-cases__*.sta"))
	expectFail = append(expectFail, special...)
	fmt.Println("  not compared (mt940-rs rejects these; padron's reading shown):")
	for _, sta := range expectFail {
		got, err := readMT940File(sta)
		if err != nil {
			var pe *bank.ParseError
			if errors.As(err, &pe) {
				fmt.Printf("    %-50s padron: error line %d: %s\n", filepath.Base(sta), pe.Line, pe.Reason)
			} else {
				fmt.Printf("    %-50s padron: error: %v\n", filepath.Base(sta), err)
			}
			continue
		}
		ntx := 0
		for _, s := range got {
			ntx += len(s.Transactions)
		}
		fmt.Printf("    %-50s padron: read %d statements, %d entries\n", filepath.Base(sta), len(got), ntx)
	}
	return n, ok, conv, nil
}

func mt940CompareRust(d *mt940Diff, got []bank.Statement, exp []rustMessage) {
	if len(got) != len(exp) {
		d.addf("%d statements, want %d", len(got), len(exp))
		return
	}
	for i, e := range exp {
		g := got[i]
		// mt940-rs's expectations are of the sanitised text (see mt940Sanitise), so
		// padron's :20: is compared after the same sanitising, exactly.
		if s := mt940Sanitise(g.ID); s != e.Ref {
			d.addf("statement %d: :20: %q (sanitised %q), want %q", i+1, g.ID, s, e.Ref)
		}
		if g.Account != e.Account && !strings.Contains(e.Account, g.Account) {
			d.addf("statement %d: account %q, want %q", i+1, g.Account, e.Account)
		}
		mt940CompareRustBalance(d, fmt.Sprintf("statement %d opening", i+1), g.Opening, e.Opening)
		mt940CompareRustBalance(d, fmt.Sprintf("statement %d closing", i+1), g.Closing, e.Closing)
		if len(g.Transactions) != len(e.Lines) {
			d.addf("statement %d: %d entries, want %d", i+1, len(g.Transactions), len(e.Lines))
			continue
		}
		for j, el := range e.Lines {
			tx := g.Transactions[j]
			where := fmt.Sprintf("statement %d entry %d (line %d)", i+1, j+1, tx.Line)
			want, err := mt940Cents(el.Amount)
			if err != nil {
				d.addf("%s: expected amount %q: %v", where, el.Amount, err)
				continue
			}
			mark := mt940Mark(tx)
			switch {
			case tx.Reversal && mark != el.Mark && mt940Balances(g):
				// mt940-rs names RC "ReverseDebit" and RD "ReverseCredit". Only a
				// convention when the statement's own balances bear padron's sign out.
				d.convf("%s: %s %d cents (SWIFT: RC = reversal of a credit, a debit; the statement balances agree), mt940-rs says %s %s",
					where, mark, tx.Cents, el.Mark, el.Amount)
			case mark != el.Mark:
				d.addf("%s: mark %s, want %s", where, mark, el.Mark)
			default:
				if mark == "Debit" || mark == "ReverseCredit" {
					want = -want
				}
				if tx.Cents != want {
					d.addf("%s: amount %d cents, want %d", where, tx.Cents, want)
				}
			}
			if v := tx.ValueDate.Format("2006-01-02"); v != el.ValueDate {
				d.addf("%s: value date %s, want %s", where, v, el.ValueDate)
			}
			entry := ""
			if !tx.BookingDate.IsZero() {
				entry = tx.BookingDate.Format("2006-01-02")
			}
			if el.EntryDate != nil && entry != *el.EntryDate || el.EntryDate == nil && entry != "" {
				d.addf("%s: entry date %q, want %v", where, entry, mt940Str(el.EntryDate))
			}
			// padron trims the padding mt940-rs keeps ("EREF            ").
			if c := mt940Sanitise(tx.CustomerReference); c != strings.TrimSpace(el.CustRef) {
				d.addf("%s: customer reference %q, want %q", where, tx.CustomerReference, el.CustRef)
			}
			if el.BankRef != nil && tx.Reference != *el.BankRef {
				d.addf("%s: bank reference %q, want %q", where, tx.Reference, *el.BankRef)
			}
		}
	}
}

func mt940CompareRustBalance(d *mt940Diff, what string, g *bank.Balance, e *rustBalance) {
	switch {
	case e == nil && g == nil:
		return
	case e == nil:
		d.addf("%s: got %d cents, want none", what, g.Cents)
		return
	case g == nil:
		d.addf("%s: missing, want %s %s", what, e.DebitCredit, e.Amount)
		return
	}
	want, err := mt940Cents(e.Amount)
	if err != nil {
		d.addf("%s: expected amount %q: %v", what, e.Amount, err)
		return
	}
	if e.DebitCredit == "Debit" {
		want = -want
	}
	if g.Cents != want {
		d.addf("%s: %d cents, want %d", what, g.Cents, want)
	}
	if v := g.Date.Format("2006-01-02"); v != e.Date {
		d.addf("%s: date %s, want %s", what, v, e.Date)
	}
}

// mt940Mark names a transaction's mark the way mt940-rs does.
func mt940Mark(tx bank.Transaction) string {
	switch {
	case tx.Reversal && tx.Cents < 0:
		return "ReverseCredit"
	case tx.Reversal:
		return "ReverseDebit"
	case tx.Cents < 0:
		return "Debit"
	}
	return "Credit"
}

type wolphFile struct {
	Transactions []struct {
		Amount *struct {
			Amount string `json:"amount"`
		} `json:"amount"`
		Date   string `json:"date"`
		Status string `json:"status"`
	} `json:"transactions"`
}

func mt940CheckWolph(dir string, verbose bool) (n, ok, conv int, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.normalized.json"))
	if err != nil {
		return 0, 0, 0, err
	}
	sort.Strings(files)
	fmt.Printf("%s (per entry amount, value date, status; statement data is last-statement-wins there, not compared)\n", filepath.Base(dir))
	for _, want := range files {
		sta := strings.TrimSuffix(want, ".normalized.json") + ".sta"
		if _, err := os.Stat(sta); err != nil {
			continue
		}
		n++
		raw, err := os.ReadFile(want)
		if err != nil {
			return 0, 0, 0, err
		}
		var exp wolphFile
		if err := json.Unmarshal(raw, &exp); err != nil {
			return 0, 0, 0, fmt.Errorf("%s: %w", want, err)
		}
		var d mt940Diff
		got, err := readMT940File(sta)
		var txs []bank.Transaction
		var stmtOf []int // statement index of each entry of txs
		for i, s := range got {
			txs = append(txs, s.Transactions...)
			for range s.Transactions {
				stmtOf = append(stmtOf, i)
			}
		}
		var pe *bank.ParseError
		errors.As(err, &pe)
		switch {
		case err != nil && len(exp.Transactions) == 0:
			// wolph reads nothing from it either.
		case pe != nil && (strings.Contains(pe.Reason, "before any :20:") || strings.Contains(pe.Reason, "after the closing balance")):
			// A :61: with no statement around it (a test snippet of single tags, or
			// entries after a statement's end): padron refuses entries that belong to no
			// statement, wolph reads them.
			d.convf("padron requires :20: (%v); wolph reads %d entries from the fragment", err, len(exp.Transactions))
		case pe != nil && strings.HasPrefix(pe.Reason, "header tag"):
			// A header tag among the entries (":25:" where ":86:" belongs): wolph lets it
			// replace the account; padron, like mt940-rs, refuses the file.
			d.convf("padron refuses a header tag inside the entries (%v); wolph reads %d entries", err, len(exp.Transactions))
		case err != nil:
			d.addf("read error: %v (wolph reads %d entries)", err, len(exp.Transactions))
		case len(txs) != len(exp.Transactions):
			d.addf("%d entries, want %d", len(txs), len(exp.Transactions))
		default:
			for j, e := range exp.Transactions {
				tx := txs[j]
				where := fmt.Sprintf("entry %d (line %d)", j+1, tx.Line)
				if e.Amount != nil {
					want, err := mt940Cents(e.Amount.Amount)
					if err != nil {
						d.addf("%s: expected amount %q: %v", where, e.Amount.Amount, err)
					} else if tx.Cents != want && tx.Reversal && tx.Cents == -want && mt940Balances(got[stmtOf[j]]) {
						d.convf("%s: %s %d cents (SWIFT: RC = reversal of a credit, a debit; the statement balances agree), wolph signs it %s",
							where, mt940Status(tx), tx.Cents, e.Amount.Amount)
					} else if tx.Cents != want {
						d.addf("%s: amount %d cents, want %d", where, tx.Cents, want)
					}
				}
				if v := tx.ValueDate.Format("2006-01-02"); e.Date != "" && v != e.Date {
					d.addf("%s: date %s, want %s", where, v, e.Date)
				}
				if s := mt940Status(tx); e.Status != "" && s != e.Status {
					d.addf("%s: status %s, want %s", where, s, e.Status)
				}
			}
		}
		if d.report(filepath.Base(sta), verbose) {
			ok++
		} else if len(d.diffs) == 0 {
			conv++
		}
	}
	return n, ok, conv, nil
}

// mt940Status names a transaction's mark the way wolph/mt940 does.
func mt940Status(tx bank.Transaction) string {
	switch mt940Mark(tx) {
	case "ReverseCredit":
		return "RC"
	case "ReverseDebit":
		return "RD"
	case "Debit":
		return "D"
	}
	return "C"
}

// mt940Cents parses a decimal string ("-12.5", "9", "0.40") into cents.
func mt940Cents(s string) (int64, error) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	fp = strings.TrimRight(fp, "0")
	if len(fp) > 2 {
		return 0, fmt.Errorf("more than 2 decimals")
	}
	fp += strings.Repeat("0", 2-len(fp))
	if ip == "" {
		ip = "0"
	}
	v, err := strconv.ParseInt(ip+fp, 10, 64)
	if err != nil {
		return 0, err
	}
	if neg {
		v = -v
	}
	return v, nil
}

func mt940Str(s *string) string {
	if s == nil {
		return "none"
	}
	return *s
}

// mt940Balances reports whether a statement's opening balance plus its entries, as
// padron read them, gives its closing balance: the file's own proof of the signs.
func mt940Balances(s bank.Statement) bool {
	if s.Opening == nil || s.Closing == nil {
		return false
	}
	sum := s.Opening.Cents
	for _, tx := range s.Transactions {
		sum += tx.Cents
	}
	return sum == s.Closing.Cents
}

// mt940Special are the transliterations of letters that do not decompose into a base
// letter and marks.
var mt940Special = map[rune]string{
	'ß': "ss", 'Æ': "AE", 'æ': "ae", 'Ø': "O", 'ø': "o", 'Ł': "L", 'ł': "l",
	'Đ': "D", 'đ': "d", 'Œ': "OE", 'œ': "oe", 'Þ': "Th", 'þ': "th",
}

// mt940Sanitise does to one value what mt940::sanitizers::sanitize does to the text
// before mt940-rs's expectations were made: letters lose their accents ("Ü" -> "U",
// "ß" -> "ss", as deunicode does) and what is still outside the SWIFT character set
// becomes "." (the apostrophe too: "didn't" is "didn.t" in its expectations).
func mt940Sanitise(s string) string {
	var sb strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case mt940Special[r] != "":
			sb.WriteString(mt940Special[r])
		case r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/-?:().,+{} \r\n", r)):
			sb.WriteRune(r)
		default:
			sb.WriteByte('.')
		}
	}
	return sb.String()
}
