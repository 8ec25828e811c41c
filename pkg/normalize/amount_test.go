package normalize

import (
	"math"
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	ok := []struct {
		in    string
		mark  DecimalMark
		cents int64
		cur   string
	}{
		{"150,00", DecimalAuto, 15000, ""},
		{"150", DecimalAuto, 15000, ""},
		{"0", DecimalAuto, 0, ""},
		{"1 234,56 PLN", DecimalAuto, 123456, "PLN"},
		{"1.234,56", DecimalAuto, 123456, ""},
		{"1,234.56", DecimalAuto, 123456, ""},
		{"-12.50", DecimalAuto, -1250, ""},
		{"12,50-", DecimalAuto, -1250, ""},
		{"(12.50)", DecimalAuto, -1250, ""},
		{"€ 1.500", DecimalAuto, 150000, "EUR"},
		{"1'234.50", DecimalAuto, 123450, ""},
		{"1’234.50", DecimalAuto, 123450, ""},
		{"150 zł", DecimalAuto, 15000, "PLN"},
		{"150zł", DecimalAuto, 15000, "PLN"},
		{"150 ZŁ", DecimalAuto, 15000, "PLN"},
		{"150,-", DecimalAuto, 15000, ""},
		{"150,- zł", DecimalAuto, 15000, "PLN"},
		{"1.500", DecimalAuto, 150000, ""},
		{"1,500", DecimalAuto, 150000, ""},
		{"12.500", DecimalAuto, 1250000, ""},
		{"150,5", DecimalAuto, 15050, ""},
		{"150,50", DecimalAuto, 15050, ""},
		{"150.5", DecimalAuto, 15050, ""},
		{"0,500", DecimalAuto, 50, ""},
		{"0.5", DecimalAuto, 50, ""},
		{",50", DecimalAuto, 50, ""},
		{"1.234.567", DecimalAuto, 123456700, ""},
		{"1,234,567.89", DecimalAuto, 123456789, ""},
		{"1.234.567,89", DecimalAuto, 123456789, ""},
		{"1 234 567,89", DecimalAuto, 123456789, ""},
		{"1\u00a0234,56", DecimalAuto, 123456, ""},
		{"1\u202f234,56\u00a0€", DecimalAuto, 123456, "EUR"},
		{"1\u2009234.56", DecimalAuto, 123456, ""},
		{"12.5000", DecimalAuto, 1250, ""},
		{"12,50000", DecimalAuto, 1250, ""},
		{"1234.560000", DecimalDot, 123456, ""}, // zeros past the cents are exact
		{"EUR 12,50", DecimalAuto, 1250, "EUR"},
		{"12.50 eur", DecimalAuto, 1250, "EUR"},
		{"12 euros", DecimalAuto, 1200, "EUR"},
		{"$ 1.500", DecimalAuto, 150000, ""},
		{"$1,500.00", DecimalAuto, 150000, ""},
		{"US$ 100", DecimalAuto, 10000, "USD"},
		{"U$S 100", DecimalAuto, 10000, "USD"},
		{"u$s100", DecimalAuto, 10000, "USD"},
		{"USD 100", DecimalAuto, 10000, "USD"},
		{"AR$ 2.500,50", DecimalAuto, 250050, "ARS"},
		{"ARS 2500", DecimalAuto, 250000, "ARS"},
		{"2500 ars", DecimalAuto, 250000, "ARS"},
		{"-€12", DecimalAuto, -1200, "EUR"},
		{"€-12", DecimalAuto, -1200, "EUR"},
		{"(€12,00)", DecimalAuto, -1200, "EUR"},
		{"− 12,00", DecimalAuto, -1200, ""},
		{"+12,00", DecimalAuto, 1200, ""},
		{"£12.99", DecimalAuto, 1299, "GBP"},
		{"CHF 1'250.00", DecimalAuto, 125000, "CHF"},
		{"500 грн", DecimalAuto, 50000, "UAH"},
		{"12.", DecimalAuto, 1200, ""},
		{"$ 100 ARS", DecimalAuto, 10000, "ARS"},
		{"EUR 12 €", DecimalAuto, 1200, "EUR"},
		{"150 zł.", DecimalAuto, 15000, "PLN"},
		// Explicit marks.
		{"1.500", DecimalDot, 150, ""},
		{"1,500", DecimalComma, 150, ""},
		{"1.500", DecimalComma, 150000, ""},
		{"1,500", DecimalDot, 150000, ""},
		{"1.234,5", DecimalComma, 123450, ""},
		{"1,234.5", DecimalDot, 123450, ""},
		{"150.5", DecimalDot, 15050, ""},
		{"150,5", DecimalComma, 15050, ""},
		{"150", DecimalComma, 15000, ""},
		{"92233720368547758.07", DecimalDot, math.MaxInt64, ""},
		{"-92233720368547758.07", DecimalDot, -math.MaxInt64, ""},
	}
	for _, c := range ok {
		got, err := ParseAmount(c.in, c.mark)
		if err != nil || got.Cents != c.cents || got.Currency != c.cur {
			t.Errorf("ParseAmount(%q, %d) = %+v, %v; want %d %q", c.in, c.mark, got, err, c.cents, c.cur)
		}
	}
	bad := []struct {
		in     string
		mark   DecimalMark
		reason string
	}{
		{"", DecimalAuto, "empty amount"},
		{"abc", DecimalAuto, "not an amount"},
		{"12.345", DecimalDot, "more than 2 decimal places"},
		{"12,505", DecimalComma, "more than 2 decimal places"},
		{"1234.567", DecimalAuto, "more than 2 decimal places"},
		{"0,125", DecimalAuto, "more than 2 decimal places"},
		{"12.5001", DecimalAuto, "more than 2 decimal places"},
		{"1.5", DecimalComma, "misplaced thousands separator"},
		{"12 50", DecimalAuto, "misplaced thousands separator"},
		{"1.23.456", DecimalAuto, "misplaced thousands separator"},
		{"1,23,456", DecimalAuto, "misplaced thousands separator"},
		{"1,2,3", DecimalComma, "more than one decimal comma"},
		{"1.2.3", DecimalDot, "more than one decimal point"},
		{"1.234,56,7", DecimalAuto, "decimal mark used twice"},
		{"1,234.567.8", DecimalAuto, "decimal mark used twice"},
		{"12 XYZ", DecimalAuto, "unknown currency"},
		{"ca. 12", DecimalAuto, "unknown currency"},
		{"12%", DecimalAuto, "not an amount"},
		{"12 € PLN", DecimalAuto, "two currencies"},
		{"US$ 12 ARS", DecimalAuto, "two currencies"},
		{"--12", DecimalAuto, "not an amount"},
		{"-12-", DecimalAuto, "not an amount"},
		{"(12", DecimalAuto, "not an amount"},
		{"((12", DecimalAuto, "not an amount"},
		{"12))", DecimalAuto, "not an amount"},
		{"((12))", DecimalAuto, "not an amount"},
		{"-(12)", DecimalAuto, "not an amount"},
		{"12 / 13", DecimalAuto, "not an amount"},
		{"1e5", DecimalAuto, "not an amount"},
		{"99999999999999999999", DecimalAuto, "amount too large"},
		{"92233720368547758.08", DecimalDot, "amount too large"},
	}
	for _, c := range bad {
		got, err := ParseAmount(c.in, c.mark)
		if err == nil || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("ParseAmount(%q, %d) = %+v, %v; want error containing %q", c.in, c.mark, got, err, c.reason)
		}
	}
}

func TestFormatCents(t *testing.T) {
	cases := []struct {
		in   int64
		want string
	}{
		{0, "0.00"}, {5, "0.05"}, {-50, "-0.50"}, {123456, "1234.56"}, {-123456, "-1234.56"},
		{100, "1.00"}, {math.MaxInt64, "92233720368547758.07"}, {math.MinInt64, "-92233720368547758.08"},
	}
	for _, c := range cases {
		if got := FormatCents(c.in); got != c.want {
			t.Errorf("FormatCents(%d) = %q, want %q", c.in, got, c.want)
		}
	}
	// Round trip.
	for _, c := range cases[:7] {
		a, err := ParseAmount(FormatCents(c.in), DecimalDot)
		if err != nil || a.Cents != c.in {
			t.Errorf("ParseAmount(FormatCents(%d)) = %d, %v", c.in, a.Cents, err)
		}
	}
}

func TestParseAmountAllocs(t *testing.T) {
	for _, v := range []string{"150,00", "1 234,56 PLN", "€ 1.500", "150 zł"} {
		if n := testing.AllocsPerRun(100, func() { ParseAmount(v, DecimalAuto) }); n != 0 {
			t.Errorf("ParseAmount(%q) allocates %v times", v, n)
		}
	}
}
