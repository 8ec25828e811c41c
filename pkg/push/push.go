// Package push sends people to mailing tools (Mailchimp, Brevo, listmonk) and pulls
// their opt-outs back. It is a pure library: the caller hands it members and records
// the results it returns; nothing here reads the store, prints or exits.
package push

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Member is one person to push. Email is expected lower-cased and valid; members with
// an empty Email are never sent.
type Member struct {
	PersonID   int64
	Email      string
	GivenName  string
	FamilyName string
	Phone      string            // E.164 or ""
	Fields     map[string]string // extra merge fields/attributes configured by the user (e.g. CITY)
	Tags       []string
}

// Result statuses.
const (
	StatusCreated = "created" // the service says it added the member
	StatusUpdated = "updated" // the service says it updated an existing member
	StatusFailed  = "failed"  // not accepted; Error says why
	StatusSent    = "sent"    // accepted, but the service does not say created or updated
)

// Result is what happened to one member of a push.
type Result struct {
	PersonID int64
	Email    string
	Status   string // StatusCreated, StatusUpdated, StatusFailed or StatusSent
	Error    string // set when Status is StatusFailed
	Ref      string // service-side reference of an asynchronous import (Brevo processId), if any
}

// Suppression is one address that must not be mailed, as reported by the service.
type Suppression struct {
	Email  string
	Reason string // "unsubscribed", "cleaned" or "blocklisted"
	Detail string // service's own explanation when it gives one (Mailchimp unsubscribe_reason)
	At     time.Time
	Source string // the service name, e.g. "mailchimp"
}

// Config configures one service adapter. Zero values pick the service's defaults.
type Config struct {
	APIKey     string       // Mailchimp "key-dc", Brevo key, listmonk "user:token"
	Endpoint   string       // base URL override; "" = the service's own (required for listmonk)
	List       string       // audience / list ID
	HTTPClient *http.Client // nil = a client with a 2-minute timeout
	MaxConns   int          // concurrent requests (Mailchimp: default and cap 10; others send one at a time)
	Retry      RetryPolicy
	Tags       []string // added to every member (Mailchimp only: the others have no tags)
	// StatusIfNew is the subscription status given to members. Mailchimp: the member
	// "status" (default "subscribed"); listmonk: "subscribed" imports as confirmed,
	// "pending" as unconfirmed, "" keeps listmonk's default. Brevo ignores it.
	StatusIfNew string
	// Logf receives progress lines; it may be nil. It never receives the API key.
	Logf func(format string, args ...any)

	// PollInterval and ImportTimeout bound listmonk's wait for its single import slot
	// and for each import to finish (defaults 2s and 30 minutes).
	PollInterval  time.Duration
	ImportTimeout time.Duration
}

// Pusher is one mailing tool.
type Pusher interface {
	// Name is the registry name, e.g. "mailchimp".
	Name() string
	// Push sends members in batches and calls onBatch (never concurrently) with the
	// results of each batch as soon as it completes, so the caller can journal progress
	// and resume an interrupted push without resending. Members with an empty or
	// repeated email are reported as failed without being sent. When a batch fails as
	// a whole, no new batch starts, batches in flight are still reported, and Push
	// returns the error. When onBatch returns an error Push stops and returns it;
	// batches that complete after that are not reported (resending them is harmless:
	// every service here upserts).
	Push(ctx context.Context, members []Member, onBatch func(results []Result) error) error
	// Pull returns the addresses the service says must not be mailed, changed at or
	// after since (zero since: all).
	Pull(ctx context.Context, since time.Time) ([]Suppression, error)
}

type service struct {
	name      string
	batchSize int
	new       func(Config) (Pusher, error)
}

// services is the explicit registry: one line per adapter.
var services = []service{
	{"mailchimp", mailchimpBatchSize, newMailchimp},
	{"brevo", brevoBatchSize, newBrevo},
	{"listmonk", listmonkBatchSize, newListmonk},
}

// Names lists the registered services.
func Names() []string {
	names := make([]string, len(services))
	for i, s := range services {
		names[i] = s.name
	}
	return names
}

// BatchSize is the number of members the named service gets per request (0 if unknown).
func BatchSize(name string) int {
	for _, s := range services {
		if s.name == name {
			return s.batchSize
		}
	}
	return 0
}

// New builds the named service's adapter, validating cfg.
func New(name string, cfg Config) (Pusher, error) {
	for _, s := range services {
		if s.name != name {
			continue
		}
		cfg.Logf = redactLogf(cfg.Logf, secretsOf(cfg.APIKey))
		p, err := s.new(cfg)
		if err != nil {
			return nil, redactErr(err, secretsOf(cfg.APIKey))
		}
		return &guarded{inner: p, secrets: secretsOf(cfg.APIKey)}, nil
	}
	return nil, fmt.Errorf("unknown mailing service %q (known: %s)", name, strings.Join(Names(), ", "))
}

// guarded scrubs the API key from every error an adapter returns, whatever its origin.
type guarded struct {
	inner   Pusher
	secrets []string
}

func (g *guarded) Name() string { return g.inner.Name() }

func (g *guarded) Push(ctx context.Context, members []Member, onBatch func([]Result) error) error {
	return redactErr(g.inner.Push(ctx, members, onBatch), g.secrets)
}

