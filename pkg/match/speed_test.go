package match

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/padron-org/padron/pkg/store"
)

// Matching speed on real-sized data. Both benchmarks read the records of a padron
// store (as `padron dedupe` does) and are skipped without one:
//
//	PADRON_MATCH_STORE=/tmp/b/synth-1000000.duckdb go test ./pkg/match -run XXX -bench 'Run$' -benchtime 1x -cpuprofile cpu.out
//	PADRON_MATCH_STORE=... PADRON_MATCH_DIGEST=/tmp/new.txt go test ./pkg/match -run XXX -bench RunDigest -benchtime 1x
//
// The records are cached beside the store (PATH.matchrecs.gob) after the first read.
// BenchmarkRunDigest writes digests of every candidate pair's levels and weight, the
// clusters, scores, review queue and model: two versions of the code must write the
// same file.

var loadOnce = sync.OnceValues(func() ([]Record, error) {
	path := os.Getenv("PADRON_MATCH_STORE")
	cache := path + ".matchrecs.gob"
	if f, err := os.Open(cache); err == nil {
		defer f.Close()
		var recs []Record
		err := gob.NewDecoder(f).Decode(&recs)
		return recs, err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var recs []Record
	err = st.MatchRecords(ctx, func(m store.MatchRecord) error {
		recs = append(recs, Record{ID: m.ID, GivenName: m.GivenName, FamilyName: m.FamilyName, Emails: m.Emails,
			Phones: m.Phones, BirthDate: m.BirthDate, Street: m.Street, Postcode: m.Postcode, City: m.City,
			NationalID: m.NationalID, Occupation: m.Occupation})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if f, err := os.Create(cache); err == nil {
		gob.NewEncoder(f).Encode(recs)
		f.Close()
	}
	return recs, nil
})

func storeRecords(tb testing.TB) []Record {
	if os.Getenv("PADRON_MATCH_STORE") == "" {
		tb.Skip("PADRON_MATCH_STORE not set")
	}
	recs, err := loadOnce()
	if err != nil {
		tb.Fatal(err)
	}
	return recs
}

func fullOptions(n int) Options {
	return Options{Full: true, Person: make([]int64, n), Seed: 1}
}

func BenchmarkRun(b *testing.B) {
	recs := storeRecords(b)
	b.ResetTimer()
	for b.Loop() {
		res, err := Run(context.Background(), recs, fullOptions(len(recs)))
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range res.Phases {
			b.Logf("%-12s %6.2f s", p.Phase, p.Seconds)
		}
	}
}

// BenchmarkRunDigest is a tool, not a measure: with PADRON_MATCH_STORE and
// PADRON_MATCH_DIGEST=FILE it writes fingerprints of every candidate pair, its levels
// and weight, the clusters and the model, so that a speed-up can be shown to change
// nothing (run it on the old and the new code and compare the files):
//
//	PADRON_MATCH_STORE=store.duckdb PADRON_MATCH_DIGEST=new.txt go test -run NONE -bench RunDigest -benchtime 1x ./pkg/match
func BenchmarkRunDigest(b *testing.B) {
	out := os.Getenv("PADRON_MATCH_DIGEST")
	if out == "" {
		b.Fatal("set PADRON_MATCH_DIGEST to the file to write")
	}
	recs := storeRecords(b)
	lines := []string{}
	add := func(name string, write func(h func(v any))) {
		s := sha256.New()
		write(func(v any) { binary.Write(s, binary.LittleEndian, v) })
		lines = append(lines, fmt.Sprintf("%s %x", name, s.Sum(nil)))
	}
	runHook = func(pairs []uint64, pats []uint32, weights []float32) {
		lines = append(lines, fmt.Sprintf("pairs %d", len(pairs)))
		add("pairs", func(h func(any)) { h(pairs) })
		add("patterns", func(h func(any)) { h(pats) })
		add("weights", func(h func(any)) {
			for _, w := range weights {
				h(math.Float32bits(w))
			}
		})
	}
	defer func() { runHook = nil }()
	res, err := Run(context.Background(), recs, fullOptions(len(recs)))
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range res.Phases {
		b.Logf("%-12s %6.2f s", p.Phase, p.Seconds)
	}
	lines = append(lines, fmt.Sprintf("people %d autolinks %d rejected %d review %d", res.People, res.AutoLinks, res.Rejected, len(res.Review)))
	add("clusters", func(h func(any)) { h(res.Cluster) })
	add("scores", func(h func(any)) { h(res.Score) })
	add("review", func(h func(any)) {
		for _, r := range res.Review {
			h([]int64{int64(r.A), int64(r.B), int64(math.Float64bits(r.Weight))})
			h(r.Conflict)
		}
	})
	// The model to 12 digits: EM sums over a map, in a random order, so its last
	// bits differ from run to run (weights, kept as float32, do not).
	mj, _ := json.Marshal(res.Model)
	mj = regexp.MustCompile(`-?\d+\.\d+(e-?\d+)?`).ReplaceAllFunc(mj, func(b []byte) []byte {
		v, _ := strconv.ParseFloat(string(b), 64)
		return []byte(strconv.FormatFloat(v, 'g', 12, 64))
	})
	add("model", func(h func(any)) { h(mj) })
	os.WriteFile(out+".model.json", mj, 0o644)
	rj, _ := json.Marshal(res.Rules)
	add("rules", func(h func(any)) { h(rj) })
	tv, tt := res.TF.Frequent(2)
	tj, _ := json.Marshal([]any{tv, tt})
	add("tf", func(h func(any)) { h(tj) })
	sj, _ := json.Marshal(res.Shared)
	add("shared", func(h func(any)) { h(sj) })
	f, err := os.Create(out)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	for _, l := range lines {
		fmt.Fprintln(f, l)
	}
}

// blocked prepares the store's records and blocks them, for the comparing benchmarks.
func blocked(b *testing.B) (*comparer, []feat, *candidates) {
	fs := prepareAll(storeRecords(b), DefaultNicknames())
	cmp := &comparer{nick: DefaultNicknames()}
	markShared(fs, cmp, cmp.nick)
	cands, _, err := newRules(cmp.nick, 0).block(context.Background(), fs, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	return cmp, fs, cands
}

// BenchmarkCompare times the comparing of the first million candidate pairs on one
// goroutine; preparing and blocking are done once, untimed.
func BenchmarkCompare(b *testing.B) {
	b.StopTimer()
	cmp, fs, cands := blocked(b)
	pairs := cands.pairs[:min(len(cands.pairs), 1_000_000)]
	b.StartTimer()
	c0 := cpuSecs()
	defer func() { b.Logf("cpu %.2fs", cpuSecs()-c0) }()
	pats := make([]uint32, len(pairs))
	for b.Loop() {
		comparePairs(cmp, fs, pairs, pats)
	}
}

// BenchmarkPrepare times preparing: prepareAll and markShared.
func BenchmarkPrepare(b *testing.B) {
	recs := storeRecords(b)
	nick := DefaultNicknames()
	for b.Loop() {
		t0, c0 := time.Now(), cpuSecs()
		fs := prepareAll(recs, DefaultNicknames())
		t1, c1 := time.Now(), cpuSecs()
		markShared(fs, &comparer{nick: nick}, nick)
		b.Logf("prepareAll %.2fs (cpu %.2fs) markShared %.2fs (cpu %.2fs)", t1.Sub(t0).Seconds(), c1-c0, time.Since(t1).Seconds(), cpuSecs()-c1)
	}
}

func cpuSecs() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkBlock times blocking and markShared, which run side by side in Run, each
// alone; preparing is done once, untimed.
func BenchmarkBlock(b *testing.B) {
	recs := storeRecords(b)
	nick := DefaultNicknames()
	fs := prepareAll(recs, nick)
	cmp := &comparer{nick: nick}
	for b.Loop() {
		t0, c0 := time.Now(), cpuSecs()
		cands, _, err := newRules(nick, 0).block(context.Background(), fs, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		t1, c1 := time.Now(), cpuSecs()
		markShared(fs, cmp, nick)
		b.Logf("block %.2fs (cpu %.2fs, %d pairs) markShared %.2fs (cpu %.2fs)", t1.Sub(t0).Seconds(), c1-c0,
			len(cands.pairs), time.Since(t1).Seconds(), cpuSecs()-c1)
	}
}

// BenchmarkCompareAll times comparing every candidate pair on every CPU, as Run
// does; preparing and blocking are done once, untimed. It logs the CPU seconds.
func BenchmarkCompareAll(b *testing.B) {
	b.StopTimer()
	cmp, fs, cands := blocked(b)
	pats := make([]uint32, len(cands.pairs))
	b.StartTimer()
	for b.Loop() {
		c0 := cpuSecs()
		parallel(context.Background(), len(cands.pairs), func(lo, hi int) {
			comparePairs(cmp, fs, cands.pairs[lo:hi], pats[lo:hi])
		}, nil)
		b.Logf("cpu %.2fs", cpuSecs()-c0)
	}
}
