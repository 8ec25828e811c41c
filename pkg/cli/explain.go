package cli

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/match"
)

func newExplainCmd(e *env) *cobra.Command {
	var model bool
	cmd := &cobra.Command{
		Use:   "explain RECORD_A RECORD_B | explain --model",
		Short: "Show why two records match or not, field by field",
		Long: `Show how the last dedupe scores two records: each field's comparison level, its
weight (log2 of m/u, in bits), the term-frequency adjustment for common or rare
values, and the running total from the prior to the final match probability.

Records are named FILE:RECORD_NO, the imported file's base name and the record's
number in it (as 'padron records' and 'padron person' show them), e.g.
voluntarios.csv:12. When one file name was imported twice, prefix the batch:
3/voluntarios.csv:12. With --json, the whole explanation as one object.

With --model, show the weights themselves: m and u of every comparison level, the
prior, and how each training session (one per blocking key) went.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if model {
				if len(args) > 0 {
					return usageError("--model takes no records")
				}
				return runExplainModel(e)
			}
			if len(args) != 2 {
				return usageError("explain needs two records, FILE:RECORD_NO FILE:RECORD_NO")
			}
			return runExplain(e, args[0], args[1])
		},
	}
	cmd.Flags().BoolVar(&model, "model", false, "show the estimated weights instead of a pair")
	return cmd
}

func runExplainModel(e *env) error {
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := dedupe.StoredModel(e.ctx, st)
	if err != nil {
		return err
	}
	if e.json() {
		return writeJSON(e.io.Out, m)
	}
	w := e.io.Out
	fmt.Fprintf(w, "trained on %d records and %d candidate pairs; prior λ = %.3g (%+.2f bits)\n\n", m.Records, m.Pairs,
		m.Prior, math.Log2(m.Prior/(1-m.Prior)))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPARISON\tLEVEL\tm\tu\tBITS\t")
	for c, cmp := range match.Comparisons {
		for l := 1; l < len(cmp.Levels); l++ {
			name := ""
			if l == 1 {
				name = cmp.Name
				if !m.Trained[c] {
					name += " (not trained)"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%.3g\t%.3g\t%+.2f\t\n", name, cmp.Levels[l], m.M[c][l], m.U[c][l], math.Log2(m.M[c][l]/m.U[c][l]))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SESSION\tPAIRS\tITERATIONS\tMATCH SHARE\tMATCHES IN DATA\t")
	for _, s := range m.Sessions {
		est := "-"
		if s.EstimatedMatches > 0 {
			est = fmt.Sprintf("%.0f", s.EstimatedMatches)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%s\t\n", s.Rule, s.Pairs, s.Iterations, s.MatchShare, est)
	}
	return tw.Flush()
}

type explainOut struct {
	A string `json:"a"`
	B string `json:"b"`
	*match.Explanation
	SamePerson bool `json:"same_person"`
}

func runExplain(e *env, refA, refB string) error {
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := st.ResolveRef(e.ctx, refA)
	if err != nil {
		return usageError("%v", err)
	}
	b, err := st.ResolveRef(e.ctx, refB)
	if err != nil {
		return usageError("%v", err)
	}
	ex, err := dedupe.Explain(e.ctx, st, a, b, e.cfg.GetStringSlice("nicknames"))
	if err != nil {
		return err
	}
	pa, _ := st.PersonOf(e.ctx, a)
	pb, _ := st.PersonOf(e.ctx, b)
	out := explainOut{A: refA, B: refB, Explanation: ex, SamePerson: pa != 0 && pa == pb}
	if e.json() {
		return writeJSON(e.io.Out, out)
	}
	w := e.io.Out
	fmt.Fprintf(w, "A %s    B %s\n\n", refA, refB)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIELD\tA\tB\tLEVEL\tm\tu\tBITS\tRUNNING\t")
	fmt.Fprintf(tw, "prior\t\t\tλ = %.3g\t\t\t%+.2f\t%+.2f\t%s\n", ex.Prior, ex.PriorWeight, ex.PriorWeight, waterfall(ex.PriorWeight))
	for _, f := range ex.Fields {
		bits, m, u := "", "", ""
		if f.Level != 0 {
			bits, m, u = fmt.Sprintf("%+.2f", f.Total), fmt.Sprintf("%.3g", f.M), fmt.Sprintf("%.3g", f.U)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%+.2f\t%s\n", f.Comparison, clip(f.A, 28), clip(f.B, 28), f.LevelName, m, u,
			bits, f.Running, waterfall(f.Total))
		if f.TFValue != "" {
			fmt.Fprintf(tw, "\t\t\t  of which %q in %.3g%% of records\t\t\t%+.2f\t\t\n", f.TFValue, 100*f.TFU, f.TFAdjustment)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nmatch weight %+.2f bits → match probability %s\n", ex.Weight, prob(ex.Probability))
	if ex.Swapped {
		fmt.Fprintln(w, "names compared with given and family name swapped on one side")
	}
	if ex.Conflict != "" {
		fmt.Fprintf(w, "never linked automatically: %s\n", ex.Conflict)
	}
	if out.SamePerson {
		fmt.Fprintf(w, "both records belong to person %d\n", pa)
	} else if pa != 0 && pb != 0 {
		fmt.Fprintf(w, "the records belong to different people (%d and %d)\n", pa, pb)
	}
	return nil
}

func prob(p float64) string {
	switch {
	case p > 0.99999999:
		return "> 0.99999999" // rounding would print a certainty the model never gives
	case p > 0.99999:
		return fmt.Sprintf("%.8f", math.Floor(p*1e8)/1e8)
	case p < 1e-4:
		return fmt.Sprintf("%.2g", p)
	}
	return fmt.Sprintf("%.4f", p)
}

// waterfall draws a weight as a bar of + or -, one per two bits, at most 15.
func waterfall(bits float64) string {
	n := int(math.Min(math.Abs(bits)/2+0.5, 15))
	if bits >= 0 {
		return strings.Repeat("+", n)
	}
	return strings.Repeat("-", n)
}
