package webhook_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlspec"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// sharedExamples returns the bodies of GHL's published webhook examples.
func sharedExamples(f *testing.F) [][]byte {
	f.Helper()
	dir, err := ghlspec.WebhooksDir()
	if err != nil {
		f.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.example*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no webhook examples in %s: %v", dir, err)
	}
	var out [][]byte
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func publicPEM(f *testing.F, pub ed25519.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		f.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// fuzzKey is a fixed Ed25519 key: the fuzzer never sees its private half.
var fuzzKey = ed25519.NewKeyFromSeed([]byte("ghlsync-fuzz-ed25519-seed-32byte"))

// FuzzGHLVerify: no input panics the verifier, and none verifies unless
// it is a body the key signed (an accepted forgery fails the target).
func FuzzGHLVerify(f *testing.F) {
	pub := fuzzKey.Public().(ed25519.PublicKey)
	signed := map[[32]byte]bool{}
	for _, body := range sharedExamples(f) {
		sig := base64.StdEncoding.EncodeToString(ed25519.Sign(fuzzKey, body))
		signed[sha256.Sum256(body)] = true
		f.Add(body, sig)                                  // genuine
		f.Add(append([]byte(" "), body...), sig)          // leading byte
		f.Add(body, sig[:len(sig)-4])                     // truncated
		f.Add(body, sig+","+sig)                          // duplicate header, joined
		f.Add(body, strings.Repeat("A", 1<<12))           // oversized
		f.Add(body, " "+sig+" ")                          // padded
		f.Add([]byte(strings.ToUpper(string(body))), sig) // tampered
	}
	v, err := webhook.NewGHLVerifier(webhook.GHLKeys{Ed25519PEM: publicPEM(f, pub)})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		h := http.Header{}
		h.Set(webhook.HeaderGHLSignature, sig)
		err := v.Verify(h, body)
		if err == nil && !signed[sha256.Sum256(body)] {
			t.Fatalf("accepted a body the key never signed (sig %q)", sig)
		}
		if err != nil && strings.Contains(err.Error(), strings.TrimSpace(sig)) && len(strings.TrimSpace(sig)) > 8 {
			t.Fatalf("error %q quotes the signature", err)
		}
	})
}

// FuzzStandardVerify: no input panics the Standard Webhooks verifier, and
// none verifies unless its (id, timestamp, body) is one the secret signed.
func FuzzStandardVerify(f *testing.F) {
	secret, err := webhook.ParseSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte("ghlsync-fuzz-standard-secret-32b")))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ts := strconv.FormatInt(now.Unix(), 10)
	signed := map[[32]byte]bool{}
	key := func(id, ts string, body []byte) [32]byte {
		return sha256.Sum256([]byte(id + "\x00" + ts + "\x00" + string(body)))
	}
	for i, body := range sharedExamples(f) {
		id := "msg_" + strconv.Itoa(i)
		sig := secret.Sign(id, now, body)
		signed[key(id, ts, body)] = true
		f.Add(id, ts, sig, body)
		f.Add(id, ts, "v1,bad "+sig, body)                        // several signatures
		f.Add(id, ts, sig+","+sig, body)                          // duplicate header, joined
		f.Add(id+"x", ts, sig, body)                              // replayed under another id
		f.Add(id, strconv.FormatInt(now.Unix()-1, 10), sig, body) // moved timestamp
		f.Add(id, ts, "v2,"+sig[3:], body)                        // unknown version
	}
	v := &webhook.StandardVerifier{Secrets: []webhook.Secret{secret}, Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, id, tsRaw, sig string, body []byte) {
		h := http.Header{}
		h.Set(webhook.HeaderID, id)
		h.Set(webhook.HeaderTimestamp, tsRaw)
		h.Set(webhook.HeaderSignature, sig)
		d, err := v.Verify(h, body)
		if err != nil {
			return
		}
		// The verifier reads headers through http.Header.Get, as received.
		if !signed[key(h.Get(webhook.HeaderID), h.Get(webhook.HeaderTimestamp), body)] {
			t.Fatalf("accepted an unsigned delivery id=%q ts=%q", id, tsRaw)
		}
		if d.ID != h.Get(webhook.HeaderID) {
			t.Fatalf("delivery id %q, header %q", d.ID, id)
		}
	})
}
