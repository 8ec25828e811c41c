package synth

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/padron-org/padron/pkg/bank"
)

// BankConfig says what GenerateBank writes. Zero values mean defaults; for the rates,
// a negative value means "never".
type BankConfig struct {
	// The contact files, exactly as Generate writes them for the same values
	// (see Config).
	People      int
	Seed        uint64
	DupRate     float64
	Formats     []Format
	MaxXLSXRows int
	Problems    float64

	// Donations is the approximate number of donation credits over all statements
	// (each counted once, however many files show it). 0 means 2 × People. The other
	// transactions come on top: per account and month one or two fees and one to
	// three supplier payments, interest quarterly, an own transfer in or out every
	// other month, a grant twice a year.
	Donations int
	// Accounts is the number of the organisation's own accounts with statements,
	// 1 to 6; 0 means 4. In order: a Polish bank in PLN (MT940, two overlapping
	// files), a Spanish bank in EUR (camt.053, two overlapping files), an Argentine
	// bank in ARS (OFX), a Spanish bank in EUR (Norma 43), an Argentine bank in USD
	// (OFX), a Polish bank in EUR (MT940).
	Accounts int
	// NonContactDonors is the share of donors who are in no contact file. 0 means 0.15.
	NonContactDonors float64

	// Donor habits, as shares of donors. Monthly donors pay every month from some
	// month on (standing order, or a direct debit collected by the Spanish bank);
	// one-off donors pay once; the rest pay two to four times. 0 means 0.25 and 0.5.
	Monthly, OneOff float64

	// How the payer's bank writes the name, as shares of payers (a payer's bank
	// writes their name the same way every time). 0 means the default in brackets.
	UpperCase     float64 // "ANNA KOWALSKA" [0.5]; Norma 43 always writes capitals
	SurnameFirst  float64 // "KOWALSKA ANNA" [0.3]
	NoDiacritics  float64 // "Lukasz Wojcik" [0.3]; Norma 43 always strips them (but Ñ)
	SecondSurname float64 // Spanish/Argentine payers: second surname dropped, or added when the contacts have none [0.3]
	MiddleName    float64 // a middle name the contacts do not have [0.08]
	Address       float64 // address after the name, "JAN KOWALSKI UL. POLNA 3 00-950 WARSZAWA" [0.2]; MT940 and camt only
	Truncate      float64 // the bank cuts name and address at 35 characters [0.5]; others use ^33 in MT940 (70 in all); OFX always cuts at 32

	// Households. SharedAccounts is the share of donating second household members
	// who pay from the first member's account [0.5]; OnBehalf the share of those who
	// then pay in the account holder's name, saying in the title whose gift it is
	// ("Darowizna od Anny") [0.4]. BothDonate is the chance that the other member of
	// a donor's household donates too [0.5].
	SharedAccounts, OnBehalf, BothDonate float64

	// EmailInTitle is the share of donors who write their email in the transfer
	// title ("cuota socio jan@example.org") [0.08]. No contact format carries a donor
	// id, so titles carry emails only.
	EmailInTitle float64
	// Namesakes is the share of contact donors drawn among the contacts who have a
	// namesake (another contact with the same given name and first surname) [0.15].
	// Donations are tagged namesake when the name the bank writes fits another
	// contact, which also happens to non-contact donors.
	Namesakes float64
}

// Bank files GenerateBank writes besides the statements.
const (
	BankTruthFile    = "bank_truth.csv"
	BankOverlapsFile = "overlaps.csv"
	BankCasesFile    = "bank_cases.csv"
	// BankMembersFile is the list of members who pay their fee by direct debit: an
	// organisation that collects a SEPA direct debit holds the debtor's account and
	// mandate, so the list is a contact file too.
	BankMembersFile = "socios.csv"
)

