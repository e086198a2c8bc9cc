package install

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// StateTTL is how long a signed OAuth state stays valid: long enough to
// choose a location in the GHL marketplace, short enough that a leaked
// authorization URL soon stops working.
const StateTTL = 15 * time.Minute

// stateKeyLabel is the message under which the state key is derived from
// the app's client secret.
const stateKeyLabel = "ghlsync-oauth-state"

// maxStateLen bounds the state parameter we are willing to parse.
const maxStateLen = 512

// StateKey derives the OAuth state signing key from the app's client
// secret: HMAC-SHA256(client_secret, "ghlsync-oauth-state"). The client
// secret itself never signs anything else than what GHL expects.
func StateKey(clientSecret string) []byte {
	m := hmac.New(sha256.New, []byte(clientSecret))
	m.Write([]byte(stateKeyLabel))
	return m.Sum(nil)
}

// statePayload is the signed part of a state value.
type statePayload struct {
	Exp   int64  `json:"exp"`   // expiry, epoch seconds
	Nonce string `json:"nonce"` // 16 random bytes, base64url
}

// SignState returns a state value for an authorization URL, valid for
// StateTTL after now: base64url(JSON{exp, nonce}) "." base64url(HMAC-SHA256
// of the first part). rnd supplies the nonce (crypto/rand.Reader when nil).
func SignState(key []byte, now time.Time, rnd io.Reader) (string, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	var nonce [16]byte
	if _, err := io.ReadFull(rnd, nonce[:]); err != nil {
		return "", fmt.Errorf("install: state nonce: %w", err)
	}
	p, err := json.Marshal(statePayload{Exp: now.Add(StateTTL).Unix(), Nonce: base64.RawURLEncoding.EncodeToString(nonce[:])})
	if err != nil {
		return "", fmt.Errorf("install: encode state: %w", err)
	}
	body := base64.RawURLEncoding.EncodeToString(p)
	return body + "." + base64.RawURLEncoding.EncodeToString(mac(key, body)), nil
}

// VerifyState checks a state value made by SignState with key: the MAC
// (compared in constant time) and the expiry. It returns ErrBadState or
// ErrStateExpired; the error never quotes the value.
func VerifyState(key []byte, state string, now time.Time) error {
	if len(state) > maxStateLen {
		return fmt.Errorf("%w: state of %d bytes", ErrBadState, len(state))
	}
	body, sig, ok := strings.Cut(state, ".")
	if !ok || body == "" || sig == "" {
		return fmt.Errorf("%w: not <payload>.<signature>", ErrBadState)
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, body)) {
		return fmt.Errorf("%w: signature mismatch", ErrBadState)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return fmt.Errorf("%w: payload is not base64url", ErrBadState)
	}
	var p statePayload
	if err := json.Unmarshal(raw, &p); err != nil || p.Exp == 0 || p.Nonce == "" {
		return fmt.Errorf("%w: payload is not {exp, nonce}", ErrBadState)
	}
	exp := time.Unix(p.Exp, 0)
	switch {
	case !now.Before(exp):
		return fmt.Errorf("%w: expired %s ago", ErrStateExpired, now.Sub(exp).Round(time.Second))
	case exp.Sub(now) > StateTTL+time.Minute:
		return fmt.Errorf("%w: expiry too far in the future", ErrBadState)
	}
	return nil
}

func mac(key []byte, body string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(body))
	return m.Sum(nil)
}
