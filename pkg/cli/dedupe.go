package cli

import (
	"fmt"
	"os"
	"runtime/debug"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/match"
)

func newDedupeCmd(e *env) *cobra.Command {
	var opt dedupe.Options
	cmd := &cobra.Command{
		Use:   "dedupe",
		Short: "Match records into people",
		Long: `Match every record in the store into people: one person per human being, however
their name, email and phone were written.

Candidate pairs come from several blocking keys (email, phone, national id, name,
name with birth date or postcode, ...); each pair is compared field by field and
scored with Fellegi–Sunter weights estimated from your own data. Pairs scoring at or
above --auto are linked; pairs between --review and --auto go to the review queue.
A link is never made between records with contradicting first names or birth dates,
directly or through a third record.

The first run matches everything. Later runs keep people's ids and match only new
records against them (use --full to match everything again, --retrain to
re-estimate the weights). See 'padron explain' for why two records matched.

Thresholds and nickname files can be set in padron.yaml; memory_limit bounds
DuckDB's share of memory (default 1GB here):
  dedupe:
    auto: 0.95
    review: 0.8
  nicknames: [my-nicknames.txt]
  memory_limit: 1GB`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("auto") && e.cfg.IsSet("dedupe.auto") {
				opt.Auto = e.cfg.GetFloat64("dedupe.auto")
			}
			if !cmd.Flags().Changed("review") && e.cfg.IsSet("dedupe.review") {
				opt.Review = e.cfg.GetFloat64("dedupe.review")
			}
			return runDedupe(e, opt)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&opt.Auto, "auto", match.DefaultAuto, "link pairs at or above this match probability without review")
	f.Float64Var(&opt.Review, "review", match.DefaultReview, "queue pairs at or above this match probability for review")
	f.BoolVar(&opt.Full, "full", false, "match every record again, not only new ones (ids stay stable)")
	f.BoolVar(&opt.Retrain, "retrain", false, "estimate the weights again even if a model is stored")
	f.IntVar(&opt.Cap, "block-cap", 0, "largest block a blocking key pairs up in full (default 40)")
	return cmd
}

func runDedupe(e *env, opt dedupe.Options) error {
	if !(opt.Review > 0 && opt.Review <= opt.Auto && opt.Auto < 1) {
		return usageError("thresholds must satisfy 0 < --review (%v) ≤ --auto (%v) < 1", opt.Review, opt.Auto)
	}
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	// DuckDB only reads records and writes conclusions here; bounded, it spills
	// rather than growing the process at the save. Below 1 GB the golden records of a
	// million people spill, and take twice as long.
	limit := "1GB"
	if v := e.cfg.GetString("memory_limit"); v != "" {
		limit = v
	}
	if err := st.SetMemoryLimit(limit); err != nil {
		return usageError("memory_limit: %v", err)
	}
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		// Matching keeps a few large arrays alive for the whole run, so most
		// collections find little to free: collect at 4× growth, and harder only
		// when the heap nears 3 GiB. At a million records that peaks at 3.0–3.3
		// GiB instead of 2.6–3.2 GiB at 1.5× growth, and runs 2 s faster (fewer
		// collections, and fewer pages handed back and faulted in again; collecting
		// at half the growth had kept them under 2.2 GiB for 2 s more of marking).
		defer debug.SetGCPercent(debug.SetGCPercent(300))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(3 << 30))
	}
	opt.Actor = e.actor()
	opt.NicknameFiles = e.cfg.GetStringSlice("nicknames")
	if opt.Exclude, err = e.exclusions(); err != nil {
		return err
	}
	pr := newPhaseProgress(e, "dedupe")
	opt.Progress = pr.update
	sum, err := dedupe.Run(e.ctx, st, opt)
	pr.done()
	if err != nil {
		return err
	}
	if e.json() {
		return writeJSON(e.io.Out, sum)
	}
	w := e.io.Out
	fmt.Fprintf(w, "%s run %d: %d records (%d new) → %d people (%d new)\n", sum.Mode, sum.Run, sum.Records,
		sum.NewRecords, sum.People, sum.PeopleNew)
	fmt.Fprintf(w, "%d candidate pairs compared, %d linked at ≥ %v, %d refused by the chaining guard, %d for review at ≥ %v\n",
		sum.Pairs, sum.AutoLinks, sum.Auto, sum.Rejected, sum.Review, sum.ReviewAt)
	if a := sum.Attribution; a != nil {
		fmt.Fprintf(w, "%d bank donations attributed: %d by email in the title, %d by donor id in the title, %d by account, %d by name, %d to the person the title names; %d from new donors (%d of them for review); known donors estimated at %.0f%%\n",
			a.Payers, a.ByMethod[match.ByTitleEmail], a.ByMethod[match.ByTitleID], a.ByMethod[match.ByIBAN], a.ByMethod[match.ByName],
			a.ByMethod[match.ByTitleName], a.ByMethod[match.ByNone], a.Review, 100*a.Prior)
	}
	if sum.Trained {
		fmt.Fprintln(w, "weights estimated from this data (see 'padron explain --model')")
	}
	if e.verbose() {
		fmt.Fprint(w, "time:")
		for _, p := range sum.Phases {
			fmt.Fprintf(w, " %s %.2fs", p.Phase, p.Seconds)
		}
		fmt.Fprintln(w)
	}
	if e.quiet() {
		return nil
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "BLOCKING KEY\tBLOCKS\tPAIRS\tNEW PAIRS\tSKIPPED BLOCKS\tSKIPPED RECORDS\t")
	for _, r := range sum.Blocking {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", r.Rule, r.Blocks, r.Pairs, r.New, r.SkippedBlocks, r.SkippedRecords)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if sum.Records > 1 {
		all := float64(sum.Records) * float64(sum.Records-1) / 2
		fmt.Fprintf(w, "candidate pairs are %.4g%% of all %.0f pairs; blocks larger than the cap are skipped (--block-cap)\n",
			100*float64(sum.Pairs)/all, all)
	}
	return nil
}