// Difficulties GenerateBank builds into donations; BankManifest.Difficulties counts
// the donation transactions (each once) that show each one.
const (
	DiffUpperCase      = "upper_case"             // name in capitals
	DiffSurnameFirst   = "surname_first"          // "KOWALSKA ANNA"
	DiffNoDiacritics   = "no_diacritics"          // "Lukasz" for "Łukasz"
	DiffSurnameDropped = "second_surname_dropped" // "Juan García" for "Juan García López"
	DiffSurnameAdded   = "second_surname_added"   // a second surname the contacts lack
	DiffMiddleName     = "middle_name"            // a middle name the contacts lack
	DiffAddress        = "address_appended"       // address written after the name
	DiffTruncated      = "truncated"              // name (and address) cut by the bank
	DiffSharedAccount  = "shared_account"         // paid from an account two people of a household pay from
	DiffOnBehalf       = "on_behalf"              // holder's name, the title names the donor (truth: the donor)
	DiffEmailInTitle   = "email_in_title"         // the donor's email in the title
	DiffNamesake       = "namesake"               // another contact has the same given name and first surname
	DiffNamesakeIBAN   = "namesake_iban_seen"     // namesake; the account paid an earlier donation in the files
	DiffNamesakeCity   = "namesake_city"          // namesake; not that, but the city is in the address
	DiffNamesakeNone   = "namesake_nothing"       // namesake; nothing but the name to go by
	DiffNonContact     = "non_contact"            // the donor is in no contact file
	DiffMonthly        = "monthly"                // a monthly donor's payment
	DiffOccasional     = "occasional"             // a donor paying 2-4 times
	DiffOneOff         = "one_off"                // a one-off donor's payment
	DiffDirectDebit    = "direct_debit"           // collected by direct debit, one batch entry per month (camt)
	numDiffs           = 20
)

var diffNames = [numDiffs]string{
	DiffUpperCase, DiffSurnameFirst, DiffNoDiacritics, DiffSurnameDropped, DiffSurnameAdded,
	DiffMiddleName, DiffAddress, DiffTruncated, DiffSharedAccount, DiffOnBehalf, DiffEmailInTitle,
	DiffNamesake, DiffNamesakeIBAN, DiffNamesakeCity, DiffNamesakeNone, DiffNonContact,
	DiffMonthly, DiffOccasional, DiffOneOff, DiffDirectDebit,
}

const (
	tgUpper = 1 << iota
	tgSurnameFirst
	tgNoDiacritics
	tgSurnameDropped
	tgSurnameAdded
	tgMiddleName
	tgAddress
	tgTruncated
	tgShared
	tgOnBehalf
	tgEmail
	tgNamesake
	tgNamesakeIBAN
	tgNamesakeCity
	tgNamesakeNone
	tgNonContact
	tgMonthly
	tgOccasional
	tgOneOff
	tgDirectDebit
)

// Transaction kinds, the kind column of bank_cases.csv and the keys of
// BankManifest.Kinds. Only donations have a person in bank_truth.csv.
const (
	KindDonation    = "donation"         // a credit from a person: truth is that person
	KindGrant       = "grant"            // a credit from a public body (URZĄD…, AYUNTAMIENTO…, MUNICIPALIDAD…)
	KindOwnTransfer = "own_transfer"     // a credit from the organisation's own savings account (OwnAccount.Savings, name OrgName)
	KindInterest    = "interest"         // interest credited by the bank (no counterparty)
	KindFee         = "fee"              // a bank fee or tax (debit)
	KindPayment     = "payment"          // a payment to a supplier (debit)
	KindOwnOut      = "own_transfer_out" // a debit to the organisation's own savings account
)

// OwnAccount is one of the organisation's accounts with statements.
type OwnAccount struct {
	// Account is the account as the statement reader gives it (Statement.Account):
	// an IBAN, or for the OFX files BANKID/CBU.
	Account  string
	Currency string
	Format   bank.Format
	// Savings is the organisation's savings account at the same bank, which sends
	// and receives the own transfers (it has no statements).
	Savings string
	// Holder is the organisation's name as this bank writes it in own transfers.
	Holder string
	Files  []string // statement files of the account, in order
}

// BankFile describes one written statement file.
type BankFile struct {
	Path         string
	Format       bank.Format
	Encoding     string // "windows-1250", "UTF-8", "windows-1252"
	Account      string // as in OwnAccount.Account
	Currency     string
	Statements   int
	Transactions int    // = the last bank.Transaction.Seq
	From, To     string // first and last month covered, YYYY-MM
}

