package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/ingest"
	"github.com/padron-org/padron/pkg/store"
)

func newMergeCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "merge A B [C...]",
		Short: "Make people one, as a decision later runs keep",
		Long: `Make the people of the given records (FILE:RECORD_NO, #ID) or person ids one person:
the first one's. The decision is kept: every later 'padron dedupe' keeps them together,
whatever the scores say. It is logged ('padron log') and can be reverted
('padron log revert ENTRY').`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usageError("merge needs two records or people at least")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runMerge(e, args) },
	}
}

func newUnmergeCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "unmerge RECORD",
		Short: "Take one record out of its person, as a decision later runs keep",
		Long: `Take a record (FILE:RECORD_NO or #ID) out of its person into a new person of its
own. The record is decided different from every other record of the person it leaves,
so no later 'padron dedupe' or import puts it back. Logged and revertible.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runUnmerge(e, args[0]) },
	}
}

// recordOf reads a merge argument: a record reference, or a person id (its first
// record stands for it).
func recordOf(e *env, st *store.Store, arg string) (int64, error) {
	if id, err := strconv.ParseInt(arg, 10, 64); err == nil {
		recs, err := st.LinkedRecords(e.ctx, id)
		if err != nil {
			return 0, err
		}
		if len(recs) == 0 {
			return 0, usageError("no person %d: see 'padron people'", id)
		}
		return recs[0].ID, nil
	}
	rec, err := st.ResolveRef(e.ctx, arg)
	if err != nil {
		return 0, usageError("%s: want a person id or a record FILE:RECORD_NO: %v", arg, err)
	}
	return rec, nil
}

func runMerge(e *env, args []string) error {
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	recs := make([]int64, len(args))
	for i, a := range args {
		if recs[i], err = recordOf(e, st, a); err != nil {
			return err
		}
	}
	res, err := st.Merge(e.ctx, recs, e.actor())
	if err != nil {
		return err
	}
	if e.json() {
		return writeJSON(e.io.Out, res)
	}
	fmt.Fprintf(e.io.Out, "merged people %s into person %d (%d records moved); log entry %d\n",
		joinIDs(res.People[1:]), res.Person, len(res.Changes), res.Event)
	return nil
}

func runUnmerge(e *env, arg string) error {
	st, err := openDeduped(e)
	if err != nil {
		return err
	}
	defer st.Close()
	rec, err := st.ResolveRef(e.ctx, arg)
	if err != nil {
		return usageError("%s: want a record FILE:RECORD_NO or #ID: %v", arg, err)
	}
	res, err := st.Unmerge(e.ctx, rec, e.actor())
	if err != nil {
		return err
	}
	if e.json() {
		return writeJSON(e.io.Out, res)
	}
	fmt.Fprintf(e.io.Out, "%s taken out of person %d into new person %d; log entry %d\n", arg, res.People[0], res.Person, res.Event)
	return nil
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}

func newLogCmd(e *env) *cobra.Command {
	var person string
	var limit int
	cmd := &cobra.Command{
		Use:   "log [--person ID]",
		Short: "Every change of conclusion: imports, dedupe runs, merges, unmerges, reverts",
		Long: `List the log, newest first: each entry's id, time, actor, kind, what it concerned and
