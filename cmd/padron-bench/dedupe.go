package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/padron-org/padron/pkg/synth"
)

// dedupeFlags are the flags both dedupe benchmarks share: -auto and -review, passed to
// padron dedupe only when given, and -padron, a binary to use instead of building one.
type dedupeFlags struct{ auto, review, bin string }

func (t *dedupeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.bin, "padron", "", "use this padron binary instead of building ./cmd/padron")
	fs.StringVar(&t.auto, "auto", "", "padron dedupe --auto: link automatically from this match probability (default: padron's)")
	fs.StringVar(&t.review, "review", "", "padron dedupe --review: send pairs from this probability to review (default: padron's)")
}

func (t *dedupeFlags) check() error {
	for _, v := range []string{t.auto, t.review} {
		if v == "" {
			continue
		}
		if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 || f > 1 {
			return fmt.Errorf("-auto/-review %q: a probability between 0 and 1", v)
		}
	}
	return nil
}

// padron returns the -padron binary, or builds one into dir.
func (t *dedupeFlags) padron(dir string) (string, error) {
	if t.bin == "" {
		return buildPadron(dir)
	}
	return filepath.Abs(t.bin)
}

func (t *dedupeFlags) String() string {
	a, r := t.auto, t.review
	if a == "" {
		a = "padron's default"
	}
	if r == "" {
		r = "padron's default"
	}
	return fmt.Sprintf("auto %s, review %s", a, r)
}

// outcome is one data set run through padron and the baseline.
type outcome struct {
	ds       *dataset
	imp      time.Duration // all its imports
	padron   Metrics
	dedupe   *dedupeRun
	baseline baselineResult
}

// runDataset imports the data set into a fresh store, runs padron dedupe and export
// links, scores the links, and runs the SQL baseline on the same store.
func runDataset(bin, dir string, ds *dataset, th dedupeFlags) (*outcome, error) {
	o := &outcome{ds: ds}
	st := newStore(bin, dir, ds.name)
	step(fmt.Sprintf("%s: importing %d records", ds.name, ds.truth.Len()))
	for _, f := range ds.files {
		c, notes, err := st.importFile(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ds.name, err)
		}
		o.imp += c.wall
		ds.notes = append(ds.notes, notes...)
	}
	step(fmt.Sprintf("%s: padron dedupe", ds.name))
	d, err := st.dedupe(th.auto, th.review)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ds.name, err)
	}
	o.dedupe = d
	if v, ok := d.num("records"); ok && int(v) != ds.truth.Len() {
		return nil, fmt.Errorf("%s: padron dedupe saw %d records, the data set has %d", ds.name, int(v), ds.truth.Len())
	}
	if err := ds.truth.WriteCSV(filepath.Join(dir, ds.name+"-truth.csv")); err != nil {
		return nil, fmt.Errorf("%s: %w", ds.name, err)
	}
	step(fmt.Sprintf("%s: padron export links", ds.name))
	p, err := st.exportLinks(filepath.Join(dir, ds.name+"-links.csv"), ds.truth)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ds.name, err)
	}
	if o.padron, err = p.Score(); err != nil {
		return nil, fmt.Errorf("%s: padron's links: %w", ds.name, err)
	}
	step(fmt.Sprintf("%s: SQL baseline", ds.name))
	if o.baseline, err = sqlBaseline(st.db, ds.truth); err != nil {
		return nil, fmt.Errorf("%s: %w", ds.name, err)
	}
	return o, nil
}

