package store

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Records reach DuckDB as newline-delimited JSON that DuckDB's own parallel reader
// loads (see segment.go): appending value by value crosses from Go into C once per
// string, which made writes the slowest part of an import. Encoding is done by the
// import's workers, in parallel, straight into bytes.

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Invalid UTF-8 cannot occur (readers
// decode to valid UTF-8), but would be escaped byte by byte as \u00XX rather than
// producing a line DuckDB would reject.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"':
				b = append(b, '\\', '"')
			case '\\':
				b = append(b, '\\', '\\')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendStr(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendJSONString(appendKey(b, key), v)
}

func appendList(b []byte, key string, l []string) []byte {
	if len(l) == 0 {
		return b
	}
	b = append(appendKey(b, key), '[')
	for i, v := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, v)
	}
	return append(b, ']')
}

func appendDate(b []byte, key string, t time.Time) []byte {
	if t.IsZero() {
		return b
	}
	b = append(appendKey(b, key), '"')
	b = t.AppendFormat(b, "2006-01-02")
	return append(b, '"')
}

func appendBool(b []byte, key string, v *bool) []byte {
	if v == nil {
		return b
	}
	return strconv.AppendBool(appendKey(b, key), *v)
}

// appendCents writes an amount as a decimal string, so DuckDB casts it to DECIMAL
// exactly instead of through a float.
func appendCents(b []byte, key string, c *int64) []byte {
	if c == nil {
		return b
	}
	b = append(appendKey(b, key), '"')
	v := *c
	if v < 0 {
		b = append(b, '-')
		v = -v
	}
	b = strconv.AppendInt(b, v/100, 10)
	b = append(b, '.', byte('0'+v%100/10), byte('0'+v%10))
	return append(b, '"')
}

// EncodeRecord appends one record of batch as a JSON line. id must be the record's id
// (see BatchWriter.RecordID).
func EncodeRecord(b []byte, batch int64, file string, id int64, r *Record) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = strconv.AppendInt(append(b, `,"batch_id":`...), batch, 10)
	b = appendJSONString(append(b, `,"source_file":`...), file)
	b = appendJSONString(append(b, `,"sheet":`...), r.Sheet)
	b = strconv.AppendInt(append(b, `,"record_no":`...), int64(r.RecordNo), 10)
	b = strconv.AppendInt(append(b, `,"pos":`...), int64(r.Pos), 10)
	b = append(b, `,"raw":[`...)
	for i, v := range r.Raw {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, v)
	}
	b = append(b, ']')
	b = appendStr(b, "source", r.Source)
	b = appendStr(b, "given_name", r.GivenName)
	b = appendStr(b, "family_name", r.FamilyName)
	b = appendStr(b, "full_name", r.FullName)
	b = appendStr(b, "name_key", r.NameKey)
	b = appendList(b, "emails", r.Emails)
	b = appendList(b, "phones", r.Phones)
	b = appendStr(b, "street", r.Street)
	b = appendStr(b, "postcode", r.Postcode)
	b = appendStr(b, "city", r.City)
	b = appendStr(b, "region", r.Region)
	b = appendStr(b, "country", r.Country)
	b = appendDate(b, "birth_date", r.BirthDate)
	b = appendStr(b, "organization", r.Org)
	b = appendList(b, "tags", r.Tags)
	b = appendStr(b, "notes", r.Notes)
	b = appendBool(b, "opt_out", r.OptOut)
	b = appendStr(b, "opt_out_reason", r.OptReason)
	b = appendDate(b, "opt_out_date", r.OptDate)
	b = appendBool(b, "consent", r.Consent)
	b = appendStr(b, "external_id", r.ExternalID)
	b = appendCents(b, "amount", r.Amount)
	b = appendStr(b, "currency", r.Currency)
	b = appendDate(b, "date", r.Date)
	b = appendStr(b, "iban", r.IBAN)
	b = appendStr(b, "reference", r.Reference)
	b = appendStr(b, "national_id", r.NationalID)
	b = appendStr(b, "occupation", r.Occupation)
	return append(b, '}', '\n')
}

// EncodeProblem appends one problem of batch as a JSON line.
func EncodeProblem(b []byte, batch int64, file string, p *Problem) []byte {
	b = strconv.AppendInt(append(b, `{"batch_id":`...), batch, 10)
	if p.RecordID != 0 {
		b = strconv.AppendInt(append(b, `,"record_id":`...), p.RecordID, 10)
	}
	b = appendJSONString(append(b, `,"source_file":`...), file)
	b = appendJSONString(append(b, `,"sheet":`...), p.Sheet)
	if p.Pos != 0 {
		b = strconv.AppendInt(append(b, `,"pos":`...), int64(p.Pos), 10)
	}
	if p.RecordNo != 0 {
		b = strconv.AppendInt(append(b, `,"record_no":`...), int64(p.RecordNo), 10)
	}
	b = appendStr(b, "column_name", p.Column)
	b = appendStr(b, "field", p.Field)
	b = appendStr(b, "value", p.Value)
	b = appendJSONString(appendKey(b, "reason"), p.Reason)
	return append(b, '}', '\n')
}
