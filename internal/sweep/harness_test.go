package sweep_test

// The proof harness: the GHL sandbox with its real rate limits (100 per
// 10 s per location, daily budget) on a scaled clock, served over HTTP
// behind a recorder of every answer; DynamoDB Local as the store; the
// recording Standard Webhooks peer; the sync flows (crmsync.Syncer) that
// deliver both what GHL's webhooks announce and what the sweeps read; and
// per-location GHL clients that share one rate-limiter registry and one
// sweep.Budget, as the functions do.

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/apigw"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/peer/peertest"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/sweep"
	"github.com/ghlsync/ghlsync/internal/syncapp"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

func testRSAKey() *rsa.PrivateKey {
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return rsaKey
}

var peerSecret = func() webhook.Secret {
	s, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		panic(err)
	}
	return s
}()

// scaledClock is the sandbox's scaled clock as a ghl.Clock: the clients'
// rate limiters, the Budget and the sweeps' cursors all read the time the
// sandbox's rate windows are on. It starts a year before the wall clock so
// that it stays behind it: context deadlines (wall time) then never look
// passed to a component reading the scaled time.
type scaledClock struct {
	*ghlsandbox.ScaledClock
	scale float64
}

func (c scaledClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(time.Duration(float64(d) / c.scale))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// answers records every answer of the sandbox: status counts and the
// sandbox time of each request.
type answers struct {
	h     http.Handler
	clock ghlsandbox.Clock

	mu       sync.Mutex
	statuses map[int]int
	times    []time.Time
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) {
	w.status = s
	w.ResponseWriter.WriteHeader(s)
}

func (a *answers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := a.clock.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	a.h.ServeHTTP(sw, r)
	a.mu.Lock()
	a.statuses[sw.status]++
	a.times = append(a.times, at)
	a.mu.Unlock()
}

func (a *answers) count(status int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.statuses[status]
}

func (a *answers) total() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.times)
}

func (a *answers) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.statuses, a.times = map[int]int{}, nil
}

