package normalize

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Amount is an exact money amount.
type Amount struct {
	Cents int64
	// Currency is the ISO 4217 code the text carried ("PLN" for "zł", "EUR" for "€"),
	// or "" when it carried none or an ambiguous one such as "$".
	Currency string
}

// DecimalMark says which character separates the decimals.
type DecimalMark int

const (
	DecimalAuto  DecimalMark = iota // decide per value, see ParseAmount
	DecimalComma                    // "1.234,56"
	DecimalDot                      // "1,234.56"
)

// ParseAmount parses a money amount exactly, without floating point: "150,00",
// "1 234,56 PLN", "1.234,56", "1,234.56", "-12.50", "12,50-", "(12.50)", "€ 1.500",
// "1'234.50", "150", "150 zł", "150,-". Spaces of any kind (no-break, thin) and
// apostrophes group thousands. With DecimalAuto, when both . and , appear the last one
// is the decimal mark; when only one appears once with exactly three digits after it
// and 1–3 digits before, it groups thousands ("1.500" and "1,500" are 1500); otherwise
// it is the decimal mark ("150,5"). Decimals beyond the second must be zeros.
func ParseAmount(s string, mark DecimalMark) (Amount, error) {
	v := trim(s)
	if v == "" {
		return Amount{}, errors.New("empty amount")
	}
	// Find the number: from the first digit (or a mark right before it: ",50") to the
	// last digit.
	first, last := -1, -1
	for i := 0; i < len(v); i++ {
		if '0' <= v[i] && v[i] <= '9' {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return Amount{}, errors.New("not an amount: " + quote(v))
	}
	if first > 0 && (v[first-1] == '.' || v[first-1] == ',') {
		first--
	}
	core := v[first : last+1]
	prefix, suffix := v[:first], v[last+1:]
	// "150,-" and "150.–" mean a whole amount.
	if len(suffix) >= 2 && (suffix[0] == ',' || suffix[0] == '.') {
		if r, n := utf8.DecodeRuneInString(suffix[1:]); r == '-' || r == '–' || r == '—' {
			suffix = suffix[1+n:]
		}
	}
	neg, open, closed := 0, 0, 0 // signs and brackets seen
	cur := ""
	for pass, part := range [2]string{prefix, suffix} {
		for i := 0; i < len(part); {
			r, n := utf8.DecodeRuneInString(part[i:])
			switch {
			case isBlank(r):
				i += n
			case r == '-' || r == '−' || r == '–':
				neg++
				i += n
			case r == '+' && pass == 0:
				i += n
			case r == '(' && pass == 0:
				open++
				i += n
			case r == ')' && pass == 1:
				closed++
				i += n
			default:
				// A currency: letters and symbols up to the next blank, sign or digit.
				j := i
				for j < len(part) {
					r, n := utf8.DecodeRuneInString(part[j:])
					if isBlank(r) || r == '-' || r == '−' || r == '(' || r == ')' {
						break
					}
					if !unicode.IsLetter(r) && !unicode.Is(unicode.Sc, r) && r != '.' {
						return Amount{}, errors.New("not an amount: " + quote(v))
					}
					j += n
				}
				if j == i { // a bracket or sign out of place
					return Amount{}, errors.New("not an amount: " + quote(v))
				}
				w := strings.TrimSuffix(part[i:j], ".")
				if w == "" { // "12." or "zł ."
					i = j
					continue
				}
				code, ok := currency(w)
				if !ok {
					return Amount{}, errors.New("unknown currency " + quote(part[i:j]) + " in amount " + quote(v))
				}
				if code != "" {
					if cur != "" && cur != code {
						return Amount{}, errors.New("two currencies in amount " + quote(v))
					}
					cur = code
				}
				i = j
			}
		}
	}
	if neg > 1 || open != closed || open > 1 || (open == 1 && neg > 0) {
		return Amount{}, errors.New("not an amount: " + quote(v))
	}
	cents, err := amountCents(core, mark)
	if err != nil {
		return Amount{}, err
	}
	if neg == 1 || open == 1 {
		cents = -cents
	}
	return Amount{Cents: cents, Currency: cur}, nil
}

// amountCents reads digits with thousands separators and at most one decimal mark.
func amountCents(core string, mark DecimalMark) (int64, error) {
	dots, commas := 0, 0
	lastDot, lastComma := -1, -1
	for i := 0; i < len(core); i++ {
		switch core[i] {
		case '.':
			dots++
			lastDot = i
		case ',':
			commas++
			lastComma = i
		}
	}
	dec := -1 // index of the decimal mark
	switch mark {
	case DecimalComma:
		if commas > 1 {
			return 0, errors.New("more than one decimal comma in " + quote(core))
		}
		dec = lastComma
	case DecimalDot:
		if dots > 1 {
			return 0, errors.New("more than one decimal point in " + quote(core))
		}
		dec = lastDot
	default:
		switch {
		case dots > 0 && commas > 0:
			dec = max(lastDot, lastComma)
			if core[dec] == '.' && dots > 1 || core[dec] == ',' && commas > 1 {
				return 0, errors.New("decimal mark used twice in " + quote(core))
			}
		case dots+commas == 1:
			dec = max(lastDot, lastComma)
			if len(core)-dec-1 == 3 && groupLead(core[:dec]) {
				dec = -1 // "1.500": thousands
			}
		}
	}
	intPart, frac := core, ""
	if dec >= 0 {
		intPart, frac = core[:dec], core[dec+1:]
	}
	var cents uint64
	// Integer part: digits in groups; after the first separator every group has 3 digits.
	group, grouped := 0, false
	for i := 0; i < len(intPart); {
		c := intPart[i]
		if '0' <= c && c <= '9' {
			if cents > (math.MaxInt64/100-uint64(c-'0'))/10 {
				return 0, errors.New("amount too large")
			}
			cents = cents*10 + uint64(c-'0')
			group++
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(intPart[i:])
		if !(c == '.' || c == ',' || r == '\'' || r == '’' || isBlank(r)) {
			return 0, errors.New("not an amount: " + quote(core))
		}
		if group == 0 || (grouped && group != 3) || (!grouped && group > 3) {
			return 0, errors.New("misplaced thousands separator in " + quote(core))
		}
		grouped, group = true, 0
		i += n
	}
	if grouped && group != 3 {
		return 0, errors.New("misplaced thousands separator in " + quote(core))
	}
	cents *= 100
	for i := 0; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' {
			return 0, errors.New("not an amount: " + quote(core))
		}
		switch {
		case i == 0:
			cents += uint64(c-'0') * 10
		case i == 1:
			cents += uint64(c - '0')
		case c != '0':
			return 0, errors.New("more than 2 decimal places in " + quote(core))
		}
	}
	if cents > math.MaxInt64 {
		return 0, errors.New("amount too large")
	}
	return int64(cents), nil
}

