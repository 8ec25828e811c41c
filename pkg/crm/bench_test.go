package crm

import (
	"io"
	"strconv"
	"testing"

	"github.com/padron-org/padron/pkg/store"
)

// BenchmarkWrite100k writes 100,000 generic people rows in each format:
// go test ./pkg/crm -run - -bench Write100k -benchtime 1x
func BenchmarkWrite100k(b *testing.B) {
	base := fixturePeople()
	each := func(f func(store.PersonView) error) error {
		for i := 0; i < 100_000; i++ {
			p := base[i%len(base)]
			p.ID = int64(i + 1)
			p.Email = "p" + strconv.Itoa(i) + "@example.org"
			if err := f(p); err != nil {
				return err
			}
		}
		return nil
	}
	for _, f := range Formats() {
		b.Run(f.Name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Write(io.Discard, f, PeopleTable(Generic(), each), Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
