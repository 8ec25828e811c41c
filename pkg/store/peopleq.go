package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// PersonView is a person's golden record as listed.
type PersonView struct {
	ID         int64    `json:"person_id"`
	GivenName  string   `json:"given_name,omitempty"`
	FamilyName string   `json:"family_name,omitempty"`
	Email      string   `json:"email,omitempty"`
	Phone      string   `json:"phone,omitempty"`
	Street     string   `json:"street,omitempty"`
	Postcode   string   `json:"postcode,omitempty"`
	City       string   `json:"city,omitempty"`
	Region     string   `json:"region,omitempty"`
	Country    string   `json:"country,omitempty"`
	BirthDate  string   `json:"birth_date,omitempty"`
	NationalID string   `json:"national_id,omitempty"`
	Emails     []string `json:"emails"`
	Phones     []string `json:"phones"`
	Tags       []string `json:"tags"`
	Addresses  []string `json:"addresses"`
	Sources    []string `json:"sources"`
	Records    int      `json:"records"`
	OptedOut   bool     `json:"opted_out"`
}

// PeopleFilter selects people.
type PeopleFilter struct {
	// Search matches names (case and accents ignored), emails and phones.
	Search string
	ID     int64
	Limit  int
}

// sqlFold folds text in SQL the way searches need: lower-case, accents stripped,
// and the Polish ł, which has no decomposition, as l.
func sqlFold(x string) string {
	return `strip_accents(lower(replace(replace(` + x + `, 'Ł', 'L'), 'ł', 'l')))`
}

const peopleCols = `id, coalesce(given_name,''), coalesce(family_name,''), coalesce(email,''), coalesce(phone,''),
	coalesce(street,''), coalesce(postcode,''), coalesce(city,''), coalesce(region,''), coalesce(country,''),
	birth_date, coalesce(national_id,''), emails, phones, tags, sources, records, opted_out, addresses`

func scanPerson(rows *sql.Rows) (PersonView, error) {
	var p PersonView
	var bd *time.Time
	var emails, phones, tags, sources, addresses any
	err := rows.Scan(&p.ID, &p.GivenName, &p.FamilyName, &p.Email, &p.Phone, &p.Street, &p.Postcode, &p.City,
		&p.Region, &p.Country, &bd, &p.NationalID, &emails, &phones, &tags, &sources, &p.Records, &p.OptedOut, &addresses)
	p.BirthDate = dateStr(bd)
	p.Emails, p.Phones, p.Tags, p.Sources = strList(emails), strList(phones), strList(tags), strList(sources)
	p.Addresses = strList(addresses)
	return p, err
}

// People lists people by id.
func (s *Store) People(ctx context.Context, f PeopleFilter) ([]PersonView, error) {
	var where []string
	var args []any
	if f.ID != 0 {
		where = append(where, "id = ?")
		args = append(args, f.ID)
	}
	if t := strings.TrimSpace(f.Search); t != "" {
		where = append(where, `(`+sqlFold(`coalesce(given_name,'') || ' ' || coalesce(family_name,'')`)+` LIKE '%' || `+sqlFold("?")+` || '%'
			OR `+sqlFold(`coalesce(family_name,'') || ' ' || coalesce(given_name,'')`)+` LIKE '%' || `+sqlFold("?")+` || '%'
			OR array_to_string(emails, ' ') LIKE '%' || lower(?) || '%'
			OR array_to_string(phones, ' ') LIKE '%' || ? || '%')`)
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, t)
		if digits == "" {
			digits = "\x00" // no digits: match no phone
		}
		args = append(args, t, t, t, digits)
	}
	q := `SELECT ` + peopleCols + ` FROM people`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list people: %w", err)
	}
	defer rows.Close()
	var out []PersonView
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PeopleCount returns how many people there are, and whether dedupe ever ran.
func (s *Store) PeopleCount(ctx context.Context) (n int64, ran bool, err error) {
	if err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM people`).Scan(&n); err != nil {
		return 0, false, err
	}
	var runs int64
	err = s.db.QueryRowContext(ctx, `SELECT count(*) FROM match_runs`).Scan(&runs)
	return n, runs > 0, err
}

// Unlinked returns how many records no dedupe run has placed yet.
func (s *Store) Unlinked(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM records r WHERE NOT EXISTS (SELECT 1 FROM links l WHERE l.record_id = r.id)
		AND r.id NOT IN (`+notAboutPeople+`)`).Scan(&n)
	return n, err
}

// ErrNotDeduped says records wait for a dedupe run.
var ErrNotDeduped = errors.New("records imported since the last dedupe")

