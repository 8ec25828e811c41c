package push

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewUnknownServiceListsKnown(t *testing.T) {
	_, err := New("sendgrid", Config{})
	if err == nil || !strings.Contains(err.Error(), `"sendgrid"`) || !strings.Contains(err.Error(), "mailchimp, brevo, listmonk") {
		t.Errorf("err = %v; want it to name the service and list the known ones", err)
	}
	if got := Names(); !reflect.DeepEqual(got, []string{"mailchimp", "brevo", "listmonk"}) {
		t.Errorf("Names() = %v", got)
	}
	cfgs := map[string]Config{
		"mailchimp": {APIKey: "k-us1", List: "L"},
		"brevo":     {APIKey: "k", List: "1"},
		"listmonk":  {APIKey: "u:k", List: "1", Endpoint: "https://l.example.org"},
	}
	for name, cfg := range cfgs {
		p, err := New(name, cfg)
		if err != nil || p.Name() != name {
			t.Errorf("New(%q) = %v, %v", name, p, err)
		}
	}
}

func TestBatchSize(t *testing.T) {
	for name, want := range map[string]int{"mailchimp": 500, "brevo": 5000, "listmonk": 5000, "nope": 0} {
		if got := BatchSize(name); got != want {
			t.Errorf("BatchSize(%q) = %d; want %d", name, got, want)
		}
	}
}

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"mailchimp", Config{List: "x"}, "no API key"},
		{"mailchimp", Config{APIKey: "secretkey", List: "x"}, "no data-centre suffix"},
		{"mailchimp", Config{APIKey: "secretkey-us1"}, "no list configured"},
		{"mailchimp", Config{APIKey: "secretkey-us1", List: "x", StatusIfNew: "cleaned"}, `status "cleaned"`},
		{"brevo", Config{List: "3"}, "no API key"},
		{"brevo", Config{APIKey: "secretkey", List: "newsletter"}, "not a positive number"},
		{"listmonk", Config{APIKey: "u:secretkey", List: "1"}, "no endpoint"},
		{"listmonk", Config{APIKey: "secretkey", List: "1", Endpoint: "https://l.example.org"}, `"api_user:token"`},
		{"listmonk", Config{APIKey: "u:secretkey", List: "1", Endpoint: "l.example.org"}, "not an http(s) URL"},
		{"listmonk", Config{APIKey: "u:secretkey", List: "one", Endpoint: "https://l.example.org"}, "not a positive number"},
	}
	for _, tt := range tests {
		_, err := New(tt.name, tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%s, %+v) error = %v; want %q", tt.name, tt.cfg, err, tt.want)
			continue
		}
		if strings.Contains(err.Error(), "secretkey") {
			t.Errorf("New(%s) error shows the key: %v", tt.name, err)
		}
	}
}

// newCountingServer answers with handler and counts requests.
func newCountingServer(t *testing.T, handler func(n int, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler(int(n.Add(1)), w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func fastRetry() RetryPolicy {
	return RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond}
}

const okBatch = `{"new_members":[{"email_address":"new1@example.org"}],"updated_members":[],"errors":[]}`

func TestRetry(t *testing.T) {
	tests := []struct {
		name     string
		respond  func(n int, w http.ResponseWriter)
		requests int64
		wantErr  string
	}{
		{"429 then success, Retry-After 0", func(n int, w http.ResponseWriter) {
			if n == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(429)
				fmt.Fprint(w, `{"title":"Too Many Requests","status":429,"detail":"You have exceeded the limit of 10 simultaneous connections."}`)
				return
			}
			fmt.Fprint(w, okBatch)
		}, 2, ""},
		{"500 twice then success", func(n int, w http.ResponseWriter) {
			if n <= 2 {
				w.WriteHeader(500)
				return
			}
			fmt.Fprint(w, okBatch)
		}, 3, ""},
		{"503 until attempts run out", func(n int, w http.ResponseWriter) {
			w.WriteHeader(503)
			fmt.Fprint(w, `{"title":"Service Unavailable","detail":"try later"}`)
		}, 5, "HTTP 503: Service Unavailable: try later (gave up after 5 attempts)"},
		{"400 not retried", func(n int, w http.ResponseWriter) {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"title":"Invalid Resource","status":400,"detail":"Blank email address"}`)
		}, 1, "HTTP 400: Invalid Resource: Blank email address"},
		{"401 not retried, says what to check", func(n int, w http.ResponseWriter) {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"title":"API Key Invalid","status":401,"detail":"Your API key may be invalid, or you've attempted to access the wrong datacenter."}`)
		}, 1, "check the API key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, n := newCountingServer(t, func(n int, w http.ResponseWriter, r *http.Request) { tt.respond(n, w) })
			p, err := New("mailchimp", Config{APIKey: testMCKey, Endpoint: srv.URL, List: "L", Retry: fastRetry()})
			if err != nil {
				t.Fatal(err)
			}
			err = p.Push(context.Background(), makeMembers(1), nil)
			if got := n.Load(); got != tt.requests {
				t.Errorf("%d requests; want %d", got, tt.requests)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("err = %v; want %q", err, tt.wantErr)
			}
		})
	}
}

