package normalize

import (
	"strings"
	"testing"
)

func TestBool(t *testing.T) {
	yes := []string{"yes", "Yes", "YES", "y", "Y", "sí", "Sí", "SI", "si", "s", "S", "tak", "Tak", "T", "t",
		"sim", "Sim", "oui", "OUI", "ja", "Ja", "j", "true", "TRUE", "True", "1", "x", "X", "✓", "✔",
		"☑", "verdadero", "vero", "vrai", "wahr", "prawda", "on", " yes ", "Yes.", "\u00a0x\u00a0"}
	no := []string{"no", "No", "NO", "n", "N", "nie", "Nie", "NIE", "não", "nao", "NÃO", "non", "Non",
		"nein", "NEIN", "false", "FALSE", "0", "falso", "faux", "falsch", "fałsz", "f", "off", "✗"}
	for _, v := range yes {
		if b, err := Bool(v); err != nil || !b {
			t.Errorf("Bool(%q) = %v, %v; want true", v, b, err)
		}
	}
	for _, v := range no {
		if b, err := Bool(v); err != nil || b {
			t.Errorf("Bool(%q) = %v, %v; want false", v, b, err)
		}
	}
	bad := []struct{ in, reason string }{
		{"", "empty"},
		{"  ", "empty"},
		{"maybe", "not yes or no"},
		{"quizás", "not yes or no"},
		{"unsubscribed", "not yes or no"},
		{"baja", "not yes or no"},
		{"2", "not yes or no"},
		{"-", "not yes or no"},
		{"yes no", "not yes or no"},
		{"yesyesyesyesyesyesyesyesyes", "not yes or no"},
	}
	for _, c := range bad {
		if b, err := Bool(c.in); err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("Bool(%q) = %v, %v; want error containing %q", c.in, b, err, c.reason)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Bool("Sí") }); n != 0 {
		t.Errorf("Bool allocates %v times", n)
	}
}

