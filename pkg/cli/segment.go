package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/segment"
	"github.com/padron-org/padron/pkg/store"
)

func newSegmentCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "segment",
		Short: "Save named filters over people and count or list who they select",
		Long: `A segment is a named filter over people, saved in the store and evaluated fresh
each time it is used, for example:

  padron segment save donors25 --where 'donated_since("2025-01-01") and total_donated >= 100 and has_email'
  padron segment count donors25
  padron segment people donors25 --json

The filter language (fields, functions, operators) is described in docs/segments.md.
Experts may save a read-only SQL query instead (segment save NAME --sql "SELECT id
FROM people WHERE ..."). People who opted out are left out of every segment, and counted apart, unless
--include-opted-out is given.`,
		Args: noArgs,
	}
	cmd.AddCommand(newSegmentSaveCmd(e), newSegmentListCmd(e), newSegmentShowCmd(e), newSegmentDeleteCmd(e),
		newSegmentCountCmd(e), newSegmentPeopleCmd(e))
	return cmd
}

// compileSegment compiles an expression, turning a language error into a usage error
// that shows where it is.
func compileSegment(expr string, asOf time.Time) (string, []any, error) {
	where, args, err := segment.CompileWith(expr, segment.Options{AsOf: asOf})
	var se *segment.Error
	if errors.As(err, &se) {
		return "", nil, usageError("%s\n  %s\n  %s^", se, expr, caretPad(expr, se.Col))
	}
	return where, args, err
}

// asOfFlag adds --as-of, the reference date of the fundraising segments.
func asOfFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "as-of", "", "evaluate as of this date, YYYY-MM-DD (\"this year\" of lybunt, sybunt, rfm_*...; default today)")
}

// parseAsOf reads --as-of; empty is today (the zero time).
func parseAsOf(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, usageError("--as-of %q: write the date as YYYY-MM-DD", s)
	}
	return d, nil
}

// caretPad is the blank space that puts a caret under column col of expr.
func caretPad(expr string, col int) string {
	var b strings.Builder
	i := 1
	for _, r := range expr {
		if i >= col {
			break
		}
		if r == '\t' {
			b.WriteRune('\t')
		} else {
			b.WriteRune(' ')
		}
		i++
	}
	for ; i < col; i++ {
		b.WriteRune(' ')
	}
	return b.String()
}

func checkSegmentName(name string) error {
	if name == "" {
		return usageError("a segment needs a name")
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.') {
			return usageError("segment name %q: use letters, digits, _ - and . only", name)
		}
	}
	return nil
}

// loadSegment opens the store and compiles a saved segment.
func loadSegment(e *env, name, asOf string) (*store.Store, *store.SavedSegment, string, []any, error) {
	d, err := parseAsOf(asOf)
	if err != nil {
		return nil, nil, "", nil, err
	}
	st, err := e.openStore()
	if err != nil {
		return nil, nil, "", nil, err
	}
	g, where, args, err := resolveSegment(e, st, name, d)
	if err != nil {
		st.Close()
		return nil, nil, "", nil, err
	}
	return st, g, where, args, nil
}

// resolveSegment reads a saved segment from an open store and compiles it, as of
// asOf (zero: today).
func resolveSegment(e *env, st *store.Store, name string, asOf time.Time) (*store.SavedSegment, string, []any, error) {
	g, err := st.Segment(e.ctx, name)
	if err != nil {
		if errors.Is(err, store.ErrNoSegment) {
			return nil, "", nil, fmt.Errorf("no segment named %q: see 'padron segment list'", name)
		}
		return nil, "", nil, err
	}
	where, args, err := segmentCondition(e, st, g, asOf)
	if err != nil {
		return nil, "", nil, fmt.Errorf("segment %s: %w", name, err)
	}
	return g, where, args, nil
}

// segmentCondition compiles a saved segment; a SQL segment is checked again, as the
// store may have changed since it was saved.
func segmentCondition(e *env, st *store.Store, g *store.SavedSegment, asOf time.Time) (string, []any, error) {
	if g.Kind == store.SegmentSQL {
		where, err := checkSQL(e, st, g.Expr)
		return where, nil, err
	}
	return compileSegment(g.Expr, asOf)
}

