// Package mappings bundles padron's built-in column mappings (every *.yaml here) into
// the binary. The format is documented in docs/mappings.md.
package mappings

import "embed"

// FS holds the built-in mapping files.
//
//go:embed *.yaml
var FS embed.FS
