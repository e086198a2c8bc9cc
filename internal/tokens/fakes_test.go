package tokens_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// clock is a settable clock shared by the fakes and providers of one test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// leases is an in-memory Leaser with store.Store semantics.
type leases struct {
	mu       sync.Mutex
	held     map[string]lease
	acquired atomic.Int64 // successful AcquireLease calls
	attempts atomic.Int64
}

type lease struct {
	owner string
	until time.Time
}

func newLeases() *leases { return &leases{held: map[string]lease{}} }

func (l *leases) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	l.attempts.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur, ok := l.held[name]; ok && cur.owner != owner && now.Before(cur.until) {
		return false, nil
	}
	l.held[name] = lease{owner, now.Add(ttl)}
	l.acquired.Add(1)
	return true, nil
}

func (l *leases) ReleaseLease(_ context.Context, name, owner string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur, ok := l.held[name]; ok && cur.owner == owner {
		delete(l.held, name)
	}
	return nil
}

// installs is an in-memory Installations store counting writes.
type installs struct {
	mu   sync.Mutex
	recs map[string]store.Installation
	puts int
}

func newInstalls() *installs { return &installs{recs: map[string]store.Installation{}} }

func (s *installs) GetInstallation(_ context.Context, id string) (*store.Installation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.recs[id]
	if !ok {
		return nil, store.ErrNotFound
	}
	return &in, nil
}

func (s *installs) PutInstallation(_ context.Context, in store.Installation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs[in.LocationID] = in
	s.puts++
	return nil
}

func (s *installs) get(id string) (store.Installation, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.recs[id], s.puts
}

// oauthServer is a fake GHL token endpoint: refresh tokens are single-use,
// "Location is not active" consumes nothing.
type oauthServer struct {
	clock *clock

	mu       sync.Mutex
	valid    map[tokens.Sensitive]string // live refresh token → location id
	seq      int
	inactive bool
	delay    time.Duration
	// lose, when > 0, makes that many successful refreshes lose their answer.
	lose int
	// fail, when > 0, makes that many calls fail before reaching "GHL".
	fail int
	// leaky makes every error quote the refresh token, as a careless adapter
	// might; the token layer must scrub it.
	leaky bool
	// before runs before each call is served (outside the lock).
	before func(rt tokens.Sensitive)

	refreshes    atomic.Int64 // successful refreshes (tokens consumed)
	invalidGrant atomic.Int64
	calls        atomic.Int64
}

func newOAuthServer(c *clock) *oauthServer {
	return &oauthServer{clock: c, valid: map[tokens.Sensitive]string{}}
}

// issue registers and returns a fresh pair for a location.
func (o *oauthServer) issue(locationID string) (access, refresh tokens.Sensitive) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.issueLocked(locationID)
}

func (o *oauthServer) issueLocked(locationID string) (access, refresh tokens.Sensitive) {
	o.seq++
	access = tokens.Sensitive(fmt.Sprintf("at-secret-%s-%03d", locationID, o.seq))
	refresh = tokens.Sensitive(fmt.Sprintf("rt-secret-%s-%03d", locationID, o.seq))
	o.valid[refresh] = locationID
	return access, refresh
}

func (o *oauthServer) isValid(rt tokens.Sensitive) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.valid[rt]
	return ok
}

// Refresh implements tokens.Refresher.
func (o *oauthServer) Refresh(ctx context.Context, rt tokens.Sensitive) (tokens.Grant, error) {
	g, err := o.refresh(ctx, rt)
	if err != nil && o.leaky {
		err = fmt.Errorf("%w (refresh_token=%s)", err, rt.Reveal())
	}
	return g, err
}

