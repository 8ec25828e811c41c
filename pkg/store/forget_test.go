package store_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/padron-org/padron/mappings"
	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/ingest"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/store"
)

// The person to erase, with values found nowhere else.
const (
	zEmail  = "zofia.erasure-test@example.org"
	zGiven  = "Zenobia"
	zFamily = "Qwertyuiop"
	zPhone  = "601987654"
	zIBAN   = "PL61109010140000071219812874"
	zStreet = "Żółwiowa 77"
)

const contacts = "Imię;Nazwisko;E-mail;Telefon;Ulica;Miasto;Numer konta\n" +
	zGiven + ";" + zFamily + ";" + zEmail + ";+48 " + zPhone + ";" + zStreet + ";Kraków;" + zIBAN + "\n" +
	"Anna;Kowalska;anna.kowalska@example.org;+48 600 100 200;Długa 5;Kraków;\n" +
	"Piotr;Zieliński;p.zielinski@example.org;+48 600 300 400;Polna 1;Łódź;\n"

// A second list: the same person again (a review pair or a link), and another.
var members = "Imię;Nazwisko;E-mail;Telefon;Miasto\n" +
	zGiven + ";" + zFamily + ";" + strings.ToUpper(zEmail) + ";;Krakow\n" +
	"Marek;Dąbrowski;marek.dabrowski@example.org;+48 600 500 600;Warszawa\n"

// A statement: the person's gift names them in the counterparty, account and title.
const statement = `:20:ORG-2501
:25:/PL10105000997603123456789123
:28C:1/1
:60F:C250101PLN0,00
:61:2501100110C150,00NTRFNONREF//BNK0001
:86:240^00PRZELEW^20Darowizna ` + zEmail + `^32ZENOBIA QWERTYUIOP ZOLWIOWA 77^3330-001 KRAKOW^38` + zIBAN + `
:61:2501110111C50,00NTRFNONREF//BNK0002
:86:240^00PRZELEW^20Darowizna^32KOWALSKA ANNA^38PL27114020040000300201355387
:62F:C250131PLN200,00
`

// traces are every form an erased value could take in the file.
func traces() []string {
	var out []string
	for _, v := range []string{zEmail, "zofia.erasure-test", zGiven, zFamily, zPhone, zIBAN, zIBAN[2:], zStreet,
		"Żółwiowa", "ZOLWIOWA", "ZENOBIA QWERTYUIOP"} {
		out = append(out, v, strings.ToUpper(v), strings.ToLower(v))
		q := strconv.QuoteToASCII(v) // the JSON-escaped form of non-ASCII text
		out = append(out, q[1:len(q)-1])
	}
	return out
}

func findTraces(t *testing.T, path string) []string {
	t.Helper()
	var found []string
	for _, f := range []string{path, path + ".wal"} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range traces() {
			if bytes.Contains(b, []byte(v)) {
				found = append(found, filepath.Base(f)+": "+v)
			}
		}
	}
	return found
}

func importFiles(t *testing.T, st *store.Store, dir string, names ...string) []ingest.Result {
	t.Helper()
	lib, err := mapping.NewLibrary(mappings.FS)
	if err != nil {
		t.Fatal(err)
	}
	var out []ingest.Result
	for _, n := range names {
		res := ingest.File(context.Background(), st, filepath.Join(dir, n), ingest.Options{Library: lib, DefaultCountry: "PL", Actor: "test"})
		if res.Err != nil {
			t.Fatalf("import %s: %v", n, res.Err)
		}
		out = append(out, res)
	}
	return out
}

