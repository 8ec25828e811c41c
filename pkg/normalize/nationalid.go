package normalize

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// IDKind is the kind of national identity or tax number a value was recognised as.
type IDKind uint8

const (
	IDUnknown       IDKind = iota // another country's id, a passport number: kept, not checked
	IDSpanishDNI                  // Spanish DNI/NIF: 8 digits and a control letter
	IDSpanishNIE                  // Spanish NIE: X, Y or Z, 7 digits and a control letter
	IDArgentineDNI                // Argentine DNI written with dots (12.345.678): no check digit
	IDCUIT                        // Argentine CUIT/CUIL: 11 digits (20-12345678-9), mod-11 check digit
	IDPESEL                       // Polish PESEL: 11 digits, birth date and a check digit
	IDCPF                         // Brazilian CPF (123.456.789-09): two check digits
	IDCodiceFiscale               // Italian codice fiscale (RSSMRA80A01H501U): shape only, not checked
)

func (k IDKind) String() string {
	switch k {
	case IDSpanishDNI:
		return "DNI/NIF"
	case IDSpanishNIE:
		return "NIE"
	case IDArgentineDNI:
		return "DNI"
	case IDCUIT:
		return "CUIT/CUIL"
	case IDPESEL:
		return "PESEL"
	case IDCPF:
		return "CPF"
	case IDCodiceFiscale:
		return "codice fiscale"
	}
	return "identity number"
}

// Lengths of a national id once spaces, dots, hyphens and slashes are removed. The
// shortest real ones (old Argentine DNIs) have 6 or 7 digits, so fewer than 5 is a slip
// or a placeholder; the longest (Chinese resident ids) have 18 characters.
const (
	minNationalID = 5
	maxNationalID = 20
)

// NationalID returns a national identity or tax number upper-cased and without
// spaces, dots, hyphens or slashes ("20-12345678-9" → "20123456789"). Where the kind is
// recognisable and has a check digit or letter, it is verified: the Spanish DNI/NIF and
// NIE letter, the Polish PESEL and the Argentine CUIT/CUIL check digits, the Brazilian
// CPF written as 123.456.789-09. Other shapes (other countries' ids, passport numbers,
// an Argentine DNI, an Italian codice fiscale) are kept as written once normalised. A
// leading label such as "DNI" or "CUIT:" is dropped.
//
// A bare 11-digit number may be a PESEL, a CUIT/CUIL or a CPF: it is accepted when one
// of their checks passes, and rejected only when it has the shape of one (a PESEL's
// birth date, a CUIT's prefix) and no check passes.
func NationalID(s string) (string, error) {
	var buf [maxNationalID]byte
	b, _, err := parseNationalID(s, &buf)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// NationalIDKind reports which kind of number s is written as, and whether its check
// digits or letter are right (true for kinds that have none). A value NationalID
// cannot read at all is IDUnknown and not valid.
func NationalIDKind(s string) (kind IDKind, valid bool) {
	var buf [maxNationalID]byte
	_, kind, err := parseNationalID(s, &buf)
	if err != nil {
		var ce *checkError
		if errors.As(err, &ce) {
			return ce.kind, false
		}
		return IDUnknown, false
	}
	return kind, true
}

// checkError is a recognised number whose check digit or letter is wrong.
type checkError struct {
	kind IDKind
	msg  string
}

func (e *checkError) Error() string { return e.msg }

// idLabels are written before the number often enough to be dropped ("DNI 12345678Z",
// "CUIT: 20-12345678-9").
var idLabels = []string{"PESEL", "CUIT", "CUIL", "DNI", "NIE", "NIF", "CPF"}

func parseNationalID(s string, buf *[maxNationalID]byte) ([]byte, IDKind, error) {
	v := trim(s)
	for _, l := range idLabels {
		if len(v) > len(l) && strings.EqualFold(v[:len(l)], l) && strings.IndexByte(" :.#", v[len(l)]) >= 0 {
			v = strings.TrimLeft(v[len(l):], " :.#")
			break
		}
	}
	// groups are the lengths of the runs between separators, as written: they tell a
	// CUIT (2-8-1) or a CPF (3.3.3-2) from a PESEL, and mark an Argentine DNI (12.345.678).
	var groups [8]int
	ng, run := 0, 0
	dots, others := false, false // separators seen
	endRun := func() {
		if run > 0 {
			if ng < len(groups) {
				groups[ng] = run
			}
			ng++
			run = 0
		}
	}
	b := buf[:0]
	digits := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case '0' <= c && c <= '9':
			digits++
		case 'A' <= c && c <= 'Z':
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		case c == '.':
			dots = true
			endRun()
			continue
		case c == ' ' || c == '-' || c == '/':
			others = true
			endRun()
			continue
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(v[i:])
			if isBlank(r) {
				others = true
				endRun()
				i += n - 1
				continue
			}
			return nil, IDUnknown, errors.New("national id has an invalid character " + quote(string(r)))
		default:
			return nil, IDUnknown, errors.New("national id has an invalid character " + quote(string(c)))
		}
		if len(b) == maxNationalID {
			return nil, IDUnknown, errors.New("national id too long: more than 20 letters and digits")
		}
		b = append(b, c)
		run++
	}
	endRun()
	switch {
	case len(b) == 0:
		return nil, IDUnknown, errors.New("empty national id")
	case digits == 0:
		return nil, IDUnknown, errors.New("national id has no digits")
	case len(b) < minNationalID:
		return nil, IDUnknown, errors.New("national id too short: fewer than 5 letters and digits")
	}
	written := groups[:min(ng, len(groups))]
	kind, err := checkNationalID(b, written, dots && !others)
	return b, kind, err
}

