package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// padronStore runs the padron binary as a child process on one store file.
type padronStore struct {
	bin, db string
}

// newStore points at a fresh store file in dir (an old one is removed).
func newStore(bin, dir, name string) *padronStore {
	db := filepath.Join(dir, name+".duckdb")
	os.Remove(db)
	os.Remove(db + ".wal")
	return &padronStore{bin: bin, db: db}
}

// child is one finished padron run.
type child struct {
	wall   time.Duration
	rss    int64 // peak resident set, bytes
	stdout []byte
	stderr []byte
	code   int
}

// run runs padron --db STORE -q ARGS...; exit codes in ok are not failures.
func (s *padronStore) run(args []string, ok ...int) (child, error) {
	full := append([]string{"--db", s.db, "-q"}, args...)
	cmd := exec.Command(s.bin, full...)
	cmd.Dir = filepath.Dir(s.db) // no padron.yaml of the caller's folder
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	c := child{wall: time.Since(start), stdout: out.Bytes(), stderr: errb.Bytes()}
	if cmd.ProcessState != nil {
		c.code = cmd.ProcessState.ExitCode()
		if ru, isRU := cmd.ProcessState.SysUsage().(*syscall.Rusage); isRU {
			c.rss = ru.Maxrss * 1024
		}
	}
	if err != nil {
		if _, exited := err.(*exec.ExitError); exited {
			for _, k := range ok {
				if c.code == k {
					return c, nil
				}
			}
		}
		return c, fmt.Errorf("padron %s: %v\n%s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return c, nil
}

// importFile imports one file (exit 3, rows with problems, is fine), with its mapping
// written next to it first.
func (s *padronStore) importFile(f importFile) (child, []string, error) {
	args := []string{"import", f.path}
	if f.country != "" {
		args = append(args, "--default-country", f.country)
	}
	if f.mapping != nil {
		path := strings.TrimSuffix(f.path, filepath.Ext(f.path)) + ".mapping.yaml"
		if err := os.WriteFile(path, []byte(f.mapping.yaml()), 0o644); err != nil {
			return child{}, nil, err
		}
		args = append(args, "--mapping", path)
	}
	c, err := s.run(args, 3)
	return c, nil, err
}

// dedupeRun is padron dedupe's outcome: wall time and peak RSS of the child process,
// and its --json summary.
type dedupeRun struct {
	child
	summary map[string]any
}

// num reads a number from the summary under the first of keys present.
func (d *dedupeRun) num(keys ...string) (float64, bool) {
	for _, k := range keys {
		if v, ok := d.summary[k].(float64); ok {
			return v, true
		}
	}
	return 0, false
}

// compared is the number of candidate pairs padron compared, -1 if it does not say.
func (d *dedupeRun) compared() int64 {
	if v, ok := d.num("pairs", "candidate_pairs", "candidates", "comparisons", "compared"); ok {
		return int64(v)
	}
	return -1
}

// dedupe runs padron --json dedupe [--auto P] [--review P].
func (s *padronStore) dedupe(auto, review string) (*dedupeRun, error) {
	args := []string{"--json", "dedupe"}
	if auto != "" {
		args = append(args, "--auto", auto)
	}
	if review != "" {
		args = append(args, "--review", review)
	}
	c, err := s.run(args)
	if err != nil {
		if strings.Contains(string(c.stderr), `unknown command "dedupe"`) {
			return nil, fmt.Errorf("this padron has no dedupe command yet (%s)", strings.TrimSpace(string(c.stderr)))
		}
		return nil, err
	}
	d := &dedupeRun{child: c}
	if err := json.Unmarshal(bytes.TrimSpace(c.stdout), &d.summary); err != nil {
		return nil, fmt.Errorf("padron --json dedupe: stdout is not one JSON object: %v\n%.500s", err, c.stdout)
	}
	return d, nil
}

// exportLinks writes padron's record → person links to a CSV file and reads them back
// as a prediction over truth's records.
func (s *padronStore) exportLinks(out string, truth *Truth) (*Prediction, error) {
	if _, err := s.run([]string{"export", "links", "--out", out}); err != nil {
		return nil, err
	}
	f, err := os.Open(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := readLinks(f, truth)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", out, err)
	}
	return p, nil
}

// LinksHeader is the header padron export links writes.
const LinksHeader = "source_file,record_no,person_id"

// readLinks reads source_file,record_no,person_id rows: one per record of truth, each
// naming a record of truth once.
func readLinks(in io.Reader, truth *Truth) (*Prediction, error) {
	r := csv.NewReader(bufio.NewReaderSize(in, 256<<10))
	r.FieldsPerRecord = 3
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("no header: %w", err)
	}
	if got := strings.Join(head, ","); got != LinksHeader {
		return nil, fmt.Errorf("header %q, expected %q", got, LinksHeader)
	}
	p := NewPrediction(truth)
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		no, err := strconv.Atoi(rec[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: record_no %q: %w", line, rec[1], err)
		}
		if rec[2] == "" {
			return nil, fmt.Errorf("line %d: %s record %d has no person_id", line, rec[0], no)
		}
		if err := p.Set(rec[0], no, rec[2]); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
	}
	return p, nil
}
