package mapping

import (
	"fmt"
	"strings"
	"testing"
)

// col builds a column sample; values are repeated cyclically to n rows so shares are
// computed on a realistic sample size.
func col(header string, n int, values ...string) ColumnSample {
	c := ColumnSample{Header: header}
	for i := 0; i < n && len(values) > 0; i++ {
		c.Values = append(c.Values, values[i%len(values)])
	}
	return c
}

var (
	givenVals  = []string{"Anna", "Piotr", "Katarzyna", "María", "José", "Lucía", "Jan", "Ewa", "Javier", "Marta", "Tomasz", "Laura"}
	familyVals = []string{"Nowak", "Kowalska", "García López", "Wiśniewski", "Fernández", "Zieliński", "Pérez Gil", "Mazur", "Woźniak", "Torres", "Kaczmarek", "Ruiz"}
	fullVals   = []string{"Anna Nowak", "Piotr Kowalski", "María García López", "José Pérez", "Lucía Fernández", "Jan Mazur", "Ewa Woźniak", "Javier Torres"}
	emailVals  = []string{"anna.nowak@example.org", "p.kowalski@example.com", "maria.garcia@example.net", "jose99@example.org", "lucia@example.com", "jan.mazur@example.net"}
	phoneVals  = []string{"600 123 456", "+48 601 222 333", "612 345 678", "+34 699 111 222", "691-524-956", "+48 790 249 171"}
	cityVals   = []string{"Madrid", "Kraków", "Madrid", "Sevilla", "Kraków", "Warszawa", "Madrid", "Gdańsk"}
	birthVals  = []string{"12.03.1980", "01.11.1957", "23.07.1992", "05.05.1966", "30.01.2001", "17.09.1974"}
	payVals    = []string{"12.03.2024", "01.04.2024", "23.05.2024", "05.06.2024", "30.07.2024", "17.09.2024"}
	amountVals = []string{"150,00", "25,00", "1.250,50", "30,00", "75,00", "10,00"}
	yesNoVals  = []string{"tak", "nie", "tak", "tak", "nie"}
	sizeVals   = []string{"S", "M", "L", "XL", "M", "L"}
)

func inferOne(t *testing.T, c ColumnSample) Guess {
	t.Helper()
	g := Infer([]ColumnSample{c})
	if len(g) != 1 {
		t.Fatalf("Infer returned %d guesses for one column", len(g))
	}
	return g[0]
}

func TestInferHeaderVariants(t *testing.T) {
	cases := []struct {
		header string
		values []string
		want   string
	}{
		// Synonyms in several languages and spellings.
		{"Correo", emailVals, "email"},
		{"E-mail Address", emailVals, "email"},
		{"Imię", givenVals, "given_name"},
		{"Vorname", givenVals, "given_name"},
		{"Nazwisko", familyVals, "family_name"},
		{"Cognome", familyVals, "family_name"},
		{"Nombre y apellido", fullVals, "full_name"},
		{"Celular", phoneVals, "phone"},
		{"Telefone", phoneVals, "phone"},
		{"Localidad", cityVals, "city"},
		{"Miejscowość", cityVals, "city"},
		{"Kod pocztowy", []string{"00-950", "30-001", "85-947", "60-123"}, "postcode"},
		{"Código Postal", []string{"28041", "08001", "46001", "41003"}, "postcode"},
		{"Data urodzenia", birthVals, "birth_date"},
		{"Fecha de nacimiento", birthVals, "birth_date"},
		{"Kwota", amountVals, "amount"},
		{"Importe", amountVals, "amount"},
		// Abbreviations.
		{"Tel.", phoneVals, "phone"},
		{"Tlf", phoneVals, "phone"},
		{"Nr tel.", phoneVals, "phone"},
		{"Cod. Postal", []string{"28041", "08001", "46001", "41003"}, "postcode"},
		{"CP", []string{"28041", "08001", "46001", "41003"}, "postcode"},
		{"F. Nac.", birthVals, "birth_date"},
		{"Apell.", familyVals, "family_name"},
		{"Nom.", givenVals, "given_name"},
		// Typos.
		{"Apelido", familyVals, "family_name"},
		{"Emial", emailVals, "email"},
		{"Telefono movil", phoneVals, "phone"},
		{"Nazwsko", familyVals, "family_name"},
		// Words of the header.
		{"Teléfono móvil 2", phoneVals, "phone"},
		{"E-mail 2 - Value", emailVals, "email"},
		{"Home Phone", phoneVals, "phone"},
		{"Business Street", []string{"Calle Mayor 5", "ul. Długa 12/3", "Av. Corrientes 1234"}, "street"},
		{"Spendenbetrag", amountVals, "amount"},
	}
	for _, c := range cases {
		g := inferOne(t, col(c.header, 24, c.values...))
		if g.Field != c.want {
			t.Errorf("%q: got %q (%.2f, %s), want %s", c.header, g.Field, g.Confidence, g.Reason, c.want)
		} else if g.Confidence < Confident {
			t.Errorf("%q: %s only at %.2f (%s)", c.header, g.Field, g.Confidence, g.Reason)
		}
	}
}

