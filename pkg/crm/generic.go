package crm

import (
	"strconv"
	"strings"

	"github.com/padron-org/padron/pkg/store"
)

// Generic is padron's own export: the columns of 'padron export people' and
// 'padron export donations' (pkg/cli/export.go, pkg/cli/donations.go), so that
// those commands can write csv, xlsx and parquet through this package.
func Generic() Target {
	return Target{
		Name: "padron",
		Doc:  "padron's own columns, as 'padron export people' and 'export donations' write them",
		PeopleColumns: []Column{
			{"person_id", Int}, {"given_name", Text}, {"family_name", Text}, {"email", Text}, {"phone", Text},
			{"city", Text}, {"country", Text}, {"opted_out", Bool}, {"street", Text}, {"postcode", Text},
			{"region", Text}, {"birth_date", Date}, {"national_id", Text}, {"emails", Text}, {"phones", Text},
			{"tags", Text}, {"records", Int}, {"sources", Text}, {"addresses", Text},
		},
		Person: func(p store.PersonView) []string {
			return []string{strconv.FormatInt(p.ID, 10), p.GivenName, p.FamilyName, p.Email, p.Phone, p.City,
				p.Country, strconv.FormatBool(p.OptedOut), p.Street, p.Postcode, p.Region, p.BirthDate,
				p.NationalID, strings.Join(p.Emails, "; "), strings.Join(p.Phones, "; "), strings.Join(p.Tags, "; "),
				strconv.Itoa(p.Records), strings.Join(p.Sources, "; "), strings.Join(p.Addresses, " | ")}
		},
		DonationColumns: []Column{
			{"person_id", Int}, {"date", Date}, {"amount", Amount}, {"currency", Text}, {"source_file", Text},
			{"record_no", Int}, {"reference", Text}, {"method", Text}, {"score", Number},
			{"review_candidate", Int}, {"name", Text}, {"title", Text},
		},
		Donations: func(Lookup) func(store.Donation) []string {
			return func(d store.Donation) []string {
				score := ""
				if d.Score > 0 {
					score = strconv.FormatFloat(d.Score, 'f', 4, 64)
				}
				return []string{id(d.PersonID), d.Date, d.Amount, d.Currency, d.SourceFile, strconv.Itoa(d.RecordNo),
					d.Reference, d.Method, score, id(d.Candidate), d.Name, d.Title}
			}
		},
	}
}
