package normalize

import (
	"strings"
	"testing"
)

func TestNationalID(t *testing.T) {
	ok := []struct {
		in, want string
		kind     IDKind
	}{
		// Spanish DNI/NIF and NIE: the control letter is checked.
		{"12345678Z", "12345678Z", IDSpanishDNI},
		{"12345678z", "12345678Z", IDSpanishDNI},
		{" 12.345.678-Z ", "12345678Z", IDSpanishDNI},
		{"12345678 Z", "12345678Z", IDSpanishDNI},
		{"00000000T", "00000000T", IDSpanishDNI},
		{"87654321X", "87654321X", IDSpanishDNI},
		{"DNI: 12345678Z", "12345678Z", IDSpanishDNI},
		{"NIF 12345678-Z", "12345678Z", IDSpanishDNI},
		{"X1234567L", "X1234567L", IDSpanishNIE},
		{"x-1234567-l", "X1234567L", IDSpanishNIE},
		{"Y 1234567 X", "Y1234567X", IDSpanishNIE},
		{"Z1234567R", "Z1234567R", IDSpanishNIE},
		{"NIE X1234567L", "X1234567L", IDSpanishNIE},
		// Polish PESEL: birth date and check digit.
		{"44051401359", "44051401359", IDPESEL},
		{"02070803628", "02070803628", IDPESEL},
		{"02213101235", "02213101235", IDPESEL}, // born 2002-01-31: month + 20
		{"80010101230", "80010101230", IDPESEL},
		{"PESEL: 44051401359", "44051401359", IDPESEL},
		{"44051401359\u00a0", "44051401359", IDPESEL},
		{"20301234560", "20301234560", IDPESEL}, // also CUIT-shaped, but a valid PESEL
		// Argentine CUIT/CUIL: prefix and mod-11 check digit.
		{"20-12345678-6", "20123456786", IDCUIT},
		{"20123456786", "20123456786", IDCUIT},
		{"20 12345678 6", "20123456786", IDCUIT},
		{"20/12345678/6", "20123456786", IDCUIT},
		{"27-35927736-4", "27359277364", IDCUIT},
		{"30-71234567-1", "30712345671", IDCUIT},
		{"CUIL 20-30123456-3", "20301234563", IDCUIT},
		// Argentine DNI: no check digit; the dots mark it.
		{"35.927.736", "35927736", IDArgentineDNI},
		{"4.567.890", "4567890", IDArgentineDNI},
		// Brazilian CPF as written with its punctuation.
		{"111.444.777-35", "11144477735", IDCPF},
		{"11144477735", "11144477735", IDCPF},
		// Unknown shapes: kept, normalised, no check.
		{"35927736", "35927736", IDUnknown},       // a DNI without dots, or a Spanish one without its letter
		{"149195260", "149195260", IDUnknown},     // Portuguese NIF
		{"83046805162", "83046805162", IDUnknown}, // 11 digits that are neither PESEL- nor CUIT-shaped
		{"RSSMRA80A01H501U", "RSSMRA80A01H501U", IDCodiceFiscale},
		{"rssmra 80a01 h501u", "RSSMRA80A01H501U", IDCodiceFiscale},
		{"RSSMRA80A01H50XU", "RSSMRA80A01H50XU", IDUnknown}, // omocodia: not recognised, kept
		{"AB 123456", "AB123456", IDUnknown},                // a passport
		{"K1234567L", "K1234567L", IDUnknown},               // a NIF of another kind: not checked
		{"1234567T", "1234567T", IDUnknown},                 // an Irish PPS number, not a DNI missing a digit
		{"QQ 12 34 56 C", "QQ123456C", IDUnknown},           // a UK National Insurance number
	}
	for _, c := range ok {
		got, err := NationalID(c.in)
		if err != nil || got != c.want {
			t.Errorf("NationalID(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
		if k, valid := NationalIDKind(c.in); k != c.kind || !valid {
			t.Errorf("NationalIDKind(%q) = %v, %v; want %v, true", c.in, k, valid, c.kind)
		}
	}
	bad := []struct {
		in, reason string
		kind       IDKind
	}{
		{"12345678A", "DNI/NIF letter does not match", IDSpanishDNI},
		{"12.345.679-Z", "DNI/NIF letter does not match", IDSpanishDNI},
		{"12345678O", "DNI/NIF letter does not match", IDSpanishDNI},
		{"X1234567A", "NIE letter does not match", IDSpanishNIE},
		{"Y1234567L", "NIE letter does not match", IDSpanishNIE},
		{"44051401358", "PESEL check digit is wrong", IDPESEL},
		{"80010101231", "PESEL check digit is wrong", IDPESEL},
		{"20-12345678-5", "CUIT/CUIL check digit is wrong", IDCUIT},
		{"20123456785", "CUIT/CUIL check digit is wrong", IDCUIT},
		{"20301234561", "neither a valid PESEL nor a valid CUIT/CUIL", IDPESEL},
		{"111.444.777-36", "CPF check digits are wrong", IDCPF},
		{"", "empty", IDUnknown},
		{"   ", "empty", IDUnknown},
		{"-", "empty", IDUnknown},
		{"N/A", "no digits", IDUnknown},
		{"pendiente", "no digits", IDUnknown},
		{"123", "too short", IDUnknown},
		{"1234 5678 9012 3456 7890 1", "too long", IDUnknown},
		{"12345678Z!", "invalid character \"!\"", IDUnknown},
		{"ñ1234567", "invalid character \"ñ\"", IDUnknown},
		{"ana@example.org", "invalid character \"@\"", IDUnknown},
	}
	for _, c := range bad {
		got, err := NationalID(c.in)
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("NationalID(%q) = %q, %v; want error containing %q", c.in, got, err, c.reason)
		}
		if k, valid := NationalIDKind(c.in); k != c.kind || valid {
			t.Errorf("NationalIDKind(%q) = %v, %v; want %v, false", c.in, k, valid, c.kind)
		}
	}
}

// One wrong digit in a checked number is always caught: it is either rejected, or read
// as a number of another kind (a PESEL typo that happens to be a valid CPF) or of no
// known kind (a PESEL typo whose birth date is no longer a date).
func TestNationalIDCatchesOneWrongDigit(t *testing.T) {
	for _, valid := range []string{"44051401359", "02070803628", "20123456786", "27359277364", "12345678Z", "X1234567L"} {
		want, _ := NationalIDKind(valid)
		for i := 0; i < len(valid); i++ {
			if valid[i] < '0' || valid[i] > '9' {
				continue
			}
			for d := byte('0'); d <= '9'; d++ {
				typo := valid[:i] + string(d) + valid[i+1:]
				if kind, ok := NationalIDKind(typo); d != valid[i] && ok && kind == want {
					t.Errorf("%s: typo %s accepted as a valid %v", valid, typo, kind)
				}
			}
		}
	}
}

func TestNationalIDAllocations(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { NationalIDKind("20-12345678-6") }); n != 0 {
		t.Errorf("NationalIDKind allocates %v times", n)
	}
}
