package webhook

import "errors"

// Errors returned by the verifiers; classify with errors.Is. None of them
// carries a signature, secret or body.
var (
	// ErrMissingSignature reports a delivery without the expected signature headers.
	ErrMissingSignature = errors.New("webhook: missing signature")
	// ErrBadSignature reports a signature that does not verify.
	ErrBadSignature = errors.New("webhook: signature does not verify")
	// ErrTimestamp reports a missing, malformed or out-of-window timestamp (replay).
	ErrTimestamp = errors.New("webhook: timestamp outside the accepted window")
	// ErrBadKey reports an unusable key or secret in the configuration.
	ErrBadKey = errors.New("webhook: bad key")
)
