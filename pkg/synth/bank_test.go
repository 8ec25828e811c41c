package synth

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/padron-org/padron/pkg/bank"
	"github.com/padron-org/padron/pkg/normalize"
)

const bankTestPeople = 1000 // enough for namesakes: with realistic surnames, few among 400

// bankSet generates the default bank data set for a test (cheap at this size).
func bankSet(t *testing.T) (string, *BankManifest) {
	t.Helper()
	dir := t.TempDir()
	m, err := GenerateBank(BankConfig{People: bankTestPeople, Seed: 11, Accounts: maxAccounts,
		SharedAccounts: 0.8, OnBehalf: 0.5, BothDonate: 0.8, Namesakes: 0.4}, dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

type caseRow struct {
	file                                    string
	rec                                     int
	kind, person, payer                     string
	cents                                   int64
	ccy, ref, name, acct, title, tagsString string
}

func (c caseRow) has(tag string) bool {
	for _, t := range strings.Split(c.tagsString, ";") {
		if t == tag {
			return true
		}
	}
	return false
}

// readAllCSV reads a whole CSV file the generator wrote.
func readAllCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func readCases(t *testing.T, path string) []caseRow {
	t.Helper()
	rows := readAllCSV(t, path)
	var out []caseRow
	for _, r := range rows[1:] {
		n, _ := strconv.Atoi(r[1])
		c, _ := strconv.ParseInt(r[5], 10, 64)
		out = append(out, caseRow{file: r[0], rec: n, kind: r[2], person: r[3], payer: r[4], cents: c,
			ccy: r[6], ref: r[7], name: r[8], acct: r[9], title: r[10], tagsString: r[11]})
	}
	return out
}

func readStatements(t *testing.T, f BankFile) ([]bank.Statement, []bank.Warning) {
	t.Helper()
	fh, err := os.Open(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var (
		st []bank.Statement
		ws []bank.Warning
	)
	switch f.Format {
	case bank.FormatMT940:
		st, ws, err = bank.ReadMT940(fh, f.Path)
	case bank.FormatCAMT:
		st, ws, err = bank.ReadCAMT(fh, f.Path)
	case bank.FormatOFX:
		st, ws, err = bank.ReadOFX(fh, f.Path)
	case bank.FormatNorma43:
		st, ws, err = bank.ReadNorma43(fh, f.Path)
	}
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(f.Path), err)
	}
	head, _ := os.ReadFile(f.Path)
	if got, ok := bank.Detect(head[:min(len(head), bank.DetectHead)]); !ok || got != f.Format {
		t.Errorf("%s: Detect says %q, %v; want %q", filepath.Base(f.Path), got, ok, f.Format)
	}
	return st, ws
}

func TestGenerateBankIsDeterministic(t *testing.T) {
	cfg := BankConfig{People: 150, Seed: 3, Donations: 400}
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	ma, err := GenerateBank(cfg, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := GenerateBank(cfg, b); err != nil {
		t.Fatal(err)
	}
	cfg.Seed = 4
	if _, err := GenerateBank(cfg, c); err != nil {
		t.Fatal(err)
	}
	names := []string{BankTruthFile, BankOverlapsFile, BankCasesFile, TruthFile}
	for _, f := range ma.Files {
		names = append(names, filepath.Base(f.Path))
	}
	for _, f := range ma.Contacts.Files {
		if f.Format != Contacts { // XLSX zip bytes are compared by the contact tests
			names = append(names, filepath.Base(f.Path))
		}
	}
	for _, n := range names {
		ba, err := os.ReadFile(filepath.Join(a, n))
		if err != nil {
			t.Fatal(err)
		}
		bb, err := os.ReadFile(filepath.Join(b, n))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ba, bb) {
			t.Errorf("%s differs between two runs with the same config", n)
		}
		if bc, err := os.ReadFile(filepath.Join(c, n)); err == nil && bytes.Equal(ba, bc) && n != BankOverlapsFile {
			t.Errorf("%s is the same for seeds 3 and 4", n)
		}
	}
}

// The contact files are those Generate writes for the same settings; truth.csv adds
// the members' list.
func TestGenerateBankKeepsContacts(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if _, err := GenerateBank(BankConfig{People: 120, Seed: 5, Problems: 0.02}, a); err != nil {
		t.Fatal(err)
	}
	m, err := Generate(Config{People: 120, Seed: 5, Problems: 0.02}, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if f.Format == Contacts {
			continue
		}
		n := filepath.Base(f.Path)
		ba, _ := os.ReadFile(filepath.Join(a, n))
		bb, _ := os.ReadFile(filepath.Join(b, n))
		if !bytes.Equal(ba, bb) {
			t.Errorf("%s differs from Generate's", n)
		}
	}
	ta, _ := os.ReadFile(filepath.Join(a, TruthFile))
	tb, _ := os.ReadFile(filepath.Join(b, TruthFile))
	// truth.csv is Generate's, then the members' list (socios.csv).
	if !bytes.HasPrefix(ta, tb) {
		t.Errorf("truth.csv does not start with Generate's")
	}
	for _, line := range strings.Split(strings.TrimSpace(string(ta[min(len(tb), len(ta)):])), "\n") {
		if line != "" && !strings.HasPrefix(line, BankMembersFile+",") {
			t.Errorf("truth.csv: %q after Generate's rows", line)
		}
	}
}

// Every statement file reads with padron's reader, without warnings, and gives back
// the transactions bank_cases.csv describes, in record order.
func TestBankFilesParse(t *testing.T) {
	_, m := bankSet(t)
	checkParse(t, m)
}

// Other seeds and settings parse as well (edge cases of names and layouts).
func TestBankFilesParseSeeds(t *testing.T) {
	for seed := range uint64(6) {
		m, err := GenerateBank(BankConfig{People: 120, Seed: 100 + seed, Accounts: maxAccounts, Address: 0.6,
			MiddleName: 0.3, Truncate: 0.3, UpperCase: 0.2}, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		checkParse(t, m)
	}
}

func checkParse(t *testing.T, m *BankManifest) {
	t.Helper()
	cases := readCases(t, m.Cases)
	byFile := map[string][]caseRow{}
	for _, c := range cases {
		byFile[c.file] = append(byFile[c.file], c)
	}
	formats := map[bank.Format]bool{}
	truthRows := 0
	for _, f := range m.Files {
		name := filepath.Base(f.Path)
		formats[f.Format] = true
		st, ws := readStatements(t, f)
		for _, w := range ws {
			t.Errorf("%s: warning: %s", name, w.Reason)
		}
		if len(st) != f.Statements {
			t.Errorf("%s: %d statements, manifest says %d", name, len(st), f.Statements)
		}
		var txs []bank.Transaction
		for _, s := range st {
			if s.Account != f.Account {
				t.Errorf("%s: account %q, want %q", name, s.Account, f.Account)
			}
			if s.Currency != f.Currency {
				t.Errorf("%s: currency %q, want %q", name, s.Currency, f.Currency)
			}
			txs = append(txs, s.Transactions...)
		}
		want := byFile[name]
		if len(txs) != f.Transactions || len(want) != len(txs) {
			t.Fatalf("%s: %d transactions, manifest %d, cases %d", name, len(txs), f.Transactions, len(want))
		}
		truthRows += len(txs)
		for i, tx := range txs {
			c := want[i]
			if tx.Seq != c.rec {
				t.Fatalf("%s: transaction %d has Seq %d, case row %d", name, i, tx.Seq, c.rec)
			}
			if tx.Cents != c.cents || tx.Currency != c.ccy {
				t.Errorf("%s:%d: amount %d %s, want %d %s", name, c.rec, tx.Cents, tx.Currency, c.cents, c.ccy)
			}
			if tx.Reference != c.ref {
				t.Errorf("%s:%d: reference %q, want %q", name, c.rec, tx.Reference, c.ref)
			}
			if tx.CounterpartyName != c.name {
				t.Errorf("%s:%d: counterparty %q, want %q", name, c.rec, tx.CounterpartyName, c.name)
			}
			if tx.CounterpartyIBAN != c.acct {
				t.Errorf("%s:%d: counterparty IBAN %q, want %q", name, c.rec, tx.CounterpartyIBAN, c.acct)
			}
			if f.Format == bank.FormatNorma43 {
				if !strings.Contains(tx.Title, c.title) {
					t.Errorf("%s:%d: title %q does not hold %q", name, c.rec, tx.Title, c.title)
				}
			} else if tx.Title != c.title {
				t.Errorf("%s:%d: title %q, want %q", name, c.rec, tx.Title, c.title)
			}
			if (c.kind == KindDonation) != (c.person != "") {
				t.Errorf("%s:%d: kind %s with person %q", name, c.rec, c.kind, c.person)
			}
			if c.kind == KindDonation && tx.Cents <= 0 {
				t.Errorf("%s:%d: a donation that is not a credit", name, c.rec)
			}
			if c.has(DiffEmailInTitle) && !strings.Contains(tx.Title, "@") {
				t.Errorf("%s:%d: email_in_title without an email: %q", name, c.rec, tx.Title)
			}
			if c.acct != "" && !ibanValid(c.acct) {
				t.Errorf("%s:%d: invalid IBAN %q", name, c.rec, c.acct)
			}
		}
		if t.Failed() {
			return
		}
	}
	for _, f := range []bank.Format{bank.FormatMT940, bank.FormatCAMT, bank.FormatOFX, bank.FormatNorma43} {
		if !formats[f] {
			t.Errorf("no %s file", f)
		}
	}
	if truthRows != m.Rows || len(cases) != m.Rows {
		t.Errorf("rows: files %d, cases %d, manifest %d", truthRows, len(cases), m.Rows)
	}
	// bank_truth.csv is bank_cases.csv's first columns.
	tb, err := os.ReadFile(m.Truth)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(tb), "\n"), "\n")
	if lines[0] != "source_file,record_no,person_id" || len(lines)-1 != len(cases) {
		t.Fatalf("bank_truth.csv: header %q, %d rows", lines[0], len(lines)-1)
	}
	for i, l := range lines[1:] {
		c := cases[i]
		if want := fmt.Sprintf("%s,%d,%s", c.file, c.rec, c.person); l != want {
			t.Fatalf("bank_truth.csv row %d: %q, want %q", i+1, l, want)
		}
	}
}

