package normalize

import "strings"

// SplitMulti splits a cell that holds several values (emails or phones). Separators are
// ; , | tabs and newlines; the words "or", "o", "u", "lub", "albo", "ou", "oder", "and",
// "y", "i", "e" between spaces; and "/" when every side is a whole value (has an @ or
// at least 6 digits), so "0351/4555123" stays one phone. A part holding several
// addresses separated only by spaces is split on the spaces. Spaces never split phones:
// "+48 600 123 456" stays whole. Parts are trimmed and empty ones dropped.
func SplitMulti(s string) []string {
	var out []string
	start := 0
	add := func(p string) {
		p = trim(p)
		if p == "" {
			return
		}
		if strings.IndexByte(p, '/') >= 0 {
			out = splitSlash(out, p)
			return
		}
		out = splitSpacedEmails(out, p)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ';', ',', '|', '\n', '\r', '\t':
			add(s[start:i])
			start = i + 1
		case ' ':
			if n := sepWordLen(s[i:]); n > 0 {
				add(s[start:i])
				start = i + n
				i += n - 2 // land on the closing space, which may open the next word
			}
		}
	}
	add(s[start:])
	return out
}

// sepWords are the words for "or"/"and" that people put between two values. A value
// (email or phone) never contains one of them between spaces.
var sepWords = [...]string{"or", "o", "u", "lub", "albo", "ou", "y", "i", "and", "e", "oder"}

// sepWordLen returns the length of " word " at the start of s, or 0.
func sepWordLen(s string) int {
	for _, w := range sepWords {
		n := len(w) + 2
		if len(s) >= n && s[n-1] == ' ' && strings.EqualFold(s[1:n-1], w) {
			return n
		}
	}
	return 0
}

func splitSlash(out []string, p string) []string {
	parts := strings.Split(p, "/")
	for _, q := range parts {
		if !wholeValue(q) {
			return splitSpacedEmails(out, p)
		}
	}
	for _, q := range parts {
		out = splitSpacedEmails(out, trim(q))
	}
	return out
}

func wholeValue(q string) bool {
	if strings.IndexByte(q, '@') >= 0 {
		return true
	}
	digits := 0
	for i := 0; i < len(q); i++ {
		if '0' <= q[i] && q[i] <= '9' {
			digits++
		}
	}
	return digits >= 6
}

// splitSpacedEmails splits "a@x.pl b@y.pl" on spaces; anything else is kept whole.
func splitSpacedEmails(out []string, p string) []string {
	if strings.Count(p, "@") < 2 || !strings.ContainsAny(p, " \u00a0") {
		return append(out, p)
	}
	return append(out, strings.FieldsFunc(p, isBlank)...)
}
