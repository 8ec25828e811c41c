package report

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/padron-org/padron/pkg/store"
)

func TestDataQuality(t *testing.T) {
	st := familyStore(t)
	r, err := DataQuality(context.Background(), st, QualityOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Counted by hand from the three files (see familyStore): 16 records, none a
	// bank statement line; Rosa's email and both invalid birth dates were not kept.
	if r.People != 10 || r.Records != 16 {
		t.Errorf("people %d, records %d; want 10, 16", r.People, r.Records)
	}
	wantFields := []FieldFill{
		{"email", share(8, 10), share(14, 16)},     // all but Rosa and Iker; 9 + 2 + 3 records
		{"phone", share(4, 10), share(4, 16)},      // Ana, Marta, Tomás, Rosa
		{"address", share(3, 10), share(3, 16)},    // Ana (Salta), Marta and Tomás (Madrid)
		{"birth_date", share(2, 10), share(2, 16)}, // Marta, Tomás
		{"national_id", share(0, 10), share(0, 16)},
	}
	if !reflect.DeepEqual(r.Fields, wantFields) {
		t.Errorf("fields:\n got %+v\nwant %+v", r.Fields, wantFields)
	}
	if r.Fields[0].People.Percent != "80.0" || r.Fields[2].Records.Percent != "18.8" {
		t.Errorf("percentages %q %q; want 80.0 and 18.8", r.Fields[0].People.Percent, r.Fields[2].Records.Percent)
	}
	if r.Uncontactable != share(1, 10) || r.OptedOut != share(0, 10) {
		t.Errorf("uncontactable %+v (want Iker alone), opted out %+v", r.Uncontactable, r.OptedOut)
	}
	if r.Problems != 3 || !reflect.DeepEqual(r.ProblemsByFile, []FileCount{{"familias.csv", 3}}) {
		t.Errorf("problems %d by file %+v", r.Problems, r.ProblemsByFile)
	}
	wantReasons := []ReasonCount{
		{"birth_date", "date … does not exist", 1, 1},
		{"birth_date", `not a date: "…"`, 1, 1},
		{"email", "not an email address: nothing after @", 1, 1},
	}
	if !reflect.DeepEqual(r.ProblemsByReason, wantReasons) {
		t.Errorf("by reason:\n got %+v\nwant %+v", r.ProblemsByReason, wantReasons)
	}
	if len(r.ProblemsDetail) != 3 || r.ProblemsDetail[0] != (ProblemCount{"familias.csv", "birth_date", "date … does not exist", 1}) {
		t.Errorf("by file and reason: %+v", r.ProblemsDetail)
	}
	if r.NotDeduped != 0 {
		t.Errorf("records not deduped: %d", r.NotDeduped)
	}
	_, pending, err := st.ReviewQueue(context.Background(), 0, 0)
	if err != nil || r.ReviewPending != int64(pending) {
		t.Errorf("review pending %d, queue %d (%v)", r.ReviewPending, pending, err)
	}
	if want := (SharedValues{1, 2, []SharedValue{{"familia@example.org", 2}}}); !reflect.DeepEqual(r.SharedEmails, want) {
		t.Errorf("shared emails %+v, want %+v", r.SharedEmails, want)
	}
	if want := (SharedValues{1, 2, []SharedValue{{"+34611222333", 2}}}); !reflect.DeepEqual(r.SharedPhones, want) {
		t.Errorf("shared phones %+v, want %+v", r.SharedPhones, want)
	}
}

// Records imported after the last dedupe are counted as waiting for one, and opted-out
// people as a share.
func TestDataQualityWaitingAndOptedOut(t *testing.T) {
	st := familyStore(t)
	ctx := context.Background()
	if _, err := st.DB().Exec(`UPDATE people SET opted_out = true WHERE given_name IN ('Jan', 'Ola');
		INSERT INTO records (id, batch_id, source_file, sheet, record_no, pos, raw) VALUES (9001, 1, 'x.csv', '', 1, 2, '[]')`); err != nil {
		t.Fatal(err)
	}
	r, err := DataQuality(ctx, st, QualityOptions{Top: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.OptedOut != share(2, 10) || r.OptedOut.Percent != "20.0" || r.NotDeduped != 1 || r.Records != 17 {
		t.Errorf("opted out %+v, not deduped %d, records %d", r.OptedOut, r.NotDeduped, r.Records)
	}
}

func TestDataQualityWriters(t *testing.T) {
	st := familyStore(t)
	r, err := DataQuality(context.Background(), st, QualityOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var md bytes.Buffer
	if err := WriteQualityMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Data quality report\n",
		"10 people after dedupe, from 16 records about people.",
		"| email | 8 | 80.0% | 14 | 87.5% |",
		"| with no email, phone or address (cannot be contacted) | 1 | 10.0% |",
		"| familias.csv | birth_date | date … does not exist | 1 |",
		"Shared emails: 1, held by 2 people.",
		"| familia@example.org | 2 |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	var js bytes.Buffer
	if err := WriteQualityJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	var back QualityReport
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || !reflect.DeepEqual(&back, r) {
		t.Errorf("JSON round trip: %v\n%s", err, js.String())
	}
}

func TestDataQualityEmptyStore(t *testing.T) {
	st, err := store.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r, err := DataQuality(context.Background(), st, QualityOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.People != 0 || r.Fields[0].People.Percent != "" || r.ProblemsByFile == nil || r.SharedEmails.Top == nil {
		t.Errorf("empty store: %+v", r)
	}
	var js bytes.Buffer
	if err := WriteQualityJSON(&js, r); err != nil || strings.Contains(js.String(), "null") {
		t.Errorf("JSON of an empty store has null: %v\n%s", err, js.String())
	}
}