func scalar[T any](t *testing.T, st *store.Store, q string, args ...any) T {
	t.Helper()
	var v T
	if err := st.DB().QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func TestForgetLeavesNoTraceInTheFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for name, body := range map[string]string{"kontakty.csv": contacts, "czlonkowie.csv": members, "wyciag.sta": statement} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "padron.duckdb")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close() }()
	// Uncompressed storage, so that searching the bytes can find what is there: the
	// check below first proves the values are found before the erasure.
	if _, err := st.DB().Exec(`SET force_compression = 'uncompressed'`); err != nil {
		t.Fatal(err)
	}
	importFiles(t, st, dir, "kontakty.csv", "czlonkowie.csv", "wyciag.sta")
	if _, err := dedupe.Run(ctx, st, dedupe.Options{Actor: "test"}); err != nil {
		t.Fatal(err)
	}
	zRec, err := st.ResolveRef(ctx, "kontakty.csv:1")
	if err != nil {
		t.Fatal(err)
	}
	zPerson, err := st.PersonOf(ctx, zRec)
	if err != nil || zPerson == 0 {
		t.Fatalf("person of kontakty.csv:1 = %d, %v", zPerson, err)
	}
	other, _ := st.ResolveRef(ctx, "kontakty.csv:2")
	member, _ := st.ResolveRef(ctx, "czlonkowie.csv:1")
	// The log and decisions: take the member record out and put it back.
	if _, err := st.Unmerge(ctx, member, "test"); err == nil {
		if _, err := st.Merge(ctx, []int64{zRec, member}, "test"); err != nil {
			t.Fatal(err)
		}
	} else if _, err := st.Merge(ctx, []int64{zRec, member}, "test"); err != nil {
		t.Fatal(err)
	}
	// A review pair with someone else, a push, a pull and consent facts.
	if _, err := st.DB().Exec(`INSERT INTO match_pairs VALUES (?, ?, 3.5, 0.85, false, 1)`, other, zRec); err != nil {
		t.Fatal(err)
	}
	push := &store.Push{Service: "mailchimp", List: "news", Segment: "all", StartedAt: time.Now(), Members: 2}
	if err := st.StartPush(ctx, push); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordPushed(ctx, push.ID, []store.PushedMember{{PersonID: zPerson, Email: zEmail, Hash: "h1", Status: "created"},
		{Email: "anna.kowalska@example.org", Hash: "h2", Status: "created"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddPulledSuppressions(ctx, "test", []store.PulledSuppression{{Email: zEmail, Reason: "unsubscribed",
		Service: "mailchimp", List: "news"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordConsent(ctx, []store.ConsentFact{{Channel: "phone", SubjectKind: "phone", Subject: "+48" + zPhone,
		Status: store.OptOut, Text: "called " + zGiven + " " + zFamily, PersonID: zPerson}}, "test"); err != nil {
		t.Fatal(err)
	}
	if n := scalar[int](t, st, `SELECT count(*) FROM consent_facts WHERE subject LIKE '%erasure-test%' OR subject LIKE '%`+zPhone+`'`); n < 2 {
		t.Fatalf("consent facts before = %d", n)
	}
	total := func() string {
		return scalar[string](t, st, `SELECT CAST(sum(amount) AS VARCHAR) FROM transactions WHERE kind = 'credit' AND excluded IS NULL`)
	}
	totalBefore := total()
	var donations int
	if err := st.Donations(ctx, store.DonationFilter{}, func(store.Donation) error { donations++; return nil }); err != nil {
		t.Fatal(err)
	}
	people := scalar[int](t, st, `SELECT count(*) FROM people`)
	others := scalar[int](t, st, `SELECT count(*) FROM records WHERE id NOT IN (SELECT record_id FROM links WHERE person_id = ?)`, zPerson)
	if zMembers := scalar[int](t, st, `SELECT count(*) FROM links WHERE person_id = ?`, zPerson); zMembers < 2 {
		t.Fatalf("the person has %d records; want the contact, the member and the payer", zMembers)
	}

	// The control: before the erasure, the file holds the values.
	if _, err := st.DB().Exec(`CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
	found := findTraces(t, path)
	if len(found) < 5 {
		t.Fatalf("before erasure only %d traces found (%v): the search would prove nothing", len(found), found)
	}
	t.Logf("before erasure, %d forms found in the file: %v", len(found), found)

	rc, err := st.Forget(ctx, store.ForgetTarget{People: []int64{zPerson}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !rc.Rewritten || rc.Removed["people"] != 1 || rc.Removed["push_members"] != 1 || rc.Removed["pulled_suppressions"] != 1 ||
		rc.Removed["consent"] != 1 || rc.Removed["match_pairs"] != 1 || rc.Anonymized["transactions"] != 1 {
		t.Fatalf("receipt = %+v", rc)
	}
	t.Logf("receipt: %+v", rc)
	match, err := st.ErasedMatcher(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !match(strings.ToUpper(zEmail)) || !match("zofia.erasure-test+news@example.org") || match("anna.kowalska@example.org") {
		t.Fatal("ErasedMatcher does not recognise the erased email, or recognises another")
	}
	// Others intact, totals unchanged.
	if got := total(); got != totalBefore {
		t.Fatalf("donation total %s, was %s", got, totalBefore)
	}
	var after int
	if err := st.Donations(ctx, store.DonationFilter{}, func(store.Donation) error { after++; return nil }); err != nil {
		t.Fatal(err)
	}
	if after != donations {
		t.Fatalf("%d donations listed, were %d", after, donations)
	}
	if n := scalar[int](t, st, `SELECT count(*) FROM people`); n != people-1 {
		t.Fatalf("people = %d, want %d", n, people-1)
	}
	// The payer's record stays, stripped, for its donation; the others are untouched.
	if n := scalar[int](t, st, `SELECT count(*) FROM records WHERE raw <> '[]'`); n != others {
		t.Fatalf("records with data = %d, want the %d of other people", n, others)
	}
	if name := scalar[string](t, st, `SELECT given_name || ' ' || family_name || ' ' || emails[1] FROM records WHERE id = ?`, other); name != "Anna Kowalska anna.kowalska@example.org" {
		t.Fatalf("another person's record: %q", name)
	}
	if n := scalar[int](t, st, `SELECT count(*) FROM push_members`); n != 1 {
		t.Fatalf("push members = %d, want the other one", n)
	}
	if n := scalar[int](t, st, `SELECT sum(CAST(detail->>'records' AS INTEGER)) FROM events WHERE kind = 'import'`); n != 7 {
		t.Fatalf("the imports' logged record counts add up to %d, want 7", n)
	}
	if n := scalar[int](t, st, `SELECT count(*) FROM events WHERE kind = 'forget' AND CAST(detail AS VARCHAR) NOT LIKE '%@%'`); n != 1 {
		t.Fatalf("forget events = %d", n)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if found := findTraces(t, path); len(found) > 0 {
		t.Fatalf("traces left in the store file after erasure: %v", found)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("store permissions %v after the rewrite, want 0600", fi.Mode().Perm())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".padron-rewrite-*"))
	if len(leftovers) > 0 {
		t.Fatalf("rewrite left %v", leftovers)
	}

	// Importing the person again is refused, with a problem that does not hold the value;
	// the others are imported. The statement's payment is not stored twice.
	st, err = store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if v := scalar[int](t, st, `SELECT max(version) FROM schema_meta`); v != store.SchemaVersion() {
		t.Fatalf("schema version %d after the rewrite", v)
	}
	if err := os.WriteFile(filepath.Join(dir, "kontakty2.csv"), []byte(contacts+"Ewa;Nowak;ewa.n@example.org;;;Gdańsk;\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wyciag-kopia.sta"), []byte(strings.Replace(statement, "ORG-2501", "ORG-2501b", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	res := importFiles(t, st, dir, "kontakty2.csv", "wyciag-kopia.sta")
	if res[0].Batch.Records != 3 || res[0].Batch.Problems != 1 {
		t.Fatalf("re-import: %d records, %d problems; want 3 and 1", res[0].Batch.Records, res[0].Batch.Problems)
	}
	ps, err := st.Problems(ctx, res[0].Batch.ID, 0)
	if err != nil || len(ps) != 1 || ps[0].RecordNo != 1 || ps[0].Value != "" ||
		!strings.Contains(ps[0].Reason, "belongs to a person erased on "+time.Now().UTC().Format("2006-01-02")) {
		t.Fatalf("problems = %+v, %v", ps, err)
	}
	if got := total(); got != totalBefore {
		t.Fatalf("donation total after importing the statement again: %s, want %s", got, totalBefore)
	}
	if n := scalar[int](t, st, `SELECT count(*) FROM records WHERE list_contains(emails, ?)`, zEmail); n != 0 {
		t.Fatalf("%d records of the erased person imported again", n)
	}
}