// groupLead reports whether s could be the first group of a thousands-grouped number:
// 1–3 digits, not a lone 0 ("0.500" is half).
func groupLead(s string) bool {
	if len(s) == 0 || len(s) > 3 || s == "0" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// currencies maps what people write next to amounts to ISO 4217 codes; "" marks a
// symbol shared by several currencies ($, kr).
var currencies = map[string]string{
	"zł": "PLN", "zl": "PLN", "€": "EUR", "euro": "EUR", "euros": "EUR", "eur": "EUR",
	"us$": "USD", "u$s": "USD", "u$d": "USD", "usd$": "USD", "$us": "USD", "dólares": "USD",
	"dolares": "USD", "ar$": "ARS", "$": "", "pesos": "", "£": "GBP", "₴": "UAH", "грн": "UAH",
	"r$": "BRL", "kč": "CZK", "ft": "HUF", "kr": "", "¥": "", "₽": "RUB", "₹": "INR",
	"chf": "CHF", "fr": "CHF", "lei": "RON", "лв": "BGN", "₺": "TRY", "₪": "ILS",
}

// isoCodes are ISO 4217 codes accepted as written.
const isoCodes = "PLN EUR USD ARS GBP CHF UAH CZK HUF SEK NOK DKK ISK RON BGN RSD BAM MKD ALL " +
	"MDL BYN RUB TRY ILS BRL CLP UYU PYG BOB PEN COP VES MXN GTQ HNL NIO CRC PAB DOP CUP " +
	"CAD AUD NZD JPY CNY INR ZAR MAD"

func currency(w string) (string, bool) {
	if len(w) == 3 {
		var b [3]byte
		for i := 0; i < 3; i++ {
			b[i] = w[i] &^ 0x20
		}
		if i := strings.Index(isoCodes, string(b[:])); i >= 0 && i%4 == 0 {
			return isoCodes[i : i+3], true
		}
	}
	var buf [16]byte
	if len(w) <= len(buf) {
		key := buf[:0]
		for _, r := range w {
			key = utf8.AppendRune(key, unicode.ToLower(r))
		}
		code, ok := currencies[string(key)]
		return code, ok
	}
	return "", false
}

// FormatCents renders cents as "1234.56" or "-0.50": dot decimal, no thousands.
func FormatCents(c int64) string {
	var buf [24]byte
	b := buf[:0]
	u := uint64(c)
	if c < 0 {
		b = append(b, '-')
		u = -u
	}
	b = strconv.AppendUint(b, u/100, 10)
	r := u % 100
	b = append(b, '.', byte('0'+r/10), byte('0'+r%10))
	return string(b)
}
