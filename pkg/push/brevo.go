package push

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// brevoBatchSize: POST /v3/contacts/import accepts a jsonBody of at most 10 MB and
	// Brevo recommends staying near 8 MB. 5,000 contacts at a generous 1 KB each is
	// about 5 MB; brevoMaxBody splits any batch that still encodes larger.
	brevoBatchSize = 5000
	brevoMaxBody   = 8 << 20
	brevoPageSize  = 1000 // the documented maximum "limit" of GET /v3/contacts
	brevoBaseURL   = "https://api.brevo.com/v3"
)

type brevo struct {
	c      *client
	listID int64
}

func newBrevo(cfg Config) (Pusher, error) {
	if cfg.APIKey == "" {
		return nil, fmt.Errorf("brevo: no API key; create one in Brevo under SMTP & API > API keys")
	}
	list := strings.TrimSpace(cfg.List)
	if list == "" {
		return nil, fmt.Errorf("brevo: %w; give the numeric list ID shown in Contacts > Lists", errNoList)
	}
	id, err := strconv.ParseInt(list, 10, 64)
	if err != nil || id <= 0 {
		return nil, fmt.Errorf("brevo: list ID %q is not a positive number; use the ID shown in Contacts > Lists", list)
	}
	base := cfg.Endpoint
	if base == "" {
		base = brevoBaseURL
	}
	key := cfg.APIKey
	c := newClient("brevo", base, cfg, func(r *http.Request) { r.Header.Set("api-key", key) })
	return &brevo{c: c, listID: id}, nil
}

func (b *brevo) Name() string { return "brevo" }

type brevoContact struct {
	Email      string            `json:"email"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

type brevoImport struct {
	JSONBody                []brevoContact `json:"jsonBody"`
	ListIDs                 []int64        `json:"listIds"`
	UpdateExistingContacts  bool           `json:"updateExistingContacts"`
	EmptyContactsAttributes bool           `json:"emptyContactsAttributes"`
}

// brevoAttributes maps a member to Brevo's standard FIRSTNAME, LASTNAME and SMS
// attributes, then the user's fields (upper-cased, as Brevo expects), which win.
func brevoAttributes(m Member) map[string]string {
	return attributes(m, "FIRSTNAME", "LASTNAME", "SMS")
}

// Push starts one asynchronous Brevo import per batch, one at a time. Brevo only
// returns a processId, so members are "sent" and carry the process ID in Result.Ref;
// per-contact outcomes are in Brevo's import report.
func (b *brevo) Push(ctx context.Context, members []Member, onBatch func([]Result) error) error {
	send := func(ctx context.Context, _, _ int, batch []Member) ([]Result, error) {
		return b.importBatch(ctx, batch)
	}
	return pushBatches(ctx, "brevo", members, brevoBatchSize, 1, send, onBatch)
}

func (b *brevo) importBatch(ctx context.Context, batch []Member) ([]Result, error) {
	body := brevoImport{JSONBody: make([]brevoContact, len(batch)), ListIDs: []int64{b.listID},
		UpdateExistingContacts: true, EmptyContactsAttributes: false}
	for j, m := range batch {
		body.JSONBody[j] = brevoContact{Email: m.Email, Attributes: brevoAttributes(m)}
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	if len(data) > brevoMaxBody && len(batch) > 1 {
		half := len(batch) / 2
		first, err := b.importBatch(ctx, batch[:half])
		if err != nil {
			return first, err
		}
		second, err := b.importBatch(ctx, batch[half:])
		// the first half is imported either way: report it so it is not resent
		return append(first, second...), err
	}
	var resp struct {
		ProcessID int64 `json:"processId"`
	}
	if err := b.c.do(ctx, request{method: http.MethodPost, path: "/contacts/import",
		contentType: "application/json", body: data}, &resp); err != nil {
		return nil, err
	}
	ref := strconv.FormatInt(resp.ProcessID, 10)
	b.c.log("brevo: import process %s started for %d contacts into list %d", ref, len(batch), b.listID)
	out := make([]Result, len(batch))
	for j, m := range batch {
		out[j] = Result{PersonID: m.PersonID, Email: m.Email, Status: StatusSent, Ref: ref}
	}
	return out, nil
}

type brevoContactsPage struct {
	Contacts []struct {
		Email            string `json:"email"`
		EmailBlacklisted bool   `json:"emailBlacklisted"`
		ModifiedAt       string `json:"modifiedAt"`
	} `json:"contacts"`
	Count int `json:"count"`
}

// Pull pages through GET /contacts (modified since, when given) and keeps contacts
// whose email is blocklisted. Brevo's blocklist is account-wide, so the list is not a
// filter here.
func (b *brevo) Pull(ctx context.Context, since time.Time) ([]Suppression, error) {
	var out []Suppression
	for offset := 0; ; {
		q := url.Values{}
		q.Set("limit", strconv.Itoa(brevoPageSize))
		q.Set("offset", strconv.Itoa(offset))
		if !since.IsZero() {
			q.Set("modifiedSince", since.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
		}
		var page brevoContactsPage
		if err := b.c.do(ctx, request{method: http.MethodGet, path: "/contacts", query: q}, &page); err != nil {
			return nil, fmt.Errorf("brevo: pull contacts: %w", err)
		}
		for _, c := range page.Contacts {
			if !c.EmailBlacklisted || c.Email == "" {
				continue
			}
			s := Suppression{Email: strings.ToLower(c.Email), Reason: "blocklisted", Source: "brevo"}
			if t, err := time.Parse(time.RFC3339, c.ModifiedAt); err == nil {
				s.At = t
			}
			out = append(out, s)
		}
		offset += len(page.Contacts)
		b.c.log("brevo: scanned %d of %d contacts", offset, page.Count)
		if len(page.Contacts) == 0 || offset >= page.Count {
			return out, nil
		}
	}
}
