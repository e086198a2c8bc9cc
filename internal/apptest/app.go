package apptest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/syncapp"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Window is the GHL webhook timestamp window of the app (the deployed
// default).
const Window = 5 * time.Minute

// Options configure an App.
type Options struct {
	// Dynamo puts the store on DynamoDB Local (a table of its own) behind
	// a CountingDynamo; otherwise memstore.
	Dynamo bool
	// Logger receives the handler's request log lines (none when nil).
	Logger *slog.Logger
	// EchoSettle is crmsync.Options.EchoSettle; zero means disabled
	// (negative), so that timings measure work rather than the pause.
	EchoSettle time.Duration
	// Seed seeds the sandbox; SeedContacts > 0 seeds that many contacts
	// (without tasks, notes, appointments or businesses) in Location.
	Seed         uint64
	SeedContacts int
	// AccessTokenTTL is the sandbox's OAuth access-token lifetime (its
	// default when zero); shorter than the token provider's refresh
	// margin, every use of an OAuth token refreshes it.
	AccessTokenTTL time.Duration
	// RateLimit, when set, is the sandbox's rate limit (by default the
	// limit is too high to reach).
	RateLimit *ghlsandbox.RateLimitOptions
}

// Store is the store the flows use.
type Store interface {
	crmsync.Links
	idempotency.Store
}

// App is the sync flows behind the functions' routes with their
// dependencies.
type App struct {
	Sandbox  *ghlsandbox.Sandbox
	Location ghlsandbox.LocationInfo
	// GHLURL is the sandbox's base URL; Token the location's Private
	// Integration Token the app uses.
	GHLURL, Token string
	// PeerSecret signs deliveries both ways; PullKey authorises the pull
	// API. Both are random per App.
	PeerSecret webhook.Secret
	PullKey    string
	Peer       *Peer
	PeerURL    string
	Store      Store
	// Dynamo is the metered DynamoDB client (nil on memstore) and Table
	// its table.
	Dynamo  *CountingDynamo
	Table   string
	Meter   *Meter
	Syncer  *crmsync.Syncer
	Handler *syncapp.Handler

	edPriv     ed25519.PrivateKey
	capture    *capture
	captureURL string
	captured   sync.Mutex // one CaptureGHL at a time
}

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// RSAKey is one 2048-bit key shared by every sandbox of the process (the
// sandbox's default 4096-bit key takes seconds to generate).
func RSAKey() *rsa.PrivateKey {
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return rsaKey
}

