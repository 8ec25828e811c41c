package push

import (
	"context"
	"testing"
	"time"
)

// BenchmarkMailchimpPush100k pushes 100,000 members to the fake Mailchimp, which
// takes 250 ms per call (a real batch call takes seconds), so that throughput is
// bounded by the server and the 10 connections: x-server is the time taken over the
// least the server allows (200 calls of 250 ms, 10 at a time = 5 s); near 1 means
// padron's own work (building and encoding batches, journaling) is not what limits it.
// It fails if any member reaches the server twice or more than 201 requests are made
// (100,000 / 500 = 200 batches, plus one of slack).
func BenchmarkMailchimpPush100k(b *testing.B) {
	const n = 100_000
	const latency = 250 * time.Millisecond
	members := makeMembers(n)
	var requests, peak int64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFakeMailchimp(b)
		f.latency = latency
		p, err := New("mailchimp", f.config())
		if err != nil {
			b.Fatal(err)
		}
		results := 0
		b.StartTimer()
		start := time.Now()
		err = p.Push(context.Background(), members, func(rs []Result) error { results += len(rs); return nil })
		elapsed += time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		f.check()
		if results != n {
			b.Fatalf("%d results; want %d", results, n)
		}
		if len(f.seen) != n {
			b.Fatalf("server saw %d distinct members; want %d", len(f.seen), n)
		}
		for email, times := range f.seen {
			if times != 1 {
				b.Fatalf("%s sent %d times", email, times)
			}
		}
		if got := f.requests.Load(); got > 201 {
			b.Fatalf("%d requests; want at most 201", got)
		}
		requests += f.requests.Load()
		peak = max(peak, f.peak.Load())
		f.srv.Close()
	}
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
	b.ReportMetric(float64(peak), "peak-conns")
	b.ReportMetric(float64(n*b.N)/elapsed.Seconds(), "members/s")
	least := time.Duration((requests/int64(b.N)+9)/10) * latency
	b.ReportMetric(elapsed.Seconds()/float64(b.N)/least.Seconds(), "x-server")
}
