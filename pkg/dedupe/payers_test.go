package dedupe

import (
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/padron-org/padron/pkg/store"
	"github.com/padron-org/padron/pkg/synth"
)

// importBank generates contacts and a year of statements and imports them all.
func importBank(t *testing.T, people int, seed uint64) (*store.Store, *synth.BankManifest) {
	t.Helper()
	dir := t.TempDir()
	man, err := synth.GenerateBank(synth.BankConfig{People: people, Seed: seed}, dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range man.Contacts.Files {
		paths = append(paths, f.Path)
	}
	for _, f := range man.Files {
		paths = append(paths, f.Path)
	}
	st := importPaths(t, dir, paths)
	return st, man
}

// TestAttributedPayersJoinContacts: a donation attributed to a known person is in a
// person with contact records, and mostly the right one; runs are repeatable.
func TestAttributedPayersJoinContacts(t *testing.T) {
	st, man := importBank(t, 600, 3)
	ctx := context.Background()
	if _, err := Run(ctx, st, Options{}); err != nil {
		t.Fatal(err)
	}
	truthOf := map[string]string{}
	for _, path := range []string{man.Contacts.Truth, man.Truth} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			truthOf[r[0]+":"+r[1]] = r[2]
		}
	}
	rows, err := st.DB().QueryContext(ctx, `SELECT r.source_file || ':' || r.record_no, a.method, a.person_id,
		(SELECT coalesce(string_agg(c.source_file || ':' || c.record_no, '|'), '') FROM links lc JOIN records c ON c.id = lc.record_id
		 WHERE lc.person_id = a.person_id AND c.id NOT IN (SELECT record_id FROM transactions WHERE origin = 'statement'))
		FROM attributions a JOIN records r ON r.id = a.record_id WHERE a.method <> 'new'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, right := 0, 0
	for rows.Next() {
		var key, method, contacts string
		var person int64
		if err := rows.Scan(&key, &method, &person, &contacts); err != nil {
			t.Fatal(err)
		}
		n++
		if contacts == "" {
			t.Errorf("%s attributed by %s to person %d, who has no contact record", key, method, person)
			continue
		}
		for _, c := range strings.Split(contacts, "|") {
			if truthOf[c] == truthOf[key] {
				right++
				break
			}
		}
	}
	if n == 0 {
		t.Fatal("nothing attributed")
	}
	if p := float64(right) / float64(n); p < 0.9 {
		t.Errorf("%d of %d attributions right (%.3f)", right, n, p)
	}
}
