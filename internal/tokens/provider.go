package tokens

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Config configures a Provider. Zero durations take the defaults shown.
type Config struct {
	// Secrets reads and writes token secrets (required).
	Secrets SecretsAPI
	// Leases serialises renewal across containers (required).
	Leases Leaser
	// Installations records reauth_required (required for OAuth installs;
	// without it a ReauthRequiredError carries RecordErr).
	Installations Installations
	// Refresher exchanges refresh tokens (required for OAuth installs,
	// unless LoadRefresher is set).
	Refresher Refresher
	// LoadRefresher builds the Refresher on first use when Refresher is nil:
	// e.g. from the app secret, read only when a token needs refreshing
	// rather than on every cold start. The Refresher it returns is kept; an
	// error fails that refresh before any refresh token is sent (temporary
	// unless it wraps ErrNotConfigured, ErrNoSecret or ErrMalformedSecret),
	// and the next refresh calls it again.
	LoadRefresher func(ctx context.Context) (Refresher, error)
	// Minter mints location tokens from agency tokens (agency installs only).
	Minter LocationTokenMinter

	// SecretPrefix starts every token secret name, e.g. "ghlsync/dev" (required).
	SecretPrefix string
	// Owner names this container in leases; default: random per Provider.
	Owner string

	// RefreshMargin: renew a token this long before it expires (5m).
	RefreshMargin time.Duration
	// MinValidity: never hand out a token with less than this left (30s).
	// When a proactive renewal fails temporarily, a token with more left is
	// served instead of the error.
	MinValidity time.Duration
	// LeaseTTL: how long a renewal lease lives (30s). The renewal itself is
	// bounded to two thirds of it, so a live holder never overruns its lease
	// while it may still call GHL.
	LeaseTTL time.Duration
	// PollInterval: base interval between checks while another container
	// renews (250ms); jittered ±50% and growing to 4× the base.
	PollInterval time.Duration
	// MaxWait: longest wait for another container's renewal (15s).
	MaxWait time.Duration
	// SecretsTimeout bounds one Secrets Manager call (5s).
	SecretsTimeout time.Duration
	// PersistTimeout bounds saving a refreshed token, retries included (20s).
	// Saving continues even if the caller's context ends: the old refresh
	// token is already consumed.
	PersistTimeout time.Duration
	// TokenTimeout bounds Source.Token, which has no context (30s).
	TokenTimeout time.Duration
	// RefreshReserve: do not send a refresh token to GHL when the caller's
	// context ends sooner than this (2s). GHL consumes the token as it
	// answers; a Lambda stopped at its deadline after the answer and before
	// PutSecretValue loses the new pair for good. The reserve covers the
	// refresh call and the save; a still-usable token is served instead, or
	// a temporary error. Keep it well below the function timeout.
	RefreshReserve time.Duration
	// ReauthRecheck: how often a source whose refresh token was rejected
	// re-reads its secret to notice a new install (1m).
	ReauthRecheck time.Duration

	// Now is the clock for expiry and leases (time.Now).
	Now func() time.Time
	// Rand is the random source for jitter and the default Owner (seeded
	// from crypto/rand). It is used under a lock.
	Rand rand.Source
}

func (c *Config) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&c.RefreshMargin, 5*time.Minute)
	set(&c.MinValidity, 30*time.Second)
	set(&c.LeaseTTL, 30*time.Second)
	set(&c.PollInterval, 250*time.Millisecond)
	set(&c.MaxWait, 15*time.Second)
	set(&c.SecretsTimeout, 5*time.Second)
	set(&c.PersistTimeout, 20*time.Second)
	set(&c.TokenTimeout, 30*time.Second)
	set(&c.RefreshReserve, 2*time.Second)
	set(&c.ReauthRecheck, time.Minute)
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		var seed [32]byte
		_, _ = crand.Read(seed[:])
		c.Rand = rand.NewChaCha8(seed)
	}
}

// Provider holds one token Source per location and company, created once
// per process (in main) and shared by every invocation, so tokens stay
// cached across warm invocations. It is safe for concurrent use.
type Provider struct {
	cfg Config

	randMu sync.Mutex
	rnd    *rand.Rand

	refMu  sync.Mutex
	loaded Refresher // what LoadRefresher built

	mu        sync.Mutex
	locations map[string]*Source
	companies map[string]*Source
}

// New returns a Provider for cfg.
func New(cfg Config) (*Provider, error) {
	cfg.defaults()
	switch {
	case cfg.Secrets == nil:
		return nil, fmt.Errorf("%w: Config.Secrets is nil", ErrNotConfigured)
	case cfg.Leases == nil:
		return nil, fmt.Errorf("%w: Config.Leases is nil", ErrNotConfigured)
	}
	if err := ValidatePrefix(cfg.SecretPrefix); err != nil {
		return nil, err
	}
	p := &Provider{cfg: cfg, rnd: rand.New(cfg.Rand), locations: map[string]*Source{}, companies: map[string]*Source{}}
	if p.cfg.Owner == "" {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], p.rnd.Uint64())
		p.cfg.Owner = fmt.Sprintf("tokens-%x", b)
	}
	return p, nil
}

// Owner returns the lease owner name of this Provider.
func (p *Provider) Owner() string { return p.cfg.Owner }

// String describes the provider.
func (p *Provider) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return fmt.Sprintf("tokens.Provider{prefix=%s owner=%s locations=%d companies=%d}", p.cfg.SecretPrefix, p.cfg.Owner, len(p.locations), len(p.companies))
}

// Format prints String() for every verb.
func (p *Provider) Format(f fmt.State, verb rune) { writeRedacted(f, verb, p.String()) }

