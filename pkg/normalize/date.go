package normalize

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Years outside this range are typing errors in contact and donation data.
const (
	minYear = 1880
	maxYear = 2100
)

// DateLayout converts a human date pattern ("dd.mm.yyyy", "dd/mm/yyyy", "mm/dd/yyyy",
// "yyyy-mm-dd", "d.m.yy", "yyyymmdd", "dd-mmm-yyyy") to a Go layout ("02.01.2006").
// Letters are case-insensitive; besides d, m and y it knows the Spanish/Portuguese a
// (año), Polish r (rok) and German t/j (Tag/Jahr) and French j/a (jour/année).
func DateLayout(pattern string) (string, error) {
	p := strings.ToLower(strings.TrimSpace(pattern))
	if p == "" {
		return "", errors.New("empty date pattern")
	}
	// j is the day in French (jj/mm/aaaa) and the year in German (tt.mm.jjjj).
	jYear := strings.ContainsRune(p, 't')
	var b strings.Builder
	var seen [3]bool // day, month, year
	prevNumeric, prevWidth := false, 0
	for i := 0; i < len(p); {
		c := p[i]
		n := 1
		for i+n < len(p) && p[i+n] == c {
			n++
		}
		field := -1
		switch c {
		case 'd', 't':
			field = 0
		case 'm':
			field = 1
		case 'y', 'a', 'r':
			field = 2
		case 'j':
			field = 0
			if jYear {
				field = 2
			}
		case '.', '/', '-', ' ', ',':
			b.WriteString(p[i : i+n])
			prevNumeric = false
			i += n
			continue
		default:
			r, _ := utf8.DecodeRuneInString(p[i:])
			return "", errors.New("date pattern " + quote(pattern) + " has an unexpected " + quote(string(r)))
		}
		if seen[field] {
			return "", errors.New("date pattern " + quote(pattern) + " has the " + fieldNames[field] + " twice")
		}
		seen[field] = true
		var lay string
		numeric := true
		switch {
		case field == 0 && n == 1:
			lay = "2"
		case field == 0 && n == 2:
			lay = "02"
		case field == 1 && n == 1:
			lay = "1"
		case field == 1 && n == 2:
			lay = "01"
		case field == 1 && n == 3:
			lay, numeric = "Jan", false
		case field == 1 && n == 4:
			lay, numeric = "January", false
		case field == 2 && n == 2:
			lay = "06"
		case field == 2 && n == 4:
			lay = "2006"
		default:
			return "", errors.New("date pattern " + quote(pattern) + ": " + quote(p[i:i+n]) + " is not a day, month or year")
		}
		if numeric && prevNumeric && (n == 1 || prevWidth == 1) {
			// Without a separator only fixed-width fields can be told apart.
			return "", errors.New("date pattern " + quote(pattern) + " needs separators between 1-digit fields")
		}
		b.WriteString(lay)
		prevNumeric, prevWidth = numeric, n
		i += n
	}
	for f, ok := range seen {
		if !ok {
			return "", errors.New("date pattern " + quote(pattern) + " has no " + fieldNames[f])
		}
	}
	return b.String(), nil
}

var fieldNames = [3]string{"day", "month", "year"}

// Date parses a date and returns it at midnight UTC.
//
// layout is a Go layout from DateLayout, read leniently (1-digit day and month, any of
// . / - as separator, month names in several languages); an ISO date (2006-01-02) is
// accepted whatever the layout, since spreadsheets store typed dates that way. With
// layout "" the format is detected: ISO with or without a time part (dropped);
// day-first dd/mm/yyyy, dd.mm.yyyy, dd-mm-yyyy with 1-digit day/month and 2-digit years
// (00–29 → 2000s, 30–99 → 1900s, as spreadsheets do); yyyy/mm/dd; yyyymmdd; month
// names in Spanish, Polish, English, Portuguese, French, German and Italian ("15 de marzo
// de 1980", "15 marca 1980", "March 15, 1980", "15-Mar-1980") and Roman numerals
// ("15 III 1980"). A value is month-first only when day-first is impossible
// (03/25/1990). serial accepts spreadsheet serial numbers ("29221" → 1980-01-01, 1900
// date system); pass it only for numeric cells. Dates that do not exist and years
// outside 1880–2100 are errors.
func Date(s, layout string, serial bool) (time.Time, error) {
	v := stripTime(trim(s))
	if v == "" {
		return time.Time{}, errors.New("empty date")
	}
	if serial && isNumber(v) {
		return serialDate(v)
	}
	var toks dateToks
	ok := toks.scan(v)
	if layout != "" {
		lay, ours := parseLayout(layout)
		if !ours {
			// A layout not made by DateLayout: Go's parser, time part included.
			if t, err := time.Parse(layout, trim(s)); err == nil {
				return ymd(t.Year(), int(t.Month()), t.Day(), v)
			}
		} else if ok {
			if t, matched, err := toks.match(lay, v); matched {
				return t, err
			}
		}
		if ok && toks.n == 3 && toks.t[0].num && toks.t[0].len == 4 && toks.t[1].num && toks.t[2].num {
			return ymd(toks.t[0].val, toks.t[1].val, toks.t[2].val, v) // ISO
		}
		if !ours {
			return time.Time{}, errors.New("date " + quote(v) + " does not match " + quote(layout))
		}
		return time.Time{}, errors.New("date " + quote(v) + " does not match " + humanLayout.Replace(layout))
	}
	if !ok {
		return time.Time{}, notDate(v)
	}
	return toks.auto(v)
}

