//go:build linux

// Crash safety and locking, against the real binary: these tests SIGKILL padron at
// chosen points (seen on its progress line, drawn on a pseudo-terminal) and read
// /proc/locks to know when a process holds the store, hence Linux only.

package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/padron-org/padron/pkg/store"
)

var (
	crashGiven    = []string{"José", "Ana", "Piotr", "Katarzyna", "Juan", "María", "Luis", "Marta", "Jorge", "Elena", "Carmen", "Pedro", "Rosa", "Zofia", "Tomasz", "Lucía"}
	crashFamily   = []string{"García", "Muñoz", "Nowak", "Wróbel", "Pérez", "Sanz", "Ruiz", "Vidal", "Ortiz", "Díaz", "Navarro", "Kowalski", "López", "Gil", "Torres", "Romero"}
	crashCities   = []string{"Madrid", "Sevilla", "Bilbao", "Valencia", "Zaragoza", "Kraków", "Gdańsk", "Murcia"}
	crashCSVHeadr = "Nombre,Apellidos,Email,Teléfono,Ciudad,Fecha de nacimiento\n"
)

// writeCrashCSV writes n contact rows for people numbered from first on, about one in
// five of them twice with another spelling, so dedupe has real work. Seeded: the same
// arguments give the same bytes.
func writeCrashCSV(t *testing.T, path string, first, n int, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, uint64(first)))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(crashCSVHeadr)
	for i := 0; i < n; i++ {
		p := first + i
		if i > 0 && r.IntN(5) == 0 {
			p = first + r.IntN(i) // a second record of someone already written
		}
		pr := rand.New(rand.NewPCG(seed, uint64(p)+1<<40))
		given, family := crashGiven[pr.IntN(len(crashGiven))], crashFamily[pr.IntN(len(crashFamily))]
		email := fmt.Sprintf("%s.%s%d@example.org", strings.ToLower(given[:2]), strings.ToLower(family[:3]), p)
		phone := fmt.Sprintf("6%08d", p)
		city := crashCities[pr.IntN(len(crashCities))]
		birth := fmt.Sprintf("19%02d-%02d-%02d", 40+pr.IntN(60), 1+pr.IntN(12), 1+pr.IntN(28))
		if p != first+i { // the duplicate: another spelling, some fields missing
			given, family = strings.ToUpper(given), family+" "+crashFamily[r.IntN(len(crashFamily))]
			if r.IntN(2) == 0 {
				email = ""
			} else {
				phone = "+34 " + phone
			}
		}
		fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s\n", given, family, email, phone, city, birth)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// storeFingerprint opens a store as padron does (it must open without error) and
// describes it exactly: schema version, rows per table, and a checksum of every row
// of records, people and links.
func storeFingerprint(t *testing.T, path string) (full, counts string) {
	t.Helper()
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("store %s does not open: %v", path, err)
	}
	defer st.Close()
	q := func(query string) string {
		var parts []string
		rows, err := st.DB().Query(query)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		for rows.Next() {
			var a, b any
			if err := rows.Scan(&a, &b); err != nil {
				t.Fatal(err)
			}
			parts = append(parts, fmt.Sprint(a, "=", b))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return strings.Join(parts, " ")
	}
	var tables []string
	rows, err := st.DB().Query(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, fmt.Sprintf(`SELECT '%s', count(*) FROM "%s"`, n, n))
	}
	rows.Close()
	counts = q(`SELECT 'schema', max(version) FROM schema_meta`) + "\n" + q(strings.Join(tables, " UNION ALL ")+" ORDER BY 1")
	sums := q(`SELECT 'records', coalesce(sum(hash(t)), 0) FROM records t UNION ALL
		SELECT 'people', coalesce(sum(hash(t)), 0) FROM people t UNION ALL
		SELECT 'links', coalesce(sum(hash(t)), 0) FROM links t`)
	return counts + "\n" + sums, counts
}

