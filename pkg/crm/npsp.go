package crm

import (
	"strconv"

	"github.com/padron-org/padron/pkg/store"
)

// NPSP writes CSVs for Salesforce Nonprofit Success Pack's Data Importer: rows of the
// NPSP Data Import object (npsp__DataImport__c), loaded with Data Loader or the Data
// Import Wizard, then processed with "NPSP Data Import". One row per contact for
// people; one row per donation, carrying its donor's contact fields so that NPSP
// matches (or creates) the contact and links the donation to it.
//
// Field API names are those of the DataImport__c object in the NPSP source
// (SalesforceFoundation/NPSP, force-app/main/default/objects/DataImport__c/fields/):
// Contact1_Firstname__c, Contact1_Lastname__c, Contact1_Personal_Email__c,
// Contact1_Mobile_Phone__c, Contact1_Home_Phone__c, Contact1_Birthdate__c,
// Home_Street__c, Home_City__c, Home_State_Province__c, Home_Zip_Postal_Code__c,
// Home_Country__c, Donation_Donor__c, Donation_Amount__c, Donation_Date__c,
// Donation_Stage__c, Donation_Description__c, Payment_Check_Reference_Number__c.
//
// Namespace: the source is unprefixed, but installed NPSP is the managed package
// whose namespace is npsp (cumulusci.yml: "namespace: npsp"; its own scripts name
// the object npsp__DataImport__c), so in a customer org the fields are
// npsp__Contact1_Firstname__c and so on. The prefix is the default; TargetOptions.
// NPSPUnmanaged drops it for unmanaged development orgs.
//
// External id: NPSP has no field for another system's id. Its Data Import Settings
// offer "Contact Custom Unique ID" (Data_Import_Settings__c.Contact_Custom_Unique_ID__c,
// "An optional Unique Id field to use for Contact matching"): the API name of a
// custom field that exists on both Contact and DataImport__c. padron writes its
// person id as Padron_ID__c, a custom field (hence no npsp__ prefix) the admin
// creates on both objects and names in that setting; re-imports then update the
// same contacts instead of matching by name and email.
//
// The opt-out: the Data Import object has no field for Contact.HasOptedOutOfEmail,
// so it travels as the custom field Padron_Email_Opt_Out__c (checkbox, true/false);
// the admin creates it on DataImport__c and maps it to HasOptedOutOfEmail in
// Advanced Mapping. Dropping it instead would silently mail people who said stop.
//
// Phones: a number the numbering plan says is a fixed line goes to Home Phone,
// any other to Mobile Phone. Dates are YYYY-MM-DD, amounts dot-decimal.
// Donation_Donor__c is "Contact1" (the donation belongs to the contact, not an
// organization) and Donation_Stage__c "Closed Won" (money received).
// NPSP has no currency field: in a multi-currency org, load each currency separately.
func NPSP(o TargetOptions) Target {
	ns := "npsp__"
	if o.NPSPUnmanaged {
		ns = ""
	}
	contact := []Column{
		{"Padron_ID__c", Text},
		{ns + "Contact1_Firstname__c", Text},
		{ns + "Contact1_Lastname__c", Text},
		{ns + "Contact1_Personal_Email__c", Text},
		{ns + "Contact1_Mobile_Phone__c", Text},
		{ns + "Contact1_Home_Phone__c", Text},
		{ns + "Contact1_Birthdate__c", Date},
		{ns + "Home_Street__c", Text},
		{ns + "Home_City__c", Text},
		{ns + "Home_State_Province__c", Text},
		{ns + "Home_Zip_Postal_Code__c", Text},
		{ns + "Home_Country__c", Text},
		{"Padron_Email_Opt_Out__c", Bool},
	}
	contactRow := func(p store.PersonView) []string {
		if p.ID == 0 {
			return make([]string, len(contact))
		}
		mobile, home := splitPhone(p.Phone)
		return []string{strconv.FormatInt(p.ID, 10), p.GivenName, p.FamilyName, p.Email, mobile, home, p.BirthDate,
			p.Street, p.City, p.Region, p.Postcode, country(p.Country), strconv.FormatBool(p.OptedOut)}
	}
	donation := append(append([]Column(nil), contact...),
		Column{ns + "Donation_Donor__c", Text},
		Column{ns + "Donation_Amount__c", Amount},
		Column{ns + "Donation_Date__c", Date},
		Column{ns + "Donation_Stage__c", Text},
		Column{ns + "Donation_Description__c", Text},
		Column{ns + "Payment_Check_Reference_Number__c", Text},
	)
	return Target{
		Name:            "npsp",
		Doc:             "Salesforce NPSP Data Import (npsp__DataImport__c) CSVs, matched by the custom field Padron_ID__c",
		PeopleColumns:   contact,
		Person:          contactRow,
		DonationColumns: donation,
		DonorRequired:   true,
		Donations: func(lookup Lookup) func(store.Donation) []string {
			return func(d store.Donation) []string {
				row := contactRow(donor(lookup, d))
				return append(row, "Contact1", d.Amount, d.Date, "Closed Won", d.Title, d.Reference)
			}
		},
	}
}
