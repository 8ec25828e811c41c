package push

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Mailchimp Marketing API v3 limits: "Batch subscribe or unsubscribe" (POST
// /lists/{list_id}) takes up to 500 members per call, and an account may hold at most
// 10 simultaneous connections.
const (
	mailchimpBatchSize = 500
	mailchimpMaxConns  = 10
	mailchimpPageSize  = 1000 // the documented maximum of "count"
)

type mailchimp struct {
	c      *client
	list   string
	status string
	tags   []string
	conns  int
}

func newMailchimp(cfg Config) (Pusher, error) {
	if cfg.APIKey == "" {
		return nil, fmt.Errorf("mailchimp: no API key; create one in Mailchimp under Profile > Extras > API keys")
	}
	if strings.TrimSpace(cfg.List) == "" {
		return nil, fmt.Errorf("mailchimp: %w; give the audience ID (Audience > Settings > Audience name and defaults)", errNoList)
	}
	base := cfg.Endpoint
	if base == "" {
		var err error
		if base, err = mailchimpBaseURL(cfg.APIKey); err != nil {
			return nil, err
		}
	}
	status := cfg.StatusIfNew
	if status == "" {
		status = "subscribed"
	}
	switch status {
	case "subscribed", "pending", "unsubscribed", "transactional":
	default:
		return nil, fmt.Errorf("mailchimp: status %q is not one of subscribed, pending, unsubscribed, transactional", status)
	}
	conns := cfg.MaxConns
	if conns <= 0 || conns > mailchimpMaxConns {
		conns = mailchimpMaxConns
	}
	key := cfg.APIKey
	c := newClient("mailchimp", base, cfg, func(r *http.Request) {
		r.SetBasicAuth("padron", key) // Mailchimp ignores the user name; the key is the password
	})
	return &mailchimp{c: c, list: strings.TrimSpace(cfg.List), status: status, tags: cfg.Tags, conns: conns}, nil
}

// mailchimpBaseURL derives https://<dc>.api.mailchimp.com/3.0 from the data-centre
// suffix of an API key ("abc123-us21" → us21).
func mailchimpBaseURL(apiKey string) (string, error) {
	i := strings.LastIndexByte(apiKey, '-')
	if i < 0 || i == len(apiKey)-1 {
		return "", fmt.Errorf("mailchimp: the API key has no data-centre suffix (it should end like -us21); copy the whole key from Mailchimp")
	}
	dc := apiKey[i+1:]
	for _, r := range dc {
		// the dc becomes a host name: refuse anything that could redirect the request
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return "", fmt.Errorf("mailchimp: the API key's data-centre suffix is not letters and digits; copy the whole key from Mailchimp")
		}
	}
	return "https://" + dc + ".api.mailchimp.com/3.0", nil
}

// SubscriberHash is Mailchimp's member ID: the MD5 hex digest of the lower-cased
// email, used in /lists/{list_id}/members/{subscriber_hash} URLs.
func SubscriberHash(email string) string {
	sum := md5.Sum([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:])
}

func (m *mailchimp) Name() string { return "mailchimp" }

type mcMember struct {
	EmailAddress string            `json:"email_address"`
	Status       string            `json:"status"`
	MergeFields  map[string]string `json:"merge_fields,omitempty"`
	Tags         []string          `json:"tags,omitempty"`
}

type mcBatchRequest struct {
	Members        []mcMember `json:"members"`
	UpdateExisting bool       `json:"update_existing"`
}

type mcBatchResponse struct {
	NewMembers []struct {
		EmailAddress string `json:"email_address"`
	} `json:"new_members"`
	UpdatedMembers []struct {
		EmailAddress string `json:"email_address"`
	} `json:"updated_members"`
	Errors []struct {
		EmailAddress string `json:"email_address"`
		Error        string `json:"error"`
		ErrorCode    string `json:"error_code"`
		Field        string `json:"field"`
		FieldMessage string `json:"field_message"`
	} `json:"errors"`
	TotalCreated int `json:"total_created"`
	TotalUpdated int `json:"total_updated"`
	ErrorCount   int `json:"error_count"`
}

// mcMergeFields maps a member to merge tags: FNAME, LNAME and PHONE (Mailchimp's
// default audience fields) then the user's own fields, which win.
func mcMergeFields(m Member) map[string]string { return attributes(m, "FNAME", "LNAME", "PHONE") }

