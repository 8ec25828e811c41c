package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/padron-org/padron/pkg/bank"
)

// bankNorma43Main checks bank.ReadNorma43 against the expectations of two peer parsers:
//
//	padron-bench bank-norma43 [-shared ../shared] [-v]
//
// sequra/norma43_parser (*.expected_from_spec.json: account codes, dates, balance,
// currency, footer totals, per movement dates, concepts, sign, amount, references and
// complementary texts) and tryton/aeb43 (*.expected_from_test.json: the same in its own
// conventions, with the computed IBAN). The expectations are hand transcriptions of the
// peers' test assertions, so only asserted fields are compared. Fields padron does not
// keep (information mode, holder name, origin branch) are not compared; footer totals
// that disagree with the file's own movements are a difference of convention when
// padron warned about them. It prints one line per file and the totals.
func bankNorma43Main(args []string) error {
	fs := flag.NewFlagSet("bank-norma43", flag.ExitOnError)
	sharedDir := sharedFlag(fs)
	verbose := fs.Bool("v", false, "list every difference, not only the first")
	fs.Parse(args)
	if fs.NArg() > 0 {
		return fmt.Errorf("bank-norma43 takes no arguments, got %q", fs.Args())
	}
	shared, err := sharedDir()
	if err != nil {
		return err
	}
	base := filepath.Join(shared, "datasets", "bank", "norma43")
	var total, agree, convs int
	for _, src := range []struct {
		name, pattern string
		check         func(d *mt940Diff, got []bank.Statement, warns []bank.Warning, raw []byte) error
	}{
		{"sequra-norma43_parser", "*.expected_from_spec.json", n43CheckSequra},
		{"tryton-aeb43", "*.expected_from_test.json", n43CheckTryton},
	} {
		dir := filepath.Join(base, src.name)
		files, err := filepath.Glob(filepath.Join(dir, src.pattern))
		if err != nil {
			return err
		}
		if len(files) == 0 {
			return fmt.Errorf("%s: no %s files in %s: is -shared right?", src.name, src.pattern, dir)
		}
		fmt.Println(src.name)
		var n, ok, conv int
		for _, want := range files {
			input := strings.TrimSuffix(want, filepath.Ext(strings.TrimSuffix(want, ".json"))+".json")
			n++
			raw, err := os.ReadFile(want)
			if err != nil {
				return err
			}
			var d mt940Diff
			got, warns, err := n43ReadFile(input)
			if err != nil {
				d.addf("read error: %v", err)
			} else if err := src.check(&d, got, warns, raw); err != nil {
				return fmt.Errorf("%s: %w", want, err)
			}
			if d.report(filepath.Base(input), *verbose) {
				ok++
			} else if len(d.diffs) == 0 {
				conv++
			}
			if *verbose {
				for _, w := range warns {
					fmt.Printf("              padron warning line %d: %s\n", w.Line, w.Reason)
				}
			}
		}
		fmt.Printf("%s: %d of %d files fully agree, %d more up to known conventions\n\n", src.name, ok, n, conv)
		total += n
		agree += ok
		convs += conv
	}
	fmt.Printf("%d of %d files fully agree (%d more agree up to known differences of convention)\n", agree, total, convs)
	return nil
}

func n43ReadFile(path string) ([]bank.Statement, []bank.Warning, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, w, err := bank.ReadNorma43(f, filepath.Base(path))
	var pe *bank.ParseError
	if errors.As(err, &pe) {
		return nil, nil, fmt.Errorf("line %d: %s", pe.Line, pe.Reason)
	}
	return st, w, err
}

// n43Numeric maps padron's currency letters back to ISO 4217 numeric codes.
var n43Numeric = map[string]string{"EUR": "978", "USD": "840", "GBP": "826", "CHF": "756", "PLN": "985"}

func n43CurrencyCode(c string) string {
	if n, ok := n43Numeric[c]; ok {
		return n
	}
	return c
}

// n43SplitAccount takes bank, branch and account number back out of padron's account
// (a Spanish IBAN, or the 18 characters as written).
func n43SplitAccount(acct string) (bank, branch, number string) {
	if len(acct) == 24 && strings.HasPrefix(acct, "ES") {
		return acct[4:8], acct[8:12], acct[14:]
	}
	if len(acct) == 18 {
		return acct[:4], acct[4:8], acct[8:]
	}
	return acct, "", ""
}

// n43Reference builds the reference padron gives from a movement's document number and
// references: the non-zero ones, trimmed, joined with " ".
func n43Reference(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); strings.Trim(p, "0") != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

func n43Date(what, got, want string, d *mt940Diff) {
	if got != want {
		d.addf("%s %s, want %s", what, got, want)
	}
}

func n43Day(t time.Time) string { return t.Format("2006-01-02") }

func n43HasWarning(warns []bank.Warning, text string) bool {
	for _, w := range warns {
		if strings.Contains(w.Reason, text) {
			return true
		}
	}
	return false
}