// BankManifest describes what GenerateBank wrote.
type BankManifest struct {
	Contacts *Manifest // the contact files, as Generate describes them
	Seed     uint64
	People   int
	OrgName  string
	Accounts []OwnAccount
	Files    []BankFile
	Truth    string // bank_truth.csv
	Overlaps string // overlaps.csv
	Cases    string // bank_cases.csv
	// Members is socios.csv: Nombre, Apellidos, Correo electrónico, IBAN and
	// Referencia del mandato of every direct-debit donor, UTF-8, comma. Its records
	// are in the contacts' truth.csv (appended); MemberRows counts them.
	Members    string
	MemberRows int
	// Rows is the number of rows of bank_truth.csv (every transaction of every
	// file); Distinct counts transactions in overlapping files once.
	Rows, Distinct int
	// OverlapPairs is the number of rows of overlaps.csv.
	OverlapPairs int
	// Donors is the number of people who donated; NonContact those of them in no
	// contact file. Donations counts donation credits once each.
	Donors, NonContact, Donations int
	// Kinds counts distinct transactions by kind (Kind* constants).
	Kinds map[string]int
	// Difficulties counts distinct donation transactions by difficulty (Diff*).
	Difficulties map[string]int
}

// bank rate defaults
const (
	defNonContact     = 0.15
	defMonthly        = 0.25
	defOneOff         = 0.5
	defUpper          = 0.5
	defSurnameFirst   = 0.3
	defNoDiacritics   = 0.3
	defSecondSurname  = 0.3
	defMiddleName     = 0.08
	defAddress        = 0.2
	defTruncate       = 0.5
	defSharedAccounts = 0.5
	defOnBehalf       = 0.4
	defBothDonate     = 0.5
	defEmailInTitle   = 0.08
	defNamesakes      = 0.15
	defAccounts       = 4
	maxAccounts       = 6
)

func rateOr(v, def float64) float64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return min(v, 1)
}

// stmtYear is the year the statements cover.
const stmtYear = refYear - 1

