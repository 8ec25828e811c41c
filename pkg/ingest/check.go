package ingest

import (
	"fmt"
	"github.com/padron-org/padron/pkg/mapping"
	"io"
	"path/filepath"
	"strings"

	"github.com/padron-org/padron/pkg/source"
	"github.com/padron-org/padron/pkg/store"
)

// ColumnReport says what a column becomes in a dry run.
type ColumnReport struct {
	Column   string   `json:"column"`
	Field    string   `json:"field"`
	How      string   `json:"how"`
	Samples  []string `json:"samples"`
	Problems int      `json:"problems"`
	// Inferred columns: how sure inference is and why.
	Confidence float64 `json:"confidence,omitempty"`
	Reason     string  `json:"reason,omitempty"`
}

// TableReport is the dry run of one table.
type TableReport struct {
	Sheet     string `json:"sheet,omitempty"`
	HeaderRow int    `json:"header_row"`
	Mapping   string `json:"mapping"`
	How       string `json:"how"`
	Records   int    `json:"records"`
	// ProblemCount counts every problem; Problems holds the first few.
	ProblemCount int             `json:"problem_count"`
	Columns      []ColumnReport  `json:"columns"`
	Missing      []string        `json:"missing,omitempty"`
	Problems     []store.Problem `json:"problems"`
	// For suggestions: the inference behind an inferred table, and the sampled rows.
	Guesses    []mapping.Guess `json:"-"`
	SampleRows [][]string      `json:"-"`
}

// CheckReport is what an import of a file would do, without writing anything.
type CheckReport struct {
	File     string        `json:"file"`
	Format   string        `json:"format"`
	Encoding string        `json:"encoding,omitempty"`
	Tables   []TableReport `json:"tables"`
}

// Check reads and converts a whole file as an import would, keeping at most
// maxProblems problem details per table.
func Check(path string, opts Options, maxProblems int) (*CheckReport, error) {
	src, err := source.Open(path, opts.Source)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	info := src.Info()
	rep := &CheckReport{File: filepath.Base(path), Format: info.Format, Encoding: info.Encoding}
	fi := &fileImport{opts: opts}
	base := filepath.Base(path)
	recordNo := 0
	for _, sheet := range src.Tables() {
		if opts.Sheet != "" && sheet != opts.Sheet {
			continue
		}
		tbl, err := src.Open(sheet)
		if err != nil {
			return nil, err
		}
		header, headerPos, data, err := readHeader(tbl, fi.known)
		if err != nil || header == nil {
			tbl.Close()
			if err != nil {
				return nil, err
			}
			continue
		}
		data, err = readSample(tbl, data)
		if err != nil {
			tbl.Close()
			return nil, err
		}
		plan := opts.Library.PlanWith(header, opts.Mapping, "given", sampleValues(data))
		conv := newConverter(base, sheet, plan, info.Format == "csv", opts.DefaultCountry, strings.TrimSuffix(base, filepath.Ext(base)))
		tr := TableReport{Sheet: sheet, HeaderRow: headerPos, Mapping: plan.Name, How: plan.How, Missing: plan.Missing,
			Problems: []store.Problem{}, Guesses: plan.Guesses(), SampleRows: sampleValues(data)}
		byHeader := map[string]int{}
		for i, c := range plan.Columns {
			tr.Columns = append(tr.Columns, ColumnReport{Column: c.Header, Field: c.Field, How: c.How, Samples: []string{},
				Confidence: c.Confidence, Reason: c.Reason})
			byHeader[c.Header] = i
		}
		visit := func(r source.Row) {
			if source.IsBlank(r) {
				return
			}
			recordNo++
			tr.Records++
			var it item
			conv.convert(r, recordNo, &it)
			for i, v := range r.Values {
				if i < len(tr.Columns) && len(tr.Columns[i].Samples) < 3 && strings.TrimSpace(v) != "" {
					tr.Columns[i].Samples = append(tr.Columns[i].Samples, v)
				}
			}
			for _, p := range it.probs {
				p.File = base
				tr.ProblemCount++
				if i, ok := byHeader[p.Column]; ok && p.Column != "" {
					tr.Columns[i].Problems++
				}
				if len(tr.Problems) < maxProblems {
					tr.Problems = append(tr.Problems, p)
				}
			}
		}
		for _, r := range data {
			visit(r)
		}
		for {
			r, err := tbl.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				tbl.Close()
				return nil, fmt.Errorf("row after %d: %w", recordNo, err)
			}
			visit(r)
		}
		tbl.Close()
		rep.Tables = append(rep.Tables, tr)
	}
	return rep, nil
}
