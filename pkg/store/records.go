package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// RecordView is a record as listed to people and machines.
type RecordView struct {
	ID         int64    `json:"id"`
	Ref        string   `json:"ref"` // FILE:RECORD_NO, how stewards name a record
	BatchID    int64    `json:"batch"`
	File       string   `json:"source_file"`
	Sheet      string   `json:"sheet,omitempty"`
	RecordNo   int      `json:"record_no"`
	Row        int      `json:"row"`
	Source     string   `json:"source,omitempty"`
	GivenName  string   `json:"given_name,omitempty"`
	FamilyName string   `json:"family_name,omitempty"`
	FullName   string   `json:"full_name,omitempty"`
	Emails     []string `json:"emails,omitempty"`
	Phones     []string `json:"phones,omitempty"`
	Street     string   `json:"street,omitempty"`
	Postcode   string   `json:"postcode,omitempty"`
	City       string   `json:"city,omitempty"`
	Region     string   `json:"region,omitempty"`
	Country    string   `json:"country,omitempty"`
	BirthDate  string   `json:"birth_date,omitempty"`
	NationalID string   `json:"national_id,omitempty"`
	Org        string   `json:"organization,omitempty"`
	Occupation string   `json:"occupation,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	Notes      string   `json:"notes,omitempty"`
	OptOut     *bool    `json:"opt_out,omitempty"`
	OptReason  string   `json:"opt_out_reason,omitempty"`
	OptDate    string   `json:"opt_out_date,omitempty"`
	Consent    *bool    `json:"consent,omitempty"`
	ExternalID string   `json:"external_id,omitempty"`
	Amount     string   `json:"amount,omitempty"` // exact, dot decimal
	Currency   string   `json:"currency,omitempty"`
	Date       string   `json:"date,omitempty"`
	IBAN       string   `json:"iban,omitempty"`
	Reference  string   `json:"reference,omitempty"`
	Raw        []string `json:"raw"`
}

// RecordFilter selects records.
type RecordFilter struct {
	Batch int64
	IDs   []int64 // only these records (none when empty but not nil)
	Limit int
}

func strList(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func dateStr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01-02")
}

// Records lists records in import order.
func (s *Store) Records(ctx context.Context, f RecordFilter) ([]RecordView, error) {
	var where []string
	var args []any
	if f.Batch != 0 {
		where = append(where, "batch_id = ?")
		args = append(args, f.Batch)
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		ph := strings.TrimSuffix(strings.Repeat("?,", len(f.IDs)), ",")
		where = append(where, "id IN ("+ph+")")
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	q := `SELECT id, batch_id, source_file, sheet, record_no, pos, coalesce(source,''), coalesce(given_name,''),
		coalesce(family_name,''), coalesce(full_name,''), emails, phones, coalesce(street,''), coalesce(postcode,''),
		coalesce(city,''), coalesce(region,''), coalesce(country,''), birth_date, coalesce(organization,''), tags,
		coalesce(notes,''), opt_out, consent, coalesce(external_id,''), coalesce(CAST(amount AS VARCHAR),''),
		coalesce(currency,''), date, coalesce(iban,''), coalesce(reference,''), CAST(raw AS VARCHAR),
		coalesce(opt_out_reason,''), opt_out_date, coalesce(national_id,''), coalesce(occupation,'') FROM records`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []RecordView
	for rows.Next() {
		var r RecordView
		var emails, phones, tags any
		var raw string
		var bd, d, od *time.Time
		if err := rows.Scan(&r.ID, &r.BatchID, &r.File, &r.Sheet, &r.RecordNo, &r.Row, &r.Source, &r.GivenName,
			&r.FamilyName, &r.FullName, &emails, &phones, &r.Street, &r.Postcode, &r.City, &r.Region, &r.Country,
			&bd, &r.Org, &tags, &r.Notes, &r.OptOut, &r.Consent, &r.ExternalID, &r.Amount, &r.Currency, &d,
			&r.IBAN, &r.Reference, &raw, &r.OptReason, &od, &r.NationalID, &r.Occupation); err != nil {
			return nil, err
		}
		r.Emails, r.Phones, r.Tags = strList(emails), strList(phones), strList(tags)
		if err := json.Unmarshal([]byte(raw), &r.Raw); err != nil {
			return nil, fmt.Errorf("record %d: raw row: %w", r.ID, err)
		}
		r.BirthDate, r.Date, r.OptDate = dateStr(bd), dateStr(d), dateStr(od)
		r.Ref = fmt.Sprintf("%s:%d", r.File, r.RecordNo)
		out = append(out, r)
	}
	return out, rows.Err()
}
