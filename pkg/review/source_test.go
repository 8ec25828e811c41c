package review_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/padron-org/padron/pkg/cli"
	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/review"
	"github.com/padron-org/padron/pkg/store"
)

const contacts = `Nombre,Apellido,Email,Teléfono,Ciudad,Fecha de nacimiento
Ana,García López,ana.garcia@example.org,+34600111222,Madrid,1980-02-03
Ana,Garcia,ana.g@example.com,,Madrid,
Luis,Pérez,luis.perez@example.org,+34600333444,Sevilla,1975-06-07
Luis,Perez Gil,,+34600333445,Sevilla,
Marta,Sanz,marta.sanz@example.org,+34600999000,Bilbao,1990-01-01
Marta,Sanz,,,Bilbao,1991-01-01
Jorge,Díaz,jorge.d@example.org,+34600141414,Toledo,1970-03-03
Jorge,Diaz,jdiaz@example.net,,Toledo,
`

// reviewStore imports a few doubtful pairs and dedupes them into the review queue.
func reviewStore(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, csv := filepath.Join(dir, "s.duckdb"), filepath.Join(dir, "contactos.csv")
	if err := os.WriteFile(csv, []byte(contacts), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"import", "--default-country", "ES", csv}, {"dedupe", "--auto", "0.9999", "--review", "0.01"}} {
		var errb strings.Builder
		io := &cli.IO{In: strings.NewReader(""), Out: io.Discard, Err: &errb}
		if code := cli.Run(append([]string{"--db", db, "-q"}, args...), io); code != 0 {
			t.Fatalf("padron %v: exit %d\n%s", args, code, errb.String())
		}
	}
	return db
}

// The session's explainer reads the model once and the records as shown: its
// explanations must be dedupe.Explain's, to the bit.
func TestStoreSourceExplainsAsDedupe(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, reviewStore(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q, _, err := st.ReviewQueue(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) < 2 {
		t.Fatalf("%d pairs for review, the test needs 2", len(q))
	}
	src := review.NewStoreSource(st, nil, "tester")
	for _, it := range q {
		p, err := src.Load(ctx, it)
		if err != nil {
			t.Fatal(err)
		}
		if p.A.ID != it.A || p.B.ID != it.B || len(p.Fields) == 0 {
			t.Fatalf("pair %d-%d loaded as %d-%d with %d fields", it.A, it.B, p.A.ID, p.B.ID, len(p.Fields))
		}
		want, err := dedupe.Explain(ctx, st, it.A, it.B, nil)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(p.Explanation)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("pair %d-%d explained\n%s\nwant (dedupe.Explain)\n%s", it.A, it.B, g, w)
		}
	}
}

func TestStoreSourceDecideAndRevert(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, reviewStore(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q, n, err := st.ReviewQueue(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	src := review.NewStoreSource(st, nil, "tester")
	entry, err := src.Decide(ctx, q[0].A, q[0].B, store.Same)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Decide(ctx, q[0].A, q[0].B, store.Same); err != review.ErrAlreadySame {
		t.Errorf("deciding one person the same again: %v, want ErrAlreadySame", err)
	}
	if _, m, _ := st.ReviewQueue(ctx, 0, 0); m != n-1 {
		t.Errorf("%d pending after a decision, want %d", m, n-1)
	}
	if err := src.Revert(ctx, entry); err != nil {
		t.Fatal(err)
	}
	ds, err := st.ActiveDecisions(ctx)
	if err != nil || len(ds) != 0 {
		t.Errorf("decisions in force after the undo: %v %v", ds, err)
	}
	log, err := st.Log(ctx, 0, 2)
	if err != nil || len(log) != 2 || log[0].Kind != "revert" || log[1].Kind != "review" || log[1].Actor != "tester" {
		t.Errorf("log %+v %v: want the review decision by tester and its revert", log, err)
	}
}