// GenerateBank writes into dir (created if needed) the contact files and truth.csv
// exactly as Generate would for the same People, Seed, DupRate, Formats, MaxXLSXRows
// and Problems; the organisation's bank statements for one year, whose credits are
// donations from those people and from donors in no contact file; and:
//
//	socios.csv      the members who pay a monthly fee by direct debit (collected
//	                through the camt account): Nombre, Apellidos, Correo
//	                electrónico, IBAN (in groups of four) and Referencia del
//	                mandato, UTF-8, comma; a contact file like the others, its
//	                records appended to truth.csv. An organisation collecting a
//	                direct debit holds the debtor's account and mandate, so direct
//	                debits come only from donors in the contact files.
//	bank_truth.csv  source_file,record_no,person_id: one row per transaction of every
//	                statement file; record_no is the transaction's 1-based position in
//	                its file over all statements (bank.Transaction.Seq); person_id is
//	                the synth.PersonID of the donor for donations, empty for everything
//	                else (debits, fees, interest, grants, own transfers)
//	overlaps.csv    source_file_a,record_no_a,source_file_b,record_no_b: transactions
//	                that two files both hold (the same booking, same bank reference)
//	bank_cases.csv  per row: kind, truth, payer (whose name the bank writes), amount,
//	                currency, reference, counterparty name, account and title as the
//	                reader gives them, and the difficulty tags (Diff*); for debugging
//	                and per-difficulty scores
//
// The statements cover the year before refYear in monthly statements, one file per
// account unless said otherwise (see BankConfig.Accounts and BankManifest.Files):
//
//	wyciagi_pl_pln_Y-01_Y-07.sta     MT940 of a Polish bank, Windows-1250, CRLF; :86:
//	wyciagi_pl_pln_Y-06_Y-12.sta     with ^00 type, ^20-^25 title, ^30/^31 sort code and
//	                                 NRB, ^32/^33 name, ^38 IBAN; June and July in both
//	camt053_es_eur_Y-01_Y-06.xml     camt.053.001.08 of a Spanish bank, UTF-8; Dbtr/Pty/Nm,
//	camt053_es_eur_Y-06_Y-12.xml     DbtrAcct IBAN, RmtInf/Ustrd; direct debits (socio
//	                                 fees) as one batch entry a month with a TxDtls each;
//	                                 June in both files
//	movimientos_ar_ars_Y.ofx         OFX 1.02 (SGML) of an Argentine bank, Windows-1252;
//	                                 NAME (32 characters), MEMO, FITID; no payer account
//	extracto_es_eur_Y.n43            Norma 43, Windows-1252, an account block a month;
//	                                 the payer in a 23 record "TRANSFERENCIA DE NAME",
//	                                 the title in the next ones; no payer account
//	movimientos_ar_usd_Y.ofx         as the ARS file, in USD
//	wyciagi_pl_eur_Y.sta             MT940 of a Polish bank, in EUR
//
// Payers are routed by where they live: Poland to the PLN account (some EUR), Spain
// to camt or Norma 43, Argentina to ARS (some USD), the UK mostly to camt. They pay
// from an account of their country (PL, ES, GB IBANs; Argentine CBUs), all generated
// with valid check digits; bank references are unique but in overlapping files.
//
// Truth conventions: a donation's person is whose gift it is. When a household
// member pays from the other member's account in the holder's name, saying in the
// title whose gift it is ("Darowizna od Anny"), the truth is the person the title
// names, not the account holder (bank_cases.csv has the holder as payer_id). Donors in
// no contact file have PersonID(People+k, People), k = 0, 1, …: beyond the contacts'
// range, never in truth.csv. A transaction in two overlapping files is listed in both
// with the same person. Grants (public bodies), own transfers (the organisation's own
// savings account and name, see OwnAccount) and interest are credits but not
// donations: their person_id is empty.
//
// The same BankConfig gives byte-identical files.
func GenerateBank(cfg BankConfig, dir string) (*BankManifest, error) {
	g, err := newGen(Config{People: cfg.People, Seed: cfg.Seed, DupRate: cfg.DupRate, Formats: cfg.Formats,
		MaxXLSXRows: cfg.MaxXLSXRows, Problems: cfg.Problems})
	if err != nil {
		return nil, err
	}
	b, err := newBankGen(g, cfg)
	if err != nil {
		return nil, err
	}
	cm, err := g.run(dir)
	if err != nil {
		return nil, err
	}
	b.m.Contacts = cm
	if err := b.generate(); err != nil {
		return nil, err
	}
	if err := b.write(dir); err != nil {
		return nil, err
	}
	return b.m, nil
}

// bankRates are the resolved rates.
type bankRates struct {
	nonContact, monthly, oneOff                                   float64
	upper, surnameFirst, noDia, second, middle, address, truncate float64
	shared, onBehalf, both, email, namesakes                      float64
}

type bankGen struct {
	g        *gen
	w        *worker
	cfg      BankConfig
	rt       bankRates
	accts    []*ownAcct
	donors   []*donor
	nameKeys map[uint64]int32 // given name and first surname → number of contacts with them
	fullKeys map[uint64]int32 // given name and both surnames → number of contacts with them
	txs      []*btx
	m        *BankManifest
	refN     int
}

