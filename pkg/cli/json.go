package cli

import (
	"encoding/json"
	"io"
	"time"

	"github.com/padron-org/padron/pkg/store"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// batchJSON is the stable machine form of a batch.
type batchJSON struct {
	ID         int64  `json:"id"`
	File       string `json:"file"`
	Path       string `json:"path"`
	SHA256     string `json:"sha256"`
	Format     string `json:"format"`
	Encoding   string `json:"encoding,omitempty"`
	Delimiter  string `json:"delimiter,omitempty"`
	Mapping    string `json:"mapping,omitempty"`
	MappingHow string `json:"mapping_how,omitempty"`
	Records    int    `json:"records"`
	Problems   int    `json:"problems"`
	ImportedAt string `json:"imported_at"`
	Actor      string `json:"actor,omitempty"`
}

func batchJSONList(bs []store.Batch) []batchJSON {
	out := make([]batchJSON, len(bs))
	for i, b := range bs {
		out[i] = batchJSON{ID: b.ID, File: b.File, Path: b.Path, SHA256: b.SHA256, Format: b.Format,
			Encoding: b.Encoding, Delimiter: b.Delimiter, Mapping: b.Mapping, MappingHow: b.MappingHow,
			Records: b.Records, Problems: b.Problems, ImportedAt: b.ImportedAt.UTC().Format(time.RFC3339), Actor: b.Actor}
	}
	return out
}
