package crm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/padron-org/padron/pkg/normalize"
	"github.com/padron-org/padron/pkg/store"
)

// Lookup finds a donor's person by id, for targets whose donation rows carry the
// donor's name and contact fields so that the CRM can match the contact.
type Lookup func(personID int64) (store.PersonView, bool)

// Target is one destination's import files: its columns, with the target's exact
// names, and how a person and a donation become a row.
type Target struct {
	Name string
	// Doc says in one line what the files are and how to import them.
	Doc string

	PeopleColumns []Column
	Person        func(p store.PersonView) []string

	DonationColumns []Column
	// DonorRequired says the CRM refuses a donation without its contact: rows of
	// donations no person is known for (PersonID 0) would fail its import, so the
	// caller should leave them out and say how many.
	DonorRequired bool
	// Donations returns the mapping of one export: it may keep state across the
	// rows of that export (CiviCRM's trxn_id must be unique), so call it once per
	// file. lookup may be nil when the target needs no donor fields.
	Donations func(lookup Lookup) func(d store.Donation) []string
}

// TargetOptions tunes the targets; the zero value suits the usual installations.
type TargetOptions struct {
	// NPSPUnmanaged drops the npsp__ namespace prefix from NPSP field names, for
	// orgs running NPSP unmanaged (development and scratch orgs). Installed NPSP is
	// the managed package and needs the prefix.
	NPSPUnmanaged bool
	// SuiteCRMCommitment fills stic_payments_stic_payment_commitments_name, the
	// SinergiaCRM payment commitment every payment must belong to (see suitecrm.go).
	SuiteCRMCommitment string
}

// Targets lists the targets, in the order help shows them. An explicit list, not
// init() registration: what exists is visible here.
func Targets(o TargetOptions) []Target {
	return []Target{
		Generic(),
		CiviCRM(),
		NPSP(o),
		SuiteCRM(o),
	}
}

// LookupTarget returns the target of that name.
func LookupTarget(name string, o TargetOptions) (Target, error) {
	var names []string
	for _, t := range Targets(o) {
		if t.Name == name {
			return t, nil
		}
		names = append(names, t.Name)
	}
	return Target{}, fmt.Errorf("unknown target %q: use one of %s", name, strings.Join(names, ", "))
}

// Export is one value of the CLI's --format: a target written in a file format.
type Export struct {
	Name   string
	Target string
	Format string
}

// Exports lists the --format values: padron's own columns as csv, xlsx or parquet,
// and each CRM's import CSV.
func Exports() []Export {
	return []Export{
		{Name: "csv", Target: "padron", Format: "csv"},
		{Name: "xlsx", Target: "padron", Format: "xlsx"},
		{Name: "parquet", Target: "padron", Format: "parquet"},
		{Name: "civicrm", Target: "civicrm", Format: "csv"},
		{Name: "npsp", Target: "npsp", Format: "csv"},
		{Name: "suitecrm", Target: "suitecrm", Format: "csv"},
	}
}

// LookupExport resolves a --format value to its target and file format.
func LookupExport(name string, o TargetOptions) (Target, Format, error) {
	var names []string
	for _, e := range Exports() {
		if e.Name != name {
			names = append(names, e.Name)
			continue
		}
		t, err := LookupTarget(e.Target, o)
		if err != nil {
			return Target{}, Format{}, err
		}
		f, err := LookupFormat(e.Format)
		return t, f, err
	}
	return Target{}, Format{}, fmt.Errorf("unknown export format %q: use one of %s", name, strings.Join(names, ", "))
}

// PeopleTable is the table of the people each yields, in t's columns. each is, for
// example, func(f func(store.PersonView) error) error { return st.EachPerson(ctx, f) }.
func PeopleTable(t Target, each func(func(store.PersonView) error) error) Table {
	return Table{Columns: t.PeopleColumns, Rows: func(emit func([]string) error) error {
		return each(func(p store.PersonView) error { return emit(t.Person(p)) })
	}}
}

// DonationsTable is the table of the donations each yields, in t's columns.
func DonationsTable(t Target, lookup Lookup, each func(func(store.Donation) error) error) Table {
	return Table{Columns: t.DonationColumns, Rows: func(emit func([]string) error) error {
		row := t.Donations(lookup)
		return each(func(d store.Donation) error { return emit(row(d)) })
	}}
}

// MapLookup is a Lookup over people already in memory.
func MapLookup(people []store.PersonView) Lookup {
	m := make(map[int64]store.PersonView, len(people))
	for _, p := range people {
		m[p.ID] = p
	}
	return func(id int64) (store.PersonView, bool) {
		p, ok := m[id]
		return p, ok
	}
}

// donor returns the donation's person, or a zero person when unknown.
func donor(lookup Lookup, d store.Donation) store.PersonView {
	if lookup == nil || d.PersonID == 0 {
		return store.PersonView{}
	}
	p, _ := lookup(d.PersonID)
	return p
}

func id(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// country returns an ISO 3166-1 alpha-2 code: golden records hold one already; a
// name that slipped through ("Polska") is converted, anything else kept as it is.
func country(s string) string {
	if len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	if s == "" {
		return ""
	}
	if c, err := normalize.Country(s); err == nil {
		return c
	}
	return s
}

// isLandline reports a phone the numbering plan says is a fixed line, for targets
// with separate home and mobile fields. Anything else (mobile, unknown, a region
// where both share numbers) goes to mobile, where most donors' numbers belong.
func isLandline(phone string) bool {
	n, err := phonenumbers.Parse(phone, "")
	if err != nil {
		return false
	}
	return phonenumbers.GetNumberType(n) == phonenumbers.FIXED_LINE
}

// splitPhone returns the phone as (mobile, landline), one of them empty.
func splitPhone(phone string) (mobile, landline string) {
	if phone == "" {
		return "", ""
	}
	if isLandline(phone) {
		return "", phone
	}
	return phone, ""
}
