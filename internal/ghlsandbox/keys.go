package ghlsandbox

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"sync"
)

// RSA-4096 generation takes seconds, so one key serves every sandbox of the
// process unless Options.RSAKey injects another.
var (
	sharedRSAOnce sync.Once
	sharedRSA     *rsa.PrivateKey
	sharedRSAErr  error
)

func processRSAKey() (*rsa.PrivateKey, error) {
	sharedRSAOnce.Do(func() {
		sharedRSA, sharedRSAErr = rsa.GenerateKey(rand.Reader, 4096)
	})
	return sharedRSA, sharedRSAErr
}

// signer signs webhook bodies the way GHL does (NOTES §7.2).
type signer struct {
	ed      ed25519.PrivateKey
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
	rsaErr  error
}

func newSigner(o Options) (*signer, error) {
	sg := &signer{ed: o.Ed25519Key, rsaKey: o.RSAKey}
	if sg.ed == nil {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("ghlsandbox: ed25519 key: %w", err)
		}
		sg.ed = priv
	}
	return sg, nil
}

func (sg *signer) rsa() (*rsa.PrivateKey, error) {
	sg.rsaOnce.Do(func() {
		if sg.rsaKey == nil {
			sg.rsaKey, sg.rsaErr = processRSAKey()
		}
	})
	return sg.rsaKey, sg.rsaErr
}

// sign returns the X-GHL-Signature (Ed25519) and x-wh-signature (RSA
// SHA-256 PKCS#1 v1.5) values for body, both base64.
func (sg *signer) sign(body []byte) (ed, legacy string, err error) {
	ed = base64.StdEncoding.EncodeToString(ed25519.Sign(sg.ed, body))
	key, err := sg.rsa()
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256(body)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", "", err
	}
	return ed, base64.StdEncoding.EncodeToString(sig), nil
}

// PublicKeys are the webhook verification keys as PEM ("PUBLIC KEY", SPKI),
// the same form as the files in ghl-api/keys.
type PublicKeys struct {
	Ed25519 []byte // verifies X-GHL-Signature
	RSA     []byte // verifies x-wh-signature
}

// PublicKeysPEM returns the public halves of the webhook signing keys. The
// first call may generate the RSA key.
func (s *Sandbox) PublicKeysPEM() (PublicKeys, error) {
	sg := s.hooks.signer
	edDER, err := x509.MarshalPKIXPublicKey(sg.ed.Public())
	if err != nil {
		return PublicKeys{}, err
	}
	key, err := sg.rsa()
	if err != nil {
		return PublicKeys{}, err
	}
	rsaDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return PublicKeys{}, err
	}
	return PublicKeys{
		Ed25519: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: edDER}),
		RSA:     pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: rsaDER}),
	}, nil
}
