package main

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// labels numbers a clustering written as one letter per record ("aaabbc").
func labels(s string) []int32 {
	var in Interner
	out := make([]int32, len(s))
	for i := range s {
		out[i] = in.ID(s[i : i+1])
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestScore(t *testing.T) {
	tests := []struct {
		name, truth, pred        string
		truePairs, predPairs, tp int64
		p, r, f1, b3p, b3r, b3f1 float64
	}{
		{name: "perfect", truth: "aaabbc", pred: "xxxyyz",
			truePairs: 4, predPairs: 4, tp: 4, p: 1, r: 1, f1: 1, b3p: 1, b3r: 1, b3f1: 1},
		// Cells (a,x)=2 (a,y)=1 (b,y)=2 (c,z)=1. B³ per record, precision: 1 1 1/3 2/3 2/3 1;
		// recall: 2/3 2/3 1/3 1 1 1; both average 7/9.
		{name: "mixed", truth: "aaabbc", pred: "xxyyyz",
			truePairs: 4, predPairs: 4, tp: 2, p: 0.5, r: 0.5, f1: 0.5, b3p: 7.0 / 9, b3r: 7.0 / 9, b3f1: 7.0 / 9},
		// Nothing predicted: precision 1 by convention. B³ recall: 1/3 ×3, 1/2 ×2, 1.
		{name: "singletons", truth: "aaabbc", pred: "uvwxyz",
			truePairs: 4, predPairs: 0, tp: 0, p: 1, r: 0, f1: 0, b3p: 1, b3r: 3.0 / 6, b3f1: 2.0 / 3},
		// One lump: 6 predicted pairs, 2 true. B³ precision 2/4 for every record.
		{name: "one cluster", truth: "aabb", pred: "xxxx",
			truePairs: 2, predPairs: 6, tp: 2, p: 1.0 / 3, r: 1, f1: 0.5, b3p: 0.5, b3r: 1, b3f1: 2.0 / 3},
		// No duplicates at all, none predicted: everything is 1.
		{name: "no duplicates", truth: "abc", pred: "xyz",
			truePairs: 0, predPairs: 0, tp: 0, p: 1, r: 1, f1: 1, b3p: 1, b3r: 1, b3f1: 1},
		// Same partition, other labels in another order.
		{name: "relabelled", truth: "abab", pred: "zyzy",
			truePairs: 2, predPairs: 2, tp: 2, p: 1, r: 1, f1: 1, b3p: 1, b3r: 1, b3f1: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Score(labels(tt.truth), labels(tt.pred))
			if err != nil {
				t.Fatal(err)
			}
			if m.Records != len(tt.truth) || m.TruePairs != tt.truePairs || m.PredPairs != tt.predPairs || m.TP != tt.tp {
				t.Errorf("records/true/pred/tp = %d/%d/%d/%d, want %d/%d/%d/%d",
					m.Records, m.TruePairs, m.PredPairs, m.TP, len(tt.truth), tt.truePairs, tt.predPairs, tt.tp)
			}
			got := []float64{m.P, m.R, m.F1, m.B3P, m.B3R, m.B3F1}
			want := []float64{tt.p, tt.r, tt.f1, tt.b3p, tt.b3r, tt.b3f1}
			for i, name := range []string{"P", "R", "F1", "B3P", "B3R", "B3F1"} {
				if !near(got[i], want[i]) {
					t.Errorf("%s = %v, want %v", name, got[i], want[i])
				}
			}
		})
	}
}

func TestScoreErrors(t *testing.T) {
	if _, err := Score([]int32{0, 1}, []int32{0}); err == nil {
		t.Error("lengths differ: no error")
	}
	if _, err := Score([]int32{0, 1}, []int32{0, -1}); err == nil {
		t.Error("negative label: no error")
	}
	m, err := Score(nil, nil)
	if err != nil || m.F1 != 1 || m.B3F1 != 1 {
		t.Errorf("empty: %+v, %v", m, err)
	}
}

// TestScoreBruteForce checks the counting against every pair, on random clusterings.
func TestScoreBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		n := 1 + r.IntN(60)
		truth, pred := make([]int32, n), make([]int32, n)
		kt, kp := 1+r.IntN(n), 1+r.IntN(n)
		for i := range n {
			truth[i], pred[i] = int32(r.IntN(kt)), int32(r.IntN(kp))
		}
		m, err := Score(truth, pred)
		if err != nil {
			t.Fatal(err)
		}
		var tp, tpairs, ppairs int64
		var b3p, b3r float64
		for i := range n {
			var same, inPred, inTruth int
			for j := range n {
				st, sp := truth[i] == truth[j], pred[i] == pred[j]
				if st && sp {
					same++
				}
				if sp {
					inPred++
				}
				if st {
					inTruth++
				}
				if j > i {
					if st {
						tpairs++
					}
					if sp {
						ppairs++
					}
					if st && sp {
						tp++
					}
				}
			}
			b3p += float64(same) / float64(inPred)
			b3r += float64(same) / float64(inTruth)
		}
		b3p, b3r = b3p/float64(n), b3r/float64(n)
		if m.TP != tp || m.TruePairs != tpairs || m.PredPairs != ppairs {
			t.Fatalf("round %d: tp/true/pred = %d/%d/%d, brute force %d/%d/%d", round, m.TP, m.TruePairs, m.PredPairs, tp, tpairs, ppairs)
		}
		if !near(m.B3P, b3p) || !near(m.B3R, b3r) {
			t.Fatalf("round %d: B³ %v/%v, brute force %v/%v", round, m.B3P, m.B3R, b3p, b3r)
		}
	}
}

