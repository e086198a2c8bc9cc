package webhook

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// GHL signature header names.
const (
	HeaderGHLSignature = "X-GHL-Signature" // Ed25519, base64
	HeaderWHSignature  = "X-Wh-Signature"  // legacy RSA-SHA256 PKCS#1 v1.5, base64
)

// GHLVerifier verifies GHL webhook deliveries. It is safe for concurrent use.
type GHLVerifier struct {
	ed  ed25519.PublicKey
	rsa *rsa.PublicKey
	// Window bounds how far the body's "timestamp" may be from now; zero
	// disables the check. GHL redelivers a 429-answered event about ten
	// minutes later with the body it first signed, so callers that answer
	// 429 must allow for the redelivery schedule.
	Window time.Duration
	// Now returns the current time (time.Now when nil).
	Now func() time.Time
}

// NewGHLVerifier parses keys. At least one key must be given.
func NewGHLVerifier(keys GHLKeys) (*GHLVerifier, error) {
	v := &GHLVerifier{}
	var err error
	if len(keys.Ed25519PEM) > 0 {
		if v.ed, err = parseEd25519(keys.Ed25519PEM); err != nil {
			return nil, fmt.Errorf("ed25519 key: %w", err)
		}
	}
	if len(keys.RSAPEM) > 0 {
		if v.rsa, err = parseRSA(keys.RSAPEM); err != nil {
			return nil, fmt.Errorf("rsa key: %w", err)
		}
	}
	if v.ed == nil && v.rsa == nil {
		return nil, fmt.Errorf("%w: no GHL public key configured", ErrBadKey)
	}
	return v, nil
}

// Verify checks the signature of body, the exact bytes received. When
// X-GHL-Signature is present it alone decides (as GHL's own SDKs do: no
// fallback to the weaker legacy header); otherwise x-wh-signature is
// checked with the RSA key. Then the body's timestamp is checked against
// Window.
func (v *GHLVerifier) Verify(h http.Header, body []byte) error {
	if sig := strings.TrimSpace(h.Get(HeaderGHLSignature)); sig != "" {
		if v.ed == nil {
			return fmt.Errorf("%w: %s present but no Ed25519 key configured", ErrBadSignature, HeaderGHLSignature)
		}
		raw, err := base64.StdEncoding.DecodeString(sig)
		if err != nil || len(raw) != ed25519.SignatureSize || !ed25519.Verify(v.ed, body, raw) {
			return fmt.Errorf("%w (%s)", ErrBadSignature, HeaderGHLSignature)
		}
		return v.checkTimestamp(body)
	}
	if sig := strings.TrimSpace(h.Get(HeaderWHSignature)); sig != "" {
		if v.rsa == nil {
			return fmt.Errorf("%w: %s present but no RSA key configured", ErrBadSignature, HeaderWHSignature)
		}
		raw, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			return fmt.Errorf("%w (%s)", ErrBadSignature, HeaderWHSignature)
		}
		sum := sha256.Sum256(body)
		if rsa.VerifyPKCS1v15(v.rsa, crypto.SHA256, sum[:], raw) != nil {
			return fmt.Errorf("%w (%s)", ErrBadSignature, HeaderWHSignature)
		}
		return v.checkTimestamp(body)
	}
	return fmt.Errorf("%w: neither %s nor %s", ErrMissingSignature, HeaderGHLSignature, HeaderWHSignature)
}

func (v *GHLVerifier) checkTimestamp(body []byte) error {
	if v.Window <= 0 {
		return nil
	}
	var env struct {
		Timestamp string `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Timestamp == "" {
		return fmt.Errorf("%w: body has no timestamp", ErrTimestamp)
	}
	ts, err := time.Parse(time.RFC3339Nano, env.Timestamp)
	if err != nil {
		return fmt.Errorf("%w: unparsable timestamp", ErrTimestamp)
	}
	return inWindow(ts, now(v.Now), v.Window)
}

func now(f func() time.Time) time.Time {
	if f == nil {
		return time.Now()
	}
	return f()
}

func inWindow(ts, now time.Time, window time.Duration) error {
	d := now.Sub(ts)
	if d > window || d < -window {
		return fmt.Errorf("%w (off by %s)", ErrTimestamp, d.Round(time.Second))
	}
	return nil
}
