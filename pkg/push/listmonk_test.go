package push

import (
	"context"
	"encoding/csv"
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

const testListmonkKey = "padron:tok3n"

// fakeListmonk implements the import API: one import at a time (400 "already running"
// while busy), status polling with GET, and the multipart upload with "params" JSON
// and a CSV "file". It checks the token auth header on every request.
type fakeListmonk struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	// otherBusy is how many status polls another (foreign) import keeps running.
	otherBusy int
	// ownPolls is how many polls our accepted import stays "importing".
	ownPolls   int
	failImport bool
	refusal    string // message of the "already running" 400; "" = listmonk's English one
	badParams  bool   // answer every upload with a 400 about the params
	status     string
	total      int
	posts      int
	refused    int
	polls      int
	params     []map[string]any
	rows       [][]string // all CSV rows received, without headers
	filenames  []string
}

func newFakeListmonk(t *testing.T) *fakeListmonk {
	f := &fakeListmonk{t: t, status: "none"}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeListmonk) statusJSON(w http.ResponseWriter) {
	imported := 0
	if f.status == "finished" {
		imported = f.total
	}
	fmt.Fprintf(w, `{"data":{"name":"padron.csv","total":%d,"imported":%d,"status":%q}}`, f.total, imported, f.status)
}

func (f *fakeListmonk) serve(w http.ResponseWriter, r *http.Request) {
	t := f.t
	if got := r.Header.Get("Authorization"); got != "token "+testListmonkKey {
		t.Errorf("Authorization = %q; want %q", got, "token "+testListmonkKey)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/import/subscribers":
		f.polls++
		switch {
		case f.otherBusy > 0:
			// this poll still sees the foreign import running; it ends afterwards
			f.statusJSON(w)
			f.otherBusy--
			if f.otherBusy == 0 {
				f.status = "finished"
			}
			return
		case f.status == "importing" && f.ownPolls > 0:
			f.ownPolls--
		case f.status == "importing":
			f.status = "finished"
			if f.failImport {
				f.status = "failed"
			}
		}
		f.statusJSON(w)
	case r.Method == http.MethodPost && r.URL.Path == "/api/import/subscribers":
		f.posts++
		if f.otherBusy > 0 || f.status == "importing" {
			f.refused++
			msg := f.refusal
			if msg == "" {
				msg = "An import is already running. Wait for it to finish or stop it before trying again."
			}
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"message":%q}`, msg)
			return
		}
		if f.badParams {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"message":"Invalid params: invalid delimiter"}`)
			return
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
		}
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			t.Error(err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var params map[string]any
		if err := json.Unmarshal([]byte(r.FormValue("params")), &params); err != nil {
			t.Errorf("params: %v", err)
		}
		f.params = append(f.params, params)
		file, hdr, err := r.FormFile("file")
		if err != nil {
			t.Error(err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.filenames = append(f.filenames, hdr.Filename)
		recs, err := csv.NewReader(file).ReadAll()
		if err != nil || len(recs) == 0 {
			t.Errorf("file is not CSV: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if !reflect.DeepEqual(recs[0], []string{"email", "name", "attributes"}) {
			t.Errorf("CSV header = %q", recs[0])
		}
		f.rows = append(f.rows, recs[1:]...)
		f.status, f.total = "importing", len(recs)-1
		f.statusJSON(w)
	default:
		t.Errorf("unexpected %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	}
}

func (f *fakeListmonk) config() Config {
	return Config{APIKey: testListmonkKey, Endpoint: f.srv.URL + "/", List: "3", StatusIfNew: "subscribed",
		PollInterval: time.Millisecond, Retry: fastRetry()}
}

func TestListmonkPush(t *testing.T) {
	f := newFakeListmonk(t)
	f.otherBusy, f.status = 2, "importing" // someone else's import is running when we start
	f.ownPolls = 1
	members := makeMembers(6000)
	members[0].Phone = "+34600111222"
	members[0].Fields = map[string]string{"city": "Sevilla, \"centro\""}
	members[1].GivenName, members[1].FamilyName = "", ""
	members[2].Email = ""

	var logs []string
	cfg := f.config()
	cfg.Logf = func(format string, a ...any) { logs = append(logs, fmt.Sprintf(format, a...)) }
	p, err := New("listmonk", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var results []Result
	if err := p.Push(context.Background(), members, func(rs []Result) error { results = append(results, rs...); return nil }); err != nil {
		t.Fatal(err)
	}
	if f.refused != 1 || f.posts != 3 {
		t.Errorf("%d posts, %d refused; want 3 and 1 (one wait for the foreign import)", f.posts, f.refused)
	}
	wantParams := map[string]any{"mode": "subscribe", "subscription_status": "confirmed", "delim": ",", "lists": []any{3.0}, "overwrite": true}
	for _, p := range f.params {
		if !reflect.DeepEqual(p, wantParams) {
			t.Errorf("params = %v; want %v", p, wantParams)
		}
	}
	if !reflect.DeepEqual(f.filenames, []string{"padron.csv", "padron.csv"}) {
		t.Errorf("file names = %q; want .csv (listmonk unzips anything else)", f.filenames)
	}
	if len(f.rows) != 5999 {
		t.Fatalf("%d rows imported; want 5999", len(f.rows))
	}
	wantRows := [][]string{
		{"new1@example.org", "Given1 Family", `{"city":"Sevilla, \"centro\"","phone":"+34600111222"}`},
		{"new2@example.org", "", ""},
		{"new4@example.org", "Given4 Family", ""},
	}
	if !reflect.DeepEqual(f.rows[:3], wantRows) {
		t.Errorf("rows = %q\nwant %q", f.rows[:3], wantRows)
	}
	for _, row := range f.rows {
		if row[0] == "" {
			t.Error("a row with an empty email was sent")
		}
	}
	sent := 0
	for _, r := range results {
		if r.Status == StatusSent {
			sent++
		}
	}
	if sent != 5999 || len(results) != 6000 {
		t.Errorf("%d results, %d sent; want 6000 and 5999", len(results), sent)
	}
	if !strings.Contains(strings.Join(logs, "\n"), "another import is running") {
		t.Errorf("logs = %q", logs)
	}
}

func TestListmonkImportFailedIsAnError(t *testing.T) {
	f := newFakeListmonk(t)
	f.failImport = true
	p, _ := New("listmonk", f.config())
	called := false
	err := p.Push(context.Background(), makeMembers(10), func([]Result) error { called = true; return nil })
	if err == nil || !strings.Contains(err.Error(), "the import failed") {
		t.Errorf("err = %v", err)
	}
	if called {
		t.Error("a failed import was reported as sent")
	}
}

func TestListmonkWaitIsBounded(t *testing.T) {
	f := newFakeListmonk(t)
	f.otherBusy, f.status = 1<<30, "importing" // never finishes
	cfg := f.config()
	cfg.ImportTimeout = 20 * time.Millisecond
	p, _ := New("listmonk", cfg)
	err := p.Push(context.Background(), makeMembers(1), nil)
	if err == nil || !strings.Contains(err.Error(), "still running") {
		t.Errorf("err = %v; want a bounded wait", err)
	}
}

func TestListmonkPull(t *testing.T) {
	since := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	blocked := make([]map[string]any, 1500)
	for i := range blocked {
		blocked[i] = map[string]any{"id": i, "email": fmt.Sprintf("B%d@example.org", i), "status": "blocklisted",
			"updated_at": "2026-05-02T10:00:00.000000+02:00", "lists": []any{}}
	}
	unsub := []map[string]any{
		{"email": "u1@example.org", "status": "enabled", "updated_at": "2026-01-01T00:00:00Z",
			"lists": []any{map[string]any{"id": 3, "subscription_status": "unsubscribed", "subscription_updated_at": "2026-05-03T00:00:00Z"}}},
		{"email": "old@example.org", "status": "enabled", "updated_at": "2026-01-01T00:00:00Z",
			"lists": []any{map[string]any{"id": 3, "subscription_status": "unsubscribed", "subscription_updated_at": "2026-04-03T00:00:00Z"}}},
		{"email": "b0@example.org", "status": "blocklisted", "updated_at": "2026-05-02T00:00:00Z",
			"lists": []any{map[string]any{"id": 3, "subscription_status": "unsubscribed"}}},
	}
	var calls []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "token "+testListmonkKey || r.Method != http.MethodGet || r.URL.Path != "/api/subscribers" {
			t.Errorf("request %s %s", r.Method, r.URL)
		}
		q := r.URL.Query()
		if q.Get("per_page") != "1000" {
			t.Errorf("per_page = %q", q.Get("per_page"))
		}
		page, _ := strconv.Atoi(q.Get("page"))
		var all []map[string]any
		switch {
		case q.Get("query") == "subscribers.status = 'blocklisted' AND subscribers.updated_at >= '2026-05-01T00:00:00Z'" && !q.Has("list_id"):
			all = blocked
			calls = append(calls, "blocklisted page "+q.Get("page"))
		case q.Get("list_id") == "3" && q.Get("subscription_status") == "unsubscribed" && !q.Has("query"):
			all = unsub
			calls = append(calls, "unsubscribed page "+q.Get("page"))
		default:
			t.Errorf("query = %v", q)
		}
		start := min((page-1)*1000, len(all))
		end := min(start+1000, len(all))
		json.NewEncoder(w).Encode(map[string]any{"data": map[string]any{"results": all[start:end], "total": len(all), "per_page": 1000, "page": page}})
	}))
	defer srv.Close()
	p, err := New("listmonk", Config{APIKey: testListmonkKey, Endpoint: srv.URL, List: "3"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Pull(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"blocklisted page 1", "blocklisted page 2", "unsubscribed page 1"}; !reflect.DeepEqual(calls, want) {
		t.Errorf("calls = %v; want %v", calls, want)
	}
	if len(got) != 1501 {
		t.Fatalf("%d suppressions; want 1500 blocklisted + u1", len(got))
	}
	if g := got[0]; g.Email != "b0@example.org" || g.Reason != "blocklisted" || g.Source != "listmonk" || !g.At.Equal(time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("got[0] = %+v", g)
	}
	if g := got[1500]; g.Email != "u1@example.org" || g.Reason != "unsubscribed" || !g.At.Equal(time.Date(2026, 5, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("got[1500] = %+v", g)
	}
}

func TestListmonkCSVQuoting(t *testing.T) {
	data, err := listmonkCSV([]Member{{Email: "a@example.org", GivenName: "Ana, María", FamilyName: "O\"Neil",
		Fields: map[string]string{"b": "2", "a": "1", "blank": " "}}})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"email", "name", "attributes"}, {"a@example.org", "Ana, María O\"Neil", `{"a":"1","b":"2"}`}}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("CSV = %q; want %q", recs, want)
	}
}

func TestListmonkTranslatedRefusalStillWaits(t *testing.T) {
	// In another UI language the message differs; the import status decides.
	f := newFakeListmonk(t)
	f.otherBusy, f.status = 1, "importing"
	f.refusal = "Ya se está ejecutando una importación."
	p, _ := New("listmonk", f.config())
	if err := p.Push(context.Background(), makeMembers(5), nil); err != nil {
		t.Fatal(err)
	}
	if f.refused != 1 || len(f.rows) != 5 {
		t.Errorf("%d refused, %d rows; want 1 and 5", f.refused, len(f.rows))
	}
}

func TestListmonkOther400IsNotRetried(t *testing.T) {
	f := newFakeListmonk(t)
	f.badParams = true
	p, _ := New("listmonk", f.config())
	err := p.Push(context.Background(), makeMembers(5), nil)
	if err == nil || !strings.Contains(err.Error(), "HTTP 400: Invalid params: invalid delimiter") {
		t.Errorf("err = %v", err)
	}
	if f.posts != 1 {
		t.Errorf("%d uploads; want 1", f.posts)
	}
}
