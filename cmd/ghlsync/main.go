// Command ghlsync is the local tool of ghlsync: "ghlsync <command> [flags]".
// Run "ghlsync help" for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(runWithSignals(os.Args[1:]))
}

// runWithSignals runs a command with a context cancelled on SIGINT or
// SIGTERM, so every command shuts down cleanly on Ctrl-C.
func runWithSignals(args []string) int {
	ctx, stop := signalContext()
	defer stop()
	return run(ctx, args, os.Stdout, os.Stderr)
}

func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
