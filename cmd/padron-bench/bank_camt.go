package main

// bank-camt: conformance of bank.ReadCAMT against the genkgo/camt (PHP) regression
// snapshots in <shared>/datasets/bank/camt/genkgo-camt (X.xml beside X.json, the JSON
// schema is described in <shared>/datasets/bank/SOURCES.txt, camt section).
//
// Compared where the snapshot has them: the number of statements; per statement that
// the snapshot names, the account; per booked entry the signed amount in minor units,
// the currency and the booking date (as an instant); per transaction detail the
// counterparty's name and IBAN and the unstructured remittance text.
//
// Known, deliberate differences are not counted as disagreements:
//   - Entries with a status other than BOOK are skipped by padron (with a warning), so
//     they are skipped here too.
//   - The snapshot keys entries by their index within a statement, so with several
//     statements a later one overwrites the earlier's entries; only what survives is
//     compared, matched to padron's statement by its Id.
//   - Remittance text: genkgo's getMessage is the first Ustrd; padron joins all Ustrd
//     and appends creditor references, so the expected text must be contained in
//     padron's title.
//   - Unless every TxDtls of a batch carries an amount, padron keeps the entry as one
//     transaction: then only the first TxDtls' counterparty is compared.

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
	"time"

	"github.com/padron-org/padron/pkg/bank"
)

func bankCAMTMain(args []string) error {
	fs := flag.NewFlagSet("bank-camt", flag.ContinueOnError)
	sharedDir := sharedFlag(fs)
	verbose := fs.Bool("v", false, "print reader warnings too")
	if err := fs.Parse(args); err != nil {
		return err
	}
	shared, err := sharedDir()
	if err != nil {
		return err
	}
	dir := filepath.Join(shared, "datasets", "bank", "camt", "genkgo-camt")
	xmls, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		return err
	}
	if len(xmls) == 0 {
		return fmt.Errorf("no camt files in %s (is -shared right?)", dir)
	}
	sort.Strings(xmls)
	total, agree := 0, 0
	var n camtCounts
	for _, x := range xmls {
		base := filepath.Base(x)
		js := strings.TrimSuffix(x, ".xml") + ".json"
		want, err := os.ReadFile(js)
		if errors.Is(err, os.ErrNotExist) {
			// No snapshot: upstream expects the file to be rejected.
			if _, _, rerr := readCAMTFile(x); rerr != nil {
				fmt.Printf("%-45s (no snapshot) rejected: %v\n", base, rerr)
			} else {
				fmt.Printf("%-45s (no snapshot) accepted\n", base)
			}
			continue
		}
		if err != nil {
			return err
		}
		total++
		stmts, warns, err := readCAMTFile(x)
		if err != nil {
			fmt.Printf("%-45s DIFF: read error: %v\n", base, err)
			continue
		}
		if *verbose {
			for _, w := range warns {
				fmt.Printf("%-45s warning: line %d: %s\n", base, w.Line, w.Reason)
			}
		}
		if diff := compareCAMT(stmts, want, &n); diff != "" {
			fmt.Printf("%-45s DIFF: %s\n", base, diff)
			continue
		}
		agree++
		fmt.Printf("%-45s ok\n", base)
	}
	fmt.Printf("compared %d entries (%d not booked, skipped), %d names, %d IBANs, %d remittance texts\n",
		n.entries, n.skipped, n.names, n.ibans, n.texts)
	fmt.Printf("%d of %d files fully agree\n", agree, total)
	return nil
}

func readCAMTFile(path string) ([]bank.Statement, []bank.Warning, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	return bank.ReadCAMT(f, filepath.Base(path))
}

// jv navigates decoded JSON: jv(x, "a", "b") is x["a"]["b"], nil when missing.
func jv(x any, keys ...string) any {
	for _, k := range keys {
		m, ok := x.(map[string]any)
		if !ok {
			return nil
		}
		x = m[k]
	}
	return x
}

func js(x any, keys ...string) string {
	s, _ := jv(x, keys...).(string)
	return s
}

// ibanOf reads an account's getIban, a string or an Iban object.
func ibanOf(acct any) string {
	if s := js(acct, "getIban"); s != "" {
		return s
	}
	return js(acct, "getIban", "getIban")
}

// compareCAMT returns the first difference between what ReadCAMT gave and the genkgo
// snapshot, "" when they agree.
// camtCounts counts what was compared, so a vacuous "ok" shows.
type camtCounts struct{ entries, skipped, names, ibans, texts int }

