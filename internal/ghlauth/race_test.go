package ghlauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlauth"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// The tests of this file run the real pieces together: the GHL sandbox over
// HTTP (single-use refresh tokens), the ghl client and Refresher, several
// tokens.Provider "containers", one Secrets Manager (the secretstest double
// through the SDK) and one DynamoDB Local table (leases and installations).

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

const secretPrefix = "ghlsync/test"

// world is the shared infrastructure of one test: everything the
// containers share, with taps that count what crosses the wire.
type world struct {
	clock     *ghlsandbox.FakeClock // providers, sandbox and Secrets Manager
	sb        *ghlsandbox.Sandbox
	ghlURL    string
	ghlTap    *ghlTap
	client    *ghl.Client
	app       ghl.ClientCredentials
	refresher *ghlauth.Refresher
	sm        *secretstest.Double
	smTap     *smTap
	secrets   *secretsmanager.Client
	st        *countingStore
	loc       string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	// DynamoDB Local first: it skips the test in -short mode.
	ddb := dynamotest.Client(t)
	table := dynamotest.TableName(t)
	if err := dynamostore.CreateTable(t.Context(), ddb, table); err != nil {
		t.Fatal(err)
	}

	// The fake clock starts ahead of the wall clock: leases and records
	// carry a TTL attribute from it, and DynamoDB Local deletes items whose
	// TTL lies in the past.
	clk := ghlsandbox.NewFakeClock(time.Now().UTC().Truncate(time.Second).Add(time.Hour))
	sb, err := ghlsandbox.New(ghlsandbox.Options{Clock: clk, RateLimit: ghlsandbox.RateLimitOptions{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	gt := &ghlTap{h: sb}
	gsrv := httptest.NewServer(gt)
	t.Cleanup(gsrv.Close)
	loc, err := sb.AddLocation(ghlsandbox.LocationOptions{Name: "Race"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ghl.NewClient(gsrv.Client(), ghl.WithBaseURL(gsrv.URL))
	if err != nil {
		t.Fatal(err)
	}
	a := sb.App()
	app := ghl.ClientCredentials{ClientID: a.ClientID, ClientSecret: a.ClientSecret}

	sm := secretstest.New(secretstest.WithClock(clk.Now))
	st := &smTap{h: sm}
	ssrv := httptest.NewServer(st)
	t.Cleanup(ssrv.Close)

	return &world{
		clock:     clk,
		sb:        sb,
		ghlURL:    gsrv.URL,
		ghlTap:    gt,
		client:    c,
		app:       app,
		refresher: &ghlauth.Refresher{OAuth: c.OAuth, App: app},
		sm:        sm,
		smTap:     st,
		secrets:   secretstest.NewClient(ssrv.URL),
		st:        &countingStore{Store: dynamostore.New(ddb, table)},
		loc:       loc.ID,
	}
}

// container returns a new Provider: one Lambda container with its own cache.
func (w *world) container(t *testing.T, owner string, mod ...func(*tokens.Config)) *tokens.Provider {
	t.Helper()
	cfg := tokens.Config{
		Secrets: w.secrets, Leases: w.st, Installations: w.st, Refresher: w.refresher,
		SecretPrefix: secretPrefix, Owner: owner, Now: w.clock.Now,
		PollInterval: 10 * time.Millisecond, MaxWait: 10 * time.Second,
	}
	for _, m := range mod {
		m(&cfg)
	}
	p, err := tokens.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// authorize does what `ghlsync auth` and the OAuth callback do: install the
// app (GHL hands out a code), exchange the code, store the grant in the
// location's secret and record the installation active.
func (w *world) authorize(t *testing.T, p *tokens.Provider) {
	t.Helper()
	ctx := t.Context()
	in, err := w.sb.InstallApp(ghlsandbox.InstallOptions{LocationID: w.loc})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ghlauth.Exchange(ctx, w.client.OAuth, w.app, in.Code, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.StoreGrant(ctx, g); err != nil {
		t.Fatal(err)
	}
	src, err := p.Source(w.loc)
	if err != nil {
		t.Fatal(err)
	}
	rec := store.Installation{LocationID: w.loc, CompanyID: g.CompanyID}
	if cur, err := w.st.GetInstallation(ctx, w.loc); err == nil {
		rec = *cur
	}
	rec.Status, rec.Reason, rec.SecretName, rec.UpdatedAt = store.InstallActive, "", src.SecretName(), w.clock.Now()
	if err := w.st.PutInstallation(ctx, rec); err != nil {
		t.Fatal(err)
	}
}

// stored reads the location secret's AWSCURRENT version.
func (w *world) stored(t *testing.T) (tokens.OAuthSecret, string) {
	t.Helper()
	name, _ := tokens.LocationSecretName(secretPrefix, w.loc)
	out, err := w.secrets.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT")})
	if err != nil {
		t.Fatal(err)
	}
	s, err := tokens.ParseOAuthSecret([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		t.Fatal(err)
	}
	return s, aws.ToString(out.VersionId)
}

// works reports whether GHL accepts the access token (one GET).
func (w *world) works(t *testing.T, access string) error {
	t.Helper()
	hc := oauth2.NewClient(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: access, TokenType: "Bearer"}))
	c, err := ghl.NewClient(hc, ghl.WithBaseURL(w.ghlURL))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Contacts.List(t.Context(), &ghl.ListContactsOptions{LocationID: w.loc, Limit: 1})
	return err
}

func TestRefreshRaceAcrossContainers(t *testing.T) {
	t.Parallel()
	const (
		rounds     = 20
		containers = 5
		goroutines = 10
		callers    = containers * goroutines
	)
	w := newWorld(t)
	providers := make([]*tokens.Provider, containers)
	for i := range providers {
		providers[i] = w.container(t, fmt.Sprintf("container-%d", i))
	}
	w.authorize(t, providers[0])
	for i, p := range providers { // warm every cache, as long-lived containers are
		if _, err := p.Token(t.Context(), w.loc); err != nil {
			t.Fatalf("warm container %d: %v", i, err)
		}
	}
	prev, _ := w.stored(t)

	var windows []time.Duration
	began := time.Now()
	for round := 1; round <= rounds; round++ {
		// A day later every cached and stored access token has expired, for
		// the providers and for the sandbox alike.
		w.clock.Advance(24 * time.Hour)
		before := w.counters()

		type result struct {
			access string
			err    error
			took   time.Duration
		}
		results := make([]result, callers)
		start := make(chan struct{})
		var ready, done sync.WaitGroup
		for i, p := range providers {
			for g := range goroutines {
				k := i*goroutines + g
				ready.Add(1)
				done.Go(func() {
					ready.Done()
					<-start
					t0 := time.Now()
					tok, err := p.Token(t.Context(), w.loc)
					results[k].took, results[k].err = time.Since(t0), err
					if err == nil {
						results[k].access = tok.AccessToken
					}
				})
			}
		}
		ready.Wait()
		close(start) // release all 50 at once
		done.Wait()
		d := w.counters().minus(before)

		cur, version := w.stored(t)
		var lat []time.Duration
		for k, r := range results {
			lat = append(lat, r.took)
			switch {
			case r.err != nil:
				t.Errorf("round %d caller %d: %v", round, k, r.err)
			case r.access != cur.AccessToken.Reveal():
				t.Errorf("round %d caller %d got another token than the one stored", round, k)
			}
		}
		if d.refreshGrants != 1 || d.tokenCalls != 1 || d.invalidGrants != 0 || d.otherGrants != 0 {
			t.Errorf("round %d: refresh grants %d, token endpoint calls %d, invalid_grant %d, other grants %d; want 1, 1, 0, 0",
				round, d.refreshGrants, d.tokenCalls, d.invalidGrants, d.otherGrants)
		}
		if d.puts != 1 || version != tokens.ClientRequestToken(prev.RefreshToken) {
			t.Errorf("round %d: %d PutSecretValue, version id derived from the old refresh token: %t; want 1, true",
				round, d.puts, version == tokens.ClientRequestToken(prev.RefreshToken))
		}
		if cur.RefreshToken == prev.RefreshToken || cur.AccessToken == prev.AccessToken {
			t.Errorf("round %d: the stored pair did not rotate", round)
		}
		if err := w.works(t, cur.AccessToken.Reveal()); err != nil {
			t.Errorf("round %d: the new token does not work on GHL: %v", round, err)
		}
		win, ok := w.window(cur.RefreshToken)
		if !ok {
			t.Errorf("round %d: no PutSecretValue carrying GHL's answer seen after it", round)
		}
		windows = append(windows, win)
		t.Logf("round %2d: refreshes %d, invalid_grant %d, secret reads %2d, puts %d, lease attempts %2d (won %d), latency p50 %6s max %6s, answer→put %s",
			round, d.refreshGrants, d.invalidGrants, d.reads, d.puts, d.leaseAttempts, d.leaseWins,
			pct(lat, 50), pct(lat, 100), win.Round(time.Microsecond))
		prev = cur
	}
	t.Logf("%d rounds in %s (DynamoDB Local started in %s); GHL answer → PutSecretValue arrival: p50 %s, max %s",
		rounds, time.Since(began).Round(time.Millisecond), dynamotest.StartupTime().Round(time.Millisecond),
		pct(windows, 50).Round(time.Microsecond), pct(windows, 100).Round(time.Microsecond))
	if n := w.st.reauthPuts.Load(); n != 0 {
		t.Errorf("installation marked reauth_required %d times", n)
	}
}

// pct returns the p-th percentile (nearest rank) of ds.
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(i, 0)].Round(100 * time.Microsecond)
}

// counters is a snapshot of what crossed the wire.
type counters struct {
	refreshGrants, otherGrants, invalidGrants, tokenCalls int64
	reads, puts                                           int64
	leaseAttempts, leaseWins                              int64
}

func (w *world) counters() counters {
	r, o, i := w.ghlTap.counts()
	return counters{
		refreshGrants: r, otherGrants: o, invalidGrants: i, tokenCalls: w.sb.RequestCount("get-access-token"),
		reads: int64(w.sm.Calls(secretstest.OpGetSecretValue)), puts: int64(w.sm.Calls(secretstest.OpPutSecretValue)),
		leaseAttempts: w.st.leaseAttempts.Load(), leaseWins: w.st.leaseWins.Load(),
	}
}

func (c counters) minus(b counters) counters {
	return counters{
		refreshGrants: c.refreshGrants - b.refreshGrants, otherGrants: c.otherGrants - b.otherGrants,
		invalidGrants: c.invalidGrants - b.invalidGrants, tokenCalls: c.tokenCalls - b.tokenCalls,
		reads: c.reads - b.reads, puts: c.puts - b.puts,
		leaseAttempts: c.leaseAttempts - b.leaseAttempts, leaseWins: c.leaseWins - b.leaseWins,
	}
}

// window returns the time from GHL writing the answer that issued
// refreshToken to Secrets Manager receiving the PutSecretValue carrying it.
func (w *world) window(refreshToken tokens.Sensitive) (time.Duration, bool) {
	answered, ok := w.ghlTap.answeredAt(string(refreshToken))
	if !ok {
		return 0, false
	}
	put, ok := w.smTap.putAt(refreshToken)
	if !ok || put.Before(answered) {
		return 0, false
	}
	return put.Sub(answered), true
}

// ghlTap wraps the sandbox and classifies POST /oauth/token calls by grant
// type and answer, recording when each refresh token was handed out.
type ghlTap struct {
	h http.Handler

	mu                                        sync.Mutex
	refreshGrants, otherGrants, invalidGrants int64
	issued                                    map[string]time.Time // refresh token → answer written
}

func (g *ghlTap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/oauth/token" {
		g.h.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	rec := &capture{ResponseWriter: w, status: http.StatusOK}
	g.h.ServeHTTP(rec, r)
	at := time.Now()

	var out struct {
		RefreshToken string `json:"refresh_token"`
		Message      any    `json:"message"`
	}
	_ = json.Unmarshal(rec.body.Bytes(), &out)
	g.mu.Lock()
	defer g.mu.Unlock()
	if form.Get("grant_type") == "refresh_token" {
		g.refreshGrants++
	} else {
		g.otherGrants++
	}
	if rec.status == http.StatusBadRequest && strings.Contains(fmt.Sprint(out.Message), "Invalid grant") {
		g.invalidGrants++
	}
	if rec.status == http.StatusOK && out.RefreshToken != "" {
		if g.issued == nil {
			g.issued = map[string]time.Time{}
		}
		g.issued[out.RefreshToken] = at
	}
}

func (g *ghlTap) counts() (refresh, other, invalid int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.refreshGrants, g.otherGrants, g.invalidGrants
}

func (g *ghlTap) answeredAt(refreshToken string) (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	at, ok := g.issued[refreshToken]
	return at, ok
}

// capture passes a response through and keeps its status and body.
type capture struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *capture) WriteHeader(code int) { c.status = code; c.ResponseWriter.WriteHeader(code) }

func (c *capture) Write(b []byte) (int, error) {
	c.body.Write(b)
	return c.ResponseWriter.Write(b)
}

// smTap wraps the Secrets Manager double and records when each
// PutSecretValue arrives and which refresh token it stores.
type smTap struct {
	h http.Handler

	mu   sync.Mutex
	puts map[tokens.Sensitive]time.Time // stored refresh token → first arrival
}

func (s *smTap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") == "secretsmanager.PutSecretValue" {
		at := time.Now()
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct{ SecretString string }
		_ = json.Unmarshal(body, &in)
		if sec, err := tokens.ParseOAuthSecret([]byte(in.SecretString)); err == nil {
			s.mu.Lock()
			if s.puts == nil {
				s.puts = map[tokens.Sensitive]time.Time{}
			}
			if _, seen := s.puts[sec.RefreshToken]; !seen {
				s.puts[sec.RefreshToken] = at
			}
			s.mu.Unlock()
		}
	}
	s.h.ServeHTTP(w, r)
}

func (s *smTap) putAt(refreshToken tokens.Sensitive) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.puts[refreshToken]
	return at, ok
}

// countingStore is the DynamoDB store, counting lease attempts and the
// reauth_required marks.
type countingStore struct {
	*dynamostore.Store
	leaseAttempts, leaseWins atomic.Int64
	reauthPuts               atomic.Int64
}

func (c *countingStore) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration, now time.Time) (bool, error) {
	c.leaseAttempts.Add(1)
	ok, err := c.Store.AcquireLease(ctx, name, owner, ttl, now)
	if ok {
		c.leaseWins.Add(1)
	}
	return ok, err
}

func (c *countingStore) PutInstallation(ctx context.Context, in store.Installation) error {
	if in.Status == store.InstallReauthRequired {
		c.reauthPuts.Add(1)
	}
	return c.Store.PutInstallation(ctx, in)
}
