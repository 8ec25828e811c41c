package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/padron-org/padron/pkg/synth"
)

// A dataset is a labelled set of files ready for padron import, with the true entity of
// every record.
type dataset struct {
	name   string
	files  []importFile
	truth  *Truth
	target target
	notes  []string // how the data was converted, and what padron refused of it
}

// importFile is one file to import and how.
type importFile struct {
	path    string
	mapping *mappingSpec // nil: padron chooses (remembered, library or inferred)
	country string       // --default-country, "" for none
}

// target is what the figures should reach; met says whether they do.
type target struct {
	text string
	met  func(m Metrics) bool
}

func f1Target(min float64) target {
	return target{fmt.Sprintf("F1 >= %.2f", min), func(m Metrics) bool { return m.F1 >= min }}
}

// mappingSpec is a padron mapping YAML (docs/mappings.md) written next to a converted file.
type mappingSpec struct {
	name, description string
	columns           []mapColumn
}

type mapColumn struct {
	column, field, format string
	minYear               int // earliest year of a date column (0: padron's default)
}

// yaml renders the mapping. Column names and values here are plain words: no quoting.
func (m *mappingSpec) yaml() string {
	var b strings.Builder
	fmt.Fprintf(&b, "name: %s\ndescription: %s\nsource: %s\ncolumns:\n", m.name, m.description, m.name)
	for _, c := range m.columns {
		switch {
		case c.minYear != 0:
			fmt.Fprintf(&b, "  %s: {field: %s, format: %s, min_year: %d}\n", c.column, c.field, c.format, c.minYear)
		case c.format != "":
			fmt.Fprintf(&b, "  %s: {field: %s, format: %s}\n", c.column, c.field, c.format)
		default:
			fmt.Fprintf(&b, "  %s: %s\n", c.column, c.field)
		}
	}
	return b.String()
}

// The labelled data sets of dedupe-accuracy, in the order they are reported. file is
// relative to -shared; empty for padron's own generated set.
var accuracySets = []struct {
	name    string
	file    string
	convert func(src, dir string) (*dataset, error)
}{
	{"febrl3", "datasets/febrl/dataset3.csv", convertFEBRL},
	{"fake_1000", "datasets/splink/fake_1000.csv", convertFake1000},
	{"historical_50k", "datasets/splink/historical_figures_with_errors_50k.parquet", convertHistorical},
	{"generated_20k", "", func(_, dir string) (*dataset, error) {
		ds, err := generateSet(synth.Config{People: 20000, Seed: 42, Problems: 0.01}, dir)
		if err != nil {
			return nil, err
		}
		ds.name = "generated_20k"
		ds.target = generatedTarget
		return ds, nil
	}},
}

// generatedTarget is the generated set's: precision of the automatic links and recall.
var generatedTarget = target{"P >= 0.99, R >= 0.95", func(m Metrics) bool { return m.P >= 0.99 && m.R >= 0.95 }}

// csvOut writes a converted data set as a plain UTF-8 CSV file. Rows whose every value
// is empty are left out: padron skips blank rows (they are no record), so writing them
// would shift every later record_no against the truth.
type csvOut struct {
	f     *os.File
	b     *bufio.Writer
	w     *csv.Writer
	n     int // data rows written
	blank int // rows left out
}

func createCSV(path string, header ...string) (*csvOut, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	b := bufio.NewWriterSize(f, 256<<10)
	o := &csvOut{f: f, b: b, w: csv.NewWriter(b)}
	if err := o.w.Write(header); err != nil {
		f.Close()
		return nil, err
	}
	return o, nil
}

// row writes one data row; false when it was blank and left out.
func (o *csvOut) row(values ...string) (bool, error) {
	if len(nonEmpty(values...)) == 0 {
		o.blank++
		return false, nil
	}
	o.n++
	return true, o.w.Write(values)
}

