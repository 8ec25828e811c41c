package mapping

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestFieldsDocIsCurrent(t *testing.T) {
	const path = "../../docs/fields.md"
	want := FieldsMarkdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatal("docs/fields.md is out of date with pkg/mapping/fields.go: run go test ./pkg/mapping -update")
	}
}