func TestInferValuesOverruleHeader(t *testing.T) {
	g := inferOne(t, col("Contacto", 20, emailVals...))
	if g.Field != "email" || g.Confidence < Confident {
		t.Errorf("Contacto full of emails: %+v", g)
	}
	if !strings.Contains(g.Reason, "Contacto") || !strings.Contains(g.Reason, "emails") {
		t.Errorf("reason should name the header and the emails: %s", g.Reason)
	}
	// A given-name header holding whole names is a full name.
	g = inferOne(t, col("Nombre", 20, fullVals...))
	if g.Field != "full_name" {
		t.Errorf("Nombre holding whole names: %+v", g)
	}
	// A phone header over dates is not confidently a phone.
	g = inferOne(t, col("Teléfono", 20, payVals...))
	if g.Field == "phone" && g.Confidence >= Confident {
		t.Errorf("phone header over dates still confident: %+v", g)
	}
}

func TestInferHeaderless(t *testing.T) {
	cols := []ColumnSample{
		col("column_1", 24, givenVals...),
		col("column_2", 24, familyVals...),
		col("column_3", 24, emailVals...),
		col("column_4", 24, phoneVals...),
		col("column_5", 24, amountVals...),
		col("column_6", 24, payVals...),
		col("column_7", 24, "PL61 1090 1014 0000 0712 1981 2874", "ES91 2100 0418 4502 0005 1332"),
	}
	want := []string{"given_name", "family_name", "email", "phone", "amount", "date", "iban"}
	for i, g := range Infer(cols) {
		if g.Field != want[i] {
			t.Errorf("column %d: got %q (%s), want %s", i+1, g.Field, g.Reason, want[i])
		}
	}
}

func TestInferNoWrongConfidentGuessOnWeakEvidence(t *testing.T) {
	for _, c := range []ColumnSample{
		col("Talla de camiseta", 20, sizeVals...),
		col("Kolor", 20, "niebieski", "czerwony", "zielony"),
		col("column_3", 20, yesNoVals...),
		col("", 0),
		col("Estado civil", 20, "soltera", "casado", "viudo"),
	} {
		g := inferOne(t, c)
		if g.Field != "" && g.Confidence >= Confident {
			t.Errorf("%q mapped to %s at %.2f on weak evidence (%s)", c.Header, g.Field, g.Confidence, g.Reason)
		}
	}
	// A yes/no column with no header cannot say whether it is consent or opt-out.
	if g := inferOne(t, col("column_3", 20, yesNoVals...)); g.Field != "" {
		t.Errorf("headerless yes/no column mapped to %s", g.Field)
	}
}

