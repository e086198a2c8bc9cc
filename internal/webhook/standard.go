package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Standard Webhooks header names; Svix sends the same values under svix-*.
const (
	HeaderID        = "Webhook-Id"
	HeaderTimestamp = "Webhook-Timestamp"
	HeaderSignature = "Webhook-Signature"

	headerSvixID        = "Svix-Id"
	headerSvixTimestamp = "Svix-Timestamp"
	headerSvixSignature = "Svix-Signature"
)

// DefaultWindow is the default tolerance for a Standard Webhooks timestamp.
const DefaultWindow = 5 * time.Minute

// Secret is a Standard Webhooks signing secret. It redacts itself when
// printed or logged.
type Secret []byte

// ParseSecret decodes a "whsec_<base64>" secret (the prefix is optional).
func ParseSecret(s string) (Secret, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "whsec_")
	if s == "" {
		return nil, fmt.Errorf("%w: empty signing secret", ErrBadKey)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: signing secret is not base64 after whsec_", ErrBadKey)
	}
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: signing secret shorter than 16 bytes", ErrBadKey)
	}
	return Secret(b), nil
}

// String redacts the secret.
func (Secret) String() string { return "whsec_[REDACTED]" }

// GoString redacts the secret in %#v.
func (Secret) GoString() string { return "whsec_[REDACTED]" }

// Format redacts the secret under every verb (%x and %q included).
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue redacts the secret in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON redacts the secret in JSON (configuration dumps, logs).
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// Encode returns the "whsec_<base64>" form, for writing configuration.
func (s Secret) Encode() string { return "whsec_" + base64.StdEncoding.EncodeToString(s) }

func (s Secret) sign(id, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, s)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Sign returns the signature header value "v1,<base64>" for a delivery.
func (s Secret) Sign(id string, ts time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(s.sign(id, strconv.FormatInt(ts.Unix(), 10), body))
}

// SignedHeaders returns the three Standard Webhooks headers for a delivery.
func (s Secret) SignedHeaders(id string, ts time.Time, body []byte) http.Header {
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, s.Sign(id, ts, body))
	return h
}

// StandardVerifier verifies Standard Webhooks (and Svix) deliveries. Several
// secrets may be configured during a rotation; any may match.
type StandardVerifier struct {
	Secrets []Secret
	// Window bounds the timestamp skew; DefaultWindow when zero.
	Window time.Duration
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
}

// Delivery is what a verified Standard Webhooks request identifies.
type Delivery struct {
	ID        string
	Timestamp time.Time
}

func header(h http.Header, std, svix string) string {
	if v := h.Get(std); v != "" {
		return v
	}
	return h.Get(svix)
}

// Verify checks the id, timestamp and signature headers against body, the
// exact bytes received, and returns the delivery id and time.
func (v *StandardVerifier) Verify(h http.Header, body []byte) (Delivery, error) {
	id := header(h, HeaderID, headerSvixID)
	tsRaw := header(h, HeaderTimestamp, headerSvixTimestamp)
	sigs := header(h, HeaderSignature, headerSvixSignature)
	if id == "" || tsRaw == "" || sigs == "" {
		return Delivery{}, fmt.Errorf("%w: want %s, %s and %s (or svix-*)", ErrMissingSignature, HeaderID, HeaderTimestamp, HeaderSignature)
	}
	if len(v.Secrets) == 0 {
		return Delivery{}, fmt.Errorf("%w: no signing secret configured", ErrBadKey)
	}
	sec, err := strconv.ParseInt(tsRaw, 10, 64)
	if err != nil {
		return Delivery{}, fmt.Errorf("%w: timestamp is not epoch seconds", ErrTimestamp)
	}
	ts := time.Unix(sec, 0)
	window := v.Window
	if window <= 0 {
		window = DefaultWindow
	}
	if err := inWindow(ts, now(v.Now), window); err != nil {
		return Delivery{}, err
	}
	for _, secret := range v.Secrets {
		want := secret.sign(id, tsRaw, body)
		for _, part := range strings.Fields(sigs) {
			version, sig, ok := strings.Cut(part, ",")
			if !ok || version != "v1" {
				continue
			}
			got, err := base64.StdEncoding.DecodeString(sig)
			if err != nil {
				continue
			}
			if hmac.Equal(got, want) {
				return Delivery{ID: id, Timestamp: ts}, nil
			}
		}
	}
	return Delivery{}, ErrBadSignature
}
