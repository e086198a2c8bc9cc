package idempotency

import (
	"errors"
	"fmt"
	"time"
)

// Errors of Run, classified with errors.Is.
var (
	// ErrInProgress reports a duplicate whose first request is still
	// running. It is safe to retry later (GHL: answer 429; peer: 409).
	// The error is an *AlreadyInProgressError.
	ErrInProgress = errors.New("idempotency: request already in progress")
	// ErrPayloadMismatch reports a duplicate key whose payload differs from
	// the payload of the first request.
	ErrPayloadMismatch = errors.New("idempotency: payload differs from the first request with this key")
	// ErrNoKey reports an empty idempotency key.
	ErrNoKey = errors.New("idempotency: empty key")
)

// AlreadyInProgressError is the error of a duplicate that arrives while the
// first request still holds the key. errors.Is(err, ErrInProgress) is true.
type AlreadyInProgressError struct {
	Scope, Key string
	// Until is when the first request's claim lapses (its deadline), or the
	// zero time when the record has none and lives until it expires.
	Until time.Time
}

// Error implements error.
func (e *AlreadyInProgressError) Error() string {
	if e.Until.IsZero() {
		return fmt.Sprintf("idempotency %s/%s: request already in progress", e.Scope, e.Key)
	}
	return fmt.Sprintf("idempotency %s/%s: request already in progress until %s", e.Scope, e.Key, e.Until.UTC().Format(time.RFC3339Nano))
}

// Is makes errors.Is(err, ErrInProgress) true.
func (e *AlreadyInProgressError) Is(target error) bool { return target == ErrInProgress }

// PersistenceError reports a failure of the store itself (not a duplicate):
// the Op ("claim", "read", "complete", "delete") that failed and the record.
// Unwrap gives the store's error.
type PersistenceError struct {
	Op, Scope, Key string
	Err            error
}

// Error implements error.
func (e *PersistenceError) Error() string {
	return fmt.Sprintf("idempotency %s %s/%s: %v", e.Op, e.Scope, e.Key, e.Err)
}

// Unwrap returns the store's error.
func (e *PersistenceError) Unwrap() error { return e.Err }

// KeepError is the error of a function whose failure must outlive it:
// returned by (or wrapped in the error of) the function given to Run, it
// makes Run complete the record with Result instead of deleting it, and
// return Err. The next call with the key gets Result with replayed = true
// until the record expires, and decides from it what to do; no second run
// of the key is possible meanwhile. crmsync uses it to remember a GHL
// create whose outcome is unknown.
type KeepError struct {
	Result []byte
	Err    error
}

// Error implements error.
func (e *KeepError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *KeepError) Unwrap() error { return e.Err }
