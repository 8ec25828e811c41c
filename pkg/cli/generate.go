package cli

import (
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/synth"
)

func newGenerateCmd(e *env) *cobra.Command {
	cfg := synth.Config{}
	var out string
	cmd := &cobra.Command{
		Use:   "generate --out DIR",
		Short: "Write synthetic messy contact files with ground truth, for trials and benchmarks",
		Long: `Write a seeded, synthetic data set the way an NGO's systems would export it: a Spanish
volunteer list, an event sign-up form (Latin-1), a Polish donor list (Windows-1250), a
contacts workbook and a mailing-tool export, with the same people spelled differently
across them, look-alike strangers, and truth.csv (source_file,record_no,person_id)
saying which records are the same person. The same seed always gives the same bytes.
No real person's data is involved.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError("generate needs --out DIR")
			}
			if cfg.People < 1 {
				return usageError("--people must be at least 1")
			}
			m, err := synth.Generate(cfg, out)
			if err != nil {
				return err
			}
			if e.json() {
				return writeJSON(e.io.Out, m)
			}
			for _, f := range m.Files {
				e.say("%s: %d records", filepath.Base(f.Path), f.Records)
			}
			e.say("%d records of %d people (%d duplicates); ground truth in %s", m.Records, m.People, m.Duplicates, m.Truth)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&out, "out", "", "folder to write into (created if needed)")
	f.IntVar(&cfg.People, "people", 1000, "distinct people")
	f.Uint64Var(&cfg.Seed, "seed", 1, "random seed")
	f.Float64Var(&cfg.DupRate, "dup-rate", synth.DefaultDupRate, "mean extra records per person")
	f.Float64Var(&cfg.Problems, "problems", 0, "share of records given one bad value")
	return cmd
}