// checkSQL checks a SQL segment's query; a refused query is a usage error.
func checkSQL(e *env, st *store.Store, query string) (string, error) {
	where, err := st.CheckSegmentSQL(e.ctx, query)
	var refused *store.SQLRefusedError
	if errors.As(err, &refused) {
		return "", usageError("%v", err)
	}
	return where, err
}

// countLine says how many people a segment holds.
func countLine(name string, c store.SegmentCount, include bool) string {
	s := fmt.Sprintf("%s: %d people", name, c.Matched)
	if c.Matched == 1 {
		s = fmt.Sprintf("%s: 1 person", name)
	}
	switch {
	case include:
		s += " (opted-out people included)"
	case c.OptedOut > 0:
		s += fmt.Sprintf(" (%d opted out, left out; --include-opted-out to count them)", c.OptedOut)
	}
	return s
}

type segmentOut struct {
	store.SavedSegment
	store.SegmentCount
	IncludesOptedOut bool `json:"includes_opted_out"`
}

func newSegmentSaveCmd(e *env) *cobra.Command {
	var where, query string
	var replace bool
	cmd := &cobra.Command{
		Use:   "save NAME (--where EXPR | --sql QUERY)",
		Short: "Save a segment (checking its expression and counting it)",
		Long: `Save a named filter over people. The expression is checked first, and the people it
selects are counted; a mistake is shown with its position. --replace overwrites a
segment of the same name. The language is described in docs/segments.md.

--sql QUERY saves a SQL query instead, for experts: exactly one read-only SELECT
over padron's tables (people, records, links, transactions, attributions, batches,
problems, suppressions, match_pairs, decisions) that returns the people's ids in a
column named person_id or id. Files, table functions, other databases, parameters
and every statement but SELECT are refused; the query runs in a transaction that is
always rolled back, and is checked again each time the segment is used. Opted-out
people are left out as for --where.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			if err := checkSegmentName(name); err != nil {
				return err
			}
			hasWhere, hasSQL := strings.TrimSpace(where) != "", strings.TrimSpace(query) != ""
			switch {
			case hasWhere && hasSQL:
				return usageError("segment save: give --where EXPR or --sql QUERY, not both")
			case !hasWhere && !hasSQL:
				return usageError("segment save: --where EXPR (or --sql QUERY) is required")
			}
			var cond string
			var params []any
			var err error
			if hasWhere {
				if cond, params, err = compileSegment(where, time.Time{}); err != nil {
					return err
				}
			}
			st, err := e.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			save := st.SaveSegment
			if hasSQL {
				if cond, err = checkSQL(e, st, query); err != nil {
					return err
				}
				where, save = query, st.SaveSQLSegment
			}
			c, err := st.CountWhere(e.ctx, cond, params, false)
			if err != nil {
				return err
			}
			if err := save(e.ctx, name, where, e.actor(), replace); err != nil {
				if !replace && strings.Contains(err.Error(), "already exists") {
					return usageError("%v: use --replace to overwrite it", err)
				}
				return err
			}
			if e.json() {
				g, err := st.Segment(e.ctx, name)
				if err != nil {
					return err
				}
				return writeJSON(e.io.Out, segmentOut{SavedSegment: *g, SegmentCount: c})
			}
			fmt.Fprintln(e.io.Out, countLine(name, c, false))
			return nil
		},
	}
	cmd.Flags().StringVar(&where, "where", "", "the filter expression (see docs/segments.md)")
	cmd.Flags().StringVar(&query, "sql", "", "a read-only SELECT returning person ids, instead of --where (see docs/segments.md)")
	cmd.Flags().BoolVar(&replace, "replace", false, "overwrite a segment of the same name")
	return cmd
}

func newSegmentListCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the saved segments",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := e.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			gs, err := st.Segments(e.ctx)
			if err != nil {
				return err
			}
			return writeList(e, gs, "no segments yet: save one with 'padron segment save NAME --where EXPR'",
				"NAME\tSAVED\tBY\tEXPRESSION", func(g store.SavedSegment) string {
					expr := g.Expr
					if g.Kind == store.SegmentSQL {
						expr = "SQL: " + strings.Join(strings.Fields(expr), " ")
					}
					return fmt.Sprintf("%s\t%s\t%s\t%s", g.Name, g.CreatedAt.Format("2006-01-02 15:04"), g.Actor, expr)
				})
		},
	}
}

func newSegmentShowCmd(e *env) *cobra.Command {
	var include bool
	var asOf string
	cmd := &cobra.Command{
		Use:   "show NAME",
		Short: "Show a segment's expression and how many people it selects",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, c, err := countSegment(e, args[0], asOf, include)
			if err != nil {
				return err
			}
			if e.json() {
				return writeJSON(e.io.Out, segmentOut{SavedSegment: *g, SegmentCount: c, IncludesOptedOut: include})
			}
			label := "where:   "
			if g.Kind == store.SegmentSQL {
				label = "sql:     "
			}
			fmt.Fprintf(e.io.Out, "segment:  %s\n%s %s\nsaved:    %s", g.Name, label, g.Expr, g.CreatedAt.Format("2006-01-02 15:04"))
			if g.Actor != "" {
				fmt.Fprintf(e.io.Out, " by %s", g.Actor)
			}
			fmt.Fprintf(e.io.Out, "\npeople:   %d\n", c.Matched)
			if asOf != "" {
				fmt.Fprintf(e.io.Out, "as of:    %s\n", asOf)
			}
			if include {
				fmt.Fprintln(e.io.Out, "opted out: included")
			} else {
				fmt.Fprintf(e.io.Out, "opted out: %d left out\n", c.OptedOut)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&include, "include-opted-out", false, "count people who opted out too")
	asOfFlag(cmd, &asOf)
	return cmd
}

func newSegmentDeleteCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a saved segment",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := e.openStore()
			if err != nil {
				return err
			}
			defer st.Close()
			if err := st.DeleteSegment(e.ctx, args[0]); err != nil {
				if errors.Is(err, store.ErrNoSegment) {
					return fmt.Errorf("no segment named %q: see 'padron segment list'", args[0])
				}
				return err
			}
			e.say("deleted segment %s", args[0])
			return nil
		},
	}
}

func newSegmentCountCmd(e *env) *cobra.Command {
	var include bool
	var asOf string
	cmd := &cobra.Command{
		Use:   "count NAME",
		Short: "Count the people a segment selects now",
		Long: `Count the people a saved segment selects, evaluated now. People who opted out are
left out and counted apart, unless --include-opted-out. With --json, an object.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			g, c, err := countSegment(e, args[0], asOf, include)
			if err != nil {
				return err
			}
			if e.json() {
				return writeJSON(e.io.Out, segmentOut{SavedSegment: *g, SegmentCount: c, IncludesOptedOut: include})
			}
			fmt.Fprintln(e.io.Out, countLine(g.Name, c, include))
			return nil
		},
	}
	cmd.Flags().BoolVar(&include, "include-opted-out", false, "count people who opted out too")
	asOfFlag(cmd, &asOf)
	return cmd
}

