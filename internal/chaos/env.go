package chaos

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/peer/peertest"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/sweep"
	"github.com/ghlsync/ghlsync/internal/syncapp"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// verifierWindow is the GHL webhook timestamp window of the run: GHL's
// redeliveries keep the signed body of the first attempt, and a long run
// redelivers minutes later.
const verifierWindow = time.Hour

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
	rsaErr  error
)

// sandboxRSAKey is one 2048-bit key per process (the sandbox's default
// 4096-bit key takes seconds to generate).
func sandboxRSAKey() (*rsa.PrivateKey, error) {
	rsaOnce.Do(func() { rsaKey, rsaErr = rsa.GenerateKey(rand.Reader, 2048) })
	return rsaKey, rsaErr
}

// env is everything a run starts: the GHL sandbox behind the fault
// counters and served over HTTP, the capture of its webhooks, the
// recording peer behind its failures, DynamoDB behind the fault proxy,
// the flows behind the functions' routes, and the sweeps.
type env struct {
	cfg     Config
	sb      *ghlsandbox.Sandbox
	loc     ghlsandbox.LocationInfo
	peer    *peertest.Peer
	secret  webhook.Secret
	sender  *peertest.Sender
	dynamo  *DynamoFaults
	handler *syncapp.Handler
	runner  *sweep.Runner
	hooks   chan capturedHook

	faultsOn atomic.Bool // GHL and peer faults
	seq      sequence
	counts   *counters
	closers  []func()
}

// capturedHook is one webhook the sandbox sent.
type capturedHook struct {
	domain string
	header http.Header
	body   []byte
}

func (e *env) close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

