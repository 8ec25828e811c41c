package push

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMailchimpBaseURL(t *testing.T) {
	tests := []struct {
		key, want, err string
	}{
		{"abc123-us21", "https://us21.api.mailchimp.com/3.0", ""},
		{"0123456789abcdef-us6", "https://us6.api.mailchimp.com/3.0", ""},
		{"with-dash-inside-us1", "https://us1.api.mailchimp.com/3.0", ""},
		{"abc123", "", "no data-centre suffix"},
		{"abc123-", "", "no data-centre suffix"},
		{"abc123-evil.com/x", "", "not letters and digits"},
		{"abc123-US21", "", "not letters and digits"},
	}
	for _, tt := range tests {
		got, err := mailchimpBaseURL(tt.key)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("mailchimpBaseURL(%q) error = %v; want %q", tt.key, err, tt.err)
			}
			if err != nil && strings.Contains(err.Error(), tt.key) {
				t.Errorf("mailchimpBaseURL(%q) error repeats the key: %v", tt.key, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("mailchimpBaseURL(%q) = %q, %v; want %q", tt.key, got, err, tt.want)
		}
	}
}

// TestMailchimpDefaultEndpoint checks that without an Endpoint the requests go to the
// data centre named by the key (intercepted by a transport, nothing leaves the host).
func TestMailchimpDefaultEndpoint(t *testing.T) {
	var got []string
	var mu sync.Mutex
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.String())
		mu.Unlock()
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
	})}
	p, err := New("mailchimp", Config{APIKey: "abc123-us21", List: "L1", HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Push(context.Background(), makeMembers(1), nil); err != nil {
		t.Fatal(err)
	}
	want := []string{"POST https://us21.api.mailchimp.com/3.0/lists/L1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests = %q; want %q", got, want)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestSubscriberHash(t *testing.T) {
	// The example from Mailchimp's "Manage subscribers" guide.
	const want = "62eeb292278cc15f5817cb78f7790b08"
	for _, email := range []string{"urist.mcvankab@freddiesjokes.com", "Urist.McVankab@freddiesjokes.com", " urist.mcvankab@freddiesjokes.com "} {
		if got := SubscriberHash(email); got != want {
			t.Errorf("SubscriberHash(%q) = %s; want %s", email, got, want)
		}
	}
}

func TestMailchimpPushBatchesAndResults(t *testing.T) {
	f := newFakeMailchimp(t)
	members := makeMembers(1234)
	members[0].Phone = "+34600111222"
	members[0].Fields = map[string]string{"CITY": "Sevilla", "empty": ""}
	members[0].Tags = []string{"donor", "2026"}
	members[1].Email = "old2@example.org"       // an existing member: updated
	f.reject["new3@example.org"] = "looks fake" // a per-member rejection
	f.reject["new1000@example.org"] = "Member In Compliance State"

	cfg := f.config()
	cfg.Tags = []string{"padron", "donor"}
	cfg.MaxConns = 1 // batches in order, so the first body holds member 1
	p, err := New("mailchimp", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var calls [][]Result
	err = p.Push(context.Background(), members, func(rs []Result) error {
		calls = append(calls, rs) // onBatch is never called concurrently
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.check()

	if !reflect.DeepEqual(f.sizes, []int{500, 500, 234}) {
		t.Errorf("batch sizes = %v; want 500, 500, 234", f.sizes)
	}
	if len(calls) != 3 {
		t.Errorf("onBatch called %d times; want 3", len(calls))
	}

	// The first member's JSON, exactly.
	first := f.firstBody.Members[:2]
	wantFirst := []mcMember{{EmailAddress: "new1@example.org", Status: "subscribed",
		MergeFields: map[string]string{"FNAME": "Given1", "LNAME": "Family", "PHONE": "+34600111222", "CITY": "Sevilla"},
		Tags:        []string{"padron", "donor", "2026"}},
		{EmailAddress: "old2@example.org", Status: "subscribed",
			MergeFields: map[string]string{"FNAME": "Given2", "LNAME": "Family"}, Tags: []string{"padron", "donor"}}}
	if !reflect.DeepEqual(first, wantFirst) {
		t.Errorf("first members sent as %+v\nwant %+v", first, wantFirst)
	}

	byID := map[int64]Result{}
	for _, rs := range calls {
		for _, r := range rs {
			if _, dup := byID[r.PersonID]; dup {
				t.Errorf("person %d reported twice", r.PersonID)
			}
			byID[r.PersonID] = r
		}
	}
	if len(byID) != 1234 {
		t.Fatalf("%d results; want 1234", len(byID))
	}
	want := map[int64]Result{
		1:    {PersonID: 1, Email: "new1@example.org", Status: StatusCreated},
		2:    {PersonID: 2, Email: "old2@example.org", Status: StatusUpdated},
		3:    {PersonID: 3, Email: "new3@example.org", Status: StatusFailed, Error: "looks fake (ERROR_GENERIC)"},
		1000: {PersonID: 1000, Email: "new1000@example.org", Status: StatusFailed, Error: "Member In Compliance State (ERROR_GENERIC)"},
		1234: {PersonID: 1234, Email: "new1234@example.org", Status: StatusCreated},
	}
	for id, w := range want {
		if byID[id] != w {
			t.Errorf("result for person %d = %+v; want %+v", id, byID[id], w)
		}
	}
}

func TestMailchimpBodyJSON(t *testing.T) {
	// The wire format, field by field, as the batch endpoint documents it.
	body := mcBatchRequest{UpdateExisting: true, Members: []mcMember{{EmailAddress: "a@example.org", Status: "subscribed",
		MergeFields: map[string]string{"FNAME": "Ana"}, Tags: []string{"t"}}, {EmailAddress: "b@example.org", Status: "subscribed"}}}
	got, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"members":[{"email_address":"a@example.org","status":"subscribed","merge_fields":{"FNAME":"Ana"},"tags":["t"]},` +
		`{"email_address":"b@example.org","status":"subscribed"}],"update_existing":true}`
	if string(got) != want {
		t.Errorf("body = %s\nwant  %s", got, want)
	}
}

func TestMailchimpConcurrencyNeverAboveTen(t *testing.T) {
	f := newFakeMailchimp(t)
	f.latency = 5 * time.Millisecond // keep requests overlapping
	cfg := f.config()
	cfg.MaxConns = 50 // capped to Mailchimp's 10
	p, err := New("mailchimp", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Push(context.Background(), makeMembers(15000), nil); err != nil {
		t.Fatal(err)
	}
	f.check()
	if got := f.requests.Load(); got != 30 {
		t.Errorf("%d requests; want 30", got)
	}
	if peak := f.peak.Load(); peak > 10 {
		t.Errorf("peak concurrency %d; Mailchimp allows 10", peak)
	}
}

func TestMailchimpEmptyEmailNeverSent(t *testing.T) {
	f := newFakeMailchimp(t)
	p, err := New("mailchimp", f.config())
	if err != nil {
		t.Fatal(err)
	}
	members := []Member{
		{PersonID: 1, Email: ""},
		{PersonID: 2, Email: "a@example.org"},
		{PersonID: 3, Email: "   "},
		{PersonID: 4, Email: "a@example.org"}, // same address twice: sent once
	}
	var got []Result
	if err := p.Push(context.Background(), members, func(rs []Result) error { got = append(got, rs...); return nil }); err != nil {
		t.Fatal(err)
	}
	f.check()
	if _, ok := f.seen[""]; ok || len(f.seen) != 1 || f.seen["a@example.org"] != 1 {
		t.Errorf("fake received %v; want only a@example.org once", f.seen)
	}
	want := []Result{
		{PersonID: 1, Status: StatusFailed, Error: "no email address"},
		{PersonID: 3, Status: StatusFailed, Error: "no email address"},
		{PersonID: 4, Email: "a@example.org", Status: StatusFailed, Error: "same email as person 2 in this push; sent once"},
		{PersonID: 2, Email: "a@example.org", Status: StatusCreated},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results = %+v\nwant %+v", got, want)
	}

	// Only empty emails: nothing is sent at all.
	before := f.requests.Load()
	if err := p.Push(context.Background(), []Member{{PersonID: 9}}, nil); err != nil {
		t.Fatal(err)
	}
	if f.requests.Load() != before {
		t.Error("a push of only empty emails made a request")
	}
}

func TestMailchimpBatchFailureStopsPush(t *testing.T) {
	f := newFakeMailchimp(t)
	f.fail = func(n int) (int, http.Header, string, bool) {
		if n == 2 {
			return 400, nil, `{"type":"https://mailchimp.com/developer/marketing/docs/errors/","title":"Invalid Resource","status":400,"detail":"The resource submitted could not be validated."}`, true
		}
		return 0, nil, "", false
	}
	cfg := f.config()
	cfg.MaxConns = 1 // deterministic order
	p, err := New("mailchimp", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var reported int
	err = p.Push(context.Background(), makeMembers(2000), func(rs []Result) error { reported += len(rs); return nil })
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 {
		t.Fatalf("err = %v; want an *APIError 400", err)
	}
	for _, want := range []string{"batch 2 of 4", "Invalid Resource", "could not be validated"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if got := f.requests.Load(); got != 2 {
		t.Errorf("%d requests; want 2 (400 is not retried, later batches not started)", got)
	}
	if reported != 500 {
		t.Errorf("%d results reported; want the 500 of the first batch", reported)
	}
}

func TestMailchimpOnBatchErrorStopsPush(t *testing.T) {
	f := newFakeMailchimp(t)
	cfg := f.config()
	cfg.MaxConns = 1
	p, _ := New("mailchimp", cfg)
	stop := errors.New("journal full")
	err := p.Push(context.Background(), makeMembers(3000), func([]Result) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("err = %v; want the onBatch error", err)
	}
	if got := f.requests.Load(); got > 3 {
		t.Errorf("%d requests after onBatch failed; want it to stop early", got)
	}
}

// fakeMailchimpMembers serves GET /3.0/lists/{id}/members from fixed data, paging by
// count/offset, and checks the query each time.
func TestMailchimpPull(t *testing.T) {
	since := time.Date(2026, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600))
	unsub := make([]map[string]string, 1500)
	for i := range unsub {
		unsub[i] = map[string]string{"email_address": fmt.Sprintf("U%d@Example.org", i), "status": "unsubscribed",
			"last_changed": "2026-03-02T10:00:00+00:00"}
	}
	unsub[0]["unsubscribe_reason"] = "No longer interested"
	cleaned := []map[string]string{{"email_address": "bounce@example.org", "status": "cleaned", "last_changed": "2026-03-05T08:00:00+00:00"}}

	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pass, _ := r.BasicAuth(); pass != testMCKey || r.Method != http.MethodGet || r.URL.Path != "/3.0/lists/"+testMCList+"/members" {
			t.Errorf("bad request %s %s", r.Method, r.URL)
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		mu.Lock()
		queries = append(queries, q.Get("status")+" offset="+q.Get("offset"))
		mu.Unlock()
		if q.Get("count") != "1000" || q.Get("since_last_changed") != "2026-03-01T11:30:00+00:00" ||
			q.Get("fields") != "members.email_address,members.status,members.last_changed,members.unsubscribe_reason,total_items" {
			t.Errorf("query = %v", q)
		}
		var all []map[string]string
		switch q.Get("status") {
		case "unsubscribed":
			all = unsub
		case "cleaned":
			all = cleaned
		default:
			t.Errorf("status = %q", q.Get("status"))
		}
		var off int
		fmt.Sscan(q.Get("offset"), &off)
		end := min(off+1000, len(all))
		json.NewEncoder(w).Encode(map[string]any{"members": all[min(off, end):end], "total_items": len(all)})
	}))
	defer srv.Close()

	cfg := Config{APIKey: testMCKey, Endpoint: srv.URL + "/3.0", List: testMCList}
	p, err := New("mailchimp", cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Pull(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	wantQ := []string{"unsubscribed offset=0", "unsubscribed offset=1000", "cleaned offset=0"}
	if !reflect.DeepEqual(queries, wantQ) {
		t.Errorf("queries = %v; want %v", queries, wantQ)
	}
	if len(got) != 1501 {
		t.Fatalf("%d suppressions; want 1501", len(got))
	}
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	if w := (Suppression{Email: "u0@example.org", Reason: "unsubscribed", Detail: "No longer interested", Source: "mailchimp"}); got[0].Email != w.Email ||
		got[0].Reason != w.Reason || got[0].Detail != w.Detail || got[0].Source != w.Source || !got[0].At.Equal(at) {
		t.Errorf("first = %+v", got[0])
	}
	last := got[1500]
	if last.Email != "bounce@example.org" || last.Reason != "cleaned" || !last.At.Equal(time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("last = %+v", last)
	}

	// Without since, the filter is not sent.
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("since_last_changed") {
			t.Errorf("since_last_changed sent without since: %s", r.URL)
		}
		fmt.Fprint(w, `{"members":[],"total_items":0}`)
	}))
	defer srv2.Close()
	cfg.Endpoint = srv2.URL
	p, _ = New("mailchimp", cfg)
	if s, err := p.Pull(context.Background(), time.Time{}); err != nil || len(s) != 0 {
		t.Errorf("Pull = %v, %v", s, err)
	}
}
