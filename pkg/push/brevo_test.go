package push

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testBrevoKey = "xkeysib-abc123"

// fakeBrevo implements POST /v3/contacts/import (202 {"processId": n}) and checks the
// api-key header, the JSON content type and a body of documented fields only.
type fakeBrevo struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []brevoImport
	sizes  []int // bytes per request body
}

func newFakeBrevo(t *testing.T) *fakeBrevo {
	f := &fakeBrevo{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("api-key") != testBrevoKey || r.Header.Get("Authorization") != "" {
			t.Errorf("auth headers: api-key=%q Authorization=%q", r.Header.Get("api-key"), r.Header.Get("Authorization"))
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v3/contacts/import" || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s (%s); want POST /v3/contacts/import JSON", r.Method, r.URL, r.Header.Get("Content-Type"))
			http.NotFound(w, r)
			return
		}
		var raw json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
			t.Error(err)
		}
		var body brevoImport
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			t.Errorf("body: %v", err)
		}
		f.mu.Lock()
		f.bodies = append(f.bodies, body)
		f.sizes = append(f.sizes, len(raw))
		id := len(f.bodies) + 77
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintf(w, `{"processId":%d}`, id)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func TestBrevoPush(t *testing.T) {
	f := newFakeBrevo(t)
	members := makeMembers(12000)
	members[0].Phone = "+34600111222"
	members[0].Fields = map[string]string{"city": "Sevilla"}
	members[0].Tags = []string{"ignored"}
	members[1].GivenName, members[1].FamilyName = "", ""
	members[2].Email = ""

	var logs []string
	p, err := New("brevo", Config{APIKey: testBrevoKey, Endpoint: f.srv.URL + "/v3", List: "7",
		Logf: func(format string, a ...any) { logs = append(logs, fmt.Sprintf(format, a...)) }})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]Result{}
	err = p.Push(context.Background(), members, func(rs []Result) error {
		for _, r := range rs {
			byID[r.PersonID] = r
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var counts []int
	for _, b := range f.bodies {
		counts = append(counts, len(b.JSONBody))
		if !reflect.DeepEqual(b.ListIDs, []int64{7}) || !b.UpdateExistingContacts || b.EmptyContactsAttributes {
			t.Errorf("import options = %+v", b)
		}
		for _, c := range b.JSONBody {
			if c.Email == "" {
				t.Error("a contact with an empty email was sent")
			}
		}
	}
	if !reflect.DeepEqual(counts, []int{5000, 5000, 1999}) {
		t.Errorf("contacts per import = %v; want 5000, 5000, 1999", counts)
	}
	want := []brevoContact{
		{Email: "new1@example.org", Attributes: map[string]string{"FIRSTNAME": "Given1", "LASTNAME": "Family", "SMS": "+34600111222", "CITY": "Sevilla"}},
		{Email: "new2@example.org"},
	}
	if got := f.bodies[0].JSONBody[:2]; !reflect.DeepEqual(got, want) {
		t.Errorf("first contacts = %+v\nwant %+v", got, want)
	}
	if len(byID) != 12000 {
		t.Errorf("%d results; want 12000", len(byID))
	}
	if r := byID[1]; r.Status != StatusSent || r.Ref != "78" {
		t.Errorf("result 1 = %+v; want sent with process 78", r)
	}
	if r := byID[12000]; r.Status != StatusSent || r.Ref != "80" {
		t.Errorf("result 12000 = %+v; want sent with process 80", r)
	}
	if r := byID[3]; r.Status != StatusFailed {
		t.Errorf("result 3 (no email) = %+v", r)
	}
	if len(logs) != 3 || !strings.Contains(logs[0], "import process 78 started for 5000 contacts") {
		t.Errorf("logs = %q", logs)
	}
}

func TestBrevoWireFormat(t *testing.T) {
	body := brevoImport{JSONBody: []brevoContact{{Email: "a@example.org", Attributes: map[string]string{"FIRSTNAME": "Ana"}}},
		ListIDs: []int64{7}, UpdateExistingContacts: true}
	got, _ := json.Marshal(body)
	want := `{"jsonBody":[{"email":"a@example.org","attributes":{"FIRSTNAME":"Ana"}}],"listIds":[7],"updateExistingContacts":true,"emptyContactsAttributes":false}`
	if string(got) != want {
		t.Errorf("body = %s\nwant  %s", got, want)
	}
}

func TestBrevoSplitsOversizedBatches(t *testing.T) {
	f := newFakeBrevo(t)
	members := makeMembers(5000)
	big := strings.Repeat("x", 2500) // 5,000 × 2.5 KB ≈ 12.5 MB: over Brevo's 8 MB advice
	for i := range members {
		members[i].Fields = map[string]string{"NOTES": big}
	}
	p, _ := New("brevo", Config{APIKey: testBrevoKey, Endpoint: f.srv.URL + "/v3", List: "7"})
	seen := map[int64]int{}
	if err := p.Push(context.Background(), members, func(rs []Result) error {
		for _, r := range rs {
			seen[r.PersonID]++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(f.sizes) < 2 {
		t.Errorf("%d imports; want the batch split", len(f.sizes))
	}
	for _, s := range f.sizes {
		if s > brevoMaxBody {
			t.Errorf("an import body of %d bytes; want at most %d", s, brevoMaxBody)
		}
	}
	if len(seen) != 5000 {
		t.Errorf("%d members reported; want 5000", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("person %d reported %d times", id, n)
		}
	}
}

func TestBrevoPull(t *testing.T) {
	// 2,500 contacts, every tenth blocklisted, served in pages of the requested limit.
	type contact struct {
		Email            string `json:"email"`
		ID               int    `json:"id"`
		EmailBlacklisted bool   `json:"emailBlacklisted"`
		SmsBlacklisted   bool   `json:"smsBlacklisted"`
		ModifiedAt       string `json:"modifiedAt"`
	}
	all := make([]contact, 2500)
	for i := range all {
		all[i] = contact{Email: fmt.Sprintf("C%d@Example.org", i), ID: i, EmailBlacklisted: i%10 == 0, SmsBlacklisted: i%7 == 0,
			ModifiedAt: "2026-04-01T09:30:00.000+02:00"}
	}
	var offsets []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodGet || r.URL.Path != "/v3/contacts" || r.Header.Get("api-key") != testBrevoKey {
			t.Errorf("request %s %s", r.Method, r.URL)
		}
		if q.Get("limit") != "1000" || q.Get("modifiedSince") != "2026-03-31T22:00:00.000Z" {
			t.Errorf("query = %v", q)
		}
		offsets = append(offsets, q.Get("offset"))
		off, _ := strconv.Atoi(q.Get("offset"))
		end := min(off+1000, len(all))
		json.NewEncoder(w).Encode(map[string]any{"contacts": all[min(off, end):end], "count": len(all)})
	}))
	defer srv.Close()
	p, _ := New("brevo", Config{APIKey: testBrevoKey, Endpoint: srv.URL + "/v3", List: "7"})
	since := time.Date(2026, 4, 1, 0, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	got, err := p.Pull(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(offsets, []string{"0", "1000", "2000"}) {
		t.Errorf("offsets = %v", offsets)
	}
	if len(got) != 250 {
		t.Fatalf("%d suppressions; want 250", len(got))
	}
	w := Suppression{Email: "c10@example.org", Reason: "blocklisted", Source: "brevo", At: time.Date(2026, 4, 1, 7, 30, 0, 0, time.UTC)}
	if g := got[1]; g.Email != w.Email || g.Reason != w.Reason || g.Source != w.Source || !g.At.Equal(w.At) {
		t.Errorf("got[1] = %+v; want %+v", g, w)
	}
}
