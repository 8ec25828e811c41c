package normalize

import (
	"strings"
	"testing"
)

func TestEmail(t *testing.T) {
	ok := []struct{ in, want string }{
		{"jan.kowalski@wp.pl", "jan.kowalski@wp.pl"},
		{"JAN.KOWALSKI@WP.PL ", "jan.kowalski@wp.pl"},
		{"  Maria.Garcia@Gmail.com\t", "maria.garcia@gmail.com"},
		{"mailto:x@y.es", "x@y.es"},
		{"MAILTO:Info@Fundacion.org.ar", "info@fundacion.org.ar"},
		{"mailto:ana@x.com?subject=Hola", "ana@x.com"},
		{"<jan@onet.pl>", "jan@onet.pl"},
		{"<mailto:jan@onet.pl>", "jan@onet.pl"},
		{"mailto:<jan@onet.pl>", "jan@onet.pl"},
		{`"ana@hotmail.es"`, "ana@hotmail.es"},
		{"'ana@hotmail.es'", "ana@hotmail.es"},
		{"“ana@hotmail.es”", "ana@hotmail.es"},
		{"ana@ñandú.ar", "ana@xn--and-6ma2c.ar"},
		{"ANA@ÑANDÚ.AR", "ana@xn--and-6ma2c.ar"},
		{"kontakt@żółw.pl", "kontakt@xn--w-uga1v8h.pl"},
		{"info@müller.de", "info@xn--mller-kva.de"},
		{"first+tag@sub.example.co.uk", "first+tag@sub.example.co.uk"},
		{"o'brien@example.ie", "o'brien@example.ie"},
		{"user_name-1@my-domain.com", "user_name-1@my-domain.com"},
		{"a@b.co", "a@b.co"},
		{"x@xn--and-6ma2c.ar", "x@xn--and-6ma2c.ar"},
		{"\u200bjan@wp.pl\ufeff", "jan@wp.pl"},
		{"jan@wp.pl\u00a0", "jan@wp.pl"},
		{"test@domain.xn--p1ai", "test@domain.xn--p1ai"},
	}
	for _, c := range ok {
		got, err := Email(c.in)
		if err != nil || got != c.want {
			t.Errorf("Email(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	bad := []struct{ in, reason string }{
		{"", "empty"},
		{"   ", "empty"},
		{"jan.kowalski.wp.pl", "missing @"},
		{"jan＠wp.pl", "full-width"},
		{"jan@@wp.pl", "more than one @"},
		{"jan@kowalski@wp.pl", "more than one @"},
		{"jan kowalski@wp.pl", "spaces or invisible characters inside"},
		{"jan@wp .pl", "spaces or invisible characters inside"},
		{"Jan Kowalski <jan@wp.pl>", "name or other text"},
		{"@wp.pl", "nothing before @"},
		{"jan@", "nothing after @"},
		{"jan@wp", "no TLD"},
		{"jan@localhost", "no TLD"},
		{"jan..kowalski@wp.pl", "consecutive dots"},
		{"jan@wp..pl", "consecutive dots"},
		{".jan@wp.pl", "starts with a dot"},
		{"jan.@wp.pl", "dot right before @"},
		{"jan@.wp.pl", "domain starts with a dot"},
		{"jan@wp.pl.", "domain ends with a dot"},
		{"jan@wp,pl", "comma in domain"},
		{"jan,kowalski@wp.pl", "invalid character"},
		{"jan@wp_pl.com", "invalid character"},
		{"jan@-wp.pl", "hyphen"},
		{"jan@wp.p", "TLD too short"},
		{"jan@wp.123", "not a word"},
		{"jan@[10.0.0.1]", "IP address"},
		{"josé@gmail.com", "non-ASCII"},
		{"jan@" + strings.Repeat("a", 64) + ".pl", "longer than 63"},
		{strings.Repeat("a", 65) + "@wp.pl", "longer than 64"},
		{"jan@ex\u00e4mple\u200d.com", "invisible"},
		{"jan@xn--a.com", "invalid international domain"},
		{"jan@ñandú-.ar", "invalid international domain"},
		{"jan@١٢٣.com", "invalid international domain"},
		{"n/a", "missing @"},
	}
	for _, c := range bad {
		got, err := Email(c.in)
		if err == nil {
			t.Errorf("Email(%q) = %q, want error containing %q", c.in, got, c.reason)
			continue
		}
		if !strings.Contains(err.Error(), c.reason) || !strings.HasPrefix(err.Error(), "not an email address: ") {
			t.Errorf("Email(%q) error %q, want it to contain %q", c.in, err, c.reason)
		}
	}
}

func TestEmailNoAllocWhenCanonical(t *testing.T) {
	n := testing.AllocsPerRun(100, func() {
		if _, err := Email("jan.kowalski@wp.pl"); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("Email allocates %v times for a canonical address", n)
	}
}

func TestSplitMulti(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ", nil},
		{"jan@wp.pl", []string{"jan@wp.pl"}},
		{"jan@wp.pl; ana@gmail.com", []string{"jan@wp.pl", "ana@gmail.com"}},
		{"jan@wp.pl,ana@gmail.com,", []string{"jan@wp.pl", "ana@gmail.com"}},
		{"jan@wp.pl | ana@gmail.com", []string{"jan@wp.pl", "ana@gmail.com"}},
		{"jan@wp.pl\nana@gmail.com\r\n", []string{"jan@wp.pl", "ana@gmail.com"}},
		{"jan@wp.pl / ana@gmail.com", []string{"jan@wp.pl", "ana@gmail.com"}},
		{"jan@wp.pl or ana@gmail.com", []string{"jan@wp.pl", "ana@gmail.com"}},
		{"jan@wp.pl OR ana@gmail.com", []string{"jan@wp.pl", "ana@gmail.com"}},
		{"ana@x.es o pepe@y.es", []string{"ana@x.es", "pepe@y.es"}},
		{"600 123 456 lub 601 222 333", []string{"600 123 456", "601 222 333"}},
		{"600 123 456 albo 601 222 333", []string{"600 123 456", "601 222 333"}},
		{"+48 600 123 456", []string{"+48 600 123 456"}},
		{"+48 600 123 456; +48 601 222 333", []string{"+48 600 123 456", "+48 601 222 333"}},
		{"600123456/601222333", []string{"600123456", "601222333"}},
		{"600 123 456 / 601 222 333", []string{"600 123 456", "601 222 333"}},
		{"0351/4555123", []string{"0351/4555123"}},
		{"030/1234567", []string{"030/1234567"}},
		{"a@x.pl b@y.pl", []string{"a@x.pl", "b@y.pl"}},
		{"(011) 4555-1234 y 15 5555-6666", []string{"(011) 4555-1234", "15 5555-6666"}},
		{";;, ;", nil},
		{"tel. 600 123 456", []string{"tel. 600 123 456"}},
		{"oro@x.es", []string{"oro@x.es"}},
		{"a@x.es o o@y.es", []string{"a@x.es", "o@y.es"}},
	}
	for _, c := range cases {
		got := SplitMulti(c.in)
		if strings.Join(got, "\x00") != strings.Join(c.want, "\x00") || len(got) != len(c.want) {
			t.Errorf("SplitMulti(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
