package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/ingest"
	"github.com/padron-org/padron/pkg/mapping"
	"github.com/padron-org/padron/pkg/source"
)

func newMappingSuggestCmd(e *env) *cobra.Command {
	var out, sheet, name string
	cmd := &cobra.Command{
		Use:   "suggest FILE",
		Short: "Infer a mapping for FILE and write it as a commented YAML to edit and reuse",
		Long: `Read FILE, infer what each column is from its header and its values, and print (or
write with --out) a mapping as commented YAML: each column says what it looked like, why
it was chosen and how sure padron is. Check it, edit it, then import with
'padron import --mapping mapping.yaml FILE'; the mapping is remembered for files with
the same header, so the next export from the same system needs no flags.

With --json: {"file": ..., "columns": [{"column": ..., "field": ..., "confidence": ...}]}.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := e.library()
			if err != nil {
				return err
			}
			path := args[0]
			if name == "" {
				name = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
			}
			rep, err := ingest.Check(path, ingest.Options{Library: lib, Sheet: sheet, Source: source.Options{}}, 0)
			if err != nil {
				return fmt.Errorf("%s: %s", path, trimPathPrefix(err, path))
			}
			if len(rep.Tables) == 0 {
				return fmt.Errorf("%s: no table with rows", path)
			}
			t := rep.Tables[0]
			if e.json() {
				type col struct {
					Column     string  `json:"column"`
					Field      string  `json:"field"`
					Confidence float64 `json:"confidence"`
					Reason     string  `json:"reason,omitempty"`
				}
				res := struct {
					File    string `json:"file"`
					Sheet   string `json:"sheet,omitempty"`
					Mapping string `json:"mapping"`
					Columns []col  `json:"columns"`
				}{File: rep.File, Sheet: t.Sheet, Mapping: t.Mapping, Columns: []col{}}
				for _, c := range t.Columns {
					conf := c.Confidence
					if t.How != "inferred" && c.Field != "" {
						conf = 1 // named by a mapping
					}
					res.Columns = append(res.Columns, col{Column: c.Column, Field: c.Field, Confidence: conf, Reason: c.Reason})
				}
				if err := writeJSON(e.io.Out, res); err != nil {
					return err
				}
			}
			if t.How != "inferred" {
				e.say("%s: a mapping already applies (%s, %s); inferred anyway below", path, t.Mapping, t.How)
			}
			header := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				header[i] = c.Column
			}
			guesses := t.Guesses
			if guesses == nil {
				guesses = mapping.Infer(mapping.SampleColumns(header, t.SampleRows))
			}
			y := mapping.Suggest(name, header, guesses)
			switch {
			case out != "":
				if err := os.WriteFile(out, y, 0o644); err != nil {
					return err
				}
				e.say("wrote %s: check it, then 'padron import --mapping %s %s'", out, out, path)
			case !e.json():
				_, err = e.io.Out.Write(y)
				return err
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the mapping to this file instead of stdout")
	cmd.Flags().StringVar(&sheet, "sheet", "", "only this sheet")
	cmd.Flags().StringVar(&name, "name", "", "the mapping's name (default: the file's name)")
	return cmd
}
