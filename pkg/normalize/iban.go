package normalize

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// IBAN returns an IBAN without spaces or dashes and in capitals, after checking its
// country, its length for that country and its mod-97 check digits. A leading "IBAN"
// label is dropped. A Polish account number written without the country (NRB, 26
// digits) is accepted when its check digits are valid for PL, since its first two
// digits are the IBAN check digits.
func IBAN(s string) (string, error) {
	v := trim(s)
	if len(v) >= 4 && strings.EqualFold(v[:4], "iban") {
		v = strings.TrimLeft(v[4:], " :")
	}
	var buf [40]byte
	b := buf[:0]
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case '0' <= c && c <= '9', 'A' <= c && c <= 'Z':
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case c == ' ' || c == '-' || c == '.':
			continue
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(v[i:])
			if isBlank(r) {
				i += n - 1
				continue
			}
			return "", errors.New("IBAN has an invalid character " + quote(string(r)))
		default:
			return "", errors.New("IBAN has an invalid character " + quote(string(c)))
		}
		if len(b) == 34 {
			return "", errors.New("IBAN too long: more than 34 characters")
		}
		b = append(b, c)
	}
	if len(b) == 0 {
		return "", errors.New("empty IBAN")
	}
	if len(b) == 26 && allDigits(b) {
		// Polish NRB: the IBAN without "PL".
		pl := append([]byte("PL"), b...)
		if mod97(pl) == 1 {
			return string(pl), nil
		}
		return "", errors.New("account number is not a valid Polish NRB (checksum) nor an IBAN (no country)")
	}
	if len(b) < 5 {
		return "", errors.New("IBAN too short")
	}
	if b[0] < 'A' || b[0] > 'Z' || b[1] < 'A' || b[1] > 'Z' {
		return "", errors.New("IBAN must start with a country code")
	}
	if b[2] > '9' || b[3] > '9' {
		return "", errors.New("IBAN check digits (3rd and 4th characters) must be digits")
	}
	country := string(b[:2])
	want, ok := ibanLengths[country]
	if !ok {
		return "", errors.New("IBAN country " + country + " does not use IBANs")
	}
	if len(b) != want {
		return "", errors.New("IBAN for " + country + " must have " + strconv.Itoa(want) + " characters, not " + strconv.Itoa(len(b)))
	}
	if mod97(b) != 1 {
		return "", errors.New("IBAN checksum is wrong (typo?)")
	}
	return string(b), nil
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// mod97 computes ISO 7064 MOD 97-10 over the IBAN rearranged (first four characters
// moved to the end, letters as 10–35) without building the big number.
func mod97(b []byte) int {
	r := 0
	add := func(c byte) {
		if c >= 'A' {
			v := int(c-'A') + 10
			r = (r*100 + v) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	for _, c := range b[4:] {
		add(c)
	}
	for _, c := range b[:4] {
		add(c)
	}
	return r
}

// ibanLengths is the IBAN length of each country in the SWIFT IBAN registry.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
	"DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
	"GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
	"IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
	"LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
	"MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
	"PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
	"SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}