// The own accounts and the counterparty accounts are well-formed.
func TestBankAccounts(t *testing.T) {
	_, m := bankSet(t)
	if len(m.Accounts) != maxAccounts {
		t.Fatalf("%d accounts", len(m.Accounts))
	}
	for _, a := range m.Accounts {
		acct := a.Account
		if i := strings.IndexByte(acct, '/'); i >= 0 {
			acct = acct[i+1:]
		}
		if a.Format == bank.FormatOFX {
			if !cbuValid(acct) || !cbuValid(a.Savings) {
				t.Errorf("bad CBU %q / %q", acct, a.Savings)
			}
		} else if !ibanValid(acct) || !ibanValid(a.Savings) {
			t.Errorf("bad IBAN %q / %q", acct, a.Savings)
		}
	}
	for i := range 500 {
		h := mix(uint64(i))
		for _, s := range []string{plIBAN(h), esIBAN(h), gbIBAN(h)} {
			if !ibanValid(s) || !ibanLengthOK(s) {
				t.Fatalf("invalid IBAN %q", s)
			}
		}
		if c := cbu(h); !cbuValid(c) {
			t.Fatalf("invalid CBU %q", c)
		}
	}
}

// ibanLengthOK checks an IBAN's length for its country.
func ibanLengthOK(s string) bool {
	return map[string]int{"PL": 28, "ES": 24, "GB": 22}[s[:2]] == len(s)
}

