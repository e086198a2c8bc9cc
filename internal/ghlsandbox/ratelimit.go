package ghlsandbox

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter keeps one burst window and one daily counter per (app, location)
// (NOTES §6.1): a fixed window of Interval that opens with the first request,
// and a counter per UTC day of the sandbox clock.
type limiter struct {
	opts    RateLimitOptions
	buckets sync.Map // key -> *bucket
}

type bucket struct {
	mu       sync.Mutex
	winStart time.Time
	n        int
	day      int // year*1000 + yearday
	dayN     int
}

func newLimiter(o RateLimitOptions) *limiter { return &limiter{opts: o} }

func (l *limiter) bucket(key string) *bucket {
	if b, ok := l.buckets.Load(key); ok {
		return b.(*bucket)
	}
	b, _ := l.buckets.LoadOrStore(key, &bucket{})
	return b.(*bucket)
}

func dayKey(t time.Time) int {
	t = t.UTC()
	return t.Year()*1000 + t.YearDay()
}

// roll starts a new window or day when due. Caller holds b.mu.
func (b *bucket) roll(now time.Time, o RateLimitOptions) {
	if b.winStart.IsZero() || !now.Before(b.winStart.Add(o.Interval)) {
		b.winStart, b.n = now, 0
	}
	if d := dayKey(now); d != b.day {
		b.day, b.dayN = d, 0
	}
}

// take counts one request; false means it must be answered with 429.
// Refused requests are not counted.
func (b *bucket) take(now time.Time, o RateLimitOptions) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now, o)
	if !o.Disabled && (b.n >= o.Burst || b.dayN >= o.Daily) {
		return false
	}
	b.n++
	b.dayN++
	return true
}

// headers sets the five documented rate-limit headers. Requests without an
// authenticated (app, location) show the full allowance.
func (l *limiter) headers(h http.Header, b *bucket, now time.Time) {
	o := l.opts
	remaining, dailyRemaining := o.Burst, o.Daily
	if b != nil {
		b.mu.Lock()
		b.roll(now, o)
		remaining, dailyRemaining = max(0, o.Burst-b.n), max(0, o.Daily-b.dayN)
		b.mu.Unlock()
	}
	h.Set("X-RateLimit-Max", strconv.Itoa(o.Burst))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Interval-Milliseconds", strconv.FormatInt(o.Interval.Milliseconds(), 10))
	h.Set("X-RateLimit-Limit-Daily", strconv.Itoa(o.Daily))
	h.Set("X-RateLimit-Daily-Remaining", strconv.Itoa(dailyRemaining))
}
