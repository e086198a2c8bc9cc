package webhook

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
)

// The default GHL webhook public keys, as published by GHL (copies of
// ../shared/ghl-api/keys; keys_test.go fails if they drift). Public keys
// are not secrets; they are embedded so a deployed function verifies
// without extra configuration. Override them with NewGHLVerifier.
var (
	//go:embed keys/ghl-webhook-ed25519-public.pem
	defaultEd25519PEM []byte
	//go:embed keys/ghl-webhook-rsa-public.pem
	defaultRSAPEM []byte
)

// GHLKeys holds the PEM-encoded public keys GHL signs webhooks with. Either
// may be empty, but not both.
type GHLKeys struct {
	Ed25519PEM []byte // X-GHL-Signature
	RSAPEM     []byte // x-wh-signature (legacy)
}

// DefaultGHLKeys returns GHL's published public keys.
func DefaultGHLKeys() GHLKeys {
	return GHLKeys{Ed25519PEM: defaultEd25519PEM, RSAPEM: defaultRSAPEM}
}

func parsePublicKey(p []byte) (any, error) {
	block, _ := pem.Decode(p)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrBadKey)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadKey, err)
	}
	return k, nil
}

func parseEd25519(p []byte) (ed25519.PublicKey, error) {
	k, err := parsePublicKey(p)
	if err != nil {
		return nil, err
	}
	ek, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: want an Ed25519 public key, got %T", ErrBadKey, k)
	}
	return ek, nil
}

func parseRSA(p []byte) (*rsa.PublicKey, error) {
	k, err := parsePublicKey(p)
	if err != nil {
		return nil, err
	}
	rk, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: want an RSA public key, got %T", ErrBadKey, k)
	}
	if rk.N.BitLen() < 2048 {
		return nil, fmt.Errorf("%w: RSA key of %d bits is too small", ErrBadKey, rk.N.BitLen())
	}
	return rk, nil
}
