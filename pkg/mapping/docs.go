package mapping

import (
	"fmt"
	"strings"
)

// FieldsMarkdown renders the canonical field list as docs/fields.md, so the docs can
// never drift from the code (a test compares them).
func FieldsMarkdown() string {
	var b strings.Builder
	b.WriteString(`# Canonical fields

Every column a mapping maps becomes one of these fields. Values are normalised at import;
the raw row is always kept verbatim beside them, and a value that cannot be read is left
empty and recorded as a problem (see ` + "`padron problems`" + `).

This file is generated from pkg/mapping/fields.go (` + "`go test ./pkg/mapping -update`" + `).

| field | kind | several | meaning |
|---|---|---|---|
`)
	for _, f := range Fields {
		multi := ""
		if f.Multi {
			multi = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Name, f.Kind, multi, strings.ReplaceAll(f.Doc, "|", "\\|"))
	}
	b.WriteString(`
"Several" fields add up: several columns (or several values in one cell) mapped to them
are all kept. For the other fields the first non-empty column wins.

## Kinds

- **name**: trimmed, inner spaces collapsed, control and zero-width characters removed;
  case and accents kept as written. A folded key (lower case, accents removed, ł→l)
  is stored for matching.
- **email**: trimmed, lower-cased, "mailto:" removed, validated; Unicode domains are
  stored in their ASCII (punycode) form.
- **phone**: parsed with libphonenumber's rules and stored as E.164.
- **date**: the column's ` + "`format`" + `, else ISO, day-first (dd/mm/yyyy, dd.mm.yyyy), month
  names in Spanish, Polish and English, and real spreadsheet dates.
- **amount**: exact to the cent (never floating point); decimal comma or dot by the
  column's ` + "`decimal`" + ` option or detected; a currency written with the amount is kept.
- **bool**: yes/no in English, Spanish, Polish, Portuguese, French, German and Italian,
  1/0, x; the column's ` + "`values`" + ` can translate other words first.
- **country**: names and codes in many languages, stored as ISO 3166-1 alpha-2.
- **iban**: spaces removed, upper-cased, checksum verified.
- **national_id**: upper-cased; spaces, dots, hyphens and slashes removed. Where the
  kind is recognisable its check is verified: the Spanish DNI/NIF and NIE letter, the
  Polish PESEL and Argentine CUIT/CUIL check digits, a Brazilian CPF written
  123.456.789-09. A bare 11-digit number is accepted when any of the PESEL, CUIT/CUIL
  or CPF checks passes. Other shapes (other countries' ids, passports) are kept
  unchecked.
- **list**: split on , ; or |.
`)
	return b.String()
}
