package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/padron-org/padron/pkg/review"
	"github.com/padron-org/padron/pkg/store"
	"github.com/padron-org/padron/pkg/synth"
)

// reviewTarget is issue 6's: each next review item appears in under 50 ms at 1M records.
const reviewTarget = 50 * time.Millisecond

// reviewSpeedMain times what 'padron review' does to show the next item (a page of the
// queue when one runs out, both records, the score's explanation) on a generated store.
func reviewSpeedMain(args []string) error {
	fs := flag.NewFlagSet("review-speed", flag.ExitOnError)
	records := fs.Int("records", 1000000, "approximate record count of the generated store")
	items := fs.Int("items", 1000, "review items to time")
	dir := fs.String("dir", "", "work folder (default: a temporary one, removed after); with -dir an existing store of the same size is reused")
	page := fs.Int("page", review.DefaultPageSize, "queue page size")
	writes := fs.Int("writes", 3, "also time this many decisions and their undo")
	think := fs.Duration("think", 100*time.Millisecond, "a steward's reading time per pair, for the second session timing")
	var th dedupeFlags
	th.register(fs)
	fs.Parse(args)
	if fs.NArg() > 0 {
		return fmt.Errorf("review-speed takes no arguments, got %q", fs.Args())
	}
	if th.review == "" {
		th.review = "0.5" // low enough that a generated set fills the queue
	}
	if err := th.check(); err != nil {
		return err
	}
	if *records < 10 || *items < 1 || *page < 1 {
		return errors.New("-records, -items and -page must be positive (-records 10 or more)")
	}
	work, cleanup, err := workDir(*dir)
	if err != nil {
		return err
	}
	defer cleanup()
	db := filepath.Join(work, fmt.Sprintf("review-%d.duckdb", *records))
	var build *buildRun
	if _, err := os.Stat(db); err != nil || *dir == "" {
		if build, err = buildReviewStore(work, *records, th); err != nil {
			return err
		}
	} else {
		step("reusing " + db)
	}

	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.RecordCount(ctx)
	if err != nil {
		return err
	}
	src := review.NewStoreSource(st, nil, "padron-bench")
	// Once per session: the model and the term frequencies, read while the first page
	// of the queue is fetched.
	start := time.Now()
	if err := src.Prepare(ctx); err != nil {
		return err
	}
	prepare := time.Since(start)
	step(fmt.Sprintf("timing %d review items on %d records", *items, n))
	cold, total, err := timeItems(ctx, src, *items, *page)
	if err != nil {
		return err
	}
	step("timing the same items through a session, as the terminal review shows them")
	warm, err := timeSession(ctx, src, *items, *page, 0)
	if err != nil {
		return err
	}
	var reading []time.Duration
	if *think > 0 {
		step(fmt.Sprintf("timing them again, reading each for %v", *think))
		if reading, err = timeSession(ctx, src, *items, *page, *think); err != nil {
			return err
		}
	}
	var dec, undo []time.Duration
	if *writes > 0 {
		step(fmt.Sprintf("timing %d decisions and their undo", *writes))
		if dec, undo, err = timeWrites(ctx, src, *writes); err != nil {
			return err
		}
	}
	printReviewSpeed(os.Stdout, reviewFigures{records: int(n), pending: total, page: *page, build: build, th: th,
		prepare: prepare, cold: cold, warm: warm, reading: reading, think: *think, decide: dec, undo: undo})
	return nil
}

// buildRun is how long building the store took.
type buildRun struct{ generate, imp, dedupe time.Duration }

// buildReviewStore generates about n records, imports them and runs padron dedupe.
func buildReviewStore(work string, n int, th dedupeFlags) (*buildRun, error) {
	bin, err := th.padron(work)
	if err != nil {
		return nil, err
	}
	b := &buildRun{}
	people := peopleFor(n)
	step(fmt.Sprintf("generating about %d records (%d people)", n, people))
	start := time.Now()
	ds, err := generateSet(synth.Config{People: people, Seed: 42, Problems: 0.01}, work)
	if err != nil {
		return nil, err
	}
	b.generate = time.Since(start)
	st := newStore(bin, work, fmt.Sprintf("review-%d", n))
	for _, f := range ds.files {
		step("importing " + filepath.Base(f.path))
		c, _, err := st.importFile(f)
		if err != nil {
			return nil, err
		}
		b.imp += c.wall
	}
	step(fmt.Sprintf("padron dedupe (%s)", th.String()))
	d, err := st.dedupe(th.auto, th.review)
	if err != nil {
		return nil, err
	}
	b.dedupe = d.wall
	os.RemoveAll(filepath.Join(work, fmt.Sprintf("synth-%d-%d", people, 42)))
	return b, nil
}