func TestInferConflicts(t *testing.T) {
	gs := Infer([]ColumnSample{
		col("Imię rodzica", 20, givenVals...),
		col("Imię dziecka", 20, givenVals[3:]...),
		col("Email", 20, emailVals...),
		col("Email 2", 20, emailVals[2:]...),
		col("Teléfono", 20, phoneVals...),
		col("Móvil", 20, phoneVals[1:]...),
		col("Primer apellido", 20, familyVals...),
		col("Segundo apellido", 20, familyVals[4:]...),
		col("Kwota", 20, amountVals...),
		col("Saldo", 20, "1.200,00", "980,50", "2.310,00"),
	})
	want := []string{"given_name", "", "email", "email", "phone", "phone", "family_name", "family_name", "amount", ""}
	for i, g := range gs {
		if g.Field != want[i] {
			t.Errorf("column %d: got %q (%s), want %q", i+1, g.Field, g.Reason, want[i])
		}
	}
	if !strings.Contains(gs[1].Reason, "Imię rodzica") {
		t.Errorf("the losing column should say who won: %s", gs[1].Reason)
	}
}

func TestInferHouseNumberJoinsStreet(t *testing.T) {
	gs := Infer([]ColumnSample{
		col("Calle", 20, "Calle Mayor", "Avenida de la Paz", "Plaza del Sol"),
		col("Número", 20, "12", "5", "140", "7B"),
		col("Email", 20, emailVals...),
	})
	if gs[0].Field != "street" || gs[1].Field != "street" {
		t.Errorf("street and house number: %+v / %+v", gs[0], gs[1])
	}
}

func TestInferIsDeterministic(t *testing.T) {
	cols := []ColumnSample{col("Nombre", 20, givenVals...), col("Fecha", 20, payVals...), col("column_3", 20, cityVals...),
		col("PLZ Wohnort", 20, "10115", "80331", "50667"), col("Date of Gift", 20, payVals...)}
	first := fmt.Sprintf("%+v", Infer(cols))
	for i := 0; i < 20; i++ {
		if got := fmt.Sprintf("%+v", Infer(cols)); got != first {
			t.Fatalf("run %d differs:\n%s\n%s", i, got, first)
		}
	}
}

func TestInferBlockers(t *testing.T) {
	for _, c := range []ColumnSample{
		col("Fecha de alta", 20, payVals...),
		col("Created Date", 20, payVals...),
		col("Eintrittsdatum", 20, payVals...),
		col("Emergency contact phone", 20, phoneVals...),
		col("E-mail 1 - Type", 20, "* Home", "* Work"),
	} {
		if g := inferOne(t, c); g.Field != "" {
			t.Errorf("%q mapped to %s (%s)", c.Header, g.Field, g.Reason)
		}
	}
}

var (
	esIDVals    = []string{"12345678Z", "X1234567L", "87654321X", "00000000T", "Y1234567X", "35927736B"}
	peselVals   = []string{"44051401359", "02070803628", "02213101235", "80010101230", "20301234560", "99123112343"}
	cuitVals    = []string{"20-12345678-6", "27-35927736-4", "30-71234567-1", "20-30123456-3"}
	arDNIVals   = []string{"35.927.736", "26418164", "33.574.365", "44.990.556", "31522041", "4.567.890"}
	jobVals     = []string{"Maestra", "Estudiante", "Jubilado", "Enfermero", "Abogada", "Estudiante"}
	plPhoneVals = []string{"600123456", "501234567", "790249171", "884555123", "693127845", "511022334"}
)