func TestCountry(t *testing.T) {
	cases := []struct{ in, want string }{
		{"PL", "PL"}, {"pl", "PL"}, {"pol", "PL"}, {"POL", "PL"}, {"Polska", "PL"}, {"Poland", "PL"},
		{"Polonia", "PL"}, {"POLSKA", "PL"}, {" polska ", "PL"}, {"Polen", "PL"},
		{"España", "ES"}, {"Espana", "ES"}, {"ESPAÑA", "ES"}, {"Spain", "ES"}, {"Hiszpania", "ES"}, {"ESP", "ES"},
		{"Argentina", "AR"}, {"Argentyna", "AR"}, {"República Argentina", "AR"}, {"ARG", "AR"},
		{"Deutschland", "DE"}, {"Alemania", "DE"}, {"Niemcy", "DE"}, {"Germany", "DE"}, {"DEU", "DE"},
		{"UK", "GB"}, {"United Kingdom", "GB"}, {"Reino Unido", "GB"}, {"Wielka Brytania", "GB"}, {"England", "GB"},
		{"USA", "US"}, {"U.S.A.", "US"}, {"EE.UU.", "US"}, {"Estados Unidos", "US"}, {"Stany Zjednoczone", "US"},
		{"Ukraine", "UA"}, {"Ukraina", "UA"}, {"Україна", "UA"}, {"Ucrania", "UA"},
		{"Schweiz", "CH"}, {"Suiza", "CH"}, {"Szwajcaria", "CH"}, {"Suisse", "CH"},
		{"Norway", "NO"}, {"Norge", "NO"}, {"Noruega", "NO"}, {"Norwegia", "NO"},
		{"Czech Republic", "CZ"}, {"Czechy", "CZ"}, {"República Checa", "CZ"}, {"Česko", "CZ"},
		{"Países Bajos", "NL"}, {"Holandia", "NL"}, {"The Netherlands", "NL"},
		{"Brasil", "BR"}, {"Brazylia", "BR"}, {"México", "MX"}, {"Meksyk", "MX"}, {"Perú", "PE"},
		{"Uruguay", "UY"}, {"Paraguay", "PY"}, {"Chile", "CL"}, {"Bolivia", "BO"}, {"Venezuela", "VE"},
		{"Colombia", "CO"}, {"Ecuador", "EC"}, {"Canadá", "CA"}, {"Cuba", "CU"},
		{"República Dominicana", "DO"}, {"Islas Malvinas", "FK"},
		{"Włochy", "IT"}, {"Italia", "IT"}, {"Francja", "FR"}, {"Francia", "FR"}, {"Grecia", "GR"},
		{"EL", "GR"}, {"Ελλάδα", "GR"}, {"Litwa", "LT"}, {"Lietuva", "LT"}, {"Łotwa", "LV"},
		{"Węgry", "HU"}, {"Magyarország", "HU"}, {"Österreich", "AT"}, {"Irlandia", "IE"},
		{"Rumunia", "RO"}, {"Słowacja", "SK"}, {"Słowenia", "SI"}, {"Chorwacja", "HR"}, {"Szwecja", "SE"},
		{"Dania", "DK"}, {"Finlandia", "FI"}, {"Estonia", "EE"}, {"Bułgaria", "BG"}, {"Cypr", "CY"},
		{"Malta", "MT"}, {"Luksemburg", "LU"}, {"Belgia", "BE"}, {"Portugalia", "PT"},
		{"Białoruś", "BY"}, {"Bielorrusia", "BY"},
	}
	for _, c := range cases {
		got, err := Country(c.in)
		if err != nil || got != c.want {
			t.Errorf("Country(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, v := range []string{"", "Narnia", "XX", "Europa", "Granada"} {
		if got, err := Country(v); err == nil {
			t.Errorf("Country(%q) = %q, want error", v, got)
		}
	}
	if _, err := Country("Narnia"); err == nil || err.Error() != `unknown country "Narnia"` {
		t.Errorf("error %v", err)
	}
	if n := testing.AllocsPerRun(100, func() { Country("Polska") }); n != 0 {
		t.Errorf("Country allocates %v times", n)
	}
}

// Every code and name in the table must name one country only, and every EU member
// must be there.
func TestCountriesFile(t *testing.T) {
	seen := map[string]string{}
	codes := map[string]bool{}
	for i, line := range strings.Split(countriesFile, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 || len(f[0]) != 2 || len(f[1]) != 3 || strings.ToUpper(f[0]) != f[0] {
			t.Fatalf("line %d: want CODE ALPHA3 names: %q", i+1, line)
		}
		if codes[f[0]] {
			t.Errorf("line %d: %s twice", i+1, f[0])
		}
		codes[f[0]] = true
		keys := []string{strings.ToLower(f[0]), strings.ToLower(f[1])}
		for _, n := range strings.Split(f[2], ";") {
			keys = append(keys, string(appendCountryKey(nil, n)))
		}
		for _, k := range keys {
			if k == "" {
				t.Errorf("line %d: empty name", i+1)
			}
			if c, ok := seen[k]; ok && c != f[0] {
				t.Errorf("%q names both %s and %s", k, c, f[0])
			}
			seen[k] = f[0]
		}
	}
	for _, c := range strings.Fields("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE " +
		"GB US UA CH NO AR BO BR CL CO EC GY PY PE SR UY VE MX GT BZ SV HN NI CR PA CU DO HT JM TT BS BB AG DM GD KN LC VC CA") {
		if !codes[c] {
			t.Errorf("country %s missing", c)
		}
	}
}

func TestIBAN(t *testing.T) {
	ok := []struct{ in, want string }{
		{"PL61 1090 1014 0000 0712 1981 2874", "PL61109010140000071219812874"},
		{"pl61109010140000071219812874", "PL61109010140000071219812874"},
		{"PL89 1140 2004 0000 3502 1234 5678", "PL89114020040000350212345678"},
		{"PL60-1020-1026-0000-0422-7020-1111", "PL60102010260000042270201111"},
		{"IBAN: PL60 1020 1026 0000 0422 7020 1111", "PL60102010260000042270201111"},
		{"61 1090 1014 0000 0712 1981 2874", "PL61109010140000071219812874"}, // Polish NRB
		{"ES91 2100 0418 4502 0005 1332", "ES9121000418450200051332"},
		{"ES60 0049 1500 0512 3456 7892", "ES6000491500051234567892"},
		{"es94 2080 5801 1012 3456 7891", "ES9420805801101234567891"},
		{"DE89 3704 0044 0532 0130 00", "DE89370400440532013000"},
		{"DE91 5001 0517 5412 3456 78", "DE91500105175412345678"},
		{"DE29\u00a01001\u00a00010\u00a00987\u00a06543\u00a021", "DE29100100100987654321"},
		{"GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819"},
		{"FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"},
		{"NO93 8601 1117 947", "NO9386011117947"},
		{"CH93 0076 2011 6238 5295 7", "CH9300762011623852957"},
		{"UA21 3223 1300 0002 6007 2335 6600 1", "UA213223130000026007233566001"},
	}
	for _, c := range ok {
		got, err := IBAN(c.in)
		if err != nil || got != c.want {
			t.Errorf("IBAN(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, reason string }{
		{"", "empty"},
		{"PL62 1090 1014 0000 0712 1981 2874", "checksum"},
		{"PL61 1090 1014 0000 0712 1981 2875", "checksum"},
		{"ES91 2100 0418 4502 0005 1333", "checksum"},
		{"DE89 3704 0044 0532 0130 01", "checksum"},
		{"DE89 3704 0044 0532 0130 0", "DE must have 22 characters, not 21"},
		{"PL61 1090 1014 0000 0712 1981 287", "PL must have 28 characters, not 27"},
		{"AR12 3456 7890 1234", "AR does not use IBANs"},
		{"US12 3456", "US does not use IBANs"},
		{"1234", "too short"},
		{"12 1090 1014 0000 0712 1981 2874", "NRB"},
		{"1234567890123456", "must start with a country code"},
		{"PLAB 1090 1014 0000 0712 1981 2874", "check digits"},
		{"PL61 1090 1014 0000 0712 1981 2874 1234 5678", "too long"},
		{"PL61_1090", "invalid character"},
		{"PL61 1090 1014 0000 0712 1981 287ł", "invalid character"},
	}
	for _, c := range bad {
		got, err := IBAN(c.in)
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("IBAN(%q) = %q, %v; want error containing %q", c.in, got, err, c.reason)
		}
	}
}
