package dedupe

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/padron-org/padron/pkg/store"
)

// TestDebugMisses prints explanations of missed and wrong pairs on a generated set.
// It runs only when PADRON_DEBUG_MATCH is set (a tuning aid, not a check).
func TestDebugMisses(t *testing.T) {
	if os.Getenv("PADRON_DEBUG_MATCH") == "" {
		t.Skip("set PADRON_DEBUG_MATCH=1 to print missed and wrong pairs")
	}
	st, man := importGenerated(t, 1500, 11)
	if _, err := Run(context.Background(), st, Options{}); err != nil {
		t.Fatal(err)
	}
	want := truth(t, man.Truth)
	type rec struct {
		id     int64
		ref    string
		person int64
		truth  string
	}
	var recs []rec
	byRef := map[string]int64{}
	rows, err := st.DB().Query(`SELECT r.id, r.source_file, r.record_no, l.person_id FROM records r JOIN links l ON l.record_id = r.id ORDER BY r.id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r rec
		var f string
		var no int
		rows.Scan(&r.id, &f, &no, &r.person)
		r.ref = f + ":" + strconv.Itoa(no)
		r.truth = want[r.ref]
		byRef[r.ref] = r.id
		recs = append(recs, r)
	}
	rows.Close()
	fn, fp := 0, 0
	for i := range recs {
		for j := i + 1; j < len(recs); j++ {
			a, b := recs[i], recs[j]
			same, linked := a.truth == b.truth, a.person == b.person
			if same == linked {
				continue
			}
			if same && fn < 25 || !same && fp < 25 {
				if same {
					fn++
				} else {
					fp++
				}
				show(t, st, a.id, b.id, a.ref, b.ref, same)
			}
		}
	}
}

func show(t *testing.T, st *store.Store, a, b int64, ra, rb string, same bool) {
	ex, err := Explain(context.Background(), st, a, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	kind := "WRONG LINK"
	if same {
		kind = "MISSED"
	}
	s := fmt.Sprintf("%s %s %s p=%.4f w=%.1f prior=%.1f %s\n", kind, ra, rb, ex.Probability, ex.Weight, ex.PriorWeight, ex.Conflict)
	for _, f := range ex.Fields {
		if f.Level == 0 {
			continue
		}
		s += fmt.Sprintf("   %-12s %-28q %-28q %-24s %+.1f\n", f.Comparison, f.A, f.B, f.LevelName, f.Total)
	}
	t.Log(s)
}
