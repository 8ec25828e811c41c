package report

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"

	"github.com/padron-org/padron/pkg/store"
)

// SourcesReport says what each imported file contributed to the list of people.
type SourcesReport struct {
	Files []SourceFile `json:"files"`
	// People is the number of people in the store; Records every imported record.
	People  int64 `json:"people"`
	Records int64 `json:"records"`
}

// SourceFile is one import (batch) and what it brought.
type SourceFile struct {
	Batch      int64  `json:"batch"`
	File       string `json:"file"`
	Format     string `json:"format"`
	ImportedAt string `json:"imported_at"` // YYYY-MM-DD HH:MM:SS, as stored
	Mapping    string `json:"mapping,omitempty"`
	MappingHow string `json:"mapping_how,omitempty"`

	Records  int64 `json:"records"`            // rows stored as records
	Skipped  int64 `json:"skipped,omitempty"`  // statement lines already stored from an overlapping statement
	Problems int64 `json:"problems"`           // problems found in the file at import
	Linked   int64 `json:"linked_records"`     // records that belong to a person
	People   int64 `json:"people"`             // people with at least one record from this file
	OnlyHere int64 `json:"people_only_here"`   // people with records from this file and no other
	Shared   int64 `json:"people_shared"`      // people also in another file
	Emails   int64 `json:"records_with_email"` // records giving at least one email
	Phones   int64 `json:"records_with_phone"`
	Address  int64 `json:"records_with_address"` // records giving a street, postcode or city

	// Transactions counts every money line of the file; Donations only the credits
	// no exclusion rule keeps out (as the board report counts them).
	Transactions int64         `json:"transactions"`
	Donations    []DonationSum `json:"donations"`
}

// DonationSum is the count and exact total of donations in one currency.
type DonationSum struct {
	Currency string `json:"currency"`
	Count    int64  `json:"count"`
	Total    string `json:"total"`
}

