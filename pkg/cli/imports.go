package cli

import (
	"fmt"
	"strconv"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newImportsCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "imports",
		Short: "List imported batches (one per file)",
		Long: `List every imported batch: id, file, format, records, problems and when it was imported.
With --json, a JSON array of batch objects.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runImports(e) },
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "undo BATCH",
		Short: "Remove a batch and everything derived only from it",
		Long: `Remove one imported batch: its records, raw rows and problems, in one transaction.
The undo is written to the log. The same file can then be imported again.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runImportsUndo(e, args[0]) },
	})
	return cmd
}

func runImports(e *env) error {
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	bs, err := st.Batches(e.ctx)
	if err != nil {
		return err
	}
	if e.json() {
		return writeJSON(e.io.Out, nonNil(bs))
	}
	if len(bs) == 0 {
		e.say("no imports yet: try 'padron import FILE'")
		return nil
	}
	tw := tabwriter.NewWriter(e.io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "BATCH\tFILE\tFORMAT\tRECORDS\tPROBLEMS\tMAPPING\tIMPORTED")
	for _, b := range bs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\t%s\n", b.ID, b.File, b.Format, b.Records, b.Problems, b.Mapping, b.ImportedAt.Local().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

func runImportsUndo(e *env, arg string) error {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return usageError("BATCH must be a batch number from 'padron imports', not %q", arg)
	}
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	b, err := st.UndoBatch(e.ctx, id, e.actor())
	if err != nil {
		return err
	}
	if e.json() {
		return writeJSON(e.io.Out, b)
	}
	e.say("undid batch %d (%s): %d records removed", b.ID, b.File, b.Records)
	return nil
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError("%s takes no arguments, got %q", cmd.CommandPath(), args[0])
	}
	return nil
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError("%s needs %d argument(s): %s", cmd.CommandPath(), n, cmd.Use)
		}
		return nil
	}
}
