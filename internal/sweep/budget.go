package sweep

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
)

// RateStore is the shared rate budget of the store (store.Store's
// TakeRateBudget): a window per location that every container takes from.
type RateStore interface {
	TakeRateBudget(ctx context.Context, locationID string, n, max int, window time.Duration, now time.Time) (granted int, resetAt time.Time, err error)
}

// Budget defaults: GHL's burst limit, the share sweeps may use of it (the
// rest is headroom for webhook traffic, which may use the whole window),
// and how many requests a sweep reserves per store round trip.
const (
	DefaultSweepShare = 0.95
	DefaultSweepChunk = 10
)

// ErrBudgetDeadline reports that the shared rate budget has nothing left
// before the request's deadline: the request was not sent.
var ErrBudgetDeadline = errors.New("sweep: no rate budget before the deadline")

// Budget is the per-location GHL request budget shared across containers
// through the store (one fixed window per location, store.TakeRateBudget),
// on top of each client's own per-location limiter (which also follows the
// X-RateLimit-* headers). Every GHL request of a process takes one unit:
// webhook traffic up to the whole Limit, sweep traffic (contexts marked by
// ForSweep) only up to SweepShare of it, so that a running sweep leaves
// room for webhooks. Sweeps reserve SweepChunk units per store call to keep
// the store traffic small; unused units lapse with their window.
//
// Sweeps also pace their requests evenly (Pace, called before the GHL
// client's own limiter): a burst at the start of each window would meet
// GHL's own window (which opens with its first request), the client's
// sliding log and the remaining count GHL reports out of phase, and lose
// half the rate to waiting; evenly paced, no 10 s span ever holds more
// than the share, so a sweep keeps its share of the limit and leaves the
// rest free.
//
// A Budget is safe for concurrent use. Its zero value is not usable; set
// Store (the other fields have defaults).
type Budget struct {
	Store RateStore
	// Limit requests per Window (GHL: 100 per 10 s).
	Limit  int
	Window time.Duration
	// SweepShare is the fraction of Limit sweeps may take (default 0.95).
	SweepShare float64
	// SweepChunk is how many units a sweep reserves at once (default 10).
	SweepChunk int
	// Clock is the clock of the windows (the GHL client's; system if nil).
	Clock ghl.Clock

	mu   sync.Mutex
	held map[reserveKey]*reserve
	next map[string]time.Time // the next free sweep slot per location
}

type reserveKey struct {
	location string
	sweep    bool
}

type reserve struct {
	n     int
	until time.Time
}

type sweepKey struct{}

// ForSweep marks ctx as sweep traffic: its GHL requests take from the
// sweep share of the budget.
func ForSweep(ctx context.Context) context.Context { return context.WithValue(ctx, sweepKey{}, true) }

func isSweep(ctx context.Context) bool { v, _ := ctx.Value(sweepKey{}).(bool); return v }

func (b *Budget) defaults() (limit int, window time.Duration, share float64, chunk int, clock ghl.Clock) {
	limit, window, share, chunk, clock = b.Limit, b.Window, b.SweepShare, b.SweepChunk, b.Clock
	if limit <= 0 {
		limit = ghl.DefaultRateLimit
	}
	if window <= 0 {
		window = ghl.DefaultRateInterval
	}
	if share <= 0 || share > 1 {
		share = DefaultSweepShare
	}
	if chunk <= 0 {
		chunk = DefaultSweepChunk
	}
	if clock == nil {
		clock = ghl.SystemClock()
	}
	return
}

// Take takes one request from locationID's budget, waiting (on Clock) for
// the next window when the current one is spent. It fails with
// ErrBudgetDeadline at once when the wait would pass ctx's deadline.
func (b *Budget) Take(ctx context.Context, locationID string) error {
	limit, window, share, chunk, clock := b.defaults()
	sweep := isSweep(ctx)
	maxN, n := limit, 1
	if sweep {
		maxN, n = max(1, int(float64(limit)*share)), chunk
	}
	key := reserveKey{locationID, sweep}
	for {
		now := clock.Now()
		b.mu.Lock()
		if r := b.held[key]; r != nil && r.n > 0 && now.Before(r.until) {
			r.n--
			b.mu.Unlock()
			return nil
		}
		b.mu.Unlock()
		granted, resetAt, err := b.Store.TakeRateBudget(ctx, locationID, n, maxN, window, now)
		if err != nil {
			return fmt.Errorf("rate budget of location %s: %w", locationID, err)
		}
		if granted > 0 {
			if granted > 1 {
				b.mu.Lock()
				if b.held == nil {
					b.held = map[reserveKey]*reserve{}
				}
				b.held[key] = &reserve{n: granted - 1, until: resetAt}
				b.mu.Unlock()
			}
			return nil
		}
		wait := resetAt.Sub(now)
		if deadline, ok := ctx.Deadline(); ok && !now.Add(wait).Before(deadline) {
			return fmt.Errorf("location %s: window resets in %s: %w", locationID, wait, ErrBudgetDeadline)
		}
		if err := clock.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// Pace waits for the location's next sweep request slot, one every
// Window/(SweepShare × Limit). It fails with ErrBudgetDeadline at once when
// the slot is past ctx's deadline. Call it before the request enters the
// GHL client (whose limiter counts a request waiting in the transport as
// in flight).
func (b *Budget) Pace(ctx context.Context, locationID string) error {
	limit, window, share, _, clock := b.defaults()
	gap := window / time.Duration(max(1, int(float64(limit)*share)))
	now := clock.Now()
	b.mu.Lock()
	if b.next == nil {
		b.next = map[string]time.Time{}
	}
	slot := b.next[locationID]
	if slot.Before(now) {
		slot = now
	}
	b.next[locationID] = slot.Add(gap)
	b.mu.Unlock()
	wait := slot.Sub(now)
	if wait <= 0 {
		return nil
	}
	if deadline, ok := ctx.Deadline(); ok && !slot.Before(deadline) {
		return fmt.Errorf("location %s: next sweep slot in %s: %w", locationID, wait, ErrBudgetDeadline)
	}
	return clock.Sleep(ctx, wait)
}

// Transport returns a RoundTripper that takes one unit of locationID's
// budget before each request it sends through base. A request that gets
// no budget in time fails as not sent (a dial error wrapping
// ErrBudgetDeadline), so the GHL client never counts it as ambiguous.
func (b *Budget) Transport(locationID string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &budgetTransport{b: b, location: locationID, base: base}
}

type budgetTransport struct {
	b        *Budget
	location string
	base     http.RoundTripper
}

func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.b.Take(req.Context(), t.location); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	return t.base.RoundTrip(req)
}
