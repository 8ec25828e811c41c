package review

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/ingest"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/store"
)

// contacts gives three doubtful pairs (the same names, one email missing), one with a
// city that a spreadsheet would take for a formula.
const contacts = `Nombre,Apellido,Email,Ciudad
Jan,Kowalski,jan.k@example.org,Kraków
Jan,Kowalski,,Kraków
Anna,Nowak,anna.n@example.org,Poznań
Anna,Nowak,,Poznań
Piotr,Zieliński,piotr.z@example.org,"=HYPERLINK(""http://evil.example"",""x"")"
Piotr,Zieliński,,"=HYPERLINK(""http://evil.example"",""x"")"
Ewa,Lis,ewa.lis@example.org,Gdańsk
`

func newStore(t *testing.T) *store.Store {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "contactos.csv")
	if err := os.WriteFile(path, []byte(contacts), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, "p.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, err := mapping.NewLibrary(nil)
	if err != nil {
		t.Fatal(err)
	}
	if res := ingest.File(ctx, st, path, ingest.Options{Library: lib, DefaultCountry: "PL"}); res.Err != nil {
		t.Fatal(res.Err)
	}
	if _, err := dedupe.Run(ctx, st, dedupe.Options{Auto: 0.999999, Review: 0.01}); err != nil {
		t.Fatal(err)
	}
	return st
}