func newSegmentPeopleCmd(e *env) *cobra.Command {
	var include bool
	var asOf string
	cmd := &cobra.Command{
		Use:   "people NAME",
		Short: "List the people a segment selects now",
		Long: `List the people a saved segment selects, evaluated now, like 'padron people'. People
who opted out are left out unless --include-opted-out; the count goes to stderr.
With --json, a JSON array.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, g, where, params, err := loadSegment(e, args[0], asOf)
			if err != nil {
				return err
			}
			defer st.Close()
			var ps []store.PersonView
			c, err := st.EachPersonWhere(e.ctx, where, params, include, func(p store.PersonView) error {
				ps = append(ps, p)
				return nil
			})
			if err != nil {
				return err
			}
			e.say("%s", countLine(g.Name, c, include))
			if e.json() {
				return writeJSON(e.io.Out, nonNil(ps))
			}
			if len(ps) == 0 {
				return nil
			}
			return writePeopleTable(e.io.Out, ps)
		},
	}
	cmd.Flags().BoolVar(&include, "include-opted-out", false, "list people who opted out too")
	asOfFlag(cmd, &asOf)
	return cmd
}

// countSegment evaluates a saved segment now, or as of a date.
func countSegment(e *env, name, asOf string, include bool) (*store.SavedSegment, store.SegmentCount, error) {
	st, g, where, params, err := loadSegment(e, name, asOf)
	if err != nil {
		return nil, store.SegmentCount{}, err
	}
	defer st.Close()
	c, err := st.CountWhere(e.ctx, where, params, include)
	return g, c, err
}
