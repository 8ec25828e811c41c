package synth

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the bundled samples/ files from WriteSamples")

const samplesDir = "../../samples"

// TestSamplesAreReproducible regenerates the demo files and compares them with the
// committed ones, so they stay reproducible. After a deliberate change to the
// generator run: go test ./pkg/synth -run TestSamples -update (and review README.md).
func TestSamplesAreReproducible(t *testing.T) {
	dir := t.TempDir()
	m, err := WriteSamples(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.FromSlash(SampleTruthPath)}
	for _, f := range m.Files {
		files = append(files, filepath.Base(f.Path))
	}
	if *update {
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(samplesDir, f)
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(samplesDir, f))
		if err != nil {
			t.Fatalf("%v (run with -update to create)", err)
		}
		if strings.HasSuffix(f, ".xlsx") {
			// Compare contents, not zip bytes, which depend on the compressor.
			if g, w := unzipAll(t, got), unzipAll(t, want); !mapsEqual(g, w) {
				t.Errorf("samples/%s is not what WriteSamples writes (run with -update)", f)
			}
		} else if !bytes.Equal(got, want) {
			t.Errorf("samples/%s is not what WriteSamples writes (run with -update)", f)
		}
	}
	// No stray data files in samples/: the demo embeds every *.csv and *.xlsx there.
	ents, err := os.ReadDir(samplesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if ext := filepath.Ext(e.Name()); (ext == ".csv" || ext == ".xlsx") && !slices.Contains(files, e.Name()) {
			t.Errorf("samples/%s is not written by WriteSamples", e.Name())
		}
	}
}

func TestSamplesShowWhatTheyShould(t *testing.T) {
	dir := t.TempDir()
	m, err := WriteSamples(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if f.Records < 20 || f.Records > 80 {
			t.Errorf("%s: %d rows, want 20-80", filepath.Base(f.Path), f.Records)
		}
	}
	for _, k := range problemNames {
		if m.Problems[k] == 0 {
			t.Errorf("samples show no %q", k)
		}
	}
	for _, f := range []Format{EventSignups, Donors} {
		b, err := os.ReadFile(filepath.Join(dir, f.FileName()))
		if err != nil {
			t.Fatal(err)
		}
		if utf8.Valid(b) {
			t.Errorf("%s: valid UTF-8, want a legacy 8-bit encoding", f)
		}
	}
	// README.md describes these files: keep its numbers true.
	readme, err := os.ReadFile(filepath.Join(samplesDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(readme)
	if want := fmt.Sprintf("%d records of %d people", m.Records, m.People); !strings.Contains(doc, want) {
		t.Errorf("README.md does not say %q", want)
	}
	for _, f := range m.Files {
		name := filepath.Base(f.Path)
		row := ""
		for _, l := range strings.Split(doc, "\n") {
			if strings.HasPrefix(l, "| `"+name+"` | a") {
				row = l
			}
		}
		if !strings.Contains(row, fmt.Sprintf("| %d |", f.Records)) {
			t.Errorf("README.md: %s row does not give %d rows", name, f.Records)
		}
		for rec := range sampleProblems[f.Format] {
			where := fmt.Sprintf("| `%s` | row %d |", name, rec)
			if f.Format == Contacts {
				where = fmt.Sprintf("| `%s` | sheet row %d |", name, rec+contactsHeaderRow)
			}
			if !strings.Contains(doc, where) {
				t.Errorf("README.md lacks the problem at %q", where)
			}
		}
	}
	// People appear in several files.
	recs := loadAllAt(t, dir, m, filepath.Join(dir, filepath.FromSlash(SampleTruthPath)))
	multi := 0
	for _, rs := range byPerson(recs) {
		files := map[string]bool{}
		for _, r := range rs {
			files[r.file] = true
		}
		if len(files) >= 2 {
			multi++
		}
	}
	if multi < 20 {
		t.Errorf("only %d people appear in two or more files", multi)
	}
}

func unzipAll(t *testing.T, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		c, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(c)
	}
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
