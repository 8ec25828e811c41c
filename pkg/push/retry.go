package push

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// RetryPolicy bounds retries of requests that failed with 429, a 5xx status, a timeout
// or a connection error. Other 4xx statuses are never retried.
type RetryPolicy struct {
	MaxAttempts int           // total tries including the first; 0 = 5
	BaseDelay   time.Duration // first backoff, doubled each retry, with jitter; 0 = 1s
	MaxDelay    time.Duration // cap on one backoff; 0 = 60s
}

// maxRetryAfter caps how long a server's Retry-After can make us wait at once.
const maxRetryAfter = 5 * time.Minute

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 60 * time.Second
	}
	return p
}

// backoff is the wait before retry number n (1-based): exponential, capped, with jitter
// in [d/2, d) so that many clients do not retry in lockstep.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half)
}

// APIError is a request the service refused, after any retries.
type APIError struct {
	Service    string
	Method     string
	Path       string
	StatusCode int
	Message    string // the service's own explanation, if it gave one
	Attempts   int
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s: %s %s: HTTP %d", e.Service, e.Method, e.Path, e.StatusCode)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (gave up after %d attempts)", e.Attempts)
	}
	switch e.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden:
		msg += "; check the API key and its permissions"
	case http.StatusNotFound:
		msg += "; check the list ID and the endpoint"
	}
	return msg
}

// client is the HTTP plumbing shared by the adapters: base URL, auth, retries.
type client struct {
	service string
	base    string // no trailing slash
	http    *http.Client
	auth    func(*http.Request)
	retry   RetryPolicy
	logf    func(format string, args ...any)
	logMu   sync.Mutex
}

func newClient(service, base string, cfg Config, auth func(*http.Request)) *client {
	hc := cfg.HTTPClient
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 10 // the default 2 would reopen connections under Mailchimp's 10-way concurrency
		hc = &http.Client{Timeout: 2 * time.Minute, Transport: tr}
	}
	return &client{
		service: service,
		base:    strings.TrimRight(base, "/"),
		http:    hc,
		auth:    auth,
		retry:   cfg.Retry.withDefaults(),
		logf:    cfg.Logf,
	}
}

// log is safe to call from concurrent batches; Logf implementations need not lock.
func (c *client) log(format string, args ...any) {
	if c.logf == nil {
		return
	}
	c.logMu.Lock()
	defer c.logMu.Unlock()
	c.logf(format, args...)
}

// request is one call; body is kept as bytes so a retry can resend it.
type request struct {
	method      string
	path        string
	query       url.Values
	contentType string
	body        []byte
}

// do sends r, retrying as the policy allows, and decodes a 2xx JSON answer into out
// (if non-nil). A refused request returns *APIError.
func (c *client) do(ctx context.Context, r request, out any) error {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, r.method, u, bytes.NewReader(r.body))
		if err != nil {
			return fmt.Errorf("%s: %s %s: %w", c.service, r.method, r.path, err)
		}
		req.Header.Set("Accept", "application/json")
		if r.contentType != "" {
			req.Header.Set("Content-Type", r.contentType)
		}
		c.auth(req)

		resp, err := c.http.Do(req)
		var data []byte
		if err == nil {
			data, err = io.ReadAll(io.LimitReader(resp.Body, 64<<20))
			resp.Body.Close()
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if attempt >= c.retry.MaxAttempts {
				return fmt.Errorf("%s: %s %s: %w (gave up after %d attempts)", c.service, r.method, r.path, err, attempt)
			}
			wait := c.retry.backoff(attempt)
			c.log("%s: %s %s: %v; retrying in %s (attempt %d of %d)", c.service, r.method, r.path, err, wait.Round(time.Millisecond), attempt+1, c.retry.MaxAttempts)
			if err := sleep(ctx, wait); err != nil {
				return err
			}
			continue
		}

		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			if out == nil || len(bytes.TrimSpace(data)) == 0 {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("%s: %s %s: unexpected response: %w", c.service, r.method, r.path, err)
			}
			return nil
		}

		apiErr := &APIError{Service: c.service, Method: r.method, Path: r.path, StatusCode: resp.StatusCode,
			Message: errorMessage(data), Attempts: attempt}
		retryable := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
		if !retryable || attempt >= c.retry.MaxAttempts {
			return apiErr
		}
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !ok {
			wait = c.retry.backoff(attempt)
		}
		c.log("%s: %s %s: HTTP %d; retrying in %s (attempt %d of %d)", c.service, r.method, r.path, resp.StatusCode, wait.Round(time.Millisecond), attempt+1, c.retry.MaxAttempts)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date (RFC 9110).
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		return min(time.Duration(secs)*time.Second, maxRetryAfter), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errorMessage extracts the human part of an error body: Mailchimp's problem+json
// (title, detail), Brevo's {code, message}, listmonk's {message}; else the raw text.
func errorMessage(data []byte) string {
	var body struct {
		Title   string `json:"title"`
		Detail  string `json:"detail"`
		Message string `json:"message"`
		Code    any    `json:"code"`
		Errors  []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &body) == nil {
		var parts []string
		if body.Title != "" {
			parts = append(parts, body.Title)
		}
		if body.Detail != "" {
			parts = append(parts, body.Detail)
		}
		if body.Message != "" {
			parts = append(parts, body.Message)
		}
		for _, e := range body.Errors {
			parts = append(parts, strings.TrimSpace(e.Field+" "+e.Message))
		}
		if body.Code != nil && body.Code != "" {
			parts = append(parts, fmt.Sprintf("(code %v)", body.Code))
		}
		if len(parts) > 0 {
			return strings.Join(parts, ": ")
		}
	}
	s := strings.TrimSpace(string(data))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// secretsOf lists the strings that must never appear in errors or logs: the key and,
// for "user:token" keys, the token alone.
func secretsOf(key string) []string {
	var s []string
	if key != "" {
		s = append(s, key)
	}
	if _, tok, ok := strings.Cut(key, ":"); ok && len(tok) >= 4 {
		s = append(s, tok)
	}
	return s
}

func redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, "[redacted]")
	}
	return s
}

// redactedError keeps errors.Is/As working (context.Canceled, *APIError) while its
// text never holds a secret.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

func redactErr(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	var ae *APIError
	if errors.As(err, &ae) {
		ae.Message = redact(ae.Message, secrets)
	}
	msg := err.Error()
	if clean := redact(msg, secrets); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

func redactLogf(logf func(string, ...any), secrets []string) func(string, ...any) {
	if logf == nil {
		return nil
	}
	return func(format string, args ...any) {
		logf("%s", redact(fmt.Sprintf(format, args...), secrets))
	}
}
