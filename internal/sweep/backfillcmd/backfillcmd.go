// Package backfillcmd is the "ghlsync backfill" command: it sends a
// location's GHL contacts, tasks, notes and appointments to the peer with
// the scheduled sweeps' own code (sweep.Runner, through syncapp.NewApp:
// the same cursors, fingerprints, links and rate budget), so it is
// resumable — an interrupted backfill continues where its cursors stand,
// and what the peer already has is not sent again. It prints a progress
// line on stderr (rewritten in place on a terminal, one line per page
// otherwise) and a summary per stream on stdout.
//
// Exit codes: 0 every stream caught up, 1 a stream failed or GHL's daily
// limit stopped it (run again tomorrow: it resumes), 2 bad usage.
//
// Example:
//
//	err := backfillcmd.Run(ctx, []string{"--location", "ve9EPM428h8vShlRW1KT", "--table", "ghlsync-dev"}, os.Stdout, os.Stderr)
package backfillcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/cli"
	"github.com/ghlsync/ghlsync/internal/config"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/sweep"
	"github.com/ghlsync/ghlsync/internal/syncapp"
)

// Usage is the one-line summary of the command.
const Usage = "send a location's GHL contacts, tasks, notes and appointments to the peer (resumable)"

// Options are the parsed flags.
type Options struct {
	Location, Streams                   string
	Stage, SecretPrefix, PeerSecretName string
	PeerURL, GHLBaseURL                 string
	Table, DynamoEndpoint, StoreFile    string
	SecretsEndpoint                     string
	Deletes                             bool
	Timeout                             time.Duration
}

// Parse reads the flags.
func Parse(args []string, stderr io.Writer) (Options, []sweep.Stream, error) {
	var o Options
	fs := flag.NewFlagSet("backfill", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ghlsync backfill --location ID (--table NAME | --store-file PATH) [flags]")
		fmt.Fprintln(stderr, "Sends the location's contacts, tasks, notes and appointments to the peer with the scheduled sweeps' code.")
		fmt.Fprintln(stderr, "Resumable: it continues from the sweeps' cursors, and what the peer has is not sent again.")
		fmt.Fprintln(stderr, "Tokens come from AWS Secrets Manager (normal SDK configuration, or --secrets-endpoint), as `ghlsync auth` stored them.")
		fmt.Fprintln(stderr, "Exit codes: 0 done, 1 a stream failed or GHL's daily limit stopped it (run again: it resumes), 2 bad usage.")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.Location, "location", "", "GHL location id to backfill (required)")
	fs.StringVar(&o.Streams, "streams", "all", "comma-separated streams: contacts, tasks, notes, appointments, or all")
	fs.BoolVar(&o.Deletes, "deletes", false, "also run delete detection (send deletes for linked records gone from GHL)")
	fs.StringVar(&o.Stage, "stage", "dev", "deployment stage; names the default secrets")
	fs.StringVar(&o.SecretPrefix, "secret-prefix", "", "token secret name prefix (default ghlsync/<stage>)")
	fs.StringVar(&o.PeerSecretName, "peer-secret-name", "", "peer secret (default ghlsync/<stage>/peer)")
	fs.StringVar(&o.PeerURL, "peer-url", "", "peer webhook URL (default: the peer secret's webhook_url)")
	fs.StringVar(&o.GHLBaseURL, "ghl-base-url", ghl.DefaultBaseURL, "GHL API base URL")
	fs.StringVar(&o.SecretsEndpoint, "secrets-endpoint", "", "Secrets Manager endpoint (local double or emulator)")
	fs.StringVar(&o.Table, "table", "", "DynamoDB table of the sync state")
	fs.StringVar(&o.DynamoEndpoint, "dynamodb-endpoint", "", "DynamoDB endpoint (DynamoDB Local)")
	fs.StringVar(&o.StoreFile, "store-file", "", "embedded store file instead of DynamoDB (local run)")
	fs.DurationVar(&o.Timeout, "timeout", 0, "stop cleanly after this long (0: run until done); a later run resumes")
	if err := cli.Parse(fs, args); err != nil {
		return o, nil, err
	}
	if o.Location == "" {
		return o, nil, cli.Usagef("--location is required")
	}
	if (o.Table == "") == (o.StoreFile == "") {
		return o, nil, cli.Usagef("give exactly one of --table and --store-file")
	}
	if o.Timeout < 0 {
		return o, nil, cli.Usagef("--timeout must not be negative")
	}
	streams, err := sweep.ParseStreams(o.Streams)
	if err != nil {
		return o, nil, cli.Usagef("--streams: %v", err)
	}
	if o.SecretPrefix == "" {
		o.SecretPrefix = "ghlsync/" + o.Stage
	}
	if o.PeerSecretName == "" {
		o.PeerSecretName = "ghlsync/" + o.Stage + "/peer"
	}
	return o, streams, nil
}

