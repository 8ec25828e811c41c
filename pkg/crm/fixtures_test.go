package crm

import "github.com/padron-org/padron/pkg/store"

// Invented people: no real personal data. They cover diacritics, an opt-out, a name
// that is formula text, a name carrying SQL, an id with leading zeros and a landline.
func fixturePeople() []store.PersonView {
	return []store.PersonView{
		{
			ID: 1, GivenName: "Łukasz", FamilyName: "Wróbel", Email: "lukasz.wrobel@example.org",
			Phone: "+48600123456", Street: "ul. Długa 5", Postcode: "30-001", City: "Kraków",
			Region: "małopolskie", Country: "PL", BirthDate: "1985-03-14", NationalID: "00012345678",
			Emails: []string{"lukasz.wrobel@example.org", "lw@example.net"}, Phones: []string{"+48600123456", "+48126543210"},
			Tags: []string{"newsletter"}, Sources: []string{"crm.csv", "bank.xml"}, Records: 3,
			Addresses: []string{"ul. Długa 5, 30-001 Kraków", "ul. Krótka 2, 31-002 Kraków"},
		},
		{
			ID: 2, GivenName: "José", FamilyName: "Muñoz García", Email: "jose.munoz@example.es",
			Phone: "+34912345678", Street: "Calle Mayor 1", Postcode: "28013", City: "Madrid",
			Region: "Madrid", Country: "ES", BirthDate: "1972-11-02",
			Emails: []string{"jose.munoz@example.es"}, Phones: []string{"+34912345678"},
			Sources: []string{"socios.xlsx"}, Records: 1, OptedOut: true,
		},
		{
			ID: 3, GivenName: `=HYPERLINK("http://x.example","click")`, FamilyName: "-Nowak", Email: "@attacker.example",
			Phone: "+48601234567", Street: "+SUM(A1)", Postcode: "00-950", City: "Warszawa", Country: "Polska",
			Emails: []string{"@attacker.example"}, Tags: []string{"=cmd|' /C calc'!A0"},
			Sources: []string{"import.csv"}, Records: 1,
		},
		{
			ID: 4, GivenName: "Robert'); DROP TABLE people;--", FamilyName: `O"Brien`, Email: "bobby@example.com",
			City: "Dublin", Country: "IE", Sources: []string{"event.csv"}, Records: 2,
		},
	}
}

func fixtureDonations() []store.Donation {
	return []store.Donation{
		{PersonID: 1, Date: "2024-01-05", Amount: "50.00", Currency: "PLN", SourceFile: "bank.xml", RecordNo: 1,
			Reference: "REF-0001", Name: "ŁUKASZ WRÓBEL", Title: "Darowizna na cele statutowe", Method: "record", Score: 0.9876},
		{PersonID: 1, Date: "2024-02-05", Amount: "1234.5678", Currency: "PLN", SourceFile: "bank.xml", RecordNo: 2,
			Reference: "REF-0001", Name: "ŁUKASZ WRÓBEL", Title: "Darowizna", Method: "record"},
		{PersonID: 2, Date: "2024-02-10", Amount: "12.50", Currency: "EUR", SourceFile: "socios.xlsx", RecordNo: 7,
			Name: "José Muñoz García", Title: "Cuota", Method: "email", Score: 0.75},
		{PersonID: 3, Date: "2024-03-01", Amount: "-12.50", Currency: "PLN", SourceFile: "bank.xml", RecordNo: 9,
			Reference: "=1+1", Name: "NOWAK", Title: "@SUM(A1)", Method: "review", Candidate: 3, Score: 0.5},
		{PersonID: 0, Date: "2024-03-02", Amount: "0.10", Currency: "PLN", SourceFile: "bank.xml", RecordNo: 11,
			Reference: "REF-0099", Name: "NIEZNANY DARCZYŃCA", Title: "wpłata", Method: "new"},
	}
}

func peopleEach(people []store.PersonView) func(func(store.PersonView) error) error {
	return func(f func(store.PersonView) error) error {
		for _, p := range people {
			if err := f(p); err != nil {
				return err
			}
		}
		return nil
	}
}

func donationsEach(ds []store.Donation) func(func(store.Donation) error) error {
	return func(f func(store.Donation) error) error {
		for _, d := range ds {
			if err := f(d); err != nil {
				return err
			}
		}
		return nil
	}
}