func (g *guarded) Pull(ctx context.Context, since time.Time) ([]Suppression, error) {
	s, err := g.inner.Pull(ctx, since)
	return s, redactErr(err, g.secrets)
}

// prepare splits members into those to send and those reported failed up front: empty
// emails, and repeats of an email already in this push (a service would either reject
// the duplicate or apply it twice).
func prepare(members []Member) (send []Member, rejected []Result) {
	seen := make(map[string]int64, len(members))
	send = make([]Member, 0, len(members))
	for _, m := range members {
		email := strings.TrimSpace(m.Email)
		if email == "" {
			rejected = append(rejected, Result{PersonID: m.PersonID, Status: StatusFailed, Error: "no email address"})
			continue
		}
		key := strings.ToLower(email)
		if first, dup := seen[key]; dup {
			rejected = append(rejected, Result{PersonID: m.PersonID, Email: email, Status: StatusFailed,
				Error: fmt.Sprintf("same email as person %d in this push; sent once", first)})
			continue
		}
		seen[key] = m.PersonID
		m.Email = email
		send = append(send, m)
	}
	return send, rejected
}

// chunk cuts members into batches of at most n.
func chunk(members []Member, n int) [][]Member {
	var out [][]Member
	for len(members) > 0 {
		k := min(n, len(members))
		out = append(out, members[:k:k])
		members = members[k:]
	}
	return out
}

// sendFunc sends batch number i (0-based) of total and returns one Result per member;
// with an error it returns results only for the members that did get sent.
type sendFunc func(ctx context.Context, i, total int, batch []Member) ([]Result, error)

// runBatches sends batches with up to conns in flight and reports each completed batch
// to onBatch from this goroutine only. After the first failure no new batch starts;
// batches already in flight finish and are reported.
func runBatches(ctx context.Context, service string, batches [][]Member, conns int, send sendFunc, onBatch func([]Result) error) error {
	conns = max(1, min(conns, len(batches)))
	type outcome struct {
		i   int
		res []Result
		err error
	}
	jobs := make(chan int)
	outs := make(chan outcome)
	stop := make(chan struct{})
	var stopOnce sync.Once
	halt := func() { stopOnce.Do(func() { close(stop) }) }

	go func() {
		defer close(jobs)
		for i := range batches {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			default:
			}
			select {
			case jobs <- i:
			case <-stop:
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				select {
				case <-stop: // a job handed over while another batch was failing
					continue
				default:
				}
				res, err := send(ctx, i, len(batches), batches[i])
				if err != nil {
					halt() // before reporting, so this worker cannot pick up another job first
				}
				outs <- outcome{i, res, err}
			}
		}()
	}
	go func() { wg.Wait(); close(outs) }()

	var batchErr, cbErr error
	done := 0
	for o := range outs {
		if o.err == nil {
			done++
		} else {
			if batchErr == nil {
				batchErr = fmt.Errorf("%s: batch %d of %d (%d members): %w", service, o.i+1, len(batches), len(batches[o.i]), o.err)
			}
			halt()
		}
		// a failed batch may still have sent part of itself (Brevo splits big ones)
		if cbErr == nil && len(o.res) > 0 {
			if err := onBatch(o.res); err != nil {
				cbErr = err
				halt()
			}
		}
	}
	switch {
	case cbErr != nil:
		return cbErr
	case batchErr != nil:
		return batchErr
	case done < len(batches):
		return fmt.Errorf("%s: stopped after %d of %d batches: %w", service, done, len(batches), ctx.Err())
	}
	return nil
}

// pushBatches is the common Push: reject unsendable members, then batch and send.
func pushBatches(ctx context.Context, service string, members []Member, size, conns int, send sendFunc, onBatch func([]Result) error) error {
	if onBatch == nil {
		onBatch = func([]Result) error { return nil }
	}
	toSend, rejected := prepare(members)
	if len(rejected) > 0 {
		if err := onBatch(rejected); err != nil {
			return err
		}
	}
	if len(toSend) == 0 {
		return ctx.Err()
	}
	return runBatches(ctx, service, chunk(toSend, size), conns, send, onBatch)
}

// mergeTags returns the config tags followed by the member's, without repeats.
func mergeTags(common, own []string) []string {
	if len(common)+len(own) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for _, t := range append(append([]string{}, common...), own...) {
		t = strings.TrimSpace(t)
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// sortedKeys gives map iteration a stable order so request bodies are reproducible.
func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

// errNoList is returned when a service needs a list and none is configured.
var errNoList = errors.New("no list configured")

// attributes maps a member's names and phone to a service's field names, then adds
// the user's fields (upper-cased), which win. Empty values are left out, so that they
// never blank what the service already holds.
func attributes(m Member, given, family, phone string) map[string]string {
	a := map[string]string{}
	set := func(k, v string) {
		if v = strings.TrimSpace(v); v != "" {
			a[k] = v
		}
	}
	set(given, m.GivenName)
	set(family, m.FamilyName)
	set(phone, m.Phone)
	for _, k := range sortedKeys(m.Fields) {
		set(strings.ToUpper(k), m.Fields[k])
	}
	if len(a) == 0 {
		return nil
	}
	return a
}
