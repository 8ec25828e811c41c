// Package cli holds padron's commands: one file per command, each filling an options
// struct and calling a run function over the library packages. Only this package
// decides exit codes, and only main exits.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"golang.org/x/term"
)

// Exit codes, documented in every command's help.
const (
	ExitOK       = 0
	ExitError    = 1 // the command failed, or a file could not be imported
	ExitUsage    = 2 // wrong flags or arguments
	ExitProblems = 3 // done, but some rows had problems (see 'padron problems')
)

// IO are the streams a command talks to; tests use buffers.
type IO struct {
	In       io.Reader
	Out      io.Writer // data
	Err      io.Writer // progress, summaries, errors
	Terminal bool      // stderr is a terminal: progress bars allowed
}

// SystemIO is the process's own streams.
func SystemIO() *IO {
	return &IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Terminal: term.IsTerminal(int(os.Stderr.Fd()))}
}

// exitError carries a specific exit code; silent ones were already reported.
type exitError struct {
	code   int
	err    error
	silent bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// usageError marks wrong flags or arguments.
func usageError(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// silentExit ends with a code after the command has already said why.
func silentExit(code int) error { return &exitError{code: code, silent: true} }

// Main runs padron with the process's arguments and streams.
func Main() int { return Run(os.Args[1:], SystemIO()) }

// Run runs padron with args and returns the exit code.
func Run(args []string, io *IO) int {
	// A developer's profiling hook: PADRON_CPUPROFILE=file writes a CPU profile.
	if path := os.Getenv("PADRON_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			defer f.Close()
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	root := newRoot(io)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if !ee.silent && ee.err != nil {
			fmt.Fprintf(io.Err, "padron: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(io.Err, "padron: %v\n", err)
	if isFlagError(err) {
		return ExitUsage
	}
	return ExitError
}
