package cli

import (
	"github.com/spf13/cobra"
)

// reviewOpts are the interactive review's flags.
type reviewOpts struct {
	limit int
}

func newReviewCmd(e *env) *cobra.Command {
	var o reviewOpts
	cmd := &cobra.Command{
		Use:   "review",
		Short: "Decide the doubtful pairs: in the terminal, or through a spreadsheet",
		Long: `Work through the review queue, most valuable pairs first (people with donations,
bigger people, likelier pairs): the pairs 'padron dedupe' scored between --review and
--auto. Each pair shows both records side by side, the fields that differ highlighted
(≠ both given and different, ~ given on one side only), and how the score came about,
field by field.

Keys:
  s  the same person: their people are merged at once
  d  different people: never joined, by this or any later dedupe
  n  skip: the pair stays in the queue (→ and Enter skip too)
  u  undo the last decision of this session and show its pair again (← too)
  q  quit (Esc and Ctrl-C too)

Every decision is saved as it is made: quit any time, nothing is lost. Decisions are
kept by every later dedupe and logged ('padron log', 'padron log revert').

padron review needs a terminal; --json does not apply to it. 'padron review export' and
'padron review import' do the same through a spreadsheet.

Exit codes: 0 done or quit, 1 a decision could not be saved, 2 no terminal or wrong flags.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runReviewTUI(e, o) },
	}
	cmd.Flags().IntVar(&o.limit, "limit", 0, "stop after this many pairs (0: the whole queue)")
	cmd.AddCommand(newReviewExportCmd(e), newReviewImportCmd(e))
	return cmd
}
