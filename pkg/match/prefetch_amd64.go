package match

import "unsafe"

// prefetch asks the processor to bring the cache line at p in (PREFETCHT0): a hint,
// with no effect on what any code computes.
//
//go:noescape
func prefetch(p unsafe.Pointer)

// prefetchFeat prefetches the six cache lines of *f: a feat is 384 bytes, and the
// elements of a large []feat start on a line (TestFeatFitsPrefetch).
//
//go:noescape
func prefetchFeat(f *feat)
