package cli

import (
	"encoding/json"
	"io"

	"github.com/padron-org/padron/pkg/store"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// nonNil makes an empty list print as [] rather than null.
func nonNil(bs []store.Batch) []store.Batch {
	if bs == nil {
		return []store.Batch{}
	}
	return bs
}