func TestRetryHonoursRetryAfterOverBackoff(t *testing.T) {
	// BaseDelay is an hour, so only Retry-After: 0 can make the retry immediate. The
	// retry is logged before the wait; any other wait cancels the push instead of
	// letting the test hang.
	srv, n := newCountingServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
			return
		}
		fmt.Fprint(w, okBatch)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs []string
	p, _ := New("mailchimp", Config{APIKey: testMCKey, Endpoint: srv.URL, List: "L",
		Retry: RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour},
		Logf: func(f string, a ...any) {
			l := fmt.Sprintf(f, a...)
			logs = append(logs, l)
			if strings.Contains(l, "retrying") && !strings.Contains(l, "HTTP 429; retrying in 0s (attempt 2 of 5)") {
				cancel()
			}
		}})
	if err := p.Push(ctx, makeMembers(1), nil); err != nil || n.Load() != 2 {
		t.Errorf("err = %v, %d requests, logs %q", err, n.Load(), logs)
	}
}

func TestRetryConnectionErrors(t *testing.T) {
	// The first connection is closed without an answer; the retry succeeds.
	srv, n := newCountingServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		fmt.Fprint(w, okBatch)
	})
	p, _ := New("mailchimp", Config{APIKey: testMCKey, Endpoint: srv.URL, List: "L", Retry: fastRetry()})
	if err := p.Push(context.Background(), makeMembers(1), nil); err != nil || n.Load() != 2 {
		t.Errorf("err = %v, %d requests; want success on the second", err, n.Load())
	}

	// Nothing listening: bounded attempts, then a clear error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var logs []string
	p, _ = New("mailchimp", Config{APIKey: testMCKey, Endpoint: "http://" + addr, List: "L",
		Retry: RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond}, Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) }})
	err = p.Push(context.Background(), makeMembers(1), nil)
	if err == nil || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Errorf("err = %v", err)
	}
	if len(logs) != 2 || !strings.Contains(logs[0], "retrying") {
		t.Errorf("logs = %q; want 2 retry lines", logs)
	}
}

func TestRetryStopsOnContextCancel(t *testing.T) {
	srv, _ := newCountingServer(t, func(n int, w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	ctx, cancel := context.WithCancel(context.Background())
	p, _ := New("mailchimp", Config{APIKey: testMCKey, Endpoint: srv.URL, List: "L",
		Retry: RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Hour},
		Logf:  func(string, ...any) { cancel() }}) // cancel while waiting to retry
	err := p.Push(ctx, makeMembers(1), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{"-1", 0, false},
		{"99999", maxRetryAfter, true},
		{"Thu, 01 Jan 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Thu, 01 Jan 2026 11:00:00 GMT", 0, true},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	for n, hi := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 10: time.Second} {
		for range 50 {
			if d := p.backoff(n); d < hi/2 || d >= hi {
				t.Errorf("backoff(%d) = %v; want in [%v, %v)", n, d, hi/2, hi)
			}
		}
	}
	if d := (RetryPolicy{}).withDefaults(); d.MaxAttempts != 5 || d.BaseDelay != time.Second {
		t.Errorf("defaults = %+v", d)
	}
}

// TestSecretsNeverLeak makes each service fail in ways that could echo the key
// (a body quoting it, retries that are logged) and checks errors and logs.
func TestSecretsNeverLeak(t *testing.T) {
	keys := map[string]string{
		"mailchimp": "deadbeefdeadbeefdeadbeefdeadbeef-us21",
		"brevo":     "xkeysib-0123456789abcdef-ABCDEFG",
		"listmonk":  "padron:s3cr3t-t0ken-value",
	}
	for name, key := range keys {
		t.Run(name, func(t *testing.T) {
			_, token, _ := strings.Cut(key, ":")
			srv, _ := newCountingServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					w.WriteHeader(500)
					fmt.Fprintf(w, `{"message":"internal error for key %s"}`, key)
					return
				}
				w.WriteHeader(401)
				fmt.Fprintf(w, `{"title":"API Key Invalid","detail":"key %s (token %s) is invalid","message":"key %s","code":"unauthorized"}`, key, token, key)
			})
			var mu sync.Mutex
			var logs []string
			cfg := Config{APIKey: key, Endpoint: srv.URL, List: "7", Retry: fastRetry(),
				Logf: func(f string, a ...any) { mu.Lock(); logs = append(logs, fmt.Sprintf(f, a...)); mu.Unlock() }}
			p, err := New(name, cfg)
			if err != nil {
				t.Fatal(err)
			}
			pushErr := p.Push(context.Background(), makeMembers(3), nil)
			_, pullErr := p.Pull(context.Background(), time.Time{})
			for _, err := range []error{pushErr, pullErr} {
				if err == nil {
					t.Fatal("want an error")
				}
				if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), token) && token != "" {
					t.Errorf("error shows the key: %v", err)
				}
				if !strings.Contains(err.Error(), "[redacted]") {
					t.Errorf("error %q lost the service message", err)
				}
				var ae *APIError
				if !errors.As(err, &ae) || ae.StatusCode != 401 || strings.Contains(ae.Message, key) {
					t.Errorf("APIError = %+v", ae)
				}
			}
			if len(logs) == 0 {
				t.Error("no retry was logged")
			}
			for _, l := range logs {
				if strings.Contains(l, key) || token != "" && strings.Contains(l, token) {
					t.Errorf("log shows the key: %s", l)
				}
			}
		})
	}
}

func TestChunk(t *testing.T) {
	var sizes []int
	for _, b := range chunk(makeMembers(1234), 500) {
		sizes = append(sizes, len(b))
	}
	if !reflect.DeepEqual(sizes, []int{500, 500, 234}) {
		t.Errorf("sizes = %v", sizes)
	}
	if chunk(nil, 500) != nil {
		t.Error("chunk(nil) not empty")
	}
}
