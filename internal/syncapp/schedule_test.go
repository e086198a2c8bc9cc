package syncapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/sweep"
	"github.com/ghlsync/ghlsync/internal/syncapp"
)

type fakeSweeper struct {
	got []sweep.Input
	rep sweep.Report
}

func (f *fakeSweeper) Run(_ context.Context, in sweep.Input) (sweep.Report, error) {
	f.got = append(f.got, in)
	return f.rep, nil
}

func TestEntryDispatch(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	sw := &fakeSweeper{rep: sweep.Report{Stream: sweep.Notes, Locations: []sweep.LocationReport{
		{LocationID: "loc1", Stream: sweep.Notes, Outcome: sweep.OutcomeCaughtUp, Delivered: 3, Requests: 5},
		{LocationID: "loc2", Stream: sweep.Notes, Outcome: sweep.OutcomeDailyLimit, DailyLimit: true, ResumeAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)},
	}}}
	e := &syncapp.Entry{Function: "note-sync", Stream: sweep.Notes, Sweeps: sw, Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		HTTP: &syncapp.Handler{Routes: map[string]syncapp.Route{"GET /x": func(context.Context, events.APIGatewayV2HTTPRequest) crmsync.Result {
			return crmsync.Result{Status: http.StatusTeapot, Body: map[string]string{"ok": "x"}}
		}}}}

	// The exact Input of the template's schedule (the sample event).
	raw, err := os.ReadFile(filepath.Join("..", "..", "events", "note-sync", "schedule-notes.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.Invoke(t.Context(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if rep, ok := out.(sweep.Report); !ok || len(rep.Locations) != 2 || len(sw.got) != 1 || sw.got[0] != (sweep.Input{Kind: "sweep", Stream: sweep.Notes}) {
		t.Errorf("schedule answer %#v, runs %+v", out, sw.got)
	}
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	if len(lines) != 2 || lines[1]["DailyRateLimitHit"] != 1.0 || lines[1]["level"] != "WARN" || lines[0]["SweepDelivered"] != 3.0 || lines[0]["_aws"] == nil {
		t.Errorf("log lines = %v, want one EMF line per location, the daily limit at WARN", lines)
	}

	// An API Gateway event goes to the routes.
	ev, _ := json.Marshal(events.APIGatewayV2HTTPRequest{RouteKey: "GET /x", Version: "2.0"})
	out, err = e.Invoke(t.Context(), ev)
	if resp, ok := out.(events.APIGatewayV2HTTPResponse); err != nil || !ok || resp.StatusCode != http.StatusTeapot {
		t.Errorf("HTTP answer %#v, %v", out, err)
	}

	for _, bad := range []string{`{"kind":"sweep","stream":"contacts"}`, `{"kind":"sweep","stream":"nope"}`, `{"kind":"sweep","stream":"notes","extra":1}`} {
		if _, err := e.Invoke(t.Context(), json.RawMessage(bad)); !errors.Is(err, sweep.ErrInput) {
			t.Errorf("%s: err = %v, want sweep.ErrInput", bad, err)
		}
	}
	for _, bad := range []string{`{"source":"aws.events"}`, `[]`, `"x"`} {
		if _, err := e.Invoke(t.Context(), json.RawMessage(bad)); !errors.Is(err, syncapp.ErrUnknownInput) {
			t.Errorf("%s: err = %v, want ErrUnknownInput", bad, err)
		}
	}
	if len(sw.got) != 1 {
		t.Errorf("bad inputs ran %d sweeps", len(sw.got)-1)
	}
}
