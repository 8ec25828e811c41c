package cli

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/report"
	"github.com/padron-org/padron/pkg/store"
)

type reportOpts struct {
	from, to, asOf string
	currency       string
	format         string
	out            string
}

func newReportCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Reports for the board",
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newReportBoardCmd(e), newReportSourcesCmd(e), newReportQualityCmd(e))
	return cmd
}

func newReportBoardCmd(e *env) *cobra.Command {
	var o reportOpts
	cmd := &cobra.Command{
		Use:   "board",
		Short: "The board report: people, data quality and donations",
		Long: `Write the board report: people by source and how many appear in several
lists, duplicates merged, data quality (shares with email, phone and address;
problems per file), donations by year and month with totals per currency, donors
(new and returning), donor retention, average and median gift, LYBUNT and SYBUNT,
top donors and opt-outs.

The period is --from to --to, both inclusive (either may be left open). Retention
is measured for the year of --to (or of --as-of): donors of the year before who
gave again. LYBUNT and SYBUNT are as of --as-of (default: --to, or today).
Totals are exact per currency; average gifts are rounded to the cent.

--format md writes Markdown for minutes; --format json every figure for machines
(--json alone means --format json); --format xlsx a workbook with one sheet per
section, Excel charts and frozen headers; --format html one self-contained page
(no network: charts are inline SVG) that reads on a phone and prints. --out FILE
writes to a file ('-' or none: standard output; xlsx needs a file). Run 'padron
dedupe' first.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if e.json() && !cmd.Flags().Changed("format") {
				o.format = "json"
			}
			return runReportBoard(e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "period start, inclusive (YYYY-MM-DD)")
	f.StringVar(&o.to, "to", "", "period end, inclusive (YYYY-MM-DD)")
	f.StringVar(&o.asOf, "as-of", "", "reference date of LYBUNT and SYBUNT (YYYY-MM-DD; default --to, or today)")
	f.StringVar(&o.currency, "currency", "", "only donations in this currency (e.g. EUR)")
	f.StringVar(&o.format, "format", "md", "md, json, xlsx or html")
	f.StringVar(&o.out, "out", "-", "write to this file ('-': standard output)")
	return cmd
}

func runReportBoard(e *env, o reportOpts) error {
	var opts report.Options
	var err error
	if opts.From, err = parseDay("from", o.from); err != nil {
		return err
	}
	if opts.To, err = parseDay("to", o.to); err != nil {
		return err
	}
	if opts.AsOf, err = parseDay("as-of", o.asOf); err != nil {
		return err
	}
	if !opts.From.IsZero() && !opts.To.IsZero() && opts.To.Before(opts.From) {
		return usageError("--to %s is before --from %s", o.to, o.from)
	}
	opts.Currency = strings.ToUpper(strings.TrimSpace(o.currency))
	format := strings.ToLower(o.format)
	var write func(io.Writer, *report.BoardReport) error
	switch format {
	case "md", "markdown":
		write = report.WriteMarkdown
	case "json":
		write = report.WriteJSON
	case "xlsx":
		write = report.WriteXLSX
	case "html":
		write = report.WriteHTML
	default:
		return usageError("--format must be md, json, xlsx or html, got %q", o.format)
	}
	out := o.out
	if out == "" {
		out = "-"
	}
	if format == "xlsx" && out == "-" {
		return usageError("--format xlsx writes a workbook: give --out FILE.xlsx")
	}
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := report.Board(e.ctx, st, opts)
	if err != nil {
		return err
	}
	if err := writeOut(e, out, func(w io.Writer) error { return write(w, r) }); err != nil {
		return err
	}
	if out != "-" {
		e.say("wrote the board report to %s", out)
	}
	return nil
}

// storeReport is a report over the whole store with its two writers.
type storeReport[R any] struct {
	name     string // as in "wrote the NAME report"
	build    func(ctx context.Context, st *store.Store) (*R, error)
	markdown func(io.Writer, *R) error
	json     func(io.Writer, *R) error
}

// newStoreReportCmd builds 'padron report NAME' for a report with md and json forms.
func newStoreReportCmd[R any](e *env, use, short, long string, rep storeReport[R]) *cobra.Command {
	var format, out string
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: long + `

--format md (the default) writes Markdown; --format json every figure for machines
(--json alone means --format json). --out FILE writes to a file, readable only by
you ('-' or none: standard output).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if e.json() && !cmd.Flags().Changed("format") {
				format = "json"
			}
			return runStoreReport(e, rep, format, out)
		},
	}
	cmd.Flags().StringVar(&format, "format", "md", "md or json")
	cmd.Flags().StringVar(&out, "out", "-", "write to this file ('-': standard output)")
	return cmd
}

func runStoreReport[R any](e *env, rep storeReport[R], format, out string) error {
	var write func(io.Writer, *R) error
	switch strings.ToLower(format) {
	case "md", "markdown":
		write = rep.markdown
	case "json":
		write = rep.json
	default:
		return usageError("--format must be md or json, got %q", format)
	}
	if out == "" {
		out = "-"
	}
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if _, ran, err := st.PeopleCount(e.ctx); err != nil {
		return err
	} else if !ran {
		e.say("no dedupe yet: people are counted after 'padron dedupe'")
	}
	r, err := rep.build(e.ctx, st)
	if err != nil {
		return err
	}
	if err := writeOut(e, out, func(w io.Writer) error { return write(w, r) }); err != nil {
		return err
	}
	if out != "-" {
		e.say("wrote the %s report to %s", rep.name, out)
	}
	return nil
}

func newReportSourcesCmd(e *env) *cobra.Command {
	return newStoreReportCmd(e, "sources", "What each imported file contributed",
		`Write the sources report: for each imported file (batch), when it was imported
and with which mapping, the records it brought, the problems found in it, how many
of its records belong to a person, the people it has records of, the people only
it knows (what it alone contributed) and those shared with other files, how many
of its records give an email, a phone or an address, and its money lines with the
donations' count and exact total per currency. Run 'padron dedupe' first: people
are counted after dedupe.`,
		storeReport[report.SourcesReport]{name: "sources", build: report.Sources,
			markdown: report.WriteSourcesMarkdown, json: report.WriteSourcesJSON})
}

func newReportQualityCmd(e *env) *cobra.Command {
	return newStoreReportCmd(e, "quality", "The data quality of the store",
		`Write the data quality report: the share of people and of records with an email,
a phone, an address, a birth date and a national id; people who cannot be contacted
(no email, phone or address) and who opted out; the problems found at import, by
file and by kind; possible duplicates waiting in the review queue and records not
yet deduped; and suspicious values: emails and phones held by several people
(households, placeholders), with the most shared first.`,
		storeReport[report.QualityReport]{name: "quality",
			build: func(ctx context.Context, st *store.Store) (*report.QualityReport, error) {
				return report.DataQuality(ctx, st, report.QualityOptions{})
			},
			markdown: report.WriteQualityMarkdown, json: report.WriteQualityJSON})
}
