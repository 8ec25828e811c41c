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
