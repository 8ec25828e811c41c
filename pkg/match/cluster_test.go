package match

import (
	"context"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func TestAssignIDsKeepsIDs(t *testing.T) {
	// Records 0-2 were person 7, records 3-4 person 9; now 2 left 7 and joined 9, and
	// record 5 is new and alone.
	cluster := []int32{0, 0, 1, 1, 1, 2}
	old := []int64{7, 7, 7, 9, 9, 0}
	n := int64(100)
	got := AssignIDs(cluster, old, func() int64 { n++; return n })
	want := []int64{7, 7, 9, 9, 9, 101}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("AssignIDs = %v, want %v", got, want)
	}
	// Two old people merged: the one with more records keeps its id.
	got = AssignIDs([]int32{0, 0, 0}, []int64{5, 6, 6}, func() int64 { n++; return n })
	if !reflect.DeepEqual(got, []int64{6, 6, 6}) {
		t.Fatalf("merged: %v", got)
	}
	// A split: the old id goes to the bigger part.
	got = AssignIDs([]int32{0, 1, 1}, []int64{5, 5, 5}, func() int64 { n++; return n })
	if got[1] != 5 || got[2] != 5 || got[0] == 5 {
		t.Fatalf("split: %v", got)
	}
}

func TestChainingGuard(t *testing.T) {
	// A and B are different people (different birth dates); C has no birth date and
	// matches both. Linking A–C then C–B must be refused.
	recs := []Record{
		{GivenName: "Juan", FamilyName: "García", BirthDate: 19600101, Emails: []string{"juan@x.es"}},
		{GivenName: "Juan", FamilyName: "García", BirthDate: 19900707, Emails: []string{"juan@x.es"}},
		{GivenName: "Juan", FamilyName: "García", Emails: []string{"juan@x.es"}},
	}
	fs := prepareAll(recs, DefaultNicknames())
	cl := newClusterer(fs, &comparer{nick: DefaultNicknames()})
	if !cl.link(0, 2) {
		t.Fatal("A–C refused")
	}
	if cl.link(2, 1) {
		t.Fatal("C–B joined A and B despite different birth dates")
	}
	if cl.Rejected != 1 {
		t.Fatalf("rejected %d", cl.Rejected)
	}
}

// Decisions come before scores: a cannot-link keeps a strong pair apart, a must-link
// joins records that share nothing.
func TestRunObeysDecisions(t *testing.T) {
	recs := []Record{
		{GivenName: "Anna", FamilyName: "Wróbel", Emails: []string{"anna.wrobel@o2.pl"}, BirthDate: 19800101},
		{GivenName: "Anna", FamilyName: "Wróbel", Emails: []string{"anna.wrobel@o2.pl"}, BirthDate: 19800101},
		{GivenName: "Piotr", FamilyName: "Lis", Emails: []string{"plis@wp.pl"}},
		{GivenName: "Ewa", FamilyName: "Kos", Emails: []string{"ekos@wp.pl"}},
	}
	res, err := Run(context.Background(), recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cluster[0] != res.Cluster[1] || res.Cluster[2] == res.Cluster[3] {
		t.Fatalf("without decisions: clusters %v", res.Cluster)
	}
	res, err = Run(context.Background(), recs, Options{CannotLink: [][2]int{{0, 1}}, MustLink: [][2]int{{2, 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cluster[0] == res.Cluster[1] {
		t.Errorf("cannot-link ignored: %v", res.Cluster)
	}
	if res.Cluster[2] != res.Cluster[3] {
		t.Errorf("must-link ignored: %v", res.Cluster)
	}
}

// Namesakes joined through a record with the name alone: C matches A and B on the
// name only, and A and B, one with a phone, the other with an email and another
// phone, score far apart.
func TestChainingGuardContacts(t *testing.T) {
	nick := DefaultNicknames()
	sc := newScorer(NewModel(), nil, nick)
	guard := func(recs []Record) *clusterer {
		cl := newClusterer(prepareAll(recs, DefaultNicknames()), &comparer{nick: nick})
		cl.sc, cl.floor = sc, logit(chainFloor)
		return cl
	}
	low := func(cl *clusterer, i, j int) {
		t.Helper()
		var lv levels
		if w := sc.score(&cl.fs[i], &cl.fs[j], &lv); w >= cl.floor {
			t.Fatalf("records %d and %d score %.1f bits, not below the chain floor", i, j, w)
		}
	}
	// Phones differ; A has no email.
	cl := guard([]Record{
		{GivenName: "Weronika", FamilyName: "Sokołowska", Phones: []string{"+48887235613"}, Street: "ul. Długa 1", City: "Łódź", Postcode: "90-001"},
		{GivenName: "Weronika", FamilyName: "Sokołowska", Phones: []string{"+48606292754"}, Emails: []string{"wsokolowska7447@onet.pl"}, Street: "ul. Polna 7", City: "Gdańsk", Postcode: "80-001"},
		{GivenName: "Weronika", FamilyName: "Sokołowska", Emails: []string{"wsokolowska7447@onet.pl"}},
	})
	low(cl, 0, 1)
	if !cl.link(1, 2) {
		t.Fatal("B–C (one mailbox) refused")
	}
	if cl.link(0, 2) {
		t.Error("A–C joined records with different phones through a name alone")
	}
	// Emails differ, A has no phone, and the link rests on the name alone: refused.
	// The same link with a birth date in common is allowed: one person's emails are
	// at times mistyped beyond recognition.
	for _, dated := range []bool{false, true} {
		recs := []Record{
			{GivenName: "Federico", FamilyName: "Coppola", BirthDate: 19561001, Emails: []string{"coppolaf6408@gmail.com"}, City: "Rosario", Postcode: "2000"},
			{GivenName: "Federico", FamilyName: "Coppola", Phones: []string{"+541169181995"}, Emails: []string{"coppola.federico95@example.org"}, City: "Mendoza", Postcode: "5500"},
			{GivenName: "Federico", FamilyName: "Coppola", Phones: []string{"+541169181995"}},
		}
		if dated {
			recs[2].BirthDate = 19561001
		}
		cl := guard(recs)
		low(cl, 0, 1)
		if !cl.link(1, 2) {
			t.Fatal("B–C (one phone) refused")
		}
		if got := cl.link(0, 2); got != dated {
			t.Errorf("birth date in common %v: A–C joined %v, want %v", dated, got, dated)
		}
	}
}

// clusters numbers groups as a map of roots did: in order of their smallest record.
func TestClustersNumberLikeMap(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	recs := make([]Record, 5000)
	cl := newClusterer(prepareAll(recs, nil), &comparer{nick: DefaultNicknames()})
	for range 3000 {
		cl.union(r.IntN(len(recs)), r.IntN(len(recs)))
	}
	want := make([]int32, len(recs))
	ids := map[int32]int32{}
	for i := range want {
		root := cl.find(int32(i))
		id, ok := ids[root]
		if !ok {
			id = int32(len(ids))
			ids[root] = id
		}
		want[i] = id
	}
	if got := cl.clusters(); !slices.Equal(got, want) {
		t.Fatal("clusters numbered otherwise than by a map of roots")
	}
	if len(ids) < 100 || len(ids) > 4000 {
		t.Fatalf("test data too thin: %d clusters", len(ids))
	}
}