func newBankGen(g *gen, cfg BankConfig) (*bankGen, error) {
	n := cfg.Accounts
	if n == 0 {
		n = defAccounts
	}
	if n < 1 || n > maxAccounts {
		return nil, fmt.Errorf("synth: Accounts must be 1 to %d, got %d", maxAccounts, cfg.Accounts)
	}
	if cfg.Donations < 0 {
		return nil, fmt.Errorf("synth: Donations must not be negative, got %d", cfg.Donations)
	}
	if cfg.Donations > 50_000_000 {
		return nil, fmt.Errorf("synth: Donations %d is too large", cfg.Donations)
	}
	rt := bankRates{
		nonContact: rateOr(cfg.NonContactDonors, defNonContact),
		monthly:    rateOr(cfg.Monthly, defMonthly),
		oneOff:     rateOr(cfg.OneOff, defOneOff),
		upper:      rateOr(cfg.UpperCase, defUpper), surnameFirst: rateOr(cfg.SurnameFirst, defSurnameFirst),
		noDia: rateOr(cfg.NoDiacritics, defNoDiacritics), second: rateOr(cfg.SecondSurname, defSecondSurname),
		middle: rateOr(cfg.MiddleName, defMiddleName), address: rateOr(cfg.Address, defAddress),
		truncate: rateOr(cfg.Truncate, defTruncate), shared: rateOr(cfg.SharedAccounts, defSharedAccounts),
		onBehalf: rateOr(cfg.OnBehalf, defOnBehalf), both: rateOr(cfg.BothDonate, defBothDonate),
		email: rateOr(cfg.EmailInTitle, defEmailInTitle), namesakes: rateOr(cfg.Namesakes, defNamesakes),
	}
	if rt.nonContact >= 1 {
		rt.nonContact = 0.99
	}
	if rt.monthly+rt.oneOff > 1 {
		rt.oneOff = 1 - rt.monthly
	}
	if cfg.Donations == 0 {
		cfg.Donations = 2 * cfg.People
	}
	b := &bankGen{g: g, w: g.newWorker(), cfg: cfg, rt: rt,
		m: &BankManifest{Seed: cfg.Seed, People: cfg.People, OrgName: orgNames[ctyES],
			Kinds: map[string]int{}, Difficulties: map[string]int{}}}
	for k := range n {
		b.accts = append(b.accts, newOwnAcct(g.seed, k))
	}
	return b, nil
}

// ---- the organisation's accounts ----

type acctKind struct {
	format   bank.Format
	cty      country
	currency string
	overlap  bool
}

var acctKinds = [maxAccounts]acctKind{
	{bank.FormatMT940, ctyPL, "PLN", true},
	{bank.FormatCAMT, ctyES, "EUR", true},
	{bank.FormatOFX, ctyAR, "ARS", false},
	{bank.FormatNorma43, ctyES, "EUR", false},
	{bank.FormatOFX, ctyAR, "USD", false},
	{bank.FormatMT940, ctyPL, "EUR", false},
}

// orgNames is the (fictional) organisation's name as each country's banks write it.
var orgNames = [numCountries]string{
	ctyES: "FUNDACION SYNTHETICA",
	ctyPL: "FUNDACJA SYNTHETICA",
	ctyAR: "ASOC CIVIL SYNTHETICA",
	ctyGB: "SYNTHETICA FOUNDATION",
}

type ownAcct struct {
	k       int
	kind    acctKind
	number  string // IBAN or CBU
	savings string
	bankID  string // OFX BANKID
	files   []acctFile
	txs     []*btx
	opening int64
}

type acctFile struct {
	name       string
	from, to   int // months, inclusive
	statements int
	records    int
}

const keyBankAcct = 0x62616e6b61630010

func newOwnAcct(seed uint64, k int) *ownAcct {
	a := &ownAcct{k: k, kind: acctKinds[k]}
	h := hash3(seed, keyBankAcct, uint64(k))
	a.number = personalAccount(a.kind.cty, h)
	// The savings account: same bank, another number.
	s := personalAccount(a.kind.cty, h^0x1234567)
	switch a.kind.cty {
	case ctyPL:
		bban := a.number[4:12] + s[12:]
		s = "PL" + ibanCheck("PL", bban) + bban
	case ctyES:
		bank, branch, _ := esParts(a.number)
		acct := s[14:]
		ccc := bank + branch + cccDigit("00"+bank+branch) + cccDigit(acct) + acct
		s = "ES" + ibanCheck("ES", ccc) + ccc
	}
	a.savings = s
	if a.kind.cty == ctyAR {
		a.bankID = a.number[:3]
	}
	a.opening = int64(r2(h, 5_000, 60_000)) * 100
	if a.kind.currency == "ARS" {
		a.opening *= 200
	}
	lc := strings.ToLower(a.kind.currency)
	cc := strings.ToLower(a.kind.cty.code())
	y := strconv.Itoa(stmtYear)
	switch a.kind.format {
	case bank.FormatMT940:
		if a.kind.overlap {
			a.files = []acctFile{{name: "wyciagi_" + cc + "_" + lc + "_" + y + "-01_" + y + "-07.sta", from: 1, to: 7},
				{name: "wyciagi_" + cc + "_" + lc + "_" + y + "-06_" + y + "-12.sta", from: 6, to: 12}}
		} else {
			a.files = []acctFile{{name: "wyciagi_" + cc + "_" + lc + "_" + y + ".sta", from: 1, to: 12}}
		}
	case bank.FormatCAMT:
		if a.kind.overlap {
			a.files = []acctFile{{name: "camt053_" + cc + "_" + lc + "_" + y + "-01_" + y + "-06.xml", from: 1, to: 6},
				{name: "camt053_" + cc + "_" + lc + "_" + y + "-06_" + y + "-12.xml", from: 6, to: 12}}
		} else {
			a.files = []acctFile{{name: "camt053_" + cc + "_" + lc + "_" + y + ".xml", from: 1, to: 12}}
		}
	case bank.FormatOFX:
		a.files = []acctFile{{name: "movimientos_" + cc + "_" + lc + "_" + y + ".ofx", from: 1, to: 12}}
	case bank.FormatNorma43:
		a.files = []acctFile{{name: "extracto_" + cc + "_" + lc + "_" + y + ".n43", from: 1, to: 12}}
	}
	return a
}

