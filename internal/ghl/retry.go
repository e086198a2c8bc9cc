package ghl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// The retry policy lives here and only here.
//
// What may be sent again depends on the endpoint's Safety (endpoints.go):
//
//   - Safe and Idempotent requests are retried after 429, 5xx and network
//     errors (including timeouts): sending them twice leaves GHL as sending
//     them once. Reads and the search POSTs (POST /contacts/search,
//     POST /locations/{id}/tasks/search) change nothing. PUT and DELETE set
//     a state. Adding tags (POST /contacts/{id}/tags) is a set union, so a
//     repeat adds nothing: it is Idempotent although it is a POST. Minting a
//     location token (POST /oauth/locationToken) consumes nothing; a repeat
//     mints another token for the same location, so it is retried too.
//
//   - NotIdempotent requests (create contact, task, note, appointment, and
//     upsert) and SingleUse ones (code exchange, refresh) are retried only
//     when GHL provably did not process them: a 429 (GHL refused it before
//     doing anything) or a connection that failed before the request was
//     written (dial and DNS errors). After a timeout, a broken connection or
//     a 5xx the request may have been applied: it is not re-sent and Do
//     returns an *AmbiguousError.
//     Upsert is treated like a create: it matches by email or phone only
//     under the location's duplicate settings, creates whenever nothing
//     matches (or createNewIfDuplicateAllowed is set on a location that
//     allows duplicates) and overwrites all tags, so a blind repeat can
//     create a second contact or undo a concurrent tag change.
//     Refresh tokens and authorization codes are single-use: a repeat after
//     GHL consumed one fails with "invalid grant" and would hide the new
//     token pair GHL may already have issued.
//
// Every wait honours the context and none passes its deadline (Do checks
// the backoff against ctx.Deadline on the client's clock).

// shouldRetry decides whether attempt (counted from 0) of a request to ep
// may be retried, given the response status (0 if none) or the transport
// error. The reason explains the decision for error messages.
func shouldRetry(ctx context.Context, ep *Endpoint, attempt, maxRetries, status int, transportErr error) (bool, string) {
	if ctx.Err() != nil {
		return false, "context done"
	}
	if attempt >= maxRetries {
		return false, fmt.Sprintf("gave up after %d attempts", attempt+1)
	}
	if transportErr != nil {
		var ce *CredentialsError
		if errors.As(transportErr, &ce) {
			return false, "credentials unavailable: the request was not sent"
		}
		if notSent(transportErr) {
			return true, "connection failed before the request was sent"
		}
		if ep.Safety <= Idempotent {
			return true, "network error on a " + ep.Safety.String() + " request"
		}
		return false, "network error after a " + ep.Safety.String() + " request was sent: outcome unknown"
	}
	switch {
	case status == http.StatusTooManyRequests:
		return true, "rate limited (429): GHL did not process the request"
	case status >= 500:
		if ep.Safety <= Idempotent {
			return true, fmt.Sprintf("server error %d on a %s request", status, ep.Safety)
		}
		return false, fmt.Sprintf("server error %d on a %s request: outcome unknown", status, ep.Safety)
	}
	return false, fmt.Sprintf("status %d is not retryable", status)
}

// ambiguous reports whether a failed request to ep may nonetheless have
// been applied by GHL, and must not be repeated blindly.
func ambiguous(ep *Endpoint, status int, transportErr error) bool {
	if ep.Safety <= Idempotent {
		return false
	}
	if transportErr != nil {
		return !notSent(transportErr)
	}
	return status >= 500
}

// notSent reports whether err proves that no byte of the request reached
// the server: the connection could not be opened, or the credentials
// could not be obtained.
func notSent(err error) bool {
	var ce *CredentialsError
	if errors.As(err, &ce) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
