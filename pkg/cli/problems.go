package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newProblemsCmd(e *env) *cobra.Command {
	var batch int64
	var limit int
	cmd := &cobra.Command{
		Use:   "problems",
		Short: "List problems found while importing: file, row, column, value and reason",
		Long: `List the problems recorded at import: each names the file, the row (line of a CSV, row
of a sheet), the column, the value and the reason. The record was still imported with the
bad field left empty; the raw row keeps the original value.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := e.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			ps, err := st.Problems(e.ctx, batch, limit)
			if err != nil {
				return err
			}
			if e.json() {
				return writeJSON(e.io.Out, ps)
			}
			if len(ps) == 0 {
				e.say("no problems")
				return nil
			}
			tw := tabwriter.NewWriter(e.io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "BATCH\tFILE\tROW\tCOLUMN\tVALUE\tREASON")
			for _, p := range ps {
				file := p.File
				if p.Sheet != "" {
					file += "[" + p.Sheet + "]"
				}
				row := ""
				if p.Pos > 0 {
					row = fmt.Sprint(p.Pos)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", p.BatchID, file, row, p.Column, clip(p.Value, 40), p.Reason)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().Int64Var(&batch, "batch", 0, "only this batch")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many (0: all)")
	return cmd
}

// clip shortens a value for a table cell.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
