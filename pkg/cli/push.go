package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/normalize"
	"github.com/padron-org/padron/pkg/push"
	"github.com/padron-org/padron/pkg/store"
)

// pushOpts are the flags of push and pull.
type pushOpts struct {
	segment  string
	list     string
	endpoint string
	tags     []string
	fields   []string
	status   string
	dryRun   bool
	force    bool
	noPull   bool
	since    string
}

// serviceConfig reads a service's credentials and list from the environment or the
// configuration file: PADRON_MAILCHIMP_API_KEY or mailchimp.api_key, and so on.
// Credentials are never printed, nor accepted as flags (they would land in shell
// history).
func serviceConfig(e *env, service string, o pushOpts) (push.Config, error) {
	key := "api_key"
	if service == "listmonk" {
		key = "token"
	}
	for _, k := range []string{key, "list", "url"} {
		_ = e.cfg.BindEnv(service+"."+k, "PADRON_"+strings.ToUpper(service+"_"+k))
	}
	cfg := push.Config{APIKey: e.cfg.GetString(service + "." + key), List: o.list, Endpoint: o.endpoint,
		Tags: o.tags, StatusIfNew: o.status}
	if cfg.List == "" {
		cfg.List = e.cfg.GetString(service + ".list")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = e.cfg.GetString(service + ".url")
	}
	env := "PADRON_" + strings.ToUpper(service+"_"+key)
	switch {
	case cfg.APIKey == "":
		return cfg, usageError("no %s credentials: set %s (or %s.%s in padron.yaml)", service, env, service, key)
	case cfg.List == "":
		return cfg, usageError("no %s list: use --list ID (or %s.list in padron.yaml)", service, service)
	}
	if e.verbose() {
		cfg.Logf = func(format string, args ...any) { e.say(format, args...) }
	}
	return cfg, nil
}

func newPushCmd(e *env) *cobra.Command {
	var o pushOpts
	cmd := &cobra.Command{
		Use:   "push mailchimp|brevo|listmonk --segment NAME",
		Short: "Send a segment's people to a mailing tool's list",
		Long: `Send the people of a saved segment to a Mailchimp audience, a Brevo list or a
listmonk list, as upserts: people already there are updated, not duplicated.

Never sent: people who opted out, anyone with an email that a suppression list
names (an unsubscribe, a cleaned address, a mailing tool's blocklist, a manual
opt-out), and any address of a person erased with 'padron forget', however the
address is spelled (case, Gmail dots, +tags); the count of those left out is shown.
Unless --no-pull, the list's opt-outs are pulled first, so an unsubscribe made
since the last pull is respected. People without an email are counted, not sent.

Credentials come from the environment or padron.yaml, never from flags:
  mailchimp  PADRON_MAILCHIMP_API_KEY (key-dc; the data centre is its suffix)
  brevo      PADRON_BREVO_API_KEY
  listmonk   PADRON_LISTMONK_TOKEN (user:token) and PADRON_LISTMONK_URL
and the list from --list or PADRON_<SERVICE>_LIST. --endpoint overrides the base URL.

Each batch is recorded as the service answers: an interrupted push can be run again
and sends only what is not there yet (--force sends everything). Errors the service
reports per member are listed per person. --dry-run sends nothing and prints, one
JSON object per line, exactly the members that would be sent.

EXIT STATUS: 0 when every member was accepted, 1 when some failed or on error.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runPush(e, args[0], o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.segment, "segment", "", "the saved segment to send (see 'padron segment list')")
	f.StringVar(&o.list, "list", "", "the audience or list id")
	f.StringVar(&o.endpoint, "endpoint", "", "base URL of the service's API (self-hosted listmonk, proxies)")
	f.StringArrayVar(&o.tags, "tag", nil, "tag every member (Mailchimp); repeatable")
	f.StringArrayVar(&o.fields, "field", nil, "extra merge field from a person field, as NAME=field (e.g. CITY=city); repeatable")
	f.StringVar(&o.status, "status", "subscribed", "status of new members: subscribed or pending (double opt-in)")
	f.BoolVar(&o.dryRun, "dry-run", false, "send nothing; print what would be sent")
	f.BoolVar(&o.force, "force", false, "send members already sent with the same content too")
	f.BoolVar(&o.noPull, "no-pull", false, "do not pull the list's opt-outs first")
	_ = cmd.MarkFlagRequired("segment")
	return cmd
}

func newPullCmd(e *env) *cobra.Command {
	var o pushOpts
	cmd := &cobra.Command{
		Use:   "pull mailchimp|brevo|listmonk",
		Short: "Bring a mailing tool's unsubscribes and bounces back as opt-outs",
		Long: `Read a list's unsubscribed, cleaned (bounced) and blocklisted members from the
mailing tool and record each as a suppression with its reason and time: the people
with those emails are opted out at once, and no segment or push includes them.
--since reads only what changed since that date. Credentials as for 'padron push'.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := e.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			_, err = runPull(e, st, args[0], o)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.list, "list", "", "the audience or list id")
	f.StringVar(&o.endpoint, "endpoint", "", "base URL of the service's API")
	f.StringVar(&o.since, "since", "", "only changes since this date (YYYY-MM-DD)")
	return cmd
}

