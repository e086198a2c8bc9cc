package ghl

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

var (
	// ErrInvalidArgument reports a call rejected before any request was
	// sent: an empty id, a missing required field, an out-of-range value.
	ErrInvalidArgument = errors.New("invalid argument")

	// ErrAmbiguous is matched (errors.Is) by an *AmbiguousError: a
	// non-idempotent write failed after it may have reached GHL.
	ErrAmbiguous = errors.New("outcome unknown: the request may have been processed")

	// ErrDailyLimit is matched (errors.Is) by a *RateLimitError reporting
	// that the location's daily request budget is spent.
	ErrDailyLimit = errors.New("daily rate limit exhausted")
)

// Error is a GHL error response. Its message never contains the request
// body, the query string or credentials.
type Error struct {
	// Operation is the spec operationId, e.g. "get-contact".
	Operation string
	// Method and Path are the request's method and escaped path (no query).
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Message is the error message when GHL sent a string; for 422 it is
	// Messages joined with "; ".
	Message string
	// Messages holds the validation messages of a 422 (message array).
	Messages []string
	// Reason is the "error" field, e.g. "Unprocessable Entity".
	Reason string
	// TraceID is GHL's traceId, when the body carried one.
	TraceID string
	// Rate is the rate-limit state of the response headers.
	Rate Rate
}

// Error returns a one-line description naming operation, method, path and
// status.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ghl: %s %s %s: %d", e.Operation, e.Method, e.Path, e.StatusCode)
	if e.Reason != "" {
		b.WriteString(" " + e.Reason)
	} else if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.TraceID != "" {
		b.WriteString(" (trace " + e.TraceID + ")")
	}
	return b.String()
}

// errorBody is GHL's error envelope (NOTES §6.2).
type errorBody struct {
	StatusCode json.Number     `json:"statusCode"`
	Message    json.RawMessage `json:"message"`
	Error      string          `json:"error"`
	TraceID    string          `json:"traceId"`
}

func newError(info *requestInfo, resp *Response, body []byte) *Error {
	e := &Error{
		Operation:  info.endpoint.OperationID,
		Method:     info.endpoint.Method,
		Path:       info.path,
		StatusCode: resp.StatusCode,
		Rate:       resp.Rate,
	}
	var eb errorBody
	if json.Unmarshal(body, &eb) != nil {
		// Not JSON (a proxy page, an empty 429): the status is all we know.
		return e
	}
	scrub := bearerScrubber(resp)
	e.Reason, e.TraceID = scrub(eb.Error), scrub(eb.TraceID)
	var s string
	var arr []string
	switch {
	case json.Unmarshal(eb.Message, &s) == nil:
		e.Message = scrub(s)
	case json.Unmarshal(eb.Message, &arr) == nil:
		for i := range arr {
			arr[i] = scrub(arr[i])
		}
		e.Messages = arr
		e.Message = strings.Join(arr, "; ")
	}
	return e
}

// bearerScrubber returns a function that removes the request's bearer
// token from text of the response (an echoing proxy or error page must
// not put it into an error).
func bearerScrubber(resp *Response) func(string) string {
	tok := ""
	if resp != nil && resp.Response != nil && resp.Request != nil {
		tok = strings.TrimSpace(strings.TrimPrefix(resp.Request.Header.Get("Authorization"), "Bearer "))
	}
	if len(tok) < 8 {
		return func(s string) string { return s }
	}
	return func(s string) string { return strings.ReplaceAll(s, tok, "[REDACTED]") }
}

// RateLimitError reports a request refused for rate limiting: a 429 from
// GHL that retries did not overcome, a daily budget the headers say is
// spent (Daily), or a wait for the limiter that would pass the context
// deadline.
type RateLimitError struct {
	// Operation, Method and Path name the request.
	Operation, Method, Path string
	// LocationID is the rate-limit key, when known.
	LocationID string
	// Rate is the last rate-limit state GHL reported.
	Rate Rate
	// RetryAt is the earliest time a retry may succeed (zero if unknown).
	RetryAt time.Time
	// Daily reports that the daily budget is exhausted.
	Daily bool
	// Err is the *Error of a 429 response, if there was one.
	Err error
}

