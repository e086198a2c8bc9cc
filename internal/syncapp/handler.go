package syncapp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/ghlsync/ghlsync/internal/apigw"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// Flows is what the routes call; *crmsync.Syncer satisfies it.
type Flows interface {
	HandleGHLWebhook(ctx context.Context, domain crmsync.Kind, header http.Header, body []byte) crmsync.Result
	HandlePeerWebhook(ctx context.Context, domain crmsync.Kind, header http.Header, body []byte) crmsync.Result
	PullContact(ctx context.Context, r crmsync.PullRequest) crmsync.Result
	PullBusinessContacts(ctx context.Context, r crmsync.PullRequest) crmsync.Result
}

// Route serves one API Gateway route.
type Route func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) crmsync.Result

// Handler maps API Gateway HTTP API (payload 2.0) events to routes by
// RouteKey, answers unknown routes 404, and logs one line per request.
type Handler struct {
	Routes map[string]Route
	Logger *slog.Logger
	// Now is the clock of the logged duration (time.Now when nil).
	Now func() time.Time
}

// Handle serves one request. Every failure is a response; the error is
// always nil.
func (h *Handler) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	start := now()
	route := ev.RouteKey
	if route == "" || route == "$default" {
		route = ev.RequestContext.HTTP.Method + " " + ev.RawPath
	}
	var res crmsync.Result
	if r, ok := h.Routes[route]; ok {
		res = r(ctx, ev)
	} else {
		res = crmsync.Result{Status: http.StatusNotFound, Body: crmsync.ErrorBody{Error: "not_found", Message: "no route " + route}, Outcome: "not_found"}
	}
	resp := apigw.JSON(res.Status, res.Body)
	for k, v := range res.Header {
		resp.Headers[k] = v
	}
	if h.Logger != nil {
		attrs := []any{"route", route, "status", res.Status, "outcome", res.Outcome, "duration_ms", now().Sub(start).Milliseconds()}
		if res.Err != nil {
			attrs = append(attrs, "error", res.Err.Error())
		}
		// The ReauthRequired alarm counts outcome reauth_required; the
		// location tells the operator where to install the app again.
		var reauth *tokens.ReauthRequiredError
		if errors.As(res.Err, &reauth) {
			attrs = append(attrs, "location_id", reauth.LocationID)
			if reauth.CompanyID != "" {
				attrs = append(attrs, "company_id", reauth.CompanyID)
			}
		}
		level := slog.LevelInfo
		if res.Status >= 500 || (res.Err != nil && res.Status != http.StatusUnauthorized && res.Status != http.StatusBadRequest) {
			level = slog.LevelWarn
		}
		h.Logger.Log(ctx, level, "request", attrs...)
	}
	return resp, nil
}

func body(ev events.APIGatewayV2HTTPRequest) ([]byte, *crmsync.Result) {
	b, err := apigw.Body(ev, apigw.MaxBodyBytes)
	switch {
	case errors.Is(err, apigw.ErrBodyTooLarge):
		return nil, &crmsync.Result{Status: http.StatusRequestEntityTooLarge,
			Body: crmsync.ErrorBody{Error: "body_too_large", Message: "the body is over 256 KiB"}, Outcome: "body_too_large", Err: err}
	case err != nil:
		return nil, &crmsync.Result{Status: http.StatusBadRequest,
			Body: crmsync.ErrorBody{Error: "malformed", Message: "the body could not be read"}, Outcome: "malformed", Err: err}
	}
	return b, nil
}

// GHLWebhook is the route POST /ghl/webhooks/<domain>.
func GHLWebhook(f Flows, domain crmsync.Kind) Route {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) crmsync.Result {
		b, bad := body(ev)
		if bad != nil {
			return *bad
		}
		return f.HandleGHLWebhook(ctx, domain, apigw.Header(ev), b)
	}
}

// PeerWebhook is the route POST /peer/webhooks/<domain>.
func PeerWebhook(f Flows, domain crmsync.Kind) Route {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) crmsync.Result {
		b, bad := body(ev)
		if bad != nil {
			return *bad
		}
		return f.HandlePeerWebhook(ctx, domain, apigw.Header(ev), b)
	}
}

func pullRequest(ev events.APIGatewayV2HTTPRequest) (crmsync.PullRequest, *crmsync.Result) {
	q := ev.QueryStringParameters
	r := crmsync.PullRequest{Authorization: apigw.Header(ev).Get("Authorization"), LocationID: q["locationId"], ID: ev.PathParameters["id"]}
	var err error
	if r.Include, err = crmsync.ParseInclude(q["include"]); err == nil {
		r.Limit, r.Skip, err = crmsync.ParsePage(q["limit"], q["skip"])
	}
	if err != nil {
		return r, &crmsync.Result{Status: http.StatusBadRequest, Body: crmsync.ErrorBody{Error: "malformed", Message: err.Error()}, Outcome: "malformed", Err: err}
	}
	return r, nil
}

// PullContact is the route GET /peer/contacts/{id}.
func PullContact(f Flows) Route {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) crmsync.Result {
		r, bad := pullRequest(ev)
		if bad != nil {
			return *bad
		}
		return f.PullContact(ctx, r)
	}
}

// PullBusinessContacts is the route GET /peer/businesses/{id}/contacts.
func PullBusinessContacts(f Flows) Route {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) crmsync.Result {
		r, bad := pullRequest(ev)
		if bad != nil {
			return *bad
		}
		return f.PullBusinessContacts(ctx, r)
	}
}

// NewLogger logs JSON: the Lambda logger (with the request id) when the
// runtime asks for JSON logs, else a JSON handler on stdout.
func NewLogger(getenv func(string) string) *slog.Logger {
	if getenv("AWS_LAMBDA_LOG_FORMAT") == "JSON" {
		return lambdacontext.NewLogger()
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: lambdacontext.ReplaceAttr}))
}
