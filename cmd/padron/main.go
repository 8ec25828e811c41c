// Command padron gives a nonprofit one clean list of the people it works with.
package main

import (
	"os"

	"github.com/padron-org/padron/pkg/cli"
)

func main() { os.Exit(cli.Main()) }
