package incidentio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// Safety says what may happen when a request is sent twice.
type Safety int

// Safety levels, from safest.
const (
	// Safe requests change nothing (GET).
	Safe Safety = iota
	// Idempotent requests leave the same state however often they are
	// sent: PUT and DELETE, and POST /v3/catalog_entries with an
	// external_id, which upserts on (catalog_type_id, external_id)
	// (NOTES §1.2).
	Idempotent
	// NotIdempotent requests may create a second object when repeated
	// (an attachment, a catalog type) or fail on a stale version
	// (update_schema).
	NotIdempotent
)

// String returns "safe", "idempotent" or "non-idempotent".
func (s Safety) String() string {
	switch s {
	case Safe:
		return "safe"
	case Idempotent:
		return "idempotent"
	}
	return "non-idempotent"
}

// The retry policy lives here and only here:
//
//   - a 429 is retried for every request (incident.io refused it before
//     doing anything), after Retry-After; the limiter holds every other
//     request of the client until then too;
//   - a connection that failed before the request was written (dial, DNS)
//     is retried for every request;
//   - 5xx, timeouts and broken connections are retried only for Safe and
//     Idempotent requests; for the others Do returns an *AmbiguousError;
//   - other statuses are final.
//
// Each wait honours the context and none passes its deadline.
func shouldRetry(ctx context.Context, safety Safety, attempt, maxRetries, status int, transportErr error) (bool, string) {
	if ctx.Err() != nil {
		return false, "context done"
	}
	if attempt >= maxRetries {
		return false, fmt.Sprintf("gave up after %d attempts", attempt+1)
	}
	if transportErr != nil {
		if notSent(transportErr) {
			return true, "connection failed before the request was sent"
		}
		if safety <= Idempotent {
			return true, "network error on a " + safety.String() + " request"
		}
		return false, "network error after a " + safety.String() + " request was sent"
	}
	switch {
	case status == http.StatusTooManyRequests:
		return true, "rate limited (429)"
	case status >= 500:
		if safety <= Idempotent {
			return true, fmt.Sprintf("server error %d on a %s request", status, safety)
		}
		return false, fmt.Sprintf("server error %d on a %s request", status, safety)
	}
	return false, fmt.Sprintf("status %d is not retryable", status)
}

func ambiguous(safety Safety, status int, transportErr error) bool {
	if safety <= Idempotent {
		return false
	}
	if transportErr != nil {
		return !notSent(transportErr)
	}
	return status >= 500
}

// notSent reports whether err proves that no byte of the request reached
// the server.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
