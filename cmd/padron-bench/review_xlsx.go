package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/padron-org/padron/pkg/store"
	"github.com/padron-org/padron/pkg/synth"
)

// reviewRoundtripMain: a store with at least -min pending review pairs (a generated set,
// deduplicated with a low review threshold and a high automatic one), exported with
// padron review export, every decision filled in (same and different alternating),
// imported with padron review import, then checked: every decision in force, none lost,
// none doubled, each its own log entry, the people as decided. A second import of the
// same file must apply nothing, and a full dedupe afterwards must keep every decision.
func reviewRoundtripMain(args []string) error {
	fs := flag.NewFlagSet("review-roundtrip", flag.ExitOnError)
	people := fs.Int("people", 40000, "people in the generated set (about 1.3 records each)")
	minPairs := fs.Int("min", 10000, "pairs the queue must hold at least; all of them are exported and decided")
	dir := fs.String("dir", "", "work folder (default: a temporary one, removed after)")
	var th dedupeFlags
	th.register(fs)
	fs.Parse(args)
	if fs.NArg() > 0 {
		return fmt.Errorf("review-roundtrip takes no arguments, got %q", fs.Args())
	}
	if th.review == "" {
		th.review = "0.001"
	}
	if th.auto == "" {
		th.auto = "0.99999999"
	}
	if err := th.check(); err != nil {
		return err
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
	step(fmt.Sprintf("generating %d people", *people))
	ds, err := generateSet(synth.Config{People: *people, Seed: 42}, work)
	if err != nil {
		return err
	}
	st := newStore(bin, work, "review-roundtrip")
	step(fmt.Sprintf("importing %d records", ds.truth.Len()))
	for _, f := range ds.files {
		if _, _, err := st.importFile(f); err != nil {
			return err
		}
	}
	step(fmt.Sprintf("padron dedupe --review %s --auto %s", th.review, th.auto))
	if _, err := st.dedupe(th.auto, th.review); err != nil {
		return err
	}
	pending, err := pendingPairs(st.db)
	if err != nil {
		return err
	}
	if pending < *minPairs {
		return fmt.Errorf("only %d pairs wait for review, want %d: raise -people or lower -review", pending, *minPairs)
	}

	book := filepath.Join(work, "review.xlsx")
	step(fmt.Sprintf("padron review export (%d pairs)", pending))
	exp, err := st.run([]string{"review", "export", "--out", book})
	if err != nil {
		return err
	}
	info, err := os.Stat(book)
	if err != nil {
		return err
	}

	step("filling in every decision")
	fillStart := time.Now()
	want, err := fillDecisions(book)
	if err != nil {
		return err
	}
	fill := time.Since(fillStart)
	if len(want) != pending {
		return fmt.Errorf("the workbook holds %d pairs, the queue %d", len(want), pending)
	}
	nSame := 0
	for _, d := range want {
		if d == store.Same {
			nSame++
		}
	}

	step("padron review import")
	imp, res, err := reviewImport(st)
	if err != nil {
		return err
	}
	if res.Same != nSame || res.Different != len(want)-nSame || res.Refused != 0 || res.Already != 0 {
		return fmt.Errorf("import applied %d same and %d different, refused %d, %d already decided; want %d and %d",
			res.Same, res.Different, res.Refused, res.Already, nSame, len(want)-nSame)
	}
	step("checking every decision")
	if err := checkDecisions(st.db, want); err != nil {
		return err
	}

	step("padron review import, the same file again")
	again, res2, err := reviewImport(st)
	if err != nil {
		return err
	}
	if res2.Same+res2.Different != 0 || res2.Already != len(want) {
		return fmt.Errorf("second import applied %d, reported %d already decided of %d", res2.Same+res2.Different, res2.Already, len(want))
	}
	if err := checkDecisions(st.db, want); err != nil {
		return fmt.Errorf("after the second import: %w", err)
	}

	step("padron dedupe --full, then checking every decision again")
	if _, err := st.run([]string{"dedupe", "--full", "--review", th.review, "--auto", th.auto}); err != nil {
		return err
	}
	if err := checkDecisions(st.db, want); err != nil {
		return fmt.Errorf("after a full dedupe: %w", err)
	}

	w := os.Stdout
	fmt.Fprintf(w, "\npadron review export/import round trip (padron %s)\n\n", th.source())
	fmt.Fprintf(w, "records %d, pairs waiting for review %d (dedupe --review %s --auto %s)\n", ds.truth.Len(), pending, th.review, th.auto)
	fmt.Fprintf(w, "%-34s %9s %9s\n", "step", "seconds", "RSS MiB")
	fmt.Fprintf(w, "%-34s %9.2f %9d   %.1f MiB workbook\n", "review export", exp.wall.Seconds(), exp.rss>>20, float64(info.Size())/(1<<20))
	fmt.Fprintf(w, "%-34s %9.2f %9s   (excelize, in this process)\n", "fill every decision", fill.Seconds(), "-")
	fmt.Fprintf(w, "%-34s %9.2f %9d   %d same, %d different applied\n", "review import", imp.wall.Seconds(), imp.rss>>20, res.Same, res.Different)
	fmt.Fprintf(w, "%-34s %9.2f %9d   0 applied, %d already decided\n", "review import again", again.wall.Seconds(), again.rss>>20, res2.Already)
	fmt.Fprintf(w, "\n%d of %d decisions in force after the import, the second import and a full dedupe; none lost, none doubled, one log entry each: target met\n",
		len(want), len(want))
	return nil
}

// pendingPairs counts the review queue, the way padron does.
func pendingPairs(db string) (int, error) {
	st, err := store.Open(context.Background(), db)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	_, n, err := st.ReviewQueue(context.Background(), 0, 1)
	return n, err
}

type pairDecision = map[[2]int64]string

// fillDecisions writes a decision into every pair of the workbook, as a steward would,
// and returns them. Decisions alternate same, different, per group of pairs joined by
// their people (within a group all alike), so the sheet never contradicts itself: a
// contradiction is refused, and tested in pkg/review.
func fillDecisions(path string) (pairDecision, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := f.GetRows("Review")
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("%s: no pairs", path)
	}
	keyCol, decCol := -1, -1
	for i, h := range rows[0] {
		switch {
		case strings.HasPrefix(h, "Key"):
			keyCol = i
		case h == "Decision":
			decCol = i
		}
	}
	if keyCol < 0 || decCol < 0 {
		return nil, fmt.Errorf("%s: no Key or Decision column in %q", path, rows[0])
	}
	type pair struct {
		row          int
		a, b, pa, pb int64
		decision     string
	}
	var pairs []pair
	parent := map[int64]int64{}
	var find func(int64) int64
	find = func(x int64) int64 {
		p, ok := parent[x]
		if !ok || p == x {
			return x
		}
		r := find(p)
		parent[x] = r
		return r
	}
	for i, row := range rows[1:] {
		if keyCol >= len(row) || row[keyCol] == "" {
			continue
		}
		parts := strings.Split(row[keyCol], ":")
		if len(parts) != 7 {
			return nil, fmt.Errorf("row %d: key %q", i+2, row[keyCol])
		}
		var v [4]int64
		for j := range v {
			if v[j], err = strconv.ParseInt(parts[2+j], 10, 64); err != nil {
				return nil, fmt.Errorf("row %d: key %q", i+2, row[keyCol])
			}
		}
		pairs = append(pairs, pair{row: i + 2, a: v[0], b: v[1], pa: v[2], pb: v[3]})
		if ra, rb := find(v[2]), find(v[3]); ra != rb {
			parent[ra] = rb
		}
	}
	group := map[int64]string{}
	out := pairDecision{}
	for i := range pairs {
		p := &pairs[i]
		root := find(p.pa)
		d, ok := group[root]
		if !ok {
			d = []string{store.Same, store.Different}[len(group)%2]
			group[root] = d
		}
		p.decision = d
		cell, _ := excelize.CoordinatesToCellName(decCol+1, p.row)
		if err := f.SetCellStr("Review", cell, d); err != nil {
			return nil, err
		}
		a, b := p.a, p.b
		if a > b {
			a, b = b, a
		}
		if _, dup := out[[2]int64{a, b}]; dup {
			return nil, fmt.Errorf("pair #%d/#%d twice in the workbook", a, b)
		}
		out[[2]int64{a, b}] = d
	}
	return out, f.Save()
}

