package mapping

import (
	"strings"
	"testing"
	"testing/fstest"
)

const donors = `
name: donors-pl
source: darczyncy
default_country: Polska
detect:
  headers: [Imię, Nazwisko, Kwota]
columns:
  Imię: given_name
  Nazwisko: family_name
  Kwota: {field: amount, decimal: comma}
  Data wpłaty: {field: date, format: dd.mm.yyyy}
  Telefon: {field: phone, country: "PL, DE"}
  Uwagi: ignore
constants:
  tags: [donor, 2024]
  currency: PLN
`

func TestParseValidMapping(t *testing.T) {
	m, err := Parse([]byte(donors), "donors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "donors-pl" || m.DefaultCountry != "PL" || m.Source != "darczyncy" {
		t.Fatalf("parsed %+v", m)
	}
	if c := m.Columns["Kwota"]; c.Field != "amount" || c.Decimal != "comma" {
		t.Fatalf("Kwota = %+v", c)
	}
	if c := m.Columns["Telefon"]; c.Country != "PL,DE" {
		t.Fatalf("Telefon country = %q", c.Country)
	}
	if got := strings.Join(m.Constants["tags"], ","); got != "donor,2024" {
		t.Fatalf("tags constant = %q", got)
	}
}

func TestParseRejectsMistakesNamingEach(t *testing.T) {
	bad := `
columns:
  A: given_nmae
  B: {field: email, format: dd.mm.yyyy}
  C: {field: amount, decimal: semicolon}
  D: {field: birth_date, format: qq.zz}
  E: {field: full_name, order: backwards}
  F: {field: phone, country: Narnia}
constants:
  phone: "123"
`
	_, err := Parse([]byte(bad), "bad.yaml")
	if err == nil {
		t.Fatal("bad mapping accepted")
	}
	for _, want := range []string{`bad.yaml`, `column "A": unknown field "given_nmae"`, `column "B": format applies to dates`,
		`column "C": decimal "semicolon"`, `column "D": format "qq.zz"`, `column "E": order "backwards"`,
		`column "F": country`, `constant "phone"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if _, err := Parse([]byte("name: x\ncolumns:\n  A: email\nunknown_key: 1\n"), "typo.yaml"); err == nil {
		t.Error("unknown top-level key accepted")
	}
	if _, err := Parse([]byte("name: x\n"), "empty.yaml"); err == nil || !strings.Contains(err.Error(), "no columns") {
		t.Errorf("mapping without columns: %v", err)
	}
}

func testLibrary(t *testing.T) *Library {
	t.Helper()
	lib, err := NewLibrary(fstest.MapFS{
		"donors.yaml": {Data: []byte(donors)},
		"narrow.yaml": {Data: []byte("name: narrow\ncolumns:\n  Imię: given_name\n  Nazwisko: family_name\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func TestMatchPrefersTheMappingNamingMostColumns(t *testing.T) {
	lib := testLibrary(t)
	if m := lib.Match([]string{"IMIE", "nazwisko", "Kwota ", "Data wpłaty"}); m == nil || m.Name != "donors-pl" {
		t.Fatalf("match = %v, want donors-pl", m)
	}
	if m := lib.Match([]string{"Imię", "Nazwisko", "Miasto"}); m == nil || m.Name != "narrow" {
		t.Fatalf("match = %v, want narrow", m)
	}
	if m := lib.Match([]string{"Nombre", "Apellidos"}); m != nil {
		t.Fatalf("match = %v, want none", m.Name)
	}
}

func TestPlanWithMappingByHeaderAndBySynonyms(t *testing.T) {
	lib := testLibrary(t)
	p := lib.Plan([]string{"Imię", "Nazwisko", "Kwota", "Uwagi", "Kolor"}, nil)
	if p.Name != "donors-pl" || p.How != "detected by header" {
		t.Fatalf("plan %s/%s", p.Name, p.How)
	}
	if got := strings.Join(p.Fields(), ","); got != "given_name,family_name,amount,," {
		t.Fatalf("fields %q", got)
	}
	if got := strings.Join(p.Unmapped(), ","); got != "Uwagi,Kolor" {
		t.Fatalf("unmapped %q", got)
	}
	if got := strings.Join(p.Missing, ","); got != "Data wpłaty,Telefon" {
		t.Fatalf("missing %q", got)
	}

	p = lib.Plan([]string{"Nombre", "Apellidos", "Correo Electrónico", "E-Mail Address", "Kod pocztowy", "Color favorito"}, nil)
	if p.How != "header names" {
		t.Fatalf("how %s", p.How)
	}
	if got := strings.Join(p.Fields(), ","); got != "given_name,family_name,email,email,postcode," {
		t.Fatalf("fields %q", got)
	}

	// Headerless files are mapped by position.
	pos, err := Parse([]byte("name: pos\ncolumns:\n  \"#1\": full_name\n  \"#3\": email\n"), "pos.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p = lib.Plan([]string{"column_1", "column_2", "column_3"}, pos)
	if got := strings.Join(p.Fields(), ","); got != "full_name,,email" {
		t.Fatalf("positional fields %q", got)
	}
}

func TestUserMappingReplacesBuiltInOfSameName(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/narrow.yaml", "name: narrow\ndescription: mine\ncolumns:\n  Imię: given_name\n")
	lib, err := NewLibrary(fstest.MapFS{"narrow.yaml": {Data: []byte("name: narrow\ncolumns:\n  Imię: given_name\n")}}, dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := lib.Resolve("narrow")
	if err != nil || m.Description != "mine" || m.Origin != dir+"/narrow.yaml" {
		t.Fatalf("resolve = %+v, %v", m, err)
	}
	if _, err := lib.Resolve("nope"); err == nil || !strings.Contains(err.Error(), "known: narrow") {
		t.Fatalf("unknown mapping error: %v", err)
	}
	if m, err := lib.Resolve(dir + "/narrow.yaml"); err != nil || m.Name != "narrow" {
		t.Fatalf("resolve by path = %v, %v", m, err)
	}
}
