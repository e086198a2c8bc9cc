// Package cli holds what every ghlsync command shares for its command
// line: the usage error the dispatcher maps to exit code 2, and flag
// parsing that returns it.
//
// Exit codes of every command: 0 success (and --help), 1 the command ran
// and failed, 2 bad usage (unknown flag, bad value, missing or extra
// argument).
//
// Example:
//
//	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
//	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
//	if err := cli.Parse(fs, args); err != nil {
//		return err // flag.ErrHelp (exit 0) or a usage error (exit 2)
//	}
//	if *addr == "" {
//		return cli.Usagef("--addr is required")
//	}
package cli

import (
	"errors"
	"flag"
	"fmt"
)

// Exit codes of the ghlsync command.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// ErrUsage is matched (errors.Is) by every usage error.
var ErrUsage = errors.New("usage")

// Usagef returns a usage error with the formatted message.
func Usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// Parse parses args with fs and refuses positional arguments. It returns
// nil, flag.ErrHelp for -h/--help (fs has printed its usage), or a usage
// error.
func Parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return Usagef("unexpected arguments %q", fs.Args())
	}
	return nil
}

// ExitCode maps a command's error to its exit code.
func ExitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return ExitOK
	case errors.Is(err, ErrUsage):
		return ExitUsage
	}
	return ExitFailure
}