type importCounts struct {
	Same      int `json:"same"`
	Different int `json:"different"`
	Skipped   int `json:"skipped"`
	Already   int `json:"already_decided"`
	Refused   int `json:"refused"`
}

func reviewImport(st *padronStore) (child, *importCounts, error) {
	c, err := st.run([]string{"--json", "review", "import", filepath.Join(filepath.Dir(st.db), "review.xlsx")})
	if err != nil {
		return c, nil, err
	}
	var res importCounts
	if err := json.Unmarshal(c.stdout, &res); err != nil {
		return c, nil, fmt.Errorf("padron --json review import: %v", err)
	}
	return c, &res, nil
}

// checkDecisions: exactly the decisions wanted are in force, each once and each made
// by its own log entry, and the records are in people as decided.
func checkDecisions(db string, want pairDecision) error {
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	ds, err := st.ActiveDecisions(ctx)
	st.Close()
	if err != nil {
		return err
	}
	got := pairDecision{}
	for _, d := range ds {
		got[[2]int64{d.A, d.B}] = d.Decision
	}
	lost, wrong := 0, 0
	for p, d := range want {
		g, ok := got[p]
		switch {
		case !ok:
			lost++
		case g != d:
			wrong++
		}
	}
	if lost > 0 || wrong > 0 || len(got) != len(want) {
		return fmt.Errorf("%d decisions lost, %d changed, %d in force for %d made", lost, wrong, len(got), len(want))
	}
	conn, err := sql.Open("duckdb", db)
	if err != nil {
		return err
	}
	defer conn.Close()
	var rows, pairs, events, entries int
	if err := conn.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT (record_a, record_b)), count(DISTINCT event_id)
		FROM decisions WHERE NOT revoked`).Scan(&rows, &pairs, &events); err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE kind = 'review'`).Scan(&entries); err != nil {
		return err
	}
	if rows != len(want) || pairs != len(want) || events != len(want) || entries != len(want) {
		return fmt.Errorf("%d decision rows for %d pairs, %d log entries making them, %d review entries in the log; want %d of each",
			rows, pairs, events, entries, len(want))
	}
	q, err := conn.QueryContext(ctx, `SELECT d.decision, la.person_id = lb.person_id FROM decisions d
		JOIN links la ON la.record_id = d.record_a JOIN links lb ON lb.record_id = d.record_b WHERE NOT d.revoked`)
	if err != nil {
		return err
	}
	defer q.Close()
	broken := 0
	for q.Next() {
		var d string
		var one bool
		if err := q.Scan(&d, &one); err != nil {
			return err
		}
		if one != (d == store.Same) {
			broken++
		}
	}
	if broken > 0 {
		return fmt.Errorf("%d decisions not reflected in the people", broken)
	}
	return q.Err()
}
