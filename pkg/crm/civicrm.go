package crm

import (
	"strconv"

	"github.com/padron-org/padron/pkg/store"
)

// CiviCRM writes the CSVs of CiviCRM's Contacts import and Contributions import
// (Contacts » Import Contacts, Contributions » Import Contributions), one header per
// CiviCRM import field so that the mapping screen matches every column.
//
// Field names, checked against CiviCRM's schema (civicrm/civicrm-core,
// schema/Contact/Contact.entityType.php and schema/Contribute/Contribution.entityType.php):
//   - external_identifier: "Unique trusted external ID (generally from a legacy
//     app/datasource)", unique per contact, marked for import and duplicate matching.
//     It is padron's person id, and the contributions file names its donor by it
//     (choose "External Identifier" as the contact match in the contribution import).
//   - first_name, last_name, birth_date, do_not_email, is_opt_out: Contact fields.
//     is_opt_out is "No Bulk Emails (User Opt Out)".
//   - contact_source / contribution_source: both entities have a field "source";
//     the schema gives them these unique names, which the import uses to tell them apart.
//   - email, phone, street_address, postal_code, city, state_province, country: the
//     import's location fields (primary location); country takes the ISO code.
//   - total_amount, receive_date, financial_type, trxn_id, currency: Contribution
//     fields. trxn_id is unique in civicrm_contribution (see civicrmTrxnID).
//
// Dates are YYYY-MM-DD (the import's default date format), booleans 1/0, amounts
// dot-decimal exact text.
func CiviCRM() Target {
	return Target{
		Name: "civicrm",
		Doc:  "CiviCRM Contacts import and Contributions import CSVs, matched by external_identifier",
		PeopleColumns: []Column{
			{"external_identifier", Text}, {"first_name", Text}, {"last_name", Text}, {"email", Text},
			{"phone", Text}, {"street_address", Text}, {"postal_code", Text}, {"city", Text},
			{"state_province", Text}, {"country", Text}, {"birth_date", Date}, {"do_not_email", Bool},
			{"is_opt_out", Bool}, {"contact_source", Text},
		},
		Person: func(p store.PersonView) []string {
			// do_not_email mirrors the opt-out as well as is_opt_out: padron cannot tell a
			// newsletter unsubscribe from "do not email me", and a migration that emails
			// someone who said stop cannot be undone; CiviCRM users can clear it for receipts.
			return []string{strconv.FormatInt(p.ID, 10), p.GivenName, p.FamilyName, p.Email, p.Phone, p.Street,
				p.Postcode, p.City, p.Region, country(p.Country), p.BirthDate, bit(p.OptedOut), bit(p.OptedOut),
				"padron"}
		},
		DonorRequired: true,
		DonationColumns: []Column{
			{"external_identifier", Text}, {"total_amount", Amount}, {"receive_date", Date},
			{"financial_type", Text}, {"trxn_id", Text}, {"currency", Text}, {"contribution_source", Text},
		},
		Donations: func(Lookup) func(store.Donation) []string {
			seen := map[string]bool{}
			return func(d store.Donation) []string {
				return []string{id(d.PersonID), d.Amount, d.Date, "Donation", civicrmTrxnID(seen, d), d.Currency,
					"padron " + d.SourceFile}
			}
		},
	}
}

// civicrmTrxnID is the donation's bank reference, unless it is empty or already
// used in this file: trxn_id is unique in civicrm_contribution, so CiviCRM would
// refuse the second contribution. Those get an id derived from where the donation
// came from, the same in every export of the same store.
func civicrmTrxnID(seen map[string]bool, d store.Donation) string {
	t := d.Reference
	if t == "" || seen[t] {
		t = "padron:" + d.SourceFile + ":" + strconv.Itoa(d.RecordNo)
	}
	seen[t] = true
	return t
}
