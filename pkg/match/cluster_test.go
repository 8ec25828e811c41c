package match

import (
	"context"
	"reflect"
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
	fs := prepareAll(recs)
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
