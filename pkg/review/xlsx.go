// Package review is the steward's side of the review queue. This file is the
// spreadsheet round trip: Export writes the queue as a workbook a steward works in
// Excel or LibreOffice, Import applies the decisions they wrote in it.
package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/padron-org/padron/pkg/dedupe"
	"github.com/padron-org/padron/pkg/match"
	"github.com/padron-org/padron/pkg/store"
)

// The workbook's sheets and columns.
const (
	ReviewSheet       = "Review"
	InstructionsSheet = "Instructions"
	keyPrefix         = "padron:v1"
)

// Columns of the review sheet, 1-based.
const (
	colPair = iota + 1
	colDecision
	colProbability
	colEvidence
	colSide
	colSource
	colPerson
	colName
	colEmails
	colPhones
	colStreet
	colPostcode
	colCity
	colBirth
	colNationalID
	colKey
	numCols = colKey
)

var xlsxHeaders = [numCols]string{"Pair", "Decision", "Probability", "Evidence (strongest first)", "", "Record (file:record)",
	"Person", "Name", "Emails", "Phones", "Street", "Postcode", "City", "Birth date", "National id", "Key (do not edit)"}

var xlsxWidths = [numCols]float64{6, 12, 11, 46, 3, 24, 9, 26, 30, 18, 26, 10, 16, 11, 14, 44}

// The compared field columns, with how to read their value from a record.
// The compared field columns: how to read their value from a record, and the field
// of Diff that says whether the two records agree on it.
var xlsxFields = []struct {
	col  int
	diff string
	get  func(*store.RecordView) []string
}{
	{colName, "name", func(r *store.RecordView) []string { return []string{xlsxName(r)} }},
	{colEmails, "emails", func(r *store.RecordView) []string { return r.Emails }},
	{colPhones, "phones", func(r *store.RecordView) []string { return r.Phones }},
	{colStreet, "street", func(r *store.RecordView) []string { return []string{r.Street} }},
	{colPostcode, "postcode", func(r *store.RecordView) []string { return []string{r.Postcode} }},
	{colCity, "city", func(r *store.RecordView) []string { return []string{r.City} }},
	{colBirth, "birth date", func(r *store.RecordView) []string { return []string{r.BirthDate} }},
	{colNationalID, "national id", func(r *store.RecordView) []string { return []string{r.NationalID} }},
}

// Decision words of the drop-down.
const (
	WordSame      = "same"
	WordDifferent = "different"
	WordSkip      = "skip"
)

// ExportOptions are what Export needs besides the store.
type ExportOptions struct {
	Limit     int      // at most this many pairs, the most valuable first (0: all)
	Nicknames []string // nickname files, as dedupe was given them (for the evidence)
	Now       time.Time
}

// ExportResult says what Export wrote.
type ExportResult struct {
	Pairs   int `json:"pairs"`
	Pending int `json:"pending"` // pairs in the queue in all
}

// xlsxPair is one pair as the workbook shows it.
type xlsxPair struct {
	item     store.ReviewItem
	a, b     *store.RecordView
	evidence string
	key      string
}

