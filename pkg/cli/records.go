package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/store"
)

func newRecordsCmd(e *env) *cobra.Command {
	var f store.RecordFilter
	cmd := &cobra.Command{
		Use:   "records",
		Short: "List imported records with their normalised fields",
		Long: `List imported records in import order. Each is named FILE:RECORD_NO (the file's base
name and the record's 1-based position among its data rows), the way every command
that takes a record accepts it. With --json, every field and the raw row.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := e.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			rs, err := st.Records(e.ctx, f)
			if err != nil {
				return err
			}
			if e.json() {
				if rs == nil {
					rs = []store.RecordView{}
				}
				return writeJSON(e.io.Out, rs)
			}
			tw := tabwriter.NewWriter(e.io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RECORD\tGIVEN\tFAMILY\tEMAIL\tPHONE\tCITY\tAMOUNT")
			for _, r := range rs {
				amount := r.Amount
				if amount != "" && r.Currency != "" {
					amount += " " + r.Currency
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Ref, r.GivenName, r.FamilyName,
					strings.Join(r.Emails, ","), strings.Join(r.Phones, ","), r.City, amount)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().Int64Var(&f.Batch, "batch", 0, "only this batch")
	cmd.Flags().IntVar(&f.Limit, "limit", 0, "at most this many (0: all)")
	return cmd
}
