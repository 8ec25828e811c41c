package dedupe

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/padron-org/padron/pkg/ingest"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/store"
)

func importCSV(t *testing.T, text string) *store.Store {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "contactos.csv")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), filepath.Join(dir, "p.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, err := mapping.NewLibrary(nil)
	if err != nil {
		t.Fatal(err)
	}
	if res := ingest.File(context.Background(), st, path, ingest.Options{Library: lib, DefaultCountry: "ES"}); res.Err != nil {
		t.Fatal(res.Err)
	}
	return st
}

const fiveContacts = `Nombre,Apellido,Email,Teléfono,Ciudad
Ana,García López,ana.garcia@example.org,+34600111222,Madrid
Ana,Garcia,ana.garcia@example.org,600111222,Madrid
Luis,Pérez,luis.perez@example.org,+34600333444,Sevilla
Luisa,Martín,luisa.m@example.org,+34600555666,Bilbao
Pedro,Ruiz,pedro.r@example.org,+34600777888,Valencia
`

func personOf(t *testing.T, st *store.Store, record int64) int64 {
	t.Helper()
	p, err := st.PersonOf(context.Background(), record)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDecisionsOutliveRuns: an unmerge and a merge hold through full re-runs, an
// incremental run after a new import, and a revert gives the scores back their say.
func TestDecisionsOutliveRuns(t *testing.T) {
	st := importCSV(t, fiveContacts)
	ctx := context.Background()
	if _, err := Run(ctx, st, Options{}); err != nil {
		t.Fatal(err)
	}
	if personOf(t, st, 1) != personOf(t, st, 2) {
		t.Fatal("Ana's two records were not linked to begin with")
	}
	un, err := st.Unmerge(ctx, 2, "test")
	if err != nil {
		t.Fatal(err)
	}
	mg, err := st.Merge(ctx, []int64{3, 5}, "test")
	if err != nil {
		t.Fatal(err)
	}
	for _, full := range []bool{true, false} {
		if _, err := Run(ctx, st, Options{Full: full}); err != nil {
			t.Fatal(err)
		}
		if personOf(t, st, 1) == personOf(t, st, 2) {
			t.Errorf("full=%v: the unmerged record is back with Ana", full)
		}
		if personOf(t, st, 3) != personOf(t, st, 5) {
			t.Errorf("full=%v: the merged people came apart", full)
		}
	}
	// Reverting the unmerge is refused once the record moved again; reverting the
	// merge then the unmerge works, and the next run links Ana's records again.
	if _, err := st.Merge(ctx, []int64{4, 2}, "test"); err != nil {
		t.Fatal(err)
	}
	var conflict *store.RevertConflictError
	if _, err := st.Revert(ctx, un.Event, "test"); !errors.As(err, &conflict) {
		t.Fatalf("revert of a record that moved since: %v, want a conflict", err)
	}
	if _, err := st.Revert(ctx, mg.Event, "test"); err != nil {
		t.Fatal(err)
	}
	if personOf(t, st, 3) == personOf(t, st, 5) {
		t.Error("revert of the merge left the people together")
	}
	if _, err := Run(ctx, st, Options{Full: true}); err != nil {
		t.Fatal(err)
	}
	if personOf(t, st, 3) == personOf(t, st, 5) {
		t.Error("after the revert, a run still kept the merged people together")
	}
	ds, err := st.ActiveDecisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// In force: the unmerge's "different" (Ana had two records) and the last merge's
	// "same"; the reverted merge's is not.
	want := []store.Decision{{A: 1, B: 2, Decision: store.Different}, {A: 2, B: 4, Decision: store.Same}}
	if len(ds) != len(want) || ds[0] != want[0] || ds[1] != want[1] {
		t.Errorf("decisions in force %+v, want %+v", ds, want)
	}
}

// TestReviewQueueAndDecide: the queue lists pending pairs only; deciding takes a pair
// out, a "same" merges, a "different" keeps apart at the next run.
func TestReviewQueueAndDecide(t *testing.T) {
	st := importCSV(t, `Nombre,Apellido,Email,Ciudad
Jan,Kowalski,jan.k@example.org,Kraków
Jan,Kowalski,,Kraków
Anna,Nowak,anna.n@example.org,Poznań
Anna,Nowak,,Poznań
Piotr,Zieliński,piotr.z@example.org,Gdańsk
`)
	ctx := context.Background()
	if _, err := Run(ctx, st, Options{Auto: 0.999999, Review: 0.01}); err != nil {
		t.Fatal(err)
	}
	items, total, err := st.ReviewQueue(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if total < 2 || len(items) != total {
		t.Fatalf("queue: %d items of %d: %+v", len(items), total, items)
	}
	first := items[0]
	if _, err := st.Decide(ctx, first.A, first.B, store.Same, "test", "review"); err != nil {
		t.Fatal(err)
	}
	second := items[1]
	if _, err := st.Decide(ctx, second.A, second.B, store.Different, "test", "review"); err != nil {
		t.Fatal(err)
	}
	_, after, err := st.ReviewQueue(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if after > total-2 {
		t.Errorf("after two decisions %d pending, want at most %d", after, total-2)
	}
	if _, err := Run(ctx, st, Options{Full: true}); err != nil {
		t.Fatal(err)
	}
	if personOf(t, st, first.A) != personOf(t, st, first.B) {
		t.Error("a pair decided the same came apart")
	}
	if personOf(t, st, second.A) == personOf(t, st, second.B) {
		t.Error("a pair decided different was joined")
	}
}

// TestRevertDedupeRun: reverting a run takes its conclusions back (a record it placed
// has no person again); the next run draws them again.
func TestRevertDedupeRun(t *testing.T) {
	st := importCSV(t, fiveContacts)
	ctx := context.Background()
	if _, err := Run(ctx, st, Options{}); err != nil {
		t.Fatal(err)
	}
	entries, err := st.Log(ctx, 0, 1)
	if err != nil || len(entries) != 1 || entries[0].Kind != "dedupe" || entries[0].Changes != 5 {
		t.Fatalf("last log entry %+v (%v), want the dedupe run with 5 changes", entries, err)
	}
	if _, err := st.Revert(ctx, entries[0].ID, "test"); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Unlinked(ctx); err != nil || n != 5 {
		t.Fatalf("after reverting the first run, %d records unlinked (%v), want 5", n, err)
	}
	// Reverting the revert puts the records back with their people (they had no link
	// to update).
	entries, err = st.Log(ctx, 0, 1)
	if err != nil || len(entries) != 1 || entries[0].Kind != "revert" {
		t.Fatalf("last log entry %+v (%v), want the revert", entries, err)
	}
	if _, err := st.Revert(ctx, entries[0].ID, "test"); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Unlinked(ctx); err != nil || n != 0 {
		t.Fatalf("after reverting the revert, %d records unlinked (%v), want 0", n, err)
	}
	if personOf(t, st, 1) == 0 || personOf(t, st, 1) != personOf(t, st, 2) {
		t.Error("reverting the revert did not place Ana's records again")
	}
	if _, err := Run(ctx, st, Options{}); err != nil {
		t.Fatal(err)
	}
	if personOf(t, st, 1) == 0 || personOf(t, st, 1) != personOf(t, st, 2) {
		t.Error("the next run did not place Ana's records again")
	}
}