// blankNote says how many blank rows a conversion left out, if any.
func (o *csvOut) blankNote(name string) []string {
	if o.blank == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%s: %d rows with every used column empty left out (padron skips blank rows)", name, o.blank)}
}

func (o *csvOut) close() error {
	o.w.Flush()
	err := errors.Join(o.w.Error(), o.b.Flush())
	return errors.Join(err, o.f.Close())
}

// febrlEntity reads the entity of a FEBRL rec_id: rec-<entity>-org or rec-<entity>-dup-<k>.
func febrlEntity(id string) (string, error) {
	parts := strings.Split(id, "-")
	ok := len(parts) >= 3 && parts[0] == "rec" && parts[1] != "" &&
		(len(parts) == 3 && parts[2] == "org" || len(parts) == 4 && parts[2] == "dup" && parts[3] != "")
	if !ok {
		return "", fmt.Errorf("rec_id %q is neither rec-N-org nor rec-N-dup-K", id)
	}
	if _, err := strconv.Atoi(parts[1]); err != nil {
		return "", fmt.Errorf("rec_id %q: entity %q is not a number", id, parts[1])
	}
	return parts[1], nil
}

// convertFEBRL turns FEBRL's dataset3 (", "-separated) into a clean CSV: the street
// number and the two address lines joined into one street, dates as yyyymmdd, the
// social security number as national_id, the rec_id as external_id.
func convertFEBRL(src, dir string) (*dataset, error) {
	return convertFile(src, dir, "febrl3", f1Target(0.97), febrlToCSV)
}

var febrlHeader = []string{"rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state", "date_of_birth", "soc_sec_id"}

func febrlToCSV(in io.Reader, out string) (*dataset, error) {
	r := csv.NewReader(in)
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = len(febrlHeader)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	for i, h := range febrlHeader {
		if strings.TrimSpace(head[i]) != h {
			return nil, fmt.Errorf("column %d is %q, expected %q (header %s)", i+1, head[i], h, strings.Join(febrlHeader, ", "))
		}
	}
	o, err := createCSV(out, "rec_id", "given_name", "family_name", "street", "city", "postcode", "region", "birth_date", "national_id")
	if err != nil {
		return nil, err
	}
	var entities []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			o.close()
			return nil, err
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		ent, err := febrlEntity(rec[0])
		if err != nil {
			o.close()
			return nil, fmt.Errorf("line %d: %w", o.n+o.blank+2, err)
		}
		street := strings.Join(nonEmpty(rec[3], rec[4], rec[5]), " ")
		written, err := o.row(rec[0], rec[1], rec[2], street, rec[6], rec[7], rec[8], rec[9], rec[10])
		if err != nil {
			o.close()
			return nil, err
		}
		if written {
			entities = append(entities, ent)
		}
	}
	if err := o.close(); err != nil {
		return nil, err
	}
	ds := &dataset{
		files: []importFile{{path: out, mapping: &mappingSpec{
			name:        "febrl3",
			description: "FEBRL dataset3 converted by padron-bench",
			columns: []mapColumn{
				{column: "rec_id", field: "external_id"},
				{column: "given_name", field: "given_name"},
				{column: "family_name", field: "family_name"},
				{column: "street", field: "street"},
				{column: "city", field: "city"},
				{column: "postcode", field: "postcode"},
				{column: "region", field: "region"},
				{column: "birth_date", field: "birth_date", format: "yyyymmdd"},
				{column: "national_id", field: "national_id"},
			},
		}}},
		notes: append([]string{"febrl3: street = street_number address_1 address_2; suburb → city, state → region, soc_sec_id → national_id, rec_id → external_id; truth from rec_id"},
			o.blankNote("febrl3")...),
	}
	return ds, fillTruth(ds, filepath.Base(out), entities)
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// fillTruth gives a one-file data set its truth: entities[i] is record i+1's.
func fillTruth(ds *dataset, file string, entities []string) error {
	ds.truth = &Truth{}
	if err := ds.truth.AddFile(file, len(entities)); err != nil {
		return err
	}
	for i, e := range entities {
		if err := ds.truth.Set(file, i+1, e); err != nil {
			return err
		}
	}
	return nil
}