func TestInferNationalIDAndOccupation(t *testing.T) {
	for _, c := range []struct {
		col       ColumnSample
		want      string
		confident bool
	}{
		{col("DNI", 20, esIDVals...), "national_id", true},
		{col("NIF", 20, esIDVals...), "national_id", true},
		{col("PESEL", 20, peselVals...), "national_id", true},
		{col("CUIT/CUIL", 20, cuitVals...), "national_id", true},
		{col("Nro. de documento", 20, arDNIVals...), "national_id", true},
		{col("Documento", 20, arDNIVals...), "national_id", true},
		{col("Numer dowodu", 20, "ABC123456", "AYZ654321", "CBA112233"), "national_id", true},
		{col("National ID", 20, "AB1234567", "X9876543", "123-45-6789"), "national_id", true},
		{col("Tipo y nº de documento", 20, "DNI 12345678Z", "NIE X1234567L", "DNI 87654321X"), "national_id", false},
		// The values alone: a header that names nothing, or none at all.
		{col("column_3", 20, esIDVals...), "national_id", true},
		{col("column_3", 20, peselVals...), "national_id", true},
		{col("Identificación", 20, cuitVals...), "national_id", false},
		// Not national ids: phone numbers and postcodes keep their fields, plain numbers
		// stay unmapped without a header.
		{col("column_3", 20, plPhoneVals...), "phone", false},
		{col("Teléfono", 20, "11144477735", "48600123456", "34600123456", "11987654321"), "phone", false},
		{col("column_3", 20, "00-950", "30-001", "85-947", "60-123"), "postcode", true},
		{col("column_3", 20, "26418164", "31522041", "27684715", "29933639", "32474486"), "", false},
		{col("Tipo de documento", 20, "DNI", "Pasaporte", "DNI", "NIE"), "", false},
		{col("ID number", 20, "10234", "10235", "10236", "10240", "10251", "10260"), "", false},       // member numbers
		{col("Monto", 6, "1.500.000", "2.000.000", "1.250.000", "3.000.000", "1.000.000"), "", false}, // not dotted DNIs
		// Occupation only from the header: a profession is free text.
		{col("Profesión", 20, jobVals...), "occupation", true},
		{col("Zawód", 20, "nauczycielka", "emeryt", "student", "lekarz"), "occupation", true},
		{col("Job Title", 20, "Manager", "Director", "Coordinator"), "occupation", true},
		{col("Organization Title", 20, "Manager", "Director", "Coordinator"), "occupation", true},
		{col("Profesión", 20, "Sí", "No", "Sí"), "", false},
	} {
		g := inferOne(t, c.col)
		if g.Field != c.want || (c.confident && g.Confidence < Confident) {
			t.Errorf("%q %v: %s at %.2f (%s); want %s", c.col.Header, c.col.Values[:3], g.Field, g.Confidence, g.Reason, c.want)
		}
	}
	// A national id column does not take a phone column's place, nor the reverse.
	gs := Infer([]ColumnSample{col("Nombre", 20, fullVals...), col("Móvil", 20, plPhoneVals...), col("DNI", 20, esIDVals...)})
	if gs[1].Field != "phone" || gs[2].Field != "national_id" {
		t.Errorf("phone and DNI side by side: %s, %s", gs[1].Field, gs[2].Field)
	}
	// "Nie" is Polish for "no": a Polish yes/no header is not about NIEs.
	if g := inferOne(t, col("Nie wysyłać newslettera", 20, yesNoVals...)); g.Field == "national_id" {
		t.Errorf("Polish no-newsletter column mapped to national_id (%s)", g.Reason)
	}
}

func TestInferOptions(t *testing.T) {
	g := inferOne(t, col("Date of gift", 20, "03/25/2024", "12/01/2024", "07/14/2024", "01/02/2024"))
	if g.Field != "date" || g.Options.Format != "mm/dd/yyyy" {
		t.Errorf("month-first dates: %+v", g)
	}
	g = inferOne(t, col("Data urodzenia", 20, birthVals...))
	if g.Options.Format != "dd.mm.yyyy" {
		t.Errorf("day-first dotted dates: format %q", g.Options.Format)
	}
	g = inferOne(t, col("Kwota", 20, amountVals...))
	if g.Options.Decimal != "comma" {
		t.Errorf("decimal comma: %+v", g.Options)
	}
	g = inferOne(t, col("Amount", 20, "150.00", "25.50", "1,250.00"))
	if g.Options.Decimal != "dot" {
		t.Errorf("decimal dot: %+v", g.Options)
	}
	g = inferOne(t, col("Darczyńca", 20, "KOWALSKA Anna", "NOWAK Piotr", "WIŚNIEWSKI Jan", "Kowalski Jan", "Zielińska Ewa"))
	if g.Field != "full_name" || g.Options.Order != "family_first" {
		t.Errorf("family-first names: %+v", g)
	}
	g = inferOne(t, col("Telefon", 20, "600 123 456", "501 234 567", "790 249 171", "884 555 123"))
	if g.Field != "phone" {
		t.Errorf("phone: %+v", g)
	}
	g = inferOne(t, col("Celular", 20, "(11) 99876-5432", "(21) 98765-4321", "11987654321", "(31) 99123-4567"))
	if g.Options.Country != "BR" {
		t.Errorf("Brazilian numbers: country %q (%s)", g.Options.Country, g.Reason)
	}
	// Spanish mobiles are valid Polish numbers too: no country rather than a guess.
	g = inferOne(t, col("Móvil", 20, "600 123 456", "612 345 678", "699 111 222", "655 443 322"))
	if g.Options.Country != "" {
		t.Errorf("ambiguous numbers given country %q", g.Options.Country)
	}
	// The options must be valid for a mapping.
	m := &Mapping{Columns: map[string]Column{"a": g.Options}}
	if err := m.Validate(); err != nil {
		t.Error(err)
	}
}

