package review

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/padron-org/padron/pkg/store"
)

// Agreement says how two records' values of a field compare.
type Agreement int

const (
	Agree    Agreement = iota // equal, or both empty
	Differ                    // both given, not equal
	OneSided                  // only one record has a value
)

// Field is one line of two records side by side.
type Field struct {
	Name string    `json:"field"`
	A    string    `json:"a"`
	B    string    `json:"b"`
	Diff Agreement `json:"diff"`
	// Meta marks lines that name the record rather than the person (where it came
	// from): they always differ and are never highlighted.
	Meta bool `json:"meta,omitempty"`
}

// Diff lays two records out field by field, in the order a steward reads a person:
// name, contact, address, identity, then what only bank payers have, then where each
// record came from. Fields empty on both sides are left out.
func Diff(a, b store.RecordView) []Field {
	var out []Field
	add := func(name, va, vb string, eq func(x, y string) bool) {
		if va == "" && vb == "" {
			return
		}
		f := Field{Name: name, A: va, B: vb}
		switch {
		case va == "" || vb == "":
			f.Diff = OneSided
		case !eq(va, vb):
			f.Diff = Differ
		}
		out = append(out, f)
	}
	list := func(name string, la, lb []string) {
		add(name, strings.Join(la, ", "), strings.Join(lb, ", "), func(string, string) bool { return sameSet(la, lb) })
	}
	add("name", name(a), name(b), sameText)
	list("emails", a.Emails, b.Emails)
	list("phones", a.Phones, b.Phones)
	add("street", a.Street, b.Street, sameText)
	add("postcode", a.Postcode, b.Postcode, sameText)
	add("city", a.City, b.City, sameText)
	add("region", a.Region, b.Region, sameText)
	add("country", a.Country, b.Country, sameText)
	add("birth date", a.BirthDate, b.BirthDate, sameText)
	add("national id", a.NationalID, b.NationalID, sameText)
	add("organization", a.Org, b.Org, sameText)
	add("occupation", a.Occupation, b.Occupation, sameText)
	add("external id", a.ExternalID, b.ExternalID, sameText)
	// A bank payer is a record with an amount: what the statement said.
	add("amount", amount(a), amount(b), sameText)
	add("date", a.Date, b.Date, sameText)
	add("iban", a.IBAN, b.IBAN, sameText)
	add("title", a.Reference, b.Reference, sameText)
	out = append(out, Field{Name: "source", A: a.Ref, B: b.Ref, Meta: true})
	return out
}

// Differences counts the fields given on both sides that disagree.
func Differences(fs []Field) int {
	n := 0
	for _, f := range fs {
		if f.Diff == Differ && !f.Meta {
			n++
		}
	}
	return n
}

// name is how the record names its person: given and family names, or the full name
// when it was not split.
func name(r store.RecordView) string {
	if n := strings.TrimSpace(r.GivenName + " " + r.FamilyName); n != "" {
		return n
	}
	return r.FullName
}

func amount(r store.RecordView) string {
	if r.Amount == "" {
		return ""
	}
	return strings.TrimSpace(r.Amount + " " + r.Currency)
}

// sameText compares as a reader would: case, accents and spacing aside. García and
// Garcia are the same name to a steward (and to the matcher): highlighting them would
// hide the differences that matter.
func sameText(x, y string) bool {
	return fold(x) == fold(y)
}

func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.Join(strings.Fields(s), " ")) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// sameSet compares lists as sets: order says nothing about a person.
func sameSet(x, y []string) bool {
	norm := func(l []string) []string {
		out := make([]string, 0, len(l))
		for _, v := range l {
			out = append(out, fold(v))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(x), norm(y))
}
