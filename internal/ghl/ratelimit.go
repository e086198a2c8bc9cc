package ghl

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Default burst budget of GHL: 100 requests per 10 s per app and location
// (NOTES §6.1).
const (
	DefaultRateLimit    = 100
	DefaultRateInterval = 10 * time.Second
	// DefaultDailyProbeInterval is how long a limiter refuses requests after
	// GHL reported the daily budget spent, before it lets one through to
	// read fresh headers. GHL does not document when the day resets.
	DefaultDailyProbeInterval = 15 * time.Minute
)

// RateLimiter paces the requests of one location so that they never exceed
// GHL's burst budget. It starts at 100 requests per 10 s and adapts to the
// X-RateLimit-* headers of every response: the window size and maximum
// they announce, and the remaining budget (which other processes sharing
// the location also spend). It keeps a sliding log of its own send times,
// so it stays under the limit whether GHL counts in fixed or sliding
// windows. When the daily budget is reported spent it fails fast with a
// *RateLimitError (Daily) instead of sleeping for hours.
//
// A RateLimiter is safe for concurrent use.
type RateLimiter struct {
	clock Clock

	mu       sync.Mutex
	limit    int
	interval time.Duration
	sent     []time.Time // send times within the last interval, oldest first
	inflight int

	// The last budget GHL reported: at most serverRemaining more requests
	// until serverUntil.
	serverRemaining int
	serverUntil     time.Time

	dailyProbe time.Duration
	dailyUntil time.Time
	lastRate   Rate
	locationID string
}

// NewRateLimiter returns a limiter on clock (the system clock if nil) with
// GHL's default budget.
func NewRateLimiter(clock Clock) *RateLimiter {
	if clock == nil {
		clock = systemClock{}
	}
	return &RateLimiter{
		clock:      clock,
		limit:      DefaultRateLimit,
		interval:   DefaultRateInterval,
		dailyProbe: DefaultDailyProbeInterval,
	}
}

// Limit returns the burst budget the limiter currently enforces.
func (l *RateLimiter) Limit() (n int, per time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit, l.interval
}

// Wait blocks until a request may be sent, and counts it as sent. It
// returns a *RateLimitError at once when the daily budget is spent or when
// the wait would pass ctx's deadline (that error also matches
// context.DeadlineExceeded), and ctx.Err() if ctx ends first.
func (l *RateLimiter) Wait(ctx context.Context) error {
	if err := l.wait(ctx); err != nil {
		return err
	}
	l.release()
	return nil
}

func (l *RateLimiter) wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		now := l.clock.Now()
		if now.Before(l.dailyUntil) {
			err := &RateLimitError{LocationID: l.locationID, Rate: l.lastRate, RetryAt: l.dailyUntil, Daily: true}
			l.mu.Unlock()
			return err
		}
		l.prune(now)
		var until time.Time
		if len(l.sent) >= l.limit {
			until = l.sent[len(l.sent)-l.limit].Add(l.interval)
		}
		if now.Before(l.serverUntil) && l.serverRemaining <= 0 && l.serverUntil.After(until) {
			until = l.serverUntil
		}
		if !until.After(now) {
			l.sent = append(l.sent, now)
			l.inflight++
			l.serverRemaining--
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()

		d := until.Sub(now)
		if deadline, ok := ctx.Deadline(); ok && !now.Add(d).Before(deadline) {
			return &RateLimitError{LocationID: l.locationID, Rate: l.lastRate, RetryAt: until, Err: fmt.Errorf("waiting %s for the rate limit would pass the deadline: %w", d, context.DeadlineExceeded)}
		}
		if err := l.clock.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// prune drops send times older than the window. l.mu is held.
func (l *RateLimiter) prune(now time.Time) {
	cut := now.Add(-l.interval)
	i := 0
	for i < len(l.sent) && !l.sent[i].After(cut) {
		i++
	}
	if i > 0 {
		l.sent = append(l.sent[:0], l.sent[i:]...)
	}
}

// release ends an in-flight request that got no response.
func (l *RateLimiter) release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight > 0 {
		l.inflight--
	}
}

// observe ends an in-flight request and adapts to the rate its response
// reported.
func (l *RateLimiter) observe(r Rate) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inflight > 0 {
		l.inflight--
	}
	now := l.clock.Now()
	if r.Known() || r.DailyKnown() {
		l.lastRate = r
	}
	if r.Interval > 0 {
		l.interval = r.Interval
	}
	if r.Limit > 0 {
		l.limit = r.Limit
	}
	if r.Known() {
		// Requests still in flight were not yet counted by GHL when it
		// answered: assume they will be.
		l.serverRemaining = r.Remaining - l.inflight
		l.serverUntil = now.Add(l.interval)
	}
	if r.DailyKnown() && r.DailyRemaining <= 0 {
		l.dailyUntil = now.Add(l.dailyProbe)
	}
}

// RateLimiters is a registry of RateLimiters keyed by location ID, so that
// every client of a process shares one budget per location. It is safe for
// concurrent use.
type RateLimiters struct {
	clock Clock
	mu    sync.Mutex
	m     map[string]*RateLimiter
}

// NewRateLimiters returns an empty registry whose limiters use clock (the
// system clock if nil).
func NewRateLimiters(clock Clock) *RateLimiters {
	if clock == nil {
		clock = systemClock{}
	}
	return &RateLimiters{clock: clock, m: map[string]*RateLimiter{}}
}

// For returns the limiter of locationID, creating it on first use. The
// empty ID names one shared limiter for requests whose location is
// unknown.
func (r *RateLimiters) For(locationID string) *RateLimiter {
	r.mu.Lock()
	defer r.mu.Unlock()
	l, ok := r.m[locationID]
	if !ok {
		l = NewRateLimiter(r.clock)
		l.locationID = locationID
		r.m[locationID] = l
	}
	return l
}
