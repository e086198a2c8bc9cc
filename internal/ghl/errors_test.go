package ghl

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func rateHeaders(remaining, dailyRemaining int) http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderRateLimitMax, "100")
	h.Set(HeaderRateLimitRemaining, fmt.Sprint(remaining))
	h.Set(HeaderRateLimitInterval, "10000")
	h.Set(HeaderRateLimitDailyLimit, "200000")
	h.Set(HeaderRateLimitDailyRemaining, fmt.Sprint(dailyRemaining))
	return h
}

// TestMethodErrors runs every client method against each failure GHL can
// answer, and checks the typed error.
func TestMethodErrors(t *testing.T) {
	t.Parallel()
	kinds := []struct {
		name  string
		reply reply
		check func(t *testing.T, ep *Endpoint, err error, clock *fakeClock)
	}{
		{
			name:  "401",
			reply: jsonReply(401, `{"statusCode":401,"message":"Invalid token: access token is invalid","error":"Unauthorized"}`),
			check: func(t *testing.T, ep *Endpoint, err error, _ *fakeClock) {
				e := wantAPIError(t, err, 401)
				if e.Message != "Invalid token: access token is invalid" || e.Reason != "Unauthorized" {
					t.Errorf("error = %+v", e)
				}
			},
		},
		{
			name:  "404",
			reply: jsonReply(404, `{"statusCode":404,"message":"Not found","traceId":"trace-404"}`),
			check: func(t *testing.T, ep *Endpoint, err error, _ *fakeClock) {
				e := wantAPIError(t, err, 404)
				if e.Message != "Not found" || e.TraceID != "trace-404" || !strings.Contains(err.Error(), "trace-404") {
					t.Errorf("error = %+v", e)
				}
			},
		},
		{
			name:  "422 message array",
			reply: jsonReply(422, `{"statusCode":422,"message":["property gender should not exist","email must be an email"],"error":"Unprocessable Entity"}`),
			check: func(t *testing.T, ep *Endpoint, err error, _ *fakeClock) {
				e := wantAPIError(t, err, 422)
				if d := cmp.Diff([]string{"property gender should not exist", "email must be an email"}, e.Messages); d != "" {
					t.Errorf("Messages (-want +got):\n%s", d)
				}
				if !strings.Contains(err.Error(), "property gender should not exist; email must be an email") {
					t.Errorf("Error() = %q", err)
				}
			},
		},
		{
			name:  "429 with rate headers",
			reply: reply{status: 429, header: rateHeaders(0, 150000), body: []byte(`{"statusCode":429,"message":"Too many requests"}`)},
			check: func(t *testing.T, ep *Endpoint, err error, clock *fakeClock) {
				var rle *RateLimitError
				if !errors.As(err, &rle) {
					t.Fatalf("error %T %v, want *RateLimitError", err, err)
				}
				want := Rate{Limit: 100, Remaining: 0, Interval: 10 * time.Second, DailyLimit: 200000, DailyRemaining: 150000, known: true, dailyKnown: true}
				if d := cmp.Diff(want, rle.Rate, cmp.AllowUnexported(Rate{})); d != "" {
					t.Errorf("Rate (-want +got):\n%s", d)
				}
				if !rle.RetryAt.Equal(clock.Now().Add(10*time.Second)) || rle.Daily || errors.Is(err, ErrDailyLimit) {
					t.Errorf("RetryAt %v Daily %v, want now+10s and not daily", rle.RetryAt, rle.Daily)
				}
				wantAPIError(t, err, 429)
			},
		},
		{
			name:  "500",
			reply: jsonReply(500, `{"statusCode":500,"message":"Internal server error"}`),
			check: func(t *testing.T, ep *Endpoint, err error, _ *fakeClock) {
				wantAPIError(t, err, 500)
				wantAmbiguity(t, ep, err)
			},
		},
		{
			name:  "non-JSON body",
			reply: reply{status: 502, header: http.Header{"Content-Type": {"text/html"}}, body: []byte("<html><body>502 Bad Gateway</body></html>"), offSpec: true},
			check: func(t *testing.T, ep *Endpoint, err error, _ *fakeClock) {
				e := wantAPIError(t, err, 502)
				if e.Message != "" || strings.Contains(err.Error(), "<html>") {
					t.Errorf("error = %q, want the status without the page", err)
				}
				wantAmbiguity(t, ep, err)
			},
		},
	}
	for _, mc := range methodCases() {
		ep := methodEndpoints[mc.method]
		for _, k := range kinds {
			t.Run(mc.method+"/"+k.name, func(t *testing.T) {
				t.Parallel()
				run, err := runCase(t, mc, func(int, *http.Request, []byte) reply { return k.reply }, WithMaxRetries(0))
				resp, reqs, clock := run.resp, run.reqs, run.clock
				if err == nil {
					t.Fatal("no error")
				}
				if len(reqs) != 1 {
					t.Errorf("server saw %d requests, want 1", len(reqs))
				}
				if resp == nil || resp.StatusCode != k.reply.status {
					t.Errorf("response = %v, want status %d", resp, k.reply.status)
				}
				msg := err.Error()
				if !strings.Contains(msg, ep.OperationID) || !strings.Contains(msg, fmt.Sprint(k.reply.status)) {
					t.Errorf("error %q does not name the operation and status", msg)
				}
				wantNoSecrets(t, err)
				k.check(t, ep, err, clock)
			})
		}
	}
}

func wantAPIError(t *testing.T, err error, status int) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v, want *Error", err, err)
	}
	if e.StatusCode != status {
		t.Errorf("StatusCode = %d, want %d", e.StatusCode, status)
	}
	if e.Operation == "" || e.Method == "" || e.Path == "" {
		t.Errorf("error does not name the request: %+v", e)
	}
	return e
}

// wantAmbiguity checks that a 5xx is ambiguous exactly for the writes that
// must not be repeated.
func wantAmbiguity(t *testing.T, ep *Endpoint, err error) {
	t.Helper()
	wantAmb := ep.Safety == NotIdempotent || ep.Safety == SingleUse
	var amb *AmbiguousError
	if got := errors.As(err, &amb); got != wantAmb || errors.Is(err, ErrAmbiguous) != wantAmb {
		t.Errorf("%s (%s): ambiguous = %v, want %v (err %v)", ep.OperationID, ep.Safety, got, wantAmb, err)
	}
}

// wantNoSecrets checks every rendering of err for credentials.
func wantNoSecrets(t *testing.T, err error) {
	t.Helper()
	for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		for _, secret := range []string{testBearer, testCreds.ClientSecret, "rt-old", "code-123"} {
			if strings.Contains(s, secret) {
				t.Errorf("error rendering contains a secret: %s", s)
			}
		}
	}
}
