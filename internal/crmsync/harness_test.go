package crmsync_test

// The test harness: the GHL sandbox served over HTTP (real signed
// webhooks), the sync flows behind the same syncapp routes the functions
// use (reached through apigw.FromHTTP), the Standard Webhooks connector
// delivering to a recording peer, and either store (memstore for unit
// tests, DynamoDB Local for the end-to-end suite) behind request counters.

import (
	"cmp"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/apigw"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/syncapp"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// testRSAKey is one 2048-bit key for every sandbox of the binary (the
// sandbox's default 4096-bit key takes seconds to generate).
func testRSAKey(t *testing.T) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return rsaKey
}

// peerSecret signs deliveries both ways in the tests.
var peerSecret = func() webhook.Secret {
	s, err := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		panic(err)
	}
	return s
}()

// recordingPeer is the peer app: it records every delivery it accepts and
// keeps the latest state per entity. Fail makes it answer 503.
type recordingPeer struct {
	mu         sync.Mutex
	deliveries []stdwebhooks.Envelope
	state      map[string]json.RawMessage // kind/ghlId → data; deletes remove
	fail       atomic.Bool
	// delay holds each delivery that arrives while it is set this long
	// (nanoseconds) before answering.
	delay atomic.Int64
	// dedupe drops a webhook-id accepted before (answering 200), as a
	// Standard Webhooks receiver does.
	dedupe atomic.Bool
	seen   map[string]bool
}

func (p *recordingPeer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if d := p.delay.Load(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	body, _ := io.ReadAll(r.Body)
	if _, err := (&webhook.StandardVerifier{Secrets: []webhook.Secret{peerSecret}}).Verify(r.Header, body); err != nil {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	if p.fail.Load() {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	var env stdwebhooks.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	var ids struct {
		GHLID string `json:"ghlId"`
	}
	_ = json.Unmarshal(env.Data, &ids)
	p.mu.Lock()
	defer p.mu.Unlock()
	if id := r.Header.Get("webhook-id"); p.dedupe.Load() {
		if p.seen[id] {
			w.WriteHeader(http.StatusOK)
			return
		}
		if p.seen == nil {
			p.seen = map[string]bool{}
		}
		p.seen[id] = true
	}
	p.deliveries = append(p.deliveries, env)
	key := string(env.Type.Kind()) + "/" + ids.GHLID
	if strings.HasSuffix(string(env.Type), ".deleted") {
		delete(p.state, key)
	} else {
		p.state[key] = env.Data
	}
	w.WriteHeader(http.StatusOK)
}

func (p *recordingPeer) count(types ...crmsync.EventType) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, d := range p.deliveries {
		if len(types) == 0 {
			n++
			continue
		}
		for _, t := range types {
			if d.Type == t {
				n++
			}
		}
	}
	return n
}

func (p *recordingPeer) get(kind crmsync.Kind, ghlID string, v any) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	raw, ok := p.state[string(kind)+"/"+ghlID]
	if ok {
		_ = json.Unmarshal(raw, v)
	}
	return ok
}

// countingDynamo counts DynamoDB requests.
type countingDynamo struct {
	dynamostore.API
	n atomic.Int64
}

func (c *countingDynamo) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.n.Add(1)
	return c.API.GetItem(ctx, in, o...)
}
func (c *countingDynamo) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.n.Add(1)
	return c.API.PutItem(ctx, in, o...)
}
func (c *countingDynamo) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.n.Add(1)
	return c.API.UpdateItem(ctx, in, o...)
}
func (c *countingDynamo) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.n.Add(1)
	return c.API.DeleteItem(ctx, in, o...)
}
func (c *countingDynamo) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.n.Add(1)
	return c.API.Query(ctx, in, o...)
}
func (c *countingDynamo) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.n.Add(1)
	return c.API.TransactWriteItems(ctx, in, o...)
}

type harness struct {
	t        *testing.T
	edPriv   ed25519.PrivateKey
	sb       *ghlsandbox.Sandbox
	loc      ghlsandbox.LocationInfo
	ghlURL   string
	appURL   string
	peer     *recordingPeer
	store    harnessStore
	dynamo   *countingDynamo // nil on memstore
	syncer   *crmsync.Syncer
	webhooks atomic.Int64 // GHL webhooks answered by the app
	statuses sync.Map     // webhookId → last status
	sleeps   sleepLog     // every Sleep of the flows
	// commitDelay delays every link write that completes a delivery
	// (SwapLink with a completion), in nanoseconds.
	commitDelay atomic.Int64
	// tagDelay delays every GHL tag request (add or remove), in
	// nanoseconds, so a GHL webhook can see a peer→GHL write half done.
	tagDelay atomic.Int64
}