// checkNationalID recognises the kind of a normalised number b and verifies it.
// groups are the run lengths as written, dotted whether the only separators were dots.
func checkNationalID(b []byte, groups []int, dotted bool) (IDKind, error) {
	n := len(b)
	switch {
	case n == 9 && allDigits(b[:8]) && isLetter(b[8]):
		if dniLetter(atoi(b[:8])) != b[8] {
			return IDSpanishDNI, &checkError{IDSpanishDNI, "DNI/NIF letter does not match the number (typo?)"}
		}
		return IDSpanishDNI, nil
	case n == 9 && (b[0] == 'X' || b[0] == 'Y' || b[0] == 'Z') && allDigits(b[1:8]) && isLetter(b[8]):
		if dniLetter(int(b[0]-'X')*10_000_000+atoi(b[1:8])) != b[8] {
			return IDSpanishNIE, &checkError{IDSpanishNIE, "NIE letter does not match the number (typo?)"}
		}
		return IDSpanishNIE, nil
	case n == 16 && codiceFiscaleShape(b):
		return IDCodiceFiscale, nil
	case !allDigits(b):
		return IDUnknown, nil
	case (n == 7 || n == 8) && dotted && sameGroups(groups, n-6, 3, 3):
		return IDArgentineDNI, nil
	case n != 11:
		return IDUnknown, nil
	case sameGroups(groups, 3, 3, 3, 2):
		if !cpfValid(b) {
			return IDCPF, &checkError{IDCPF, "CPF check digits are wrong (typo?)"}
		}
		return IDCPF, nil
	case sameGroups(groups, 2, 8, 1) && cuitPrefix(b):
		if !cuitValid(b) {
			return IDCUIT, &checkError{IDCUIT, "CUIT/CUIL check digit is wrong (typo?)"}
		}
		return IDCUIT, nil
	}
	// A bare 11-digit number.
	switch {
	case peselDate(b) && peselValid(b):
		return IDPESEL, nil
	case cuitPrefix(b) && cuitValid(b):
		return IDCUIT, nil
	case cpfValid(b):
		return IDCPF, nil
	}
	switch pesel, cuit := peselDate(b), cuitPrefix(b); {
	case pesel && cuit:
		return IDPESEL, &checkError{IDPESEL, "neither a valid PESEL nor a valid CUIT/CUIL: check digit is wrong (typo?)"}
	case pesel:
		return IDPESEL, &checkError{IDPESEL, "PESEL check digit is wrong (typo?)"}
	case cuit:
		return IDCUIT, &checkError{IDCUIT, "CUIT/CUIL check digit is wrong (typo?)"}
	}
	return IDUnknown, nil
}

// codiceFiscaleShape: six letters of the names, birth year, month letter, day (plus
// 40 for women), the municipality's letter and three digits, a check letter.
func codiceFiscaleShape(b []byte) bool {
	const shape = "LLLLLLDDLDDLDDDL"
	for i, c := range b {
		if (shape[i] == 'L') != isLetter(c) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'A' <= c && c <= 'Z' }

func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

func sameGroups(got []int, want ...int) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// dniLetter is the control letter of a Spanish DNI/NIF number (an NIE's with X, Y, Z
// read as 0, 1, 2).
func dniLetter(n int) byte { return "TRWAGMYFPDXBNJZSQVHLCKE"[n%23] }

// peselValid checks a PESEL's last digit: weights 1 3 7 9 repeated over the first ten.
func peselValid(b []byte) bool {
	w := [10]int{1, 3, 7, 9, 1, 3, 7, 9, 1, 3}
	sum := 0
	for i, x := range w {
		sum += x * int(b[i]-'0')
	}
	return (10-sum%10)%10 == int(b[10]-'0')
}

// peselDate reports whether the first six digits are a PESEL's birth date: YYMMDD with
// 80, 0, 20, 40 or 60 added to the month for births in the 1800s to the 2200s.
func peselDate(b []byte) bool {
	y, m, d := atoi(b[0:2]), atoi(b[2:4]), atoi(b[4:6])
	century := [5]int{1900, 2000, 2100, 2200, 1800}[m/20]
	m %= 20
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	t := time.Date(century+y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d
}

// cuitPrefix reports the prefixes AFIP gives CUIT/CUIL numbers: 20, 23, 24, 25, 26 and
// 27 for people, 30, 33 and 34 for companies.
func cuitPrefix(b []byte) bool {
	switch string(b[:2]) {
	case "20", "23", "24", "25", "26", "27", "30", "33", "34":
		return true
	}
	return false
}

// cuitValid checks a CUIT/CUIL's mod-11 check digit (weights 5 4 3 2 7 6 5 4 3 2).
func cuitValid(b []byte) bool {
	w := [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
	sum := 0
	for i, x := range w {
		sum += x * int(b[i]-'0')
	}
	check := 11 - sum%11
	switch check {
	case 11:
		check = 0
	case 10:
		return false // no number is given this digit: AFIP changes the prefix to 23 instead
	}
	return check == int(b[10]-'0')
}

// cpfValid checks a CPF's two mod-11 check digits.
func cpfValid(b []byte) bool {
	for _, n := range []int{9, 10} {
		sum := 0
		for i := 0; i < n; i++ {
			sum += int(b[i]-'0') * (n + 1 - i)
		}
		if sum*10%11%10 != int(b[n]-'0') {
			return false
		}
	}
	return true
}
