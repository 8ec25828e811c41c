package match

import "unsafe"

// prefetch asks the processor to bring the cache line at p in (PREFETCHT0): a hint,
// with no effect on what any code computes.
//
//go:noescape
func prefetch(p unsafe.Pointer)

// prefetchFeat prefetches every cache line of *f.
//
//go:noescape
func prefetchFeat(f *feat)