type n43SequraFile struct {
	Accounts []struct {
		Bank          int64  `json:"bank_code"`
		Branch        int64  `json:"branch_code"`
		Number        int64  `json:"account_number"`
		Start         string `json:"start_date"`
		End           string `json:"end_date"`
		Currency      int64  `json:"currency_code"`
		BalanceCode   int    `json:"balance_code"`
		BalanceAmount int64  `json:"balance_amount"`
		DebitEntries  *int64 `json:"debit_entries"`
		DebitAmount   *int64 `json:"debit_amount"`
		CreditEntries *int64 `json:"credit_entries"`
		CreditAmount  *int64 `json:"credit_amount"`
		Count         int    `json:"transactions_count"`
		Transactions  []struct {
			Index      int     `json:"_index"`
			Date       string  `json:"transaction_date"`
			ValueDate  string  `json:"value_date"`
			Shared     int     `json:"shared_item"`
			Own        int     `json:"own_item"`
			AmountCode int     `json:"amount_code"`
			Amount     int64   `json:"amount"`
			Document   int64   `json:"document_number"`
			Ref1       *string `json:"reference_1"`
			Ref2       *string `json:"reference_2"`
			Items      []struct {
				Item1 *string `json:"item_1"`
				Item2 *string `json:"item_2"`
			} `json:"additional_items"`
		} `json:"transactions"`
	} `json:"accounts"`
}

func n43CheckSequra(d *mt940Diff, got []bank.Statement, warns []bank.Warning, raw []byte) error {
	var exp n43SequraFile
	if err := json.Unmarshal(raw, &exp); err != nil {
		return err
	}
	if len(got) != len(exp.Accounts) {
		d.addf("%d accounts, want %d", len(got), len(exp.Accounts))
		return nil
	}
	for i, e := range exp.Accounts {
		g := got[i]
		where := fmt.Sprintf("account %d", i+1)
		bk, br, num := n43SplitAccount(g.Account)
		if n43Int(bk) != e.Bank || n43Int(br) != e.Branch || n43Int(num) != e.Number {
			d.addf("%s: account %s, want bank %d branch %d number %d", where, g.Account, e.Bank, e.Branch, e.Number)
		}
		n43Date(where+" start date", n43Day(g.Opening.Date), e.Start, d)
		n43Date(where+" end date", n43Day(g.Closing.Date), e.End, d)
		// sequra takes balance and currency from the 33 footer: padron's closing balance.
		want := e.BalanceAmount
		if e.BalanceCode == 1 {
			want = -want
		}
		if g.Closing.Cents != want {
			d.addf("%s: final balance %d cents, want %d", where, g.Closing.Cents, want)
		}
		if c := n43Int(n43CurrencyCode(g.Closing.Currency)); c != e.Currency {
			d.addf("%s: currency %s (%d), want %d", where, g.Closing.Currency, c, e.Currency)
		}
		var nd, nc, sd, sc int64
		for _, tx := range g.Transactions {
			if tx.Cents < 0 {
				nd, sd = nd+1, sd-tx.Cents
			} else {
				nc, sc = nc+1, sc+tx.Cents
			}
		}
		for _, f := range []struct {
			what string
			got  int64
			want *int64
		}{{"debits", nd, e.DebitEntries}, {"debit total", sd, e.DebitAmount}, {"credits", nc, e.CreditEntries}, {"credit total", sc, e.CreditAmount}} {
			switch {
			case f.want == nil || *f.want == f.got:
			case n43HasWarning(warns, "account footer says"):
				d.convf("%s: the footer's %s %d (padron keeps the movements' %d and warns)", where, f.what, *f.want, f.got)
			default:
				d.addf("%s: %s %d, want %d", where, f.what, f.got, *f.want)
			}
		}
		if len(g.Transactions) != e.Count {
			d.addf("%s: %d movements, want %d", where, len(g.Transactions), e.Count)
			continue
		}
		for _, et := range e.Transactions {
			if et.Index >= len(g.Transactions) {
				d.addf("%s: no movement %d", where, et.Index+1)
				continue
			}
			tx := g.Transactions[et.Index]
			w := fmt.Sprintf("%s movement %d (line %d)", where, et.Index+1, tx.Line)
			n43Date(w+": operation date", n43Day(tx.BookingDate), et.Date, d)
			n43Date(w+": value date", n43Day(tx.ValueDate), et.ValueDate, d)
			if tc := fmt.Sprintf("%02d/%03d", et.Shared, et.Own); tx.TypeCode != tc {
				d.addf("%s: concepts %s, want %s", w, tx.TypeCode, tc)
			}
			want := et.Amount
			if et.AmountCode == 1 {
				want = -want
			}
			if tx.Cents != want {
				d.addf("%s: amount %d cents, want %d", w, tx.Cents, want)
			}
			doc := ""
			if et.Document != 0 {
				doc = strconv.FormatInt(et.Document, 10)
			}
			if ref := n43Reference(doc, n43Str(et.Ref1), n43Str(et.Ref2)); n43StripZeros(tx.Reference) != n43StripZeros(ref) {
				d.addf("%s: reference %q, want %q", w, tx.Reference, ref)
			}
			var lines []string
			for _, it := range et.Items {
				for _, s := range []*string{it.Item1, it.Item2} {
					if s != nil && strings.TrimSpace(*s) != "" {
						lines = append(lines, strings.TrimSpace(*s))
					}
				}
			}
			// The spec asserts only the first complementary items: compare a prefix.
			if l := strings.Join(lines, "\n"); !strings.HasPrefix(tx.Details, l) {
				d.addf("%s: details %q, want them to start with %q", w, tx.Details, l)
			}
		}
	}
	return nil
}

