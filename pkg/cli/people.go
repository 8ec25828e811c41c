package cli

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

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
	var export bool
	cmd := &cobra.Command{
		Use:   "person ID",
		Short: "Show one person: golden record and every record with its source",
		Long: `Show a person's golden record (the value chosen for each field), every record that
was matched into them, with its source file, record number and link probability, and
their consent and opt-out facts. ID is a person id from 'padron people', or a record
as FILE:RECORD_NO to show that record's person. With --json, one object.

With --export, everything the store holds about the person, as JSON on stdout (for a
subject access request): golden record, every record with its file, record number,
import date and raw row, donations, consent facts, pushes to mailing tools, decisions
and log entries about their records, and pending review pairs.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if export {
				return runPersonExport(e, args[0])
			}
			return runPerson(e, args[0])
		},
	}
	cmd.Flags().BoolVar(&export, "export", false, "everything held about the person, as JSON (access request)")
	return cmd
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
	return writePeopleTable(e.io.Out, ps)
}

// writePeopleTable lists people one per line, as 'padron people' and 'padron segment
// people' show them.
func writePeopleTable(w io.Writer, ps []store.PersonView) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
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
	// From names, per golden field, the records its value came from.
	From    map[string][]string `json:"golden_from,omitempty"`
	Consent []store.ConsentFact `json:"consent"`
}

// goldenFrom finds, for each golden value, the records that carry it.
func goldenFrom(p store.PersonView, recs []store.LinkedRecord) map[string][]string {
	out := map[string][]string{}
	add := func(field, golden string, value func(r *store.LinkedRecord) []string) {
		if golden == "" {
			return
		}
		for i := range recs {
			for _, v := range value(&recs[i]) {
				if v == golden {
					out[field] = append(out[field], recs[i].Ref)
					break
				}
			}
		}
	}
	one := func(f func(r *store.LinkedRecord) string) func(r *store.LinkedRecord) []string {
		return func(r *store.LinkedRecord) []string { return []string{f(r)} }
	}
	add("given_name", p.GivenName, one(func(r *store.LinkedRecord) string { return r.GivenName }))
	add("family_name", p.FamilyName, one(func(r *store.LinkedRecord) string { return r.FamilyName }))
	add("email", p.Email, func(r *store.LinkedRecord) []string { return r.Emails })
	add("phone", p.Phone, func(r *store.LinkedRecord) []string { return r.Phones })
	add("street", p.Street, one(func(r *store.LinkedRecord) string { return r.Street }))
	add("postcode", p.Postcode, one(func(r *store.LinkedRecord) string { return r.Postcode }))
	add("city", p.City, one(func(r *store.LinkedRecord) string { return r.City }))
	add("region", p.Region, one(func(r *store.LinkedRecord) string { return r.Region }))
	add("country", p.Country, one(func(r *store.LinkedRecord) string { return r.Country }))
	add("birth_date", p.BirthDate, one(func(r *store.LinkedRecord) string { return r.BirthDate }))
	add("national_id", p.NationalID, one(func(r *store.LinkedRecord) string { return r.NationalID }))
	return out
}

// personID turns a person id or FILE:RECORD_NO into a person id.
func personID(e *env, st *store.Store, arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		rec, rerr := st.ResolveRef(e.ctx, arg)
		if rerr != nil {
			return 0, usageError("ID must be a person id or a record FILE:RECORD_NO: %v", rerr)
		}
		if id, err = st.PersonOf(e.ctx, rec); err != nil {
			return 0, err
		}
		if id == 0 {
			return 0, fmt.Errorf("record %s has no person yet: run 'padron dedupe'", arg)
		}
	}
	return id, nil
}

func runPerson(e *env, arg string) error {
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	id, ps, err := lookupPerson(e, st, arg)
	if err != nil {
		return err
	}
	recs, err := st.LinkedRecords(e.ctx, id)
	if err != nil {
		return err
	}
	consent, err := st.ConsentFacts(e.ctx, id)
	if err != nil {
		return err
	}
	out := personOut{PersonView: ps[0], Records: recs, From: goldenFrom(ps[0], recs), Consent: nonNil(consent)}
	if e.json() {
		return writeJSON(e.io.Out, out)
	}
	p := out.PersonView
	w := e.io.Out
	fmt.Fprintf(w, "person %d: %s\n", p.ID, strings.TrimSpace(p.GivenName+" "+p.FamilyName))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, kv := range [][3]string{
		{"given name", p.GivenName, "given_name"}, {"family name", p.FamilyName, "family_name"},
		{"email", p.Email, "email"}, {"phone", p.Phone, "phone"}, {"street", p.Street, "street"},
		{"postcode", p.Postcode, "postcode"}, {"city", p.City, "city"}, {"region", p.Region, "region"},
		{"country", p.Country, "country"}, {"birth date", p.BirthDate, "birth_date"},
		{"national id", p.NationalID, "national_id"},
		{"all emails", strings.Join(p.Emails, ", "), ""}, {"all phones", strings.Join(p.Phones, ", "), ""},
		{"all addresses", strings.Join(p.Addresses, "; "), ""},
		{"tags", strings.Join(p.Tags, ", "), ""},
	} {
		if kv[1] == "" {
			continue
		}
		from := ""
		if refs := out.From[kv[2]]; len(recs) > 1 && len(refs) > 0 {
			from = "from " + refs[0]
			if len(refs) > 1 {
				from += fmt.Sprintf(" (and %d more)", len(refs)-1)
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", kv[0], kv[1], from)
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
	if err := tw.Flush(); err != nil {
		return err
	}
	return writeConsent(w, out.Consent)
}

// writeConsent lists a person's consent facts, oldest first.
func writeConsent(w io.Writer, facts []store.ConsentFact) error {
	if len(facts) == 0 {
		fmt.Fprintf(w, "\nconsent: no facts\n")
		return nil
	}
	fmt.Fprintf(w, "\nconsent (%d facts):\n", len(facts))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  WHEN\tCHANNEL\tSTATUS\tSUBJECT\tSOURCE\tTEXT\tBY")
	for _, f := range facts {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.RecordedAt.Format("2006-01-02 15:04"), f.Channel,
			strings.ReplaceAll(f.Status, "_", "-"), f.Subject, f.Source, f.Text, f.Actor)
	}
	return tw.Flush()
}

// accessExport is everything the store holds about one person.
type accessExport struct {
	ExportedAt time.Time              `json:"exported_at"`
	Person     store.PersonView       `json:"person"`
	Records    []exportedRecord       `json:"records"`
	Donations  []store.Donation       `json:"donations"`
	Consent    []store.ConsentFact    `json:"consent"`
	Pushes     []store.PersonPush     `json:"pushes"`
	Decisions  []store.PersonDecision `json:"decisions"`
	Log        []store.LogEntry       `json:"log"`
	Review     []store.ReviewItem     `json:"review"`
}

type exportedRecord struct {
	store.LinkedRecord
	ImportedAt time.Time `json:"imported_at"`
}

func runPersonExport(e *env, arg string) error {
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	id, ps, err := lookupPerson(e, st, arg)
	if err != nil {
		return err
	}
	out := accessExport{ExportedAt: time.Now().UTC().Truncate(time.Second), Person: ps[0]}
	recs, err := st.LinkedRecords(e.ctx, id)
	if err != nil {
		return err
	}
	batches, err := st.Batches(e.ctx)
	if err != nil {
		return err
	}
	imported := map[int64]time.Time{}
	for _, b := range batches {
		imported[b.ID] = b.ImportedAt
	}
	for _, r := range recs {
		out.Records = append(out.Records, exportedRecord{LinkedRecord: r, ImportedAt: imported[r.BatchID]})
	}
	if err := st.Donations(e.ctx, store.DonationFilter{Person: id}, func(d store.Donation) error {
		out.Donations = append(out.Donations, d)
		return nil
	}); err != nil {
		return err
	}
	if out.Consent, err = st.ConsentFacts(e.ctx, id); err != nil {
		return err
	}
	if out.Pushes, err = st.PersonPushes(e.ctx, id); err != nil {
		return err
	}
	if out.Decisions, err = st.PersonDecisions(e.ctx, id); err != nil {
		return err
	}
	if out.Log, err = st.Log(e.ctx, id, 0); err != nil {
		return err
	}
	queue, _, err := st.ReviewQueue(e.ctx, 0, 0)
	if err != nil {
		return err
	}
	for _, it := range queue {
		if it.PersonA == id || it.PersonB == id {
			out.Review = append(out.Review, it)
		}
	}
	out.Records, out.Donations, out.Consent = nonNil(out.Records), nonNil(out.Donations), nonNil(out.Consent)
	out.Pushes, out.Decisions, out.Log, out.Review = nonNil(out.Pushes), nonNil(out.Decisions), nonNil(out.Log), nonNil(out.Review)
	return writeJSON(e.io.Out, out)
}

// lookupPerson resolves a person id or a record FILE:RECORD_NO to the person's id and
// golden view (one element).
func lookupPerson(e *env, st *store.Store, arg string) (int64, []store.PersonView, error) {
	id, err := personID(e, st, arg)
	if err != nil {
		return 0, nil, err
	}
	ps, err := st.People(e.ctx, store.PeopleFilter{ID: id})
	if err != nil {
		return 0, nil, err
	}
	if len(ps) == 0 {
		return 0, nil, errors.New("no person " + arg + ": see 'padron people'")
	}
	return id, ps, nil
}
