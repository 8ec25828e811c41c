// Package mapping says which column of a source file becomes which of padron's
// canonical fields: YAML mapping files (built-in and the user's own), detection of the
// right mapping by header, and header synonyms for files no mapping describes.
package mapping

// Kind is how a field's values are parsed.
type Kind string

const (
	KindText       Kind = "text"
	KindName       Kind = "name"
	KindEmail      Kind = "email"
	KindPhone      Kind = "phone"
	KindDate       Kind = "date"
	KindAmount     Kind = "amount"
	KindBool       Kind = "bool"
	KindList       Kind = "list"
	KindCountry    Kind = "country"
	KindIBAN       Kind = "iban"
	KindNationalID Kind = "national_id"
)

// Field is one canonical field. The list below is the single source of docs/fields.md.
type Field struct {
	Name  string
	Kind  Kind
	Multi bool // several columns (or several values in a cell) add up instead of competing
	Doc   string
}

// Fields lists padron's canonical fields in display order.
var Fields = []Field{
	{"given_name", KindName, true, "Given (first) name(s), as written; several columns (first and middle name) are joined with a space."},
	{"family_name", KindName, true, "Family name(s), surname(s); several columns (primer and segundo apellido) are joined with a space."},
	{"full_name", KindName, false, "A whole name in one column (\"Kowalski Jan\", \"María García López\"); split into given_name and family_name where those are empty. Column option `order`: auto, given_first, family_first."},
	{"email", KindEmail, true, "Email address; a cell may hold several (separated by ; , / or newlines) and several columns may map here. Trimmed, lower-cased, validated; Unicode domains stored as punycode."},
	{"phone", KindPhone, true, "Phone number in any national format, stored as E.164 (+48600123456). Several per record. Region from the column's `country`, the row's country, --default-country, or the mapping's default_country."},
	{"street", KindText, true, "Street address; several columns (street, number, flat) are joined with spaces."},
	{"postcode", KindText, false, "Postal code, as written (upper-cased, spaces collapsed)."},
	{"city", KindText, false, "City, town or locality."},
	{"region", KindText, false, "Province, state, voivodeship."},
	{"country", KindCountry, false, "Country name or code in many languages (\"Polska\", \"España\", \"AR\"), stored as ISO 3166-1 alpha-2."},
	{"birth_date", KindDate, false, "Date of birth. Column option `format` (e.g. dd.mm.yyyy); without it day-first dates, ISO dates and Excel date cells are read."},
	{"national_id", KindNationalID, false, "National identity or tax number, as collected for tax receipts: Spanish DNI/NIF or NIE, Argentine DNI or CUIT/CUIL, Polish PESEL, and any other country's id or a passport number. Upper-cased without spaces, dots, hyphens or slashes (20-12345678-9 → 20123456789)."},
	{"organization", KindText, false, "Organisation, company or institution."},
	{"occupation", KindText, false, "Profession, occupation or job title, as written (\"Maestra\", \"Tesorero\", \"Project manager\")."},
	{"tags", KindList, true, "Labels such as volunteer, donor; a cell may hold several separated by , ; or |."},
	{"notes", KindText, true, "Free text; several columns are joined."},
	{"opt_out", KindBool, false, "Whether the person asked not to be contacted (yes/no in many languages, or values listed in the column's `values`)."},
	{"opt_out_reason", KindText, false, "Why the person opted out or was suppressed (unsubscribed, cleaned, blocklisted, a reason they gave)."},
	{"opt_out_date", KindDate, false, "When the person opted out (a mailing tool's UNSUB_TIME); date and time are kept to the day."},
	{"consent", KindBool, false, "Whether the person consented to be contacted."},
	{"external_id", KindText, false, "The id the source system gave the record."},
	{"amount", KindAmount, false, "Money amount, exact to the cent (\"150,00\", \"1 234,56 PLN\", \"1,234.56\"). Column option `decimal`: comma, dot or auto."},
	{"debit", KindAmount, false, "Money out, in a bank export with separate columns for money out and in (\"Obciążenia\", \"Débitos\", \"Cargo\"): stored as a negative amount, whatever its sign in the file. A table with debit or credit columns is read as a bank statement."},
	{"credit", KindAmount, false, "Money in, in a bank export with separate columns (\"Uznania\", \"Créditos\", \"Abono\"): stored as a positive amount."},
	{"currency", KindText, false, "ISO 4217 currency code (PLN, EUR, ARS); taken from the amount's text when it carries one."},
	{"date", KindDate, false, "Date of a payment or event (same options as birth_date)."},
	{"iban", KindIBAN, false, "Bank account number (IBAN), checksum validated."},
	{"reference", KindText, false, "Payment reference or transfer title."},
}

// FieldByName finds a canonical field.
func FieldByName(name string) (Field, bool) {
	for _, f := range Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// FieldNames lists the canonical field names.
func FieldNames() []string {
	out := make([]string, len(Fields))
	for i, f := range Fields {
		out[i] = f.Name
	}
	return out
}
