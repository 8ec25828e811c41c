package mapping

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// EvalReport measures Infer against a folder of files whose right mapping is known.
type EvalReport struct {
	Files          int
	Columns        int
	Correct        int
	Accuracy       float64 // Correct / Columns
	Confident      int     // guesses at or above Confident
	WrongConfident int     // wrong guesses at or above Confident (a wrong field, or a column wrongly left unmapped): must stay 0
	Unmapped       int     // columns expected to stay unmapped
	Details        []EvalFile
}

// EvalFile is one file's result.
type EvalFile struct {
	File    string
	Columns []EvalColumn
}

// EvalColumn is one column's result.
type EvalColumn struct {
	Header     string
	Expected   string // "" = should stay unmapped
	Got        string
	Confidence float64
	Reason     string
	Correct    bool
}

// evalExpected is NAME.expected.yaml beside NAME.csv: the right field of every column
// in file order, as [header, field] pairs ("" for a column no field fits).
type evalExpected struct {
	Headerless bool       `yaml:"headerless"`
	Columns    [][]string `yaml:"columns"`
}

// Evaluate runs Infer on every *.csv in dir that has a NAME.expected.yaml and compares
// the guesses with the expected fields. Files are UTF-8; the delimiter (, ; or tab) is
// taken from the first line. A headerless file's columns are named column_1, column_2, ...
// as the importer names them.
func Evaluate(dir string) (EvalReport, error) {
	var r EvalReport
	names, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return r, err
	}
	sort.Strings(names)
	for _, name := range names {
		expPath := strings.TrimSuffix(name, ".csv") + ".expected.yaml"
		if _, err := os.Stat(expPath); err != nil {
			continue
		}
		exp, err := readExpected(expPath)
		if err != nil {
			return r, err
		}
		header, rows, err := readEvalCSV(name, exp.Headerless)
		if err != nil {
			return r, err
		}
		if len(exp.Columns) != len(header) {
			return r, fmt.Errorf("%s: %d expected columns for %d in the file", expPath, len(exp.Columns), len(header))
		}
		guesses := Infer(SampleColumns(header, rows))
		ef := EvalFile{File: filepath.Base(name)}
		for i, g := range guesses {
			want := exp.Columns[i]
			if want[0] != header[i] {
				return r, fmt.Errorf("%s: column %d is %q in the file but %q in the expectation", expPath, i+1, header[i], want[0])
			}
			c := EvalColumn{Header: header[i], Expected: want[1], Got: g.Field, Confidence: g.Confidence,
				Reason: g.Reason, Correct: g.Field == want[1]}
			r.Columns++
			if c.Correct {
				r.Correct++
			}
			if c.Expected == "" {
				r.Unmapped++
			}
			if g.Confidence >= Confident {
				r.Confident++
				if !c.Correct {
					r.WrongConfident++
				}
			}
			ef.Columns = append(ef.Columns, c)
		}
		r.Details = append(r.Details, ef)
		r.Files++
	}
	if r.Columns > 0 {
		r.Accuracy = float64(r.Correct) / float64(r.Columns)
	}
	return r, nil
}

func readExpected(path string) (evalExpected, error) {
	var e evalExpected
	data, err := os.ReadFile(path)
	if err != nil {
		return e, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&e); err != nil {
		return e, fmt.Errorf("%s: %w", path, err)
	}
	for i, c := range e.Columns {
		if len(c) != 2 {
			return e, fmt.Errorf("%s: column %d: want [header, field]", path, i+1)
		}
		if _, ok := FieldByName(c[1]); !ok && c[1] != "" {
			return e, fmt.Errorf("%s: column %d: unknown field %q", path, i+1, c[1])
		}
	}
	return e, nil
}

func readEvalCSV(path string, headerless bool) (header []string, rows [][]string, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	rd := csv.NewReader(bytes.NewReader(data))
	rd.Comma = ','
	for _, d := range []rune{';', '\t'} {
		if bytes.Count(first, []byte(string(d))) > bytes.Count(first, []byte(string(rd.Comma))) {
			rd.Comma = d
		}
	}
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("%s: empty", path)
	}
	if headerless {
		for i := range recs[0] {
			header = append(header, fmt.Sprintf("column_%d", i+1))
		}
		return header, recs, nil
	}
	return recs[0], recs[1:], nil
}

// String renders the report as a table, wrong guesses marked.
func (r EvalReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d files, %d columns (%d expected unmapped): %d correct, accuracy %.1f%%; %d guesses at or above %.2f, %d of them wrong\n",
		r.Files, r.Columns, r.Unmapped, r.Correct, 100*r.Accuracy, r.Confident, Confident, r.WrongConfident)
	for _, f := range r.Details {
		fmt.Fprintf(&b, "\n%s\n", f.File)
		for _, c := range f.Columns {
			mark := "  "
			if !c.Correct {
				mark = "✗ "
				if c.Confidence >= Confident {
					mark = "‼ "
				}
			}
			fmt.Fprintf(&b, "%s%-34q %-13s %-13s %.2f  %s\n", mark, c.Header, orDash(c.Expected), orDash(c.Got), c.Confidence, c.Reason)
		}
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
