package normalize

import (
	"errors"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Phone parses a phone number written any national or international way ("600 123 456",
// "(011) 4555-1234", "+54 9 11 4555-1234", "0048600123456", "tel. 600-123-456",
// "600123456 (home)") and returns it in E.164 ("+48600123456"). region (ISO 3166-1
// alpha-2, e.g. "PL") is used for numbers without an international prefix; with region
// "" only numbers starting with + are accepted. The number must be valid according to
// libphonenumber's metadata. Extensions ("ext. 12", "wew. 12") are dropped since E.164
// cannot hold them, as are comments after the digits.
func Phone(s, region string) (string, error) {
	region, err := phoneRegion(region)
	if err != nil {
		return "", err
	}
	var arr [48]byte
	key, err := phoneKey(arr[:0], s, region)
	if err != nil {
		return "", err
	}
	if r, ok := phoneCache.get(key); ok {
		return r.e164, r.err
	}
	k := string(key)
	e164, err := parsePhone(k[len(region)+1:], region)
	phoneCache.put(k, phoneResult{e164, err})
	return e164, err
}

func phoneRegion(region string) (string, error) {
	if region == "" {
		return "", nil
	}
	if len(region) != 2 {
		return "", errors.New("phone region must be a 2-letter country code, not " + quote(region))
	}
	r := region
	if region[0] >= 'a' || region[1] >= 'a' {
		r = string([]byte{region[0] &^ 0x20, region[1] &^ 0x20}) // upper-case
	}
	if r == "UK" {
		return "GB", nil
	}
	if !phonenumbers.GetSupportedRegions()[r] {
		return "", errors.New("unknown phone region " + quote(region))
	}
	return r, nil
}

// phoneKey appends "REGION|" and the number reduced to an optional leading + and its
// digits. It skips a leading label ("tel.", "móvil:"), drops grouping punctuation, and
// stops at the first letter after the digits: a comment ("(home)") is ignored, an
// extension ("ext. 12") dropped; other text followed by digits is an error.
func phoneKey(dst []byte, s, region string) ([]byte, error) {
	dst = append(dst, region...)
	dst = append(dst, '|')
	start := len(dst)
	i := 0
	// Skip the label up to the first digit or +.
	for i < len(s) {
		c := s[i]
		if c == '+' || ('0' <= c && c <= '9') {
			break
		}
		if c >= utf8.RuneSelf {
			if r, n := utf8.DecodeRuneInString(s[i:]); r == '＋' || (r >= '０' && r <= '９') {
				break
			} else {
				i += n
				continue
			}
		}
		i++
	}
	digits := 0
loop:
	for i < len(s) {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			dst = append(dst, c)
			digits++
			i++
		case c == '+':
			if len(dst) > start {
				break loop
			}
			dst = append(dst, '+')
			i++
		case c == '(' && strings.HasPrefix(s[i:], "(0)") && len(dst) > start && dst[start] == '+':
			// "+44 (0)20…": the bracketed trunk 0 is dialled only from inside the country.
			i += 3
		case c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')':
			i++
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r >= '０' && r <= '９':
				dst = append(dst, byte('0'+r-'０'))
				digits++
			case r == '＋' && len(dst) == start:
				dst = append(dst, '+')
			case r == '\u00a0' || r == '\u2009' || r == '\u202f' || r == '\u2007' ||
				r == '\u2010' || r == '\u2011' || r == '\u2013' || r == '\u2014' || r == '\u2212':
			default:
				break loop
			}
			i += n
		default:
			break loop
		}
	}
	if digits == 0 {
		if trim(s) == "" {
			return dst, errors.New("empty phone number")
		}
		return dst, errors.New("not a phone number: " + quote(trim(s)))
	}
	if digits > 17 {
		return dst, errors.New("phone number too long: " + quote(trim(s)))
	}
	if rest := trim(s[i:]); rest != "" && hasDigit(rest) && !isExtension(rest) {
		return dst, errors.New("not one phone number: text between digits in " + quote(trim(s)))
	}
	return dst, nil
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return true
		}
	}
	return false
}

// extMarks start an extension in English, Spanish, Polish, Portuguese, French, German.
var extMarks = [...]string{"ext", "x", "#", "wew", "w.", "int", "anexo", "ramal", "poste", "dw", "durchwahl", "extensión", "extension"}