// Sweeper runs one stream; *sweep.Runner satisfies it.
type Sweeper interface {
	Run(ctx context.Context, in sweep.Input) (sweep.Report, error)
}

// Run runs the command with the AWS clients of the normal SDK
// configuration.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, streams, err := Parse(args, stderr)
	if err != nil {
		return err
	}
	p := NewProgress(stderr)
	runner, err := build(ctx, o, p.Update)
	if err != nil {
		return err
	}
	return Backfill(ctx, runner, o.Location, streams, o.Deletes, o.Timeout, p, stdout)
}

func build(ctx context.Context, o Options, progress func(sweep.LocationReport)) (*sweep.Runner, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	sm := secretsmanager.NewFromConfig(awsCfg, func(so *secretsmanager.Options) {
		if o.SecretsEndpoint != "" {
			so.BaseEndpoint = aws.String(o.SecretsEndpoint)
		}
	})
	var st syncapp.AppStore
	if o.StoreFile != "" {
		if st, err = memstore.Open(o.StoreFile); err != nil {
			return nil, fmt.Errorf("store file: %w", err)
		}
	} else {
		st = dynamostore.New(dynamodb.NewFromConfig(awsCfg, func(do *dynamodb.Options) {
			if o.DynamoEndpoint != "" {
				do.BaseEndpoint = aws.String(o.DynamoEndpoint)
			}
		}, dynamostore.ClientOptions), o.Table)
	}
	cfg := config.Config{Stage: o.Stage, TableName: o.Table, SecretPrefix: o.SecretPrefix, AppSecretName: "ghlsync/" + o.Stage + "/app",
		PeerSecretName: o.PeerSecretName, GHLBaseURL: o.GHLBaseURL, PeerWebhookURL: o.PeerURL, DefaultLocationID: o.Location}
	app, err := syncapp.NewApp(ctx, cfg, sm, st, syncapp.WithProgress(progress))
	if err != nil {
		return nil, err
	}
	return app.Sweeps, nil
}

// Backfill runs the streams of one location in order, each until it has
// caught up (or until timeout, when set), reporting progress to p and a
// summary line per stream to stdout. It fails when a stream failed or
// GHL's daily limit stopped it; what was done is kept (cursors, links), so
// running it again resumes.
func Backfill(ctx context.Context, s Sweeper, location string, streams []sweep.Stream, deletes bool, timeout time.Duration, p *Progress, stdout io.Writer) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var failed []error
	for _, st := range streams {
		rep, err := s.Run(ctx, sweep.Input{Kind: sweep.KindSweep, Stream: st, LocationID: location, Deletes: deletes})
		p.Done()
		if err != nil {
			return fmt.Errorf("%s: %w", st, err)
		}
		if len(rep.Locations) != 1 {
			return fmt.Errorf("%s: no report for location %s", st, location)
		}
		l := rep.Locations[0]
		fmt.Fprintf(stdout, "%-12s %-10s delivered %d, unchanged %d, deleted %d, failed %d; %d pages, %d GHL requests, %s\n",
			st, l.Outcome, l.Delivered, l.Unchanged, l.Deleted, l.Failed, l.Pages, l.Requests, time.Duration(l.DurationMS)*time.Millisecond)
		switch l.Outcome {
		case sweep.OutcomeCaughtUp:
		case sweep.OutcomeDeadline:
			fmt.Fprintf(stdout, "%-12s stopped at the timeout; run the same command again to resume\n", st)
			return nil
		case sweep.OutcomeDailyLimit, sweep.OutcomePaused:
			return fmt.Errorf("%s: GHL's daily request limit is spent for location %s; run again after %s (it resumes)", st, location, l.ResumeAt.Format(time.RFC3339))
		case sweep.OutcomeNotInstalled:
			return fmt.Errorf("location %s: its installation is not active (ghlsync auth re-installs it)", location)
		default:
			failed = append(failed, fmt.Errorf("%s: %s", st, l.Error))
		}
	}
	return errors.Join(failed...)
}

// Progress writes the backfill's progress line: rewritten in place on a
// terminal, one plain line per update otherwise. It is safe for
// concurrent use.
type Progress struct {
	w   io.Writer
	tty bool

	mu      sync.Mutex
	pending bool
}

// NewProgress writes to w; a terminal gets the in-place line.
func NewProgress(w io.Writer) *Progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &Progress{w: w, tty: tty}
}

// Update shows a location's counts so far.
func (p *Progress) Update(l sweep.LocationReport) {
	line := fmt.Sprintf("%s %s: %d pages, %d delivered, %d unchanged, %d deleted, %d GHL requests",
		l.LocationID, l.Stream, l.Pages, l.Delivered, l.Unchanged, l.Deleted, l.Requests)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.pending = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// Done ends the in-place line of a terminal.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending {
		fmt.Fprintln(p.w)
		p.pending = false
	}
}
