package store_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/store"
)

func TestConsentFactsFromRecordsPullsAndHand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	csv := "first_name,last_name,email,city,opt_out,opt_out_reason,consent\n" +
		"Anna,Kowalska,anna@example.org,Kraków,no,,yes\n" +
		"Jan,Wiśniewski,jan@example.org,Gdańsk,yes,moved away,\n"
	if err := os.WriteFile(filepath.Join(dir, "c.csv"), []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "padron.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	importFiles(t, st, dir, "c.csv")
	if _, err := dedupe.Run(ctx, st, dedupe.Options{}); err != nil {
		t.Fatal(err)
	}
	anna, _ := st.ResolveRef(ctx, "c.csv:1")
	person, _ := st.PersonOf(ctx, anna)
	optedOut := func() bool {
		ps, err := st.People(ctx, store.PeopleFilter{ID: person})
		if err != nil || len(ps) != 1 {
			t.Fatalf("person %d: %v", person, err)
		}
		return ps[0].OptedOut
	}
	suppressed := func() bool {
		l, err := st.SuppressionList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(l, "anna@example.org")
	}
	if optedOut() || suppressed() {
		t.Fatal("Anna is opted out before any opt-out")
	}
	facts, err := st.ConsentFacts(ctx, person)
	if err != nil || len(facts) != 1 || facts[0].Status != store.OptIn || facts[0].Source != "c.csv:1" {
		t.Fatalf("facts from the record = %+v, %v", facts, err)
	}

	if err := st.RecordConsent(ctx, []store.ConsentFact{{Channel: "fax", SubjectKind: "email", Subject: "x", Status: store.OptOut}}, "t"); err == nil {
		t.Fatal("a fax channel was accepted")
	}
	// A manual email opt-out suppresses the address and opts the person out.
	if err := st.RecordConsent(ctx, []store.ConsentFact{{Channel: store.ChannelEmail, SubjectKind: "email",
		Subject: "anna@example.org", Status: store.OptOut, Text: "by letter", PersonID: person}}, "steward"); err != nil {
		t.Fatal(err)
	}
	if !optedOut() || !suppressed() {
		t.Fatal("a manual opt-out did not opt Anna out")
	}
	// So does a pull from a mailing tool, listed as its own fact.
	if _, err := st.AddPulledSuppressions(ctx, "t", []store.PulledSuppression{{Email: "ANNA@example.org",
		Reason: "unsubscribed", Service: "mailchimp"}}); err != nil {
		t.Fatal(err)
	}
	facts, _ = st.ConsentFacts(ctx, person)
	var sources []string
	for _, f := range facts {
		sources = append(sources, f.Source+"/"+f.Status)
	}
	for _, want := range []string{"c.csv:1/opt_in", "manual/opt_out", "mailchimp pull/opt_out"} {
		if !slices.Contains(sources, want) {
			t.Fatalf("facts %v lack %s", sources, want)
		}
	}
	// A later manual opt-in lifts the manual opt-out, not the mailing tool's.
	if err := st.RecordConsent(ctx, []store.ConsentFact{{Channel: store.ChannelEmail, SubjectKind: "email",
		Subject: "anna@example.org", Status: store.OptIn, Text: "consent v2"}}, "steward"); err != nil {
		t.Fatal(err)
	}
	var manual int
	if err := st.DB().QueryRow(`SELECT count(*) FROM suppressions WHERE source = 'manual'`).Scan(&manual); err != nil || manual != 0 {
		t.Fatalf("manual suppressions after opt-in = %d, %v", manual, err)
	}
	if !suppressed() {
		t.Fatal("the mailing tool's unsubscribe was lifted by a manual opt-in")
	}
	// Nobody erased: the matcher says no.
	m, err := st.ErasedMatcher(ctx)
	if err != nil || m("anna@example.org") {
		t.Fatalf("ErasedMatcher on a store with no erasure: %v", err)
	}
}