// Error describes the limit and when to retry.
func (e *RateLimitError) Error() string {
	var b strings.Builder
	b.WriteString("ghl: ")
	if e.Operation != "" {
		fmt.Fprintf(&b, "%s %s %s: ", e.Operation, e.Method, e.Path)
	}
	if e.Daily {
		b.WriteString("daily rate limit exhausted")
	} else {
		b.WriteString("rate limited")
	}
	if e.LocationID != "" {
		b.WriteString(" for location " + e.LocationID)
	}
	if !e.RetryAt.IsZero() {
		b.WriteString("; retry at " + e.RetryAt.UTC().Format(time.RFC3339))
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying *Error, if any.
func (e *RateLimitError) Unwrap() error { return e.Err }

// Is reports ErrDailyLimit for a daily limit.
func (e *RateLimitError) Is(target error) bool { return e.Daily && target == ErrDailyLimit }

func newRateLimitError(e *Error, h http.Header, now time.Time) *RateLimitError {
	rle := &RateLimitError{Operation: e.Operation, Method: e.Method, Path: e.Path, Rate: e.Rate, Err: e}
	if e.Rate.DailyKnown() && e.Rate.DailyRemaining <= 0 {
		rle.Daily = true
	}
	if e.Rate.Known() && e.Rate.Remaining <= 0 && e.Rate.Interval > 0 {
		rle.RetryAt = now.Add(e.Rate.Interval)
	}
	if ra := h.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			if t := now.Add(time.Duration(secs) * time.Second); t.After(rle.RetryAt) {
				rle.RetryAt = t
			}
		} else if t, err := http.ParseTime(ra); err == nil && t.After(rle.RetryAt) {
			rle.RetryAt = t
		}
	}
	return rle
}

// AmbiguousError reports that a non-idempotent write (create, upsert, OAuth
// code or refresh-token exchange) failed after it may have reached GHL: a
// timeout, a broken connection or a 5xx. GHL may or may not have applied
// it, so it was not re-sent. The caller decides (look the object up, or
// rely on an idempotency record) before writing again.
type AmbiguousError struct {
	// Operation, Method and Path name the request.
	Operation, Method, Path string
	// Err is the failure: a transport error or an *Error with a 5xx status.
	Err error
}

// Error says that the outcome is unknown and why.
func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("ghl: %s %s %s: %v: %v", e.Operation, e.Method, e.Path, ErrAmbiguous, e.Err)
}

// Unwrap returns the underlying failure.
func (e *AmbiguousError) Unwrap() error { return e.Err }

// Is matches ErrAmbiguous.
func (e *AmbiguousError) Is(target error) bool { return target == ErrAmbiguous }

// annotate names the request in a limiter error.
func (e *Endpoint) annotate(info *requestInfo, err error) error {
	var rle *RateLimitError
	if errors.As(err, &rle) {
		rle.Operation, rle.Method, rle.Path = e.OperationID, e.Method, info.path
		return rle
	}
	return fmt.Errorf("ghl: %s %s %s: %w", e.OperationID, e.Method, info.path, err)
}

// scrubURLError drops the query string (which may hold an email or phone
// number) and any userinfo from the URL of a transport error.
func scrubURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	clean := &url.Error{Op: ue.Op, URL: ue.URL, Err: ue.Err}
	if u, perr := url.Parse(ue.URL); perr == nil {
		u.RawQuery, u.Fragment, u.User = "", "", nil
		clean.URL = u.String()
	} else {
		clean.URL = "(unparsable URL)"
	}
	return clean
}

// finalError turns the last failure of Do into the error it returns.
func finalError(info *requestInfo, status int, transportErr, callErr error, reason string) error {
	ep := info.endpoint
	if ambiguous(ep, status, transportErr) {
		return &AmbiguousError{Operation: ep.OperationID, Method: ep.Method, Path: info.path, Err: callErr}
	}
	if transportErr != nil {
		return fmt.Errorf("ghl: %s %s %s: %w (%s)", ep.OperationID, ep.Method, info.path, callErr, reason)
	}
	return callErr
}
