package synth

import (
	"fmt"
	"os"
	"path/filepath"
)

// SampleSeed and SamplePeople define the demo data set bundled in samples/.
const (
	SampleSeed   = 20250203
	SamplePeople = 84
)

// SampleTruthPath is where WriteSamples puts the ground truth, relative to its dir: in
// a subfolder, so that "every CSV in samples/" means only the source files.
const SampleTruthPath = "truth/truth.csv"

// sampleProblems places one deliberate bad value of each kind at fixed records, so the
// demo always shows them (see samples/README.md).
var sampleProblems = map[Format]map[int]int{
	Volunteers:   {5: pbInvalidEmail, 11: pbBadDate, 17: pbRagged},
	EventSignups: {4: pbInvalidEmail, 9: pbBadPhone},
	Donors:       {3: pbBadAmount, 8: pbBadDate, 14: pbRagged},
	Contacts:     {6: pbBadDate, 10: pbInvalidEmail},
	Mailing:      {7: pbInvalidEmail, 15: pbRagged},
}

// WriteSamples writes the small demo files bundled in samples/ (the five sources of
// Generate with 84 people, more households, namesakes and copies than the default,
// and a few deliberate problems at fixed rows) into dir, with the ground truth in
// dir/truth/truth.csv. It is deterministic: the test in this package checks that the
// committed samples are exactly what it writes.
func WriteSamples(dir string) (*Manifest, error) {
	g, err := newGen(Config{People: SamplePeople, Seed: SampleSeed, DupRate: 0.9})
	if err != nil {
		return nil, err
	}
	g.sample = true
	g.tune.household = 0.2
	g.tune.common = 0.08
	g.forced = sampleProblems
	for c := range numCountries { // a readable spreadsheet and sign-up list need rows
		g.weights[c][Contacts] *= 1.7
		g.weights[c][EventSignups] *= 1.3
	}
	m, err := g.run(dir)
	if err != nil {
		return nil, err
	}
	dst := filepath.Join(dir, filepath.FromSlash(SampleTruthPath))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	if err := os.Rename(m.Truth, dst); err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	m.Truth = dst
	return m, nil
}