// checkOwnerOnly fails if anything padron left beside the store (the store, its .wal,
// the .tmp spill folder and what is in it) is readable by others.
func checkOwnerOnly(t *testing.T, db string) {
	t.Helper()
	matches, _ := filepath.Glob(db + "*")
	for _, m := range matches {
		filepath.Walk(m, func(p string, fi os.FileInfo, err error) error {
			if err != nil {
				return nil
			}
			if fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s has mode %v: readable by others", p, fi.Mode().Perm())
			}
			return nil
		})
	}
}

func copyStore(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// mustPadron runs padron to completion and fails the test unless it exits 0 (or 3: imported
// with problems).
func mustPadron(t *testing.T, dir, db string, args ...string) string {
	t.Helper()
	code, stderr := padron(t, dir, db, args...)
	if code != 0 && code != 3 {
		t.Fatalf("padron %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stderr
}

// killPoint says when to kill: once the progress line matches after (and, for a row
// count, passes atLeast), plus a delay drawn from [0, jitter).
type killPoint struct {
	after   string
	atLeast int
	jitter  time.Duration
}

var rowsRE = regexp.MustCompile(`(\d+) rows`)

// crashRuns runs padron args on a fresh copy of the store at base once per kill point,
// SIGKILLs it there and checks that the store is exactly as before, or, if the kill
// came after the commit, holds the whole change.
func crashRuns(t *testing.T, dir, base string, args []string, points []killPoint, seed uint64) {
	before, _ := storeFingerprint(t, base)
	own, err := os.MkdirTemp(dir, "crash-") // each run's stores and .wal files apart
	if err != nil {
		t.Fatal(err)
	}
	done := filepath.Join(own, "done.duckdb")
	copyStore(t, base, done)
	mustPadron(t, dir, done, args...)
	_, afterCounts := storeFingerprint(t, done)
	if _, beforeCounts := storeFingerprint(t, base); beforeCounts == afterCounts {
		t.Fatalf("padron %s changes nothing: the test proves nothing", strings.Join(args, " "))
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	rolledBack, committed := 0, 0
	for i, kp := range points {
		db := filepath.Join(own, fmt.Sprintf("kill%d.duckdb", i))
		copyStore(t, base, db)
		delay := time.Duration(0)
		if kp.jitter > 0 {
			delay = time.Duration(rng.Int64N(int64(kp.jitter)))
		}
		finished, shown := killAt(t, dir, db, args, kp, delay)
		checkOwnerOnly(t, db)
		full, counts := storeFingerprint(t, db)
		switch {
		case full == before:
			rolledBack++
		case counts == afterCounts:
			committed++
		default:
			t.Errorf("kill point %d (%q ≥%d +%v, finished=%v): store is neither as before nor fully changed\nbefore:\n%s\nnow:\n%s\nscreen: %q",
				i, kp.after, kp.atLeast, delay, finished, before, full, lastLine(shown))
		}
		t.Logf("kill point %d (%q ≥%d, +%v): finished on its own=%v, store %s; screen: %q", i, kp.after, kp.atLeast, delay,
			finished, map[bool]string{true: "as before", false: "fully changed"}[full == before], lastLine(shown))
	}
	t.Logf("padron %s: %d kill points, %d rolled back, %d committed before the kill", strings.Join(args, " "), len(points), rolledBack, committed)
	if rolledBack == 0 {
		t.Errorf("no kill landed before the commit: the kill points prove nothing")
	}
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\r\n")
	if i := strings.LastIndexAny(s, "\r\n"); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimPrefix(s, "\x1b[K")
}

// killAt starts padron with stderr on a pseudo-terminal (so it draws its progress),
// waits for the kill point, sleeps delay and SIGKILLs it. finished says it had
// exited on its own first.
func killAt(t *testing.T, dir, db string, args []string, kp killPoint, delay time.Duration) (finished bool, screenText string) {
	t.Helper()
	cmd := exec.Command("padron", append([]string{"--db", db}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PADRON_ACTOR=tester", "TERM=xterm")
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	cmd.Stdout, cmd.Stderr = tty, tty // stdout too: dedupe's summary marks its commit
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	scr := &screen{}
	go io.Copy(scr, ptmx)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(3 * time.Minute)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case <-exited:
			return true, scr.String()
		case <-deadline:
			cmd.Process.Kill()
			<-exited
			t.Fatalf("padron %s: %q never showed; screen:\n%s", strings.Join(args, " "), kp.after, scr.String())
		case <-tick.C:
			s := scr.String()
			i := strings.LastIndex(s, kp.after)
			if i < 0 {
				continue
			}
			if kp.atLeast == 0 {
				break wait
			}
			if m := rowsRE.FindStringSubmatch(s[i:]); m != nil {
				if n, _ := strconv.Atoi(m[1]); n >= kp.atLeast {
					break wait
				}
			}
		}
	}
	if delay > 0 {
		select {
		case <-exited:
			return true, scr.String()
		case <-time.After(delay):
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		if errors.Is(err, os.ErrProcessDone) { // it exited just before the kill
			<-exited
			return true, scr.String()
		}
		t.Fatal(err)
	}
	<-exited // the exit status says a signal ended it; the error says the same
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return !(ok && ws.Signaled()), scr.String()
}

// TestCrashSafety kills padron import and padron dedupe at many points and checks the
// store each time: it opens, and is exactly as before the command (or holds the
// command's whole change, when the kill came after the commit).
func TestCrashSafety(t *testing.T) {
	dir := t.TempDir()
	const seed = 20260301
	writeCrashCSV(t, filepath.Join(dir, "base.csv"), 0, 20000, seed)
	writeCrashCSV(t, filepath.Join(dir, "big.csv"), 100000, 300000, seed)
	writeCrashCSV(t, filepath.Join(dir, "more.csv"), 500000, 40000, seed)
	base := filepath.Join(dir, "base.duckdb")
	mustPadron(t, dir, base, "import", "--default-country", "ES", "base.csv")
	mustPadron(t, dir, base, "dedupe")

	t.Run("import", func(t *testing.T) {
		const label = "big.csv: "
		crashRuns(t, dir, base, []string{"import", "--default-country", "ES", "big.csv"}, []killPoint{
			{after: label, atLeast: 1},
			{after: label, atLeast: 100000},
			{after: label, atLeast: 250000},
			{after: "writing to the store"},
			{after: "writing to the store", jitter: 100 * time.Millisecond},
			{after: "writing to the store", jitter: 500 * time.Millisecond},
			{after: "writing to the store", jitter: 2 * time.Second},
			{after: "writing to the store", jitter: 8 * time.Second},
			// The summary comes after the commit, before the checkpoint on close.
			{after: "records (csv"},
			{after: "records (csv", jitter: 300 * time.Millisecond},
		}, seed)
	})

	t.Run("dedupe", func(t *testing.T) {
		withNew := filepath.Join(dir, "withnew.duckdb")
		copyStore(t, base, withNew)
		mustPadron(t, dir, withNew, "import", "--default-country", "ES", "more.csv")
		points := []killPoint{}
		for _, phase := range []string{"reading", "blocking", "comparing", "scoring", "clustering", "saving"} {
			points = append(points, killPoint{after: "dedupe: " + phase})
		}
		points = append(points,
			killPoint{after: "dedupe: saving", jitter: 100 * time.Millisecond},
			killPoint{after: "dedupe: saving", jitter: 500 * time.Millisecond},
			killPoint{after: "dedupe: saving", jitter: 2 * time.Second},
			killPoint{after: "dedupe: saving", jitter: 6 * time.Second},
			killPoint{after: "→"}, // the summary on stdout: committed, not yet closed
			killPoint{after: "→", jitter: 300 * time.Millisecond})
		crashRuns(t, dir, withNew, []string{"dedupe"}, points, seed+1)
		// A full run rewrites every person: kill it while it saves too.
		crashRuns(t, dir, withNew, []string{"dedupe", "--full"}, []killPoint{
			{after: "dedupe: comparing"},
			{after: "dedupe: saving"},
			{after: "dedupe: saving", jitter: 300 * time.Millisecond},
			{after: "→"},
		}, seed+2)
	})
}

// holdsLock says whether process pid holds a POSIX lock on the file at path.
func holdsLock(t *testing.T, pid int, path string) bool {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	ino := fi.Sys().(*syscall.Stat_t).Ino
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		t.Fatal(err)
	}
	// 1: POSIX  ADVISORY  WRITE 12345 08:01:1234567 0 EOF
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 && f[1] == "POSIX" && f[4] == strconv.Itoa(pid) && strings.HasSuffix(f[5], ":"+strconv.FormatUint(ino, 10)) {
			return true
		}
	}
	return false
}

// TestOneWriterAtATime starts a long import and, while it holds the store, tries to
// import, dedupe and back up the same store from other processes: each is refused
// with the holder's process id, and the first import completes whole.
func TestOneWriterAtATime(t *testing.T) {
	dir := t.TempDir()
	writeCrashCSV(t, filepath.Join(dir, "small.csv"), 0, 100, 7)
	writeCrashCSV(t, filepath.Join(dir, "long.csv"), 1000, 600000, 7)
	db := filepath.Join(dir, "s.duckdb")
	mustPadron(t, dir, db, "import", "--default-country", "ES", "small.csv")

	cmd := exec.Command("padron", "--db", db, "import", "--default-country", "ES", "long.csv")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PADRON_ACTOR=tester")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for !holdsLock(t, cmd.Process.Pid, db) {
		select {
		case err := <-exited:
			t.Fatalf("the long import ended before it was seen holding the store: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the long import never took the store's lock")
		}
		time.Sleep(5 * time.Millisecond)
	}
	want := fmt.Sprintf("store %s is in use by process %d", db, cmd.Process.Pid)
	for _, args := range [][]string{
		{"import", "--default-country", "ES", "small.csv"},
		{"dedupe"},
		{"backup", "--out", "during.backup"},
	} {
		code, errText := padron(t, dir, db, args...)
		if code != 1 || !strings.Contains(errText, want) {
			t.Errorf("padron %s while another process writes: exit %d, stderr %q; want exit 1 and %q",
				strings.Join(args, " "), code, errText, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "during.backup")); err == nil {
		t.Error("a refused backup left a file")
	}
	// Exit 3 is an import that landed with problems recorded: still complete.
	if err := <-exited; err != nil && cmd.ProcessState.ExitCode() != 3 {
		t.Fatalf("the long import failed: %v\n%s", err, stderr.String())
	}
	if got := storeQuery(t, db, `SELECT count(*) FROM records`); got != "600100" {
		t.Fatalf("records after the long import: %s, want 600100", got)
	}
	checkOwnerOnly(t, db)
}

// TestFilesAreOwnerOnly checks the modes of what padron writes: a new store, its .wal
// while it has one, backups and exports.
func TestFilesAreOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "new.duckdb")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`INSERT INTO counters VALUES ('x', 1)`); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(db + ".wal")
	if err != nil {
		t.Fatalf("no .wal after an insert: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s.wal has mode %v", db, fi.Mode().Perm())
	}
	st.Close()
	checkOwnerOnly(t, db)

	writeCrashCSV(t, filepath.Join(dir, "c.csv"), 0, 50, 3)
	db2 := filepath.Join(dir, "cli.duckdb")
	mustPadron(t, dir, db2, "import", "c.csv")
	mustPadron(t, dir, db2, "dedupe")
	mustPadron(t, dir, db2, "backup", "--out", "b.backup")
	mustPadron(t, dir, db2, "export", "people", "--out", "p.csv")
	mustPadron(t, dir, db2, "export", "links", "--out", "l.csv", "--encrypt-to", "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p")
	for _, f := range []string{db2, "b.backup", "p.csv", "l.csv"} {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
		}
	}
}