func checkService(name string) error {
	if !slices.Contains(push.Names(), name) {
		return usageError("unknown mailing tool %q: use one of %s", name, strings.Join(push.Names(), ", "))
	}
	return nil
}

// runPull pulls a list's opt-outs into the store and returns how many were new.
func runPull(e *env, st *store.Store, service string, o pushOpts) (int, error) {
	if err := checkService(service); err != nil {
		return 0, err
	}
	since, err := parseDay("since", o.since)
	if err != nil {
		return 0, err
	}
	cfg, err := serviceConfig(e, service, o)
	if err != nil {
		return 0, err
	}
	p, err := push.New(service, cfg)
	if err != nil {
		return 0, err
	}
	return pullInto(e, st, p, cfg.List, since)
}

// pullInto records what a service reports opted out of list as suppressions.
func pullInto(e *env, st *store.Store, p push.Pusher, list string, since time.Time) (int, error) {
	service := p.Name()
	sup, err := p.Pull(e.ctx, since)
	if err != nil {
		return 0, fmt.Errorf("pull %s: %w", service, err)
	}
	rows := make([]store.PulledSuppression, len(sup))
	reasons := map[string]int{}
	for i, s := range sup {
		rows[i] = store.PulledSuppression{Email: s.Email, Reason: s.Reason, Detail: s.Detail, Since: s.At,
			Service: service, List: list}
		reasons[s.Reason]++
	}
	added, err := st.AddPulledSuppressions(e.ctx, e.actor(), rows)
	if err != nil {
		return 0, fmt.Errorf("pull %s: %w", service, err)
	}
	var parts []string
	for _, r := range slices.Sorted(maps.Keys(reasons)) {
		parts = append(parts, fmt.Sprintf("%d %s", reasons[r], r))
	}
	detail := ""
	if len(parts) > 0 {
		detail = " (" + strings.Join(parts, ", ") + ")"
	}
	e.say("pulled %d opt-outs from %s list %s%s, %d new", len(sup), service, list, detail, added)
	return added, nil
}

// personField is a person's value for --field NAME=field.
func personField(p store.PersonView, field string) (string, bool) {
	switch field {
	case "city":
		return p.City, true
	case "country":
		return p.Country, true
	case "postcode":
		return p.Postcode, true
	case "region":
		return p.Region, true
	case "street":
		return p.Street, true
	case "birth_date":
		return p.BirthDate, true
	case "phone":
		return p.Phone, true
	case "tags":
		return strings.Join(p.Tags, ", "), true
	case "person_id":
		return fmt.Sprint(p.ID), true
	}
	return "", false
}