// timeItems times, item after item and with nothing fetched ahead, what showing the
// next item costs: a page of the queue when the last one is used up, then the item's
// records and explanation. It reads only.
func timeItems(ctx context.Context, src review.Source, items, page int) ([]time.Duration, int, error) {
	var out []time.Duration
	total := 0
	for off := 0; len(out) < items; off += page {
		start := time.Now()
		q, n, err := src.Queue(ctx, off, page)
		if err != nil {
			return nil, 0, err
		}
		if off == 0 {
			total = n
		}
		if len(q) == 0 {
			break
		}
		pageTime := time.Since(start)
		for i, it := range q {
			if len(out) == items {
				break
			}
			start := time.Now()
			if _, err := src.Load(ctx, it); err != nil {
				return nil, 0, err
			}
			d := time.Since(start)
			if i == 0 {
				d += pageTime // the first item of a page waits for the page
			}
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, 0, errors.New("the review queue is empty: lower -review")
	}
	return out, total, nil
}

// timeSession times a session's Current as a steward skipping through the queue sees
// it: the wait from pressing a key to the next item being ready, with the prefetch the
// terminal review uses, after think spent reading each pair.
func timeSession(ctx context.Context, src review.Source, items, page int, think time.Duration) ([]time.Duration, error) {
	s := review.NewSession(ctx, src, review.Options{PageSize: page, Limit: items})
	defer s.Close()
	var out []time.Duration
	for len(out) < items {
		start := time.Now()
		p, err := s.Current()
		if err != nil {
			return nil, err
		}
		if p == nil {
			break
		}
		out = append(out, time.Since(start))
		time.Sleep(think)
		s.Skip()
	}
	return out, nil
}

// timeWrites times deciding pairs different and reverting each decision.
func timeWrites(ctx context.Context, src review.Source, n int) (dec, undo []time.Duration, err error) {
	q, _, err := src.Queue(ctx, 0, n)
	if err != nil {
		return nil, nil, err
	}
	for _, it := range q {
		start := time.Now()
		ev, err := src.Decide(ctx, it.A, it.B, store.Different)
		if err != nil {
			return nil, nil, err
		}
		dec = append(dec, time.Since(start))
		start = time.Now()
		if err := src.Revert(ctx, ev); err != nil {
			return nil, nil, err
		}
		undo = append(undo, time.Since(start))
	}
	return dec, undo, nil
}

type reviewFigures struct {
	records, pending, page int
	build                  *buildRun
	th                     dedupeFlags
	prepare                time.Duration
	cold, warm, reading    []time.Duration
	think                  time.Duration
	decide, undo           []time.Duration
}

// pct returns the p-th percentile (nearest rank) of ds.
func pct(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64)
}

func printReviewSpeed(w io.Writer, f reviewFigures) {
	fmt.Fprintf(w, "\npadron review speed (%d records, %d pairs pending review, %s; padron %s; %d CPUs)\n\n",
		f.records, f.pending, f.th.String(), f.th.source(), runtime.NumCPU())
	if f.build != nil {
		fmt.Fprintf(w, "store built in %.1fs: generating %.1fs, importing %.1fs, padron dedupe %.1fs\n\n",
			(f.build.generate + f.build.imp + f.build.dedupe).Seconds(), f.build.generate.Seconds(), f.build.imp.Seconds(), f.build.dedupe.Seconds())
	}
	fmt.Fprintf(w, "once per session: reading the model and term frequencies %s ms (while the first page is read)\n\n", ms(f.prepare))
	fmt.Fprintf(w, "%-44s %6s %8s %8s %8s  %s\n", "time to next item", "items", "median", "p95", "max", "target < 50 ms")
	row := func(name string, ds []time.Duration, target bool) {
		if len(ds) == 0 {
			return
		}
		verdict := ""
		if target {
			verdict = metOr(pct(ds, 0.95) < reviewTarget) + " (p95)"
			if slices.Max(ds) >= reviewTarget {
				verdict += fmt.Sprintf("; %d above 50 ms", countAbove(ds, reviewTarget))
			}
		}
		fmt.Fprintf(w, "%-44s %6d %8s %8s %8s  %s\n", name, len(ds), ms(pct(ds, 0.5)), ms(pct(ds, 0.95)), ms(slices.Max(ds)), verdict)
	}
	row("cold: page + records + explanation, ms", f.cold, true)
	row("session, no reading time, ms", f.warm, true)
	row(fmt.Sprintf("session, reading %v per pair, ms", f.think), f.reading, true)
	row("decide different (store.Decide), ms", f.decide, false)
	row("undo (store.Revert), ms", f.undo, false)
	fmt.Fprintf(w, "\ncold: no prefetch; an item opening a page of %d also waits for that page (the queue query over every pending pair).\n", f.page)
	fmt.Fprintln(w, "session: review.Session as 'padron review' drives it (a page and three items read ahead), skipping each pair at once")
	fmt.Fprintln(w, "or after a reading time; its first item waits for the first page. Decisions and undos are written by the session's")
	fmt.Fprintln(w, "writer in the background, in order: they never delay the next item (their own times are in the last rows).")
}

func countAbove(ds []time.Duration, t time.Duration) int {
	n := 0
	for _, d := range ds {
		if d >= t {
			n++
		}
	}
	return n
}
