package installapp

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/apigw"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// Routes of the app-install function (template.yaml), served by Lambda and
// by the local dev server.
const (
	RouteCallback = "GET /oauth/callback"
	RouteWebhook  = "POST /ghl/webhooks/app"
)

// Installer is the install flow the handler drives; *install.Flow satisfies it.
type Installer interface {
	Callback(ctx context.Context, code, state string) (install.CallbackResult, error)
	Webhook(ctx context.Context, h http.Header, body []byte) (install.WebhookResult, install.Event, error)
}

// Handler maps API Gateway HTTP API events onto the install flow.
type Handler struct {
	Flow   Installer
	Logger *slog.Logger
	// Now is the clock for the logged duration (time.Now when nil).
	Now func() time.Time
}

// outcome is what the single log line of a request reports.
type outcome struct {
	status     int
	locationID string
	companyID  string
	webhookID  string
	result     string
	err        error
}

// Handle serves one request: GET /oauth/callback and POST
// /ghl/webhooks/app; any other route is 404. It logs one line per request
// and never returns an error to the runtime (every failure is a response).
func (h *Handler) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	start := h.now()
	route := ev.RouteKey
	if route == "" || route == "$default" {
		route = ev.RequestContext.HTTP.Method + " " + ev.RawPath
	}
	var resp events.APIGatewayV2HTTPResponse
	var o outcome
	switch route {
	case RouteCallback:
		resp, o = h.callback(ctx, ev)
	case RouteWebhook:
		resp, o = h.webhook(ctx, ev)
	default:
		resp = apigw.Error(http.StatusNotFound, "not_found", "no route "+route)
		o = outcome{result: "not_found"}
	}
	o.status = resp.StatusCode
	h.log(ctx, route, o, h.now().Sub(start))
	return resp, nil
}