// convertFake1000 copies Splink's fake_1000 without its cluster column (the truth).
func convertFake1000(src, dir string) (*dataset, error) {
	return convertFile(src, dir, "fake_1000", f1Target(0.90), fake1000ToCSV)
}

var fakeHeader = []string{"unique_id", "first_name", "surname", "dob", "city", "email", "cluster"}

func fake1000ToCSV(in io.Reader, out string) (*dataset, error) {
	r := csv.NewReader(in)
	r.FieldsPerRecord = len(fakeHeader)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, err
	}
	if strings.Join(head, ",") != strings.Join(fakeHeader, ",") {
		return nil, fmt.Errorf("header %q, expected %q", strings.Join(head, ","), strings.Join(fakeHeader, ","))
	}
	o, err := createCSV(out, fakeHeader[:6]...)
	if err != nil {
		return nil, err
	}
	var entities []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			o.close()
			return nil, err
		}
		written, err := o.row(rec[:6]...)
		if err != nil {
			o.close()
			return nil, err
		}
		if written {
			entities = append(entities, rec[6])
		}
	}
	if err := o.close(); err != nil {
		return nil, err
	}
	ds := &dataset{
		files: []importFile{{path: out, mapping: &mappingSpec{
			name:        "fake_1000",
			description: "Splink fake_1000 without its cluster column, by padron-bench",
			columns: []mapColumn{
				{column: "unique_id", field: "external_id"},
				{column: "first_name", field: "given_name"},
				{column: "surname", field: "family_name"},
				{column: "dob", field: "birth_date", format: "yyyy-mm-dd"},
				{column: "city", field: "city"},
				{column: "email", field: "email"},
			},
		}}},
		notes: append([]string{"fake_1000: unique_id → external_id, first_name, surname, dob (yyyy-mm-dd), city, email; truth = cluster"},
			o.blankNote("fake_1000")...),
	}
	return ds, fillTruth(ds, filepath.Base(out), entities)
}

// convertHistorical reads Splink's historical_figures_with_errors_50k.parquet with
// DuckDB, in file order, and writes the columns padron can use. full_name and
// first_and_surname are left out: in this file full_name equals first_name whenever the
// surname is missing and is itself missing whenever both names are, so it never adds a
// name (and when both are there it carries titles, "1st baron clifford of chudleigh",
// that are not names). unique_id is left out because it embeds the cluster; gender
// because padron has no such field.
func convertHistorical(src, dir string) (*dataset, error) {
	const name = "historical_50k"
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `
		SELECT coalesce(first_name, ''), coalesce(surname, ''), coalesce(dob, ''),
			coalesce(birth_place, ''), coalesce(postcode_fake, ''), coalesce(occupation, ''), cluster
		FROM read_parquet(?, file_row_number = true) ORDER BY file_row_number`, src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	defer rows.Close()
	out := filepath.Join(dir, name+".csv")
	o, err := createCSV(out, "first_name", "surname", "dob", "birth_place", "postcode_fake", "occupation")
	if err != nil {
		return nil, err
	}
	var entities []string
	v := make([]string, 7)
	for rows.Next() {
		var cluster sql.NullString
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &cluster); err != nil {
			o.close()
			return nil, err
		}
		if !cluster.Valid {
			o.close()
			return nil, fmt.Errorf("%s: row %d has no cluster", src, o.n+o.blank+1)
		}
		written, err := o.row(v[:6]...)
		if err != nil {
			o.close()
			return nil, err
		}
		if written {
			entities = append(entities, cluster.String)
		}
	}
	if err := errors.Join(rows.Err(), o.close()); err != nil {
		return nil, err
	}
	ds := &dataset{
		name:   name,
		target: f1Target(0.80),
		files: []importFile{{path: out, mapping: &mappingSpec{
			name:        name,
			description: "Splink historical_figures_with_errors_50k, by padron-bench",
			columns: []mapColumn{
				{column: "first_name", field: "given_name"},
				{column: "surname", field: "family_name"},
				// Historical figures: births from antiquity on, not typing errors.
				{column: "dob", field: "birth_date", format: "yyyy-mm-dd", minYear: 1},
				{column: "birth_place", field: "city"},
				{column: "postcode_fake", field: "postcode"},
				{column: "occupation", field: "occupation"},
			},
		}}},
		notes: append([]string{"historical_50k: first_name, surname, dob (yyyy-mm-dd), birth_place → city, postcode_fake → postcode, occupation; full_name, first_and_surname, gender, unique_id left out; truth = cluster"},
			o.blankNote(name)...),
	}
	return ds, fillTruth(ds, filepath.Base(out), entities)
}

