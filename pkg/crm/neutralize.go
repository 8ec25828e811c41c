package crm

// Neutralize keeps a spreadsheet from running a cell as a formula (CSV injection,
// OWASP): text starting with = + - @, tab or carriage return gets a leading
// apostrophe, which Excel and LibreOffice read as "this is text" and hide.
//
// Data stays importable: a plain number ("-12.50", "+3", "-1,5") or a phone number
// or list of them ("+48600123456", "+48 600 123 456; +34 612 345 678") is left alone.
// Those can hold no function name, reference or DDE command (no letters, no ! or |),
// so the worst a spreadsheet can do with them is arithmetic, never code. Anything
// else starting with those characters, including "-" alone or "+1-HELLO", is
// prefixed. = and @ always are: no number or phone starts with them.
//
// Unlike the old safeCell, which trusted the phone column and skipped it, this looks
// at the value, so one rule serves every column.
func Neutralize(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if isNumber(s) || isPhone(s) {
			return s
		}
		return "'" + s
	}
	return s
}

// isNumber reports a signed decimal: [+-]digits[(.|,)digits].
func isNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		frac := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			frac++
		}
		if frac == 0 {
			return false
		}
	}
	return i == len(s)
}

// isPhone reports an international phone number or a list of them: a leading +,
// then only digits, spaces and the punctuation phones are written with, and at
// least six digits.
func isPhone(s string) bool {
	if s[0] != '+' {
		return false
	}
	digits := 0
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == ' ', c == '(', c == ')', c == '-', c == '.', c == '/', c == ';', c == ',', c == '+':
		default:
			return false
		}
	}
	return digits >= 6
}
