package match

import (
	"maps"
	"math/rand/v2"
	"testing"
)

// Values resolved once per record must give what the plain lookups give.

// randRecords makes n records whose fields repeat (small pools), some missing.
func randRecords(r *rand.Rand, n int) []Record {
	pick := func(pool []string) string {
		if r.IntN(8) == 0 {
			return ""
		}
		return pool[r.IntN(len(pool))]
	}
	given := []string{"Anna", "Kasia", "Katarzyna", "José", "Pepe", "María José", "Bob", "Robert", "Zyx", "Łucja", "Jan", "Jana"}
	family := []string{"Nowak", "Kowalska", "García López", "Wróbel", "Zych", "Pérez"}
	cities := []string{"Kraków", "Madrid", "Łódź", "Sevilla"}
	recs := make([]Record, n)
	for i := range recs {
		recs[i] = Record{ID: int64(i + 1), GivenName: pick(given), FamilyName: pick(family), City: pick(cities),
			Postcode: pick([]string{"30-001", "28001", "90 001"}), Occupation: pick([]string{"nurse", "teacher"})}
		if r.IntN(3) > 0 {
			recs[i].BirthDate = int32(19500101 + r.IntN(3)*10000 + r.IntN(2)*100 + r.IntN(3))
		}
		if r.IntN(2) == 0 {
			recs[i].Emails = []string{pick([]string{"a@x.pl", "anna.nowak@x.pl", "jan@y.es"})}
		}
	}
	return recs
}

func TestTFRecordCountsMatchLookups(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	fs := prepareAll(randRecords(r, 3000))
	tf := countTF(fs)
	for c := 0; c < numComp; c++ {
		if !Comparisons[c].TF {
			continue
		}
		want := map[string]int32{}
		for i := range fs {
			for _, v := range tfValues(c, &fs[i]) {
				want[v]++
			}
		}
		if !maps.Equal(tf.Counts[c], want) {
			t.Fatalf("%s: counts differ from a plain count", Comparisons[c].Name)
		}
	}
	m := NewModel()
	sc := newScorer(m, tf, DefaultNicknames())
	for k := 0; k < 20000; k++ {
		i, j := r.IntN(len(fs)), r.IntN(len(fs))
		for c := 0; c < numComp; c++ {
			u1, ok1 := tf.uOf(c, i, &fs[i], &fs[j])
			u2, ok2 := tf.u(c, shared(c, &fs[i], &fs[j]))
			if u1 != u2 || ok1 != ok2 {
				t.Fatalf("%s of %d,%d: uOf %v %v, u %v %v", Comparisons[c].Name, i, j, u1, ok1, u2, ok2)
			}
		}
		var lv levels
		for c := range lv {
			lv[c] = lvExact
		}
		sw := k%2 == 0
		if a, b := sc.weighAt(&fs[i], &fs[j], i, &lv, sw), sc.weigh(&fs[i], &fs[j], &lv, sw); a != b {
			t.Fatalf("weighAt %v, weigh %v", a, b)
		}
	}
}