// memberHash digests what is sent for a member, so a re-run can tell it is there.
func memberHash(status string, m push.Member) string {
	b, _ := json.Marshal(struct {
		S string
		M push.Member
	}{status, m})
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

type pushPlan struct {
	members  []push.Member
	hashes   []string
	segment  int64 // people the segment selects
	optedOut int64 // left out by the segment: opted out
	excluded int   // left out here: an email on a suppression list
	noEmail  int
	already  int
}

// planPush selects the members to send: the segment's people with an email, minus
// every suppressed one and those already sent with the same content.
func planPush(e *env, st *store.Store, service, list string, o pushOpts) (*pushPlan, error) {
	fields := map[string]string{}
	for _, f := range o.fields {
		name, field, ok := strings.Cut(f, "=")
		if _, known := personField(store.PersonView{}, field); !ok || name == "" || !known {
			return nil, usageError("--field %q: want NAME=field, field one of city, country, postcode, region, street, birth_date, phone, tags, person_id", f)
		}
		fields[strings.ToUpper(name)] = field
	}
	_, where, args, err := resolveSegment(e, st, o.segment, time.Time{})
	if err != nil {
		return nil, err
	}
	suppressed, err := st.SuppressionList(e.ctx)
	if err != nil {
		return nil, err
	}
	blocked := make(map[string]bool, len(suppressed))
	for _, s := range suppressed {
		blocked[normalize.Mailbox(s)] = true
	}
	// Erased people's addresses are kept only as salted hashes: asked one by one.
	erased, err := st.ErasedMatcher(e.ctx)
	if err != nil {
		return nil, err
	}
	sent := map[string]string{}
	if !o.force {
		if sent, err = st.PushedHashes(e.ctx, service, list); err != nil {
			return nil, err
		}
	}
	plan := &pushPlan{}
	c, err := st.EachPersonWhere(e.ctx, where, args, false, func(p store.PersonView) error {
		for _, m := range append([]string{p.Email}, p.Emails...) {
			if m != "" && (blocked[normalize.Mailbox(m)] || erased(m)) {
				plan.excluded++
				return nil
			}
		}
		if p.Email == "" {
			plan.noEmail++
			return nil
		}
		m := push.Member{PersonID: p.ID, Email: p.Email, GivenName: p.GivenName, FamilyName: p.FamilyName, Phone: p.Phone}
		for name, field := range fields {
			if v, _ := personField(p, field); v != "" {
				if m.Fields == nil {
					m.Fields = map[string]string{}
				}
				m.Fields[name] = v
			}
		}
		h := memberHash(o.status+"|"+strings.Join(o.tags, ","), m)
		if sent[p.Email] == h {
			plan.already++
			return nil
		}
		plan.members = append(plan.members, m)
		plan.hashes = append(plan.hashes, h)
		return nil
	})
	if err != nil {
		return nil, err
	}
	plan.segment, plan.optedOut = c.Matched, c.OptedOut
	return plan, nil
}

func runPush(e *env, service string, o pushOpts) error {
	if err := checkService(service); err != nil {
		return err
	}
	if o.status != "subscribed" && o.status != "pending" {
		return usageError("--status must be subscribed or pending, got %q", o.status)
	}
	cfg, err := serviceConfig(e, service, o)
	if err != nil && !o.dryRun {
		return err
	}
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	var p push.Pusher
	if !o.dryRun {
		if p, err = push.New(service, cfg); err != nil {
			return err
		}
		if !o.noPull {
			if _, err := pullInto(e, st, p, cfg.List, time.Time{}); err != nil {
				return err
			}
		}
	}
	plan, err := planPush(e, st, service, cfg.List, o)
	if err != nil {
		return err
	}
	e.say("segment %s: %d people; left out %d opted out, %d on a suppression list, %d without an email, %d already in %s list %s",
		o.segment, plan.segment+plan.optedOut, plan.optedOut, plan.excluded, plan.noEmail, plan.already, service, cfg.List)
	if o.dryRun {
		enc := json.NewEncoder(e.io.Out)
		for _, m := range plan.members {
			if err := enc.Encode(dryRunMember(m, o)); err != nil {
				return err
			}
		}
		e.say("dry run: would send %d members to %s; nothing sent", len(plan.members), service)
		return nil
	}
	rec := &store.Push{Service: service, List: cfg.List, Segment: o.segment, Actor: e.actor(), StartedAt: time.Now(),
		Members: int64(len(plan.members)), Excluded: plan.optedOut + int64(plan.excluded), Already: int64(plan.already)}
	if err := st.StartPush(e.ctx, rec); err != nil {
		return err
	}
	hash := make(map[int64]string, len(plan.members))
	for i, m := range plan.members {
		hash[m.PersonID] = plan.hashes[i]
	}
	counts := map[string]int{}
	var failures []push.Result
	pushErr := p.Push(e.ctx, plan.members, func(rs []push.Result) error {
		ms := make([]store.PushedMember, len(rs))
		for i, r := range rs {
			ms[i] = store.PushedMember{PersonID: r.PersonID, Email: r.Email, Hash: hash[r.PersonID], Status: r.Status, Error: r.Error}
			counts[r.Status]++
			if r.Status == push.StatusFailed {
				failures = append(failures, r)
			}
		}
		return st.RecordPushed(e.ctx, rec.ID, ms)
	})
	for _, f := range failures {
		e.say("failed: person %d <%s>: %s", f.PersonID, f.Email, f.Error)
	}
	done := counts[push.StatusCreated] + counts[push.StatusUpdated] + counts[push.StatusSent]
	e.say("push %d to %s list %s: %d sent (%d new, %d updated), %d failed",
		rec.ID, service, cfg.List, done, counts[push.StatusCreated], counts[push.StatusUpdated], counts[push.StatusFailed])
	if pushErr != nil {
		return fmt.Errorf("push %s: %w (what was sent is recorded: run the same command again to send the rest)", service, pushErr)
	}
	if err := st.FinishPush(e.ctx, rec.ID); err != nil {
		return err
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d member(s) not accepted by %s", len(failures), service)
	}
	return nil
}

// dryRunMember is what --dry-run prints for a member: the values sent.
func dryRunMember(m push.Member, o pushOpts) map[string]any {
	out := map[string]any{"person_id": m.PersonID, "email": m.Email, "status": o.status}
	if m.GivenName != "" {
		out["given_name"] = m.GivenName
	}
	if m.FamilyName != "" {
		out["family_name"] = m.FamilyName
	}
	if m.Phone != "" {
		out["phone"] = m.Phone
	}
	if len(m.Fields) > 0 {
		out["fields"] = m.Fields
	}
	if len(o.tags) > 0 {
		out["tags"] = o.tags
	}
	return out
}

func newPushesCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "pushes",
		Short: "List the pushes to mailing tools: what went to which list, and when",
		Long: `List every push, newest first: the service and list, the segment, when and by whom,
how many members were sent, failed, left out (opted out or suppressed) and already
there. An interrupted push shows no finish. With --json, a JSON array.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := e.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			ps, err := st.Pushes(e.ctx)
			if err != nil {
				return err
			}
			return writeList(e, ps, "no pushes yet",
				"PUSH\tSTARTED\tSERVICE\tLIST\tSEGMENT\tSENT\tFAILED\tLEFT OUT\tALREADY\tFINISHED",
				func(p store.Push) string {
					fin := "interrupted"
					if p.Finished {
						fin = "yes"
					}
					return fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s", p.ID, p.StartedAt.Format("2006-01-02 15:04"),
						p.Service, p.List, p.Segment, p.Sent, p.Fail, p.Excluded, p.Already, fin)
				})
		},
	}
}
