package replay

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ghlsync/ghlsync/internal/cli"
)

// Usage is the one-line summary of the "ghlsync replay" command.
const Usage = "re-drive failed events from an on-failure SQS queue or a file through the same handlers"

// ErrFailed reports that at least one event did not re-drive (exit 1).
var ErrFailed = errors.New("replay: some events failed")

// Options configure one replay run.
type Options struct {
	Records []Record
	// Invoker re-drives; unused with DryRun.
	Invoker Invoker
	// Queue, when set, deletes each message that re-drove OK (unless Keep).
	Queue *Queue
	Keep  bool
	// DryRun prints what would be re-driven and invokes nothing.
	DryRun bool
	Out    io.Writer
}

// Replay re-drives every record in order and prints one line per record
// and a summary. It returns ErrFailed when any record failed.
func Replay(ctx context.Context, o Options) error {
	failed := 0
	for _, rec := range o.Records {
		what := rec.Describe()
		first := ""
		if rec.Function != "" || rec.Condition != "" || rec.Error != "" {
			first = fmt.Sprintf("  [first run: %s %s %s]", rec.Function, rec.Condition, rec.Error)
		}
		if o.DryRun {
			fmt.Fprintf(o.Out, "would re-drive  %s  %s%s\n", rec.Source, what, first)
			continue
		}
		res, err := o.Invoker.Invoke(ctx, rec)
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(o.Out, "FAIL  %s  %s  error: %v%s\n", rec.Source, what, err, first)
			continue
		case !res.OK:
			failed++
			fmt.Fprintf(o.Out, "FAIL  %s  %s  %d %s %s%s\n", rec.Source, what, res.Status, res.Outcome, res.Detail, first)
			continue
		}
		fmt.Fprintf(o.Out, "ok    %s  %s  %d %s %s\n", rec.Source, what, res.Status, res.Outcome, res.Detail)
		if o.Queue != nil && !o.Keep {
			if err := o.Queue.Delete(ctx, rec); err != nil {
				failed++
				fmt.Fprintf(o.Out, "FAIL  %s  re-driven but not removed from the queue: %v\n", rec.Source, err)
			}
		}
	}
	switch {
	case o.DryRun:
		fmt.Fprintf(o.Out, "dry run: %d events would be re-driven; nothing was sent\n", len(o.Records))
	default:
		fmt.Fprintf(o.Out, "%d passed, %d failed\n", len(o.Records)-failed, failed)
	}
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d", ErrFailed, failed, len(o.Records))
	}
	return nil
}

// Run is the "ghlsync replay" command.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return RunEnv(ctx, args, os.Getenv, os.Stdin, stdout, stderr)
}

// RunEnv is Run with the environment read through getenv and "--file -"
// read from stdin.
func RunEnv(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ghlsync replay (--file PATH | --queue-url URL) [--function-url URL] [--dry-run]")
		fmt.Fprintln(stderr, "Re-drives failed invocations: Lambda on-failure destination records ({requestContext, requestPayload,")
		fmt.Fprintln(stderr, "responseContext, responsePayload}) or raw events (API Gateway HTTP API events, schedule Inputs such as")
		fmt.Fprintln(stderr, "{\"kind\":\"sweep\",\"stream\":\"contacts\"}) from a file (a JSON array, one object, or JSON Lines; - is stdin)")
		fmt.Fprintln(stderr, "or from a function's failure queue. Each goes through the same handler, in this process with the")
		fmt.Fprintln(stderr, "functions' environment (TABLE_NAME, SECRET_PREFIX, ... and the AWS SDK configuration), or to")
		fmt.Fprintln(stderr, "--function-url (a deployed HTTP API, or the dev server: http://127.0.0.1:8080). Messages that re-drive")
		fmt.Fprintln(stderr, "OK are deleted from the queue unless --keep. Signed webhooks are verified again: one older than the")
		fmt.Fprintln(stderr, "verifier's window (GHL 90 min, peer 5 min) is refused with 401 and reported.")
		fmt.Fprintln(stderr, "Exit codes: 0 every event re-driven (or listed, with --dry-run), 1 any failed, 2 bad usage.")
		fs.PrintDefaults()
	}
	file := fs.String("file", "", "file of failure records or events (- reads stdin)")
	queueURL := fs.String("queue-url", "", "SQS queue URL of a function's on-failure destination")
	functionURL := fs.String("function-url", "", "base URL to send events to instead of the in-process handlers")
	dryRun := fs.Bool("dry-run", false, "list what would be re-driven; invoke and delete nothing")
	keep := fs.Bool("keep", false, "leave re-driven messages in the queue")
	max := fs.Int("max", 100, "most messages to read from the queue")
	sqsEndpoint := fs.String("sqs-endpoint", "", "SQS endpoint override (a local emulator)")
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	switch {
	case (*file == "") == (*queueURL == ""):
		return cli.Usagef("give exactly one of --file and --queue-url")
	case *max < 1:
		return cli.Usagef("--max must be at least 1")
	}

	o := Options{DryRun: *dryRun, Keep: *keep, Out: stdout}
	switch {
	case *file != "":
		var r io.Reader = stdin
		name := "stdin"
		if *file != "-" {
			f, err := os.Open(*file)
			if err != nil {
				return err
			}
			defer f.Close()
			r, name = f, filepath.Base(*file)
		}
		recs, err := DecodeFile(name, r)
		if err != nil {
			return err
		}
		o.Records = recs
	default:
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return fmt.Errorf("AWS configuration: %w", err)
		}
		client := sqs.NewFromConfig(awsCfg, func(so *sqs.Options) {
			if *sqsEndpoint != "" {
				so.BaseEndpoint = aws.String(*sqsEndpoint)
			}
		})
		q := &Queue{API: client, URL: *queueURL, Max: *max, VisibilitySeconds: 300}
		if *dryRun {
			// Listed messages come back when their visibility ends.
			q.VisibilitySeconds = 1
		}
		recs, bad, err := q.Receive(ctx)
		if err != nil {
			return err
		}
		for _, e := range bad {
			fmt.Fprintf(stdout, "SKIP  %v (left in the queue)\n", e)
		}
		o.Records, o.Queue = recs, q
	}
	if len(o.Records) == 0 {
		fmt.Fprintln(stdout, "nothing to replay")
		return nil
	}
	if !o.DryRun {
		if *functionURL != "" {
			o.Invoker = &HTTPInvoker{BaseURL: *functionURL}
		} else {
			p, err := LoadInProcess(ctx, getenv, slog.New(slog.NewTextHandler(stderr, nil)))
			if err != nil {
				return fmt.Errorf("wire the handlers (set the functions' environment, or use --function-url): %w", err)
			}
			o.Invoker = p
		}
	}
	return Replay(ctx, o)
}
