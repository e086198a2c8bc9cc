package syncapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/sweep"
)

// Sweeper runs one stream's sweep; *sweep.Runner satisfies it.
type Sweeper interface {
	Run(ctx context.Context, in sweep.Input) (sweep.Report, error)
}

// Entry is the Lambda entry point of a sync function: it takes the raw
// invocation payload and dispatches an API Gateway HTTP API event (it has
// a routeKey) to HTTP, and an EventBridge Scheduler Input
// ({"kind":"sweep","stream":...}, optionally "locationId") to Sweeps,
// which must be the function's own Stream. Anything else is an error
// naming what was expected.
type Entry struct {
	// Function names the function in log lines and metrics.
	Function string
	HTTP     *Handler
	Sweeps   Sweeper
	// Stream is the stream the function's schedule sweeps.
	Stream sweep.Stream
	Logger *slog.Logger
}

// ErrUnknownInput reports an invocation payload that is neither an API
// Gateway event nor a sweep Input.
var ErrUnknownInput = errors.New("syncapp: unknown invocation input")

// Invoke serves one invocation. HTTP answers are events.APIGatewayV2HTTPResponse;
// a sweep answers its sweep.Report. Per-location failures are in the
// report and its log lines, not the error: one location's trouble must not
// make the scheduler retry the others.
func (e *Entry) Invoke(ctx context.Context, raw json.RawMessage) (any, error) {
	var probe struct {
		RouteKey string          `json:"routeKey"`
		Version  string          `json:"version"`
		Kind     string          `json:"kind"`
		Request  json.RawMessage `json:"requestContext"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return nil, fmt.Errorf("%w: not a JSON object: %v", ErrUnknownInput, err)
	}
	switch {
	case probe.RouteKey != "" || len(probe.Request) > 0:
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("%w: API Gateway event: %v", ErrUnknownInput, err)
		}
		if e.HTTP == nil {
			return nil, fmt.Errorf("%w: %s serves no HTTP routes", ErrUnknownInput, e.Function)
		}
		return e.HTTP.Handle(ctx, ev)
	case probe.Kind == sweep.KindSweep:
		return e.sweep(ctx, raw)
	}
	return nil, fmt.Errorf("%w: want an API Gateway HTTP API event (routeKey) or a schedule Input {\"kind\":\"sweep\",\"stream\":%q}", ErrUnknownInput, e.Stream)
}

func (e *Entry) sweep(ctx context.Context, raw []byte) (any, error) {
	in, err := sweep.ParseInput(bytes.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	if in.Stream != e.Stream {
		return nil, fmt.Errorf("%w: stream %q is swept by another function; %s sweeps %q", sweep.ErrInput, in.Stream, e.Function, e.Stream)
	}
	if e.Sweeps == nil {
		return nil, fmt.Errorf("%w: %s has no sweep runner", ErrUnknownInput, e.Function)
	}
	rep, err := e.Sweeps.Run(ctx, in)
	if err != nil {
		if e.Logger != nil {
			e.Logger.ErrorContext(ctx, "sweep failed", "function", e.Function, "stream", string(in.Stream), "error", err.Error())
		}
		return nil, err
	}
	if e.Logger != nil {
		for _, l := range rep.Locations {
			LogLocation(ctx, e.Logger, e.Function, l)
		}
	}
	return rep, nil
}

// MetricsNamespace is the CloudWatch namespace of the sweep metrics.
const MetricsNamespace = "ghlsync"

// LogLocation writes the one log line of a location's sweep. The line is
// also a CloudWatch Embedded Metric Format record (no PutMetricData call):
// SweepDelivered, SweepDeleted, SweepGHLRequests, SweepErrors and
// DailyRateLimitHit per Function and Stream. A daily limit logs at WARN
// with when the location resumes; a failure at ERROR.
func LogLocation(ctx context.Context, logger *slog.Logger, function string, l sweep.LocationReport) {
	errs, daily := 0, 0
	if l.Error != "" {
		errs = 1
	}
	if l.Outcome == sweep.OutcomeDailyLimit {
		daily = 1
	}
	metric := func(name, unit string) map[string]string { return map[string]string{"Name": name, "Unit": unit} }
	emf := map[string]any{
		"Timestamp": time.Now().UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  MetricsNamespace,
			"Dimensions": [][]string{{"Function", "Stream"}},
			"Metrics": []any{metric("SweepDelivered", "Count"), metric("SweepDeleted", "Count"), metric("SweepGHLRequests", "Count"),
				metric("SweepErrors", "Count"), metric("DailyRateLimitHit", "Count")},
		}},
	}
	attrs := []any{"_aws", emf, "Function", function, "Stream", string(l.Stream),
		"SweepDelivered", l.Delivered, "SweepDeleted", l.Deleted, "SweepGHLRequests", l.Requests, "SweepErrors", errs, "DailyRateLimitHit", daily,
		"locationId", l.LocationID, "outcome", l.Outcome, "pages", l.Pages, "seen", l.Seen, "unchanged", l.Unchanged, "failed", l.Failed,
		"stoppedByDeadline", l.StoppedByDeadline, "duration_ms", l.DurationMS}
	if l.Deletes != "" {
		attrs = append(attrs, "deletes", l.Deletes)
	}
	level, msg := slog.LevelInfo, "sweep"
	switch {
	case l.Outcome == sweep.OutcomeDailyLimit:
		level, msg = slog.LevelWarn, "GHL daily rate limit reached: location paused until resumeAt"
		attrs = append(attrs, "resumeAt", l.ResumeAt.Format(time.RFC3339))
	case l.Error != "":
		level = slog.LevelError
		attrs = append(attrs, "error", l.Error)
	}
	logger.Log(ctx, level, msg, attrs...)
}
