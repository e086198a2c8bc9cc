package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/apigw"
	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlauth"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/tokens"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

const (
	prefix        = "ghlsync/test"
	deletionDays  = 9
	eventsDir     = "../../events/app-install"
	testKeysDir   = "../../events/testkeys"
	fixtureTime   = "2026-01-15T10:00:00.000Z"
	fixtureLoc    = "LocSampleInstall0001"
	fixtureAgency = "CmpSampleAgency00001"
)

// testKey is the test-only Ed25519 key of events/testkeys.
func testKey(t *testing.T) (ed25519.PrivateKey, []byte) {
	t.Helper()
	priv, err := os.ReadFile(filepath.Join(testKeysDir, "ghl-webhook-ed25519-TEST-ONLY-private.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := os.ReadFile(filepath.Join(testKeysDir, "ghl-webhook-ed25519-TEST-ONLY-public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(priv)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(ed25519.PrivateKey), pub
}

// env is one app-install function wired to a GHL sandbox, a Secrets
// Manager double and a store, served over HTTP like API Gateway would.
type env struct {
	sb      *ghlsandbox.Sandbox
	ghlURL  string
	secrets *secretstest.Server
	st      store.Store
	flow    *install.Flow
	h       *Handler
	url     string // base URL of the function
	priv    ed25519.PrivateKey
	logs    *lockedWriter
}

type envOptions struct {
	dynamo bool
	// ghl wraps the sandbox handler (to decorate GHL answers).
	ghl func(http.Handler) http.Handler
	// verifierNow pins the webhook verifier's clock.
	verifierNow  func() time.Time
	requireState bool
	// noAppWebhooks leaves the sandbox's app webhook URL unset.
	noAppWebhooks bool
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	priv, pub := testKey(t)
	sb, err := ghlsandbox.New(ghlsandbox.Options{Ed25519Key: priv, RateLimit: ghlsandbox.RateLimitOptions{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	var gh http.Handler = sb
	if o.ghl != nil {
		gh = o.ghl(sb)
	}
	ghlSrv := httptest.NewServer(gh)
	t.Cleanup(ghlSrv.Close)

	var st store.Store = memstore.New()
	if o.dynamo {
		client := dynamotest.Client(t)
		table := dynamotest.TableName(t)
		if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
			t.Fatal(err)
		}
		st = dynamostore.New(client, table)
	}
	secrets := secretstest.Start(t)
	sm := secrets.Client()
	app := sb.App()
	creds := ghl.ClientCredentials{ClientID: app.ClientID, ClientSecret: app.ClientSecret}
	gc, err := ghl.NewClient(ghlSrv.Client(), ghl.WithBaseURL(ghlSrv.URL), ghl.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	provider, err := tokens.New(tokens.Config{
		Secrets: sm, Leases: st, Installations: st, SecretPrefix: prefix,
		Refresher: &ghlauth.Refresher{OAuth: gc.OAuth, App: creds},
		Minter:    &ghlauth.Minter{HTTP: ghlSrv.Client(), Options: []ghl.Option{ghl.WithBaseURL(ghlSrv.URL), ghl.WithMaxRetries(0)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := webhook.NewGHLVerifier(webhook.GHLKeys{Ed25519PEM: pub})
	if err != nil {
		t.Fatal(err)
	}
	verifier.Window, verifier.Now = 5*time.Minute, o.verifierNow
	flow := &install.Flow{
		OAuth: gc.OAuth, App: creds, RequireState: o.requireState, Tokens: provider, Installations: st, Secrets: sm,
		SecretPrefix: prefix, DeletionWindowDays: deletionDays, Verifier: verifier, Runner: idempotency.New(st),
	}
	logs := &lockedWriter{w: &bytes.Buffer{}}
	h := &Handler{Flow: flow, Logger: slog.New(slog.NewJSONHandler(logs, nil))}
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := apigw.FromHTTP(r, r.Method+" "+r.URL.Path, nil, apigw.MaxBodyBytes)
		if err != nil {
			apigw.WriteHTTP(w, apigw.Error(http.StatusRequestEntityTooLarge, "body_too_large", err.Error()))
			return
		}
		resp, err := h.Handle(r.Context(), ev)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		apigw.WriteHTTP(w, resp)
	}))
	t.Cleanup(fn.Close)
	if !o.noAppWebhooks {
		sb.SetWebhookURL(ghlsandbox.DomainApp, fn.URL+"/ghl/webhooks/app")
	}
	return &env{sb: sb, ghlURL: ghlSrv.URL, secrets: secrets, st: st, flow: flow, h: h, url: fn.URL, priv: priv, logs: logs}
}

// lockedWriter serialises log writes from concurrent requests.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// String returns what was logged.
func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.(*bytes.Buffer).String()
}

// response is what a test reads back from the function.
type response struct {
	Status int
	Body   string
}

func (e *env) get(t *testing.T, pathAndQuery string) response {
	t.Helper()
	resp, err := http.Get(e.url + pathAndQuery)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

// post sends body to the app webhook route; sign adds X-GHL-Signature made
// with the test key.
func (e *env) post(t *testing.T, body []byte, sign bool) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/ghl/webhooks/app", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if sign {
		req.Header.Set(webhook.HeaderGHLSignature, signBody(e.priv, body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) response {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Body: string(b)}
}

func signBody(priv ed25519.PrivateKey, body []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(priv, body))
}

// writes counts the secret writes the double received.
func (e *env) writes() int {
	return e.secrets.Calls(secretstest.OpCreateSecret) + e.secrets.Calls(secretstest.OpPutSecretValue) + e.secrets.Calls(secretstest.OpRestoreSecret)
}

// secretString reads a secret through the double, "" when it is absent or
// scheduled for deletion.
func (e *env) secretString(t *testing.T, name string) string {
	t.Helper()
	out, err := e.secrets.Client().GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT")})
	if err != nil {
		return ""
	}
	return aws.ToString(out.SecretString)
}

// installations lists the registry.
func (e *env) installations(t *testing.T) []store.Installation {
	t.Helper()
	all, err := e.st.ListInstallations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return all
}

func (e *env) flush(t *testing.T) {
	t.Helper()
	if err := e.sb.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// loadEvent reads a sample event of events/app-install.
func loadEvent(t *testing.T, name string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(eventsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

func locationSecret(loc string) string { return prefix + "/locations/" + loc }
func companySecret(co string) string   { return prefix + "/companies/" + co }

// postSigned posts body with the given X-GHL-Signature value.
func (e *env) postSigned(t *testing.T, body []byte, sig string) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/ghl/webhooks/app", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.HeaderGHLSignature, sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}