func compareCAMT(stmts []bank.Statement, snapshot []byte, n *camtCounts) string {
	var root map[string]any
	if err := json.Unmarshal(snapshot, &root); err != nil {
		return "bad snapshot: " + err.Error()
	}
	records, _ := root["getRecords"].([]any)
	if len(records) != len(stmts) {
		return fmt.Sprintf("statements: got %d, want %d", len(stmts), len(records))
	}
	// Records the snapshot spells out (not de-duplicated) anywhere.
	byID := func(id string) *bank.Statement {
		var found *bank.Statement
		for i := range stmts {
			if stmts[i].ID == id {
				found = &stmts[i] // last wins, as in the snapshot
			}
		}
		return found
	}
	checkAccount := func(rec any) string {
		id := js(rec, "getId")
		st := byID(id)
		if st == nil {
			return fmt.Sprintf("no statement with Id %q", id)
		}
		want := ibanOf(jv(rec, "getAccount"))
		if want == "" {
			want = js(rec, "getAccount", "getIdentification")
		}
		if want != "" && st.Account != want {
			return fmt.Sprintf("statement %q account: got %q, want %q", id, st.Account, want)
		}
		return ""
	}
	for _, r := range records {
		if _, ok := r.(map[string]any); ok {
			if d := checkAccount(r); d != "" {
				return d
			}
		}
	}

	// Entries, grouped by record in snapshot order.
	entries, _ := root["getEntries"].([]any)
	type group struct {
		id      string
		entries []any
	}
	var groups []*group
	recID := ""
	for _, e := range entries {
		if rec, ok := jv(e, "getRecord").(map[string]any); ok {
			recID = js(rec, "getId")
			if d := checkAccount(rec); d != "" {
				return d
			}
		}
		if len(groups) == 0 || groups[len(groups)-1].id != recID {
			groups = append(groups, &group{id: recID})
		}
		g := groups[len(groups)-1]
		g.entries = append(g.entries, e)
	}
	for _, g := range groups {
		st := byID(g.id)
		if st == nil {
			return fmt.Sprintf("no statement with Id %q", g.id)
		}
		// padron's entries: transactions grouped by the line of their Ntry.
		var ours [][]bank.Transaction
		for _, tx := range st.Transactions {
			if n := len(ours); n > 0 && ours[n-1][0].Line == tx.Line {
				ours[n-1] = append(ours[n-1], tx)
				continue
			}
			ours = append(ours, []bank.Transaction{tx})
		}
		skipped := 0
		for _, e := range g.entries {
			if js(e, "getStatus") != "" && js(e, "getStatus") != "BOOK" {
				skipped++
				n.skipped++
				continue
			}
			idx := -1
			if f, ok := jv(e, "getIndex").(float64); ok {
				idx = int(f) - skipped
			}
			if idx < 0 || idx >= len(ours) {
				return fmt.Sprintf("statement %q: entry %v missing (padron has %d entries)", g.id, jv(e, "getIndex"), len(ours))
			}
			n.entries++
			if d := compareEntry(ours[idx], e, n); d != "" {
				return fmt.Sprintf("statement %q entry %d: %s", g.id, idx, d)
			}
		}
	}
	return ""
}

func compareEntry(txs []bank.Transaction, e any, n *camtCounts) string {
	var sum int64
	for _, tx := range txs {
		sum += tx.Cents
	}
	want, err := strconv.ParseInt(js(e, "getAmount", "getAmount"), 10, 64)
	if err != nil {
		return "bad snapshot amount"
	}
	if sum != want {
		return fmt.Sprintf("amount: got %d, want %d", sum, want)
	}
	if c := js(e, "getAmount", "getCurrency", "getCode"); txs[0].Currency != c {
		return fmt.Sprintf("currency: got %q, want %q", txs[0].Currency, c)
	}
	if s := js(e, "getBookingDate", "0"); s != "" {
		wt, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return "bad snapshot booking date " + s
		}
		if !txs[0].BookingDate.Equal(wt) {
			return fmt.Sprintf("booking date: got %s, want %s", txs[0].BookingDate.Format(time.RFC3339), s)
		}
	} else if !txs[0].BookingDate.IsZero() {
		return "booking date: got one, want none"
	}

	details, _ := jv(e, "getTransactionDetails").([]any)
	if len(details) > 0 {
		if _, ok := details[0].(string); ok {
			details[0] = jv(e, "getTransactionDetail")
		}
	}
	credit := js(e, "getCreditDebitIndicator") == "CRDT"
	payer := credit != (jv(e, "getReversalIndicator") == true)
	for i, d := range details {
		if _, ok := d.(map[string]any); !ok {
			continue // de-duplicated in the snapshot
		}
		tx := txs[0]
		if len(txs) == len(details) {
			tx = txs[i]
		} else if i > 0 {
			// One transaction for the whole entry: its title holds all remittance texts.
			if msg := js(d, "getRemittanceInformation", "getMessage"); msg != "" {
				n.texts++
				if !strings.Contains(tx.Title, msg) {
					return fmt.Sprintf("detail %d remittance: %q not in title %q", i, msg, tx.Title)
				}
			}
			continue
		}
		kind := `\Creditor`
		if payer {
			kind = `\Debtor`
		}
		parties, _ := jv(d, "getRelatedParties").([]any)
		for _, p := range parties {
			if !strings.HasSuffix(js(p, "getRelatedPartyType", "__CLASS__"), kind) {
				continue
			}
			if name := js(p, "getRelatedPartyType", "getName"); name != "" {
				n.names++
				if tx.CounterpartyName != name {
					return fmt.Sprintf("detail %d counterparty name: got %q, want %q", i, tx.CounterpartyName, name)
				}
			}
			if iban := ibanOf(jv(p, "getAccount")); iban != "" {
				n.ibans++
				if tx.CounterpartyIBAN != iban {
					return fmt.Sprintf("detail %d counterparty IBAN: got %q, want %q", i, tx.CounterpartyIBAN, iban)
				}
			}
		}
		if msg := js(d, "getRemittanceInformation", "getMessage"); msg != "" {
			n.texts++
			if !strings.Contains(tx.Title, msg) {
				return fmt.Sprintf("detail %d remittance: %q not in title %q", i, msg, tx.Title)
			}
		}
	}
	return ""
}