func TestTruthAndPrediction(t *testing.T) {
	var tr Truth
	if err := tr.AddFile("a.csv", 3); err != nil {
		t.Fatal(err)
	}
	if err := tr.AddFile("b.csv", 2); err != nil {
		t.Fatal(err)
	}
	if err := tr.AddFile("a.csv", 1); err == nil {
		t.Error("file added twice: no error")
	}
	for _, s := range []struct {
		file   string
		no     int
		entity string
	}{{"a.csv", 1, "P1"}, {"a.csv", 2, "P2"}, {"a.csv", 3, "P1"}, {"b.csv", 1, "P2"}} {
		if err := tr.Set(s.file, s.no, s.entity); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tr.Labels(); err == nil || !strings.Contains(err.Error(), "b.csv record 2") {
		t.Errorf("unset record: %v", err)
	}
	if err := tr.Set("b.csv", 2, "P3"); err != nil {
		t.Fatal(err)
	}
	if err := tr.Set("b.csv", 2, "P3"); err == nil {
		t.Error("record set twice: no error")
	}
	for _, bad := range []struct {
		file string
		no   int
	}{{"c.csv", 1}, {"a.csv", 0}, {"a.csv", 4}, {"b.csv", 3}} {
		if _, err := tr.Index(bad.file, bad.no); err == nil {
			t.Errorf("Index(%s, %d): no error", bad.file, bad.no)
		}
	}
	if tr.Len() != 5 || tr.Entities() != 3 {
		t.Errorf("len %d entities %d, want 5 and 3", tr.Len(), tr.Entities())
	}

	p := NewPrediction(&tr)
	for _, s := range []struct {
		file    string
		no      int
		cluster string
	}{{"a.csv", 1, "x"}, {"a.csv", 3, "x"}, {"b.csv", 1, "y"}, {"a.csv", 2, "y"}} {
		if err := p.Set(s.file, s.no, s.cluster); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Score(); err == nil || !strings.Contains(err.Error(), "1 of 5 records are missing") || !strings.Contains(err.Error(), "b.csv record 2") {
		t.Errorf("missing record: %v", err)
	}
	if err := p.Set("a.csv", 1, "z"); err == nil {
		t.Error("record predicted twice: no error")
	}
	if err := p.Set("b.csv", 2, "w"); err != nil {
		t.Fatal(err)
	}
	m, err := p.Score()
	if err != nil {
		t.Fatal(err)
	}
	if m.P != 1 || m.R != 1 || m.TP != 2 {
		t.Errorf("%+v, want a perfect score", m)
	}
}
