//go:build !windows

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/padron-org/padron/pkg/store"
)

// reviewCSV holds pairs of records close enough to be doubtful: with --auto 0.9999 and
// --review 0.01 they land in the review queue.
const reviewCSV = `Nombre,Apellido,Email,Teléfono,Ciudad,Fecha de nacimiento
Ana,García López,ana.garcia@example.org,+34600111222,Madrid,1980-02-03
Ana,Garcia,ana.g@example.com,,Madrid,
Luis,Pérez,luis.perez@example.org,+34600333444,Sevilla,1975-06-07
Luis,Perez Gil,,+34600333445,Sevilla,
Marta,Sanz,marta.sanz@example.org,+34600999000,Bilbao,1990-01-01
Marta,Sanz,,,Bilbao,1991-01-01
Pedro,Ruiz,pedro.r@example.org,+34600777888,Valencia,
Pedro,Ruiz,,,Valencia,
Elena,Vidal,elena.v@example.org,+34600121212,Zaragoza,
Carmen,Ortiz,carmen.o@example.org,+34600131313,Murcia,
Jorge,Díaz,jorge.d@example.org,+34600141414,Toledo,1970-03-03
Jorge,Diaz,jdiaz@example.net,,Toledo,
Rosa,Navarro,rosa.n@example.org,+34600151515,Cádiz,
Rosa,Navarro Gil,,,Cadiz,1985-05-05
`

// screen collects what the program draws on the terminal.
type screen struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// waitFor waits until text appears after offset and returns the offset past it.
func (s *screen) waitFor(t *testing.T, offset int, text string) int {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if i := strings.Index(s.String()[offset:], text); i >= 0 {
			return offset + i + len(text)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%q never appeared on the terminal; it shows:\n%s", text, s.String()[offset:])
	return 0
}

// TestReviewInATerminal drives 'padron review' in a pseudo-terminal as a steward would:
// same, different, undo, skip, quit; then checks the store kept exactly the first
// decision.
func TestReviewInATerminal(t *testing.T) {
	bin, err := exec.LookPath("padron") // this test binary, installed as padron by TestMain
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "s.duckdb")
	if err := os.WriteFile(filepath.Join(dir, "contactos.csv"), []byte(reviewCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PADRON_DB="+db, "PADRON_ACTOR=steward", "TERM=xterm")
	padron := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("padron %s: %v\n%s", strings.Join(args, " "), err, errb.String())
		}
		return out.Bytes()
	}
	padron("-q", "import", "--default-country", "ES", "contactos.csv")
	padron("-q", "dedupe", "--auto", "0.9999", "--review", "0.01")

	// Without a terminal padron review refuses and says what to do instead.
	cmd := exec.Command(bin, "review")
	cmd.Dir, cmd.Env, cmd.Stdin = dir, env, strings.NewReader("s\n")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 || !strings.Contains(string(out), "padron review export") {
		t.Fatalf("padron review without a terminal: %v\n%s", err, out)
	}

	queue := reviewQueue(t, db)
	if len(queue) < 3 {
		t.Fatalf("the test needs 3 pairs in the review queue, has %d", len(queue))
	}
	n := len(queue)

	cmd = exec.Command(bin, "review")
	cmd.Dir, cmd.Env = dir, env
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 120})
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	var scr screen
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		buf := make([]byte, 4096)
		for {
			k, err := tty.Read(buf)
			scr.Write(buf[:k])
			if err != nil {
				return
			}
		}
	}()
	press := func(k string) {
		if _, err := tty.Write([]byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	item := func(i int) string {
		return fmt.Sprintf("item %d of %d", i, n)
	}
	at := scr.waitFor(t, 0, item(1))
	at = scr.waitFor(t, at, fmt.Sprintf("B #%d", queue[0].B))
	scr.waitFor(t, at, "why")
	press("s") // the first pair: the same person
	at = scr.waitFor(t, at, item(2))
	at = scr.waitFor(t, at, fmt.Sprintf("B #%d", queue[1].B))
	press("d") // the second: different
	at = scr.waitFor(t, at, item(3))
	at = scr.waitFor(t, at, "2 decided")
	press("u") // undo "different": the second pair again
	at = scr.waitFor(t, at, item(2))
	at = scr.waitFor(t, at, "1 decided")
	at = scr.waitFor(t, at, fmt.Sprintf("B #%d", queue[1].B))
	press("n") // skip it
	at = scr.waitFor(t, at, item(3))
	at = scr.waitFor(t, at, "1 skipped")
	press("q")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("padron review: %v\n%s", err, scr.String())
		}
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("padron review did not quit on q:\n%s", scr.String())
	}
	tty.Close()
	<-copied
	scr.waitFor(t, at, fmt.Sprintf("review: 1 decided, 1 skipped; %d pairs still to review", n-1))

	// The log: the decision on the first pair in force, the one on the second reverted.
	var log []store.LogEntry
	if err := json.Unmarshal(padron("--json", "log"), &log); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range log {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, " "); got != "revert review review dedupe import" {
		t.Fatalf("log kinds (newest first) %q, want revert review review dedupe import", got)
	}
	same, diff, revert := log[2], log[1], log[0]
	if same.Detail["decision"] != store.Same || fmt.Sprint(same.Detail["records"]) != fmt.Sprint([]int64{queue[0].A, queue[0].B}) ||
		same.RevertedBy != 0 || same.Actor != "steward" {
		t.Errorf("first decision logged as %+v, want same on %d and %d by steward", same, queue[0].A, queue[0].B)
	}
	if diff.Detail["decision"] != store.Different || fmt.Sprint(diff.Detail["records"]) != fmt.Sprint([]int64{queue[1].A, queue[1].B}) ||
		diff.RevertedBy != revert.ID {
		t.Errorf("second decision logged as %+v, want different on %d and %d, reverted by %d", diff, queue[1].A, queue[1].B, revert.ID)
	}

	// The people: the first pair is one person now, the second still two. One file was
	// imported into a new store, so a record's id is its record number.
	personOf := func(record int64) float64 {
		var p map[string]any
		if err := json.Unmarshal(padron("--json", "person", fmt.Sprintf("contactos.csv:%d", record)), &p); err != nil {
			t.Fatal(err)
		}
		return p["person_id"].(float64)
	}
	if a, b := personOf(queue[0].A), personOf(queue[0].B); a != b {
		t.Errorf("records %d and %d decided the same are in people %v and %v", queue[0].A, queue[0].B, a, b)
	}
	if a, b := personOf(queue[1].A), personOf(queue[1].B); a == b {
		t.Errorf("records %d and %d (decision undone) are one person %v", queue[1].A, queue[1].B, a)
	}

	// And the decisions table: exactly one decision in force.
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ds, err := st.ActiveDecisions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []store.Decision{{A: min(queue[0].A, queue[0].B), B: max(queue[0].A, queue[0].B), Decision: store.Same}}
	if fmt.Sprint(ds) != fmt.Sprint(want) {
		t.Errorf("decisions in force %v, want %v", ds, want)
	}
}

// reviewQueue reads the store's review queue, most valuable first.
func reviewQueue(t *testing.T, db string) []store.ReviewItem {
	t.Helper()
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q, _, err := st.ReviewQueue(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
