package devserver

import (
	"context"
	"fmt"
	"time"

	"github.com/ghlsync/ghlsync/internal/sweep"
)

// startSchedules runs every stream's sweep on the local clock: once right
// after start (what the webhooks missed while the server was down) and
// then every SweepEvery, until ctx ends.
func (s *Server) startSchedules(ctx context.Context) {
	if s.opts.SweepEvery <= 0 || s.sweeper == nil {
		return
	}
	s.loops.Add(1)
	go func() {
		defer s.loops.Done()
		t := time.NewTicker(s.opts.SweepEvery)
		defer t.Stop()
		for {
			s.SweepAll(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
}

// SweepAll runs one sweep of every stream, as the deployed schedules do,
// and records one activity entry per stream and location.
func (s *Server) SweepAll(ctx context.Context) {
	for _, stream := range sweep.Streams {
		if ctx.Err() != nil {
			return
		}
		in := sweep.Input{Kind: sweep.KindSweep, Stream: stream}
		rep, err := s.sweeper.Run(ctx, in)
		if err != nil {
			if ctx.Err() == nil {
				s.Activity.Add(Entry{Direction: DirSchedule, Route: "sweep " + string(stream), Outcome: LabelFailed, Why: err.Error()})
				s.logger.Warn("sweep failed", "stream", string(stream), "error", err.Error())
			}
			continue
		}
		s.recordSweep(stream, rep)
	}
}

// recordSweep adds one activity entry per location of a sweep report.
func (s *Server) recordSweep(stream sweep.Stream, rep sweep.Report) {
	for _, l := range rep.Locations {
		e := Entry{Direction: DirSchedule, Route: "sweep " + string(stream), Entity: "location " + l.LocationID, Outcome: LabelDelivered,
			Why: fmt.Sprintf("%s: seen %d, delivered %d, unchanged %d, deleted %d, failed %d, %d GHL requests",
				l.Outcome, l.Seen, l.Delivered, l.Unchanged, l.Deleted, l.Failed, l.Requests)}
		switch {
		case l.Error != "" || l.Outcome == sweep.OutcomeFailed:
			e.Outcome, e.Why = LabelFailed, l.Outcome+": "+l.Error
		case l.Delivered+l.Deleted == 0:
			e.Outcome = LabelIgnored // nothing the peer did not have
		}
		s.Activity.Add(e)
		s.logger.Info("sweep", "stream", string(stream), "locationId", l.LocationID, "outcome", l.Outcome,
			"seen", l.Seen, "delivered", l.Delivered, "unchanged", l.Unchanged, "deleted", l.Deleted, "failed", l.Failed)
	}
}
