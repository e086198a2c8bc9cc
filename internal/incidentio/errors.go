package incidentio

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

var (
	// ErrInvalidArgument reports a call rejected before any request was
	// sent: an empty id, a missing required field.
	ErrInvalidArgument = errors.New("incidentio: invalid argument")

	// ErrNotFound is matched (errors.Is) by an *Error with status 404.
	ErrNotFound = errors.New("incidentio: not found")

	// ErrAmbiguous is matched (errors.Is) by an *AmbiguousError: a write
	// that is not idempotent failed after it may have reached incident.io.
	ErrAmbiguous = errors.New("incidentio: outcome unknown: the request may have been processed")
)

// Error is an incident.io error response: the documented envelope
// {type, status, request_id, errors[{code, message, source{field}}]}. Its
// message never contains the request body, the query or the API key.
type Error struct {
	// Operation is the spec's operationId, e.g. "Catalog V3#CreateEntry".
	Operation string
	// Method and Path are the request's method and escaped path (no query).
	Method, Path string
	// StatusCode is the HTTP status.
	StatusCode int
	// Type is the error type, e.g. "validation_error", "not_found".
	Type string
	// RequestID identifies the request to incident.io support.
	RequestID string
	// Errors are the individual problems.
	Errors []ErrorDetail
	// RetryAfter is how long a 429 asked to wait (Retry-After, else
	// X-RateLimit-Reset).
	RetryAfter time.Duration
	// Rate is the rate-limit state of the response headers.
	Rate Rate
}

// ErrorDetail is one entry of an error's errors[].
type ErrorDetail struct {
	Code    string       `json:"code"`
	Message string       `json:"message"`
	Source  *ErrorSource `json:"source,omitempty"`
}

// ErrorSource names the request field an ErrorDetail is about.
type ErrorSource struct {
	Field string `json:"field"`
}

// Error returns a one-line description naming the operation, method, path,
// status, type, the problems and the request id.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "incidentio: %s %s %s: %d", e.Operation, e.Method, e.Path, e.StatusCode)
	if e.Type != "" {
		b.WriteString(" " + e.Type)
	} else if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	for i, d := range e.Errors {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(d.Message)
		if d.Source != nil && d.Source.Field != "" {
			b.WriteString(" (" + d.Source.Field + ")")
		}
	}
	if e.RequestID != "" {
		b.WriteString(" (request " + e.RequestID + ")")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotFound) true for a 404.
func (e *Error) Is(target error) bool {
	return target == ErrNotFound && e.StatusCode == http.StatusNotFound
}

type errorBody struct {
	Type      string        `json:"type"`
	RequestID string        `json:"request_id"`
	Errors    []ErrorDetail `json:"errors"`
}

func newError(info *requestInfo, resp *http.Response, body []byte, now time.Time) *Error {
	e := &Error{Operation: info.endpoint.Operation, Method: info.endpoint.Method, Path: info.path, StatusCode: resp.StatusCode, Rate: ParseRate(resp.Header)}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		e.Type, e.RequestID, e.Errors = eb.Type, eb.RequestID, eb.Errors
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		e.RetryAfter = retryAfter(resp.Header, now)
	}
	return e
}

// AmbiguousError reports that a write that is not idempotent failed after
// it may have been applied (a timeout, a broken connection, a 5xx). It is
// not retried; the caller must look before writing again.
type AmbiguousError struct {
	Operation string
	Err       error
}

// Error names the operation and the underlying failure.
func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("incidentio: %s: outcome unknown: %v", e.Operation, e.Err)
}

// Unwrap returns the underlying failure.
func (e *AmbiguousError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrAmbiguous) true.
func (e *AmbiguousError) Is(target error) bool { return target == ErrAmbiguous }

// scrubURLError removes the query from a transport error's URL: queries
// carry emails (GET /v2/users?email=) and identifiers.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			u.RawQuery, u.User = "", nil
			return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
		}
	}
	return err
}