func TestInferEmptyAndRagged(t *testing.T) {
	if g := Infer(nil); len(g) != 0 {
		t.Errorf("Infer(nil) = %v", g)
	}
	g := Infer([]ColumnSample{{Header: "Email"}, {Header: "column_2", Values: []string{" ", ""}}})
	if g[0].Field != "email" {
		t.Errorf("empty Email column: %+v", g[0])
	}
	if g[1].Field != "" {
		t.Errorf("empty headerless column: %+v", g[1])
	}
	cols := SampleColumns([]string{"a", "b"}, [][]string{{"1"}, {"2", "x"}, {}})
	if len(cols[0].Values) != 2 || len(cols[1].Values) != 1 {
		t.Errorf("SampleColumns on ragged rows: %+v", cols)
	}
}

func TestSampleColumnsSpreadsOverTable(t *testing.T) {
	rows := make([][]string, 5000)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(i)}
	}
	c := SampleColumns([]string{"n"}, rows)[0]
	if len(c.Values) != MaxSample {
		t.Fatalf("%d values sampled", len(c.Values))
	}
	if c.Values[len(c.Values)-1] == fmt.Sprint(MaxSample-1) {
		t.Error("sample taken from the top of the table only")
	}
}

func TestReasonsAreSentences(t *testing.T) {
	gs := Infer([]ColumnSample{col("Correo", 20, emailVals...), col("Talla", 20, sizeVals...)})
	if r := gs[0].Reason; !strings.Contains(r, `"Correo"`) || !strings.Contains(r, "email") || !strings.Contains(r, "100%") {
		t.Errorf("reason: %s", r)
	}
	if gs[1].Reason == "" || gs[1].Field != "" {
		t.Errorf("unmapped column needs a reason: %+v", gs[1])
	}
	for _, g := range gs {
		if strings.Contains(g.Reason, "\n") {
			t.Errorf("reason spans lines: %q", g.Reason)
		}
	}
}

func TestTokenize(t *testing.T) {
	got := func(h string) string {
		var ws []string
		for _, t := range tokenize(h) {
			w := t.w
			if t.dotted {
				w += "."
			}
			ws = append(ws, w)
		}
		return strings.Join(ws, " ")
	}
	for h, want := range map[string]string{
		"F. Nac.":           "f. nac.",
		"E-mail 2 - Value":  "e mail 2 value",
		"1er Apellido":      "1er apellido",
		"2º Apellido":       "2o apellido",
		"N° de socio":       "no de socio",
		"DonorFirstName":    "donor first name",
		"TELEFONO_CONTACTO": "telefono contacto",
		"Straße, Nr.":       "strasse nr.",
	} {
		if g := got(h); g != want {
			t.Errorf("tokenize(%q) = %q, want %q", h, g, want)
		}
	}
}

func TestOSADistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"emial", "email", 1}, {"nazwsko", "nazwisko", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"miasot", "miasto", 1}} {
		if d := osaDistance(c.a, c.b); d != c.d {
			t.Errorf("osa(%q, %q) = %d, want %d", c.a, c.b, d, c.d)
		}
	}
}

func TestSynonymsConsistent(t *testing.T) {
	owner := map[string]string{}
	for f, names := range synonymLists {
		if _, ok := FieldByName(f); !ok {
			t.Errorf("synonyms for unknown field %q", f)
		}
		for _, n := range names {
			k := HeaderKey(n)
			if o, ok := owner[k]; ok && o != f {
				t.Errorf("synonym %q names both %s and %s", n, o, f)
			}
			owner[k] = f
		}
	}
}
