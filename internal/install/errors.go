package install

import (
	"errors"

	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// Errors of the install flow; classify with errors.Is. None carries a
// token, a code, a state value, a signature or a request body.
var (
	// ErrMissingCode reports an OAuth callback without a code parameter.
	ErrMissingCode = errors.New("install: the OAuth callback has no code")
	// ErrStateRequired reports a callback without state while state is
	// required (Flow.RequireState).
	ErrStateRequired = errors.New("install: the OAuth callback has no state and state is required")
	// ErrBadState reports a state that is malformed or not signed by us.
	ErrBadState = errors.New("install: OAuth state does not verify")
	// ErrStateExpired reports a state signed by us whose lifetime is over.
	ErrStateExpired = errors.New("install: OAuth state has expired")
	// ErrCodeRejected reports an authorization code GHL refused (unknown,
	// expired or already used). Nothing was stored.
	ErrCodeRejected = errors.New("install: GHL rejected the authorization code")
	// ErrSignature reports a webhook whose signature or timestamp does not
	// verify. Nothing was stored.
	ErrSignature = errors.New("install: webhook signature does not verify")
	// ErrBadPayload reports a webhook body that is not the JSON of an
	// INSTALL or UNINSTALL event (malformed JSON, no type, no or bad ids).
	ErrBadPayload = errors.New("install: malformed webhook payload")
	// ErrUnsupportedEvent reports a webhook type other than INSTALL or UNINSTALL.
	ErrUnsupportedEvent = errors.New("install: unsupported webhook event type")
	// ErrUnavailable reports that Secrets Manager or the store failed; the
	// sender should retry (GHL: 429, browser: 503).
	ErrUnavailable = errors.New("install: a dependency is unavailable")
)

// IsClientError reports whether err is the caller's fault (answer 400 or
// 401): bad state, code, signature or payload.
func IsClientError(err error) bool {
	for _, e := range []error{ErrMissingCode, ErrStateRequired, ErrBadState, ErrStateExpired, ErrCodeRejected, ErrSignature, ErrBadPayload, ErrUnsupportedEvent} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// IsTemporary reports whether err may pass by itself, so the sender should
// retry: a token operation that failed temporarily (Secrets Manager or GHL
// unavailable, renewal busy), a duplicate webhook still in progress, or a
// failure of the store or of Secrets Manager (ErrUnavailable).
func IsTemporary(err error) bool {
	var pe *idempotency.PersistenceError
	return tokens.IsTemporary(err) || errors.Is(err, idempotency.ErrInProgress) || errors.As(err, &pe) || errors.Is(err, ErrUnavailable)
}
