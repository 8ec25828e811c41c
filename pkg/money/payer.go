package money

import (
	"regexp"
	"strings"
)

// Payer is a bank's counterparty field taken apart.
type Payer struct {
	Name, Street, Postcode, City string
}

// streetWords start the address banks append to a payer's name ("JAN KOWALSKI
// UL. POLNA 3 00-950 WARSZAWA", "GARCIA LOPEZ MARIA C/ MAYOR 5 28013 MADRID").
var streetWords = map[string]bool{
	"UL": true, "UL.": true, "AL": true, "AL.": true, "ALEJA": true, "ULICA": true, "PL.": true, "PLAC": true,
	"OS.": true, "OSIEDLE": true, "C/": true, "C/.": true, "CALLE": true, "AVDA": true, "AVDA.": true, "AV.": true,
	"AVENIDA": true, "PLAZA": true, "PZA.": true, "PASEO": true, "Pº": true, "CTRA": true, "CTRA.": true,
	"CARRETERA": true, "CAMINO": true, "RONDA": true, "TRAVESIA": true, "TRAVESÍA": true, "PJE.": true,
	"PASAJE": true, "STREET": true, "ST.": true, "ROAD": true, "RD.": true, "CARRER": true, "AVINGUDA": true,
	"PLAÇA": true, "PASSEIG": true, "RUA": true,
}

// surnameStreets are street words that are also surnames (Marina Plaza, Pedro Camino,
// Ana Ronda): they start an address only when a house number follows.
var surnameStreets = map[string]bool{
	"PLAZA": true, "RONDA": true, "CAMINO": true, "PASEO": true, "PASAJE": true, "AL": true, "ROAD": true,
	"STREET": true, "CARRETERA": true, "PLAC": true,
}

var (
	postcodeRe = regexp.MustCompile(`^(\d{2}-\d{3}|\d{5}|[A-Z]\d{4}[A-Z]{3}|\d{4})$`)
	digitRe    = regexp.MustCompile(`\d`)
)

// SplitPayer separates the name from an address written after it. A field without a
// recognisable address is all name.
func SplitPayer(s string) Payer {
	words := strings.Fields(s)
	cut := -1
	for i, w := range words {
		if i == 0 {
			continue // a name comes first
		}
		uw := strings.ToUpper(w)
		if surnameStreets[uw] && (!digitRe.MatchString(strings.Join(words[i+1:], " ")) ||
			i+1 < len(words) && streetWords[strings.ToUpper(words[i+1])]) {
			continue // "ANA CAMINO PLAZA MAYOR 3": the street starts at the next word
		}
		if uw == "GRAN" && i+1 < len(words) && (strings.EqualFold(words[i+1], "VIA") || strings.EqualFold(words[i+1], "VÍA")) {
			cut = i // Gran Vía, a street in most Spanish cities
			break
		}
		if streetWords[uw] || strings.HasPrefix(uw, "UL.") || strings.HasPrefix(uw, "C/") || digitRe.MatchString(w) {
			cut = i
			break
		}
	}
	if cut < 0 {
		return Payer{Name: strings.Join(words, " ")}
	}
	p := SplitAddress(strings.Join(words[cut:], " "))
	p.Name = strings.Join(words[:cut], " ")
	return p
}

// SplitAddress reads an address written on one line: the street, then a postcode and
// the city after it when there is one.
func SplitAddress(s string) Payer {
	rest := strings.Fields(s)
	pc := -1
	for i := len(rest) - 1; i >= 0; i-- {
		if postcodeRe.MatchString(strings.Trim(rest[i], ",")) && i > 0 {
			pc = i
			break
		}
	}
	if pc < 0 {
		return Payer{Street: strings.Join(rest, " ")}
	}
	return Payer{Street: strings.TrimRight(strings.Join(rest[:pc], " "), ","), Postcode: strings.Trim(rest[pc], ","),
		City: strings.Join(rest[pc+1:], " ")}
}

// titlePayer finds the payer named in a bank's description when the export has no
// counterparty column: "TRANSFERENCIA DE JUAN GARCIA LOPEZ, CONCEPTO DONATIVO",
// "BIZUM DE MARIA PEREZ CONCEPTO CUOTA", "PRZELEW OD: JAN KOWALSKI TYT.: DAROWIZNA".
var titlePayer = regexp.MustCompile(`(?i)\b(?:TRANSFERENCIA\s+DE\s+TERCEROS\s*-?|TRANSF(?:ERENCIA)?\.?\s+(?:RECIBIDA\s+)?DE|BIZUM\s+(?:RECIBIDO\s+)?DE|PRZELEW\s+OD:?|OD:|ZLECENIODAWCA:?|NADAWCA:?)\s+([\p{L}][\p{L}\s.'-]{2,70}?)\s*(?:,|;|\bCONC(?:EPTO)?\b|\bTYT(?:U[ŁL])?\b\.?|\bREF\b|\bCUIT\b|\d|$)`)

// PayerFromTitle returns the payer's name written in a description, "" when none is.
func PayerFromTitle(s string) string {
	m := titlePayer.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(m[1]), " ")
}
