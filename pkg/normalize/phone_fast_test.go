package normalize

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nyaruka/phonenumbers"
	"github.com/padron-org/padron/pkg/synth"
)

// phoneTestRegions are the regions the equivalence test draws most inputs for.
var phoneTestRegions = []string{"ES", "PL", "AR", "GB", "DE", "FR", "IT", "PT", "US", "BR", "MX", "CL", "UA"}

type phoneCase struct{ in, region string }

// checkPhoneCase compares parsePhone (fast path) with parsePhoneLib (the library
// alone) on the cleaned form of c, as Phone would call them. decided reports whether
// the fast path answered itself; refused that Phone's own cleaning (phoneKey, or a
// national number without a region) answered before either.
func checkPhoneCase(t *testing.T, c phoneCase) (decided, refused bool) {
	t.Helper()
	region, err := phoneRegion(c.region)
	if err != nil {
		t.Fatalf("bad test region %q", c.region)
	}
	var arr [48]byte
	key, err := phoneKey(arr[:0], c.in, region)
	if err != nil {
		return false, true
	}
	number := string(key[len(region)+1:])
	got, gotErr := parsePhone(number, region)
	want, wantErr := parsePhoneLib(number, region)
	if got != want || errString(gotErr) != errString(wantErr) {
		t.Errorf("Phone(%q, %q) → %q: fast path gives %q, %v; the library %q, %v",
			c.in, c.region, number, got, gotErr, want, wantErr)
	}
	if region == "" && number[0] != '+' {
		return false, true
	}
	_, _, _, ok := fastParsePhone(number, region)
	return ok, false
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// The fast path must give exactly the library's answer (the same E.164 string, or an
// error with the same wording) for every input. Over 200,000 inputs: numbers as the
// synth package writes them, numbers built from the library's example numbers of every
// type with the tail randomized, random digit strings, with and without +, 00, country
// codes and national prefixes, in assorted punctuation; all short strings; and a sweep
// over every region the library knows.
func TestPhoneFastMatchesLibrary(t *testing.T) {
	r := rand.New(rand.NewPCG(20260101, 7))
	scale := 1
	if testing.Short() {
		scale = 10
	}
	type item struct {
		c        phoneCase
		mustFast bool // the fast path must decide it (the main test regions)
	}
	var items []item
	add := func(c phoneCase, mustFast bool) { items = append(items, item{c, mustFast}) }
	for _, c := range wideMix(t, 20000/scale) {
		add(c, true)
		add(phoneCase{c.in, phoneTestRegions[r.IntN(len(phoneTestRegions))]}, true)
	}
	for _, c := range styleMix(r, 30000/scale) {
		add(c, true)
	}
	ex := newExampleNSNs(phoneTestRegions)
	for range 130000 / scale {
		region := phoneTestRegions[r.IntN(len(phoneTestRegions))]
		add(phoneCase{randomPhoneInput(r, ex, region), region}, true)
	}
	// Every string of up to three digits, with and without "+".
	for _, region := range phoneTestRegions {
		for w := 1; w <= 3; w++ {
			for n := range pow10(w) {
				d := strconv.Itoa(n)
				d = strings.Repeat("0", w-len(d)) + d
				add(phoneCase{d, region}, true)
				add(phoneCase{"+" + d, region}, true)
			}
		}
	}
	// Every region and non-geographic calling code the library has.
	var all []string
	for reg := range phonenumbers.GetSupportedRegions() {
		all = append(all, reg)
	}
	slices.Sort(all)
	exAll := newExampleNSNs(all)
	for _, region := range all {
		for range 60 / scale {
			add(phoneCase{randomPhoneInput(r, exAll, region), region}, true)
		}
		for range 20 / scale { // international, no default region
			add(phoneCase{"+" + exAll.cc[region] + exAll.pick(r, region), ""}, true)
		}
	}
	for _, cc := range []int{800, 808, 870, 878, 881, 882, 883, 888, 979} {
		for _, reg := range []string{"", "ES", "PL", "AR", "GB"} {
			for range 40 / scale {
				add(phoneCase{"+" + strconv.Itoa(cc) + randDigits(r, 6+r.IntN(8)), reg}, true)
			}
		}
	}

	// The library takes most of the time: check on every CPU.
	var fast atomic.Int64
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(items); i += workers {
				it := items[i]
				decided, refused := checkPhoneCase(t, it.c)
				if decided {
					fast.Add(1)
				} else if it.mustFast && !refused {
					t.Errorf("Phone(%q, %q) left the fast path", it.c.in, it.c.region)
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d inputs, %d decided by the fast path", len(items), fast.Load())
	if len(items) < 200000/scale {
		t.Errorf("only %d inputs", len(items))
	}
}

// Every region's and non-geographic code's metadata compiles for the fast path, so no
// number falls back to the slow library path.
func TestPhoneFastMetadata(t *testing.T) {
	initFastPhone()
	for reg := range phonenumbers.GetSupportedRegions() {
		if regionMeta(reg) == nil {
			t.Errorf("metadata for %s not handled by the fast path", reg)
		}
	}
	for cc := range phonenumbers.GetSupportedCallingCodes() {
		if ccInfoFor(cc) == nil {
			t.Errorf("calling code %d not handled by the fast path", cc)
		}
	}
	if _, _, _, ok := fastParsePhone("60x", "PL"); ok {
		t.Error("non-digits must be left to the library")
	}
	if _, _, _, ok := fastParsePhone("123456789012345678", "PL"); ok {
		t.Error("more than 17 digits must be left to the library")
	}
}

// The DFA answers full and prefix matches exactly as the regexp does.
func TestDigitDFA(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range []string{
		`(?:11|[89]\d\d)\d{8}|[2368]\d{9}`, `1[2-9]\d{2,3}|7(?:0[0-5]|1)?`, `\d{7,9}`, ``, `NA`,
		`0?(?:(11|2(?:2(?:02?|[13])|3[67])|3(?:51|4[12]))15)?`, `(?:0|90)(?:(1[245]|2[1-35]|31)(\d{10,11}))?`,
	} {
		d, err := compileDigitDFA(p)
		if err != nil {
			t.Fatalf("%q: %v", p, err)
		}
		full := regexp.MustCompile("^(?:" + p + ")$")
		prefix := regexp.MustCompile("^(?:" + p + ")")
		for range 20000 {
			s := randDigits(r, r.IntN(16))
			if r.IntN(3) == 0 {
				s = "1" + s
			}
			if got, want := d.full(s), full.MatchString(s); got != want {
				t.Errorf("full %q on %q: %v, regexp %v", p, s, got, want)
			}
			got := d.longestPrefix(s)
			if (got >= 0) != prefix.MatchString(s) {
				t.Errorf("prefix %q on %q: %d, regexp %v", p, s, got, prefix.MatchString(s))
			}
			if got >= 0 && !full.MatchString(s[:got]) {
				t.Errorf("prefix %q on %q: %d does not match", p, s, got)
			}
			for i := got + 1; i <= len(s); i++ {
				if full.MatchString(s[:i]) {
					t.Errorf("prefix %q on %q: %d is not the longest", p, s, got)
				}
			}
		}
	}
}

// ---- inputs ----

// wideMix is the phone column of synth.WriteWideCSV (the benchmark import file) with
// each row's country as the region.
func wideMix(tb testing.TB, rows int) []phoneCase {
	var b bytes.Buffer
	if err := synth.WriteWideCSV(&b, rows, 7); err != nil {
		tb.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	phone := slices.Index(recs[0], "phone")
	country := slices.Index(recs[0], "country")
	var out []phoneCase
	for _, rec := range recs[1:] {
		if rec[phone] != "" {
			out = append(out, phoneCase{rec[phone], rec[country]})
		}
	}
	return out
}

// styleMix writes mobile numbers of ES, PL, AR and GB in every format synth's fmtPhone
// knows (national and international), with that country as the region.
func styleMix(r *rand.Rand, n int) []phoneCase {
	arAreas := []string{"11", "221", "223", "2323", "249", "261", "264", "2901", "291", "294", "297", "299", "341", "342", "343", "351", "358", "362", "376", "379", "381", "385", "387", "388"}
	gbPrefixes := []string{"1134960", "1144960", "1174960", "1214960", "1314960", "1414960", "1514960", "1614960", "1632960", "2079460", "2890180", "2920180", "7700900"}
	plPrefixes := []string{"50", "51", "53", "57", "60", "66", "69", "72", "73", "78", "79", "88"}
	out := make([]phoneCase, 0, n)
	for len(out) < n {
		style := r.IntN(9)
		switch r.IntN(4) {
		case 0, 1: // ES, PL
			es := r.IntN(2) == 0
			var nsn, cc, region string
			if es {
				if r.IntN(100) < 85 {
					nsn = "6" + randDigits(r, 8)
				} else {
					nsn = "7" + strconv.Itoa(1+r.IntN(4)) + randDigits(r, 7)
				}
				cc, region = "34", "ES"
			} else {
				nsn = plPrefixes[r.IntN(len(plPrefixes))] + randDigits(r, 7)
				cc, region = "48", "PL"
			}
			a, b, c := nsn[0:3], nsn[3:6], nsn[6:9]
			var s string
			switch style {
			case 0:
				s = nsn
			case 1:
				s = a + " " + b + " " + c
			case 2:
				if es {
					s = a + " " + nsn[3:5] + " " + nsn[5:7] + " " + nsn[7:9]
				} else {
					s = a + "-" + b + "-" + c
				}
			case 3:
				s = "+" + cc + " " + a + " " + b + " " + c
			case 4:
				s = "+" + cc + nsn
			case 5:
				s = "00" + cc + " " + nsn
			case 6:
				s = "(+" + cc + ") " + a + "-" + b + "-" + c
			case 7:
				if es {
					s = a + "." + b + "." + c
				} else {
					s = cc + nsn
				}
			default:
				if es {
					s = cc + nsn
				} else {
					s = "+" + cc + " " + a + "-" + b + "-" + c
				}
			}
			out = append(out, phoneCase{s, region})
		case 2: // AR
			a := arAreas[r.IntN(len(arAreas))]
			nsn := a + strconv.Itoa(2+r.IntN(6))
			nsn += randDigits(r, 10-len(nsn))
			l := nsn[len(a):]
			l1, l2 := l[:len(l)-4], l[len(l)-4:]
			var s string
			switch style {
			case 0:
				s = "+54 9 " + a + " " + l1 + "-" + l2
			case 1:
				s = a + " " + l1 + "-" + l2
			case 2:
				s = "0" + a + " 15-" + l1 + "-" + l2
			case 3:
				s = "15-" + l1 + "-" + l2
			case 4:
				s = "+549" + nsn
			case 5:
				s = "(0" + a + ") 15 " + l1 + "-" + l2
			case 6:
				s = nsn
			case 7:
				s = "54 9 " + a + " " + l
			default:
				s = "+54 " + a + " " + l1 + " " + l2
			}
			out = append(out, phoneCase{s, "AR"})
		default: // GB
			var nsn string
			if r.IntN(2) == 0 {
				nsn = "7" + strconv.Itoa(4+r.IntN(6))
			} else {
				nsn = gbPrefixes[r.IntN(len(gbPrefixes))]
			}
			nsn += randDigits(r, 10-len(nsn))
			var g string
			switch {
			case strings.HasPrefix(nsn, "7"), strings.HasPrefix(nsn, "1632"):
				g = nsn[:4] + " " + nsn[4:]
			case strings.HasPrefix(nsn, "2"):
				g = nsn[:2] + " " + nsn[2:6] + " " + nsn[6:]
			default:
				g = nsn[:3] + " " + nsn[3:6] + " " + nsn[6:]
			}
			var s string
			switch style % 6 {
			case 0:
				s = "0" + g
			case 1:
				s = "+44 " + g
			case 2:
				s = "0" + nsn
			case 3:
				s = "+44" + nsn
			case 4:
				s = "0044 " + g
			default:
				s = "+44 (0)" + g
			}
			out = append(out, phoneCase{s, "GB"})
		}
	}
	return out
}

func randDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

// exampleNSNs holds the library's example numbers of every type, by region.
type exampleNSNs struct {
	nsns    map[string][]string
	cc      map[string]string
	prefix  map[string]string // national prefix
	regions []string
}

func newExampleNSNs(regions []string) *exampleNSNs {
	e := &exampleNSNs{nsns: map[string][]string{}, cc: map[string]string{}, prefix: map[string]string{}, regions: regions}
	types := []phonenumbers.PhoneNumberType{phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.TOLL_FREE,
		phonenumbers.PREMIUM_RATE, phonenumbers.SHARED_COST, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER,
		phonenumbers.PAGER, phonenumbers.UAN, phonenumbers.VOICEMAIL}
	for _, reg := range regions {
		e.cc[reg] = strconv.Itoa(phonenumbers.GetCountryCodeForRegion(reg))
		e.prefix[reg] = phonenumbers.GetNddPrefixForRegion(reg, true)
		for _, typ := range types {
			if n := phonenumbers.GetExampleNumberForType(reg, typ); n != nil {
				e.nsns[reg] = append(e.nsns[reg], phonenumbers.GetNationalSignificantNumber(n))
			}
		}
		if len(e.nsns[reg]) == 0 {
			e.nsns[reg] = []string{"123456789"}
		}
	}
	return e
}

// pick returns an example number of region with a random tail (sometimes a digit
// longer or shorter).
func (e *exampleNSNs) pick(r *rand.Rand, region string) string {
	ex := e.nsns[region]
	nsn := ex[r.IntN(len(ex))]
	keep := len(nsn) - r.IntN(len(nsn)+1)
	if r.IntN(2) == 0 {
		keep = max(keep, len(nsn)-4)
	}
	n := len(nsn) - keep
	switch r.IntN(10) {
	case 0:
		n++
	case 1:
		if keep+n > 1 {
			n--
		}
	}
	return nsn[:keep] + randDigits(r, max(n, 0))
}

// randomPhoneInput writes a number for region the many ways people do: national,
// with a national prefix, with a country code (this region's or another's) after "+",
// "00" or nothing, random digits, in assorted punctuation.
func randomPhoneInput(r *rand.Rand, e *exampleNSNs, region string) string {
	other := e.regions[r.IntN(len(e.regions))]
	home := region
	if r.IntN(4) == 0 {
		home = other
	}
	var body string
	if r.IntN(4) == 0 {
		body = randDigits(r, 1+r.IntN(16))
	} else {
		body = e.pick(r, home)
	}
	var pre string
	switch r.IntN(18) {
	case 0, 1, 2, 3:
	case 4, 5:
		pre = "+" + e.cc[home]
	case 6:
		pre = "00" + e.cc[home]
	case 7:
		pre = e.cc[home]
	case 8, 9:
		pre = e.prefix[home]
	case 10:
		pre = "+"
	case 11:
		pre = []string{"0", "00", "000", "011", "0011", "15", "9", "1", "01", "+0", "+00"}[r.IntN(11)]
	case 12:
		pre = "+" + e.cc[home] + e.prefix[home]
	case 13:
		pre = e.prefix[home] + randDigits(r, 1+r.IntN(3)) + "15"
	case 14:
		pre = "+" + e.cc[home] + "9"
	case 15:
		// Country code without "+" and a number short enough that the whole could
		// be national too.
		pre = e.cc[home]
		body = body[:max(len(body)-len(pre), 0)]
	case 16:
		// Argentine habit: area code, 15, subscriber number (national prefix left out).
		k := min(2+r.IntN(3), len(body))
		body = body[:k] + "15" + body[k:max(len(body)-2, k)]
	default:
		pre = e.cc[home] + e.prefix[home]
	}
	s := pre + body
	if s == "" {
		s = "0"
	}
	return punctuate(r, s)
}

// punctuate spreads separators through a number and sometimes brackets a group.
func punctuate(r *rand.Rand, s string) string {
	if r.IntN(3) == 0 {
		return s
	}
	seps := []string{" ", " ", "-", ".", "/", " - "}
	var b strings.Builder
	open := false
	for i := 0; i < len(s); i++ {
		if i > 0 && s[i-1] != '+' && r.IntN(4) == 0 {
			if r.IntN(6) == 0 && !open {
				b.WriteString(" (")
				open = true
			} else if open && r.IntN(2) == 0 {
				b.WriteString(") ")
				open = false
			} else {
				b.WriteString(seps[r.IntN(len(seps))])
			}
		}
		b.WriteByte(s[i])
	}
	if open {
		b.WriteByte(')')
	}
	return b.String()
}

// ---- benchmarks ----

// phoneMissWith is Phone without the cache, with the given last step.
func phoneMissWith(s, region string, parse func(number, region string) (string, error)) (string, error) {
	region, err := phoneRegion(region)
	if err != nil {
		return "", err
	}
	var arr [48]byte
	key, err := phoneKey(arr[:0], s, region)
	if err != nil {
		return "", err
	}
	return parse(string(key[len(region)+1:]), region)
}

// BenchmarkPhoneMiss measures a cache miss, old (the library alone) against new (the
// fast path), on distinct numbers: "wide" is the phone column of synth's import
// benchmark file (mostly international formats), "styles" every national and
// international format synth writes for ES, PL, AR and GB; "Phone" is the exported
// function itself (cache lookup, miss, insert) on the wide mix.
func BenchmarkPhoneMiss(b *testing.B) {
	mixes := []struct {
		name  string
		cases []phoneCase
	}{
		{"wide", wideMix(b, 50000)},
		{"styles", styleMix(rand.New(rand.NewPCG(3, 4)), 50000)},
	}
	for _, mix := range mixes {
		for _, impl := range []struct {
			name  string
			parse func(number, region string) (string, error)
		}{{"old", parsePhoneLib}, {"new", parsePhone}} {
			b.Run(mix.name+"/"+impl.name, func(b *testing.B) {
				cases := mix.cases
				for _, c := range cases[:1000] { // compile the regions' patterns first
					phoneMissWith(c.in, c.region, impl.parse)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					c := cases[i%len(cases)]
					sinkS, sinkErr = phoneMissWith(c.in, c.region, impl.parse)
				}
			})
		}
	}
	b.Run("Phone", func(b *testing.B) {
		cases := mixes[0].cases
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			c := cases[i%len(cases)]
			sinkS, sinkErr = Phone(c.in, c.region)
		}
	})
}

// FuzzPhoneFast looks for an input where the fast path and the library disagree.
func FuzzPhoneFast(f *testing.F) {
	for _, s := range []string{"600 123 456", "+54 9 11 4555-1234", "0351 15 555-1234", "+44 (0)20 7946 0958",
		"0049 30 123456", "+1 202 555 0143", "+800 1234 5678", "00", "+0048600123456", "4912345678"} {
		f.Add(s, "PL")
		f.Add(s, "AR")
	}
	f.Fuzz(func(t *testing.T, s, region string) {
		if _, err := phoneRegion(region); err != nil {
			return
		}
		checkPhoneCase(t, phoneCase{s, region})
	})
}