func notDate(v string) error {
	if len(v) == 5 && isNumber(v) {
		return errors.New("not a date: " + quote(v) + " (a spreadsheet serial number stored as text?)")
	}
	return errors.New("not a date: " + quote(v))
}

func isNumber(v string) bool {
	dot := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case '0' <= c && c <= '9':
		case c == '.' && !dot && i > 0 && i < len(v)-1:
			dot = true
		default:
			return false
		}
	}
	return v != ""
}

// serialDate reads a spreadsheet serial in the 1900 date system, which counts
// 1900-02-29 (Lotus 1-2-3's leap-year bug kept by Excel); a fraction is the time of day.
// An 8-digit value is a yyyymmdd date typed into a numeric cell.
func serialDate(v string) (time.Time, error) {
	whole, _, _ := strings.Cut(v, ".")
	if len(whole) == 8 {
		y, _ := strconv.Atoi(whole[:4])
		m, _ := strconv.Atoi(whole[4:6])
		d, _ := strconv.Atoi(whole[6:])
		if t, err := ymd(y, m, d, v); err == nil {
			return t, nil
		}
	}
	if len(whole) > 6 {
		return time.Time{}, errors.New("spreadsheet date " + quote(v) + " is too large")
	}
	n, _ := strconv.Atoi(whole)
	switch {
	case n < 1:
		return time.Time{}, errors.New("spreadsheet date " + quote(v) + " is before 1900")
	case n == 60:
		return time.Time{}, errors.New("spreadsheet date 60 is 29 February 1900, which did not exist")
	case n < 60:
		n++ // before the phantom leap day
	}
	t := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	return ymd(t.Year(), int(t.Month()), t.Day(), v)
}

// stripTime drops a trailing time of day: "1980-03-15T10:20:30Z", "15.03.1980 10:20".
func stripTime(v string) string {
	i := strings.IndexByte(v, ':')
	if i < 0 {
		return v
	}
	j := i
	for j > 0 && v[j-1] >= '0' && v[j-1] <= '9' && i-j < 2 {
		j--
	}
	if j == i || j == 0 || (v[j-1] != ' ' && v[j-1] != 'T' && v[j-1] != 't') {
		return v
	}
	for k := i; k < len(v); k++ {
		if !strings.ContainsRune("0123456789:.,+-Z AMPamphUTC", rune(v[k])) {
			return v
		}
	}
	return trim(v[:j-1])
}

// EarlyError is a real date before 1880, refused as a probable typing error unless the
// caller accepts older years (see DateSince).
type EarlyError struct{ Date time.Time }

func (e *EarlyError) Error() string {
	return "year " + strconv.Itoa(e.Date.Year()) + " is before " + strconv.Itoa(minYear)
}

// DateSince is Date accepting years from min (at least 1) instead of 1880.
func DateSince(s, layout string, serial bool, min int) (time.Time, error) {
	t, err := Date(s, layout, serial)
	var early *EarlyError
	if errors.As(err, &early) && early.Date.Year() >= max(min, 1) {
		return early.Date, nil
	}
	return t, err
}

// ymd validates a date and builds it.
func ymd(y, m, d int, v string) (time.Time, error) {
	if y > maxYear {
		return time.Time{}, errors.New("year " + strconv.Itoa(y) + " is after " + strconv.Itoa(maxYear))
	}
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return time.Time{}, errors.New("date " + v + " does not exist")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < minYear {
		return time.Time{}, &EarlyError{Date: t}
	}
	return t, nil
}