// Overlapping files hold the same transactions with the same references.
func TestBankOverlaps(t *testing.T) {
	_, m := bankSet(t)
	cases := readCases(t, m.Cases)
	at := map[string]caseRow{}
	for _, c := range cases {
		at[c.file+":"+strconv.Itoa(c.rec)] = c
	}
	rows := readAllCSV(t, m.Overlaps)
	if len(rows)-1 != m.OverlapPairs || m.OverlapPairs == 0 {
		t.Fatalf("%d overlap rows, manifest %d", len(rows)-1, m.OverlapPairs)
	}
	files := map[string]bool{}
	for _, r := range rows[1:] {
		a, b := at[r[0]+":"+r[1]], at[r[2]+":"+r[3]]
		if a.file == "" || b.file == "" || a.file == b.file {
			t.Fatalf("overlap %v: rows missing or in one file", r)
		}
		files[a.file], files[b.file] = true, true
		a.file, a.rec, b.file, b.rec = "", 0, "", 0
		if a != b {
			t.Errorf("overlap %v: %+v vs %+v", r, a, b)
		}
	}
	if len(files) < 4 {
		t.Errorf("overlaps in %d files, want two pairs", len(files))
	}
	// Every transaction not listed as an overlap has a unique reference.
	refs := map[string]int{}
	for _, c := range cases {
		refs[c.ref]++
	}
	dup := 0
	for _, n := range refs {
		if n > 1 {
			dup += n - 1
		}
	}
	if dup != m.OverlapPairs {
		t.Errorf("%d repeated references, %d overlap pairs", dup, m.OverlapPairs)
	}
	if m.Rows-m.OverlapPairs != m.Distinct {
		t.Errorf("rows %d - overlaps %d != distinct %d", m.Rows, m.OverlapPairs, m.Distinct)
	}
}

