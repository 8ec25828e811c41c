package normalize

import (
	"strconv"
	"strings"
	"testing"
)

func TestPhone(t *testing.T) {
	ok := []struct{ in, region, want string }{
		// Poland
		{"600 123 456", "PL", "+48600123456"},
		{"600-123-456", "PL", "+48600123456"},
		{"600123456", "PL", "+48600123456"},
		{"+48 600 123 456", "PL", "+48600123456"},
		{"+48600123456", "", "+48600123456"},
		{"0048600123456", "PL", "+48600123456"},
		{"0048 600 123 456", "pl", "+48600123456"},
		{"48600123456", "PL", "+48600123456"},
		{"tel. 600-123-456", "PL", "+48600123456"},
		{"tel.: +48 600 123 456", "PL", "+48600123456"},
		{"kom. 600 123 456", "PL", "+48600123456"},
		{"600123456 (home)", "PL", "+48600123456"},
		{"600 123 456 (dom)", "PL", "+48600123456"},
		{"600 123 456 wew. 12", "PL", "+48600123456"},
		{"600 123 456 ext. 12", "PL", "+48600123456"},
		{"22 123 45 67", "PL", "+48221234567"},
		{"(22) 123-45-67", "PL", "+48221234567"},
		{"+48 (22) 123 45 67", "PL", "+48221234567"},
		{"+48 (0) 600 123 456", "PL", "+48600123456"},
		{"tel:+48-600-123-456", "PL", "+48600123456"},
		{"+48\u00a0600\u00a0123\u00a0456", "PL", "+48600123456"},
		{"＋４８ ６００ １２３ ４５６", "PL", "+48600123456"},
		// Spain
		{"612 345 678", "ES", "+34612345678"},
		{"612345678", "ES", "+34612345678"},
		{"91 123 45 67", "ES", "+34911234567"},
		{"+34 612 34 56 78", "ES", "+34612345678"},
		{"0034 612 345 678", "ES", "+34612345678"},
		{"móvil: 612.345.678", "ES", "+34612345678"},
		// Argentina: landlines, mobiles with 9 (international) and 15 (national).
		{"(011) 4555-1234", "AR", "+541145551234"},
		{"011 4555-1234", "AR", "+541145551234"},
		{"11 4555-1234", "AR", "+541145551234"},
		{"+54 11 4555-1234", "AR", "+541145551234"},
		{"+54 9 11 4555-1234", "AR", "+5491145551234"},
		{"+549 11 4555 1234", "ES", "+5491145551234"},
		{"011 15 4555-1234", "AR", "+5491145551234"},
		{"(011) 15-4555-1234", "AR", "+5491145551234"},
		{"11 15 4555 1234", "AR", "+5491145551234"},
		{"9 11 4555 1234", "AR", "+5491145551234"},
		{"0351 15 555-1234", "AR", "+5493515551234"},
		{"(0351) 4555123", "AR", "+543514555123"},
		{"0351/4555123", "AR", "+543514555123"},
		{"00 54 9 11 4555 1234", "ES", "+5491145551234"},
		// Other countries written internationally, whatever the region.
		{"+34 91 123 45 67", "PL", "+34911234567"},
		{"0034 612345678", "AR", "+34612345678"},
		{"+44 (0)20 7946 0958", "PL", "+442079460958"},
		{"+49 30 12345678", "ES", "+493012345678"},
		{"+1 (202) 555-0143", "AR", "+12025550143"},
		{"+380 67 123 4567", "PL", "+380671234567"},
	}
	for _, c := range ok {
		got, err := Phone(c.in, c.region)
		if err != nil || got != c.want {
			t.Errorf("Phone(%q, %q) = %q, %v; want %q", c.in, c.region, got, err, c.want)
		}
	}
	bad := []struct{ in, region, reason string }{
		{"", "PL", "empty phone number"},
		{"abc", "PL", "not a phone number"},
		{"n/a", "ES", "not a phone number"},
		{"12", "PL", "phone number too short for PL"},
		{"112", "PL", "phone number too short for PL"},
		{"600 123 45", "PL", "not a valid phone number for PL"},
		{"6001234567777", "PL", "phone number too long for PL"},
		{"600-ABC-DEF", "PL", "too short for PL"},
		{"15 4555 1234", "AR", "not a valid phone number for AR"},
		{"4555-1234", "AR", "not a valid phone number for AR"},
		{"+999 123456789", "PL", "unknown country code"},
		{"600 123 456", "", "no country code"},
		{"600 123 456", "XX", "unknown phone region"},
		{"600 123 456", "Poland", "2-letter country code"},
		{"600 123 456 dom 601 222 333", "PL", "not one phone number"},
		{"+48 600 123 456 +48 601 222 333", "PL", "not one phone number"},
		{"123456789012345678901", "PL", "too long"},
		{"+48 600 123 45", "PL", "not a valid phone number for PL"},
		{"+54 15 4555 1234", "AR", "for AR"},
	}
	for _, c := range bad {
		got, err := Phone(c.in, c.region)
		if err == nil {
			t.Errorf("Phone(%q, %q) = %q, want error containing %q", c.in, c.region, got, c.reason)
			continue
		}
		if !strings.Contains(err.Error(), c.reason) {
			t.Errorf("Phone(%q, %q) error %q, want it to contain %q", c.in, c.region, err, c.reason)
		}
	}
}

// The cache must give the same answers as a fresh parse, including errors.
func TestPhoneCache(t *testing.T) {
	for i := 0; i < 3; i++ {
		if got, err := Phone("600 123 456", "PL"); got != "+48600123456" || err != nil {
			t.Fatalf("round %d: %q %v", i, got, err)
		}
		if _, err := Phone("600 123 45", "PL"); err == nil {
			t.Fatalf("round %d: invalid number accepted", i)
		}
		if got, _ := Phone("600 123 456", "ES"); got == "+48600123456" {
			t.Fatalf("round %d: cache ignored the region", i)
		}
	}
	c := &lru2{size: 2}
	for i, k := range []string{"a", "b", "c", "d", "e"} {
		c.put(k, phoneResult{e164: k})
		if len(c.cur)+len(c.old) > 2*c.size {
			t.Fatalf("after %d puts the cache holds %d", i+1, len(c.cur)+len(c.old))
		}
	}
	if _, ok := c.get([]byte("a")); ok {
		t.Error("oldest entry should have been dropped")
	}
	if r, ok := c.get([]byte("c")); !ok || r.e164 != "c" {
		t.Error("recent entry lost")
	}
}

// The importer calls Phone from several goroutines; run with -race.
func TestPhoneConcurrent(t *testing.T) {
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func(g int) {
			defer func() { done <- true }()
			for i := 0; i < 200; i++ {
				n := 600000000 + g*1000 + i
				want := "+48" + strconv.Itoa(n)
				if got, err := Phone(strconv.Itoa(n), "PL"); err != nil || got != want {
					t.Errorf("Phone(%d) = %q, %v", n, got, err)
					return
				}
				Fold("Łukasz Wróbel")
				IsGivenName("jan")
				Country("Polska")
			}
		}(g)
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}
