package devserver

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/ghlsync/ghlsync/internal/cli"
)

// Usage is the one-line summary of the "ghlsync dev" command.
const Usage = "run every route on 127.0.0.1 with the GHL sandbox, a local peer inbox and a page (make run)"

// Run is the "ghlsync dev" command: it parses args, starts the server,
// prints the URLs to stdout, logs requests (slog text) to stderr and
// serves until ctx is done (Ctrl-C), then shuts down gracefully.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return RunEnv(ctx, args, os.Getenv, stdout, stderr)
}

// RunEnv is Run with the environment read through getenv.
func RunEnv(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ghlsync dev [flags]")
		fmt.Fprintln(stderr, "Serves every ghlsync route on one local address through the same handlers as Lambda, with the")
		fmt.Fprintln(stderr, "embedded store and a local secrets file in --data-dir, an in-process GHL sandbox seeded with demo")
		fmt.Fprintln(stderr, "data, a local peer inbox, the schedules on a local clock, and a page at / showing what synced.")
		fmt.Fprintln(stderr, "Environment: GHL_PRIVATE_TOKEN and GHL_LOCATION_ID use real GHL instead of the sandbox;")
		fmt.Fprintln(stderr, "PEER_WEBHOOK_URL (and PEER_SIGNING_SECRET) deliver to your peer instead of the local inbox;")
		fmt.Fprintln(stderr, "the functions' optional settings (ECHO_SETTLE, ALLOW_PEER_CONTACT_DELETE, ...) apply as deployed.")
		fmt.Fprintln(stderr, "Exit codes: 0 stopped cleanly, 1 failed, 2 bad usage.")
		fs.PrintDefaults()
	}
	o := Options{Getenv: getenv}
	fs.StringVar(&o.Addr, "addr", DefaultAddr, "listen address (port 0 picks a free port)")
	fs.StringVar(&o.DataDir, "data-dir", DefaultDataDir, "directory of the store file, the secrets file and the generated peer secret")
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the sandbox's demo data (ids are new on every start)")
	fs.IntVar(&o.Contacts, "contacts", DefaultContacts, "sandbox contacts to seed")
	fs.DurationVar(&o.SweepEvery, "sweep-every", DefaultSweepEvery, "run the schedules (sweeps) this often; 0 turns them off")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	switch {
	case o.Contacts < 1:
		return cli.Usagef("--contacts must be at least 1")
	case o.SweepEvery < 0:
		return cli.Usagef("--sweep-every must not be negative")
	case o.DataDir == "":
		return cli.Usagef("--data-dir must not be empty")
	}
	o.Logger = slog.New(slog.NewTextHandler(stderr, nil))
	s, err := Start(ctx, o)
	if err != nil {
		return err
	}
	s.Banner(stdout)
	if err := s.Wait(ctx); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "ghlsync dev: stopped")
	return nil
}