// Source returns the token source of a location (the same one on every call).
func (p *Provider) Source(locationID string) (*Source, error) {
	return p.source(locationID, false)
}

// CompanySource returns the token source of an agency (company) install.
func (p *Provider) CompanySource(companyID string) (*Source, error) {
	return p.source(companyID, true)
}

func (p *Provider) source(id string, company bool) (*Source, error) {
	m, name, lease := p.locations, LocationSecretName, LocationLeaseName
	if company {
		m, name, lease = p.companies, CompanySecretName, CompanyLeaseName
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := m[id]; s != nil {
		return s, nil
	}
	secretName, err := name(p.cfg.SecretPrefix, id)
	if err != nil {
		return nil, err
	}
	s := &Source{p: p, id: id, company: company, name: secretName, lease: lease(id), sem: make(chan struct{}, 1)}
	m[id] = s
	return s, nil
}

// Token returns a valid access token for the location.
func (p *Provider) Token(ctx context.Context, locationID string) (*oauth2.Token, error) {
	s, err := p.Source(locationID)
	if err != nil {
		return nil, err
	}
	return s.TokenContext(ctx)
}

// TokenSource returns an oauth2.TokenSource for the location bound to ctx
// (use one per invocation; the cache is shared). Do not wrap it in
// oauth2.ReuseTokenSource: it caches already and renews ahead of expiry.
func (p *Provider) TokenSource(ctx context.Context, locationID string) (oauth2.TokenSource, error) {
	s, err := p.Source(locationID)
	if err != nil {
		return nil, err
	}
	return ctxSource{ctx: ctx, s: s}, nil
}

type ctxSource struct {
	ctx context.Context
	s   *Source
}

func (c ctxSource) Token() (*oauth2.Token, error) { return c.s.TokenContext(c.ctx) }

// StoreGrant saves the tokens of a new install (authorization-code exchange)
// in the location's secret, or the company's for UserType Company, creating
// the secret if needed, and makes them the cached token. It clears a
// previous reauth state. The installation record is the caller's.
func (p *Provider) StoreGrant(ctx context.Context, g Grant) (*oauth2.Token, error) {
	var s *Source
	var err error
	if g.UserType == UserTypeCompany {
		s, err = p.CompanySource(g.CompanyID)
	} else {
		s, err = p.Source(g.LocationID)
	}
	if err != nil {
		return nil, err
	}
	if g.AccessToken == "" {
		return nil, s.errorf("store grant", false, fmt.Errorf("%w: grant without access token", ErrMalformedSecret))
	}
	sec := OAuthSecret{
		AccessToken: g.AccessToken, RefreshToken: g.RefreshToken, ExpiresAt: p.cfg.Now().Add(g.ExpiresIn),
		Scope: g.Scope, UserType: g.UserType, CompanyID: g.CompanyID, LocationID: g.LocationID,
	}
	ts := tokenSecret{oauth: &sec}
	return s.store(ctx, ts, encodeOAuth(sec), versionToken("grant", string(g.AccessToken), string(g.RefreshToken)))
}

// StorePIT saves a Private Integration Token as the location's secret.
func (p *Provider) StorePIT(ctx context.Context, locationID string, token Sensitive) (*oauth2.Token, error) {
	s, err := p.Source(locationID)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, s.errorf("store PIT", false, fmt.Errorf("%w: empty token", ErrMalformedSecret))
	}
	sec := PITSecret{Token: token, LocationID: locationID}
	return s.store(ctx, tokenSecret{pit: &sec}, encodePIT(sec), versionToken("pit", string(token)))
}

// MintLocation mints a location token from the company's token and saves it
// as the location's secret (agency installs: on INSTALL of a location, or to
// repair a missing secret). Later renewals mint again by themselves.
func (p *Provider) MintLocation(ctx context.Context, companyID, locationID string) (*oauth2.Token, error) {
	if err := ValidateID(companyID); err != nil {
		return nil, err
	}
	s, err := p.Source(locationID)
	if err != nil {
		return nil, err
	}
	if err := s.lock(ctx); err != nil {
		return nil, s.errorf("wait for token source", true, err)
	}
	defer s.unlock()
	if t := s.cached(); t != nil {
		return t, nil
	}
	if err := s.renew(ctx, companyID); err != nil {
		return nil, err
	}
	return s.current(), nil
}

// refresher returns Config.Refresher, else the Refresher
// Config.LoadRefresher builds (once it succeeds).
func (p *Provider) refresher(ctx context.Context) (Refresher, error) {
	if p.cfg.Refresher != nil {
		return p.cfg.Refresher, nil
	}
	if p.cfg.LoadRefresher == nil {
		return nil, fmt.Errorf("%w: no Refresher", ErrNotConfigured)
	}
	p.refMu.Lock()
	defer p.refMu.Unlock()
	if p.loaded != nil {
		return p.loaded, nil
	}
	r, err := p.cfg.LoadRefresher(ctx)
	switch {
	case err != nil:
		return nil, err
	case r == nil:
		return nil, fmt.Errorf("%w: LoadRefresher returned no Refresher", ErrNotConfigured)
	}
	p.loaded = r
	return r, nil
}

// jitter returns d scaled by a random factor in [0.5, 1.5).
func (p *Provider) jitter(d time.Duration) time.Duration {
	p.randMu.Lock()
	f := 0.5 + p.rnd.Float64()
	p.randMu.Unlock()
	return time.Duration(float64(d) * f)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// errNotSaved marks a refreshed or minted token that could not be saved.
var errNotSaved = errors.New("tokens: renewed token not saved to Secrets Manager")
