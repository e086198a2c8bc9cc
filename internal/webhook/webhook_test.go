package webhook

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlspec"
)

func TestDefaultKeysMatchShared(t *testing.T) {
	t.Parallel()
	dir, err := ghlspec.SharedDir()
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{
		"ghl-webhook-ed25519-public.pem": defaultEd25519PEM,
		"ghl-webhook-rsa-public.pem":     defaultRSAPEM,
	} {
		want, err := os.ReadFile(filepath.Join(dir, "ghl-api", "keys", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("embedded %s differs from the shared copy", name)
		}
	}
	v, err := NewGHLVerifier(DefaultGHLKeys())
	if err != nil {
		t.Fatalf("default keys do not parse: %v", err)
	}
	if v.ed == nil || v.rsa == nil || v.rsa.N.BitLen() != 4096 {
		t.Errorf("default keys: ed25519 %v, rsa bits %d; want both, RSA 4096", v.ed != nil, v.rsa.N.BitLen())
	}
}

type ghlKeys struct {
	edPriv  ed25519.PrivateKey
	rsaPriv *rsa.PrivateKey
	pub     GHLKeys
}

var (
	testKeysOnce sync.Once
	testKeys     [2]ghlKeys
)

func pemOf(t *testing.T, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// keys returns two independent GHL key pairs (RSA 2048 keeps tests fast).
func keys(t *testing.T) [2]ghlKeys {
	testKeysOnce.Do(func() {
		for i := range testKeys {
			edPub, edPriv, _ := ed25519.GenerateKey(rand.Reader)
			rk, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			testKeys[i] = ghlKeys{edPriv: edPriv, rsaPriv: rk, pub: GHLKeys{Ed25519PEM: pemOf(t, edPub), RSAPEM: pemOf(t, &rk.PublicKey)}}
		}
	})
	return testKeys
}

func edSig(k ghlKeys, body []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(k.edPriv, body))
}

func rsaSig(t *testing.T, k ghlKeys, body []byte) string {
	sum := sha256.Sum256(body)
	s, err := rsa.SignPKCS1v15(rand.Reader, k.rsaPriv, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(s)
}

func TestGHLVerify(t *testing.T) {
	t.Parallel()
	ks := keys(t)
	good, other := ks[0], ks[1]
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	body := []byte(`{"type":"ContactCreate","locationId":"loc1","id":"c1","webhookId":"w1","timestamp":"2026-11-22T12:00:00.000Z"}`)
	old := []byte(`{"type":"ContactCreate","webhookId":"w1","timestamp":"2026-11-22T10:00:00.000Z"}`)
	tampered := bytes.Replace(body, []byte("c1"), []byte("c2"), 1)
	tests := []struct {
		name    string
		header  map[string]string
		body    []byte
		wantErr error
	}{
		{name: "ed25519 ok", header: map[string]string{HeaderGHLSignature: edSig(good, body)}, body: body},
		{name: "rsa ok", header: map[string]string{"x-wh-signature": rsaSig(t, good, body)}, body: body},
		{name: "both ok", header: map[string]string{HeaderGHLSignature: edSig(good, body), "x-wh-signature": rsaSig(t, good, body)}, body: body},
		{name: "ed25519 tampered body", header: map[string]string{HeaderGHLSignature: edSig(good, body)}, body: tampered, wantErr: ErrBadSignature},
		{name: "rsa tampered body", header: map[string]string{"x-wh-signature": rsaSig(t, good, body)}, body: tampered, wantErr: ErrBadSignature},
		{name: "ed25519 wrong key", header: map[string]string{HeaderGHLSignature: edSig(other, body)}, body: body, wantErr: ErrBadSignature},
		{name: "rsa wrong key", header: map[string]string{"x-wh-signature": rsaSig(t, other, body)}, body: body, wantErr: ErrBadSignature},
		{name: "bad ed25519 never falls back to rsa", header: map[string]string{HeaderGHLSignature: edSig(other, body), "x-wh-signature": rsaSig(t, good, body)}, body: body, wantErr: ErrBadSignature},
		{name: "truncated ed25519", header: map[string]string{HeaderGHLSignature: edSig(good, body)[:40]}, body: body, wantErr: ErrBadSignature},
		{name: "not base64", header: map[string]string{HeaderGHLSignature: "!!!"}, body: body, wantErr: ErrBadSignature},
		{name: "missing", body: body, wantErr: ErrMissingSignature},
		{name: "replay outside window", header: map[string]string{HeaderGHLSignature: edSig(good, old)}, body: old, wantErr: ErrTimestamp},
	}
	v, err := NewGHLVerifier(good.pub)
	if err != nil {
		t.Fatal(err)
	}
	v.Window = 5 * time.Minute
	v.Now = func() time.Time { return now }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, val := range tt.header {
				h.Set(k, val)
			}
			err := v.Verify(h, tt.body)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				for _, val := range tt.header {
					if strings.Contains(err.Error(), val) {
						t.Errorf("error %q leaks a signature", err)
					}
				}
			}
		})
	}
}

