package match

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/padron-org/padron/pkg/normalize"
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
	fs := prepareAll(randRecords(r, 3000), DefaultNicknames())
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

// nickTestNames returns names to compare: every name the lists hold, near misses of
// them, names they lack (with diacritics, folded), double names, and lone letters.
func nickTestNames(r *rand.Rand, n *Nicknames) []string {
	var names []string
	for name := range n.groups {
		names = append(names, name)
	}
	slices.Sort(names) // map order would make the draws below differ per run
	const letters = "abcdeijklmnorstuwyz"
	for _, s := range slices.Clone(names) {
		names = append(names, mutate(r, s, letters))
	}
	for _, s := range []string{"Zdzisław", "Łucja", "Ñuño", "Jürgen", "Bartłomiw", "Naacho", "tedd", "jsn", "x", "b", "María José", "Jan Maria"} {
		names = append(names, normalize.Fold(s))
	}
	for range 200 {
		names = append(names, randWord(r, letters, 9))
	}
	return slices.DeleteFunc(names, func(s string) bool { return s == "" })
}

// The nickname tests with refs must agree with the plain lookups, for the built-in
// lists and for lists a user extended: names added to a group, names put under
// several, new groups.
func TestNickRefsMatchLookups(t *testing.T) {
	user := DefaultNicknames().Clone()
	err := user.Add(strings.NewReader("katarzyna: kasiulka, kaska\nzdzislaw: zdzich, zdzisio, ted\nbartlomiej: bartus, bartek\nnuno: nunito\n"), "user.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, nick := range []*Nicknames{DefaultNicknames(), user, NewNicknames()} {
		r := rand.New(rand.NewPCG(1, 2))
		names := nickTestNames(r, nick)
		c := &comparer{nick: nick}
		pick := func() (string, int32) {
			s := names[r.IntN(len(names))]
			ref := nick.ref(s)
			if r.IntN(5) == 0 {
				ref = 0 // not looked up
			}
			return s, ref
		}
		var same, typo, miss, levels [7]int
		for range 300_000 {
			a, ra := pick()
			b, rb := pick()
			if r.IntN(3) == 0 {
				// Names of one group, or a near miss of one: most random pairs are
				// strangers, and the tests would only see "no".
				if e := nick.groups[a]; e != nil {
					g := nick.names[e.ids[r.IntN(len(e.ids))]]
					b = g[r.IntN(len(g))]
					switch r.IntN(3) {
					case 0:
						b = mutate(r, b, "aeiklnorst")
					case 1:
						b = slip(r, b)
					}
					rb = nick.ref(b)
				}
			}
			if got, want := nick.sameRef(a, ra, b, rb), nick.Same(a, b); got != want {
				t.Fatalf("sameRef(%q %d, %q %d) = %v, Same %v", a, ra, b, rb, got, want)
			} else if got {
				same[0]++
			}
			if got, want := c.nickTypo(a, b, rb), c.nickTypo(a, b, 0); got != want {
				t.Fatalf("nickTypo(%q, %q %d) = %v, plain %v", a, b, rb, got, want)
			} else if got {
				typo[0]++
			}
			for _, p := range [2][2]string{{a, b}, {b, a}} {
				rx, rn := ra, rb
				if p[0] == b {
					rx, rn = rb, ra
				}
				if got, want := nick.misspelt(p[0], rx, p[1], rn), nick.Misspelt(p[0], p[1]); got != want {
					t.Fatalf("misspelt(%q %d, %q %d) = %v, Misspelt %v", p[0], rx, p[1], rn, got, want)
				} else if got {
					miss[0]++
				}
			}
			a1, _, _ := strings.Cut(a, " ")
			b1, _, _ := strings.Cut(b, " ")
			ra1, rb1 := nick.ref(a1), nick.ref(b1)
			got, want := c.given(a, a1, b, b1, ra1, rb1), c.given(a, a1, b, b1, 0, 0)
			if got != want {
				t.Fatalf("given(%q, %q) with refs %d, without %d", a, b, got, want)
			}
			levels[got]++
		}
		t.Logf("%d names: same %d, nickTypo %d, misspelt %d, given levels %v", len(names), same[0], typo[0], miss[0], levels)
		if nick.Len() > 0 && (same[0] == 0 || typo[0] == 0 || miss[0] == 0) {
			t.Fatal("the draws never hit a nickname: the test proves nothing")
		}
	}
}

// Run's records carry refs from prepareAll: each must be what ref gives.
func TestPrepareAllRefs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	recs := randRecords(r, 2000)
	fs := prepareAll(recs, DefaultNicknames())
	for i := range fs {
		want := int32(0)
		if fs[i].given1 != "" {
			want = DefaultNicknames().ref(fs[i].given1)
		}
		if fs[i].nick1 != want {
			t.Fatalf("record %d (%q): ref %d, want %d", i, fs[i].given1, fs[i].nick1, want)
		}
	}
	for _, f := range prepareAll(recs, nil) {
		if f.nick1 != 0 {
			t.Fatal("prepareAll without lists set a ref")
		}
	}
}