func isExtension(rest string) bool {
	rest = strings.TrimLeft(rest, "(,; ")
	for _, m := range extMarks {
		if len(rest) >= len(m) && strings.EqualFold(rest[:len(m)], m) {
			return true
		}
	}
	return false
}

// parsePhone runs libphonenumber on a cleaned number and turns its verdicts into reasons.
// The work is done by fastParsePhone, which gives the library's own answers for the
// inputs Phone passes (see phone_fast.go) some fifty times faster; whatever it does not
// handle goes to the library itself (parsePhoneLib).
func parsePhone(number, region string) (string, error) {
	if region == "" && number[0] != '+' {
		return "", errors.New("phone number " + number + " has no country code (+…) and no region is set")
	}
	n, valid, err, ok := fastParsePhone(number, region)
	if !ok {
		return parsePhoneLib(number, region)
	}
	if err != nil {
		return "", phoneParseError(err, region)
	}
	if valid {
		return n.e164(), nil
	}
	return "", phoneInvalidError(n.proto())
}

// parsePhoneLib is parsePhone done by the library alone: Parse, IsValidNumber, Format.
func parsePhoneLib(number, region string) (string, error) {
	if region == "" && number[0] != '+' {
		return "", errors.New("phone number " + number + " has no country code (+…) and no region is set")
	}
	var n phonenumbers.PhoneNumber
	if err := phonenumbers.ParseToNumber(number, region, &n); err != nil {
		return "", phoneParseError(err, region)
	}
	if phonenumbers.IsValidNumber(&n) {
		return phonenumbers.Format(&n, phonenumbers.E164), nil
	}
	return "", phoneInvalidError(&n)
}

// phoneParseError explains an error of phonenumbers.Parse.
func phoneParseError(err error, region string) error {
	switch err {
	case phonenumbers.ErrTooShortNSN, phonenumbers.ErrTooShortAfterIDD:
		return errors.New("phone number too short" + forRegion(region))
	case phonenumbers.ErrNumTooLong:
		return errors.New("phone number too long" + forRegion(region))
	case phonenumbers.ErrInvalidCountryCode:
		return errors.New("phone number has an unknown country code")
	}
	return errors.New("not a phone number")
}

// phoneInvalidError explains why a parsed number is not valid.
func phoneInvalidError(n *phonenumbers.PhoneNumber) error {
	r := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode()))
	if r == "ZZ" || r == "001" {
		r = ""
	}
	switch phonenumbers.IsPossibleNumberWithReason(n) {
	case phonenumbers.TOO_SHORT:
		return errors.New("phone number too short" + forRegion(r))
	case phonenumbers.TOO_LONG:
		return errors.New("phone number too long" + forRegion(r))
	case phonenumbers.INVALID_LENGTH:
		return errors.New("phone number has the wrong number of digits" + forRegion(r))
	case phonenumbers.INVALID_COUNTRY_CODE:
		return errors.New("phone number has an unknown country code")
	}
	return errors.New("not a valid phone number" + forRegion(r))
}

func forRegion(r string) string {
	if r == "" {
		return ""
	}
	return " for " + r
}

type phoneResult struct {
	e164 string
	err  error
}

// phoneCache remembers recent results: a parse costs a few hundred nanoseconds (the
// library alone ~10µs), and contact files repeat numbers (the same person in several lists). Two
// generations bound the memory: when the current map is full it becomes the old one.
// Results depend only on the key, so a hit is always correct.
var phoneCache = &lru2{size: 4096}

type lru2 struct {
	mu       sync.Mutex
	size     int
	cur, old map[string]phoneResult
}

func (c *lru2) get(key []byte) (phoneResult, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.cur[string(key)]; ok {
		return r, true
	}
	if r, ok := c.old[string(key)]; ok {
		c.putLocked(string(key), r)
		return r, true
	}
	return phoneResult{}, false
}

func (c *lru2) put(key string, r phoneResult) {
	c.mu.Lock()
	c.putLocked(key, r)
	c.mu.Unlock()
}

func (c *lru2) putLocked(key string, r phoneResult) {
	if c.cur == nil || len(c.cur) >= c.size {
		c.old, c.cur = c.cur, make(map[string]phoneResult, c.size)
	}
	c.cur[key] = r
}