// ExportLinks calls each for every record with its person, in record order. It
// refuses when some record has no person yet, so that an export is never partial.
func (s *Store) ExportLinks(ctx context.Context, each func(file string, recordNo int, person int64) error) error {
	n, err := s.Unlinked(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%d %w: run 'padron dedupe' first", n, ErrNotDeduped)
	}
	// Bank debits, fees and excluded credits belong to no person: their person is 0.
	rows, err := s.db.QueryContext(ctx, `SELECT r.source_file, r.record_no, coalesce(l.person_id, 0) FROM records r
		LEFT JOIN links l ON l.record_id = r.id ORDER BY r.id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f string
		var no int
		var p int64
		if err := rows.Scan(&f, &no, &p); err != nil {
			return err
		}
		if err := each(f, no, p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachPerson calls each for every person, by id.
func (s *Store) EachPerson(ctx context.Context, each func(PersonView) error) error {
	n, err := s.Unlinked(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%d %w: run 'padron dedupe' first", n, ErrNotDeduped)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+peopleCols+` FROM people ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPerson(rows)
		if err != nil {
			return err
		}
		if err := each(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

// RefError says a FILE:RECORD_NO reference names no record, or several.
type RefError struct {
	Ref    string
	Reason string
}

func (e *RefError) Error() string { return fmt.Sprintf("record %s: %s", e.Ref, e.Reason) }

// ResolveRef turns a record reference into a record id. References are FILE:RECORD_NO
// (the imported file's base name and the record's number in it), BATCH/FILE:RECORD_NO
// when the same file name was imported more than once, or #ID (the internal id).
func (s *Store) ResolveRef(ctx context.Context, ref string) (int64, error) {
	if id, ok := strings.CutPrefix(ref, "#"); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return 0, &RefError{ref, "expected #ID with a number"}
		}
		var found int64
		if err := s.db.QueryRowContext(ctx, `SELECT id FROM records WHERE id = ?`, n).Scan(&found); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return 0, &RefError{ref, "no such record"}
			}
			return 0, err
		}
		return found, nil
	}
	i := strings.LastIndexByte(ref, ':')
	if i <= 0 || i == len(ref)-1 {
		return 0, &RefError{ref, "expected FILE:RECORD_NO, e.g. voluntarios.csv:12"}
	}
	file, noStr := ref[:i], ref[i+1:]
	no, err := strconv.Atoi(noStr)
	if err != nil || no < 1 {
		return 0, &RefError{ref, fmt.Sprintf("record number %q is not a positive number", noStr)}
	}
	var batch int64
	if b, f, ok := strings.Cut(file, "/"); ok {
		if n, err := strconv.ParseInt(b, 10, 64); err == nil {
			batch, file = n, f
		}
	}
	q := `SELECT id, batch_id FROM records WHERE source_file = ? AND record_no = ?`
	args := []any{file, no}
	if batch != 0 {
		q += ` AND batch_id = ?`
		args = append(args, batch)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY batch_id`, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var ids, batches []int64
	for rows.Next() {
		var id, b int64
		if err := rows.Scan(&id, &b); err != nil {
			return 0, err
		}
		ids, batches = append(ids, id), append(batches, b)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	switch len(ids) {
	case 1:
		return ids[0], nil
	case 0:
		var n int
		_ = s.db.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE source_file = ?`, file).Scan(&n)
		if n == 0 {
			return 0, &RefError{ref, fmt.Sprintf("no imported file is named %q (see 'padron imports')", file)}
		}
		return 0, &RefError{ref, fmt.Sprintf("%s has records 1 to %d", file, n)}
	}
	bs := make([]string, len(batches))
	for k, b := range batches {
		bs[k] = strconv.FormatInt(b, 10)
	}
	return 0, &RefError{ref, fmt.Sprintf("%s was imported in batches %s: write BATCH/%s", file, strings.Join(bs, ", "), ref)}
}

// PersonOf returns the person a record belongs to, 0 when none yet.
func (s *Store) PersonOf(ctx context.Context, record int64) (int64, error) {
	var p int64
	err := s.db.QueryRowContext(ctx, `SELECT person_id FROM links WHERE record_id = ?`, record).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return p, err
}

// LinkedRecord is one record of a person, with the link that joined it.
type LinkedRecord struct {
	RecordView
	Probability float64 `json:"link_probability,omitempty"`
}

// LinkedRecords returns a person's records in import order.
func (s *Store) LinkedRecords(ctx context.Context, person int64) ([]LinkedRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT record_id, coalesce(probability, 0) FROM links WHERE person_id = ? ORDER BY record_id`, person)
	if err != nil {
		return nil, err
	}
	probs := map[int64]float64{}
	var ids []int64
	for rows.Next() {
		var id int64
		var p float64
		if err := rows.Scan(&id, &p); err != nil {
			rows.Close()
			return nil, err
		}
		probs[id] = p
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	views, err := s.Records(ctx, RecordFilter{IDs: ids})
	if err != nil {
		return nil, err
	}
	out := make([]LinkedRecord, len(views))
	for i, v := range views {
		out[i] = LinkedRecord{RecordView: v, Probability: probs[v.ID]}
	}
	return out, nil
}

// RebuildPeople recomputes every person's golden record from their records, in one
// transaction (after a change of survivorship rules, or to check an incremental run).
func (s *Store) RebuildPeople(ctx context.Context) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := rebuildPeople(ctx, tx, nil, s.golden); err != nil {
		return err
	}
	return tx.Commit()
}

// RecordCount returns how many records the store holds.
func (s *Store) RecordCount(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM records`).Scan(&n)
	return n, err
}
