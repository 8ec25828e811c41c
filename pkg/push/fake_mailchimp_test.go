package push

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testMCKey  = "0123456789abcdef0123456789abcdef-us21"
	testMCList = "a1b2c3d4e5"
)

// fakeMailchimp implements the documented batch endpoint (POST /3.0/lists/{list_id})
// and checks every request: method, path, Basic auth with the key as password, JSON
// content type, a body with only documented fields, update_existing true, at most 500
// members. It records every email it received and the peak number of requests in flight.
type fakeMailchimp struct {
	t       testing.TB
	srv     *httptest.Server
	latency time.Duration
	// reject maps an email to the error Mailchimp reports for it in errors[].
	reject map[string]string
	// fail, if set, may answer a request itself (status, body); ok=false lets it through.
	fail func(n int) (status int, header http.Header, body string, ok bool)

	requests  atomic.Int64
	inflight  atomic.Int64
	peak      atomic.Int64
	mu        sync.Mutex
	sizes     []int
	seen      map[string]int
	problems  []string
	firstBody *mcBatchRequest
}

func newFakeMailchimp(t testing.TB) *fakeMailchimp {
	f := &fakeMailchimp{t: t, seen: map[string]int{}, reject: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMailchimp) problem(format string, args ...any) {
	f.mu.Lock()
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

// check fails the test for any request the fake found wrong.
func (f *fakeMailchimp) check() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.problems {
		f.t.Error(p)
	}
}

func (f *fakeMailchimp) serve(w http.ResponseWriter, r *http.Request) {
	n := int(f.requests.Add(1))
	cur := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for {
		p := f.peak.Load()
		if cur <= p || f.peak.CompareAndSwap(p, cur) {
			break
		}
	}
	if f.latency > 0 {
		time.Sleep(f.latency)
	}
	if user, pass, ok := r.BasicAuth(); !ok || user == "" || pass != testMCKey {
		f.problem("request %d: Basic auth = %q/%q, %v; want any user and the API key as password", n, user, pass, ok)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodGet {
		f.problem("unexpected GET %s", r.URL)
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/3.0/lists/"+testMCList || r.URL.RawQuery != "" {
		f.problem("request %d: %s %s; want POST /3.0/lists/%s", n, r.Method, r.URL, testMCList)
		http.NotFound(w, r)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.problem("request %d: Content-Type %q", n, ct)
	}
	if f.fail != nil {
		if status, h, body, ok := f.fail(n); ok {
			for k, v := range h {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			fmt.Fprint(w, body)
			return
		}
	}
	var body mcBatchRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		f.problem("request %d: body: %v", n, err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if !body.UpdateExisting {
		f.problem("request %d: update_existing is false", n)
	}
	if len(body.Members) == 0 || len(body.Members) > 500 {
		f.problem("request %d: %d members; want 1..500", n, len(body.Members))
	}
	var resp bytes.Buffer
	resp.WriteString(`{"new_members":[`)
	var updated, errs []string
	created := 0
	f.mu.Lock()
	if f.firstBody == nil {
		f.firstBody = &body
	}
	f.sizes = append(f.sizes, len(body.Members))
	for i, m := range body.Members {
		if m.EmailAddress == "" {
			f.problems = append(f.problems, fmt.Sprintf("request %d: member %d has an empty email_address", n, i))
		}
		if m.Status == "" {
			f.problems = append(f.problems, fmt.Sprintf("request %d: member %d has no status", n, i))
		}
		f.seen[m.EmailAddress]++
		switch {
		case f.reject[m.EmailAddress] != "":
			errs = append(errs, fmt.Sprintf(`{"email_address":%q,"error":%q,"error_code":"ERROR_GENERIC","field":"","field_message":""}`,
				m.EmailAddress, f.reject[m.EmailAddress]))
		case strings.HasPrefix(m.EmailAddress, "old"):
			updated = append(updated, fmt.Sprintf(`{"email_address":%q,"status":"subscribed"}`, m.EmailAddress))
		default:
			if created > 0 {
				resp.WriteString(",")
			}
			created++
			fmt.Fprintf(&resp, `{"id":"x","email_address":%q,"status":"subscribed"}`, m.EmailAddress)
		}
	}
	f.mu.Unlock()
	fmt.Fprintf(&resp, `],"updated_members":[%s],"errors":[%s],"total_created":%d,"total_updated":%d,"error_count":%d}`,
		strings.Join(updated, ","), strings.Join(errs, ","), created, len(updated), len(errs))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(resp.Bytes())
}

func (f *fakeMailchimp) config() Config {
	return Config{APIKey: testMCKey, Endpoint: f.srv.URL + "/3.0", List: testMCList,
		Retry: RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}}
}

// makeMembers builds n members with distinct emails new<i>@example.org.
func makeMembers(n int) []Member {
	ms := make([]Member, n)
	for i := range ms {
		ms[i] = Member{PersonID: int64(i + 1), Email: "new" + strconv.Itoa(i+1) + "@example.org",
			GivenName: "Given" + strconv.Itoa(i+1), FamilyName: "Family"}
	}
	return ms
}
