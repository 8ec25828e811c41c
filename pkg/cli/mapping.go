package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/ingest"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/source"
)

func newMappingCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mapping",
		Short: "List, show and check column mappings",
		Long: `Mappings say which column of a file becomes which canonical field (see docs/fields.md
and docs/mappings.md). Built-in mappings ship with padron; your own live in the folder
named by 'mappings:' in padron.yaml or PADRON_MAPPINGS, or are given as a path.`,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the mappings padron knows",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := e.library()
			if err != nil {
				return err
			}
			if e.json() {
				type item struct {
					Name, Description, Origin string
				}
				var out []item
				for _, m := range lib.All() {
					out = append(out, item{m.Name, m.Description, m.Origin})
				}
				return writeJSON(e.io.Out, out)
			}
			tw := tabwriter.NewWriter(e.io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tORIGIN\tDESCRIPTION")
			for _, m := range lib.All() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Name, m.Origin, m.Description)
			}
			return tw.Flush()
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME|FILE",
		Short: "Print a mapping as YAML",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := e.library()
			if err != nil {
				return err
			}
			m, err := lib.Resolve(args[0])
			if err != nil {
				return err
			}
			y, err := m.YAML()
			if err != nil {
				return err
			}
			_, err = e.io.Out.Write(y)
			return err
		},
	})
	var mname, sheet, country string
	check := &cobra.Command{
		Use:   "check FILE",
		Short: "Dry run: what each column of FILE becomes, with sample values and problems",
		Long: `Read FILE as 'padron import' would and report, without writing anything, which mapping
applies, what each column becomes, sample values, and the problems an import would record.

EXIT STATUS
  0  no problems
  1  the file cannot be read
  3  some values would be recorded as problems`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := e.library()
			if err != nil {
				return err
			}
			var m *mapping.Mapping
			if mname != "" {
				if m, err = lib.Resolve(mname); err != nil {
					return err
				}
			}
			rep, err := ingest.Check(args[0], ingest.Options{Library: lib, Mapping: m, Sheet: sheet, DefaultCountry: country, Source: source.Options{}}, 20)
			if err != nil {
				return fmt.Errorf("%s: %s", args[0], trimPathPrefix(err, args[0]))
			}
			total := 0
			for _, t := range rep.Tables {
				total += t.ProblemCount
			}
			if e.json() {
				if err := writeJSON(e.io.Out, rep); err != nil {
					return err
				}
			} else {
				printCheck(e, rep)
			}
			if total > 0 {
				return silentExit(ExitProblems)
			}
			return nil
		},
	}
	check.Flags().StringVar(&mname, "mapping", "", "mapping name or .yaml file (default: detect)")
	check.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	check.Flags().StringVar(&country, "default-country", "", "country for national phone numbers")
	cmd.AddCommand(check)
	cmd.AddCommand(newMappingSuggestCmd(e))
	return cmd
}

func printCheck(e *env, rep *ingest.CheckReport) {
	w := e.io.Out
	fmt.Fprintf(w, "%s: %s", rep.File, rep.Format)
	if rep.Encoding != "" {
		fmt.Fprintf(w, ", %s", rep.Encoding)
	}
	fmt.Fprintln(w)
	for _, t := range rep.Tables {
		if t.Sheet != "" {
			fmt.Fprintf(w, "\nsheet %q\n", t.Sheet)
		}
		hdr := fmt.Sprintf("header on row %d", t.HeaderRow)
		if t.HeaderRow == 0 {
			hdr = "no header row"
		}
		fmt.Fprintf(w, "%s; %d records; %d problems; mapping: %s (%s)\n\n", hdr, t.Records, t.ProblemCount, t.Mapping, t.How)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "COLUMN\tFIELD\tHOW\tPROBLEMS\tSAMPLES")
		for _, c := range t.Columns {
			field := c.Field
			if field == "" {
				field = "-"
			}
			samples := make([]string, len(c.Samples))
			for i, s := range c.Samples {
				samples[i] = clip(s, 24)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", c.Column, field, c.How, c.Problems, strings.Join(samples, " | "))
		}
		tw.Flush()
		if len(t.Missing) > 0 {
			fmt.Fprintf(w, "\ncolumns the mapping names but the file lacks: %s\n", strings.Join(quoteAll(t.Missing), ", "))
		}
		if len(t.Problems) > 0 {
			fmt.Fprintln(w, "\nproblems (first 20):")
			for _, p := range t.Problems {
				fmt.Fprintf(w, "  %s: %s\n", problemPlace(p), p.Reason)
			}
		}
	}
}