// delayTags delays GHL tag requests by *delay.
type delayTags struct {
	base  http.RoundTripper
	delay *atomic.Int64
}

func (d delayTags) RoundTrip(r *http.Request) (*http.Response, error) {
	if n := d.delay.Load(); n > 0 && strings.HasSuffix(r.URL.Path, "/tags") {
		time.Sleep(time.Duration(n))
	}
	return d.base.RoundTrip(r)
}

// delayedCommits delays the writes that complete a delivery by
// *delay, so that GHL's webhook about a peer→GHL write arrives before
// the write is recorded.
type delayedCommits struct {
	harnessStore
	delay *atomic.Int64
}

// harnessStore is what the harness needs of a store.
type harnessStore interface {
	crmsync.Links
	idempotency.Store
}

func (d delayedCommits) SwapLink(ctx context.Context, prev *store.Link, l store.Link, done *store.Completion) (*store.Link, error) {
	if n := d.delay.Load(); n > 0 && done != nil {
		time.Sleep(time.Duration(n))
	}
	return d.harnessStore.SwapLink(ctx, prev, l, done)
}

// sleepLog records the flows' waits (then waits for real).
type sleepLog struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// take returns the waits so far and forgets them.
func (l *sleepLog) take() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := l.d
	l.d = nil
	return d
}

type harnessOptions struct {
	dynamo      bool
	allowDelete bool
	faults      *ghlsandbox.Faults
	// echoSettle overrides DefaultEchoSettle; now shifts the flows' clock.
	echoSettle time.Duration
	now        func() time.Time
}

func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, peer: &recordingPeer{state: map[string]json.RawMessage{}}}
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h.edPriv = edPriv
	h.sb, err = ghlsandbox.New(ghlsandbox.Options{Ed25519Key: edPriv, RSAKey: testRSAKey(t), RateLimit: ghlsandbox.RateLimitOptions{Disabled: true},
		Webhooks: ghlsandbox.WebhookOptions{RetryInterval: 30 * time.Millisecond, RetryJitter: -1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.sb.Close)
	if h.loc, err = h.sb.AddLocation(ghlsandbox.LocationOptions{}); err != nil {
		t.Fatal(err)
	}
	token, err := h.sb.IssuePrivateToken(h.loc.ID)
	if err != nil {
		t.Fatal(err)
	}
	ghlSrv := httptest.NewServer(h.sb)
	t.Cleanup(ghlSrv.Close)
	h.ghlURL = ghlSrv.URL
	peerSrv := httptest.NewServer(h.peer)
	t.Cleanup(peerSrv.Close)

	if o.dynamo {
		client := dynamotest.Client(t)
		table := dynamotest.TableName(t)
		if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
			t.Fatal(err)
		}
		h.dynamo = &countingDynamo{API: client}
		h.store = dynamostore.New(h.dynamo, table)
	} else {
		h.store = memstore.New()
	}
	h.store = delayedCommits{h.store, &h.commitDelay}

	keys, err := h.sb.PublicKeysPEM()
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := webhook.NewGHLVerifier(webhook.GHLKeys{Ed25519PEM: keys.Ed25519, RSAPEM: keys.RSA})
	if err != nil {
		t.Fatal(err)
	}
	verifier.Window = 5 * time.Minute
	conn, err := stdwebhooks.New(stdwebhooks.Config{URL: peerSrv.URL, Secret: peerSecret, LocationID: h.loc.ID})
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: &oauth2.Transport{Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}),
		Base: delayTags{base: http.DefaultTransport, delay: &h.tagDelay}}}
	h.syncer, err = crmsync.New(crmsync.Options{
		GHL: crmsync.GHLFactoryFunc(func(ctx context.Context, locationID string) (crmsync.GHL, error) {
			c, err := ghl.NewClient(hc, ghl.WithBaseURL(ghlSrv.URL), ghl.WithLocationID(locationID),
				ghl.WithBackoff(ghl.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond}), ghl.WithMaxRetries(1))
			if err != nil {
				return crmsync.GHL{}, err
			}
			return crmsync.ClientGHL(c), nil
		}),
		Links: h.store, Idempotency: idempotency.New(h.store), Peer: conn, Verifier: verifier,
		PullKeys: crmsync.StaticPullKey("pull-key"), DefaultLocationID: h.loc.ID, AllowPeerContactDelete: o.allowDelete,
		EchoSettle: cmp.Or(o.echoSettle, crmsync.DefaultEchoSettle), Now: o.now, Sleep: h.sleeps.sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	app := &syncapp.Handler{Routes: map[string]syncapp.Route{}}
	for _, k := range []crmsync.Kind{crmsync.KindContact, crmsync.KindTask, crmsync.KindNote, crmsync.KindAppointment} {
		app.Routes["POST /ghl/webhooks/"+string(k)+"s"] = syncapp.GHLWebhook(h.syncer, k)
		app.Routes["POST /peer/webhooks/"+string(k)+"s"] = syncapp.PeerWebhook(h.syncer, k)
	}
	app.Routes["GET /peer/contacts/{id}"] = syncapp.PullContact(h.syncer)
	app.Routes["GET /peer/businesses/{id}/contacts"] = syncapp.PullBusinessContacts(h.syncer)
	appSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, params := r.Method+" "+r.URL.Path, map[string]string{}
		if id, ok := strings.CutPrefix(r.URL.Path, "/peer/contacts/"); ok {
			route, params["id"] = "GET /peer/contacts/{id}", id
		} else if rest, ok := strings.CutPrefix(r.URL.Path, "/peer/businesses/"); ok {
			route, params["id"] = "GET /peer/businesses/{id}/contacts", strings.TrimSuffix(rest, "/contacts")
		}
		ev, err := apigw.FromHTTP(r, route, params, apigw.MaxBodyBytes)
		if err != nil {
			apigw.WriteHTTP(w, apigw.Error(http.StatusRequestEntityTooLarge, "body_too_large", err.Error()))
			return
		}
		resp, _ := app.Handle(r.Context(), ev)
		if strings.HasPrefix(r.URL.Path, "/ghl/") {
			h.webhooks.Add(1)
			var p struct {
				WebhookID string `json:"webhookId"`
			}
			_ = json.Unmarshal([]byte(ev.Body), &p)
			h.statuses.Store(p.WebhookID, resp.StatusCode)
		}
		apigw.WriteHTTP(w, resp)
	}))
	t.Cleanup(appSrv.Close)
	h.appURL = appSrv.URL
	if o.faults != nil {
		h.sb.SetFaults(*o.faults)
	}
	for _, d := range []ghlsandbox.Domain{ghlsandbox.DomainContacts, ghlsandbox.DomainTasks, ghlsandbox.DomainNotes, ghlsandbox.DomainAppointments} {
		h.sb.SetWebhookURL(d, appSrv.URL+"/ghl/webhooks/"+string(d))
	}
	return h
}

