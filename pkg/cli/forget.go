package cli

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/normalize"
	"github.com/padron-org/padron/pkg/store"
)

type forgetOptions struct {
	yes, all bool
}

func newForgetCmd(e *env) *cobra.Command {
	var o forgetOptions
	cmd := &cobra.Command{
		Use:   "forget EMAIL|PHONE|PERSON",
		Short: "Erase a person from the store (right to erasure)",
		Long: `Erase one person and every trace of them from the store: their records with the raw
rows, their golden record, problems, review pairs, decisions and log entries about
their records, what was pushed to mailing tools and pulled back, and consent facts.
Their donations stay counted, with amount, currency, date and kind only. What is kept
is a salted hash of their emails and phones, so that a later import or push of them is
refused. The store file is then rewritten, so that nothing erased stays in its free
space.

EMAIL or PHONE (with its country code, e.g. +48 601 234 567) names the person having it;
PERSON is a person id from 'padron people' or a record as FILE:RECORD_NO. When several
people have the email or phone, forget refuses unless --all. Without --yes, it only
says who would be erased. It prints a receipt (counts per table, no personal value) on
stderr, or with --json on stdout. See docs/privacy.md.

EXIT STATUS
  0  erased
  1  failed: nothing erased, or erased but the file could not be rewritten (said so)
  2  wrong arguments, several people without --all, or no --yes`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runForget(e, o, args[0]) },
	}
	cmd.Flags().BoolVar(&o.yes, "yes", false, "erase: this cannot be undone")
	cmd.Flags().BoolVar(&o.all, "all", false, "erase every person having the email or phone")
	return cmd
}

// subject is the person or people a rights command was asked about.
type subject struct {
	kind     string // email, phone or person
	value    string // the canonical email or phone; "" for a person
	people   []int64
	unplaced []int64 // records with the value that no dedupe has placed yet
}

// describe names the subject without repeating a personal value.
func (s *subject) describe() string {
	if s.kind == "person" {
		return "the person"
	}
	return "the " + s.kind
}

// resolveSubject turns EMAIL, PHONE, PERSON id or FILE:RECORD_NO into people. A bare
// number is a person id when short, a phone otherwise.
func resolveSubject(e *env, st *store.Store, arg string) (*subject, error) {
	arg = strings.TrimSpace(arg)
	switch {
	case arg == "":
		return nil, usageError("name an email, a phone, a person id or a record FILE:RECORD_NO")
	case strings.Contains(arg, "@"):
		em, err := normalize.Email(arg)
		if err != nil {
			return nil, usageError("not an email address: %v", err)
		}
		people, unplaced, err := st.PeopleWithEmail(e.ctx, em)
		return &subject{kind: "email", value: em, people: people, unplaced: unplaced}, err
	case isDigits(arg) && len(arg) < 7:
		id, _ := strconv.ParseInt(arg, 10, 64)
		ps, err := st.People(e.ctx, store.PeopleFilter{ID: id})
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			return nil, usageError("no person %d: see 'padron people'", id)
		}
		return &subject{kind: "person", people: []int64{id}}, nil
	case strings.Contains(arg, ":") || strings.HasPrefix(arg, "#"):
		rec, err := st.ResolveRef(e.ctx, arg)
		if err != nil {
			return nil, usageError("%v", err)
		}
		p, err := st.PersonOf(e.ctx, rec)
		if err != nil {
			return nil, err
		}
		if p == 0 {
			return &subject{kind: "person", unplaced: []int64{rec}}, nil
		}
		return &subject{kind: "person", people: []int64{p}}, nil
	}
	phone := arg
	country := strings.TrimSpace(strings.Split(e.cfg.GetString("default_country"), ",")[0])
	if p, err := normalize.Phone(arg, country); err == nil {
		phone = p
	} else if !strings.HasPrefix(arg, "+") {
		return nil, usageError("not an email, person, record or phone (write phones with their country code, e.g. +48 601 234 567): %v", err)
	}
	people, unplaced, err := st.PeopleWithPhone(e.ctx, phone)
	return &subject{kind: "phone", value: phone, people: people, unplaced: unplaced}, err
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func runForget(e *env, o forgetOptions, arg string) error {
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	sub, err := resolveSubject(e, st, arg)
	if err != nil {
		return err
	}
	if len(sub.people) == 0 && len(sub.unplaced) == 0 {
		return usageError("nobody in the store has %s: nothing to erase", sub.describe())
	}
	if len(sub.people) > 1 && !o.all {
		return usageError("%d people have %s (people %s): name one person id, or add --all to erase them all",
			len(sub.people), sub.describe(), joinIDs(sub.people))
	}
	who := "people " + joinIDs(sub.people)
	if len(sub.people) == 1 {
		who = "person " + joinIDs(sub.people)
	}
	if len(sub.people) == 0 {
		who = "nobody yet placed by dedupe"
	}
	if !o.yes {
		e.say("would erase %s and %d unplaced record(s); this cannot be undone", who, len(sub.unplaced))
		return usageError("nothing erased: run again with --yes to erase")
	}
	rc, err := st.Forget(e.ctx, store.ForgetTarget{People: sub.people, Records: sub.unplaced}, e.actor())
	var partly *store.ErasedError
	if err != nil && !errors.As(err, &partly) {
		return err
	}
	if e.json() {
		if werr := writeJSON(e.io.Out, rc); werr != nil {
			return werr
		}
	} else if !e.quiet() {
		writeReceipt(e, rc)
	}
	return err
}

// writeReceipt says on stderr what an erasure did, with counts and ids only.
func writeReceipt(e *env, rc *store.ForgetReceipt) {
	w := e.io.Err
	who := "people " + joinIDs(rc.People)
	if len(rc.People) == 1 {
		who = "person " + joinIDs(rc.People)
	}
	if len(rc.People) == 0 {
		who = "unplaced records"
	}
	fmt.Fprintf(w, "erased %s (%d records) on %s; log entry %d\n", who, rc.Records, rc.ErasedAt.Format("2006-01-02"), rc.Event)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  TABLE\tROWS REMOVED")
	tables := make([]string, 0, len(rc.Removed))
	for t := range rc.Removed {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintf(tw, "  %s\t%d\n", t, rc.Removed[t])
	}
	tw.Flush()
	if n := rc.Anonymized["transactions"]; n > 0 {
		fmt.Fprintf(w, "donations kept without personal data (amount, currency, date, kind): %d\n", n)
	}
	if n := rc.Anonymized["events"]; n > 0 {
		fmt.Fprintf(w, "log entries that named them, now without: %d\n", n)
	}
	fmt.Fprintf(w, "kept: %d salted hashes, so that an import or push of them is refused\n", rc.Hashes)
	if rc.Rewritten {
		fmt.Fprintln(w, "store file rewritten: nothing erased stays in its free space")
	}
}