func TestNewGHLVerifierBadKeys(t *testing.T) {
	t.Parallel()
	ks := keys(t)
	for name, k := range map[string]GHLKeys{
		"none":           {},
		"garbage":        {Ed25519PEM: []byte("not pem")},
		"rsa as ed25519": {Ed25519PEM: ks[0].pub.RSAPEM},
		"ed25519 as rsa": {RSAPEM: ks[0].pub.Ed25519PEM},
	} {
		if _, err := NewGHLVerifier(k); !errors.Is(err, ErrBadKey) {
			t.Errorf("%s: err = %v, want ErrBadKey", name, err)
		}
	}
}

// The known-answer vector published with the Standard Webhooks specification.
func TestStandardKnownAnswer(t *testing.T) {
	t.Parallel()
	s, err := ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := s.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestStandardVerify(t *testing.T) {
	t.Parallel()
	secret, _ := ParseSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	rotated, _ := ParseSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte("fedcba9876543210fedcba9876543210")))
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"type":"contact.upserted","data":{"id":"p1"}}`)
	sig := secret.Sign("msg_1", now, body)
	ts := fmt.Sprint(now.Unix())
	tests := []struct {
		name    string
		header  map[string]string
		body    []byte
		secrets []Secret
		wantErr error
	}{
		{name: "ok", header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": ts, "webhook-signature": sig}},
		{name: "svix headers", header: map[string]string{"svix-id": "msg_1", "svix-timestamp": ts, "svix-signature": sig}},
		{name: "several signatures one good", header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": ts, "webhook-signature": "v1,AAAA " + rotated.Sign("msg_1", now, body) + " " + sig}},
		{name: "rotation: second secret", secrets: []Secret{rotated, secret}, header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": ts, "webhook-signature": sig}},
		{name: "tampered body", body: []byte(`{"type":"contact.upserted","data":{"id":"p2"}}`), header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": ts, "webhook-signature": sig}, wantErr: ErrBadSignature},
		{name: "other id", header: map[string]string{"webhook-id": "msg_2", "webhook-timestamp": ts, "webhook-signature": sig}, wantErr: ErrBadSignature},
		{name: "wrong secret", secrets: []Secret{rotated}, header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": ts, "webhook-signature": sig}, wantErr: ErrBadSignature},
		{name: "v2 prefix ignored", header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": ts, "webhook-signature": "v2," + strings.TrimPrefix(sig, "v1,")}, wantErr: ErrBadSignature},
		{name: "truncated", header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": ts, "webhook-signature": sig[:20]}, wantErr: ErrBadSignature},
		{name: "missing signature", header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": ts}, wantErr: ErrMissingSignature},
		{name: "old timestamp", header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": fmt.Sprint(now.Unix() - 301), "webhook-signature": secret.Sign("msg_1", now.Add(-301*time.Second), body)}, wantErr: ErrTimestamp},
		{name: "future timestamp", header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": fmt.Sprint(now.Unix() + 301), "webhook-signature": secret.Sign("msg_1", now.Add(301*time.Second), body)}, wantErr: ErrTimestamp},
		{name: "timestamp not a number", header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": "yesterday", "webhook-signature": sig}, wantErr: ErrTimestamp},
		{name: "no secrets configured", secrets: []Secret{}, header: map[string]string{"webhook-id": "msg_1", "webhook-timestamp": ts, "webhook-signature": sig}, wantErr: ErrBadKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			secrets := tt.secrets
			if secrets == nil {
				secrets = []Secret{secret}
			}
			v := &StandardVerifier{Secrets: secrets, Now: func() time.Time { return now }}
			h := http.Header{}
			for k, val := range tt.header {
				h.Set(k, val)
			}
			b := tt.body
			if b == nil {
				b = body
			}
			d, err := v.Verify(h, b)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (d.ID != "msg_1" || !d.Timestamp.Equal(now)) {
				t.Errorf("delivery = %+v", d)
			}
			if err != nil && strings.Contains(err.Error(), strings.TrimPrefix(sig, "v1,")) {
				t.Errorf("error leaks the signature: %v", err)
			}
		})
	}
}

func TestSecretRedacts(t *testing.T) {
	t.Parallel()
	raw := "0123456789abcdef0123456789abcdef"
	s, _ := ParseSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte(raw)))
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("cfg", "secret", s, "wrapped", struct{ S Secret }{s})
	js, _ := json.Marshal(struct{ S Secret }{s})
	for _, out := range []string{logged.String(), string(js)} {
		if strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(raw))) || strings.Contains(out, raw) {
			t.Errorf("JSON or slog output carries the secret: %s", out)
		}
	}
	for _, f := range []string{"%v", "%s", "%+v", "%#v", "%x", "%q"} {
		out := fmt.Sprintf(f, s)
		if strings.Contains(out, raw) || strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(raw))) {
			t.Errorf("%s prints the secret: %s", f, out)
		}
	}
	for _, bad := range []string{"", "whsec_", "whsec_!!!", "whsec_" + base64.StdEncoding.EncodeToString([]byte("short"))} {
		if _, err := ParseSecret(bad); !errors.Is(err, ErrBadKey) {
			t.Errorf("ParseSecret(%q) = %v, want ErrBadKey", bad, err)
		}
	}
}
