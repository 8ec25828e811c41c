package cli

import (
	"fmt"
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
