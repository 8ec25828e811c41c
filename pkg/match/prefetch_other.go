//go:build !amd64

package match

import "unsafe"

// prefetch is a no-op where no prefetch instruction is wired in.
func prefetch(unsafe.Pointer) {}

// prefetchFeat is a no-op where no prefetch instruction is wired in.
func prefetchFeat(*feat) {}
