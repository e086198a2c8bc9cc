package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/ghlsync/ghlsync/internal/cli"
	"github.com/ghlsync/ghlsync/internal/devserver"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox/sandboxcmd"
	"github.com/ghlsync/ghlsync/internal/install/authcmd"
	"github.com/ghlsync/ghlsync/internal/replay"
	"github.com/ghlsync/ghlsync/internal/sweep/backfillcmd"
)

// command is one subcommand. To add one, append to commands; the logic
// lives in a package, the entry here only wires it.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{name: "dev", summary: devserver.Usage, run: devserver.Run},
	{name: "sandbox", summary: sandboxcmd.Usage, run: sandboxcmd.Run},
	{name: "replay", summary: replay.Usage, run: replay.Run},
	{name: "auth", summary: authcmd.Usage, run: authcmd.Run},
	{name: "backfill", summary: backfillcmd.Usage, run: backfillcmd.Run},
	{name: "version", summary: versionUsage, run: runVersion},
}

// run dispatches args[0] to its command and returns the exit code:
// 0 success, 1 command failure, 2 usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		if err != nil && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "ghlsync %s: %v\n", c.name, err)
			if errors.Is(err, cli.ErrUsage) {
				fmt.Fprintf(stderr, "run \"ghlsync %s --help\" for its flags\n", c.name)
			}
		}
		return cli.ExitCode(err)
	}
	fmt.Fprintf(stderr, "ghlsync: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ghlsync <command> [flags]")
	fmt.Fprintln(w, "commands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\"ghlsync <command> --help\" describes a command.")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 the command failed, 2 bad usage.")
}
