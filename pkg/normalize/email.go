package normalize

import (
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Email returns the canonical form of one address: trimmed, "mailto:" and surrounding
// <> or quotes stripped, lower-cased, with an internationalised domain converted to
// ASCII (punycode). It validates the addr-spec the way mail tools do in practice: a
// dot-atom local part of ASCII characters and a host name with a TLD. Display names
// ("Jan <jan@wp.pl>"), quoted local parts and IP-literal domains are rejected.
func Email(s string) (string, error) {
	s = trim(s)
	// Unwrap in any order: <mailto:x@y>, mailto:<x@y>, "x@y".
	for k := 0; k < 3; k++ {
		if len(s) >= 7 && strings.EqualFold(s[:7], "mailto:") {
			s = s[7:]
			if i := strings.IndexByte(s, '?'); i >= 0 {
				s = s[:i] // ?subject=… and other headers
			}
			s = trim(s)
		}
		if len(s) >= 2 && (s[0] == '<' && s[len(s)-1] == '>' ||
			s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
			s = trim(s[1 : len(s)-1])
			continue
		}
		if q, ok := stripPair(s, "“", "”"); ok {
			s = q
			continue
		}
		if q, ok := stripPair(s, "«", "»"); ok {
			s = q
			continue
		}
		break
	}
	if s == "" {
		return "", errEmail("empty")
	}
	if !utf8.ValidString(s) {
		return "", errEmail("contains bytes that are not text")
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		if strings.ContainsRune(s, '＠') {
			return "", errEmail("full-width ＠ instead of @")
		}
		return "", errEmail("missing @")
	}
	if strings.IndexByte(s, '<') >= 0 || strings.IndexByte(s, '>') >= 0 {
		return "", errEmail("has a name or other text besides the address")
	}
	if strings.IndexByte(s[:at], '@') >= 0 {
		return "", errEmail("more than one @")
	}
	for _, r := range s {
		if isBlank(r) {
			return "", errEmail("spaces or invisible characters inside")
		}
	}
	local, domain := s[:at], s[at+1:]
	if err := checkLocal(local); err != nil {
		return "", err
	}
	if domain == "" {
		return "", errEmail("nothing after @")
	}
	ascii := true
	for i := 0; i < len(domain); i++ {
		if domain[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii || strings.Contains(domain, "xn--") || strings.Contains(domain, "XN--") {
		d, err := idna.Lookup.ToASCII(domain)
		if err != nil {
			return "", errEmail("invalid international domain " + quote(domain))
		}
		domain = d
	}
	if err := checkDomain(domain); err != nil {
		return "", err
	}
	if len(local)+1+len(domain) > 254 {
		return "", errEmail("longer than 254 characters")
	}
	if domain == s[at+1:] && !hasUpperASCII(s) {
		return s, nil // already canonical: no allocation
	}
	b := make([]byte, 0, len(local)+1+len(domain))
	b = lowerASCII(b, local)
	b = append(b, '@')
	b = lowerASCII(b, domain)
	return string(b), nil
}

func errEmail(reason string) error { return errors.New("not an email address: " + reason) }

func stripPair(s, open, close string) (string, bool) {
	if len(s) >= len(open)+len(close) && strings.HasPrefix(s, open) && strings.HasSuffix(s, close) {
		return trim(s[len(open) : len(s)-len(close)]), true
	}
	return s, false
}

func hasUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// atext are the characters RFC 5322 allows unquoted in a local part besides letters,
// digits and dots.
const atext = "!#$%&'*+-/=?^_`{|}~"

func checkLocal(l string) error {
	if l == "" {
		return errEmail("nothing before @")
	}
	if len(l) > 64 {
		return errEmail("part before @ longer than 64 characters")
	}
	if l[0] == '.' {
		return errEmail("starts with a dot")
	}
	if l[len(l)-1] == '.' {
		return errEmail("dot right before @")
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.':
			if l[i-1] == '.' {
				return errEmail("consecutive dots")
			}
		case c >= utf8.RuneSelf:
			return errEmail("non-ASCII characters before @")
		case strings.IndexByte(atext, c) >= 0:
		default:
			return errEmail("invalid character " + quote(string(c)) + " before @")
		}
	}
	return nil
}

// checkDomain validates an ASCII host name: LDH labels of 1–63 characters, at least two
// labels, and a TLD that is alphabetic or punycode.
func checkDomain(d string) error {
	if len(d) > 253 {
		return errEmail("domain longer than 253 characters")
	}
	if d[0] == '[' {
		return errEmail("IP address instead of a domain")
	}
	if d[0] == '.' {
		return errEmail("domain starts with a dot")
	}
	if d[len(d)-1] == '.' {
		return errEmail("domain ends with a dot")
	}
	labels := 0
	start, tld := 0, ""
	for i := 0; i <= len(d); i++ {
		if i < len(d) && d[i] != '.' {
			c := d[i]
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-':
			case c == ',':
				return errEmail("comma in domain")
			default:
				return errEmail("invalid character " + quote(string(c)) + " in domain")
			}
			continue
		}
		label := d[start:i]
		switch {
		case label == "":
			return errEmail("consecutive dots")
		case len(label) > 63:
			return errEmail("domain part longer than 63 characters")
		case label[0] == '-' || label[len(label)-1] == '-':
			return errEmail("domain part starts or ends with a hyphen")
		}
		labels++
		start, tld = i+1, label
	}
	if labels < 2 {
		return errEmail("domain has no TLD")
	}
	if len(tld) < 2 {
		return errEmail("TLD too short")
	}
	if !(len(tld) > 4 && strings.EqualFold(tld[:4], "xn--")) {
		for i := 0; i < len(tld); i++ {
			if c := tld[i] | 0x20; c < 'a' || c > 'z' {
				return errEmail("TLD " + quote(tld) + " is not a word")
			}
		}
	}
	return nil
}

// Mailbox returns the mailbox an address delivers to, for telling whether two
// spellings reach one person (a suppression list, a duplicate): sub-address tags ("+news")
// dropped everywhere, and for Gmail the dots too, with googlemail.com as gmail.com.
func Mailbox(e string) string {
	e = strings.ToLower(strings.TrimSpace(e))
	local, dom, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return ""
	}
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if dom == "googlemail.com" {
		dom = "gmail.com"
	}
	if dom == "gmail.com" && strings.IndexByte(local, '.') >= 0 {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + dom
}
