// Package normalize turns the free-form values found in contact spreadsheets (emails,
// phones, names, dates, amounts, yes/no cells, countries, IBANs, national ids) into
// canonical forms, or says in a short, user-facing error why a value cannot be read.
// The errors end up in problem reports next to file, row and column, so they name the
// reason, not the code path. Functions are pure and safe for concurrent use; the
// common path of each is kept allocation-light because the importer calls them for
// every cell of large files.
package normalize

import (
	"unicode"
	"unicode/utf8"
)

// isBlank reports characters that are invisible in a spreadsheet cell: whitespace,
// no-break and thin spaces, and format characters such as zero-width spaces, BOMs and
// direction marks, which pasted values often carry at their ends.
func isBlank(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || (r >= '\t' && r <= '\r')
	}
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// trim removes blanks (see isBlank) from both ends without allocating.
func trim(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c != ' ' && (c < '\t' || c > '\r') {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isBlank(r) {
			break
		}
		i += n
	}
	j := len(s)
	for j > i {
		c := s[j-1]
		if c < utf8.RuneSelf {
			if c != ' ' && (c < '\t' || c > '\r') {
				break
			}
			j--
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s[i:j])
		if !isBlank(r) {
			break
		}
		j -= n
	}
	return s[i:j]
}

// quote renders a value inside an error message, shortened so that a whole pasted
// paragraph does not end up in a problem report.
func quote(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	return `"` + s + `"`
}

// lowerASCII appends s to dst with ASCII letters lower-cased.
func lowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