// Push upserts members with the batch endpoint (update_existing: true), up to 10
// batches at once. Mailchimp answers 200 even when it rejects some members; each
// rejection becomes a failed Result with Mailchimp's message and error code.
func (m *mailchimp) Push(ctx context.Context, members []Member, onBatch func([]Result) error) error {
	send := func(ctx context.Context, i, total int, batch []Member) ([]Result, error) {
		body := mcBatchRequest{Members: make([]mcMember, len(batch)), UpdateExisting: true}
		for j, mem := range batch {
			body.Members[j] = mcMember{
				EmailAddress: mem.Email,
				Status:       m.status,
				MergeFields:  mcMergeFields(mem),
				Tags:         mergeTags(m.tags, mem.Tags),
			}
		}
		data, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		var resp mcBatchResponse
		err = m.c.do(ctx, request{method: http.MethodPost, path: "/lists/" + url.PathEscape(m.list),
			contentType: "application/json", body: data}, &resp)
		if err != nil {
			return nil, err
		}
		res := mcResults(batch, &resp)
		var failed int
		for _, r := range res {
			if r.Status == StatusFailed {
				failed++
			}
		}
		m.c.log("mailchimp: batch %d of %d: %d members, %d created, %d updated, %d failed",
			i+1, total, len(batch), len(resp.NewMembers), len(resp.UpdatedMembers), failed)
		return res, nil
	}
	return pushBatches(ctx, "mailchimp", members, mailchimpBatchSize, m.conns, send, onBatch)
}

// mcResults matches Mailchimp's answer to the batch by email. A member Mailchimp does
// not mention was accepted without saying how, so it is "sent".
func mcResults(batch []Member, resp *mcBatchResponse) []Result {
	status := map[string]string{}
	reason := map[string]string{}
	for _, n := range resp.NewMembers {
		status[strings.ToLower(n.EmailAddress)] = StatusCreated
	}
	for _, u := range resp.UpdatedMembers {
		status[strings.ToLower(u.EmailAddress)] = StatusUpdated
	}
	for _, e := range resp.Errors {
		k := strings.ToLower(e.EmailAddress)
		msg := e.Error
		if e.Field != "" || e.FieldMessage != "" {
			msg = strings.TrimSpace(msg + " [" + strings.TrimSpace(e.Field+" "+e.FieldMessage) + "]")
		}
		if e.ErrorCode != "" {
			msg += " (" + e.ErrorCode + ")"
		}
		if msg == "" {
			msg = "rejected by Mailchimp without a reason"
		}
		status[k] = StatusFailed
		reason[k] = msg
	}
	out := make([]Result, len(batch))
	for i, mem := range batch {
		k := strings.ToLower(mem.Email)
		st, ok := status[k]
		if !ok {
			st = StatusSent
		}
		out[i] = Result{PersonID: mem.PersonID, Email: mem.Email, Status: st, Error: reason[k]}
	}
	return out
}

type mcMembersPage struct {
	Members []struct {
		EmailAddress      string `json:"email_address"`
		Status            string `json:"status"`
		LastChanged       string `json:"last_changed"`
		UnsubscribeReason string `json:"unsubscribe_reason"`
	} `json:"members"`
	TotalItems int `json:"total_items"`
}

// Pull lists unsubscribed and cleaned members, paging with count/offset and asking
// only for the fields it reads.
func (m *mailchimp) Pull(ctx context.Context, since time.Time) ([]Suppression, error) {
	var out []Suppression
	for _, status := range []string{"unsubscribed", "cleaned"} {
		for offset := 0; ; {
			q := url.Values{}
			q.Set("status", status)
			q.Set("count", strconv.Itoa(mailchimpPageSize))
			q.Set("offset", strconv.Itoa(offset))
			q.Set("fields", "members.email_address,members.status,members.last_changed,members.unsubscribe_reason,total_items")
			if !since.IsZero() {
				q.Set("since_last_changed", since.UTC().Format("2006-01-02T15:04:05-07:00"))
			}
			var page mcMembersPage
			err := m.c.do(ctx, request{method: http.MethodGet, path: "/lists/" + url.PathEscape(m.list) + "/members", query: q}, &page)
			if err != nil {
				return nil, fmt.Errorf("mailchimp: pull %s members: %w", status, err)
			}
			for _, mem := range page.Members {
				s := Suppression{Email: strings.ToLower(mem.EmailAddress), Reason: status, Source: "mailchimp"}
				if status == "unsubscribed" {
					s.Detail = mem.UnsubscribeReason
				}
				if t, err := time.Parse(time.RFC3339, mem.LastChanged); err == nil {
					s.At = t
				}
				out = append(out, s)
			}
			offset += len(page.Members)
			m.c.log("mailchimp: pulled %d of %d %s members", offset, page.TotalItems, status)
			if len(page.Members) == 0 || offset >= page.TotalItems {
				break
			}
		}
	}
	return out, nil
}