// Export writes the review queue, most valuable pairs first, as an xlsx workbook.
// It writes nothing and returns Pairs 0 when the queue is empty.
func Export(ctx context.Context, st *store.Store, w io.Writer, opt ExportOptions) (*ExportResult, error) {
	items, total, err := st.ReviewQueue(ctx, 0, opt.Limit)
	if err != nil {
		return nil, err
	}
	res := &ExportResult{Pairs: len(items), Pending: total}
	if len(items) == 0 {
		return res, nil
	}
	rows, err := loadXlsxPairs(ctx, st, items, opt.Nicknames)
	if err != nil {
		return nil, err
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	f, err := buildXlsx(rows, total, opt.Now)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.WriteTo(w); err != nil {
		return nil, err
	}
	return res, nil
}

// loadXlsxPairs reads both records of every pair and explains each pair's score.
func loadXlsxPairs(ctx context.Context, st *store.Store, items []store.ReviewItem, nicknames []string) ([]xlsxPair, error) {
	ids := make([]int64, 0, 2*len(items))
	for _, it := range items {
		ids = append(ids, it.A, it.B)
	}
	recs, err := xlsxRecords(ctx, st, ids)
	if err != nil {
		return nil, err
	}
	ex, mrecs, err := newXlsxExplainer(ctx, st, ids, nicknames)
	if err != nil {
		return nil, err
	}
	rows := make([]xlsxPair, len(items))
	for i, it := range items {
		a, b := recs[it.A], recs[it.B]
		if a == nil || b == nil {
			return nil, fmt.Errorf("pair #%d/#%d: record missing from the store", it.A, it.B)
		}
		rows[i] = xlsxPair{item: it, a: a, b: b, key: makeXlsxKey(it.A, it.B, it.PersonA, it.PersonB, xlsxFingerprint(a, b))}
		if ma, mb := mrecs[it.A], mrecs[it.B]; ma != nil && mb != nil {
			rows[i].evidence = xlsxEvidence(ex.Explain(ma, mb))
		}
	}
	return rows, nil
}

// xlsxRecords reads records in chunks.
func xlsxRecords(ctx context.Context, st *store.Store, ids []int64) (map[int64]*store.RecordView, error) {
	out := make(map[int64]*store.RecordView, len(ids))
	const chunk = 2000
	uniq := xlsxUniqueIDs(ids)
	for lo := 0; lo < len(uniq); lo += chunk {
		rs, err := st.Records(ctx, store.RecordFilter{IDs: uniq[lo:min(lo+chunk, len(uniq))]})
		if err != nil {
			return nil, err
		}
		for i := range rs {
			out[rs[i].ID] = &rs[i]
		}
	}
	return out, nil
}

func xlsxUniqueIDs(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// newXlsxExplainer builds, once, what dedupe.Explain builds for every pair: the stored
// model, term frequencies and shared values; and reads the records as dedupe does.
func newXlsxExplainer(ctx context.Context, st *store.Store, ids []int64, nicknames []string) (*match.Explainer, map[int64]*match.Record, error) {
	ex, err := dedupe.NewExplainer(ctx, st, nicknames)
	if err != nil {
		return nil, nil, err
	}
	recs := map[int64]*match.Record{}
	uniq := xlsxUniqueIDs(ids)
	const chunk = 2000
	for lo := 0; lo < len(uniq); lo += chunk {
		err := st.MatchRecordsByID(ctx, uniq[lo:min(lo+chunk, len(uniq))], func(m store.MatchRecord) error {
			r := dedupe.ToMatch(m)
			recs[m.ID] = &r
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return ex, recs, nil
}

// xlsxEvidence is the explanation in one line: the four fields that weighed most, either
// way, and why the pair is never linked automatically, if it is not.
func xlsxEvidence(ex match.Explanation) string {
	var fs []match.Evidence
	for _, f := range ex.Fields {
		if f.Level != 0 && math.Abs(f.Total) >= 0.05 {
			fs = append(fs, f)
		}
	}
	sort.SliceStable(fs, func(i, j int) bool { return math.Abs(fs[i].Total) > math.Abs(fs[j].Total) })
	if len(fs) > 4 {
		fs = fs[:4]
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = fmt.Sprintf("%s %s %+.1f", f.Comparison, f.LevelName, f.Total)
	}
	s := strings.Join(parts, "; ")
	if ex.Swapped {
		s += "; given and family name swapped"
	}
	if ex.Conflict != "" {
		s += "; never linked automatically: " + ex.Conflict
	}
	return s
}

func xlsxName(r *store.RecordView) string {
	n := strings.TrimSpace(strings.Join(strings.Fields(r.GivenName+" "+r.FamilyName), " "))
	if n == "" {
		n = r.FullName
	}
	return n
}

// xlsxFingerprint identifies the content of two records: any change to what a steward
// was shown (or to the row imported) changes it.
func xlsxFingerprint(a, b *store.RecordView) string {
	h := sha256.New()
	for _, r := range []*store.RecordView{a, b} {
		fields := []string{strconv.FormatInt(r.ID, 10), r.File, strconv.Itoa(r.RecordNo), r.GivenName, r.FamilyName,
			r.FullName, strings.Join(r.Emails, "\x1e"), strings.Join(r.Phones, "\x1e"), r.Street, r.Postcode, r.City,
			r.Region, r.Country, r.BirthDate, r.NationalID, strings.Join(r.Raw, "\x1e")}
		for _, f := range fields {
			io.WriteString(h, f)
			h.Write([]byte{0x1f})
		}
		h.Write([]byte{0x1d})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// xlsxKey is what identifies a pair in the workbook: both records, the people they were
// in when exported, and the fingerprint of their content.
type xlsxKey struct {
	A, B, PersonA, PersonB int64
	Hash                   string
}

func makeXlsxKey(a, b, pa, pb int64, hash string) string {
	return fmt.Sprintf("%s:%d:%d:%d:%d:%s", keyPrefix, a, b, pa, pb, hash)
}

func parseXlsxKey(s string) (xlsxKey, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), keyPrefix+":")
	parts := strings.Split(rest, ":")
	if !ok || len(parts) != 5 {
		return xlsxKey{}, errors.New("the key cell is not one padron wrote")
	}
	var k xlsxKey
	for i, p := range []*int64{&k.A, &k.B, &k.PersonA, &k.PersonB} {
		v, err := strconv.ParseInt(parts[i], 10, 64)
		if err != nil || v <= 0 {
			return xlsxKey{}, errors.New("the key cell is not one padron wrote")
		}
		*p = v
	}
	k.Hash = parts[4]
	if len(k.Hash) != 16 {
		return xlsxKey{}, errors.New("the key cell is not one padron wrote")
	}
	return k, nil
}

// xlsxSafe keeps a spreadsheet from reading a value as a formula when the cell is edited
// or the sheet saved as CSV: text starting with = + - @ or a tab or carriage return gets
// a leading apostrophe. Phone numbers padron normalised (+48 600…) are exempt.
func xlsxSafe(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if s[0] == '+' && len(s) > 1 && strings.Trim(s[1:], "0123456789 ") == "" {
		return s
	}
	return "'" + s
}

// xlsxStyles: the styles of the review sheet; [0] is the first row of a block, [1] the second.
type xlsxStyles struct {
	header, decision, prob, evidence, pair, side, plain, key [2]int
	differ, match                                            [2]int
}

const (
	fillDiffer   = "F8CBAD" // orange: the records disagree
	fillMatch    = "E2EFDA" // green: the records agree
	fillDecision = "FFF2CC" // yellow: the steward's column
	fillHeader   = "D9D9D9"
)

func newXlsxStyles(f *excelize.File) (*xlsxStyles, error) {
	var s xlsxStyles
	var err error
	mk := func(st excelize.Style) [2]int {
		var out [2]int
		for i := 0; i < 2 && err == nil; i++ {
			x := st
			if i == 1 {
				x.Border = append(x.Border, excelize.Border{Type: "bottom", Color: "808080", Style: 1})
			}
			if x.Alignment == nil {
				x.Alignment = &excelize.Alignment{Vertical: "top"}
			}
			out[i], err = f.NewStyle(&x)
		}
		return out
	}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	top := func(wrap bool) *excelize.Alignment { return &excelize.Alignment{Vertical: "top", WrapText: wrap} }
	s.header = mk(excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill(fillHeader), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	s.decision = mk(excelize.Style{Font: &excelize.Font{Bold: true}, Fill: fill(fillDecision),
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}, Protection: &excelize.Protection{Locked: false},
		Border: []excelize.Border{{Type: "left", Color: "808080", Style: 1}, {Type: "right", Color: "808080", Style: 1},
			{Type: "top", Color: "808080", Style: 1}}})
	s.prob = mk(excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	s.evidence = mk(excelize.Style{Font: &excelize.Font{Size: 9}, Alignment: top(true)})
	s.pair = mk(excelize.Style{Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	s.side = mk(excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top"}})
	s.plain = mk(excelize.Style{})
	s.key = mk(excelize.Style{Font: &excelize.Font{Color: "808080", Size: 8}})
	s.differ = mk(excelize.Style{Fill: fill(fillDiffer)})
	s.match = mk(excelize.Style{Fill: fill(fillMatch)})
	return &s, err
}

func buildXlsx(rows []xlsxPair, pending int, now time.Time) (*excelize.File, error) {
	f := excelize.NewFile()
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	if err := f.SetSheetName("Sheet1", ReviewSheet); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet(InstructionsSheet); err != nil {
		return nil, err
	}
	if err := writeXlsxInstructions(f, len(rows), pending, now); err != nil {
		return nil, err
	}
	st, err := newXlsxStyles(f)
	if err != nil {
		return nil, err
	}
	last := 1 + 2*len(rows)
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("B2:B%d", last)
	if err := dv.SetDropList([]string{WordSame, WordDifferent, WordSkip}); err != nil {
		return nil, err
	}
	dv.SetInput("Same person?", "same: one person. different: two people. skip or blank: decide later.")
	dv.SetError(excelize.DataValidationErrorStyleWarning, "Same person?",
		"Choose same, different or skip. (yes/no, sí/no, tak/nie are read too.)")
	if err := f.AddDataValidation(ReviewSheet, dv); err != nil {
		return nil, err
	}
	// Only the decisions can be edited: the key and the evidence stay as exported.
	// No password: Review > Unprotect sheet lifts it.
	if err := f.ProtectSheet(ReviewSheet, &excelize.SheetProtectionOptions{SelectLockedCells: true,
		SelectUnlockedCells: true, FormatColumns: true, FormatRows: true, AutoFilter: true}); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(ReviewSheet)
	if err != nil {
		return nil, err
	}
	for c := 1; c <= numCols; c++ {
		if err := sw.SetColWidth(c, c, xlsxWidths[c-1]); err != nil {
			return nil, err
		}
	}
	if err := sw.SetColVisible(colKey, colKey, false); err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: colProbability, YSplit: 1, TopLeftCell: "D2",
		ActivePane: "bottomRight"}); err != nil {
		return nil, err
	}
	head := make([]any, numCols)
	for i, h := range xlsxHeaders {
		head[i] = excelize.Cell{StyleID: st.header[0], Value: h}
	}
	head[colDecision-1] = excelize.Cell{StyleID: st.header[0], Value: "Decision"}
	if err := sw.SetRow("A1", head, excelize.RowOpts{Height: 30}); err != nil {
		return nil, err
	}
	for i, p := range rows {
		r := 2 + 2*i
		agreement := map[string]Agreement{}
		for _, d := range Diff(*p.a, *p.b) {
			agreement[d.Name] = d.Diff
		}
		for side, rec := range []*store.RecordView{p.a, p.b} {
			cells := make([]any, numCols)
			person := p.item.PersonA
			if side == 1 {
				person = p.item.PersonB
			}
			cells[colPair-1] = excelize.Cell{StyleID: st.pair[side]}
			cells[colDecision-1] = excelize.Cell{StyleID: st.decision[side]}
			cells[colProbability-1] = excelize.Cell{StyleID: st.prob[side]}
			cells[colEvidence-1] = excelize.Cell{StyleID: st.evidence[side]}
			cells[colKey-1] = excelize.Cell{StyleID: st.key[side]}
			if side == 0 {
				cells[colPair-1] = excelize.Cell{StyleID: st.pair[side], Value: i + 1}
				cells[colProbability-1] = excelize.Cell{StyleID: st.prob[side], Value: xlsxPercent(p.item.Probability)}
				cells[colEvidence-1] = excelize.Cell{StyleID: st.evidence[side], Value: p.evidence}
				cells[colKey-1] = excelize.Cell{StyleID: st.key[side], Value: p.key}
			}
			cells[colSide-1] = excelize.Cell{StyleID: st.side[side], Value: string(rune('A' + side))}
			cells[colSource-1] = excelize.Cell{StyleID: st.plain[side], Value: xlsxSafe(rec.Ref)}
			cells[colPerson-1] = excelize.Cell{StyleID: st.plain[side], Value: person}
			for _, fc := range xlsxFields {
				style := st.plain[side]
				switch ag, given := agreement[fc.diff]; {
				case given && ag == Agree:
					style = st.match[side]
				case given && ag == Differ:
					style = st.differ[side]
				}
				v := fc.get(rec)
				cells[fc.col-1] = excelize.Cell{StyleID: style, Value: xlsxSafe(strings.Join(v, "; "))}
			}
			if err := sw.SetRow(xlsxCell(1, r+side), cells); err != nil {
				return nil, err
			}
		}
		for _, c := range []int{colPair, colDecision, colProbability, colEvidence, colKey} {
			if err := sw.MergeCell(xlsxCell(c, r), xlsxCell(c, r+1)); err != nil {
				return nil, err
			}
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	f.SetActiveSheet(0)
	ok = true
	return f, nil
}

// xlsxPercent writes a probability as a steward reads it, without rounding a doubtful
// pair up to a certainty: 99.9995%, not 100.0%.
func xlsxPercent(p float64) string {
	switch {
	case p > 0.99999999:
		return "> 99.999999%"
	case p >= 0.999:
		return strconv.FormatFloat(math.Floor(p*1e8)/1e6, 'f', -1, 64) + "%"
	case p < 0.001:
		return fmt.Sprintf("%.2g%%", 100*p)
	}
	return fmt.Sprintf("%.1f%%", 100*p)
}

func xlsxCell(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func writeXlsxInstructions(f *excelize.File, pairs, pending int, now time.Time) error {
	lines := []string{
		"padron review: decide the doubtful pairs",
		"",
		fmt.Sprintf("Exported %s: %d pairs of the %d waiting for review, the most valuable first (people with donations, bigger people, likelier pairs).",
			now.Format("2006-01-02 15:04"), pairs, pending),
		"",
		"On the Review sheet each pair is a block of two rows: record A and record B side by side, the match probability",
		"and the evidence (the fields that weighed most, in bits: + for the same person, - against).",
		"Fields coloured green agree, orange disagree; uncoloured ones are missing on one side.",
		"",
		"In the yellow Decision column choose, for each pair:",
		"  same       the two records are one person (their people are merged)",
		"  different  they are two people (no later dedupe joins them)",
		"  skip       or leave it blank: decide later (the pair stays in the queue)",
		"yes/no, sí/no, tak/nie are read too.",
		"",
		"Then: padron review import FILE.xlsx",
		"",
		"Each decision is a fact every later dedupe keeps, logged ('padron log') and revertible ('padron log revert ENTRY').",
		"Importing the file again applies nothing twice. A pair whose records changed since this export (edited, moved",
		"to another person, removed) is refused and reported: export again to see it as it is now.",
		"Only the Decision column can be edited (the sheet is protected without a password); the hidden Key column",
		"identifies each pair: do not edit it.",
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	for i, l := range lines {
		if l == "" {
			continue
		}
		if err := f.SetCellStr(InstructionsSheet, xlsxCell(1, i+1), l); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(InstructionsSheet, "A1", "A1", bold); err != nil {
		return err
	}
	return f.SetColWidth(InstructionsSheet, "A", "A", 120)
}

// ImportOptions are what Import needs besides the store and the file.
type ImportOptions struct {
	Actor  string
	File   string // the workbook's name, for the log
	DryRun bool   // check and report, change nothing
}

// Row statuses.
const (
	Applied = "applied"
	Skipped = "skipped"
	Already = "already decided"
	Refused = "refused"
)

// RowResult is what became of one pair of the workbook.
type RowResult struct {
	Row      int    `json:"row"`  // the sheet row of the pair's first record
	Pair     int    `json:"pair"` // its number in the Pair column
	A        string `json:"record_a,omitempty"`
	B        string `json:"record_b,omitempty"`
	Value    string `json:"value"`              // as written in the Decision cell
	Decision string `json:"decision,omitempty"` // same or different
	Status   string `json:"status"`
	Reason   string `json:"reason,omitempty"`
	Event    int64  `json:"log_entry,omitempty"`

	key    xlsxKey
	rawKey string
}

// ImportResult sums up an import.
type ImportResult struct {
	Same      int         `json:"same"`
	Different int         `json:"different"`
	Skipped   int         `json:"skipped"`
	Already   int         `json:"already_decided"`
	Refused   int         `json:"refused"`
	DryRun    bool        `json:"dry_run,omitempty"`
	Rows      []RowResult `json:"rows"` // every pair with a key or a decision
}

// ParseDecision reads a Decision cell: same or different, "" for skip (or blank), and
// false for a value it does not know.
func ParseDecision(v string) (string, bool) {
	s := strings.ToLower(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(v), ".!")))
	switch s {
	case "", WordSkip, "?", "-", "later", "pominąć", "pomiń", "saltar", "omitir":
		return "", true
	case WordSame, "s", "yes", "y", "true", "sí", "si", "tak", "misma", "mismo", "ta sama", "ten sam", "same person":
		return store.Same, true
	case WordDifferent, "d", "no", "false", "nie", "distinta", "distinto", "diferente", "inna", "inny", "different people":
		return store.Different, true
	}
	return "", false
}

// Import reads a workbook Export wrote, with the steward's decisions, and applies
// them in one transaction, each its own log entry. A pair is refused, with the reason,
// when its Decision value is unknown, its key unreadable, one of its records gone or
// changed since the export (content, or the person it is in), when it was already
// decided otherwise, or when its decision contradicts an earlier one (of the file, or
// a different decision in force). A pair already decided the same way is reported, not
// applied again. Everything is checked against the store as it was before the import,
// so decisions of one file do not refuse each other.
func Import(ctx context.Context, st *store.Store, r io.Reader, opt ImportOptions) (*ImportResult, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, fmt.Errorf("not a workbook padron can read: %w", err)
	}
	defer f.Close()
	res := &ImportResult{DryRun: opt.DryRun}
	rows, err := readXlsxRows(f)
	if err != nil {
		return nil, err
	}
	res.Rows = rows
	// Values and keys first.
	seen := map[[2]int64]int{} // pair → index in rows
	var todo []int
	for i := range rows {
		rr := &rows[i]
		d, known := ParseDecision(rr.Value)
		switch {
		case !known:
			rr.refuse(fmt.Sprintf("unknown decision %q: want same, different or skip", rr.Value))
			continue
		case d == "":
			rr.Status = Skipped
			continue
		}
		rr.Decision = d
		k, err := parseXlsxKey(rr.keyText())
		if err != nil {
			rr.refuse(err.Error())
			continue
		}
		rr.key = k
		p := xlsxPairOf(k.A, k.B)
		if j, dup := seen[p]; dup {
			if rows[j].Decision == d {
				rr.Status, rr.Reason = Skipped, fmt.Sprintf("the same pair as row %d", rows[j].Row)
			} else {
				rr.refuse(fmt.Sprintf("the same pair as row %d, decided otherwise there", rows[j].Row))
			}
			continue
		}
		seen[p] = i
		todo = append(todo, i)
	}
	// Then the store as it is now.
	var ids []int64
	for _, i := range todo {
		ids = append(ids, rows[i].key.A, rows[i].key.B)
	}
	recs, err := xlsxRecords(ctx, st, ids)
	if err != nil {
		return nil, err
	}
	decided, err := st.DecisionsInForce(ctx)
	if err != nil {
		return nil, err
	}
	var decidedIDs []int64
	for p, d := range decided {
		if d.Decision.Decision == store.Different {
			decidedIDs = append(decidedIDs, p[0], p[1])
		}
	}
	people, err := st.PeopleOf(ctx, append(ids, decidedIDs...))
	if err != nil {
		return nil, err
	}
	uf := newXlsxUnion()
	for p, d := range decided {
		if d.Decision.Decision != store.Different {
			continue
		}
		pa, pb := people[p[0]], people[p[1]]
		if pa != 0 && pb != 0 && pa != pb {
			uf.cannot(pa, pb, fmt.Sprintf("records #%d and #%d, decided different in log entry %d", p[0], p[1], d.Event))
		}
	}
	var apply []store.Decision
	var details []map[string]any
	var applied []int
	for _, i := range todo {
		rr := &rows[i]
		k := rr.key
		a, b := recs[k.A], recs[k.B]
		if a != nil {
			rr.A = a.Ref
		}
		if b != nil {
			rr.B = b.Ref
		}
		if d, ok := decided[xlsxPairOf(k.A, k.B)]; ok {
			when := d.At.Format("2006-01-02")
			if d.Decision.Decision == rr.Decision {
				rr.Status, rr.Reason, rr.Event = Already, fmt.Sprintf("%s on %s (log entry %d)", d.Decision.Decision, when, d.Event), d.Event
			} else {
				rr.refuse(fmt.Sprintf("already decided %s on %s (log entry %d): revert that entry first to change it",
					d.Decision.Decision, when, d.Event))
			}
			continue
		}
		if a == nil || b == nil {
			missing := k.A
			if a != nil {
				missing = k.B
			}
			rr.refuse(fmt.Sprintf("record #%d is no longer in the store", missing))
			continue
		}
		if xlsxFingerprint(a, b) != k.Hash {
			rr.refuse("the records changed since the export")
			continue
		}
		pa, pb := people[k.A], people[k.B]
		if pa != k.PersonA || pb != k.PersonB {
			moved, from, to := a.Ref, k.PersonA, pa
			if pa == k.PersonA {
				moved, from, to = b.Ref, k.PersonB, pb
			}
			rr.refuse(fmt.Sprintf("changed since the export: %s was in person %d, now in %s", moved, from, xlsxPersonName(to)))
			continue
		}
		if why := uf.check(pa, pb, rr.Decision, rr.Row); why != "" {
			rr.refuse("contradicts " + why)
			continue
		}
		apply = append(apply, store.Decision{A: k.A, B: k.B, Decision: rr.Decision})
		details = append(details, map[string]any{"via": "spreadsheet", "file": opt.File, "row": rr.Row})
		applied = append(applied, i)
	}
	if !opt.DryRun && len(apply) > 0 {
		out, err := st.DecideMany(ctx, apply, opt.Actor, "review", details)
		if err != nil {
			return nil, err
		}
		for j, i := range applied {
			rows[i].Event = out[j].Event
		}
	}
	for _, i := range applied {
		rows[i].Status = Applied
	}
	for _, rr := range rows {
		switch rr.Status {
		case Applied:
			if rr.Decision == store.Same {
				res.Same++
			} else {
				res.Different++
			}
		case Skipped:
			res.Skipped++
		case Already:
			res.Already++
		case Refused:
			res.Refused++
		}
	}
	return res, nil
}

func xlsxPersonName(p int64) string {
	if p == 0 {
		return "no person"
	}
	return "person " + strconv.FormatInt(p, 10)
}

func xlsxPairOf(a, b int64) [2]int64 {
	if a > b {
		a, b = b, a
	}
	return [2]int64{a, b}
}

func (r *RowResult) refuse(why string) { r.Status, r.Reason = Refused, why }

// keyText is the Key cell as read.
func (r *RowResult) keyText() string { return r.rawKey }

// readXlsxRows reads the pairs of the review sheet: every row with a key or a decision.
func readXlsxRows(f *excelize.File) ([]RowResult, error) {
	if idx, _ := f.GetSheetIndex(ReviewSheet); idx < 0 {
		return nil, fmt.Errorf("no %q sheet: not a workbook 'padron review export' wrote", ReviewSheet)
	}
	it, err := f.Rows(ReviewSheet)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []RowResult
	cols := map[string]int{}
	n := 0
	var prev *RowResult
	for it.Next() {
		n++
		row, err := it.Columns()
		if err != nil {
			return nil, err
		}
		get := func(name string) string {
			c, ok := cols[name]
			if !ok || c >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[c])
		}
		if n == 1 {
			for i, h := range row {
				cols[strings.TrimSpace(h)] = i
			}
			for _, h := range []string{xlsxHeaders[colDecision-1], xlsxHeaders[colKey-1]} {
				if _, ok := cols[h]; !ok {
					return nil, fmt.Errorf("sheet %q has no %q column: not a workbook 'padron review export' wrote", ReviewSheet, h)
				}
			}
			continue
		}
		k, v := get(xlsxHeaders[colKey-1]), get(xlsxHeaders[colDecision-1])
		if k == "" && v == "" {
			if prev != nil && prev.B == "" {
				prev.B = strings.TrimPrefix(get(xlsxHeaders[colSource-1]), "'")
			}
			prev = nil
			continue
		}
		pair, _ := strconv.Atoi(get(xlsxHeaders[colPair-1]))
		out = append(out, RowResult{Row: n, Pair: pair, Value: v, rawKey: k, A: strings.TrimPrefix(get(xlsxHeaders[colSource-1]), "'")})
		prev = &out[len(out)-1]
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, fmt.Errorf("sheet %q is empty", ReviewSheet)
	}
	return out, nil
}

// xlsxUnion joins people by the same decisions of a file, and remembers which must stay
// apart (different decisions of the file, and those in force).
type xlsxUnion struct {
	parent map[int64]int64
	apart  map[int64][]xlsxApart // root → the people it must stay apart from
	rows   map[int64][]int       // root → rows of same decisions that built it
}

type xlsxApart struct {
	other int64
	why   string
}

func newXlsxUnion() *xlsxUnion {
	return &xlsxUnion{parent: map[int64]int64{}, apart: map[int64][]xlsxApart{}, rows: map[int64][]int{}}
}

func (u *xlsxUnion) find(x int64) int64 {
	for {
		p, ok := u.parent[x]
		if !ok || p == x {
			return x
		}
		g, ok := u.parent[p]
		if ok {
			u.parent[x] = g
		}
		x = p
	}
}

func (u *xlsxUnion) cannot(a, b int64, why string) {
	ra, rb := u.find(a), u.find(b)
	u.apart[ra] = append(u.apart[ra], xlsxApart{rb, why})
	u.apart[rb] = append(u.apart[rb], xlsxApart{ra, why})
}

// check applies one decision about the people pa and pb if it fits the ones before,
// and otherwise says what it contradicts.
func (u *xlsxUnion) check(pa, pb int64, decision string, row int) string {
	ra, rb := u.find(pa), u.find(pb)
	if decision == store.Different {
		if ra == rb {
			if pa == pb {
				return "itself: the records are in one person"
			}
			rows := u.rows[ra]
			list := make([]string, 0, 3)
			for _, r := range rows[:min(3, len(rows))] {
				list = append(list, strconv.Itoa(r))
			}
			more := ""
			if len(rows) > 3 {
				more = ", …"
			}
			return fmt.Sprintf("the same decisions of rows %s%s, which make these records one person", strings.Join(list, ", "), more)
		}
		u.cannot(ra, rb, fmt.Sprintf("the different decision of row %d", row))
		return ""
	}
	if ra == rb {
		return ""
	}
	small, big := ra, rb
	if len(u.apart[small]) > len(u.apart[big]) {
		small, big = big, small
	}
	for _, x := range u.apart[small] {
		if u.find(x.other) == big {
			return x.why
		}
	}
	u.parent[small] = big
	u.apart[big] = append(u.apart[big], u.apart[small]...)
	delete(u.apart, small)
	u.rows[big] = append(append(u.rows[big], u.rows[small]...), row)
	delete(u.rows, small)
	return ""
}
