package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/review"
)

func newReviewExportCmd(e *env) *cobra.Command {
	var out string
	var limit int
	var force bool
	cmd := &cobra.Command{
		Use:   "export --out FILE.xlsx",
		Short: "Write the review queue as a spreadsheet to decide in Excel or LibreOffice",
		Long: `Write the review queue, most valuable pairs first, as an xlsx workbook: one block of
two rows per pair (record A and record B side by side, fields that agree green, those
that disagree orange), the match probability, the evidence that weighed most, and a
yellow Decision cell with a drop-down: same, different or skip. The Instructions sheet
says the rest. Decide, save, then 'padron review import FILE.xlsx'.

The file is written whole or not at all and readable by its owner only. An existing
file is never overwritten (it may hold a steward's work) unless --force. Nothing is
written when the queue is empty.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runReviewExport(e, out, limit, force) },
	}
	cmd.Flags().StringVarP(&out, "out", "o", "", "workbook to write (.xlsx)")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many pairs, the most valuable first (0: the whole queue)")
	cmd.Flags().BoolVar(&force, "force", false, "overwrite the file if it exists")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

func runReviewExport(e *env, out string, limit int, force bool) error {
	if limit < 0 {
		return usageError("--limit must be 0 or more")
	}
	if out != "-" && !force {
		if _, err := os.Stat(out); err == nil {
			return usageError("%s exists (it may hold decisions not imported yet): import it first, or use --force to overwrite it", out)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	// An empty queue writes no file at all.
	_, pending, err := st.ReviewQueue(e.ctx, 0, 1)
	if err != nil {
		return err
	}
	if pending == 0 {
		if e.json() {
			return writeJSON(e.io.Out, review.ExportResult{})
		}
		e.say("the review queue is empty: nothing to write")
		return nil
	}
	var res *review.ExportResult
	opt := review.ExportOptions{Limit: limit, Nicknames: e.cfg.GetStringSlice("nicknames")}
	err = writeOut(e, out, func(w io.Writer) error {
		var err error
		res, err = review.Export(e.ctx, st, w, opt)
		return err
	})
	if err != nil {
		return err
	}
	if e.json() && out != "-" {
		return writeJSON(e.io.Out, res)
	}
	if out != "-" {
		e.say("wrote %d of %d pairs waiting for review to %s", res.Pairs, res.Pending, out)
	}
	return nil
}

func newReviewImportCmd(e *env) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "import FILE.xlsx",
		Short: "Apply the decisions of a review spreadsheet",
		Long: `Apply the decisions written in a workbook 'padron review export' wrote: same merges the
two records' people at once, different keeps them apart in every later dedupe. Blank
and skip cells are left for later. Besides same/different/skip, yes/no, sí/no and
tak/nie are read. Each decision is its own log entry ('padron log'), revertible alone.

A pair is refused, and reported with its row, when its value is unknown, when its
records changed since the export (edited, moved to another person, removed), when it
was already decided otherwise, or when it contradicts a decision before it (in the
file, or a 'different' in force). A pair already decided the same way is reported and
not applied again: importing a file twice changes nothing the second time. With
--dry-run, everything is checked and reported, nothing applied.

Exit status: 0 when every decision was applied (or already was), 3 when some were
refused (the others are applied), 1 when the file could not be read.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runReviewImport(e, args[0], dryRun) },
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check and report, apply nothing")
	return cmd
}

func runReviewImport(e *env, path string, dryRun bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := review.Import(e.ctx, st, f, review.ImportOptions{Actor: e.actor(), File: filepath.Base(path), DryRun: dryRun})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if e.json() {
		if err := writeJSON(e.io.Out, res); err != nil {
			return err
		}
	} else {
		for _, r := range res.Rows {
			if r.Status != review.Refused && r.Status != review.Already {
				continue
			}
			fmt.Fprintf(e.io.Out, "row %d (pair %d, %s): %s: %s\n", r.Row, r.Pair, pairRefs(r), r.Status, r.Reason)
		}
		verb := "applied"
		if dryRun {
			verb = "would apply"
		}
		e.say("%s %d decisions (%d same, %d different); %d skipped, %d already decided, %d refused",
			verb, res.Same+res.Different, res.Same, res.Different, res.Skipped, res.Already, res.Refused)
	}
	if res.Refused > 0 {
		return silentExit(ExitProblems)
	}
	return nil
}

func pairRefs(r review.RowResult) string {
	refs := []string{}
	for _, s := range []string{r.A, r.B} {
		if s != "" {
			refs = append(refs, s)
		}
	}
	if len(refs) == 0 {
		return "records unknown"
	}
	return strings.Join(refs, " ~ ")
}
