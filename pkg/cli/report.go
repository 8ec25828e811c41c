package cli

import (
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/report"
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
	cmd.AddCommand(newReportBoardCmd(e))
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

--format md writes Markdown for minutes; --format json every figure for machines.
(--json alone means --format json.) --out FILE writes to a file ('-' or none: standard output). Run 'padron dedupe'
first.`,
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
	f.StringVar(&o.format, "format", "md", "md or json (xlsx and html are not yet available)")
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
	case "xlsx", "html":
		return usageError("--format %s is not yet available: use md or json", format)
	default:
		return usageError("--format must be md or json, got %q", o.format)
	}
	out := o.out
	if out == "" {
		out = "-"
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
