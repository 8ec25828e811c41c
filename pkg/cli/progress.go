package cli

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line counter on stderr, only on a terminal and never with
// --quiet or --json, redrawing at most ten times a second.
type progress struct {
	e    *env
	last time.Time
	on   bool
}

func newProgress(e *env) *progress {
	return &progress{e: e, on: e.io.Terminal && !e.quiet() && !e.json()}
}

func (p *progress) update(label string, n int) {
	if !p.on || (n >= 0 && time.Since(p.last) < 100*time.Millisecond) {
		return
	}
	p.last = time.Now()
	if n < 0 {
		fmt.Fprintf(p.e.io.Err, "\r\033[K%s: writing to the store", label)
		return
	}
	fmt.Fprintf(p.e.io.Err, "\r\033[K%s: %d rows", label, n)
}

// done clears the line.
func (p *progress) done() {
	if p.on && !p.last.IsZero() {
		fmt.Fprint(p.e.io.Err, "\r\033[K")
		p.last = time.Time{}
	}
}

// phaseProgress draws "label: phase done/total (pct)" for multi-phase work whose
// callbacks may come from several goroutines.
type phaseProgress struct {
	mu    sync.Mutex
	p     *progress
	label string
	phase string
}

func newPhaseProgress(e *env, label string) *phaseProgress {
	return &phaseProgress{p: newProgress(e), label: label}
}

func (pp *phaseProgress) update(phase string, done, total int64) {
	if !pp.p.on {
		return
	}
	pp.mu.Lock()
	defer pp.mu.Unlock()
	changed := phase != pp.phase
	if !changed && time.Since(pp.p.last) < 100*time.Millisecond {
		return
	}
	pp.phase = phase
	pp.p.last = time.Now()
	switch {
	case total > 0:
		fmt.Fprintf(pp.p.e.io.Err, "\r\033[K%s: %s %s %d/%d (%.0f%%)", pp.label, phase, bar(done, total), done, total,
			100*float64(done)/float64(total))
	case done > 0:
		fmt.Fprintf(pp.p.e.io.Err, "\r\033[K%s: %s %d", pp.label, phase, done)
	default:
		fmt.Fprintf(pp.p.e.io.Err, "\r\033[K%s: %s", pp.label, phase)
	}
}

func (pp *phaseProgress) done() {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	pp.p.done()
}

// bar draws a 20-cell progress bar.
func bar(done, total int64) string {
	const cells = 20
	n := int(done * cells / total)
	n = min(max(n, 0), cells)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", cells-n) + "]"
}
