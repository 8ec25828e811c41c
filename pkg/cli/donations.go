package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/crm"
	"github.com/padron-org/padron/pkg/store"
)

type donationsOpts struct {
	person   string
	from, to string
	filter   store.DonationFilter
}

func newDonationsCmd(e *env) *cobra.Command {
	var o donationsOpts
	cmd := &cobra.Command{
		Use:   "donations",
		Short: "List donations and who gave them",
		Long: `List donations: bank credits that no exclusion rule keeps out (own transfers,
reversals, interest and the donations.exclude rules of padron.yaml), and rows of lists
with an amount. Each shows its person and how it was attributed:

  title_email  the transfer title names the person's email
  title_id     the title names the person's donor id (a contact's external id)
  title_name   the title names whom a payment from another's account is for
  iban         the account paid from is one seen with the person before
  name         the payer's name (and address) matched the person
  new          no known person: a new one, made from the bank's data
  record       a list row, matched into its person by dedupe

--unattributed lists only donations from new donors, those a steward should look at
first (a REVIEW column names the person they may be). Totals per currency go to
stderr. With --json, a JSON array.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDonations(e, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.person, "person", "", "only this person's (a person id or a record FILE:RECORD_NO)")
	f.BoolVar(&o.filter.Unattributed, "unattributed", false, "only donations no known person was found for")
	f.StringVar(&o.from, "from", "", "only from this date (YYYY-MM-DD)")
	f.StringVar(&o.to, "to", "", "only up to this date, inclusive (YYYY-MM-DD)")
	f.IntVar(&o.filter.Limit, "limit", 0, "list at most this many (0: all)")
	return cmd
}

func parseDay(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, usageError("--%s: want a date as YYYY-MM-DD, got %q", flag, s)
	}
	return t, nil
}

// donationFilter resolves the flags shared by donations and export donations.
func donationFilter(e *env, st *store.Store, o donationsOpts) (store.DonationFilter, error) {
	f := o.filter
	var err error
	if f.From, err = parseDay("from", o.from); err != nil {
		return f, err
	}
	if f.To, err = parseDay("to", o.to); err != nil {
		return f, err
	}
	if o.person != "" {
		id, perr := strconv.ParseInt(o.person, 10, 64)
		if perr != nil {
			rec, rerr := st.ResolveRef(e.ctx, o.person)
			if rerr != nil {
				return f, usageError("--person must be a person id or a record FILE:RECORD_NO: %v", rerr)
			}
			if id, err = st.PersonOf(e.ctx, rec); err != nil {
				return f, err
			}
			if id == 0 {
				return f, fmt.Errorf("record %s has no person yet: run 'padron dedupe'", o.person)
			}
		}
		f.Person = id
	}
	return f, nil
}

func runDonations(e *env, o donationsOpts) error {
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := donationFilter(e, st, o)
	if err != nil {
		return err
	}
	var list []store.Donation
	if err := st.Donations(e.ctx, f, func(d store.Donation) error { list = append(list, d); return nil }); err != nil {
		return err
	}
	if list == nil {
		list = []store.Donation{}
	}
	if e.json() {
		return writeJSON(e.io.Out, list)
	}
	tw := tabwriter.NewWriter(e.io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DATE\tAMOUNT\tPERSON\tHOW\tSCORE\tREVIEW\tNAME\tRECORD\tTITLE")
	totals := map[string]int64{}
	var curs []string
	for _, d := range list {
		person, review, score := "", "", ""
		if d.PersonID != 0 {
			person = strconv.FormatInt(d.PersonID, 10)
		}
		if d.Candidate != 0 {
			review = strconv.FormatInt(d.Candidate, 10) + "?"
		}
		if d.Score > 0 {
			score = fmt.Sprintf("%.2f", d.Score)
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%s\t%s\t%s:%d\t%s\n", d.Date, d.Amount, d.Currency, person, d.Method, score,
			review, clip(oneLine(d.Name), 30), d.SourceFile, d.RecordNo, clip(oneLine(d.Title), 40))
		if c, ok := cents(d.Amount); ok {
			if _, seen := totals[d.Currency]; !seen {
				curs = append(curs, d.Currency)
			}
			totals[d.Currency] += c
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	parts := make([]string, 0, len(curs))
	for _, c := range curs {
		parts = append(parts, strings.TrimSpace(store.DecimalText(totals[c], 2)+" "+c))
	}
	e.say("%d donations: %s", len(list), strings.Join(parts, ", "))
	return nil
}

// cents reads a stored amount with at most two decimals as hundredths (finer amounts
// are left out of the display total, never rounded into it).
func cents(s string) (int64, bool) {
	ip, fp, _ := strings.Cut(s, ".")
	if len(fp) > 2 {
		return 0, false
	}
	fp += strings.Repeat("0", 2-len(fp))
	neg := strings.HasPrefix(ip, "-")
	v, err := strconv.ParseInt(strings.TrimPrefix(ip, "-")+fp, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func runExportDonations(e *env, o exportOpts, do donationsOpts) error {
	target, format, err := o.target()
	if err != nil {
		return err
	}
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := donationFilter(e, st, do)
	if err != nil {
		return err
	}
	// Targets whose donation rows carry the donor's fields look the donors up; the
	// people are read once, before the donations.
	var lookup crm.Lookup
	if target.DonorRequired {
		var people []store.PersonView
		if err := st.EachPerson(e.ctx, func(p store.PersonView) error { people = append(people, p); return nil }); err != nil {
			return err
		}
		lookup = crm.MapLookup(people)
	}
	skipped := 0
	table := crm.DonationsTable(target, lookup, func(each func(store.Donation) error) error {
		return st.Donations(e.ctx, f, func(d store.Donation) error {
			if target.DonorRequired && d.PersonID == 0 {
				skipped++
				return nil
			}
			return each(d)
		})
	})
	n, err := writeTable(e, o, format, table)
	if err != nil {
		return err
	}
	if o.out != "-" {
		e.say("wrote %d donations to %s (%s)", n, o.out, o.format)
	}
	if skipped > 0 {
		e.say("left out %d donations no person is known for: %s refuses a donation without its contact (see 'padron donations --unattributed')",
			skipped, o.format)
	}
	return nil
}

// oneLine collapses a value's whitespace and line breaks for a table cell.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
