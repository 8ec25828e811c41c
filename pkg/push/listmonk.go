package push

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// listmonkBatchSize: listmonk runs one CSV import at a time and reports no
	// per-row outcome, so a batch is one import; 5,000 rows keeps each import short
	// while the number of imports (each polled to completion) stays small.
	listmonkBatchSize = 5000
	listmonkPageSize  = 1000
)

type listmonk struct {
	c         *client
	listID    int64
	subStatus string // listmonk subscription_status for imports, "" = listmonk's default
	poll      time.Duration
	timeout   time.Duration
}

func newListmonk(cfg Config) (Pusher, error) {
	if strings.TrimSpace(cfg.Endpoint) == "" {
		return nil, fmt.Errorf("listmonk: no endpoint; listmonk is self-hosted, give its base URL (e.g. https://lists.example.org)")
	}
	u, err := url.Parse(strings.TrimSpace(cfg.Endpoint))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("listmonk: endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	user, token, ok := strings.Cut(cfg.APIKey, ":")
	if !ok || user == "" || token == "" {
		return nil, fmt.Errorf("listmonk: the API key must be \"api_user:token\" (create an API user in listmonk under Admin > Users)")
	}
	list := strings.TrimSpace(cfg.List)
	if list == "" {
		return nil, fmt.Errorf("listmonk: %w; give the numeric list ID shown in Lists", errNoList)
	}
	id, err := strconv.ParseInt(list, 10, 64)
	if err != nil || id <= 0 {
		return nil, fmt.Errorf("listmonk: list ID %q is not a positive number; use the ID shown in Lists", list)
	}
	var sub string
	switch cfg.StatusIfNew {
	case "":
	case "subscribed", "confirmed":
		sub = "confirmed"
	case "pending", "unconfirmed":
		sub = "unconfirmed"
	default:
		return nil, fmt.Errorf("listmonk: status %q is not one of subscribed, pending", cfg.StatusIfNew)
	}
	poll, timeout := cfg.PollInterval, cfg.ImportTimeout
	if poll <= 0 {
		poll = 2 * time.Second
	}
	if timeout <= 0 {
		timeout = 30 * time.Minute
	}
	key := cfg.APIKey
	c := newClient("listmonk", strings.TrimSpace(cfg.Endpoint), cfg, func(r *http.Request) {
		r.Header.Set("Authorization", "token "+key)
	})
	return &listmonk{c: c, listID: id, subStatus: sub, poll: poll, timeout: timeout}, nil
}

func (l *listmonk) Name() string { return "listmonk" }

// listmonkParams is the "params" form field of POST /api/import/subscribers.
type listmonkParams struct {
	Mode               string  `json:"mode"`
	SubscriptionStatus string  `json:"subscription_status,omitempty"`
	Delim              string  `json:"delim"`
	Lists              []int64 `json:"lists"`
	Overwrite          bool    `json:"overwrite"`
}

type listmonkImportStatus struct {
	Data struct {
		Name     string `json:"name"`
		Total    int    `json:"total"`
		Imported int    `json:"imported"`
		Status   string `json:"status"` // none, importing, stopping, finished, failed
	} `json:"data"`
}

// listmonkCSV writes the import file: email,name,attributes with attributes a JSON
// object (phone and the user's fields). An empty name is left to listmonk, which
// derives one from the address.
func listmonkCSV(batch []Member) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write([]string{"email", "name", "attributes"}); err != nil {
		return nil, err
	}
	for _, m := range batch {
		attrs := map[string]string{}
		if p := strings.TrimSpace(m.Phone); p != "" {
			attrs["phone"] = p
		}
		for k, v := range m.Fields {
			if v = strings.TrimSpace(v); v != "" {
				attrs[k] = v
			}
		}
		a := ""
		if len(attrs) > 0 {
			data, err := json.Marshal(attrs) // map keys are sorted: reproducible files
			if err != nil {
				return nil, err
			}
			a = string(data)
		}
		name := strings.TrimSpace(strings.TrimSpace(m.GivenName) + " " + strings.TrimSpace(m.FamilyName))
		if err := w.Write([]string{m.Email, name, a}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func (l *listmonk) importBody(batch []Member) (body []byte, contentType string, err error) {
	file, err := listmonkCSV(batch)
	if err != nil {
		return nil, "", err
	}
	params, err := json.Marshal(listmonkParams{Mode: "subscribe", SubscriptionStatus: l.subStatus,
		Delim: ",", Lists: []int64{l.listID}, Overwrite: true})
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.WriteField("params", string(params)); err != nil {
		return nil, "", err
	}
	h := textproto.MIMEHeader{}
	// listmonk treats a file whose name does not end in .csv as a ZIP archive
	h.Set("Content-Disposition", `form-data; name="file"; filename="padron.csv"`)
	h.Set("Content-Type", "text/csv")
	fw, err := mw.CreatePart(h)
	if err != nil {
		return nil, "", err
	}
	if _, err := fw.Write(file); err != nil {
		return nil, "", err
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), mw.FormDataContentType(), nil
}

// Push uploads one CSV import per batch and waits for it to finish before the next,
// since listmonk runs a single import at a time. An upload refused because another
// import is running waits for that one (bounded by ImportTimeout) and tries again.
// listmonk reports no per-row outcome, so members are "sent".
func (l *listmonk) Push(ctx context.Context, members []Member, onBatch func([]Result) error) error {
	send := func(ctx context.Context, i, total int, batch []Member) ([]Result, error) {
		body, ctype, err := l.importBody(batch)
		if err != nil {
			return nil, err
		}
		deadline := time.Now().Add(l.timeout)
		for {
			err = l.c.do(ctx, request{method: http.MethodPost, path: "/api/import/subscribers", contentType: ctype, body: body}, nil)
			if !l.isImportRunning(ctx, err) {
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("listmonk: another import is still running after %s; wait for it or stop it in Subscribers > Import, then push again", l.timeout)
			}
			l.c.log("listmonk: another import is running; waiting for it to finish")
			if _, werr := l.waitIdle(ctx, deadline); werr != nil {
				return nil, werr
			}
			// pause even when the status already reads idle, so a server that keeps
			// refusing is not hammered
			if err := sleep(ctx, l.poll); err != nil {
				return nil, err
			}
		}
		if err != nil {
			return nil, err
		}
		st, err := l.waitIdle(ctx, deadline)
		if err != nil {
			return nil, err
		}
		if st.Data.Status == "failed" {
			return nil, fmt.Errorf("listmonk: the import failed (imported %d of %d); see Subscribers > Import in listmonk for its log",
				st.Data.Imported, st.Data.Total)
		}
		l.c.log("listmonk: import %d of %d finished: %d of %d rows imported", i+1, total, st.Data.Imported, st.Data.Total)
		out := make([]Result, len(batch))
		for j, m := range batch {
			out[j] = Result{PersonID: m.PersonID, Email: m.Email, Status: StatusSent}
		}
		return out, nil
	}
	return pushBatches(ctx, "listmonk", members, listmonkBatchSize, 1, send, onBatch)
}

// isImportRunning recognises listmonk's refusal of a second concurrent import: HTTP
// 400 "import is already running". The message is translated in other UI languages,
// so any other 400 is checked against the import status before giving up.
func (l *listmonk) isImportRunning(ctx context.Context, err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest {
		return false
	}
	if strings.Contains(strings.ToLower(ae.Message), "already running") {
		return true
	}
	var st listmonkImportStatus
	if l.c.do(ctx, request{method: http.MethodGet, path: "/api/import/subscribers"}, &st) != nil {
		return false
	}
	return st.Data.Status == "importing" || st.Data.Status == "stopping"
}

// waitIdle polls GET /api/import/subscribers until no import is running.
func (l *listmonk) waitIdle(ctx context.Context, deadline time.Time) (*listmonkImportStatus, error) {
	for {
		var st listmonkImportStatus
		if err := l.c.do(ctx, request{method: http.MethodGet, path: "/api/import/subscribers"}, &st); err != nil {
			return nil, err
		}
		switch st.Data.Status {
		case "importing", "stopping":
		default:
			return &st, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("listmonk: an import is still running after %s; wait for it or stop it in Subscribers > Import, then push again", l.timeout)
		}
		if err := sleep(ctx, l.poll); err != nil {
			return nil, err
		}
	}
}

type listmonkSubscriber struct {
	Email     string `json:"email"`
	Status    string `json:"status"`
	UpdatedAt string `json:"updated_at"`
	Lists     []struct {
		ID                    int64  `json:"id"`
		SubscriptionStatus    string `json:"subscription_status"`
		SubscriptionUpdatedAt string `json:"subscription_updated_at"`
	} `json:"lists"`
}

type listmonkPage struct {
	Data struct {
		Results []listmonkSubscriber `json:"results"`
		Total   int                  `json:"total"`
		PerPage int                  `json:"per_page"`
		Page    int                  `json:"page"`
	} `json:"data"`
}

// Pull returns blocklisted subscribers (account-wide) and those unsubscribed from the
// configured list. A subscriber in both is reported once, as blocklisted.
func (l *listmonk) Pull(ctx context.Context, since time.Time) ([]Suppression, error) {
	seen := map[string]bool{}
	var out []Suppression

	// Blocklisting updates the subscriber row, so updated_at can filter server-side.
	q := url.Values{}
	expr := "subscribers.status = 'blocklisted'"
	if !since.IsZero() {
		expr += fmt.Sprintf(" AND subscribers.updated_at >= '%s'", since.UTC().Format(time.RFC3339))
	}
	q.Set("query", expr)
	err := l.pages(ctx, q, func(s listmonkSubscriber) {
		email := strings.ToLower(s.Email)
		if email == "" || seen[email] {
			return
		}
		seen[email] = true
		out = append(out, Suppression{Email: email, Reason: "blocklisted", At: parseListmonkTime(s.UpdatedAt), Source: "listmonk"})
	})
	if err != nil {
		return nil, fmt.Errorf("listmonk: pull blocklisted subscribers: %w", err)
	}

	// An unsubscription changes the subscriber_lists row, not necessarily the
	// subscriber's, so since is applied here to the subscription's own time.
	q = url.Values{}
	q.Set("list_id", strconv.FormatInt(l.listID, 10))
	q.Set("subscription_status", "unsubscribed")
	err = l.pages(ctx, q, func(s listmonkSubscriber) {
		email := strings.ToLower(s.Email)
		if email == "" || seen[email] {
			return
		}
		at := parseListmonkTime(s.UpdatedAt)
		for _, li := range s.Lists {
			if li.ID == l.listID {
				if t := parseListmonkTime(li.SubscriptionUpdatedAt); !t.IsZero() {
					at = t
				}
			}
		}
		if !since.IsZero() && !at.IsZero() && at.Before(since) {
			return
		}
		seen[email] = true
		out = append(out, Suppression{Email: email, Reason: "unsubscribed", At: at, Source: "listmonk"})
	})
	if err != nil {
		return nil, fmt.Errorf("listmonk: pull unsubscribed subscribers: %w", err)
	}
	return out, nil
}

// pages walks GET /api/subscribers with page/per_page until total is reached.
func (l *listmonk) pages(ctx context.Context, q url.Values, each func(listmonkSubscriber)) error {
	seenRows := 0
	for page := 1; ; page++ {
		q.Set("page", strconv.Itoa(page))
		q.Set("per_page", strconv.Itoa(listmonkPageSize))
		var p listmonkPage
		if err := l.c.do(ctx, request{method: http.MethodGet, path: "/api/subscribers", query: q}, &p); err != nil {
			return err
		}
		for _, s := range p.Data.Results {
			each(s)
		}
		seenRows += len(p.Data.Results)
		if len(p.Data.Results) == 0 || seenRows >= p.Data.Total {
			return nil
		}
	}
}

func parseListmonkTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
