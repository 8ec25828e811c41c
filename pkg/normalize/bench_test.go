package normalize

import (
	"strconv"
	"sync/atomic"
	"testing"
)

var sinkS string
var sinkErr error

func BenchmarkEmail(b *testing.B) {
	for _, in := range []string{"jan.kowalski@wp.pl", " JAN.KOWALSKI@WP.PL ", "ana@ñandú.ar", "jan@wp"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sinkS, sinkErr = Email(in)
			}
		})
	}
}

// distinctPhones defeats the cache: more numbers than it holds.
func distinctPhones(n int) []string {
	p := make([]string, n)
	for i := range p {
		d := strconv.Itoa(600000000 + i*7919%99999999)
		p[i] = d[:3] + " " + d[3:6] + " " + d[6:]
	}
	return p
}

func BenchmarkPhone(b *testing.B) {
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sinkS, sinkErr = Phone("600 123 456", "PL")
		}
	})
	phones := distinctPhones(100000)
	b.Run("uncached", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sinkS, sinkErr = Phone(phones[i%len(phones)], "PL")
		}
	})
	b.Run("AR-mobile-uncached", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sinkS, sinkErr = Phone("011 15 "+phones[i%len(phones)][4:], "AR")
		}
	})
	// libphonenumber alone on a cleaned number, for comparison.
	b.Run("libphonenumber", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sinkS, sinkErr = parsePhone("600123456", "PL")
		}
	})
	b.Run("parallel-uncached", func(b *testing.B) {
		b.ReportAllocs()
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				Phone(phones[next.Add(1)%int64(len(phones))], "PL")
			}
		})
	})
}

func BenchmarkFold(b *testing.B) {
	for _, in := range []string{"jan kowalski", "Jan Kowalski", "Łukasz Wróbel", "MUÑOZ-GARCÍA, María José", "Олена Шевченко"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sinkS = Fold(in)
			}
		})
	}
}

func BenchmarkCleanName(b *testing.B) {
	for _, in := range []string{"Jan Kowalski", "Łukasz Wróbel", "  Łukasz\u00a0 Wróbel "} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sinkS = CleanName(in)
			}
		})
	}
}

func BenchmarkDate(b *testing.B) {
	for _, c := range []struct{ in, layout string }{
		{"15.03.1980", ""}, {"1980-03-15", ""}, {"1980-03-15 00:00:00", ""}, {"15 de marzo de 1980", ""},
		{"15.03.1980", "02.01.2006"}, {"29221", "serial"},
	} {
		serial := c.layout == "serial"
		layout := c.layout
		if serial {
			layout = ""
		}
		b.Run(c.in+"|"+c.layout, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, sinkErr = Date(c.in, layout, serial)
			}
		})
	}
}

func BenchmarkAmount(b *testing.B) {
	for _, in := range []string{"150", "150,00", "1 234,56 PLN", "€ 1.500", "-12.50"} {
		b.Run(in, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, sinkErr = ParseAmount(in, DecimalAuto)
			}
		})
	}
	b.Run("FormatCents", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sinkS = FormatCents(123456)
		}
	})
}

func BenchmarkOthers(b *testing.B) {
	b.Run("SplitMulti", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = SplitMulti("jan@wp.pl; ana@gmail.com")
		}
	})
	b.Run("SplitFullName", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sinkS, _ = SplitFullName("María José García López", NameAuto)
		}
	})
	b.Run("Bool", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, sinkErr = Bool("Tak")
		}
	})
	b.Run("Country", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sinkS, sinkErr = Country("España")
		}
	})
	b.Run("IBAN", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sinkS, sinkErr = IBAN("PL61 1090 1014 0000 0712 1981 2874")
		}
	})
	b.Run("NationalID", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sinkS, sinkErr = NationalID("20-12345678-6")
		}
	})
}
