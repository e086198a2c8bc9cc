package tokens

import (
	"errors"
	"fmt"
	"strings"
)

// Errors a Refresher or LocationTokenMinter returns (wrapped) to classify a
// failure. Any other error is ambiguous: the refresh token may or may not
// have been consumed.
var (
	// ErrInvalidGrant: GHL rejected the refresh token (invalid, expired or
	// already used: "Invalid grant: refresh token is invalid").
	ErrInvalidGrant = errors.New("tokens: invalid grant")
	// ErrLocationInactive: GHL answered "Location is not active". The refresh
	// token was not consumed and works again once the location is active.
	ErrLocationInactive = errors.New("tokens: location is not active")
)

// Errors the package returns; classify with errors.Is.
var (
	// ErrInvalidID reports a location or company id that cannot name a secret.
	ErrInvalidID = errors.New("tokens: invalid id")
	// ErrInvalidPrefix reports an unusable secret name prefix.
	ErrInvalidPrefix = errors.New("tokens: invalid secret name prefix")
	// ErrNoSecret reports that the token secret does not exist (not installed).
	ErrNoSecret = errors.New("tokens: no token secret")
	// ErrMalformedSecret reports a secret value that is not a valid token,
	// PIT or app secret document. The value itself is never quoted.
	ErrMalformedSecret = errors.New("tokens: malformed secret")
	// ErrRenewBusy reports that another container held the renewal lease
	// for longer than the wait allowed and no fresh token appeared.
	ErrRenewBusy = errors.New("tokens: renewal in progress elsewhere")
	// ErrRefreshAmbiguous reports that the refresh call failed twice without
	// a clear answer (timeouts): the token may have been consumed. Nothing
	// was retried beyond the one retry the protocol allows in one lease hold.
	ErrRefreshAmbiguous = errors.New("tokens: refresh outcome unknown")
	// ErrReauthRequired is matched (errors.Is) by every *ReauthRequiredError.
	ErrReauthRequired = errors.New("tokens: re-authorization required")
	// ErrNotConfigured reports a missing dependency (e.g. no minter for an
	// agency install).
	ErrNotConfigured = errors.New("tokens: not configured")
)

// Error is a failure of one token operation for one location or company.
// Its message carries the operation and ids, never a token.
type Error struct {
	Op        string // e.g. "refresh", "read secret", "persist refreshed token"
	ID        string // location id, or company id when Company is set
	Company   bool
	Temporary bool // retrying later can succeed (answer 429/503)
	Err       error
}

// Error implements error.
func (e *Error) Error() string {
	kind := "location"
	if e.Company {
		kind = "company"
	}
	return fmt.Sprintf("tokens: %s %s %s: %v", e.Op, kind, e.ID, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Format prints Error() for every verb, so %#v cannot dump nested values.
func (e *Error) Format(f fmt.State, verb rune) { writeRedacted(f, verb, e.Error()) }

// ReauthRequiredError reports that the refresh token of a location (or
// company) is definitely unusable: a person must install the app again. The
// installation has been marked reauth_required (unless RecordErr says why
// not). Handlers log it once and answer 503.
type ReauthRequiredError struct {
	LocationID string // the location, or "" for a company
	CompanyID  string // set for a company install (and known minted locations)
	SecretName string
	Reason     string // e.g. "refresh token rejected (invalid_grant)"
	// RecordErr is why marking the installation failed, nil when recorded.
	RecordErr error
}

// Error implements error.
func (e *ReauthRequiredError) Error() string {
	var b strings.Builder
	b.WriteString("tokens: re-authorization required for ")
	if e.LocationID != "" {
		b.WriteString("location " + e.LocationID)
	} else {
		b.WriteString("company " + e.CompanyID)
	}
	b.WriteString(": " + e.Reason)
	if e.RecordErr != nil {
		fmt.Fprintf(&b, " (marking installation failed: %v)", e.RecordErr)
	}
	return b.String()
}

// Is matches ErrReauthRequired.
func (e *ReauthRequiredError) Is(target error) bool { return target == ErrReauthRequired }

// Unwrap returns RecordErr.
func (e *ReauthRequiredError) Unwrap() error { return e.RecordErr }

// Format prints Error() for every verb.
func (e *ReauthRequiredError) Format(f fmt.State, verb rune) { writeRedacted(f, verb, e.Error()) }

// IsTemporary reports whether err is a token failure that may pass by
// itself (lease busy, Secrets Manager or GHL unavailable, location
// inactive, ambiguous refresh): the caller should ask its sender to retry.
func IsTemporary(err error) bool {
	if errors.Is(err, ErrReauthRequired) {
		return false
	}
	var e *Error
	return errors.As(err, &e) && e.Temporary
}

// scrubbedError hides known secret values inside an error from another
// package (the GHL adapter), keeping errors.Is/As working on the cause.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string                 { return e.msg }
func (e *scrubbedError) Unwrap() error                 { return e.err }
func (e *scrubbedError) Format(f fmt.State, verb rune) { writeRedacted(f, verb, e.msg) }

// scrub returns err with every occurrence of the given secrets replaced.
func scrub(err error, secrets ...Sensitive) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secrets {
		if len(s) >= 4 {
			msg = strings.ReplaceAll(msg, string(s), redacted)
		}
	}
	return &scrubbedError{msg: msg, err: err}
}
