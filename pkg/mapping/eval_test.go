package mapping

import (
	"path/filepath"
	"strings"
	"testing"
)

const evalDir = "testdata/eval"

// TestEvalSet measures inference on the evaluation set: at least 95% of columns right,
// and no wrong guess at or above Confident (a wrong mapping used without comment).
func TestEvalSet(t *testing.T) {
	// Birth and payment dates are told apart by their age: pin the year so the result
	// does not drift as the synthetic dates grow old.
	defer func(y int) { currentYear = y }(currentYear)
	currentYear = 2025
	r, err := Evaluate(evalDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + r.String())
	if r.Files < 40 {
		t.Errorf("eval set has %d files, want at least 40", r.Files)
	}
	if r.Accuracy < 0.95 {
		t.Errorf("accuracy %.3f, want at least 0.95", r.Accuracy)
	}
	if r.WrongConfident != 0 {
		t.Errorf("%d wrong guesses at or above Confident", r.WrongConfident)
	}
}

// TestEvalHeadersNotInDictionary keeps the evaluation honest: it must measure
// inference, not dictionary lookup, so no header of a column that should be mapped
// may be a dictionary key itself (compared as HeaderKey compares). Headers of columns
// that must stay unmapped may be, since then the values have to overrule the
// dictionary. Headers must not be added to synonyms.go to pass the eval.
func TestEvalHeadersNotInDictionary(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(evalDir, "*.expected.yaml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no expectations in %s: %v", evalDir, err)
	}
	for _, n := range names {
		exp, err := readExpected(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range exp.Columns {
			if c[1] == "" {
				continue
			}
			if f, ok := SynonymField(c[0]); ok {
				t.Errorf("%s: header %q is in the dictionary (as %s): the eval would test lookup, not inference",
					filepath.Base(n), c[0], f)
			}
		}
	}
}

func TestEvaluateRejectsMismatchedExpectations(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.csv"), "Correo;Tel\nana@example.org;600123456\n")
	writeFile(t, filepath.Join(dir, "a.expected.yaml"), "columns:\n  - [Correo, email]\n  - [Teléfono, phone]\n")
	if _, err := Evaluate(dir); err == nil || !strings.Contains(err.Error(), "Teléfono") {
		t.Errorf("mismatched header accepted: %v", err)
	}
	writeFile(t, filepath.Join(dir, "a.expected.yaml"), "columns:\n  - [Correo, emial]\n  - [Tel, phone]\n")
	if _, err := Evaluate(dir); err == nil || !strings.Contains(err.Error(), "emial") {
		t.Errorf("unknown field accepted: %v", err)
	}
	writeFile(t, filepath.Join(dir, "a.expected.yaml"), "columns:\n  - [Correo, email]\n  - [Tel, phone]\n")
	r, err := Evaluate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.Files != 1 || r.Columns != 2 || r.Correct != 2 || r.Accuracy != 1 {
		t.Errorf("report %+v", r)
	}
}
