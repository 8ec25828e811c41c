package crm

import (
	"strconv"
	"strings"

	"github.com/padron-org/padron/pkg/store"
)

// SuiteCRM writes CSVs for SuiteCRM's import wizard (Contacts » Import) and, for
// donations, SinergiaCRM's Payments module (stic_Payments, SinergiaCRM being the
// SuiteCRM distribution for nonprofits).
//
// Contacts: field names of SuiteCRM's Person template and Contacts module
// (salesagility/SuiteCRM include/SugarObjects/templates/person/vardefs.php,
// modules/Contacts/vardefs.php): first_name, last_name, email1 (the primary email
// the import accepts), phone_mobile, phone_home, primary_address_street,
// primary_address_city, primary_address_state, primary_address_postalcode,
// primary_address_country, birthdate, email_opt_out (bool, 1/0) and description
// (which says where the contact came from: lead_source would fit better but is an
// enum whose keys vary by installation). SinergiaCRM adds stic_identification_number_c
// (the NIF/NIE its Modelo 182 tax report needs), which carries padron's national id;
// plain SuiteCRM has no such field, and the column is then left unmapped.
// SuiteCRM has no external-id field, so padron's person id travels as padron_id_c:
// a custom field ("_c", as Studio names them) the admin adds to Contacts before the
// import; it is what lets a second import update instead of duplicate.
//
// Payments: field names from SinergiaCRM's modules/stic_Payments/vardefs.php
// (SinergiaTIC/SinergiaCRM): name, payment_date (date, required), amount (decimal,
// required), payment_method (enum stic_payments_methods_list, required), payment_type
// (enum stic_payments_types_list, required), status (enum stic_payments_status_list,
// required), banking_concept (the transfer's title), description, and the relate
// fields stic_payments_contacts_name (the contact, found by name) and
// stic_payments_stic_payment_commitments_name (required: every payment belongs to a
// payment commitment; TargetOptions.SuiteCRMCommitment names an existing one). The
// module's transaction_code is an auto-increment the import cannot set, so the bank
// reference goes into name and description instead, with padron_id_c beside the
// contact name, ready to map onto a custom field.
//
// The enum keys are not all verifiable from the module's sources: "direct_debit",
// "transfer_issued" and "card" appear in its code, "unpaid" among statuses;
// "transfer_received" (a received transfer), "paid" and "donation" follow that
// naming but were not found in a list definition. Check them on the import's
// preview screen and fix them in the CSV if the installation's lists differ.
func SuiteCRM(o TargetOptions) Target {
	return Target{
		Name: "suitecrm",
		Doc:  "SuiteCRM Contacts import CSV and SinergiaCRM stic_Payments import CSV",
		PeopleColumns: []Column{
			{"padron_id_c", Text}, {"first_name", Text}, {"last_name", Text}, {"email1", Text},
			{"phone_mobile", Text}, {"phone_home", Text}, {"primary_address_street", Text},
			{"primary_address_city", Text}, {"primary_address_state", Text}, {"primary_address_postalcode", Text},
			{"primary_address_country", Text}, {"birthdate", Date}, {"email_opt_out", Bool},
			{"stic_identification_number_c", Text}, {"description", Text},
		},
		Person: func(p store.PersonView) []string {
			mobile, home := splitPhone(p.Phone)
			return []string{strconv.FormatInt(p.ID, 10), p.GivenName, p.FamilyName, p.Email, mobile, home, p.Street,
				p.City, p.Region, p.Postcode, country(p.Country), p.BirthDate, bit(p.OptedOut), p.NationalID,
				"padron person " + strconv.FormatInt(p.ID, 10)}
		},
		DonorRequired: true,
		DonationColumns: []Column{
			{"name", Text}, {"payment_date", Date}, {"amount", Amount}, {"payment_method", Text},
			{"payment_type", Text}, {"status", Text}, {"banking_concept", Text}, {"description", Text},
			{"stic_payments_contacts_name", Text}, {"padron_id_c", Text},
			{"stic_payments_stic_payment_commitments_name", Text},
		},
		Donations: func(lookup Lookup) func(store.Donation) []string {
			return func(d store.Donation) []string {
				p := donor(lookup, d)
				contact := strings.TrimSpace(p.GivenName + " " + p.FamilyName)
				name := d.Reference
				if name == "" {
					name = d.SourceFile + ":" + strconv.Itoa(d.RecordNo)
				}
				desc := "padron " + d.SourceFile + ":" + strconv.Itoa(d.RecordNo)
				if d.Reference != "" {
					desc += ", reference " + d.Reference
				}
				return []string{name, d.Date, d.Amount, "transfer_received", "donation", "paid", d.Title, desc,
					contact, id(d.PersonID), o.SuiteCRMCommitment}
			}
		},
	}
}
