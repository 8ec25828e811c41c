package review

import (
	"testing"

	"github.com/padron-org/padron/pkg/store"
)

func TestDiff(t *testing.T) {
	a := store.RecordView{Ref: "voluntarios.csv:12", GivenName: "María", FamilyName: "García", Emails: []string{"m@x.org", "maria@y.org"},
		Phones: []string{"+34600111222"}, City: "Madrid", BirthDate: "1980-02-03", NationalID: "12345678Z"}
	b := store.RecordView{Ref: "banco.csv:3", FullName: "MARIA  GARCIA", Emails: []string{"Maria@y.org", "m@x.org"},
		Phones: []string{"+34600111223"}, City: "Madrid", Amount: "25.00", Currency: "EUR", Reference: "cuota"}
	got := map[string]Field{}
	var order []string
	for _, f := range Diff(a, b) {
		got[f.Name] = f
		order = append(order, f.Name)
	}
	want := map[string]Agreement{
		"name":        Agree, // accents, case and spacing aside
		"emails":      Agree, // a set: order and case aside
		"phones":      Differ,
		"city":        Agree,
		"birth date":  OneSided,
		"national id": OneSided,
		"amount":      OneSided,
		"title":       OneSided,
		"source":      Agree,
	}
	for name, w := range want {
		f, ok := got[name]
		if !ok {
			t.Errorf("no %s line", name)
			continue
		}
		if f.Diff != w {
			t.Errorf("%s: %q against %q is %v, want %v", name, f.A, f.B, f.Diff, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("lines %v, want only %d (fields empty on both sides left out)", order, len(want))
	}
	if order[0] != "name" || order[len(order)-1] != "source" || !got["source"].Meta {
		t.Errorf("order %v: name first, source last and meta", order)
	}
	if got["amount"].B != "25.00 EUR" || got["emails"].A != "m@x.org, maria@y.org" {
		t.Errorf("amount %q, emails %q", got["amount"].B, got["emails"].A)
	}
	if n := Differences(Diff(a, b)); n != 1 {
		t.Errorf("%d differences, want 1 (phones)", n)
	}
}
