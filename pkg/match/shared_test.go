package match

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Jerry and Jeremy Long at one family mailbox, each with a phone of his own: a
// namesake home, though one writes his name short.
func TestNamesakeHomeNickname(t *testing.T) {
	recs := []Record{
		{GivenName: "Jerry", FamilyName: "Long", Emails: []string{"home.long7967@hotmail.com"}, Phones: []string{"+34655968672"}, BirthDate: 19430123},
		{GivenName: "Jeremy", FamilyName: "Long", Emails: []string{"home.long7967@hotmail.com"}, Phones: []string{"+34625140909"}},
	}
	fs := prepareAll(recs, DefaultNicknames())
	c := &comparer{nick: DefaultNicknames()}
	markShared(fs, c, c.nick)
	var lv levels
	c.compare(&fs[0], &fs[1], &lv)
	if lv[cGiven] != 2 || lv[cDOB] != dobNamesake {
		t.Errorf("Jerry vs Jeremy at one family mailbox: given level %d, dob level %d", lv[cGiven], lv[cDOB])
	}
}

func TestGmailFamilyMailbox(t *testing.T) {
	for _, c := range []struct {
		email, fam string
		want       bool
	}{
		{"domszymanska9460@gmail.com", "szymanska", true}, // dom.szymanska9460@gmail.com
		{"homelong7967@gmail.com", "long", true},
		{"domanski@gmail.com", "domanski", false}, // Domański's own
		{"domszymanska9460@wp.pl", "szymanska", false},
		{"casado.juan@gmail.com", "casado", false},
	} {
		if got := gmailFamilyMailbox(c.email, c.fam); got != c.want {
			t.Errorf("gmailFamilyMailbox(%q, %q) = %v, want %v", c.email, c.fam, got, c.want)
		}
	}
}

// sharedValuesByMap is sharedValues as it was, with maps: the sorted version must
// give the same values, also when hashes collide.
func sharedValuesByMap(fs []feat, cmp *comparer, values func(*feat) []string) map[string]bool {
	first := map[string]int32{}
	names := map[string][]int32{}
	for i := range fs {
		if fs[i].given1 == "" {
			continue
		}
		for _, v := range values(&fs[i]) {
			if j, ok := first[v]; ok {
				if names[v] == nil {
					names[v] = []int32{j}
				}
				names[v] = append(names[v], int32(i))
			} else {
				first[v] = int32(i)
			}
		}
	}
	out := map[string]bool{}
	for v, rs := range names {
		if len(rs) > 50 {
			out[v] = true
			continue
		}
	check:
		for x := 0; x < len(rs); x++ {
			for y := x + 1; y < len(rs); y++ {
				if clearlyDifferent(cmp, &fs[rs[x]], &fs[rs[y]]) {
					out[v] = true
					break check
				}
			}
		}
	}
	return out
}

func TestSharedValuesLikeMaps(t *testing.T) {
	givens := []string{"Anna", "Ania", "Piotr", "Ewa", "Jan", "", "Maria"}
	rng := rand.New(rand.NewPCG(1, 2))
	recs := make([]Record, 3000)
	for i := range recs {
		r := Record{GivenName: givens[rng.IntN(len(givens))], FamilyName: "Nowak"}
		for range rng.IntN(3) {
			r.Emails = append(r.Emails, fmt.Sprintf("x%d@example.org", rng.IntN(1500)))
		}
		if i%97 == 0 {
			r.Emails = append(r.Emails, "office@example.org") // over 50 records
		}
		recs[i] = r
	}
	fs := prepareAll(recs, DefaultNicknames())
	cmp := &comparer{nick: DefaultNicknames()}
	emails := func(f *feat) []string { return f.emails }
	want := sharedValuesByMap(fs, cmp, emails)
	if len(want) < 10 || !want["office@example.org"] {
		t.Fatalf("test data too thin: %d shared", len(want))
	}
	check := func(name string) {
		got := sharedValues(fs, cmp, emails)
		if !maps.Equal(got, want) {
			t.Errorf("%s: %d shared values, want %d, or different ones", name, len(got), len(want))
		}
	}
	check("keyHash")
	defer func(h func(string) uint64) { valueHash = h }(valueHash)
	valueHash = func(v string) uint64 { return uint64(len(v)) } // every hash collides
	check("colliding hash")
}

// eachHomeKey builds, without allocating, the keys homeKeys returns, behind
// phoneHomePrefix, one buffer serving every record.
// homeKeys is eachHomeKey written plainly, for the tests: a record's name-at-address keys, one set per canonical name its
// first given name stands for: Jerry is Gerald, Jeremy and Jerome, and meets a
// Jeremy under his.
func homeKeys(f *feat, nick *Nicknames) []string {
	if f.given1 == "" || f.famFirst == "" {
		return nil
	}
	var keys []string
	for _, c := range nick.canon1(f) {
		name := c + "|" + f.famFirst + "|"
		for _, e := range f.emails {
			keys = append(keys, name+e)
		}
		for _, p := range f.phones {
			keys = append(keys, name+p)
		}
		if f.street != "" {
			keys = append(keys, name+f.street+"|"+f.post)
		}
	}
	return keys
}

