package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/padron-org/padron/pkg/store"
)

// Version is set at release time with -ldflags "-X github.com/padron-org/padron/pkg/cli.Version=..."
var Version = "dev"

func newVersionCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print padron's version and store schema version",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			v := Version
			if v == "dev" {
				if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
					v = bi.Main.Version
				}
			}
			fmt.Fprintf(e.io.Out, "padron %s (store schema %d)\n", v, store.SchemaVersion())
			return nil
		},
	}
}
