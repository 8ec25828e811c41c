package money

import (
	"testing"
	"time"
)

func TestKind(t *testing.T) {
	for _, c := range []struct {
		cents int64
		code  string
		want  string
	}{
		{1500, "NTRF", "credit"}, {-1500, "NTRF", "debit"}, {-300, "NCHG", "fee"},
		{-300, "PMNT/CCRD/CHRG", "fee"}, {-300, "ACMT/MDOP/FEES", "fee"}, {0, "", "credit"},
	} {
		if got := Kind(c.cents, c.code); got != c.want {
			t.Errorf("Kind(%d, %q) = %q, want %q", c.cents, c.code, got, c.want)
		}
	}
}

func TestExclude(t *testing.T) {
	user, err := Compile([]Rule{
		{Name: "city hall grant", CounterpartyName: "Ayuntamiento"},
		{Name: "own transfers", Title: `przelew w(ł|l)asny`},
		{Name: "card acquirer", CounterpartyIBAN: []string{"es91 2100 0418 4502 0005 1332"}, TypeCode: "NTRF"},
	})
	if err != nil {
		t.Fatal(err)
	}
	rs := Rules{User: user, Own: map[string]bool{"PL10105000997603123456789123": true}}
	for _, c := range []struct {
		name string
		tx   Tx
		want string
	}{
		{"a gift", Tx{Kind: "credit", Cents: 100, CounterpartyName: "KOWALSKA ANNA"}, ""},
		{"a debit is never asked", Tx{Kind: "debit", Cents: -100, CounterpartyName: "AYUNTAMIENTO"}, ""},
		{"reversal", Tx{Kind: "credit", Cents: 100, Reversal: true}, RuleReversal},
		{"zero", Tx{Kind: "credit", Cents: 0}, RuleZero},
		{"own account, NRB form", Tx{Kind: "credit", Cents: 100, CounterpartyIBAN: "10 1050 0099 7603 1234 5678 9123"}, RuleOwnTransfer},
		{"interest", Tx{Kind: "credit", Cents: 5, TypeCode: "NINT"}, RuleInterest},
		{"interest by title", Tx{Kind: "credit", Cents: 5, Title: "LIQUIDACION INTERESES"}, RuleInterest},
		{"a gift titled interest", Tx{Kind: "credit", Cents: 500, CounterpartyName: "ANA RUIZ", Title: "sin intereses"}, ""},
		{"name, accents ignored", Tx{Kind: "credit", Cents: 100, CounterpartyName: "AYUNTAMIENTO DE MÁLAGA"}, "city hall grant"},
		{"title regexp", Tx{Kind: "credit", Cents: 100, Title: "PRZELEW WŁASNY na konto"}, "own transfers"},
		{"all conditions must hold", Tx{Kind: "credit", Cents: 100, CounterpartyIBAN: "ES9121000418450200051332", TypeCode: "RCDT"}, ""},
		{"iban and type", Tx{Kind: "credit", Cents: 100, CounterpartyIBAN: "ES9121000418450200051332", TypeCode: "ntrf"}, "card acquirer"},
	} {
		if got := rs.Exclude(c.tx); got != c.want {
			t.Errorf("%s: Exclude = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCompileRefuses(t *testing.T) {
	if _, err := Compile([]Rule{{Name: "empty"}}); err == nil {
		t.Error("a rule without conditions was accepted")
	}
	if _, err := Compile([]Rule{{Name: "bad", Title: "("}}); err == nil {
		t.Error("a bad regexp was accepted")
	}
}

func TestKeys(t *testing.T) {
	day := time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)
	a, b := NewKeys(), NewKeys()
	// Two equal gifts on one day without a reference stay two; the same pair in a
	// second file gets the same keys.
	k1 := a.Key("PL10105000997603123456789123", day, 2000, "PLN", "NONREF", "PL27114020040000300201355387", "Darowizna")
	k2 := a.Key("PL10105000997603123456789123", day, 2000, "PLN", "NONREF", "PL27114020040000300201355387", "Darowizna")
	if k1 == k2 {
		t.Fatalf("two identical entries in one file got one key %q", k1)
	}
	if got := b.Key("PL10 1050 0099 7603 1234 5678 9123", day, 2000, "pln", "", "PL27114020040000300201355387", " darowizna "); got != k1 {
		t.Errorf("same entry in an overlapping file: key %q, want %q", got, k1)
	}
	// A bank reference decides alone.
	r1 := a.Key("ACC", day, 100, "EUR", "REF1", "", "x")
	if r2 := b.Key("ACC", day.AddDate(0, 0, 1), 100, "EUR", "REF1", "", "y"); r1 != r2 {
		t.Errorf("same reference, different keys: %q %q", r1, r2)
	}
	if r3 := b.Key("ACC", day, 100, "EUR", "REF2", "", "x"); r3 == r1 {
		t.Error("different references share a key")
	}
}

func TestSplitPayer(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Payer
	}{
		{"KOWALSKA ANNA", Payer{Name: "KOWALSKA ANNA"}},
		{"JAN KOWALSKI UL. POLNA 3 00-950 WARSZAWA", Payer{Name: "JAN KOWALSKI", Street: "UL. POLNA 3", Postcode: "00-950", City: "WARSZAWA"}},
		{"GARCIA LOPEZ MARIA C/ MAYOR 5, 28013 MADRID", Payer{Name: "GARCIA LOPEZ MARIA", Street: "C/ MAYOR 5", Postcode: "28013", City: "MADRID"}},
		{"NOWAK ANNA UL.DLUGA 7", Payer{Name: "NOWAK ANNA", Street: "UL.DLUGA 7"}},
		{"PEREZ JUAN AV. CORRIENTES 1234 C1043AAZ BUENOS AIRES", Payer{Name: "PEREZ JUAN", Street: "AV. CORRIENTES 1234", Postcode: "C1043AAZ", City: "BUENOS AIRES"}},
		// Surnames that are also street words: an address needs a house number.
		{"MARINA PLAZA IBARRAVÓN", Payer{Name: "MARINA PLAZA IBARRAVÓN"}},
		{"RONDA GIL PEDRO", Payer{Name: "RONDA GIL PEDRO"}},
		{"ANA CAMINO PLAZA MAYOR 3 28012 MADRID", Payer{Name: "ANA CAMINO", Street: "PLAZA MAYOR 3", Postcode: "28012", City: "MADRID"}},
		{"MANUEL VIDAL GIL CARRER DE BALMES 1", Payer{Name: "MANUEL VIDAL GIL", Street: "CARRER DE BALMES 1"}},
		{"Concepcion Cervantes Gran Via 142 28035 Madrid", Payer{Name: "Concepcion Cervantes", Street: "Gran Via 142", Postcode: "28035", City: "Madrid"}},
	} {
		if got := SplitPayer(c.in); got != c.want {
			t.Errorf("SplitPayer(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestPayerFromTitle(t *testing.T) {
	for in, want := range map[string]string{
		"TRANSFERENCIA DE JUAN GARCIA LOPEZ, CONCEPTO DONATIVO":   "JUAN GARCIA LOPEZ",
		"BIZUM DE MARIA PEREZ CONCEPTO CUOTA":                     "MARIA PEREZ",
		"Transf. de Lucía Fernández Ruiz; cuota mensual":          "Lucía Fernández Ruiz",
		"PRZELEW OD: JAN KOWALSKI TYT.: DAROWIZNA":                "JAN KOWALSKI",
		"TRANSFERENCIA DE TERCEROS - PEREZ JUAN CUIT 20123456789": "PEREZ JUAN",
		"RECIBO LUZ ENERO":       "",
		"COMISION MANTENIMIENTO": "",
	} {
		if got := PayerFromTitle(in); got != want {
			t.Errorf("PayerFromTitle(%q) = %q, want %q", in, got, want)
		}
	}
}
