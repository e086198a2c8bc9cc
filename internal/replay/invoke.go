package replay

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/install/installapp"
	"github.com/ghlsync/ghlsync/internal/sweep"
	"github.com/ghlsync/ghlsync/internal/syncapp"
)

// Result is what re-driving one record did.
type Result struct {
	Status  int
	Outcome string
	// OK reports a success: a 2xx answer whose outcome is not failed or
	// retry, or a sweep without failed locations.
	OK bool
	// Detail is the answer's message or the failure's cause.
	Detail string
}

// Invoker re-drives one record.
type Invoker interface {
	Invoke(ctx context.Context, rec Record) (Result, error)
}

// APIHandler serves API Gateway HTTP API events; *syncapp.Handler and
// *installapp.Handler satisfy it.
type APIHandler interface {
	Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

// InProcess invokes the same handlers the functions run, in this process.
type InProcess struct {
	// Sync serves the sync functions' routes.
	Sync APIHandler
	// App serves the app-install routes; nil answers them with AppErr.
	App    APIHandler
	AppErr error
	// Sweeps runs schedule Inputs.
	Sweeps syncapp.Sweeper
}

// LoadInProcess builds the handlers from the functions' environment
// (TABLE_NAME, SECRET_PREFIX, ... and the normal AWS SDK configuration),
// as each function's main does.
func LoadInProcess(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*InProcess, error) {
	app, _, err := syncapp.LoadApp(ctx, getenv)
	if err != nil {
		return nil, err
	}
	p := &InProcess{Sync: &syncapp.Handler{Routes: syncapp.SyncRoutes(app.Syncer), Logger: logger}, Sweeps: app.Sweeps}
	if h, err := installapp.Load(ctx, getenv, logger); err != nil {
		p.AppErr = fmt.Errorf("app-install cannot be wired here: %w", err)
	} else {
		p.App = h
	}
	return p, nil
}

// Invoke re-drives rec through the handler of its route, or the sweep.
func (p *InProcess) Invoke(ctx context.Context, rec Record) (Result, error) {
	switch rec.Kind() {
	case KindHTTP:
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(rec.Payload, &ev); err != nil {
			return Result{}, fmt.Errorf("API Gateway event: %w", err)
		}
		h := p.Sync
		if ev.RouteKey == installapp.RouteCallback || ev.RouteKey == installapp.RouteWebhook {
			if p.App == nil {
				return Result{}, p.AppErr
			}
			h = p.App
		}
		resp, err := h.Handle(ctx, ev)
		if err != nil {
			return Result{}, err
		}
		return httpResult(resp.StatusCode, []byte(resp.Body)), nil
	case KindSchedule:
		in, err := sweep.ParseInput(rec.Payload)
		if err != nil {
			return Result{}, err
		}
		if p.Sweeps == nil {
			return Result{}, fmt.Errorf("no sweep runner for %s", in.Stream)
		}
		rep, err := p.Sweeps.Run(ctx, in)
		if err != nil {
			return Result{}, err
		}
		return sweepResult(rep), nil
	}
	return Result{}, ErrRecord
}

// HTTPInvoker posts HTTP events to a base URL: a deployed HTTP API, a
// Lambda function URL or the local dev server ("ghlsync dev"), which also
// takes schedule Inputs at /dev/sweep.
type HTTPInvoker struct {
	BaseURL string
	Client  *http.Client
}

// Invoke sends rec's request (method, raw path and query, headers, body)
// to BaseURL.
func (h *HTTPInvoker) Invoke(ctx context.Context, rec Record) (Result, error) {
	c := h.Client
	if c == nil {
		c = &http.Client{Timeout: 60 * time.Second}
	}
	base := strings.TrimRight(h.BaseURL, "/")
	var req *http.Request
	var err error
	switch rec.Kind() {
	case KindHTTP:
		req, err = httpRequest(ctx, base, rec.Payload)
	case KindSchedule:
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, base+"/dev/sweep", bytes.NewReader(rec.Payload))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
		}
	default:
		return Result{}, ErrRecord
	}
	if err != nil {
		return Result{}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return Result{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if rec.Kind() == KindSchedule && resp.StatusCode == http.StatusOK {
		var rep sweep.Report
		if json.Unmarshal(b, &rep) == nil && rep.Stream != "" {
			return sweepResult(rep), nil
		}
	}
	return httpResult(resp.StatusCode, b), nil
}

// httpRequest rebuilds the HTTP request of an API Gateway event.
func httpRequest(ctx context.Context, base string, payload []byte) (*http.Request, error) {
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("API Gateway event: %w", err)
	}
	method, path := ev.RequestContext.HTTP.Method, ev.RawPath
	if k := strings.SplitN(ev.RouteKey, " ", 2); len(k) == 2 {
		if method == "" {
			method = k[0]
		}
		if path == "" && !strings.Contains(k[1], "{") {
			path = k[1]
		}
	}
	if method == "" || path == "" {
		return nil, fmt.Errorf("API Gateway event without method or path (route %q)", ev.RouteKey)
	}
	body := []byte(ev.Body)
	if ev.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, fmt.Errorf("API Gateway event body: %w", err)
		}
		body = b
	}
	u := base + path
	if ev.RawQueryString != "" {
		u += "?" + ev.RawQueryString
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range ev.Headers {
		switch strings.ToLower(k) {
		case "host", "content-length", "connection", "x-forwarded-for", "x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id":
			continue
		}
		req.Header.Set(k, v)
	}
	return req, nil
}

// httpResult reads the outcome of a handler's JSON answer.
func httpResult(status int, body []byte) Result {
	var b struct {
		Outcome string `json:"outcome"`
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &b)
	r := Result{Status: status, Outcome: b.Outcome, Detail: b.Message}
	if r.Outcome == "" {
		r.Outcome = b.Error
	}
	r.OK = status >= 200 && status < 300 && r.Outcome != "failed" && r.Outcome != "retry"
	return r
}

// sweepResult summarises a sweep report.
func sweepResult(rep sweep.Report) Result {
	t := rep.Totals()
	r := Result{Status: http.StatusOK, Outcome: "swept", OK: rep.Err() == nil,
		Detail: fmt.Sprintf("%d locations: seen %d, delivered %d, deleted %d, failed %d", len(rep.Locations), t.Seen, t.Delivered, t.Deleted, t.Failed)}
	if err := rep.Err(); err != nil {
		r.Outcome, r.Detail = "failed", r.Detail+": "+err.Error()
	}
	return r
}
