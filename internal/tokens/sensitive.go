package tokens

import (
	"fmt"
	"log/slog"
	"strconv"
)

// redacted replaces a secret in every printed form.
const redacted = "[REDACTED]"

// Sensitive is a secret string (access token, refresh token, private
// integration token, client secret). It prints, logs and marshals to JSON as
// "[REDACTED]" (or "" when empty), at any depth inside other values; only
// Reveal returns the value.
type Sensitive string

// Reveal returns the secret value. Call it only where the value is sent.
func (s Sensitive) Reveal() string { return string(s) }

// String returns "[REDACTED]", or "" for an empty value.
func (s Sensitive) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString returns the redacted form for %#v.
func (s Sensitive) GoString() string { return strconv.Quote(s.String()) }

// Format writes the redacted form for every verb.
func (s Sensitive) Format(f fmt.State, verb rune) { writeRedacted(f, verb, s.String()) }

// LogValue implements slog.LogValuer with the redacted form.
func (s Sensitive) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes the redacted form: secrets never reach JSON by accident.
// The secret store encodes its own wire format.
func (s Sensitive) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }

// MarshalText writes the redacted form.
func (s Sensitive) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// writeRedacted prints an already-safe representation for any verb.
func writeRedacted(f fmt.State, verb rune, safe string) {
	switch verb {
	case 'q':
		fmt.Fprint(f, strconv.Quote(safe))
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, strconv.Quote(safe))
			return
		}
		fmt.Fprint(f, safe)
	default:
		fmt.Fprint(f, safe)
	}
}
