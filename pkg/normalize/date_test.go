package normalize

import (
	"strings"
	"testing"
	"time"
)

func TestDateLayout(t *testing.T) {
	ok := []struct{ in, want string }{
		{"dd.mm.yyyy", "02.01.2006"},
		{"dd/mm/yyyy", "02/01/2006"},
		{"mm/dd/yyyy", "01/02/2006"},
		{"yyyy-mm-dd", "2006-01-02"},
		{"d.m.yy", "2.1.06"},
		{"yyyymmdd", "20060102"},
		{"DD.MM.YYYY", "02.01.2006"},
		{"dd-mmm-yyyy", "02-Jan-2006"},
		{"mmmm d, yyyy", "January 2, 2006"},
		{"dd/mm/aaaa", "02/01/2006"},
		{"dd.mm.rrrr", "02.01.2006"},
		{"TT.MM.JJJJ", "02.01.2006"},
		{"jj/mm/aaaa", "02/01/2006"},
		{" d/m/yyyy ", "2/1/2006"},
	}
	for _, c := range ok {
		got, err := DateLayout(c.in)
		if err != nil || got != c.want {
			t.Errorf("DateLayout(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, reason string }{
		{"", "empty"},
		{"dd.mm", "no year"},
		{"mm.yyyy", "no day"},
		{"dd.yyyy", "no month"},
		{"dd.mm.yyy", "not a day, month or year"},
		{"ddd.mm.yyyy", "not a day, month or year"},
		{"dd.mm.yyyy.dd", "day twice"},
		{"dd:mm:yyyy", "unexpected"},
		{"dmyyyy", "separators"},
		{"yyyymd", "separators"},
		{"02.01.2006", "unexpected"},
	}
	for _, c := range bad {
		got, err := DateLayout(c.in)
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("DateLayout(%q) = %q, %v; want error containing %q", c.in, got, err, c.reason)
		}
	}
}

func TestDate(t *testing.T) {
	type tc struct {
		in, layout string
		serial     bool
		want       string
	}
	ok := []tc{
		// ISO, with a time part that is dropped.
		{"1980-03-15", "", false, "1980-03-15"},
		{"1980-03-15 00:00:00", "", false, "1980-03-15"},
		{"1980-03-15T10:20:30Z", "", false, "1980-03-15"},
		{"1980-03-15T10:20:30+02:00", "", false, "1980-03-15"},
		{"1980-3-5", "", false, "1980-03-05"},
		{"1980/03/15", "", false, "1980-03-15"},
		{"1980.03.15", "", false, "1980-03-15"},
		// Day first.
		{"15.03.1980", "", false, "1980-03-15"},
		{"15/03/1980", "", false, "1980-03-15"},
		{"15-03-1980", "", false, "1980-03-15"},
		{"5.3.1980", "", false, "1980-03-05"},
		{"05/03/1980", "", false, "1980-03-05"},
		{"03/04/2024", "", false, "2024-04-03"},
		{"15.03.80", "", false, "1980-03-15"},
		{"1/2/03", "", false, "2003-02-01"},
		{"31/12/29", "", false, "2029-12-31"},
		{"01/01/30", "", false, "1930-01-01"},
		{"15.03.1980 r.", "", false, "1980-03-15"},
		{"15.03.1980r.", "", false, "1980-03-15"},
		{"1980-03-15 00:00:00 +0000 UTC", "", false, "1980-03-15"},
		{"3/15/2024 10:30 AM", "", false, "2024-03-15"},
		{"15.03.1980 10:30", "", false, "1980-03-15"},
		{" 15.03.1980\u00a0", "", false, "1980-03-15"},
		{"29.02.2024", "", false, "2024-02-29"},
		// Month first only when day first is impossible.
		{"03/25/1990", "", false, "1990-03-25"},
		{"12/31/2023", "", false, "2023-12-31"},
		// Compact.
		{"19800315", "", false, "1980-03-15"},
		{"15031980", "", false, "1980-03-15"},
		// Month names.
		{"15 de marzo de 1980", "", false, "1980-03-15"},
		{"15 marca 1980", "", false, "1980-03-15"},
		{"15 marzec 1980", "", false, "1980-03-15"},
		{"15 marca 1980 r.", "", false, "1980-03-15"},
		{"1 października 2023", "", false, "2023-10-01"},
		{"March 15, 1980", "", false, "1980-03-15"},
		{"March 15th, 1980", "", false, "1980-03-15"},
		{"15 Mar 1980", "", false, "1980-03-15"},
		{"15-Mar-1980", "", false, "1980-03-15"},
		{"15-mar-80", "", false, "1980-03-15"},
		{"15 Sept. 2001", "", false, "2001-09-15"},
		{"1980 March 15", "", false, "1980-03-15"},
		{"15. März 1980", "", false, "1980-03-15"},
		{"15 mars 1980", "", false, "1980-03-15"},
		{"15 de março de 1980", "", false, "1980-03-15"},
		{"15 settembre 1980", "", false, "1980-09-15"},
		{"lunes, 15 de marzo de 1980", "", false, "1980-03-15"},
		{"1º de mayo de 2020", "", false, "2020-05-01"},
		{"15 III 1980", "", false, "1980-03-15"},
		{"15.XII.1980", "", false, "1980-12-15"},
		// Explicit layouts, read leniently.
		{"03/25/1990", "01/02/2006", false, "1990-03-25"},
		{"3/4/2024", "01/02/2006", false, "2024-03-04"},
		{"03/04/2024", "02/01/2006", false, "2024-04-03"},
		{"3.4.24", "2.1.06", false, "2024-04-03"},
		{"03.04.2024", "2.1.06", false, "2024-04-03"},
		{"19800315", "20060102", false, "1980-03-15"},
		{"15-Mar-1980", "02-Jan-2006", false, "1980-03-15"},
		{"15-marzo-1980", "02-Jan-2006", false, "1980-03-15"},
		{"1980-03-15", "02.01.2006", false, "1980-03-15"},
		{"1980-03-15 00:00:00", "01/02/2006", false, "1980-03-15"},
		{"15/03/1980", "02.01.2006", false, "1980-03-15"},
		{"Mar 15 1980", "Jan 2 2006", false, "1980-03-15"},
		{"1980-03-15T10:00:00Z", time.RFC3339, false, "1980-03-15"},
		{"15 Mar 80 10:00 CET", time.RFC822, false, "1980-03-15"},
		{"1980-03-15", time.RFC822, false, "1980-03-15"},
		// Spreadsheet serials.
		{"29221", "", true, "1980-01-01"},
		{"29221.75", "", true, "1980-01-01"},
		{"45292", "", true, "2024-01-01"},
		{"61", "", true, "1900-03-01"},
		{"59", "", true, "1900-02-28"},
		{"1", "", true, "1900-01-01"},
		{"19800315", "", true, "1980-03-15"},
		{"15.03.1980", "", true, "1980-03-15"},
	}
	for _, c := range ok {
		got, err := Date(c.in, c.layout, c.serial)
		if err != nil || got.Format("2006-01-02") != c.want {
			t.Errorf("Date(%q, %q, %v) = %v, %v; want %s", c.in, c.layout, c.serial, got, err, c.want)
			continue
		}
		if got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("Date(%q) = %v, want midnight UTC", c.in, got)
		}
	}
	bad := []struct {
		in, layout string
		serial     bool
		reason     string
	}{
		{"", "", false, "empty date"},
		{"abc", "", false, "not a date"},
		{"31.02.2024", "", false, "date 31.02.2024 does not exist"},
		{"29.02.2023", "", false, "does not exist"},
		{"31/04/2024", "", false, "does not exist"},
		{"13/25/1990", "", false, "does not exist"},
		{"02/31/2024", "", false, "does not exist"},
		{"13/25/1990", "01/02/2006", false, "does not exist"},
		{"25/03/1990", "01/02/2006", false, "does not exist"},
		{"00.01.2000", "", false, "does not exist"},
		{"15.03.1850", "", false, "year 1850 is before 1880"},
		{"15.03.2150", "", false, "year 2150 is after 2100"},
		{"0015-03-15", "", false, "before 1880"},
		{"29221", "", false, "spreadsheet serial"},
		{"1980", "", false, "not a date"},
		{"15.03", "", false, "not a date"},
		{"15.03.198", "", false, "not a date"},
		{"1.2.3.4", "", false, "not a date"},
		{"15 foo 1980", "", false, "not a date"},
		{"15 marca", "", false, "not a date"},
		{"19801315", "", false, "does not exist"},
		{"60", "", true, "29 February 1900"},
		{"0", "", true, "before 1900"},
		{"99999999", "", true, "too large"},
		{"80000", "", true, "after 2100"},
		{"15.03.1980", "20060102", false, "does not match yyyymmdd"},
		{"15/03/1980", "Jan 2 2006", false, "does not match mmm d yyyy"},
		{"yesterday", time.RFC3339, false, "does not match"},
	}
	for _, c := range bad {
		got, err := Date(c.in, c.layout, c.serial)
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("Date(%q, %q, %v) = %v, %v; want error containing %q", c.in, c.layout, c.serial, got, err, c.reason)
		}
	}
}

