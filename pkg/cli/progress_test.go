package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The progress line appears only on a terminal, and never mixes with the summary.
func TestImportProgressOnlyOnATerminal(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(csv, []byte("Name,Email\nAna,ana@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, terminal := range []bool{true, false} {
		var out, errb bytes.Buffer
		db := filepath.Join(dir, map[bool]string{true: "t.duckdb", false: "f.duckdb"}[terminal])
		code := Run([]string{"--db", db, "import", csv}, &IO{In: strings.NewReader(""), Out: &out, Err: &errb, Terminal: terminal})
		if code != ExitOK {
			t.Fatalf("terminal=%v: exit %d: %s", terminal, code, errb.String())
		}
		got := errb.String()
		hasBar := strings.Contains(got, "\r\033[K") && strings.Contains(got, "a.csv: writing to the store")
		if hasBar != terminal {
			t.Errorf("terminal=%v: progress shown=%v in %q", terminal, hasBar, got)
		}
		if !strings.Contains(got, "a.csv: batch 1, 1 records") {
			t.Errorf("terminal=%v: no summary in %q", terminal, got)
		}
		if out.Len() != 0 {
			t.Errorf("terminal=%v: data on stdout without --json: %q", terminal, out.String())
		}
	}
}

// dedupe shows each phase with a bar on a terminal, and nothing elsewhere.
func TestDedupeProgressPhases(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(csv, []byte("Name,Surname,Email\nAna,Paz,ana@example.org\nAna,Paz,ana@example.org\nEva,Kos,eva@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, terminal := range []bool{true, false} {
		db := filepath.Join(dir, map[bool]string{true: "t.duckdb", false: "f.duckdb"}[terminal])
		var out, errb bytes.Buffer
		io := &IO{In: strings.NewReader(""), Out: &out, Err: &errb, Terminal: terminal}
		if code := Run([]string{"--db", db, "-q", "import", csv}, io); code != ExitOK {
			t.Fatalf("import: exit %d: %s", code, errb.String())
		}
		errb.Reset()
		if code := Run([]string{"--db", db, "dedupe"}, io); code != ExitOK {
			t.Fatalf("dedupe: exit %d: %s", code, errb.String())
		}
		got := errb.String()
		for _, phase := range []string{"dedupe: blocking [", "dedupe: comparing [", "dedupe: scoring [", "dedupe: clustering [", "dedupe: saving"} {
			if strings.Contains(got, phase) != terminal {
				t.Errorf("terminal=%v: %q shown=%v in %q", terminal, phase, !terminal, got)
			}
		}
		if !strings.Contains(out.String(), "3 records (3 new) → 2 people") {
			t.Errorf("terminal=%v: summary %q", terminal, out.String())
		}
	}
}
