package incidentio

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Default budget of an incident.io API key (info.description, "Rate
// Limits"): a token bucket of 1,200 requests refilled at 20 per second.
const (
	DefaultRatePerMinute = 1200
	DefaultBurst         = 1200
)

// RateLimiter is the client side of incident.io's token bucket, kept as a
// GCRA (generic cell rate algorithm) on integer durations: a request may
// go when the bucket holds a token, and tokens come back one per
// 60s/ratePerMinute. It also
//
//   - pauses every request after a 429 until Retry-After has passed, and
//   - lowers its own allowance when a response reports fewer remaining
//     requests for the same limit (other processes share the API key).
//
// A RateLimiter is safe for concurrent use; share one per API key.
type RateLimiter struct {
	clock    Clock
	interval time.Duration // one token per interval
	burst    int
	perMin   int

	mu     sync.Mutex
	tat    time.Time // theoretical arrival time of the next request
	paused time.Time
}

// NewRateLimiter returns a limiter of ratePerMinute requests per minute
// holding up to burst tokens (both > 0), starting full, on clock (the
// system clock if nil).
func NewRateLimiter(clock Clock, ratePerMinute, burst int) (*RateLimiter, error) {
	if ratePerMinute <= 0 || burst <= 0 {
		return nil, fmt.Errorf("incidentio: NewRateLimiter(%d, %d): %w: want positive rate and burst", ratePerMinute, burst, ErrInvalidArgument)
	}
	if clock == nil {
		clock = systemClock{}
	}
	return &RateLimiter{clock: clock, interval: time.Minute / time.Duration(ratePerMinute), burst: burst, perMin: ratePerMinute}, nil
}

// Wait blocks until a request may be sent and takes its token. It returns
// ctx.Err() if ctx ends first, and fails at once (wrapping
// context.DeadlineExceeded) when the wait would pass ctx's deadline.
func (l *RateLimiter) Wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		now := l.clock.Now()
		until := l.tat.Add(-time.Duration(l.burst-1) * l.interval)
		if l.paused.After(until) {
			until = l.paused
		}
		if !until.After(now) {
			if l.tat.Before(now) {
				l.tat = now
			}
			l.tat = l.tat.Add(l.interval)
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		d := until.Sub(now)
		if deadline, ok := ctx.Deadline(); ok && !now.Add(d).Before(deadline) {
			return fmt.Errorf("incidentio: waiting %s for the rate limit would pass the deadline: %w", d, context.DeadlineExceeded)
		}
		if err := l.clock.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// Remaining returns how many requests the limiter would let through now.
func (l *RateLimiter) Remaining() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.remaining(l.clock.Now())
}

func (l *RateLimiter) remaining(now time.Time) int {
	if now.Before(l.paused) {
		return 0
	}
	used := 0
	if l.tat.After(now) {
		used = int((l.tat.Sub(now) + l.interval - 1) / l.interval)
	}
	if r := l.burst - used; r > 0 {
		return r
	}
	return 0
}

// pause holds every request until t (a 429's Retry-After).
func (l *RateLimiter) pause(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t.After(l.paused) {
		l.paused = t
	}
}

// observe lowers the allowance to what the server reported for the same
// limit. Headers for a lower, endpoint-specific limit are not applied to
// the key's bucket.
func (l *RateLimiter) observe(r Rate) {
	if !r.Known() || r.Limit != l.perMin {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if r.Remaining >= l.remaining(now) {
		return
	}
	tat := now.Add(time.Duration(l.burst-r.Remaining) * l.interval)
	if tat.After(l.tat) {
		l.tat = tat
	}
}