type n43TrytonFile struct {
	Accounts []struct {
		Bank         string `json:"bank_code"`
		Branch       string `json:"branch_code"`
		Number       string `json:"number"`
		Start        string `json:"start_date"`
		End          string `json:"end_date"`
		Initial      string `json:"initial_balance"`
		Final        string `json:"final_balance"`
		Currency     string `json:"currency"`
		IBAN         string `json:"iban"`
		Count        int    `json:"transactions_count"`
		Transactions []struct {
			Index     int      `json:"_index"`
			Date      string   `json:"transaction_date"`
			ValueDate string   `json:"value_date"`
			Shared    string   `json:"shared_item"`
			Own       string   `json:"own_item"`
			Amount    string   `json:"amount"`
			Document  string   `json:"document"`
			Ref1      string   `json:"reference1"`
			Ref2      string   `json:"reference2"`
			Items     []string `json:"items"`
		} `json:"transactions"`
	} `json:"accounts"`
}

func n43CheckTryton(d *mt940Diff, got []bank.Statement, _ []bank.Warning, raw []byte) error {
	var exp n43TrytonFile
	if err := json.Unmarshal(raw, &exp); err != nil {
		return err
	}
	if len(got) != len(exp.Accounts) {
		d.addf("%d accounts, want %d", len(got), len(exp.Accounts))
		return nil
	}
	for i, e := range exp.Accounts {
		g := got[i]
		where := fmt.Sprintf("account %d", i+1)
		if g.Account != e.IBAN {
			d.addf("%s: account %s, want IBAN %s", where, g.Account, e.IBAN)
		}
		if bk, br, num := n43SplitAccount(g.Account); bk != e.Bank || br != e.Branch || num != e.Number {
			d.addf("%s: account %s, want %s %s %s", where, g.Account, e.Bank, e.Branch, e.Number)
		}
		n43Date(where+" start date", n43Day(g.Opening.Date), e.Start, d)
		n43Date(where+" end date", n43Day(g.Closing.Date), e.End, d)
		if c := n43Cents(g.Opening.Cents); c != e.Initial {
			d.addf("%s: initial balance %s, want %s", where, c, e.Initial)
		}
		if c := n43Cents(g.Closing.Cents); c != e.Final {
			d.addf("%s: final balance %s, want %s", where, c, e.Final)
		}
		if c := n43CurrencyCode(g.Currency); c != e.Currency {
			d.addf("%s: currency %s, want %s", where, c, e.Currency)
		}
		if len(g.Transactions) != e.Count {
			d.addf("%s: %d movements, want %d", where, len(g.Transactions), e.Count)
			continue
		}
		for _, et := range e.Transactions {
			tx := g.Transactions[et.Index]
			w := fmt.Sprintf("%s movement %d (line %d)", where, et.Index+1, tx.Line)
			n43Date(w+": operation date", n43Day(tx.BookingDate), et.Date, d)
			n43Date(w+": value date", n43Day(tx.ValueDate), et.ValueDate, d)
			if tc := et.Shared + "/" + et.Own; tx.TypeCode != tc {
				d.addf("%s: concepts %s, want %s", w, tx.TypeCode, tc)
			}
			if c := n43Cents(tx.Cents); c != et.Amount {
				d.addf("%s: amount %s, want %s", w, c, et.Amount)
			}
			if ref := n43Reference(et.Document, et.Ref1, et.Ref2); tx.Reference != ref {
				d.addf("%s: reference %q, want %q", w, tx.Reference, ref)
			}
			var lines []string
			for _, it := range et.Items {
				if it = strings.TrimSpace(it); it != "" {
					lines = append(lines, it)
				}
			}
			if l := strings.Join(lines, "\n"); tx.Details != l {
				d.addf("%s: details %q, want %q", w, tx.Details, l)
			}
		}
	}
	return nil
}

func n43Int(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

func n43Str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// n43StripZeros drops the leading zeros of each part of a reference, as sequra's
// to_i of the document number does.
func n43StripZeros(ref string) string {
	parts := strings.Fields(ref)
	for i, p := range parts {
		if n43IsAllDigits(p) {
			parts[i] = strings.TrimLeft(p, "0")
		}
	}
	return strings.Join(parts, " ")
}

func n43IsAllDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// n43Cents writes cents as tryton's Decimal does: "-10.98".
func n43Cents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}
