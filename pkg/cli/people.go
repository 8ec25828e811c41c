package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/store"
)

func newPeopleCmd(e *env) *cobra.Command {
	var f store.PeopleFilter
	cmd := &cobra.Command{
		Use:   "people",
		Short: "List people (after dedupe)",
		Long: `List people with their golden name, email, phone, city, number of records and
sources. --search matches names (case and accents ignored, either order), emails and
phone digits. With --json, a JSON array.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runPeople(e, f) },
	}
	cmd.Flags().StringVar(&f.Search, "search", "", "only people whose name, email or phone contains this text")
	cmd.Flags().IntVar(&f.Limit, "limit", 0, "list at most this many (0: all)")
	return cmd
}

func newPersonCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "person ID",
		Short: "Show one person: golden record and every record with its source",
		Long: `Show a person's golden record (the value chosen for each field) and every record that
was matched into them, with its source file, record number and link probability.
ID is a person id from 'padron people', or a record as FILE:RECORD_NO to show that
record's person. With --json, one object.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runPerson(e, args[0]) },
	}
}

// openDeduped opens the store for a command that needs people, refusing before the
// first dedupe.
func openDeduped(e *env) (*store.Store, error) {
	st, err := e.openStore()
	if err != nil {
		return nil, err
	}
	_, ran, err := st.PeopleCount(e.ctx)
	if err == nil && !ran {
		err = fmt.Errorf("no people yet: run 'padron dedupe' first")
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func runPeople(e *env, f store.PeopleFilter) error {
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	ps, err := st.People(e.ctx, f)
	if err != nil {
		return err
	}
	if e.json() {
		return writeJSON(e.io.Out, nonNil(ps))
	}
	if len(ps) == 0 {
		e.say("no people match")
		return nil
	}
	tw := tabwriter.NewWriter(e.io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PERSON\tNAME\tEMAIL\tPHONE\tCITY\tRECORDS\tSOURCES\tOPTED OUT")
	for _, p := range ps {
		opt := ""
		if p.OptedOut {
			opt = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", p.ID, strings.TrimSpace(p.GivenName+" "+p.FamilyName),
			p.Email, p.Phone, p.City, p.Records, strings.Join(p.Sources, ", "), opt)
	}
	return tw.Flush()
}

type personOut struct {
	store.PersonView
	Records []store.LinkedRecord `json:"linked_records"`
}

func runPerson(e *env, arg string) error {
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		rec, rerr := st.ResolveRef(e.ctx, arg)
		if rerr != nil {
			return usageError("ID must be a person id or a record FILE:RECORD_NO: %v", rerr)
		}
		if id, err = st.PersonOf(e.ctx, rec); err != nil {
			return err
		}
		if id == 0 {
			return fmt.Errorf("record %s has no person yet: run 'padron dedupe'", arg)
		}
	}
	ps, err := st.People(e.ctx, store.PeopleFilter{ID: id})
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return errors.New("no person " + arg + ": see 'padron people'")
	}
	recs, err := st.LinkedRecords(e.ctx, id)
	if err != nil {
		return err
	}
	out := personOut{PersonView: ps[0], Records: recs}
	if e.json() {
		return writeJSON(e.io.Out, out)
	}
	p := out.PersonView
	w := e.io.Out
	fmt.Fprintf(w, "person %d: %s\n", p.ID, strings.TrimSpace(p.GivenName+" "+p.FamilyName))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, kv := range [][2]string{
		{"given name", p.GivenName}, {"family name", p.FamilyName}, {"email", p.Email}, {"phone", p.Phone},
		{"street", p.Street}, {"postcode", p.Postcode}, {"city", p.City}, {"region", p.Region},
		{"country", p.Country}, {"birth date", p.BirthDate}, {"national id", p.NationalID},
		{"all emails", strings.Join(p.Emails, ", ")}, {"all phones", strings.Join(p.Phones, ", ")},
		{"tags", strings.Join(p.Tags, ", ")},
	} {
		if kv[1] != "" {
			fmt.Fprintf(tw, "  %s\t%s\n", kv[0], kv[1])
		}
	}
	if p.OptedOut {
		fmt.Fprintf(tw, "  opted out\tyes\n")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d records:\n", len(recs))
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  RECORD\tNAME\tEMAILS\tPHONES\tCITY\tBIRTH DATE\tLINK")
	for _, r := range recs {
		link := "-"
		if r.Probability > 0 {
			link = prob(r.Probability)
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, strings.TrimSpace(r.GivenName+" "+r.FamilyName),
			strings.Join(r.Emails, ", "), strings.Join(r.Phones, ", "), r.City, r.BirthDate, link)
	}
	return tw.Flush()
}