// syntheticCountry is the --default-country each generated file is imported with: what
// the steward of each office knows about its national phone numbers. contacts.xlsx has
// a country column and mailing.csv no phones.
var syntheticCountry = map[synth.Format]string{
	synth.Volunteers:   "ES",
	synth.EventSignups: "AR,ES",
	synth.Donors:       "PL",
}

// generateSet writes a synth data set into dir/<seed>-<people> and reads its truth.csv.
// Its files are imported with no mapping: padron infers every column.
func generateSet(cfg synth.Config, dir string) (*dataset, error) {
	out := filepath.Join(dir, fmt.Sprintf("synth-%d-%d", cfg.People, cfg.Seed))
	m, err := synth.Generate(cfg, out)
	if err != nil {
		return nil, err
	}
	ds := &dataset{truth: &Truth{}}
	for _, f := range m.Files {
		if err := ds.truth.AddFile(filepath.Base(f.Path), f.Records); err != nil {
			return nil, err
		}
		ds.files = append(ds.files, importFile{path: f.Path, country: syntheticCountry[f.Format]})
	}
	if err := readTruthCSV(m.Truth, ds.truth); err != nil {
		return nil, err
	}
	ds.notes = append(ds.notes, fmt.Sprintf("generated: synth People=%d Seed=%d Problems=%g, %d records in %d files, no mapping (inferred); --default-country ES for voluntarios, AR,ES for inscripciones_evento, PL for darczyncy",
		cfg.People, cfg.Seed, cfg.Problems, m.Records, len(m.Files)))
	return ds, nil
}

// readTruthCSV reads source_file,record_no,person_id into t.
func readTruthCSV(path string, t *Truth) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 256<<10))
	r.FieldsPerRecord = 3
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if strings.Join(head, ",") != "source_file,record_no,person_id" {
		return fmt.Errorf("%s: header %q, expected source_file,record_no,person_id", path, strings.Join(head, ","))
	}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		no, err := strconv.Atoi(rec[1])
		if err != nil {
			return fmt.Errorf("%s line %d: record_no %q: %w", path, line, rec[1], err)
		}
		if err := t.Set(rec[0], no, rec[2]); err != nil {
			return fmt.Errorf("%s line %d: %w", path, line, err)
		}
	}
	_, err = t.Labels()
	return err
}

// peopleFor is the number of synth people that gives about n records.
func peopleFor(n int) int {
	return max(1, int(math.Round(float64(n)/(1+synth.DefaultDupRate))))
}

// convertFile runs a converter from the dataset file src to NAME.csv in dir.
func convertFile(src, dir, name string, tg target, conv func(io.Reader, string) (*dataset, error)) (*dataset, error) {
	in, err := os.Open(src)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	ds, err := conv(in, filepath.Join(dir, name+".csv"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	ds.name, ds.target = name, tg
	return ds, nil
}