func accuracyMain(args []string) error {
	fs := flag.NewFlagSet("dedupe-accuracy", flag.ExitOnError)
	sharedDir := sharedFlag(fs)
	dir := fs.String("dir", "", "work folder (default: a temporary one, removed after)")
	only := fs.String("only", "", "comma-separated data sets to run (default: all): febrl3,fake_1000,historical_50k,generated_20k")
	var th dedupeFlags
	th.register(fs)
	fs.Parse(args)
	if fs.NArg() > 0 {
		return fmt.Errorf("dedupe-accuracy takes no arguments, got %q", fs.Args())
	}
	if err := th.check(); err != nil {
		return err
	}
	shared, err := sharedDir()
	if err != nil {
		return err
	}
	sets := accuracySets
	if *only != "" {
		sets = nil
		for _, name := range strings.Split(*only, ",") {
			found := false
			for _, s := range accuracySets {
				if s.name == strings.TrimSpace(name) {
					sets, found = append(sets, s), true
				}
			}
			if !found {
				return fmt.Errorf("-only: no data set %q", name)
			}
		}
	}
	// Every data set file must be there before anything runs.
	var missing []string
	for _, s := range sets {
		if s.file == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(shared, s.file)); err != nil {
			missing = append(missing, fmt.Sprintf("  %s: %v", s.name, err))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("data set files missing (the data sets are read from -shared %s, never copied into the repository):\n%s",
			shared, strings.Join(missing, "\n"))
	}

	work, cleanup, err := workDir(*dir)
	if err != nil {
		return err
	}
	defer cleanup()
	bin, err := th.padron(work)
	if err != nil {
		return err
	}
	var outs []*outcome
	for _, s := range sets {
		step(fmt.Sprintf("%s: converting", s.name))
		ds, err := s.convert(filepath.Join(shared, s.file), work)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		o, err := runDataset(bin, work, ds, th)
		if err != nil {
			return err
		}
		outs = append(outs, o)
	}
	printAccuracy(os.Stdout, outs, th)
	return nil
}

