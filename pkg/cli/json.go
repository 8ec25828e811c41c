package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// nonNil makes an empty list print as [] rather than null.
// nonNil makes an empty list print as [] rather than null.
func nonNil[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}

// writeList prints a listing command's items: a JSON array with --json, else a
// table of header and one row per item, or the empty message on stderr.
func writeList[T any](e *env, items []T, empty, header string, row func(T) string) error {
	if e.json() {
		return writeJSON(e.io.Out, nonNil(items))
	}
	if len(items) == 0 {
		e.say("%s", empty)
		return nil
	}
	tw := tabwriter.NewWriter(e.io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, it := range items {
		fmt.Fprintln(tw, row(it))
	}
	return tw.Flush()
}