// Sources computes the sources report: one entry per import, oldest first.
func Sources(ctx context.Context, st *store.Store) (*SourcesReport, error) {
	b := &builder{ctx: ctx, db: st.DB()}
	r := &SourcesReport{Files: []SourceFile{}}
	if err := b.row(`SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM records)`, nil, &r.People, &r.Records); err != nil {
		return nil, fmt.Errorf("sources report: %w", err)
	}
	byBatch := map[int64]*SourceFile{}
	err := b.rows(`SELECT id, file, format, strftime(imported_at, '%Y-%m-%d %H:%M:%S'), coalesce(mapping, ''),
		coalesce(mapping_how, ''), records, coalesce(skipped, 0) FROM batches ORDER BY id`, nil, func(rows *sql.Rows) error {
		var f SourceFile
		if err := rows.Scan(&f.Batch, &f.File, &f.Format, &f.ImportedAt, &f.Mapping, &f.MappingHow, &f.Records, &f.Skipped); err != nil {
			return err
		}
		f.Donations = []DonationSum{}
		r.Files = append(r.Files, f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sources report: %w", err)
	}
	for i := range r.Files {
		byBatch[r.Files[i].Batch] = &r.Files[i]
	}
	// Each query fills some figures of every file; a batch the store lost track of
	// between two queries (an undo meanwhile) is skipped.
	steps := []struct {
		q    string
		scan func(f *SourceFile, rows *sql.Rows) error
	}{
		{`SELECT batch_id, count(*) FROM problems GROUP BY batch_id`,
			func(f *SourceFile, rows *sql.Rows) error { return rows.Scan(new(int64), &f.Problems) }},
		{`SELECT r.batch_id, count(l.record_id),
			count(*) FILTER (WHERE coalesce(len(r.emails), 0) > 0),
			count(*) FILTER (WHERE coalesce(len(r.phones), 0) > 0),
			count(*) FILTER (WHERE coalesce(r.street, '') <> '' OR coalesce(r.postcode, '') <> '' OR coalesce(r.city, '') <> '')
			FROM records r LEFT JOIN links l ON l.record_id = r.id GROUP BY r.batch_id`,
			func(f *SourceFile, rows *sql.Rows) error {
				return rows.Scan(new(int64), &f.Linked, &f.Emails, &f.Phones, &f.Address)
			}},
		// A person is only here when every one of their records comes from this batch.
		{`WITH pb AS (SELECT DISTINCT r.batch_id, l.person_id FROM records r JOIN links l ON l.record_id = r.id),
			nb AS (SELECT person_id, count(*) AS n FROM pb GROUP BY person_id)
			SELECT pb.batch_id, count(*), count(*) FILTER (WHERE nb.n = 1) FROM pb JOIN nb USING (person_id) GROUP BY pb.batch_id`,
			func(f *SourceFile, rows *sql.Rows) error {
				if err := rows.Scan(new(int64), &f.People, &f.OnlyHere); err != nil {
					return err
				}
				f.Shared = f.People - f.OnlyHere
				return nil
			}},
		{`SELECT batch_id, count(*) FROM transactions GROUP BY batch_id`,
			func(f *SourceFile, rows *sql.Rows) error { return rows.Scan(new(int64), &f.Transactions) }},
	}
	for _, s := range steps {
		err := b.rows(s.q, nil, func(rows *sql.Rows) error {
			var id int64
			if err := scanFirst(rows, &id); err != nil {
				return err
			}
			f, ok := byBatch[id]
			if !ok {
				return nil
			}
			return s.scan(f, rows)
		})
		if err != nil {
			return nil, fmt.Errorf("sources report: %w", err)
		}
	}
	err = b.rows(`SELECT batch_id, coalesce(currency, ''), count(*), sum(amount)::VARCHAR FROM transactions
		WHERE kind = 'credit' AND excluded IS NULL GROUP BY batch_id, currency ORDER BY batch_id, currency`, nil,
		func(rows *sql.Rows) error {
			var id int64
			var d DonationSum
			if err := rows.Scan(&id, &d.Currency, &d.Count, &d.Total); err != nil {
				return err
			}
			if f, ok := byBatch[id]; ok {
				d.Total = Decimal(d.Total)
				f.Donations = append(f.Donations, d)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sources report: %w", err)
	}
	return r, nil
}

// scanFirst reads a row's first column, the batch id, leaving the row to be scanned
// again in full (database/sql allows scanning a row more than once).
func scanFirst(rows *sql.Rows, id *int64) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	dest := make([]any, len(cols))
	dest[0] = id
	for i := 1; i < len(dest); i++ {
		dest[i] = new(any)
	}
	return rows.Scan(dest...)
}

// WriteSourcesJSON writes the sources report as indented JSON.
func WriteSourcesJSON(w io.Writer, r *SourcesReport) error { return writeIndented(w, r) }

// WriteSourcesMarkdown writes the sources report as Markdown: one summary table of
// every file, then the money per file.
func WriteSourcesMarkdown(w io.Writer, r *SourcesReport) error {
	bw := bufio.NewWriter(w)
	m := &md{w: bw}
	m.line("# Sources report")
	m.line("")
	m.line("%d files imported, %d records, %d people after dedupe.", len(r.Files), r.Records, r.People)
	m.line("")

	m.section("Files")
	rows := [][]string{}
	for _, f := range r.Files {
		mapping := f.Mapping
		if mapping != "" && f.MappingHow != "" && f.MappingHow != f.Mapping {
			mapping += " (" + f.MappingHow + ")"
		}
		rows = append(rows, []string{n(f.Batch), f.File, f.Format, f.ImportedAt, mapping})
	}
	m.table([]string{"Batch", "File", "Format", "Imported", "Mapping"}, "rllll", rows)

	m.section("What each file brought")
	rows = [][]string{}
	for _, f := range r.Files {
		rows = append(rows, []string{n(f.Batch), f.File, n(f.Records), n(f.Problems), n(f.Linked), n(f.People),
			n(f.OnlyHere), n(f.Shared), n(f.Emails), n(f.Phones), n(f.Address)})
	}
	m.table([]string{"Batch", "File", "Records", "Problems", "Linked", "People", "Only in this file", "Also in others",
		"With email", "With phone", "With address"}, "rlrrrrrrrrr", rows)
	m.line("People: people with a record from the file. Only in this file: people no other file knows,")
	m.line("what the file alone contributed. With email, phone, address: records of the file that give one.")
	m.line("")

	m.section("Money")
	rows = [][]string{}
	for _, f := range r.Files {
		if f.Transactions == 0 {
			continue
		}
		var sums []string
		var count int64
		for _, d := range f.Donations {
			sums = append(sums, strings.TrimSpace(d.Total+" "+d.Currency))
			count += d.Count
		}
		total := "0"
		if len(sums) > 0 {
			total = strings.Join(sums, ", ")
		}
		rows = append(rows, []string{n(f.Batch), f.File, n(f.Transactions), n(count), total})
	}
	m.table([]string{"Batch", "File", "Transactions", "Donations", "Donated"}, "rlrrr", rows)
	m.line("Donations are credits no exclusion rule keeps out; totals are exact, per currency.")
	if m.err != nil {
		return m.err
	}
	return bw.Flush()
}