// slip makes the kind of typo Misspelt looks for: a letter after the first replaced
// by its neighbour on the keyboard, or doubled.
func slip(r *rand.Rand, s string) string {
	if len(s) < 2 {
		return s
	}
	i := 1 + r.IntN(len(s)-1)
	c := s[i]
	if r.IntN(2) == 0 || c < 'a' || c > 'z' {
		return s[:i] + string(c) + s[i:]
	}
	nb := keyNeighbours[c-'a']
	return s[:i] + string(nb[r.IntN(len(nb))]) + s[i+1:]
}

// canon1 reads a record's canonical names through its ref: the same as Canon, for
// records prepared with the built-in lists, with extended ones, and without refs.
func TestCanon1MatchesCanon(t *testing.T) {
	user := DefaultNicknames().Clone()
	if err := user.Add(strings.NewReader("katarzyna: kasiulka\nzdzislaw: zdzich, ted\n"), "user.txt"); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 9))
	for _, nick := range []*Nicknames{DefaultNicknames(), user} {
		names := nickTestNames(r, nick)
		recs := make([]Record, 5000)
		for i := range recs {
			recs[i].GivenName = names[r.IntN(len(names))]
			if i%3 == 0 {
				recs[i].GivenName += " " + names[r.IntN(len(names))]
			}
		}
		for _, refs := range []*Nicknames{nick, nil} {
			fs := prepareAll(recs, refs)
			for i := range fs {
				if got, want := nick.canon1(&fs[i]), nick.Canon(fs[i].given1); !slices.Equal(got, want) {
					t.Fatalf("canon1(%q, ref %d) = %q, Canon %q", fs[i].given1, fs[i].nick1, got, want)
				}
			}
		}
	}
}

// prepare splits the family name once for its three word lists: each is what
// splitting it for that list gave.
func TestPrepareWordLists(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 3))
	names := []string{"", "Nowak", "García López", " de la  Cruz ", "Nowak-Kowalska", "O'Neil", "x", "Łucja Maria", "  "}
	for range 2000 {
		rec := Record{GivenName: names[r.IntN(len(names))], FamilyName: names[r.IntN(len(names))]}
		f := prepare(&rec)
		words := strings.Fields(f.family)
		var toks []string
		for _, w := range words {
			if len(w) >= 2 {
				toks = append(toks, w)
			}
		}
		if want := append(append([]string(nil), f.givenToks...), words...); !slices.Equal(f.nameToks, want) || (f.nameToks == nil) != (want == nil) {
			t.Fatalf("%q %q: nameToks %q, want %q", rec.GivenName, rec.FamilyName, f.nameToks, want)
		}
		if !slices.Equal(famWords(&f), words) {
			t.Fatalf("%q: famWords %q, want %q", rec.FamilyName, famWords(&f), words)
		}
		if !slices.Equal(f.famToks, toks) || f.famInit != initials(words) {
			t.Fatalf("%q: famToks %q famInit %b, want %q %b", rec.FamilyName, f.famToks, f.famInit, toks, initials(words))
		}
	}
}

// Names compared across columns read the family name's ref (feat.famRef): records
// prepared with refs compare as those prepared without. Family names are drawn from
// the given names, and some records are nameless on one side, so that the swapped
// comparisons meet names of the lists.
func TestFamRefMatchesLookups(t *testing.T) {
	nick := DefaultNicknames()
	r := rand.New(rand.NewPCG(4, 4))
	names := nickTestNames(r, nick)
	recs := make([]Record, 3000)
	for i := range recs {
		recs[i].GivenName = names[r.IntN(len(names))]
		recs[i].FamilyName = names[r.IntN(len(names))]
		switch i % 5 {
		case 0:
			recs[i].FamilyName += " " + names[r.IntN(len(names))]
		case 1:
			recs[i].GivenName = ""
		case 2:
			recs[i].FamilyName = ""
		}
	}
	with, without := prepareAll(recs, nick), prepareAll(recs, nil)
	for i := range with {
		if want := nick.ref(with[i].famFirst); with[i].famFirst != "" && with[i].famRef != want {
			t.Fatalf("%q: famRef %d, want %d", with[i].famFirst, with[i].famRef, want)
		}
	}
	c := &comparer{nick: nick}
	swaps := 0
	for i := range with {
		for _, j := range []int{(i + 1) % len(with), r.IntN(len(with))} {
			var lw, lo levels
			sw, so := c.compare(&with[i], &with[j], &lw), c.compare(&without[i], &without[j], &lo)
			if lw != lo || sw != so {
				t.Fatalf("%+v vs %+v: with refs %v %v, without %v %v", recs[i], recs[j], lw, sw, lo, so)
			}
			if sw {
				swaps++
			}
		}
	}
	if swaps == 0 {
		t.Fatal("no pair matched swapped: the test tests nothing")
	}
}
