package install

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestState(t *testing.T) {
	t.Parallel()
	key := StateKey("client-secret")
	now := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	good, err := SignState(key, now, bytes.NewReader(make([]byte, 16)))
	if err != nil {
		t.Fatal(err)
	}
	body, sig, _ := strings.Cut(good, ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"exp":9999999999,"nonce":"AAAAAAAAAAAAAAAAAAAAAA"}`))
	tests := []struct {
		name  string
		key   []byte
		state string
		at    time.Time
		want  error
	}{
		{"fresh", key, good, now, nil},
		{"just before expiry", key, good, now.Add(StateTTL - time.Second), nil},
		{"expired", key, good, now.Add(StateTTL), ErrStateExpired},
		{"other client secret", StateKey("other"), good, now, ErrBadState},
		{"payload swapped", key, forged + "." + sig, now, ErrBadState},
		{"signature cut", key, body + "." + sig[:10], now, ErrBadState},
		{"no dot", key, body, now, ErrBadState},
		{"empty parts", key, ".", now, ErrBadState},
		{"not base64", key, "%%%.%%%", now, ErrBadState},
		{"too long", key, strings.Repeat("a", maxStateLen+1), now, ErrBadState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := VerifyState(tt.key, tt.state, tt.at)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("VerifyState = %v, want %v", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), sig) {
				t.Error("the error quotes the signature")
			}
		})
	}
	// A state whose expiry is far beyond the TTL was not made by SignState.
	far, err := SignState(key, now.Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := VerifyState(key, far, now); !errors.Is(err, ErrBadState) {
		t.Errorf("far-future state: %v", err)
	}
	// Nonces differ between states.
	a, _ := SignState(key, now, nil)
	b, _ := SignState(key, now, nil)
	if a == b {
		t.Error("two states are equal")
	}
}
