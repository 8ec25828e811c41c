package dedupe

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/padron-org/padron/mappings"
	"github.com/padron-org/padron/pkg/ingest"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/store"
	"github.com/padron-org/padron/pkg/synth"
	"github.com/padron-org/padron/samples"
)

// importGenerated generates a seeded multi-source set and imports it into a new store.
func importGenerated(t *testing.T, people int, seed uint64) (*store.Store, *synth.Manifest) {
	t.Helper()
	dir := t.TempDir()
	man, err := synth.Generate(synth.Config{People: people, Seed: seed}, dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range man.Files {
		paths = append(paths, f.Path)
	}
	st := importPaths(t, dir, paths)
	return st, man
}

// importPaths imports files into a new store in dir, with the built-in and sample
// mappings.
func importPaths(t *testing.T, dir string, paths []string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(dir, "padron.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, err := mapping.NewLibrary(mappings.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := lib.AddFS(samples.Mappings, "mappings", "samples"); err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if res := ingest.File(context.Background(), st, p, ingest.Options{Library: lib}); res.Err != nil {
			t.Fatalf("import %s: %v", p, res.Err)
		}
	}
	return st
}

// truth reads truth.csv into record key → true person.
func truth(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rows[1:] {
		out[r[0]+":"+r[1]] = r[2]
	}
	return out
}

type pairCounts struct{ tp, predicted, actual int64 }

func c2(n int64) int64 { return n * (n - 1) / 2 }

// score compares predicted people with the truth, pairwise.
func score(t *testing.T, st *store.Store, want map[string]string) pairCounts {
	t.Helper()
	pred := map[int64]int64{}
	act := map[string]int64{}
	cell := map[[2]string]int64{}
	n := 0
	err := st.ExportLinks(context.Background(), func(file string, no int, person int64) error {
		key := file + ":" + strconv.Itoa(no)
		tp, ok := want[key]
		if !ok {
			t.Fatalf("record %s not in truth", key)
		}
		n++
		pred[person]++
		act[tp]++
		cell[[2]string{strconv.FormatInt(person, 10), tp}]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(want) {
		t.Fatalf("links cover %d records, truth %d", n, len(want))
	}
	var c pairCounts
	for _, v := range pred {
		c.predicted += c2(v)
	}
	for _, v := range act {
		c.actual += c2(v)
	}
	for _, v := range cell {
		c.tp += c2(v)
	}
	return c
}

func TestDedupeGeneratedAccuracy(t *testing.T) {
	st, man := importGenerated(t, 1500, 11)
	sum, err := Run(context.Background(), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := score(t, st, truth(t, man.Truth))
	p := float64(c.tp) / float64(c.predicted)
	r := float64(c.tp) / float64(c.actual)
	t.Logf("records %d, pairs %d, people %d (true %d); precision %.4f recall %.4f", sum.Records, sum.Pairs, sum.People, man.People, p, r)
	if p < 0.99 || r < 0.93 {
		t.Errorf("precision %.4f (want ≥ 0.99), recall %.4f (want ≥ 0.93)", p, r)
	}
}

// snapshot returns a table's rows as text, in order.
func snapshot(t *testing.T, st *store.Store, query string) []string {
	t.Helper()
	rows, err := st.DB().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	return out
}

// An incremental run writes only what changed; the result must be what rebuilding
// everything gives, with no review pair queued twice and earlier ids kept.
func TestIncrementalRunMatchesFullRebuild(t *testing.T) {
	dir := t.TempDir()
	man, err := synth.Generate(synth.Config{People: 600, Seed: 5}, dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "p.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lib, _ := mapping.NewLibrary(mappings.FS)
	if err := lib.AddFS(samples.Mappings, "mappings", "samples"); err != nil {
		t.Fatal(err)
	}
	imp := func(f synth.FileInfo) {
		if res := ingest.File(context.Background(), st, f.Path, ingest.Options{Library: lib}); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	for _, f := range man.Files[:4] {
		imp(f)
	}
	if _, err := Run(context.Background(), st, Options{}); err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for _, r := range snapshot(t, st, `SELECT record_id, person_id FROM links`) {
		f := strings.Fields(r)
		before[f[0]] = f[1]
	}
	for _, f := range man.Files[4:] {
		imp(f)
	}
	sum, err := Run(context.Background(), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Mode != "incremental" || sum.NewRecords == 0 || sum.LinksWritten >= sum.Records/2 {
		t.Fatalf("second run: %d records, %d new, %d links written (%s)", sum.Records, sum.NewRecords, sum.LinksWritten, sum.Mode)
	}
	kept := 0
	for _, r := range snapshot(t, st, `SELECT record_id, person_id FROM links`) {
		f := strings.Fields(r)
		if p, ok := before[f[0]]; ok && p == f[1] {
			kept++
		}
	}
	if kept < len(before)*99/100 {
		t.Errorf("only %d of %d earlier records kept their person id", kept, len(before))
	}
	if n := snapshot(t, st, `SELECT count(*) - count(DISTINCT (record_a, record_b)) FROM match_pairs`); n[0] != "0" {
		t.Errorf("review pairs queued twice: %s", n[0])
	}
	if n := snapshot(t, st, `SELECT count(*) FROM records r WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.record_id = r.id)`); n[0] != "0" {
		t.Errorf("%s records without a person", n[0])
	}
	people := `SELECT * FROM people ORDER BY id`
	incremental := snapshot(t, st, people)
	if err := st.RebuildPeople(context.Background()); err != nil {
		t.Fatal(err)
	}
	full := snapshot(t, st, people)
	if len(full) != len(incremental) {
		t.Fatalf("%d people after the incremental run, %d after a full rebuild", len(incremental), len(full))
	}
	for i := range full {
		if full[i] != incremental[i] {
			t.Fatalf("person differs after a full rebuild:\n incremental %s\n full        %s", incremental[i], full[i])
		}
	}
}
