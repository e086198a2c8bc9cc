package backfillcmd_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/ghlsync/ghlsync/internal/cli"
	"github.com/ghlsync/ghlsync/internal/sweep"
	"github.com/ghlsync/ghlsync/internal/sweep/backfillcmd"
)

func TestUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{},
		{"--location", "L1"},
		{"--location", "L1", "--table", "t", "--store-file", "f"},
		{"--location", "L1", "--table", "t", "--streams", "deals"},
		{"--location", "L1", "--table", "t", "extra"},
		{"--nope"},
	} {
		var stderr bytes.Buffer
		err := backfillcmd.Run(t.Context(), args, &bytes.Buffer{}, &stderr)
		if !errors.Is(err, cli.ErrUsage) || cli.ExitCode(err) != cli.ExitUsage {
			t.Errorf("%q: err = %v (exit %d), want a usage error (exit 2)", args, err, cli.ExitCode(err))
		}
	}
	var stderr bytes.Buffer
	if err := backfillcmd.Run(t.Context(), []string{"--help"}, &bytes.Buffer{}, &stderr); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "--location") {
		t.Errorf("--help: %v, %q", err, stderr.String())
	}
}

// scripted answers each stream with a scripted location report and emits
// progress.
type scripted struct {
	outcomes map[sweep.Stream]string
	progress func(sweep.LocationReport)
	runs     []sweep.Input
}

func (s *scripted) Run(_ context.Context, in sweep.Input) (sweep.Report, error) {
	s.runs = append(s.runs, in)
	l := sweep.LocationReport{LocationID: in.LocationID, Stream: in.Stream, Outcome: s.outcomes[in.Stream], Pages: 2, Delivered: 150, Requests: 2}
	s.progress(l)
	return sweep.Report{Stream: in.Stream, Locations: []sweep.LocationReport{l}}, nil
}

func TestBackfill(t *testing.T) {
	t.Parallel()
	var stderr, stdout bytes.Buffer
	p := backfillcmd.NewProgress(&stderr)
	s := &scripted{progress: p.Update, outcomes: map[sweep.Stream]string{sweep.Contacts: sweep.OutcomeCaughtUp, sweep.Notes: sweep.OutcomeCaughtUp}}
	if err := backfillcmd.Backfill(t.Context(), s, "L1", []sweep.Stream{sweep.Contacts, sweep.Notes}, false, 0, p, &stdout); err != nil {
		t.Fatal(err)
	}
	if len(s.runs) != 2 || s.runs[1] != (sweep.Input{Kind: sweep.KindSweep, Stream: sweep.Notes, LocationID: "L1"}) {
		t.Errorf("runs = %+v", s.runs)
	}
	if got := strings.Count(stdout.String(), "caught_up"); got != 2 {
		t.Errorf("summary:\n%s", stdout.String())
	}
	// Not a terminal: plain lines, no carriage returns.
	if strings.Contains(stderr.String(), "\r") || strings.Count(stderr.String(), "\n") != 2 || !strings.Contains(stderr.String(), "L1 contacts: 2 pages, 150 delivered") {
		t.Errorf("progress:\n%q", stderr.String())
	}

	s = &scripted{progress: p.Update, outcomes: map[sweep.Stream]string{sweep.Contacts: sweep.OutcomeDailyLimit}}
	err := backfillcmd.Backfill(t.Context(), s, "L1", []sweep.Stream{sweep.Contacts, sweep.Notes}, false, 0, p, &stdout)
	if err == nil || !strings.Contains(err.Error(), "daily") || cli.ExitCode(err) != cli.ExitFailure || len(s.runs) != 1 {
		t.Errorf("daily limit: %v after %d runs, want a failure (exit 1) that stops", err, len(s.runs))
	}
}