func printAccuracy(w io.Writer, outs []*outcome, th dedupeFlags) {
	fmt.Fprintf(w, "\npadron dedupe accuracy (%s; padron %s)\n\n", th.String(), th.source())
	fmt.Fprintf(w, "%-15s %7s %10s  %-8s %10s %10s %6s %6s %6s %6s %8s  %s\n",
		"dataset", "records", "true pairs", "method", "compared", "pred pairs", "P", "R", "F1", "B³ F1", "seconds", "target")
	for _, o := range outs {
		m, b := o.padron, o.baseline
		fmt.Fprintf(w, "%-15s %7d %10d  %-8s %10s %10d %6.3f %6.3f %6.3f %6.3f %8.3f  %s\n",
			o.ds.name, m.Records, m.TruePairs, "padron", count(o.dedupe.compared()), m.PredPairs, m.P, m.R, m.F1, m.B3F1,
			o.dedupe.wall.Seconds(), verdict(o.ds.target, m))
		fmt.Fprintf(w, "%-15s %7s %10s  %-8s %10d %10d %6.3f %6.3f %6.3f %6.3f %8.3f  %s\n",
			"", "", "", "SQL", b.Candidates, b.PredPairs, b.P, b.R, b.F1, b.B3F1, b.Time.Seconds(), verdict(o.ds.target, b.Metrics))
	}
	fmt.Fprintln(w)
	for _, o := range outs {
		m := o.padron
		fmt.Fprintf(w, "%s: B³ P %.3f R %.3f (SQL %.3f / %.3f); padron dedupe peak RSS %d MiB; import %.2fs",
			o.ds.name, m.B3P, m.B3R, o.baseline.B3P, o.baseline.B3R, o.dedupe.rss>>20, o.imp.Seconds())
		if v, ok := o.dedupe.num("review_pairs"); ok {
			fmt.Fprintf(w, "; %d pairs left for review", int64(v))
		}
		fmt.Fprintln(w)
		if o.ds.target.text == generatedTarget.text {
			at := "padron's auto threshold"
			if v, ok := o.dedupe.num("auto"); ok {
				at = fmt.Sprintf("auto >= %g", v)
			}
			fmt.Fprintf(w, "  precision of the automatic links (%s) %.4f (target >= 0.99: %s), recall %.4f (target >= 0.95: %s)\n",
				at, m.P, metOr(m.P >= 0.99), m.R, metOr(m.R >= 0.95))
		}
	}
	fmt.Fprintln(w, "\nNotes:")
	for _, o := range outs {
		for _, n := range o.ds.notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	fmt.Fprintln(w, "  SQL: one block key (first 4 letters of the family name + first letter of the given name), pairs with jaro_winkler_similarity(given family) >= 0.9, connected components; run on padron's records table")
	fmt.Fprintln(w, "  compared: candidate pairs scored (padron: its --json \"pairs\"; SQL: pairs inside the blocks); seconds: padron dedupe's wall time as a child process, SQL: the pair query and the union-find (writing its result adds little at these sizes)")
}

func verdict(t target, m Metrics) string {
	return t.text + ": " + metOr(t.met(m))
}

func metOr(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func count(n int64) string {
	if n < 0 {
		return "?"
	}
	return strconv.FormatInt(n, 10)
}

// source says which padron ran: the -padron binary, or the commit it was built from.
func (t *dedupeFlags) source() string {
	if t.bin != "" {
		return t.bin
	}
	return revision()
}

// revision names the commit padron was built from, for the record.
func revision() string {
	root, err := repoRoot()
	if err != nil {
		return "?"
	}
	cmd := exec.Command("git", "rev-parse", "--short", "HEAD")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "?"
	}
	return "built from commit " + strings.TrimSpace(string(out)) + " and the working tree"
}

func speedMain(args []string) error {
	fs := flag.NewFlagSet("dedupe-speed", flag.ExitOnError)
	sizesFlag := fs.String("sizes", "100000,300000,1000000", "comma-separated approximate record counts")
	dir := fs.String("dir", "", "work folder (default: a temporary one, removed after)")
	var th dedupeFlags
	th.register(fs)
	fs.Parse(args)
	if fs.NArg() > 0 {
		return fmt.Errorf("dedupe-speed takes no arguments, got %q", fs.Args())
	}
	if err := th.check(); err != nil {
		return err
	}
	var sizes []int
	for _, s := range strings.Split(*sizesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 10 {
			return fmt.Errorf("-sizes: %q is not a record count (10 or more)", s)
		}
		sizes = append(sizes, n)
	}
	work, cleanup, err := workDir(*dir)
	if err != nil {
		return err
	}
	defer cleanup()
	bin, err := th.padron(work)
	if err != nil {
		return err
	}
	var outs []*outcome
	for _, n := range sizes {
		people := peopleFor(n)
		step(fmt.Sprintf("generating about %d records (%d people)", n, people))
		ds, err := generateSet(synth.Config{People: people, Seed: 42, Problems: 0.01}, work)
		if err != nil {
			return err
		}
		ds.name = fmt.Sprintf("synth-%d", n)
		ds.target = generatedTarget
		o, err := runDataset(bin, work, ds, th)
		if err != nil {
			return err
		}
		outs = append(outs, o)
		// Big sets take disk: keep only what -dir asked to keep.
		if *dir == "" {
			os.RemoveAll(filepath.Join(work, fmt.Sprintf("synth-%d-%d", people, 42)))
		}
	}
	return printSpeed(os.Stdout, outs, th)
}

func printSpeed(w io.Writer, outs []*outcome, th dedupeFlags) error {
	if len(outs) == 0 {
		return errors.New("no sizes")
	}
	fmt.Fprintf(w, "\npadron dedupe speed (%s; padron %s)\n\n", th.String(), th.source())
	fmt.Fprintf(w, "%8s %8s %9s  %-7s %9s %9s %11s %11s %10s %6s %6s %6s\n",
		"records", "people", "import s", "method", "seconds", "RSS MiB", "compared", "compared/s", "pred pairs", "P", "R", "F1")
	for _, o := range outs {
		m, b, d := o.padron, o.baseline, o.dedupe
		cps := "?"
		if c := d.compared(); c >= 0 {
			cps = fmt.Sprintf("%.0f", float64(c)/d.wall.Seconds())
		}
		fmt.Fprintf(w, "%8d %8d %9.2f  %-7s %9.3f %9d %11s %11s %10d %6.3f %6.3f %6.3f\n",
			m.Records, o.ds.truth.Entities(), o.imp.Seconds(), "padron", d.wall.Seconds(), d.rss>>20, count(d.compared()), cps, m.PredPairs, m.P, m.R, m.F1)
		fmt.Fprintf(w, "%8s %8s %9s  %-7s %9.3f %9s %11d %11.0f %10d %6.3f %6.3f %6.3f\n",
			"", "", "", "SQL", b.Total.Seconds(), "-", b.Candidates, float64(b.Candidates)/b.Total.Seconds(), b.PredPairs, b.P, b.R, b.F1)
	}
	fmt.Fprintln(w)
	for _, o := range outs {
		fmt.Fprintf(w, "%d records: SQL baseline %.2fs = %.2fs pair query and union-find + %.2fs writing a row per record; padron dedupe %.2fs, of which matching (preparing to clustering) %.2fs\n",
			o.padron.Records, o.baseline.Total.Seconds(), o.baseline.Time.Seconds(), (o.baseline.Total - o.baseline.Time).Seconds(),
			o.dedupe.wall.Seconds(), o.dedupe.matching())
	}
	first, last := outs[0], outs[len(outs)-1]
	if len(outs) > 1 {
		scale := float64(last.padron.Records) / float64(first.padron.Records)
		r := last.dedupe.wall.Seconds() / first.dedupe.wall.Seconds()
		fmt.Fprintf(w, "time(%d)/time(%d) = %.2f for %.1fx the records (SQL: %.2f)", last.padron.Records, first.padron.Records, r, scale,
			last.baseline.Total.Seconds()/first.baseline.Total.Seconds())
		if first.ds.name == "synth-100000" && last.ds.name == "synth-1000000" {
			fmt.Fprintf(w, "   target <= 12: %s", metOr(r <= 12))
		} else {
			fmt.Fprint(w, "   (the target, <= 12, is for 1,000,000 against 100,000)")
		}
		fmt.Fprintln(w)
	}
	for _, o := range outs {
		if o.ds.name == "synth-1000000" {
			fmt.Fprintf(w, "1M records: padron dedupe %.1fs (target <= 120: %s)\n", o.dedupe.wall.Seconds(), metOr(o.dedupe.wall.Seconds() <= 120))
		}
	}
	var rss int64
	for _, o := range outs {
		rss = max(rss, o.dedupe.rss)
	}
	fmt.Fprintf(w, "peak RSS of padron dedupe: %d MiB (target <= 4096: %s)\n", rss>>20, metOr(rss <= 4<<30))
	fmt.Fprintln(w, "accuracy: pairwise against truth.csv at each size; targets P >= 0.99, R >= 0.95")
	fmt.Fprintln(w, "SQL: one block key (first 4 letters of the family name + first letter of the given name), jaro_winkler_similarity(given family) >= 0.9, connected components in Go, each record's cluster written to a table; its seconds are the pair query, the union-find and the writing, in this process (no RSS of its own), the scope of padron dedupe's (reading records, writing links and people)")
	return nil
}

// matching is padron dedupe's matching time: its phases other than reading the
// records and saving the result (0 when the summary has no phases).
func (d *dedupeRun) matching() float64 {
	phases, _ := d.summary["phases"].([]any)
	total := 0.0
	for _, p := range phases {
		m, _ := p.(map[string]any)
		name, _ := m["phase"].(string)
		secs, _ := m["seconds"].(float64)
		if name != "reading" && name != "saving" {
			total += secs
		}
	}
	return total
}
