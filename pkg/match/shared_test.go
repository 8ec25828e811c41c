package match

import "testing"

// Jerry and Jeremy Long at one family mailbox, each with a phone of his own: a
// namesake home, though one writes his name short.
func TestNamesakeHomeNickname(t *testing.T) {
	recs := []Record{
		{GivenName: "Jerry", FamilyName: "Long", Emails: []string{"home.long7967@hotmail.com"}, Phones: []string{"+34655968672"}, BirthDate: 19430123},
		{GivenName: "Jeremy", FamilyName: "Long", Emails: []string{"home.long7967@hotmail.com"}, Phones: []string{"+34625140909"}},
	}
	fs := prepareAll(recs)
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