how many records changed person. --person ID (or a record FILE:RECORD_NO) lists only
the entries that moved that person's records. Merges, unmerges, review decisions and
reverts can be undone with 'padron log revert ENTRY'. With --json, a JSON array.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runLog(e, person, limit) },
	}
	cmd.Flags().StringVar(&person, "person", "", "only entries about this person (id or record FILE:RECORD_NO)")
	cmd.Flags().IntVar(&limit, "limit", 50, "list at most this many (0: all)")
	revert := &cobra.Command{
		Use:   "revert ENTRY",
		Short: "Undo a merge, unmerge, review decision or revert",
		Long: `Put the records a log entry moved back where they were, and take its decisions out of
force. Refused when one of those records has changed person since: revert the later
entries first. The revert is itself logged.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runRevert(e, args[0]) },
	}
	cmd.AddCommand(revert)
	return cmd
}

func runLog(e *env, personArg string, limit int) error {
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	var person int64
	if personArg != "" {
		if person, err = strconv.ParseInt(personArg, 10, 64); err != nil {
			rec, rerr := st.ResolveRef(e.ctx, personArg)
			if rerr != nil {
				return usageError("--person must be a person id or a record FILE:RECORD_NO: %v", rerr)
			}
			if person, err = st.PersonOf(e.ctx, rec); err != nil {
				return err
			}
		}
	}
	entries, err := st.Log(e.ctx, person, limit)
	if err != nil {
		return err
	}
	if entries == nil {
		entries = []store.LogEntry{}
	}
	if e.json() {
		return writeJSON(e.io.Out, entries)
	}
	tw := tabwriter.NewWriter(e.io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTRY\tTIME\tACTOR\tKIND\tCHANGES\tDETAIL")
	for _, en := range entries {
		detail := describeEntry(en)
		if en.RevertedBy != 0 {
			detail += fmt.Sprintf(" (reverted by %d)", en.RevertedBy)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", en.ID, en.At.Format("2006-01-02 15:04:05"), en.Actor, en.Kind, en.Changes, detail)
	}
	return tw.Flush()
}

// describeEntry says in a few words what an entry concerned.
func describeEntry(en store.LogEntry) string {
	d := en.Detail
	num := func(k string) string {
		if v, ok := d[k].(float64); ok {
			return strconv.FormatInt(int64(v), 10)
		}
		return "?"
	}
	switch en.Kind {
	case "merge":
		return fmt.Sprintf("people %v into %s", d["people"], num("into"))
	case "unmerge":
		return fmt.Sprintf("record #%s out of %s into %s", num("record"), num("from"), num("into"))
	case "revert":
		return fmt.Sprintf("reverts entry %s (%v)", num("reverts"), d["kind"])
	case "review":
		return fmt.Sprintf("records %v: %v", d["records"], d["decision"])
	case "dedupe":
		return fmt.Sprintf("run %s, %v records, %v people", num("run"), d["records"], d["people"])
	case "import", "import.undo":
		return fmt.Sprintf("%v, %v records", d["file"], d["records"])
	}
	return ""
}

func runRevert(e *env, arg string) error {
	entry, err := strconv.ParseInt(arg, 10, 64)
	if err != nil {
		return usageError("ENTRY must be a log entry number (see 'padron log'), got %q", arg)
	}
	st, err := e.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	en, err := st.Entry(e.ctx, entry)
	if err != nil {
		return err
	}
	var res *store.MergeResult
	switch en.Kind {
	case "import.undo":
		res, err = revertImportUndo(e, st, en)
	case "import":
		// Reverting an import is undoing it.
		b, uerr := st.UndoBatch(e.ctx, en.Batch, e.actor())
		if uerr != nil {
			return fmt.Errorf("log entry %d: %w", entry, uerr)
		}
		fmt.Fprintf(e.io.Out, "reverted entry %d: undid batch %d (%s), %d records removed\n", entry, b.ID, b.File, b.Records)
		return nil
	default:
		res, err = st.Revert(e.ctx, entry, e.actor())
	}
	if err != nil {
		return err
	}
	if e.json() {
		return writeJSON(e.io.Out, res)
	}
	fmt.Fprintf(e.io.Out, "reverted entry %d: %d records moved back; log entry %d\n", entry, len(res.Changes), res.Event)
	return nil
}

// revertImportUndo imports an undone file again, when it is still where it was with
// the same content, and gives its records back their people and decisions.
func revertImportUndo(e *env, st *store.Store, en *store.LogEntry) (*store.MergeResult, error) {
	if en.RevertedBy != 0 {
		return nil, fmt.Errorf("log entry %d was already reverted by entry %d", en.ID, en.RevertedBy)
	}
	path, _ := en.Detail["path"].(string)
	sum, _ := en.Detail["sha256"].(string)
	if path == "" || sum == "" {
		return nil, fmt.Errorf("log entry %d does not say where the file was: import it again with 'padron import'", en.ID)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("log entry %d: the undone file: %w (import it again from where it is now with 'padron import')", en.ID, err)
	}
	h := sha256.New()
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		return nil, fmt.Errorf("%s has changed since it was imported: its records cannot be matched to the undone ones (import it with 'padron import')", path)
	}
	lib, err := e.library()
	if err != nil {
		return nil, err
	}
	exclude, err := e.exclusions()
	if err != nil {
		return nil, err
	}
	imp := ingest.File(e.ctx, st, path, ingest.Options{Library: lib, Exclude: exclude, Actor: e.actor(),
		DefaultCountry: e.cfg.GetString("default_country")})
	switch {
	case imp.Err != nil:
		return nil, fmt.Errorf("%s: %w", path, imp.Err)
	case imp.Already != nil:
		return nil, fmt.Errorf("%s is imported again already, as batch %d", path, imp.Already.ID)
	}
	e.say("%s: imported again as batch %d, %d records", path, imp.Batch.ID, imp.Batch.Records)
	return st.RestoreUndone(e.ctx, en.ID, imp.Batch.ID, e.actor())
}