// flush waits for every GHL webhook to be answered.
func (h *harness) flush() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(h.t.Context(), 30*time.Second)
	defer cancel()
	if err := h.sb.Flush(ctx); err != nil {
		h.t.Fatal(err)
	}
}

// peerEvent builds a signed inbound delivery.
func peerEvent(t *testing.T, id string, typ crmsync.EventType, data any) (http.Header, []byte) {
	t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(stdwebhooks.Envelope{Type: typ, Timestamp: time.Now().UTC(), Data: raw})
	if err != nil {
		t.Fatal(err)
	}
	return peerSecret.SignedHeaders(id, time.Now(), body), body
}

// post sends a request to the app and returns status and body.
func (h *harness) post(path string, header http.Header, body []byte) (int, string) {
	h.t.Helper()
	req, err := http.NewRequestWithContext(h.t.Context(), http.MethodPost, h.appURL+path, strings.NewReader(string(body)))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	return h.do(req)
}

func (h *harness) do(req *http.Request) (int, string) {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// sendPeer posts a signed peer delivery to the domain's route.
func (h *harness) sendPeer(id string, typ crmsync.EventType, data any) (int, string) {
	h.t.Helper()
	header, body := peerEvent(h.t, id, typ, data)
	return h.post("/peer/webhooks/"+string(typ.Kind())+"s", header, body)
}

func (h *harness) dynamoRequests() int64 {
	if h.dynamo == nil {
		return 0
	}
	return h.dynamo.n.Load()
}

func (h *harness) link(kind crmsync.Kind, ghlID string) *store.Link {
	h.t.Helper()
	l, err := h.store.GetLinkByGHL(h.t.Context(), h.loc.ID, store.LinkKind(kind), ghlID)
	if err != nil {
		h.t.Fatalf("link %s %s: %v", kind, ghlID, err)
	}
	return l
}

// ok returns v, or stops the test goroutine with err (sandbox setup
// calls, which do not fail in a working test).
func ok[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