func export(t *testing.T, st *store.Store, limit int) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	res, err := Export(context.Background(), st, &buf, ExportOptions{Limit: limit, Now: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pairs == 0 {
		t.Fatal("nothing exported")
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// decide writes decisions into the Decision cells of pairs 1, 2, …
func decide(t *testing.T, f *excelize.File, values ...string) {
	t.Helper()
	for i, v := range values {
		if err := f.SetCellStr(ReviewSheet, xlsxCell(colDecision, 2+2*i), v); err != nil {
			t.Fatal(err)
		}
	}
}

func importFile(t *testing.T, st *store.Store, f *excelize.File, dry bool) *ImportResult {
	t.Helper()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	res, err := Import(context.Background(), st, &buf, ImportOptions{Actor: "tester", DryRun: dry})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func pairKey(t *testing.T, f *excelize.File, pair int) xlsxKey {
	t.Helper()
	v, err := f.GetCellValue(ReviewSheet, xlsxCell(colKey, 2*pair))
	if err != nil {
		t.Fatal(err)
	}
	k, err := parseXlsxKey(v)
	if err != nil {
		t.Fatalf("pair %d key %q: %v", pair, v, err)
	}
	return k
}

func personOf(t *testing.T, st *store.Store, r int64) int64 {
	t.Helper()
	p, err := st.PersonOf(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestExportLayout(t *testing.T) {
	st := newStore(t)
	_, total, err := st.ReviewQueue(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if total < 3 {
		t.Fatalf("want 3 pairs or more in the queue, got %d", total)
	}
	f := export(t, st, 0)
	if got := f.GetSheetList(); len(got) != 2 || got[0] != ReviewSheet || got[1] != InstructionsSheet {
		t.Errorf("sheets %v", got)
	}
	rows, err := f.GetRows(ReviewSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+2*total {
		t.Errorf("%d rows for %d pairs", len(rows), total)
	}
	if rows[0][colDecision-1] != "Decision" || rows[0][colKey-1] != xlsxHeaders[colKey-1] {
		t.Errorf("header %q", rows[0])
	}
	if rows[1][colSide-1] != "A" || rows[2][colSide-1] != "B" || !strings.Contains(rows[1][colSource-1], "contactos.csv:") {
		t.Errorf("block %q / %q", rows[1], rows[2])
	}
	if rows[1][colEvidence-1] == "" {
		t.Error("no evidence")
	}
	if vis, _ := f.GetColVisible(ReviewSheet, "P"); vis {
		t.Error("the key column is visible")
	}
	dvs, err := f.GetDataValidations(ReviewSheet)
	if err != nil || len(dvs) != 1 || !strings.Contains(dvs[0].Formula1, "same,different,skip") {
		t.Errorf("data validation %+v %v", dvs, err)
	}
	panes, err := f.GetPanes(ReviewSheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v %v", panes, err)
	}
	// Names and cities are the same on both sides: green; the email is missing on one.
	for _, c := range []int{colName, colCity} {
		s, _ := f.GetCellStyle(ReviewSheet, xlsxCell(c, 2))
		st, _ := f.GetStyle(s)
		if st == nil || len(st.Fill.Color) == 0 || st.Fill.Color[0] != fillMatch {
			t.Errorf("column %d: fill %+v", c, st)
		}
	}
	// The decision cells are the only ones unlocked.
	s, _ := f.GetCellStyle(ReviewSheet, "B2")
	if ds, _ := f.GetStyle(s); ds == nil || ds.Protection == nil || ds.Protection.Locked {
		t.Errorf("decision cell style %+v", ds)
	}
	// --limit.
	if rows, _ := export(t, st, 1).GetRows(ReviewSheet); len(rows) != 3 {
		t.Errorf("limit 1: %d rows", len(rows))
	}
}

// TestNoFormulas: no cell of personal data can be read as a formula.
func TestNoFormulas(t *testing.T) {
	st := newStore(t)
	f := export(t, st, 0)
	rows, err := f.GetRows(ReviewSheet)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		for _, v := range row {
			if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) && strings.Trim(v[1:], "0123456789 ") != "" {
				t.Errorf("cell %q could run as a formula", v)
			}
			if strings.HasPrefix(v, "'=HYPERLINK") {
				found = true
			}
		}
	}
	if !found {
		t.Error("the formula-like city is not in the sheet")
	}
	for _, v := range []string{"=1+1", "+SUM(A1)", "-2+3", "@x", "\tx"} {
		if xlsxSafe(v) != "'"+v {
			t.Errorf("safe(%q) = %q", v, xlsxSafe(v))
		}
	}
	if xlsxSafe("+48 600 111 222") != "+48 600 111 222" || xlsxSafe("Ana") != "Ana" {
		t.Error("safe changed a harmless value")
	}
}

func TestRoundTrip(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	f := export(t, st, 0)
	k1, k2, k3 := pairKey(t, f, 1), pairKey(t, f, 2), pairKey(t, f, 3)
	decide(t, f, "same", "Different", "")

	dry := importFile(t, st, f, true)
	if dry.Same != 1 || dry.Different != 1 || dry.Refused != 0 {
		t.Fatalf("dry run %+v", dry)
	}
	if ds, _ := st.ActiveDecisions(ctx); len(ds) != 0 {
		t.Fatalf("a dry run applied %v", ds)
	}

	res := importFile(t, st, f, false)
	if res.Same != 1 || res.Different != 1 || res.Skipped != 1 || res.Refused != 0 || res.Already != 0 {
		t.Fatalf("import %+v", res)
	}
	for _, r := range res.Rows[:2] {
		if r.Status != Applied || r.Event == 0 || r.A == "" || r.B == "" {
			t.Errorf("row %+v", r)
		}
	}
	ds, err := st.ActiveDecisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]int64]string{xlsxPairOf(k1.A, k1.B): store.Same, xlsxPairOf(k2.A, k2.B): store.Different}
	if len(ds) != 2 {
		t.Fatalf("decisions %v", ds)
	}
	for _, d := range ds {
		if want[[2]int64{d.A, d.B}] != d.Decision {
			t.Errorf("decision %+v not wanted", d)
		}
	}
	if personOf(t, st, k1.A) != personOf(t, st, k1.B) {
		t.Error("same: not one person")
	}
	if personOf(t, st, k2.A) == personOf(t, st, k2.B) {
		t.Error("different: one person")
	}
	// Each decision is its own log entry, and can be reverted alone.
	if res.Rows[0].Event == res.Rows[1].Event {
		t.Error("one log entry for two decisions")
	}
	// The same file again: nothing applied twice.
	again := importFile(t, st, f, false)
	if again.Same+again.Different != 0 || again.Already != 2 || again.Refused != 0 {
		t.Fatalf("second import %+v", again)
	}
	if ds2, _ := st.ActiveDecisions(ctx); len(ds2) != 2 {
		t.Fatalf("decisions after a second import %v", ds2)
	}
	// Decided otherwise now: refused, not applied.
	decide(t, f, "different")
	if r := importFile(t, st, f, false); r.Refused != 1 || !strings.Contains(r.Rows[0].Reason, "already decided same") {
		t.Fatalf("changed mind %+v", r.Rows[0])
	}
	// A later full dedupe keeps both decisions.
	if _, err := dedupe.Run(ctx, st, dedupe.Options{Full: true, Auto: 0.999999, Review: 0.01}); err != nil {
		t.Fatal(err)
	}
	if personOf(t, st, k1.A) != personOf(t, st, k1.B) || personOf(t, st, k2.A) == personOf(t, st, k2.B) {
		t.Error("a dedupe run undid a decision")
	}
	// The skipped pair is still in the queue.
	items, _, err := st.ReviewQueue(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) == 0 || xlsxPairOf(items[0].A, items[0].B) != xlsxPairOf(k3.A, k3.B) {
		t.Errorf("queue after import %+v", items)
	}
	// Revert one decision: the other stays.
	if _, err := st.Revert(ctx, res.Rows[0].Event, "tester"); err != nil {
		t.Fatal(err)
	}
	if ds3, _ := st.ActiveDecisions(ctx); len(ds3) != 1 || ds3[0].Decision != store.Different {
		t.Errorf("after revert %v", ds3)
	}
}

func TestChangedSinceExport(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	f := export(t, st, 0)
	k1, k2 := pairKey(t, f, 1), pairKey(t, f, 2)
	decide(t, f, "same", "same", "different")
	// Pair 1's first record moves to another person; pair 2's key is tampered with.
	if _, err := st.Merge(ctx, []int64{k2.A, k1.A}, "tester"); err != nil {
		t.Fatal(err)
	}
	k := pairKey(t, f, 3)
	k.Hash = "0123456789abcdef"
	if err := f.SetCellStr(ReviewSheet, xlsxCell(colKey, 6), makeXlsxKey(k.A, k.B, k.PersonA, k.PersonB, k.Hash)); err != nil {
		t.Fatal(err)
	}
	res := importFile(t, st, f, false)
	if res.Refused != 2 || res.Same != 1 {
		t.Fatalf("%+v", res)
	}
	if r := res.Rows[0]; r.Status != Refused || !strings.Contains(r.Reason, "changed since the export") ||
		!strings.Contains(r.Reason, "was in person") {
		t.Errorf("moved record: %+v", r)
	}
	if r := res.Rows[2]; r.Status != Refused || r.Reason != "the records changed since the export" {
		t.Errorf("changed record: %+v", r)
	}
}

func TestBadValues(t *testing.T) {
	st := newStore(t)
	f := export(t, st, 0)
	decide(t, f, "maybe", "Sí", "NIE")
	if err := f.SetCellStr(ReviewSheet, xlsxCell(colKey, 4), "padron:v1:garbage"); err != nil {
		t.Fatal(err)
	}
	res := importFile(t, st, f, false)
	if res.Refused != 2 || res.Different != 1 {
		t.Fatalf("%+v", res)
	}
	if !strings.Contains(res.Rows[0].Reason, `unknown decision "maybe"`) {
		t.Errorf("row 1: %+v", res.Rows[0])
	}
	if !strings.Contains(res.Rows[1].Reason, "not one padron wrote") {
		t.Errorf("row 2: %+v", res.Rows[1])
	}
	for v, want := range map[string]string{"same": store.Same, " YES ": store.Same, "tak": store.Same, "no": store.Different,
		"different": store.Different, "skip": "", "": ""} {
		if got, ok := ParseDecision(v); !ok || got != want {
			t.Errorf("ParseDecision(%q) = %q, %v", v, got, ok)
		}
	}
	if _, ok := ParseDecision("n"); ok {
		t.Error(`"n" (no? skip?) accepted`)
	}
	// A workbook padron did not write.
	other := excelize.NewFile()
	var buf bytes.Buffer
	other.WriteTo(&buf)
	if _, err := Import(context.Background(), st, &buf, ImportOptions{}); err == nil || !strings.Contains(err.Error(), "Review") {
		t.Errorf("foreign workbook: %v", err)
	}
}

// TestContradictions: a file's decisions are taken in order; one that contradicts
// those before it (or a different decision in force) is refused.
func TestContradictions(t *testing.T) {
	u := newXlsxUnion()
	u.cannot(1, 9, "the old decision")
	steps := []struct {
		a, b int64
		d    string
		want string
	}{
		{1, 2, store.Same, ""},
		{2, 3, store.Same, ""},
		{1, 3, store.Different, "the same decisions of rows 2, 3"},
		{3, 4, store.Different, ""},
		{4, 2, store.Same, "the different decision of row 5"},
		{9, 3, store.Same, "the old decision"},
		{1, 3, store.Same, ""},
	}
	for i, s := range steps {
		got := u.check(s.a, s.b, s.d, i+2)
		if !strings.Contains(got, s.want) || (s.want == "") != (got == "") {
			t.Errorf("step %d (%d %s %d): %q, want %q", i, s.a, s.d, s.b, got, s.want)
		}
	}
}

// TestEvidenceMatchesExplain: the export's explainer, built once, weighs pairs as
// 'padron explain' does.
func TestEvidenceMatchesExplain(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	items, _, err := st.ReviewQueue(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := loadXlsxPairs(ctx, st, items, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		ex, err := dedupe.Explain(ctx, st, r.item.A, r.item.B, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := xlsxEvidence(*ex); r.evidence != want {
			t.Errorf("pair %d/%d: %q, explain says %q", r.item.A, r.item.B, r.evidence, want)
		}
	}
}

// TestDecideMany: decisions of one batch build on each other as one after another
// would, each its own log entry; a same about records already one person is kept.
func TestDecideMany(t *testing.T) {
	st := newStore(t)
	ctx := context.Background()
	items, _, err := st.ReviewQueue(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	p, q := items[0], items[1]
	out, err := st.DecideMany(ctx, []store.Decision{
		{A: p.A, B: p.B, Decision: store.Same},
		{A: p.B, B: q.A, Decision: store.Same}, // p.B moved by the first
		{A: q.A, B: p.A, Decision: store.Same}, // already one person: recorded, no change
		{A: q.B, B: p.A, Decision: store.Different},
	}, "tester", "review", nil)
	if err != nil {
		t.Fatal(err)
	}
	one := personOf(t, st, p.A)
	for _, r := range []int64{p.B, q.A} {
		if personOf(t, st, r) != one {
			t.Errorf("record %d not in person %d", r, one)
		}
	}
	if personOf(t, st, q.B) == one {
		t.Error("decided different, yet one person")
	}
	if len(out[2].Changes) != 0 || len(out[1].Changes) == 0 {
		t.Errorf("changes %+v", out)
	}
	ds, _ := st.ActiveDecisions(ctx)
	if len(ds) != 4 {
		t.Errorf("decisions %v", ds)
	}
	// The second entry reverts alone: q.A's records go back.
	if _, err := st.Revert(ctx, out[1].Event, "tester"); err != nil {
		t.Fatal(err)
	}
	if personOf(t, st, q.A) == one || personOf(t, st, p.B) != one {
		t.Error("revert of the second decision")
	}
	// The people were rebuilt.
	ps, err := st.People(ctx, store.PeopleFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ps {
		if x.ID == one && x.Records != 2 {
			t.Errorf("person %d has %d records, want 2", one, x.Records)
		}
	}
}

func TestPercent(t *testing.T) {
	for p, want := range map[float64]string{0.5: "50.0%", 0.9999953: "99.99953%", 0.999999999: "> 99.999999%", 0.0001: "0.01%", 0.999: "99.9%"} {
		if got := xlsxPercent(p); got != want {
			t.Errorf("percent(%v) = %q, want %q", p, got, want)
		}
	}
}
