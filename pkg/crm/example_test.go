package crm_test

import (
	"fmt"
	"os"

	"github.com/padron-org/padron/pkg/crm"
	"github.com/padron-org/padron/pkg/store"
)

// The CLI's `padron export people --format civicrm`, with a slice standing in for
// st.EachPerson.
func ExampleLookupExport() {
	target, format, err := crm.LookupExport("civicrm", crm.TargetOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	people := []store.PersonView{{ID: 7, GivenName: "Zofia", FamilyName: "Kowalczyk", Country: "PL", OptedOut: true}}
	each := func(f func(store.PersonView) error) error {
		for _, p := range people {
			if err := f(p); err != nil {
				return err
			}
		}
		return nil
	}
	n, err := crm.Write(os.Stdout, format, crm.PeopleTable(target, each), crm.Options{Delimiter: ";"})
	fmt.Println(n, err)
	// Output:
	// external_identifier;first_name;last_name;email;phone;street_address;postal_code;city;state_province;country;birth_date;do_not_email;is_opt_out;contact_source
	// 7;Zofia;Kowalczyk;;;;;;;PL;;1;1;padron
	// 1 <nil>
}