func (h *Handler) callback(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, outcome) {
	q := ev.QueryStringParameters
	res, err := h.Flow.Callback(ctx, q["code"], q["state"])
	o := outcome{companyID: res.CompanyID, locationID: strings.Join(res.LocationIDs, ","), err: err}
	if err != nil {
		code, status, msg := callbackError(err)
		o.result = code
		return apigw.Error(status, code, msg), o
	}
	o.result = "installed"
	if len(res.Failed) > 0 {
		o.result = "installed_partially"
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusOK,
		Headers:    map[string]string{"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
		Body:       installedPage(res),
	}, o
}

// callbackError maps a callback failure to (error code, status, message).
func callbackError(err error) (string, int, string) {
	switch {
	case errors.Is(err, install.ErrMissingCode):
		return "missing_code", http.StatusBadRequest, "the OAuth callback needs a code parameter"
	case errors.Is(err, install.ErrStateRequired):
		return "state_required", http.StatusBadRequest, "this installation requires a signed state parameter; start from the ghlsync authorization URL"
	case errors.Is(err, install.ErrStateExpired):
		return "state_expired", http.StatusBadRequest, "the state parameter has expired; start the installation again"
	case errors.Is(err, install.ErrBadState):
		return "bad_state", http.StatusBadRequest, "the state parameter does not verify; nothing was installed"
	case errors.Is(err, install.ErrCodeRejected):
		return "code_rejected", http.StatusBadRequest, "GHL rejected the authorization code (expired or already used); install the app again"
	case errors.Is(err, tokens.ErrReauthRequired):
		return "reauth_required", http.StatusServiceUnavailable, "the agency token needs re-authorization; install the app again"
	case install.IsTemporary(err):
		return "unavailable", http.StatusServiceUnavailable, "a dependency is temporarily unavailable; install the app again in a minute"
	}
	return "install_failed", http.StatusInternalServerError, "the installation failed; see the function logs"
}

// installedPage is the small page shown after a successful install. It
// names ids only.
func installedPage(res install.CallbackResult) string {
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>ghlsync installed</title></head><body>\n")
	switch {
	case res.UserType == tokens.UserTypeCompany:
		fmt.Fprintf(&b, "<h1>ghlsync installed for agency %s</h1>\n", html.EscapeString(res.CompanyID))
		if len(res.LocationIDs) > 0 {
			fmt.Fprintf(&b, "<p>ghlsync installed for location %s</p>\n", html.EscapeString(strings.Join(res.LocationIDs, ", ")))
		}
		failed := make([]string, 0, len(res.Failed))
		for loc := range res.Failed {
			failed = append(failed, loc)
		}
		slices.Sort(failed)
		for _, loc := range failed {
			fmt.Fprintf(&b, "<p>location %s could not be activated yet; it will be retried on its next INSTALL event or with <code>ghlsync auth</code>.</p>\n", html.EscapeString(loc))
		}
	default:
		fmt.Fprintf(&b, "<h1>ghlsync installed for location %s</h1>\n", html.EscapeString(strings.Join(res.LocationIDs, ", ")))
	}
	b.WriteString("<p>You can close this window.</p>\n</body></html>\n")
	return b.String()
}

func (h *Handler) webhook(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, outcome) {
	body, err := apigw.Body(ev, apigw.MaxBodyBytes)
	if errors.Is(err, apigw.ErrBodyTooLarge) {
		return apigw.Error(http.StatusRequestEntityTooLarge, "body_too_large", err.Error()), outcome{result: "body_too_large", err: err}
	}
	if err != nil {
		return apigw.Error(http.StatusBadRequest, "bad_body", err.Error()), outcome{result: "bad_body", err: err}
	}
	res, e, err := h.Flow.Webhook(ctx, apigw.Header(ev), body)
	o := outcome{locationID: e.LocationID, companyID: e.CompanyID, webhookID: e.WebhookID, result: res.Outcome, err: err}
	if err != nil {
		code, status, msg := webhookError(err)
		o.result = code
		return apigw.Error(status, code, msg), o
	}
	if res.Replayed {
		o.result = "duplicate:" + res.Outcome
	}
	return apigw.JSON(http.StatusOK, res), o
}

// webhookError maps a webhook failure to (error code, status, message).
// GHL retries only after 429, so everything that may pass answers 429.
func webhookError(err error) (string, int, string) {
	switch {
	case errors.Is(err, install.ErrSignature):
		return "bad_signature", http.StatusUnauthorized, "the webhook signature or timestamp does not verify"
	case errors.Is(err, install.ErrBadPayload):
		return "bad_payload", http.StatusBadRequest, err.Error()
	case errors.Is(err, install.ErrUnsupportedEvent):
		return "unsupported_event", http.StatusBadRequest, err.Error()
	case errors.Is(err, idempotency.ErrInProgress):
		return "in_progress", http.StatusTooManyRequests, "this webhook is being processed; retry later"
	case errors.Is(err, idempotency.ErrPayloadMismatch):
		return "payload_mismatch", http.StatusUnprocessableEntity, "a different payload was already received with this webhook id"
	case errors.Is(err, tokens.ErrReauthRequired):
		return "reauth_required", http.StatusServiceUnavailable, "the agency token needs re-authorization; the location is recorded reauth_required"
	case install.IsTemporary(err):
		return "retry_later", http.StatusTooManyRequests, "a dependency is temporarily unavailable; retry later"
	}
	return "webhook_failed", http.StatusInternalServerError, "the webhook could not be processed; see the function logs"
}

// log writes the one line of a request: ids, status, outcome, duration and
// the error's message (ids and causes only; never a token or a body).
func (h *Handler) log(ctx context.Context, route string, o outcome, d time.Duration) {
	l := h.Logger
	if l == nil {
		l = slog.Default()
	}
	attrs := []slog.Attr{
		slog.String("route", route), slog.Int("status", o.status), slog.String("outcome", o.result),
		slog.String("location_id", o.locationID), slog.String("company_id", o.companyID),
		slog.String("webhook_id", o.webhookID), slog.Int64("duration_ms", d.Milliseconds()),
	}
	level := slog.LevelInfo
	if o.err != nil {
		attrs = append(attrs, slog.String("error", o.err.Error()))
		if o.status >= 500 {
			level = slog.LevelError
		} else {
			level = slog.LevelWarn
		}
	}
	l.LogAttrs(ctx, level, "app-install request", attrs...)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}
