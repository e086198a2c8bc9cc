package ghlsandbox

import (
	"sort"
	"sync"
	"time"
)

// Clock is the sandbox's notion of time. Token expiry, rate-limit windows,
// timestamps and webhook redelivery all read it, so tests can run hours of
// GHL time in milliseconds.
type Clock interface {
	// Now returns the current sandbox time.
	Now() time.Time
	// AfterFunc runs f in its own goroutine once d of sandbox time has
	// passed. The returned function cancels the call if it has not run yet.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// RealClock is the wall clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// AfterFunc wraps time.AfterFunc.
func (RealClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// ScaledClock runs Scale times faster than the wall clock, starting at Start:
// with Scale 100000 the ten-minute webhook redelivery interval passes in 6 ms.
type ScaledClock struct {
	start time.Time
	real  time.Time
	scale float64
}

// NewScaledClock returns a clock that reads start now and advances scale
// sandbox seconds per real second. scale must be positive.
func NewScaledClock(start time.Time, scale float64) *ScaledClock {
	if scale <= 0 {
		scale = 1
	}
	return &ScaledClock{start: start, real: time.Now(), scale: scale}
}

// Now returns the scaled time.
func (c *ScaledClock) Now() time.Time {
	el := time.Since(c.real)
	return c.start.Add(time.Duration(float64(el) * c.scale))
}

// AfterFunc runs f after d/scale of real time.
func (c *ScaledClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(time.Duration(float64(d)/c.scale), f).Stop
}

// FakeClock stands still until Advance is called. Functions scheduled with
// AfterFunc run (each in its own goroutine) when Advance passes their time.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*fakeTimer
}

type fakeTimer struct {
	at  time.Time
	seq int
	f   func()
}

// NewFakeClock returns a stopped clock reading start.
func NewFakeClock(start time.Time) *FakeClock { return &FakeClock{now: start} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f at Now()+d.
func (c *FakeClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for i, x := range c.timers {
			if x == t {
				c.timers = append(c.timers[:i], c.timers[i+1:]...)
				return true
			}
		}
		return false
	}
}

// Advance moves the clock forward by d and starts every function that
// became due, in time order.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due, keep []*fakeTimer
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			due = append(due, t)
		} else {
			keep = append(keep, t)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool {
		if due[i].at.Equal(due[j].at) {
			return due[i].seq < due[j].seq
		}
		return due[i].at.Before(due[j].at)
	})
	for _, t := range due {
		go t.f()
	}
}

// Pending reports how many scheduled functions have not run yet.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}