// Truth: donations name contacts or non-contact donors beyond the contacts' range;
// the manifest's counts match the files; the rates are roughly as configured.
func TestBankTruthAndRates(t *testing.T) {
	_, m := bankSet(t)
	cases := readCases(t, m.Cases)
	contactIDs := map[string]bool{}
	for i := range bankTestPeople {
		contactIDs[PersonID(i, bankTestPeople)] = true
	}
	seen := map[string]bool{}
	donors := map[string]bool{}
	nonContact := map[string]bool{}
	diffs := map[string]int{}
	kinds := map[string]int{}
	for _, c := range cases {
		key := c.ref
		if seen[key] {
			continue
		}
		seen[key] = true
		kinds[c.kind]++
		if c.kind != KindDonation {
			continue
		}
		donors[c.person] = true
		if c.has(DiffNonContact) {
			nonContact[c.person] = true
			if contactIDs[c.person] {
				t.Errorf("non-contact donor %s is a contact id", c.person)
			}
		} else if !contactIDs[c.person] {
			t.Errorf("donor %s is not a contact id", c.person)
		}
		if c.has(DiffOnBehalf) == (c.payer == c.person) {
			t.Errorf("%s:%d on_behalf=%v but payer %s, person %s", c.file, c.rec, c.has(DiffOnBehalf), c.payer, c.person)
		}
		for _, tg := range strings.Split(c.tagsString, ";") {
			diffs[tg]++
		}
	}
	for k, n := range m.Kinds {
		if kinds[k] != n {
			t.Errorf("kind %s: %d in cases, manifest %d", k, kinds[k], n)
		}
	}
	for k, n := range m.Difficulties {
		if diffs[k] != n {
			t.Errorf("difficulty %s: %d in cases, manifest %d", k, diffs[k], n)
		}
	}
	if len(donors) != m.Donors || len(nonContact) != m.NonContact {
		t.Errorf("donors %d/%d non-contact, manifest %d/%d", len(donors), len(nonContact), m.Donors, m.NonContact)
	}
	if m.Kinds[KindDonation] != m.Donations {
		t.Errorf("donations %d, kinds say %d", m.Donations, m.Kinds[KindDonation])
	}
	// Donations ≈ 2 × People by default.
	if d := float64(m.Donations) / (2 * bankTestPeople); d < 0.7 || d > 1.3 {
		t.Errorf("%d donations for %d people, want about %d", m.Donations, bankTestPeople, 2*bankTestPeople)
	}
	for _, k := range []string{KindGrant, KindOwnTransfer, KindInterest, KindFee, KindPayment} {
		if m.Kinds[k] == 0 {
			t.Errorf("no %s transactions", k)
		}
	}
	share := func(k string) float64 { return float64(m.Difficulties[k]) / float64(m.Donations) }
	near := func(k string, lo, hi float64) {
		if s := share(k); s < lo || s > hi {
			t.Errorf("%s: %.3f of donations, want %.2f-%.2f (%d of %d)", k, s, lo, hi, m.Difficulties[k], m.Donations)
		}
	}
	if s := float64(m.NonContact) / float64(m.Donors); s < 0.08 || s > 0.25 {
		t.Errorf("non-contact donors: %.3f, want about 0.15", s)
	}
	near(DiffSurnameFirst, 0.18, 0.42)
	near(DiffUpperCase, 0.45, 0.85) // 0.5 of payers, and Norma 43 always
	near(DiffAddress, 0.08, 0.3)    // MT940 and camt only
	near(DiffMiddleName, 0.02, 0.15)
	near(DiffEmailInTitle, 0.02, 0.16)
	near(DiffTruncated, 0.03, 0.5)
	near(DiffNoDiacritics, 0.1, 0.7)
	near(DiffMonthly, 0.4, 0.85)
	near(DiffOneOff, 0.05, 0.3)
	near(DiffNonContact, 0.06, 0.3)
	for _, k := range []string{DiffSurnameDropped, DiffSurnameAdded, DiffSharedAccount, DiffOnBehalf,
		DiffNamesake, DiffNamesakeIBAN, DiffNamesakeNone, DiffDirectDebit, DiffOccasional} {
		if m.Difficulties[k] == 0 {
			t.Errorf("no %s donations", k)
		}
	}
}