// rateFraction is the sustained request rate as a fraction of the burst
// limit: (requests - 1) over the sandbox time from the first request to
// the last, divided by limit per window.
func (a *answers) rateFraction(limit int, window time.Duration) float64 {
	a.mu.Lock()
	ts := append([]time.Time(nil), a.times...)
	a.mu.Unlock()
	if len(ts) < 2 {
		return 0
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	span := ts[len(ts)-1].Sub(ts[0])
	if span <= 0 {
		return 0
	}
	perWindow := float64(len(ts)-1) * float64(window) / float64(span)
	return perWindow / float64(limit)
}

type env struct {
	t      testing.TB
	sb     *ghlsandbox.Sandbox
	clock  scaledClock
	ans    *answers
	ghlURL string
	tokens map[string]string
	locs   []ghlsandbox.LocationInfo
	st     envStore
	peer   *peertest.Server
	syncer *crmsync.Syncer
	budget *sweep.Budget
	limits *ghl.RateLimiters
	runner *sweep.Runner
	appURL string

	// failLocation makes the GHL client of that location fail.
	failLocation string
}

// envStore is what the harness needs of a store.
type envStore interface {
	sweep.Store
	sweep.RateStore
	crmsync.Links
	idempotency.Store
	PutInstallation(ctx context.Context, in store.Installation) error
}

type envOptions struct {
	// mem uses the embedded store instead of DynamoDB Local.
	mem       bool
	scale     float64
	seed      ghlsandbox.SeedOptions
	daily     int
	margin    time.Duration
	noRateLim bool
	workers   int
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	if o.scale == 0 {
		o.scale = 2000
	}
	e := &env{t: t, tokens: map[string]string{}}
	e.clock = scaledClock{ScaledClock: ghlsandbox.NewScaledClock(time.Now().Add(-365*24*time.Hour).UTC(), o.scale), scale: o.scale}
	var err error
	e.sb, err = ghlsandbox.New(ghlsandbox.Options{Clock: e.clock, Seed: o.seed.Seed, RSAKey: testRSAKey(),
		RateLimit: ghlsandbox.RateLimitOptions{Disabled: o.noRateLim, Daily: o.daily},
		Webhooks:  ghlsandbox.WebhookOptions{RetryInterval: time.Minute, RetryJitter: -1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.sb.Close)
	if e.locs, err = e.sb.Seed(o.seed); err != nil {
		t.Fatal(err)
	}
	e.ans = &answers{h: e.sb, clock: e.clock, statuses: map[int]int{}}
	ghlSrv := httptest.NewServer(e.ans)
	t.Cleanup(ghlSrv.Close)
	e.ghlURL = ghlSrv.URL

	if o.mem {
		e.st = memstore.New()
	} else {
		client := dynamotest.Client(t)
		table := dynamotest.TableName(t)
		if err := dynamostore.CreateTable(context.Background(), client, table); err != nil {
			t.Fatal(err)
		}
		e.st = dynamostore.New(client, table)
	}
	ctx := context.Background()
	for _, l := range e.locs {
		if e.tokens[l.ID], err = e.sb.IssuePrivateToken(l.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.st.PutInstallation(ctx, store.Installation{LocationID: l.ID, Status: store.InstallActive, SecretName: "s/" + l.ID, UpdatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	// Records the sweeps must skip: an agency install and an uninstalled location.
	for _, in := range []store.Installation{
		{LocationID: "CompanyAgency00000001", CompanyID: "CompanyAgency00000001", Company: true, Status: store.InstallActive, SecretName: "s/co", UpdatedAt: time.Now()},
		{LocationID: "LocUninstalled000001", Status: store.InstallUninstalled, SecretName: "s/un", UpdatedAt: time.Now()},
	} {
		if err := e.st.PutInstallation(ctx, in); err != nil {
			t.Fatal(err)
		}
	}

	e.peer = peertest.Start(t, peertest.Config{Secret: peerSecret})
	conn, err := stdwebhooks.New(stdwebhooks.Config{URL: e.peer.URL, Secret: peerSecret})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := e.sb.PublicKeysPEM()
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := webhook.NewGHLVerifier(webhook.GHLKeys{Ed25519PEM: keys.Ed25519, RSAPEM: keys.RSA})
	if err != nil {
		t.Fatal(err)
	}
	verifier.Window = time.Hour
	verifier.Now = e.clock.Now

	e.limits = ghl.NewRateLimiters(e.clock)
	e.budget = &sweep.Budget{Store: e.st, Clock: e.clock}
	e.syncer, err = crmsync.New(crmsync.Options{
		GHL: crmsync.GHLFactoryFunc(func(ctx context.Context, loc string) (crmsync.GHL, error) {
			c, err := e.client(loc)
			if err != nil {
				return crmsync.GHL{}, err
			}
			return crmsync.ClientGHL(c), nil
		}),
		Links: e.st, Idempotency: idempotency.New(e.st), Peer: conn, Verifier: verifier, EchoSettle: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	margin := o.margin
	if margin == 0 {
		margin = 300 * time.Millisecond
	}
	if o.workers == 0 {
		o.workers = 16
	}
	e.runner, err = sweep.New(sweep.Options{Store: e.st, Syncer: e.syncer, Clock: e.clock, Budget: e.budget, Margin: margin, Workers: o.workers, Parallel: 3,
		GHL: sweep.ClientsFunc(func(ctx context.Context, loc string) (sweep.API, error) {
			if loc == e.failLocation {
				return nil, &ghl.Error{StatusCode: http.StatusUnauthorized, Message: "token revoked in this test"}
			}
			c, err := e.client(loc)
			if err != nil {
				return nil, err
			}
			return sweep.FromClient(c), nil
		})})
	if err != nil {
		t.Fatal(err)
	}
	// The app's GHL webhook routes, for webhook traffic during sweeps.
	routes := map[string]syncapp.Route{}
	for _, d := range []crmsync.Kind{crmsync.KindContact, crmsync.KindTask, crmsync.KindNote, crmsync.KindAppointment} {
		routes["POST /ghl/webhooks/"+string(d)+"s"] = syncapp.GHLWebhook(e.syncer, d)
	}
	h := &syncapp.Handler{Routes: routes}
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, err := apigw.FromHTTP(r, r.Method+" "+r.URL.Path, nil, apigw.MaxBodyBytes)
		if err != nil {
			http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		resp, _ := h.Handle(r.Context(), ev)
		apigw.WriteHTTP(w, resp)
	}))
	t.Cleanup(app.Close)
	e.appURL = app.URL
	return e
}

// client is a location's GHL client: its token, the shared limiter
// registry and the shared Budget, on the scaled clock.
func (e *env) client(loc string) (*ghl.Client, error) {
	tok := e.tokens[loc]
	rt := e.budget.Transport(loc, &oauth2.Transport{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})})
	return ghl.NewClient(&http.Client{Transport: rt, Timeout: 20 * time.Second}, ghl.WithBaseURL(e.ghlURL), ghl.WithLocationID(loc),
		ghl.WithClock(e.clock), ghl.WithRateLimiters(e.limits))
}

// webhooksToApp sends the sandbox's webhooks of every domain to the app.
func (e *env) webhooksToApp() {
	for _, d := range []ghlsandbox.Domain{ghlsandbox.DomainContacts, ghlsandbox.DomainTasks, ghlsandbox.DomainNotes, ghlsandbox.DomainAppointments} {
		e.sb.SetWebhookURL(d, e.appURL+"/ghl/webhooks/"+string(d))
	}
}

// runAll runs every stream over every installed location.
func (e *env) runAll(ctx context.Context, deletes bool) map[sweep.Stream]sweep.Report {
	e.t.Helper()
	out := map[sweep.Stream]sweep.Report{}
	for _, s := range sweep.Streams {
		rep, err := e.runner.Run(ctx, sweep.Input{Kind: sweep.KindSweep, Stream: s, Deletes: deletes})
		if err != nil {
			e.t.Fatalf("run %s: %v", s, err)
		}
		if err := rep.Err(); err != nil {
			e.t.Fatalf("run %s: %v", s, err)
		}
		out[s] = rep
	}
	return out
}

// entityCount is what the sandbox holds, per kind.
type entityCount map[crmsync.Kind]int

func (e *env) sandboxCounts() entityCount {
	n := entityCount{}
	for _, l := range e.locs {
		n[crmsync.KindContact] += len(e.sb.Contacts(l.ID))
		n[crmsync.KindTask] += len(e.sb.Tasks(l.ID, ""))
		n[crmsync.KindNote] += len(e.sb.Notes(l.ID, ""))
		n[crmsync.KindAppointment] += len(e.sb.Appointments(l.ID, ""))
	}
	return n
}

// deliveries counts the peer's deliveries by event type, and the
// deliveries that were redeliveries of a webhook-id already accepted.
func (e *env) deliveries() (byType map[crmsync.EventType]int, dups int) {
	byType = map[crmsync.EventType]int{}
	for _, d := range e.peer.Deliveries() {
		if d.Duplicate {
			dups++
			continue
		}
		if d.Accepted() {
			byType[d.Envelope.Type]++
		}
	}
	return byType, dups
}