func TestEachHomeKeyLikeHomeKeys(t *testing.T) {
	recs := []Record{
		{GivenName: "Jerry", FamilyName: "Long", Emails: []string{"home.long@hotmail.com", "j@x.org"},
			Phones: []string{"+34655968672"}, Street: "Calle Mayor 5", Postcode: "28013"},
		{GivenName: "Anna", FamilyName: "Nowak Kos", Street: "Długa 1"},
		{GivenName: "Ewa", Phones: []string{"+48600100200"}},
		{GivenName: "Maximiliana", FamilyName: "Wójcik-Zielińska", Emails: []string{"a.very.long.address.indeed@example.org"}},
	}
	fs := prepareAll(recs, DefaultNicknames())
	nick := DefaultNicknames()
	var buf []byte
	for i := range fs {
		var got []string
		buf = eachHomeKey(buf, &fs[i], nick, nil, func(k []byte) { got = append(got, string(k)) })
		var want []string
		for _, k := range homeKeys(&fs[i], nick) {
			want = append(want, phoneHomePrefix+k)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", recs[i].GivenName, got, want)
		}
	}
}

// namesakeHomesByMap is namesakeHomes as it was, grouping the keys in a map: the
// sorted version must find the same homes, also when hashes collide.
func namesakeHomesByMap(fs []feat, nick *Nicknames) map[string]bool {
	at := map[string][]int32{}
	for i := range fs {
		if fs[i].dob == 0 && len(fs[i].phones) == 0 {
			continue
		}
		for _, k := range homeKeys(&fs[i], nick) {
			at[k] = append(at[k], int32(i))
		}
	}
	out := map[string]bool{}
	for k, rs := range at {
		if len(rs) < 2 {
			continue
		}
		switch homeKind(fs, rs) {
		case homeByAge:
			out[k] = true
		case homeByPhones:
			out[phoneHomePrefix+k] = true
		}
	}
	return out
}

// householdRecords makes n records of a few names, some with birth dates, shared
// emails and phones, and addresses on one street: namesakes in crowded homes.
func householdRecords(r *rand.Rand, n int, givens ...string) []Record {
	families := []string{"Long", "Nowak", "García López"}
	recs := make([]Record, n)
	for i := range recs {
		rec := Record{GivenName: givens[r.IntN(len(givens))], FamilyName: families[r.IntN(len(families))]}
		if r.IntN(2) == 0 {
			rec.BirthDate = int32((1940+r.IntN(60))*10000 + (1+r.IntN(12))*100 + 1 + r.IntN(28))
		}
		for range r.IntN(3) {
			rec.Emails = append(rec.Emails, fmt.Sprintf("home%d@example.org", r.IntN(40)))
		}
		for range r.IntN(3) {
			rec.Phones = append(rec.Phones, fmt.Sprintf("+486001002%02d", r.IntN(60)))
		}
		if r.IntN(2) == 0 {
			rec.Street, rec.Postcode = fmt.Sprintf("Długa %d", r.IntN(30)), "00-001"
		}
		recs[i] = rec
	}
	return recs
}

func TestNamesakeHomesLikeMaps(t *testing.T) {
	recs := householdRecords(rand.New(rand.NewPCG(5, 6)), 4000,
		"Jerry", "Jeremy", "Gerald", "Anna", "Ania", "José", "Pepe", "Łucja", "Zyx")
	nick := DefaultNicknames()
	fs := prepareAll(recs, nick)
	want := namesakeHomesByMap(fs, nick)
	byAge, byPhone := 0, 0
	for k := range want {
		if strings.HasPrefix(k, phoneHomePrefix) {
			byPhone++
		} else {
			byAge++
		}
	}
	if byAge < 10 || byPhone < 10 {
		t.Fatalf("test data too thin: %d homes by age, %d by phones", byAge, byPhone)
	}
	check := func(name string) {
		if got := namesakeHomes(fs, nick); !maps.Equal(got, want) {
			t.Errorf("%s: %d homes, want %d, or different ones", name, len(got), len(want))
		}
	}
	check("keyHash")
	defer func(h func([]byte) uint64) { homeHash = h }(homeHash)
	homeHash = func(k []byte) uint64 { return uint64(len(k) % 7) } // keys collide in crowds
	check("colliding hash")
}

// Marking records through homeNames' name parts must mark what looking every key up
// marks, and a key not of the name|surname|address form must turn the filter off.
func TestHomeNamesMarkLikeEveryKey(t *testing.T) {
	recs := householdRecords(rand.New(rand.NewPCG(7, 8)), 3000,
		"Jerry", "Jeremy", "Gerald", "Anna", "Ania", "José", "Pepe", "Zyx")
	nick := DefaultNicknames()
	fs := prepareAll(recs, nick)
	sh := Shared{Homes: namesakeHomes(fs, nick)}
	names := homeNames(sh.Homes)
	if len(names) == 0 || len(names) >= len(sh.Homes) {
		t.Fatalf("%d names for %d homes", len(names), len(sh.Homes))
	}
	want := slices.Clone(fs)
	applySharedRange(want, sh, nil, nick)
	got := slices.Clone(fs)
	applySharedRange(got, sh, names, nick)
	marked := 0
	for i := range got {
		if got[i].homonym != want[i].homonym || got[i].homonymPhone != want[i].homonymPhone {
			t.Fatalf("record %d: marks %v %v, want %v %v", i, got[i].homonym, got[i].homonymPhone,
				want[i].homonym, want[i].homonymPhone)
		}
		if want[i].homonym || want[i].homonymPhone {
			marked++
		}
	}
	if marked == 0 {
		t.Fatal("no record marked: test data too thin")
	}
	if homeNames(map[string]bool{"anna|nowak|x": true, "odd": true}) != nil {
		t.Error("a key without name|surname| must turn the filter off")
	}
}