func (o *oauthServer) refresh(ctx context.Context, rt tokens.Sensitive) (tokens.Grant, error) {
	o.calls.Add(1)
	if o.before != nil {
		o.before(rt)
	}
	if o.delay > 0 {
		select {
		case <-time.After(o.delay):
		case <-ctx.Done():
			return tokens.Grant{}, ctx.Err()
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail > 0 {
		o.fail--
		return tokens.Grant{}, fmt.Errorf("dial tcp: connection reset")
	}
	if o.inactive {
		return tokens.Grant{}, fmt.Errorf("ghl: 400 Location is not active: %w", tokens.ErrLocationInactive)
	}
	g, ok := o.rotateLocked(rt)
	if !ok {
		o.invalidGrant.Add(1)
		// A careless adapter quoting the token: the token layer must scrub it.
		return tokens.Grant{}, fmt.Errorf("ghl: 400 Invalid grant: refresh token is invalid (token %s): %w", rt.Reveal(), tokens.ErrInvalidGrant)
	}
	if o.lose > 0 {
		o.lose--
		return tokens.Grant{}, fmt.Errorf("ghl: POST /oauth/token: %w", context.DeadlineExceeded)
	}
	return g, nil
}

// rotate consumes rt as another container's refresh would.
func (o *oauthServer) rotate(rt tokens.Sensitive) (tokens.Grant, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.rotateLocked(rt)
}

func (o *oauthServer) rotateLocked(rt tokens.Sensitive) (tokens.Grant, bool) {
	loc, ok := o.valid[rt]
	if !ok {
		return tokens.Grant{}, false
	}
	delete(o.valid, rt)
	o.refreshes.Add(1)
	access, refresh := o.issueLocked(loc)
	return tokens.Grant{AccessToken: access, RefreshToken: refresh, ExpiresIn: 86399 * time.Second,
		Scope: "contacts.readonly contacts.write", UserType: tokens.UserTypeLocation, LocationID: loc, CompanyID: "co1"}, true
}

// env is one test's shared world: a Secrets Manager double, a lease store,
// an install registry and a GHL token endpoint.
type env struct {
	t        *testing.T
	sm       *secretstest.Server
	client   *secretsmanager.Client
	clock    *clock
	leases   *leases
	installs *installs
	oauth    *oauthServer
	minter   tokens.LocationTokenMinter
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c := newClock()
	sm := secretstest.Start(t, secretstest.WithClock(c.Now))
	return &env{t: t, sm: sm, client: sm.Client(), clock: c, leases: newLeases(), installs: newInstalls(), oauth: newOAuthServer(c)}
}

// provider returns a new "container".
func (e *env) provider(mod ...func(*tokens.Config)) *tokens.Provider {
	e.t.Helper()
	cfg := tokens.Config{
		Secrets: e.client, Leases: e.leases, Installations: e.installs, Refresher: e.oauth, Minter: e.minter,
		SecretPrefix: "ghlsync/test", Now: e.clock.Now,
		PollInterval: 2 * time.Millisecond, MaxWait: 5 * time.Second,
	}
	for _, m := range mod {
		m(&cfg)
	}
	p, err := tokens.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// seedOAuth creates the location secret with a pair issued by the OAuth
// server, expiring in ttl; it returns the pair.
func (e *env) seedOAuth(locationID string, ttl time.Duration) (access, refresh tokens.Sensitive) {
	e.t.Helper()
	access, refresh = e.oauth.issue(locationID)
	e.putSecret("ghlsync/test/locations/"+locationID, tokens.EncodeOAuthSecret(tokens.OAuthSecret{
		AccessToken: access, RefreshToken: refresh, ExpiresAt: e.clock.Now().Add(ttl),
		Scope: "contacts.readonly", UserType: tokens.UserTypeLocation, CompanyID: "co1", LocationID: locationID,
	}))
	return access, refresh
}

func (e *env) putSecret(name string, body []byte) {
	e.t.Helper()
	_, err := e.client.PutSecretValue(e.t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(string(body))})
	if err == nil {
		return
	}
	if _, err := e.client.CreateSecret(e.t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(string(body))}); err != nil {
		e.t.Fatal(err)
	}
}

// current reads the location secret's AWSCURRENT document.
func (e *env) current(locationID string) tokens.OAuthSecret {
	e.t.Helper()
	out, err := e.client.GetSecretValue(e.t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("ghlsync/test/locations/" + locationID), VersionStage: aws.String("AWSCURRENT")})
	if err != nil {
		e.t.Fatal(err)
	}
	s, err := tokens.ParseOAuthSecret([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}