// r2 draws an int in [lo, hi] from a hash.
func r2(h uint64, lo, hi int) int { return lo + int(mix(h^0xabcdef)%uint64(hi-lo+1)) }

func (c country) code() string {
	switch c {
	case ctyPL:
		return "PL"
	case ctyAR:
		return "AR"
	case ctyGB:
		return "GB"
	}
	return "ES"
}

// readerAccount is the account as the statement reader gives it.
func (a *ownAcct) readerAccount() string {
	if a.kind.format == bank.FormatOFX && a.bankID != "" {
		return a.bankID + "/" + a.number
	}
	return a.number
}

// ---- output ----

func (b *bankGen) write(dir string) error {
	m := b.m
	for _, a := range b.accts {
		oa := OwnAccount{Account: a.readerAccount(), Currency: a.kind.currency, Format: a.kind.format,
			Savings: a.savings, Holder: orgNames[a.kind.cty]}
		for _, f := range a.files {
			oa.Files = append(oa.Files, f.name)
		}
		m.Accounts = append(m.Accounts, oa)
	}
	type row struct {
		file string
		rec  int
		tx   *btx
	}
	var rows []row
	seen := map[*btx][]row{}
	for _, a := range b.accts {
		for fi := range a.files {
			f := &a.files[fi]
			path := filepath.Join(dir, f.name)
			recs, enc, err := b.writeStatementFile(a, f, path)
			if err != nil {
				return fmt.Errorf("synth: %s: %w", f.name, err)
			}
			for i, t := range recs {
				r := row{file: f.name, rec: i + 1, tx: t}
				rows = append(rows, r)
				seen[t] = append(seen[t], r)
			}
			f.records = len(recs)
			m.Files = append(m.Files, BankFile{Path: path, Format: a.kind.format, Encoding: enc,
				Account: a.readerAccount(), Currency: a.kind.currency, Statements: f.statements,
				Transactions: len(recs), From: fmt.Sprintf("%d-%02d", stmtYear, f.from), To: fmt.Sprintf("%d-%02d", stmtYear, f.to)})
		}
	}
	m.Rows = len(rows)
	if err := b.writeMembers(dir); err != nil {
		return err
	}

	// bank_truth.csv
	m.Truth = filepath.Join(dir, BankTruthFile)
	if err := writeFileWith(m.Truth, func(w *bufio.Writer) error {
		w.WriteString("source_file,record_no,person_id\n")
		for _, r := range rows {
			w.WriteString(r.file)
			w.WriteByte(',')
			w.WriteString(strconv.Itoa(r.rec))
			w.WriteByte(',')
			if r.tx.truth >= 0 {
				w.Write(b.g.appendID(nil, r.tx.truth))
			}
			w.WriteByte('\n')
		}
		return nil
	}); err != nil {
		return err
	}

	// overlaps.csv
	m.Overlaps = filepath.Join(dir, BankOverlapsFile)
	if err := writeFileWith(m.Overlaps, func(w *bufio.Writer) error {
		w.WriteString("source_file_a,record_no_a,source_file_b,record_no_b\n")
		for _, r := range rows {
			rs := seen[r.tx]
			if len(rs) < 2 || rs[0] != r {
				continue
			}
			for _, o := range rs[1:] {
				fmt.Fprintf(w, "%s,%d,%s,%d\n", r.file, r.rec, o.file, o.rec)
				m.OverlapPairs++
			}
		}
		return nil
	}); err != nil {
		return err
	}

	// bank_cases.csv
	m.Cases = filepath.Join(dir, BankCasesFile)
	if err := writeFileWith(m.Cases, func(w *bufio.Writer) error {
		c := csv.NewWriter(w)
		c.Write([]string{"source_file", "record_no", "kind", "person_id", "payer_id", "cents", "currency",
			"reference", "counterparty_name", "counterparty_account", "title", "tags"})
		for _, r := range rows {
			t := r.tx
			id, payer := "", ""
			if t.truth >= 0 {
				id = string(b.g.appendID(nil, t.truth))
			}
			if t.payer >= 0 {
				payer = string(b.g.appendID(nil, t.payer))
			}
			c.Write([]string{r.file, strconv.Itoa(r.rec), t.kind, id, payer, strconv.FormatInt(t.cents, 10),
				b.accts[t.acct].kind.currency, t.ref, t.outName, t.outAcct, t.outTitle, tagString(t.tags)})
		}
		c.Flush()
		return c.Error()
	}); err != nil {
		return err
	}

	// Counts over distinct transactions.
	for _, t := range b.txs {
		m.Distinct++
		m.Kinds[t.kind]++
		if t.kind != KindDonation {
			continue
		}
		m.Donations++
		for k := range numDiffs {
			if t.tags&(1<<k) != 0 {
				m.Difficulties[diffNames[k]]++
			}
		}
	}
	for _, d := range b.donors {
		if d.ntx > 0 {
			m.Donors++
			if !d.contact {
				m.NonContact++
			}
		}
	}
	return nil
}