// Shared accounts: one account pays for two people of a household.
func TestBankSharedAccounts(t *testing.T) {
	_, m := bankSet(t)
	cases := readCases(t, m.Cases)
	people := map[string]map[string]bool{}
	for _, c := range cases {
		if c.kind != KindDonation || c.acct == "" {
			continue
		}
		if people[c.acct] == nil {
			people[c.acct] = map[string]bool{}
		}
		people[c.acct][c.person] = true
	}
	two := 0
	for _, ps := range people {
		if len(ps) > 1 {
			two++
		}
	}
	if two == 0 {
		t.Errorf("no account pays for two people")
	}
}

// Rates can be switched off.
func TestGenerateBankRatesOff(t *testing.T) {
	m, err := GenerateBank(BankConfig{People: 100, Seed: 9, Accounts: 1, NonContactDonors: -1, UpperCase: -1,
		SurnameFirst: -1, NoDiacritics: -1, SecondSurname: -1, MiddleName: -1, Address: -1, EmailInTitle: -1,
		SharedAccounts: -1}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{DiffNonContact, DiffSurnameFirst, DiffMiddleName, DiffAddress, DiffEmailInTitle,
		DiffSurnameDropped, DiffSurnameAdded, DiffOnBehalf} {
		if m.Difficulties[k] != 0 {
			t.Errorf("%s: %d with its rate off", k, m.Difficulties[k])
		}
	}
	if len(m.Files) != 2 || m.Donations == 0 {
		t.Errorf("%d files, %d donations", len(m.Files), m.Donations)
	}
	for _, f := range m.Files {
		readStatements(t, f)
	}
}

func TestGenerateBankErrors(t *testing.T) {
	for _, cfg := range []BankConfig{{People: 0}, {People: 10, Accounts: 7}, {People: 10, Donations: -1}} {
		if _, err := GenerateBank(cfg, t.TempDir()); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// A Windows-1250 line that would read as valid UTF-8 ("RÓŻA": D3 AF) is written
// without diacritics; names split over ^32/^33 read back whole.
func TestMT940Text(t *testing.T) {
	if b, d := enc1250("^32RÓŻA NOWAK"); d != "^32ROZA NOWAK" || string(b) != d {
		t.Errorf("enc1250: %q, %q", b, d)
	}
	if _, d := enc1250("^32RÓŻA ŁUKASIK"); d != "^32RÓŻA ŁUKASIK" {
		t.Errorf("enc1250 folded a line that is not UTF-8: %q", d)
	}
	for _, name := range []string{
		"JAN KOWALSKI UL. POLNA 3 00-950 WARSZAWA",
		"WĘGRZYN FELICJA UL. ŻEROMSKIEGO 105 60-755 POZNAŃ",
		"Ángeles Fernández de la Torre Calle de Alcalá 12, 3º A 28001 Madrid",
	} {
		n32, n33, cut := mt940Name(name, false)
		if len([]rune(n32)) > 35 || len([]rune(n33)) > 35 {
			t.Errorf("%q: subfields too long: %q %q", name, n32, n33)
		}
		if got := mt940JoinName(n32, n33); !cut && got != decode1250(name) {
			t.Errorf("%q reads back as %q", name, got)
		}
		if n32, n33, cut := mt940Name(name, true); n33 != "" || !cut || len([]rune(n32)) != 35 {
			t.Errorf("%q truncated: %q %q %v", name, n32, n33, cut)
		}
	}
}

func TestPolishGenitive(t *testing.T) {
	for _, c := range []struct {
		n    string
		f    bool
		want string
	}{{"Anna", true, "Anny"}, {"Agnieszka", true, "Agnieszki"}, {"Maria", true, "Marii"}, {"Jan", false, "Jana"},
		{"Marek", false, "Marka"}, {"Paweł", false, "Pawła"}, {"Jerzy", false, "Jerzego"}, {"Andrzej", false, "Andrzeja"},
		{"Hugo", false, "Hugona"}} {
		if got := plGenitive(c.n, c.f); got != c.want {
			t.Errorf("plGenitive(%s) = %s, want %s", c.n, got, c.want)
		}
	}
}

// TestGenerateBankAtSize checks a set of the size the benchmark uses: 10,000 people
// with about 20,000 donations and every difficulty present. (How long it takes is
// logged, not asserted: timings belong in benchmarks.)
func TestGenerateBankAtSize(t *testing.T) {
	start := time.Now()
	m, err := GenerateBank(BankConfig{People: 10_000, Seed: 1, Donations: 20_000}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("10,000 people, %d donations by %d donors, %d rows: %v", m.Donations, m.Donors, m.Rows, el)
	if math.Abs(float64(m.Donations)-20_000) > 4_000 {
		t.Errorf("%d donations, want about 20,000", m.Donations)
	}
	for k := range numDiffs {
		if m.Difficulties[diffNames[k]] == 0 {
			t.Errorf("no %s donations", diffNames[k])
		}
	}
	t.Logf("difficulties: %v", m.Difficulties)
}

// Members paying by direct debit are on the organisation's list with the account it
// collects from and the mandate, and in the contacts' truth.
func TestBankMembers(t *testing.T) {
	_, m := bankSet(t)
	rows := readAllCSV(t, m.Members)
	if len(rows)-1 != m.MemberRows || m.MemberRows == 0 {
		t.Fatalf("%d member rows, manifest says %d", len(rows)-1, m.MemberRows)
	}
	truth := map[string]string{}
	tf, err := os.ReadFile(m.Contacts.Truth)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(tf)), "\n") {
		if r := strings.Split(line, ","); r[0] == BankMembersFile {
			truth[r[1]] = r[2]
		}
	}
	byIBAN := map[string][]string{} // account → the members' persons
	for i, r := range rows[1:] {
		iban, err := normalize.IBAN(r[3])
		if err != nil || r[0] == "" || r[1] == "" || !strings.HasPrefix(r[4], "SYN") {
			t.Errorf("socios.csv row %d: %q (%v)", i+1, r, err)
		}
		p := truth[strconv.Itoa(i+1)]
		if p == "" {
			t.Fatalf("socios.csv row %d is not in truth.csv", i+1)
		}
		byIBAN[iban] = append(byIBAN[iban], p)
	}
	if len(truth) != m.MemberRows {
		t.Errorf("truth.csv holds %d member rows, want %d", len(truth), m.MemberRows)
	}
	n := 0
	for _, c := range readCases(t, m.Cases) {
		if !strings.Contains(c.tagsString, DiffDirectDebit) {
			continue
		}
		n++
		if strings.Contains(c.tagsString, DiffNonContact) {
			t.Errorf("%s:%d: a direct debit from a donor in no contact list", c.file, c.rec)
		}
		if !slices.Contains(byIBAN[c.acct], c.person) {
			t.Errorf("%s:%d: direct debit from %s for %s, not on the members' list (%v)", c.file, c.rec, c.acct, c.person, byIBAN[c.acct])
		}
	}
	if n == 0 {
		t.Error("no direct debits")
	}
}