// Layouts made by DateLayout must be read by Date.
func TestDateLayoutRoundTrip(t *testing.T) {
	day := time.Date(1987, 11, 4, 0, 0, 0, 0, time.UTC)
	for _, p := range []string{"dd.mm.yyyy", "d.m.yyyy", "mm/dd/yyyy", "yyyy-mm-dd", "d.m.yy", "yyyymmdd", "dd-mmm-yyyy", "mmmm d, yyyy"} {
		layout, err := DateLayout(p)
		if err != nil {
			t.Fatal(err)
		}
		text := day.Format(layout)
		got, err := Date(text, layout, false)
		if err != nil || !got.Equal(day) {
			t.Errorf("%s: Date(%q) = %v, %v", p, text, got, err)
		}
	}
}

func TestDateAllocs(t *testing.T) {
	for _, v := range []string{"15.03.1980", "1980-03-15", "15 marca 1980"} {
		if n := testing.AllocsPerRun(100, func() { Date(v, "", false) }); n != 0 {
			t.Errorf("Date(%q) allocates %v times", v, n)
		}
	}
}

func TestDateSince(t *testing.T) {
	if _, err := Date("1850-05-03", "", false); err == nil {
		t.Fatal("1850 accepted by default")
	}
	d, err := DateSince("1850-05-03", "", false, 1)
	if err != nil || d.Format("2006-01-02") != "1850-05-03" {
		t.Fatalf("DateSince 1850: %v %v", d, err)
	}
	if _, err := DateSince("1850-05-03", "", false, 1860); err == nil {
		t.Fatal("1850 accepted with min 1860")
	}
	if _, err := DateSince("0384-02-30", "", false, 1); err == nil {
		t.Fatal("30 February accepted")
	}
	layout, _ := DateLayout("dd.mm.yyyy")
	if d, err := DateSince("03.05.0384", layout, false, 1); err != nil || d.Year() != 384 {
		t.Fatalf("year 384: %v %v", d, err)
	}
}
