package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/store"
)

type consentOptions struct {
	status  string // store.OptOut or store.OptIn
	channel string
	text    string
}

func newOptOutCmd(e *env) *cobra.Command {
	o := consentOptions{status: store.OptOut}
	cmd := &cobra.Command{
		Use:   "optout EMAIL|PHONE|PERSON",
		Short: "Record that someone opted out (of email, phone or post)",
		Long: `Record an opt-out stated by hand: a letter, a phone call, a reply. It is kept as a
consent fact with the time, your name and the reason, and shows in 'padron person'.
An email opt-out joins the suppressions at once: the person is opted out and no push
will send to that address.

EMAIL or PHONE opts out that address or number (--channel email or phone, the
default); PERSON (an id or FILE:RECORD_NO) opts out every email and phone of the
person and their post (--channel all, the default). With --channel post or all, an
email or phone must belong to exactly one person.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runConsent(e, o, args[0]) },
	}
	cmd.Flags().StringVar(&o.channel, "channel", "", "email, phone, post or all (default: the argument's own channel, all for a person)")
	cmd.Flags().StringVar(&o.text, "reason", "", "why, as said (kept with the fact)")
	return cmd
}

func newOptInCmd(e *env) *cobra.Command {
	o := consentOptions{status: store.OptIn}
	cmd := &cobra.Command{
		Use:   "optin EMAIL|PHONE|PERSON --text WORDING",
		Short: "Record that someone gave consent (to email, phone or post)",
		Long: `Record consent given by hand, with the wording or version of the consent text they
agreed to (--text). Arguments and --channel are as for 'padron optout'. A later
manual opt-in lifts a manual email opt-out of the same address; opt-outs from
imported files and mailing tools stay.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.text == "" {
				return usageError("--text is required: the consent wording or its version")
			}
			return runConsent(e, o, args[0])
		},
	}
	cmd.Flags().StringVar(&o.channel, "channel", "", "email, phone, post or all (default: the argument's own channel, all for a person)")
	cmd.Flags().StringVar(&o.text, "text", "", `the consent wording or version agreed to, e.g. "newsletter consent v2"`)
	return cmd
}

func runConsent(e *env, o consentOptions, arg string) error {
	switch o.channel {
	case "", store.ChannelEmail, store.ChannelPhone, store.ChannelPost, "all":
	default:
		return usageError("--channel %q: want email, phone, post or all", o.channel)
	}
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	sub, err := resolveSubject(e, st, arg)
	if err != nil {
		return err
	}
	channel := o.channel
	if channel == "" {
		channel = sub.kind
		if sub.kind == "person" {
			channel = "all"
		}
	}
	var facts []store.ConsentFact
	fact := func(ch, kind, value string, person int64) {
		facts = append(facts, store.ConsentFact{Channel: ch, SubjectKind: kind, Subject: value, Status: o.status,
			Text: o.text, PersonID: person})
	}
	if sub.kind != "person" && channel == sub.kind {
		// The address or number itself, known to the store or not.
		var person int64
		if len(sub.people) == 1 {
			person = sub.people[0]
		}
		fact(channel, sub.kind, sub.value, person)
	} else {
		if len(sub.people) != 1 {
			return usageError("%s belongs to %d people: name one person id for --channel %s", sub.describe(), len(sub.people), channel)
		}
		id := sub.people[0]
		ps, err := st.People(e.ctx, store.PeopleFilter{ID: id})
		if err != nil {
			return err
		}
		if len(ps) == 0 {
			return usageError("no person %d: see 'padron people'", id)
		}
		p := ps[0]
		if channel == store.ChannelEmail || channel == "all" {
			for _, em := range p.Emails {
				fact(store.ChannelEmail, "email", em, id)
			}
		}
		if channel == store.ChannelPhone || channel == "all" {
			for _, ph := range p.Phones {
				fact(store.ChannelPhone, "phone", ph, id)
			}
		}
		if channel == store.ChannelPost || channel == "all" {
			fact(store.ChannelPost, "person", strconv.FormatInt(id, 10), id)
		}
		if len(facts) == 0 {
			return usageError("person %d has no %s to record this for", id, channel)
		}
	}
	if err := st.RecordConsent(e.ctx, facts, e.actor()); err != nil {
		return err
	}
	if e.json() {
		return writeJSON(e.io.Out, facts)
	}
	word := "opt-out"
	if o.status == store.OptIn {
		word = "consent"
	}
	counts := map[string]int{}
	for _, f := range facts {
		counts[f.Channel]++
	}
	msg := fmt.Sprintf("recorded %d %s fact(s):", len(facts), word)
	for _, ch := range []string{store.ChannelEmail, store.ChannelPhone, store.ChannelPost} {
		if counts[ch] > 0 {
			msg += fmt.Sprintf(" %s %d", ch, counts[ch])
		}
	}
	e.say("%s", msg)
	return nil
}