func validYMD(y, m, d int) bool {
	return y >= 1 && y <= maxYear && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// pivotYear expands 2-digit years the way spreadsheets do: 00–29 → 2000s.
func pivotYear(y, digits int) int {
	if digits > 2 {
		return y
	}
	if y < 30 {
		return 2000 + y
	}
	return 1900 + y
}

type dateTok struct {
	num bool
	val int // number value, or month 1–12 for a month name
	len int // digits; 0 for a month name
}

// dateToks holds the numbers and month names of a value; separators and filler words
// ("de", "of", "r.") are dropped.
type dateToks struct {
	t [4]dateTok
	n int
}

func (dt *dateToks) scan(v string) bool {
	var buf [24]byte
	for i := 0; i < len(v); {
		c := v[i]
		switch {
		case '0' <= c && c <= '9':
			j := i
			val := 0
			for j < len(v) && '0' <= v[j] && v[j] <= '9' {
				if j-i < 9 {
					val = val*10 + int(v[j]-'0')
				}
				j++
			}
			if dt.n == len(dt.t) {
				return false
			}
			dt.t[dt.n] = dateTok{num: true, val: val, len: j - i}
			dt.n++
			i = j
		case c == '.' || c == '/' || c == '-' || c == ',' || c == ' ':
			i++
		default:
			r, size := utf8.DecodeRuneInString(v[i:])
			if isBlank(r) || r == 'º' || r == '°' {
				i += size
				continue
			}
			if !unicode.IsLetter(r) {
				return false
			}
			j := i
			for j < len(v) {
				r, size := utf8.DecodeRuneInString(v[j:])
				if !unicode.IsLetter(r) {
					break
				}
				j += size
			}
			if j-i > len(buf) {
				return false
			}
			key := appendFold(buf[:0], v[i:j])
			i = j
			if m, ok := monthNames[string(key)]; ok {
				if dt.n == len(dt.t) {
					return false
				}
				dt.t[dt.n] = dateTok{val: m}
				dt.n++
				continue
			}
			if !dateFillers[string(key)] {
				return false
			}
		}
	}
	return dt.n > 0
}

func (dt *dateToks) auto(v string) (time.Time, error) {
	t := dt.t[:dt.n]
	switch {
	case len(t) == 1 && t[0].num && t[0].len == 8:
		a := t[0].val
		y, m, d := a/10000, a/100%100, a%100
		if validYMD(y, m, d) {
			return ymd(y, m, d, v)
		}
		d, m, y = a/1000000, a/10000%100, a%10000 // ddmmyyyy
		if validYMD(y, m, d) {
			return ymd(y, m, d, v)
		}
		return time.Time{}, errors.New("date " + v + " does not exist")
	case len(t) != 3:
		return time.Time{}, notDate(v)
	}
	names, month := 0, 0
	for _, x := range t {
		if !x.num {
			names++
			month = x.val
		}
	}
	switch names {
	case 0:
		if t[0].len == 4 { // yyyy-mm-dd, yyyy/mm/dd, yyyy.mm.dd
			if t[1].len > 2 || t[2].len > 2 {
				return time.Time{}, notDate(v)
			}
			return ymd(t[0].val, t[1].val, t[2].val, v)
		}
		if t[0].len > 2 || t[1].len > 2 || (t[2].len != 4 && t[2].len != 2) {
			return time.Time{}, notDate(v)
		}
		y := pivotYear(t[2].val, t[2].len)
		d, m := t[0].val, t[1].val
		if m > 12 && d <= 12 && validYMD(y, d, m) {
			d, m = m, d // 03/25/1990 can only be month-first
		}
		return ymd(y, m, d, v)
	case 1:
		var nums [2]dateTok
		k := 0
		for _, x := range t {
			if x.num {
				nums[k] = x
				k++
			}
		}
		day, year := nums[0], nums[1]
		if day.len == 4 || (t[0].num && t[0].len == 4) {
			day, year = nums[1], nums[0]
		}
		if day.len > 2 || (year.len != 4 && year.len != 2) {
			return time.Time{}, notDate(v)
		}
		return ymd(pivotYear(year.val, year.len), month, day.val, v)
	}
	return time.Time{}, notDate(v)
}

// ourLayout is a layout made by DateLayout: the order of day ('d'), numeric month
// ('m'), month name ('M') and year ('y'), and the widths of the fields.
type ourLayout struct {
	order      [3]byte
	width      [3]int
	yearDigits int
	sepless    bool // no separators: fields have fixed widths
}

// parseLayout reads a layout made by DateLayout; ok is false for any other Go layout.
func parseLayout(layout string) (l ourLayout, ok bool) {
	k := 0
	l.sepless = true
	for i := 0; i < len(layout); {
		var f byte
		var w int
		switch {
		case strings.HasPrefix(layout[i:], "2006"):
			f, w, l.yearDigits = 'y', 4, 4
		case strings.HasPrefix(layout[i:], "January"):
			f, w = 'M', 7
		case strings.HasPrefix(layout[i:], "Jan"):
			f, w = 'M', 3
		case strings.HasPrefix(layout[i:], "01"):
			f, w = 'm', 2
		case strings.HasPrefix(layout[i:], "02"):
			f, w = 'd', 2
		case strings.HasPrefix(layout[i:], "06"):
			f, w, l.yearDigits = 'y', 2, 2
		case layout[i] == '1':
			f, w = 'm', 1
		case layout[i] == '2':
			f, w = 'd', 1
		case strings.IndexByte("./-, ", layout[i]) >= 0:
			l.sepless = false
			i++
			continue
		default:
			return l, false
		}
		if k == 3 {
			return l, false
		}
		l.order[k], l.width[k] = f, w
		k++
		i += w
	}
	return l, k == 3
}

// match reads the tokens in the order of l. matched is false when the value has
// another shape.
func (dt *dateToks) match(l ourLayout, v string) (t time.Time, matched bool, err error) {
	order, width, yearDigits, sepless := l.order, l.width, l.yearDigits, l.sepless
	var vals [3]dateTok
	switch {
	case dt.n == 3:
		vals = [3]dateTok{dt.t[0], dt.t[1], dt.t[2]}
	case dt.n == 1 && sepless && dt.t[0].num && dt.t[0].len == width[0]+width[1]+width[2]:
		a := dt.t[0].val
		for i := 2; i >= 0; i-- {
			p := pow10(width[i])
			vals[i] = dateTok{num: true, val: a % p, len: width[i]}
			a /= p
		}
	default:
		return time.Time{}, false, nil
	}
	var y, m, d int
	for i, f := range order {
		x := vals[i]
		switch f {
		case 'y':
			if !x.num || (x.len != 4 && x.len != 2) || (yearDigits == 4 && x.len != 4 && sepless) {
				return time.Time{}, false, nil
			}
			y = pivotYear(x.val, x.len)
		case 'm', 'M': // a month name is fine where a number was expected, and back
			if x.len > 2 || f == 'M' && x.num && (x.val < 1 || x.val > 12) {
				return time.Time{}, false, nil
			}
			m = x.val
		case 'd':
			if !x.num || x.len > 2 {
				return time.Time{}, false, nil
			}
			d = x.val
		}
	}
	t, err = ymd(y, m, d, v)
	return t, true, err
}

func pow10(n int) int {
	p := 1
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// humanLayout turns a layout from DateLayout back into "dd.mm.yyyy" for messages.
var humanLayout = strings.NewReplacer("2006", "yyyy", "January", "mmmm", "Jan", "mmm", "01", "mm",
	"02", "dd", "06", "yy", "1", "m", "2", "d")

// dateFillers are words that surround the parts of a written date.
var dateFillers = map[string]bool{
	"de": true, "del": true, "of": true, "the": true, "r": true, "roku": true, "st": true,
	"nd": true, "rd": true, "th": true, "er": true, "o": true, "a": true, "den": true, "el": true,
	"le": true, "am": true, "e": true, "di": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "mon": true, "tue": true, "wed": true, "thu": true,
	"fri": true, "sat": true, "sun": true, "lunes": true, "martes": true, "miercoles": true,
	"jueves": true, "viernes": true, "sabado": true, "domingo": true, "poniedzialek": true,
	"wtorek": true, "sroda": true, "czwartek": true, "piatek": true, "sobota": true,
	"niedziela": true,
}

// monthNames maps folded month names and abbreviations in the languages of the data,
// and Roman numerals (Polish "15 III 1980"), to month numbers.
var monthNames = func() map[string]int {
	m := map[string]int{}
	for i, names := range [12]string{
		"january jan janv jänner janner jan enero ene styczen stycznia sty janeiro gennaio gen janvier januar i",
		"february feb febr febrero luty lutego lut fevereiro fev febbraio fevrier fevr februar ii",
		"march mar marzo marzec marca marco mars marz mrz iii",
		"april apr abril abr kwiecien kwietnia kwi aprile avril avr iv",
		"may mayo maj maja maio mai maggio mag v",
		"june jun junio czerwiec czerwca cze junho juin juni giugno giu vi",
		"july jul julio lipiec lipca lip julho juillet juil juli luglio lug vii",
		"august aug agosto ago sierpien sierpnia sie aout agosto august viii",
		"september sep sept septiembre setiembre set wrzesien wrzesnia wrz setembro septembre settembre ix",
		"october oct octubre pazdziernik pazdziernika paz outubro out octobre oktober okt ottobre ott x",
		"november nov noviembre listopad listopada lis novembro novembre xi",
		"december dec diciembre dic grudzien grudnia gru dezembro dez decembre dezember dicembre xii",
	} {
		for _, n := range strings.Fields(names) {
			m[Fold(n)] = i + 1
		}
	}
	return m
}()
