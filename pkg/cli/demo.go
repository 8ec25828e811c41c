package cli

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/ingest"
	"github.com/padron-org/padron/pkg/source"
	"github.com/padron-org/padron/pkg/store"
	"github.com/padron-org/padron/samples"
)

func newDemoCmd(e *env) *cobra.Command {
	var keep string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run padron on the bundled sample files and show what it did",
		Long: `Copy the bundled sample files (see samples/README.md) into a fresh folder, import them
into a new store there, and show what padron found. Nothing outside that folder is
touched; it is removed afterwards unless --keep names where to leave it.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDemo(e, keep) },
	}
	cmd.Flags().StringVar(&keep, "keep", "", "leave the sample files and the store in this folder")
	return cmd
}

func runDemo(e *env, keep string) error {
	dir := keep
	if dir == "" {
		tmp, err := os.MkdirTemp("", "padron-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	files, err := writeSamples(dir)
	if err != nil {
		return err
	}
	dbPath := filepath.Join(dir, "padron.duckdb")
	os.Remove(dbPath)
	e.cfg.Set("db", dbPath)
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	lib, err := e.library()
	if err != nil {
		return err
	}
	// The sample systems' mappings, as an organisation would keep its own.
	if err := lib.AddFS(samples.Mappings, "mappings", "samples"); err != nil {
		return err
	}
	out := e.io.Out
	fmt.Fprintf(out, "padron demo: importing %d sample files into %s\n\n", len(files), dbPath)
	opts := ingest.Options{Library: lib, Actor: "demo", Source: source.Options{}}
	records, problems := 0, 0
	for _, f := range files {
		res := ingest.File(e.ctx, st, f, opts)
		if res.Err != nil {
			return fmt.Errorf("sample %s: %w", filepath.Base(f), res.Err)
		}
		res.Path = filepath.Base(f)
		fmt.Fprintln(out, describeImport(res))
		records += res.Batch.Records
		problems += res.Batch.Problems
	}
	fmt.Fprintf(out, "\n%d records from %d files; %d problems recorded (bad values left empty, raw rows kept).\n", records, len(files), problems)
	if n, err := st.SuppressedEmails(e.ctx); err == nil && n > 0 {
		fmt.Fprintf(out, "%d email addresses are suppressed (opted out, unsubscribed or cleaned): no list will include them.\n", n)
	}
	ps, err := st.Problems(e.ctx, 0, 8)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		fmt.Fprintln(out, "\nFirst problems:")
		for _, p := range ps {
			fmt.Fprintf(out, "  %s: %s\n", problemPlace(p), p.Reason)
		}
	}
	// A second import of the same file is a no-op: show it.
	again := ingest.File(e.ctx, st, files[0], opts)
	if again.Already != nil {
		fmt.Fprintf(out, "\nImporting %s again: already imported as batch %d, nothing to do.\n", filepath.Base(files[0]), again.Already.ID)
	}
	// Then the main job: records into people.
	fmt.Fprintln(out, "\nMatching records into people (padron dedupe):")
	sum, err := dedupe.Run(e.ctx, st, dedupe.Options{Actor: "demo"})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d records → %d people: %d links made, %d refused by the chaining guard, %d pairs left for review.\n",
		sum.Records, sum.People, sum.AutoLinks, sum.Rejected, sum.Review)
	top, err := st.People(e.ctx, store.PeopleFilter{})
	if err != nil {
		return err
	}
	slices.SortStableFunc(top, func(a, b store.PersonView) int { return b.Records - a.Records })
	if len(top) > 0 {
		p := top[0]
		recs, err := st.LinkedRecords(e.ctx, p.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\nThe person found in most places: %s %s (person %d), %d records:\n", p.GivenName, p.FamilyName, p.ID, len(recs))
		for _, r := range recs {
			fmt.Fprintf(out, "  %-28s %s %s  %s\n", r.Ref, r.GivenName, r.FamilyName, strings.Join(r.Emails, ", "))
		}
	}
	if keep != "" {
		fmt.Fprintf(out, "\nStore kept in %s. Try:\n  padron --db %s imports\n  padron --db %s people\n", dir, dbPath, dbPath)
		if len(top) > 0 {
			fmt.Fprintf(out, "  padron --db %s person %d\n", dbPath, top[0].ID)
		}
		fmt.Fprintf(out, "  padron --db %s explain --model\n", dbPath)
	}
	return nil
}

// writeSamples copies the embedded sample files into dir: the organisation's own
// files, then the contact books, each in name order.
func writeSamples(dir string) ([]string, error) {
	var out []string
	for _, fsys := range []fs.FS{samples.FS, samples.ContactBooks} {
		files, err := copyFiles(fsys, dir)
		if err != nil {
			return nil, err
		}
		out = append(out, files...)
	}
	return out, nil
}

func copyFiles(fsys fs.FS, dir string) ([]string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		p := filepath.Join(dir, filepath.Base(n))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// problemPlace names where a problem is: file, row, column and value as far as known.
func problemPlace(p store.Problem) string {
	s := p.File
	if p.Sheet != "" {
		s += fmt.Sprintf(" [%s]", p.Sheet)
	}
	if p.Pos > 0 {
		s += fmt.Sprintf(" row %d", p.Pos)
	}
	if p.Column != "" {
		s += fmt.Sprintf(", column %q", p.Column)
	}
	if p.Value != "" {
		s += fmt.Sprintf(", value %q", clip(p.Value, 40))
	}
	return s
}