func newEnv(ctx context.Context, cfg Config) (_ *env, err error) {
	e := &env{cfg: cfg, counts: &counters{}, hooks: make(chan capturedHook, 1<<16)}
	defer func() {
		if err != nil {
			e.close()
		}
	}()
	key, err := sandboxRSAKey()
	if err != nil {
		return nil, err
	}
	e.sb, err = ghlsandbox.New(ghlsandbox.Options{Seed: cfg.Seed, RSAKey: key,
		RateLimit: ghlsandbox.RateLimitOptions{Burst: 1 << 30, Daily: 1 << 30},
		Webhooks:  ghlsandbox.WebhookOptions{RetryInterval: 50 * time.Millisecond, RetryJitter: -1}})
	if err != nil {
		return nil, err
	}
	e.closers = append(e.closers, e.sb.Close)
	if e.loc, err = e.sb.AddLocation(ghlsandbox.LocationOptions{Name: "Chaos"}); err != nil {
		return nil, err
	}
	token, err := e.sb.IssuePrivateToken(e.loc.ID)
	if err != nil {
		return nil, err
	}
	ghlSrv := httptest.NewServer(&statusCounter{h: e.sb, counts: e.counts, on: &e.faultsOn})
	e.closers = append(e.closers, ghlSrv.Close)
	capSrv := httptest.NewServer(http.HandlerFunc(e.capture))
	e.closers = append(e.closers, capSrv.Close)
	for _, d := range []ghlsandbox.Domain{ghlsandbox.DomainContacts, ghlsandbox.DomainTasks, ghlsandbox.DomainNotes, ghlsandbox.DomainAppointments} {
		e.sb.SetWebhookURL(d, capSrv.URL+"/"+string(d))
	}

	// The peer and its failures.
	e.secret = make(webhook.Secret, 32)
	if _, err := rand.Read(e.secret); err != nil {
		return nil, err
	}
	e.sender = &peertest.Sender{Secret: e.secret}
	e.peer = peertest.New(peertest.Config{Secret: e.secret, Window: verifierWindow})
	peerSrv := httptest.NewServer(&peerFaults{h: e.peer, seed: cfg.Seed, rate: cfg.PeerFaults, on: &e.faultsOn, counts: e.counts})
	e.closers = append(e.closers, peerSrv.Close)

	// DynamoDB behind the fault proxy.
	e.dynamo = &DynamoFaults{API: cfg.Dynamo, Seed: cfg.Seed, ThroughputExceeded: cfg.DynamoFaults * 2 / 3, Throttling: cfg.DynamoFaults / 3,
		LatencyRate: cfg.DynamoLatency, Latency: 20 * time.Millisecond, counts: e.counts}
	st := dynamostore.New(e.dynamo, cfg.Table)
	if err := st.PutInstallation(ctx, store.Installation{LocationID: e.loc.ID, Status: store.InstallActive, SecretName: "chaos/" + e.loc.ID, UpdatedAt: time.Now()}); err != nil {
		return nil, fmt.Errorf("chaos: install the location: %w", err)
	}

	// The app: per-location GHL clients sharing one limiter registry and
	// the store's rate budget, over the GHL fault transport.
	keys, err := e.sb.PublicKeysPEM()
	if err != nil {
		return nil, err
	}
	verifier, err := webhook.NewGHLVerifier(webhook.GHLKeys{Ed25519PEM: keys.Ed25519, RSAPEM: keys.RSA})
	if err != nil {
		return nil, err
	}
	verifier.Window = verifierWindow
	conn, err := stdwebhooks.New(stdwebhooks.Config{URL: peerSrv.URL, Secret: e.secret, LocationID: e.loc.ID,
		HTTPClient: &http.Client{Timeout: 5 * time.Second, Transport: pooled()}})
	if err != nil {
		return nil, err
	}
	// GHL's fault mix: 35 % 429 and 35 % 5xx from the sandbox, 20 %
	// latency and 10 % timeouts from the transport.
	e.sb.SetFaults(ghlsandbox.Faults{Seed: cfg.Seed, Global: ghlsandbox.FaultRates{TooManyRequests: cfg.GHLFaults * 0.35, ServerError: cfg.GHLFaults * 0.35}})
	e.faultsOn.Store(false)
	faulty := &ghlFaults{base: pooled(), seed: cfg.Seed, latencyRate: cfg.GHLFaults * 0.2, latency: 60 * time.Millisecond,
		timeoutRate: cfg.GHLFaults * 0.1, timeout: 150 * time.Millisecond, on: &e.faultsOn, seq: &e.seq, counts: e.counts}
	budget := &sweep.Budget{Store: st, Limit: 1 << 20, Window: 10 * time.Second}
	limiters := ghl.NewRateLimiters(ghl.SystemClock())
	client := func(loc string) (*ghl.Client, error) {
		rt := &oauth2.Transport{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}), Base: budget.Transport(loc, faulty)}
		return ghl.NewClient(&http.Client{Transport: rt, Timeout: 10 * time.Second}, ghl.WithBaseURL(ghlSrv.URL), ghl.WithLocationID(loc),
			ghl.WithRateLimiters(limiters), ghl.WithBackoff(ghl.Backoff{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond}))
	}
	syncer, err := crmsync.New(crmsync.Options{
		GHL: crmsync.GHLFactoryFunc(func(ctx context.Context, loc string) (crmsync.GHL, error) {
			c, err := client(loc)
			if err != nil {
				return crmsync.GHL{}, err
			}
			return crmsync.ClientGHL(c), nil
		}),
		Links: st, Idempotency: idempotency.New(st), Peer: conn, Verifier: verifier, DefaultLocationID: e.loc.ID,
	})
	if err != nil {
		return nil, err
	}
	e.handler = &syncapp.Handler{Routes: syncapp.SyncRoutes(syncer)}
	if cfg.Trace != nil {
		e.handler.Logger = slog.New(sinkHandler{})
	}
	e.runner, err = sweep.New(sweep.Options{Store: st, Syncer: syncer, Budget: budget, Workers: cfg.Workers,
		GHL: sweep.ClientsFunc(func(ctx context.Context, loc string) (sweep.API, error) {
			c, err := client(loc)
			if err != nil {
				return nil, err
			}
			return sweep.FromClient(c), nil
		})})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// setFaults turns every injected fault on or off.
func (e *env) setFaults(on bool) {
	e.faultsOn.Store(on)
	e.dynamo.Enable(on)
}

// capture takes a webhook the sandbox sends; the run decides when (and
// how often) the app receives it.
func (e *env) capture(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	e.hooks <- capturedHook{domain: strings.TrimPrefix(r.URL.Path, "/"), header: r.Header.Clone(), body: body}
	w.WriteHeader(http.StatusOK)
}

// pooled is a transport that keeps enough idle connections for the
// workers.
func pooled() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
	return t
}