func tagString(tags uint32) string {
	var parts []string
	for k := range numDiffs {
		if tags&(1<<k) != 0 {
			parts = append(parts, diffNames[k])
		}
	}
	return strings.Join(parts, ";")
}

func writeFileWith(path string, fill func(w *bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	err = fill(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("synth: writing %s: %w", filepath.Base(path), err)
	}
	return nil
}

// sortTxs orders an account's transactions by date, then by their order key.
func sortTxs(ts []*btx) {
	slices.SortStableFunc(ts, func(a, b *btx) int {
		if c := a.day - b.day; c != 0 {
			return c
		}
		if a.o1 != b.o1 {
			if a.o1 < b.o1 {
				return -1
			}
			return 1
		}
		return a.o2 - b.o2
	})
}

// writeMembers writes socios.csv, one row per direct-debit donor in index order, and
// appends its records to the contacts' truth.csv.
func (b *bankGen) writeMembers(dir string) error {
	m := b.m
	var members []*donor
	for _, d := range b.donors {
		if d.sdd && d.contact {
			members = append(members, d)
		}
	}
	slices.SortFunc(members, func(x, y *donor) int { return x.idx - y.idx })
	m.Members = filepath.Join(dir, BankMembersFile)
	m.MemberRows = len(members)
	err := writeFileWith(m.Members, func(w *bufio.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"Nombre", "Apellidos", "Correo electrónico", "IBAN", "Referencia del mandato"}); err != nil {
			return err
		}
		for _, d := range members {
			if err := cw.Write([]string{d.p.given, d.p.family(), d.p.email, spacedIBAN(d.payAcct), d.mandate}); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(m.Contacts.Truth, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i, d := range members {
		w.WriteString(BankMembersFile + "," + strconv.Itoa(i+1) + ",")
		w.Write(b.g.appendID(nil, d.idx))
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// spacedIBAN writes an IBAN in groups of four, as people type it.
func spacedIBAN(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}