// New starts an App; everything it starts stops with tb's cleanup.
func New(tb testing.TB, o Options) *App {
	tb.Helper()
	a := &App{Meter: &Meter{}, capture: &capture{}}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	a.edPriv = priv
	// Not Disabled: a disabled limiter still counts down
	// X-RateLimit-Remaining, and the client would pace itself to it.
	limit := ghlsandbox.RateLimitOptions{Burst: 1 << 30, Daily: 1 << 30}
	if o.RateLimit != nil {
		limit = *o.RateLimit
	}
	a.Sandbox, err = ghlsandbox.New(ghlsandbox.Options{Seed: o.Seed, Ed25519Key: priv, RSAKey: RSAKey(), AccessTokenTTL: o.AccessTokenTTL,
		RateLimit: limit,
		Webhooks:  ghlsandbox.WebhookOptions{RetryInterval: 30 * time.Millisecond, RetryJitter: -1}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(a.Sandbox.Close)
	if o.SeedContacts > 0 {
		locs, err := a.Sandbox.Seed(ghlsandbox.SeedOptions{Seed: o.Seed, ContactsPerLocation: o.SeedContacts,
			TasksPerContact: -1, NotesPerContact: -1, AppointmentsPerContact: -1, BusinessesPerLocation: -1})
		if err != nil {
			tb.Fatal(err)
		}
		a.Location = locs[0]
	} else if a.Location, err = a.Sandbox.AddLocation(ghlsandbox.LocationOptions{}); err != nil {
		tb.Fatal(err)
	}
	if a.Token, err = a.Sandbox.IssuePrivateToken(a.Location.ID); err != nil {
		tb.Fatal(err)
	}
	ghlSrv := httptest.NewServer(a.Sandbox)
	tb.Cleanup(ghlSrv.Close)
	a.GHLURL = ghlSrv.URL
	capSrv := httptest.NewServer(a.capture)
	tb.Cleanup(capSrv.Close)
	a.captureURL = capSrv.URL
	a.SetGHLWebhooks(true)

	secret := make([]byte, 32)
	pull := make([]byte, 24)
	_, _ = rand.Read(secret)
	_, _ = rand.Read(pull)
	a.PeerSecret = webhook.Secret(secret)
	a.PullKey = "pull-" + base64.RawURLEncoding.EncodeToString(pull)
	a.Peer = newPeer(a.PeerSecret)
	peerSrv := httptest.NewServer(a.Peer)
	tb.Cleanup(peerSrv.Close)
	a.PeerURL = peerSrv.URL

	if o.Dynamo {
		shared := dynamotest.Client(tb)
		a.Table = dynamotest.TableName(tb)
		if err := dynamostore.CreateTable(context.Background(), shared, a.Table); err != nil {
			tb.Fatal(err)
		}
		// The same endpoint and credentials, the store's client options,
		// and the waits metered on the HTTP client below the SDK.
		client := dynamodb.New(shared.Options(), dynamostore.ClientOptions, func(o *dynamodb.Options) {
			o.HTTPClient = waitClient{base: o.HTTPClient, ns: &a.Meter.dynamoNS}
		})
		a.Dynamo = &CountingDynamo{API: client, m: a.Meter}
		a.Store = dynamostore.New(a.Dynamo, a.Table)
	} else {
		a.Store = memstore.New()
	}

	keys, err := a.Sandbox.PublicKeysPEM()
	if err != nil {
		tb.Fatal(err)
	}
	verifier, err := webhook.NewGHLVerifier(webhook.GHLKeys{Ed25519PEM: keys.Ed25519, RSAPEM: keys.RSA})
	if err != nil {
		tb.Fatal(err)
	}
	verifier.Window = Window
	peerHTTP := &http.Client{Timeout: stdwebhooks.DefaultTimeout, Transport: waitTransport{base: http.DefaultTransport, requests: &a.Meter.peer, ns: &a.Meter.peerNS},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	conn, err := stdwebhooks.New(stdwebhooks.Config{URL: peerSrv.URL, Secret: a.PeerSecret, LocationID: a.Location.ID, HTTPClient: peerHTTP})
	if err != nil {
		tb.Fatal(err)
	}
	hc := &http.Client{Transport: &oauth2.Transport{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: a.Token}),
		Base: waitTransport{base: http.DefaultTransport, requests: &a.Meter.ghl, ns: &a.Meter.ghlNS}}}
	limiters := ghl.NewRateLimiters(ghl.SystemClock())
	settle := o.EchoSettle
	if settle == 0 {
		settle = -1
	}
	a.Syncer, err = crmsync.New(crmsync.Options{
		GHL: crmsync.GHLFactoryFunc(func(ctx context.Context, locationID string) (crmsync.GHL, error) {
			c, err := ghl.NewClient(hc, ghl.WithBaseURL(a.GHLURL), ghl.WithLocationID(locationID), ghl.WithRateLimiters(limiters),
				ghl.WithBackoff(ghl.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond}), ghl.WithMaxRetries(1))
			if err != nil {
				return crmsync.GHL{}, err
			}
			return crmsync.ClientGHL(c), nil
		}),
		Links: a.Store, Idempotency: idempotency.New(a.Store), Peer: conn, Verifier: verifier,
		PullKeys: crmsync.StaticPullKey(a.PullKey), DefaultLocationID: a.Location.ID, EchoSettle: settle,
	})
	if err != nil {
		tb.Fatal(err)
	}
	a.Handler = &syncapp.Handler{Routes: syncapp.SyncRoutes(a.Syncer), Logger: o.Logger}
	return a
}

// SetGHLWebhooks turns the sandbox's webhooks (to the capture endpoint of
// CaptureGHL) on or off; off, the writes of peer→GHL flows build none.
func (a *App) SetGHLWebhooks(on bool) {
	for _, d := range []ghlsandbox.Domain{ghlsandbox.DomainContacts, ghlsandbox.DomainTasks, ghlsandbox.DomainNotes, ghlsandbox.DomainAppointments} {
		url := ""
		if on {
			url = a.captureURL + "/" + string(d)
		}
		a.Sandbox.SetWebhookURL(d, url)
	}
}

// Invoke runs one API Gateway event through the handler.
func (a *App) Invoke(ctx context.Context, ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	resp, _ := a.Handler.Handle(ctx, ev)
	return resp
}

// SignGHL returns the X-GHL-Signature value of body under the sandbox's
// Ed25519 key.
func (a *App) SignGHL(body []byte) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(a.edPriv, body))
}

// PublicKeyPEM returns the sandbox's Ed25519 webhook public key (PEM).
func (a *App) PublicKeyPEM(tb testing.TB) []byte {
	tb.Helper()
	keys, err := a.Sandbox.PublicKeysPEM()
	if err != nil {
		tb.Fatal(err)
	}
	return keys.Ed25519
}
