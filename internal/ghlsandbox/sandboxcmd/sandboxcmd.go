// Package sandboxcmd runs the GHL sandbox as a standalone HTTP server: the
// "ghlsync sandbox" command.
//
// Example:
//
//	err := sandboxcmd.Run(ctx, []string{"--addr", "127.0.0.1:8090", "--contacts", "50"}, os.Stdout, os.Stderr)
package sandboxcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/ghlsync/ghlsync/internal/cli"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
)

// Usage is the one-line summary of the command.
const Usage = "run the GHL API sandbox (a stateful fake of GHL API v2) on an address"

// Run parses args, seeds a sandbox, serves it on --addr until ctx is done,
// then shuts the server down gracefully. It prints the listening URL, one
// Private Integration Token per seeded location and the app credentials to
// stdout (they are sandbox-only secrets).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address (port 0 picks a free port)")
	seed := fs.Uint64("seed", 1, "seed for ids, demo data and faults")
	locations := fs.Int("locations", 1, "locations to seed")
	contacts := fs.Int("contacts", 25, "contacts per seeded location")
	noLimits := fs.Bool("no-rate-limit", false, "disable the 100/10 s and 200,000/day rate limits")
	timeScale := fs.Float64("time-scale", 1, "sandbox clock speed (e.g. 600 makes the 10-minute webhook retry take 1 s)")
	urls := map[ghlsandbox.Domain]*string{}
	for _, d := range ghlsandbox.Domains {
		urls[d] = fs.String("webhook-url-"+string(d), "", "URL receiving "+string(d)+" webhooks")
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	opts := ghlsandbox.Options{Seed: *seed, RateLimit: ghlsandbox.RateLimitOptions{Disabled: *noLimits}}
	if *timeScale != 1 {
		opts.Clock = ghlsandbox.NewScaledClock(time.Now(), *timeScale)
	}
	sb, err := ghlsandbox.New(opts)
	if err != nil {
		return err
	}
	defer sb.Close()
	for d, u := range urls {
		sb.SetWebhookURL(d, *u)
	}
	locs, err := sb.Seed(ghlsandbox.SeedOptions{Seed: *seed, Locations: *locations, ContactsPerLocation: *contacts})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "ghl sandbox listening on http://%s\n", ln.Addr())
	app := sb.App()
	fmt.Fprintf(stdout, "app id %s client_id %s client_secret %s\n", app.ID, app.ClientID, app.ClientSecret)
	for _, l := range locs {
		tok, err := sb.IssuePrivateToken(l.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "location %s calendar %s token %s name %q\n", l.ID, l.CalendarID, tok, l.Name)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("sandbox: serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("sandbox: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	fmt.Fprintln(stdout, "ghl sandbox stopped")
	return nil
}
