package ghlsandbox

import (
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a Sandbox. The zero value is usable: real clock, GHL's
// documented rate limits, 24 h access tokens, GHL's redelivery schedule.
type Options struct {
	// Clock drives timestamps, token expiry, rate-limit windows and webhook
	// redelivery. Default RealClock.
	Clock Clock
	// Seed makes ids, seeded data and every randomised decision (faults,
	// retry jitter) reproducible. 0 is a valid seed.
	Seed uint64
	// RateLimit configures the per (app, location) limits.
	RateLimit RateLimitOptions
	// AccessTokenTTL is the OAuth access-token lifetime; default 86399 s.
	AccessTokenTTL time.Duration
	// Webhooks configures delivery.
	Webhooks WebhookOptions
	// Ed25519Key signs X-GHL-Signature; generated when nil.
	Ed25519Key ed25519.PrivateKey
	// RSAKey signs x-wh-signature; when nil a 4096-bit key is generated
	// once per process (slow) and shared by every sandbox.
	RSAKey *rsa.PrivateKey
}

// RateLimitOptions configure GHL's per (app, location) limits (NOTES §6.1).
type RateLimitOptions struct {
	// Disabled turns enforcement off; the headers are still sent.
	Disabled bool
	// Burst requests per Interval; default 100.
	Burst int
	// Interval of the burst window; default 10 s.
	Interval time.Duration
	// Daily requests per sandbox-clock UTC day; default 200,000.
	Daily int
}

// WebhookOptions configure webhook delivery (NOTES §7.3).
type WebhookOptions struct {
	// RetryInterval between redeliveries after a 429; default 10 min.
	RetryInterval time.Duration
	// RetryJitter is the maximum random (seeded) delay added to
	// RetryInterval; default 5 min, negative for none.
	RetryJitter time.Duration
	// MaxRetries after the first attempt; default 6.
	MaxRetries int
	// Client posts the webhooks; default a client with a 10 s timeout.
	Client *http.Client
}

func (o *Options) defaults() {
	if o.Clock == nil {
		o.Clock = RealClock{}
	}
	if o.RateLimit.Burst <= 0 {
		o.RateLimit.Burst = 100
	}
	if o.RateLimit.Interval <= 0 {
		o.RateLimit.Interval = 10 * time.Second
	}
	if o.RateLimit.Daily <= 0 {
		o.RateLimit.Daily = 200000
	}
	if o.AccessTokenTTL <= 0 {
		o.AccessTokenTTL = 86399 * time.Second
	}
	if o.Webhooks.RetryInterval <= 0 {
		o.Webhooks.RetryInterval = 10 * time.Minute
	}
	if o.Webhooks.RetryJitter < 0 {
		o.Webhooks.RetryJitter = 0
	} else if o.Webhooks.RetryJitter == 0 {
		o.Webhooks.RetryJitter = 5 * time.Minute
	}
	if o.Webhooks.MaxRetries <= 0 {
		o.Webhooks.MaxRetries = 6
	}
	if o.Webhooks.Client == nil {
		o.Webhooks.Client = &http.Client{Timeout: 10 * time.Second}
	}
}

// Sandbox is a stateful in-process fake of the GHL API v2. It is an
// http.Handler; all methods are safe for concurrent use.
type Sandbox struct {
	opts  Options
	clock Clock
	ids   *idGen

	mu        sync.RWMutex
	locations map[string]*location
	locOrder  []string
	companies map[string]*company
	apps      map[string]*App // by id
	clients   map[string]*App // by client id
	installs  map[string]*install
	defApp    *App
	defCo     string

	index sync.Map // entity id -> *location (contacts, appointments, businesses)

	auth    *authStore
	limiter *limiter
	faults  atomic.Pointer[faultState]
	hooks   *webhooks
	counts  sync.Map // operation id -> *atomic.Int64
	routes  []*route
}

type company struct {
	id   string
	name string
}

// ErrNotFound reports an unknown location, app, contact or other entity in a
// sandbox method call.
var ErrNotFound = errors.New("ghlsandbox: not found")

// New builds a sandbox with one company (agency) and one marketplace app
// (App()), and no locations: add them with AddLocation or Seed.
func New(opts Options) (*Sandbox, error) {
	opts.defaults()
	s := &Sandbox{
		opts: opts, clock: opts.Clock, ids: newIDGen(opts.Seed),
		locations: map[string]*location{}, companies: map[string]*company{},
		apps: map[string]*App{}, clients: map[string]*App{}, installs: map[string]*install{},
	}
	s.auth = newAuthStore()
	s.limiter = newLimiter(opts.RateLimit)
	s.faults.Store(newFaultState(Faults{}))
	hooks, err := newWebhooks(s, opts)
	if err != nil {
		return nil, err
	}
	s.hooks = hooks
	s.routes = buildRoutes()
	co := &company{id: s.ids.id(), name: "Sandbox Agency"}
	s.companies[co.id] = co
	s.defCo = co.id
	s.defApp = s.registerApp("ghlsync sandbox app")
	return s, nil
}

// Close stops webhook delivery; pending deliveries are abandoned.
func (s *Sandbox) Close() { s.hooks.close() }

// Clock returns the sandbox clock.
func (s *Sandbox) Clock() Clock { return s.clock }

// CompanyID returns the id of the sandbox's agency (company).
func (s *Sandbox) CompanyID() string { return s.defCo }

func (s *Sandbox) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

// LocationOptions describe a new location (sub-account).
type LocationOptions struct {
	// ID is the location id; generated when empty.
	ID string
	// Name of the sub-account.
	Name string
	// Timezone is an IANA zone for appointment times; default UTC.
	Timezone string
}

// LocationInfo describes a location.
type LocationInfo struct {
	ID         string
	CompanyID  string
	Name       string
	Timezone   string
	CalendarID string // the location's default calendar
	Active     bool
	// AllowDuplicates is the "Allow Duplicate Contact" setting.
	AllowDuplicates bool
	// MatchOrder is the duplicate-matching priority ("email", "phone").
	MatchOrder []string
}

// AddLocation creates a location under the sandbox company.
func (s *Sandbox) AddLocation(o LocationOptions) (LocationInfo, error) {
	tz := time.UTC
	if o.Timezone != "" {
		z, err := time.LoadLocation(o.Timezone)
		if err != nil {
			return LocationInfo{}, fmt.Errorf("ghlsandbox: add location: %w", err)
		}
		tz = z
	}
	if o.ID == "" {
		o.ID = s.ids.id()
	}
	if o.Name == "" {
		o.Name = "Location " + o.ID[:6]
	}
	l := newLocation(o.ID, s.defCo, o.Name, tz, s.ids.id())
	s.mu.Lock()
	if _, dup := s.locations[o.ID]; dup {
		s.mu.Unlock()
		return LocationInfo{}, fmt.Errorf("ghlsandbox: location %s already exists", o.ID)
	}
	s.locations[o.ID] = l
	s.locOrder = append(s.locOrder, o.ID)
	s.mu.Unlock()
	return l.info(), nil
}

func (l *location) info() LocationInfo {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return LocationInfo{ID: l.id, CompanyID: l.companyID, Name: l.name, Timezone: l.timezone.String(), CalendarID: l.calendar,
		Active: l.active, AllowDuplicates: l.allowDup, MatchOrder: append([]string(nil), l.matchOrder...)}
}

// Locations lists the locations in creation order.
func (s *Sandbox) Locations() []LocationInfo {
	s.mu.RLock()
	ids := append([]string(nil), s.locOrder...)
	s.mu.RUnlock()
	out := make([]LocationInfo, 0, len(ids))
	for _, id := range ids {
		if l := s.location(id); l != nil {
			out = append(out, l.info())
		}
	}
	return out
}

func (s *Sandbox) location(id string) *location {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.locations[id]
}

func (s *Sandbox) mustLocation(id string) (*location, error) {
	if l := s.location(id); l != nil {
		return l, nil
	}
	return nil, fmt.Errorf("location %s: %w", id, ErrNotFound)
}

// SetLocationActive flips the location's "active" state. An inactive location
// answers token refreshes with 400 "Location is not active" without
// consuming the refresh token (NOTES §5).
func (s *Sandbox) SetLocationActive(locationID string, active bool) error {
	l, err := s.mustLocation(locationID)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.active = active
	l.mu.Unlock()
	return nil
}

// SetAllowDuplicates sets the location's "Allow Duplicate Contact" setting
// and, when order is given, the matching priority ("email", "phone") used by
// upsert and duplicate search (NOTES §4.3).
func (s *Sandbox) SetAllowDuplicates(locationID string, allow bool, order ...string) error {
	l, err := s.mustLocation(locationID)
	if err != nil {
		return err
	}
	for _, f := range order {
		if f != "email" && f != "phone" {
			return fmt.Errorf("ghlsandbox: match field %q: want email or phone", f)
		}
	}
	l.mu.Lock()
	l.allowDup = allow
	if len(order) > 0 {
		l.matchOrder = append([]string(nil), order...)
	}
	l.mu.Unlock()
	return nil
}

// RequestCounts returns how many requests each operation (spec operationId)
// received, whatever their outcome.
func (s *Sandbox) RequestCounts() map[string]int64 {
	out := map[string]int64{}
	s.counts.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

// RequestCount returns the number of requests to one operation.
func (s *Sandbox) RequestCount(operationID string) int64 {
	if v, ok := s.counts.Load(operationID); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// ResetRequestCounts zeroes the request counters.
func (s *Sandbox) ResetRequestCounts() {
	s.counts.Range(func(k, v any) bool {
		v.(*atomic.Int64).Store(0)
		return true
	})
}

func (s *Sandbox) count(op string) {
	v, ok := s.counts.Load(op)
	if !ok {
		v, _ = s.counts.LoadOrStore(op, new(atomic.Int64))
	}
	v.(*atomic.Int64).Add(1)
}
