package ghl

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The rate-limit headers GHL sends (NOTES §6.1).
const (
	HeaderRateLimitMax            = "X-RateLimit-Max"
	HeaderRateLimitRemaining      = "X-RateLimit-Remaining"
	HeaderRateLimitInterval       = "X-RateLimit-Interval-Milliseconds"
	HeaderRateLimitDailyLimit     = "X-RateLimit-Limit-Daily"
	HeaderRateLimitDailyRemaining = "X-RateLimit-Daily-Remaining"
)

// Rate is the rate-limit state a response reports: a burst budget of Limit
// requests per Interval, and a daily budget. Fields of headers that were
// absent are zero; Known and DailyKnown say which were present.
type Rate struct {
	// Limit is the burst maximum per Interval (X-RateLimit-Max).
	Limit int
	// Remaining is what is left of the burst budget (X-RateLimit-Remaining).
	Remaining int
	// Interval is the burst window (X-RateLimit-Interval-Milliseconds).
	Interval time.Duration
	// DailyLimit is the daily budget (X-RateLimit-Limit-Daily).
	DailyLimit int
	// DailyRemaining is what is left today (X-RateLimit-Daily-Remaining).
	DailyRemaining int

	known, dailyKnown bool
}

// The header names in the canonical form http.Header keys are stored in
// ("X-Ratelimit-Max"), so that reading them is a map lookup: Header.Get
// would canonicalize the documented spelling again, allocating, on every
// response.
var (
	canonRateLimitMax            = http.CanonicalHeaderKey(HeaderRateLimitMax)
	canonRateLimitRemaining      = http.CanonicalHeaderKey(HeaderRateLimitRemaining)
	canonRateLimitInterval       = http.CanonicalHeaderKey(HeaderRateLimitInterval)
	canonRateLimitDailyLimit     = http.CanonicalHeaderKey(HeaderRateLimitDailyLimit)
	canonRateLimitDailyRemaining = http.CanonicalHeaderKey(HeaderRateLimitDailyRemaining)
)

// ParseRate reads the X-RateLimit-* headers of h. Malformed values are
// treated as absent.
func ParseRate(h http.Header) Rate {
	var r Rate
	var ok bool
	if r.Remaining, ok = headerInt(h, canonRateLimitRemaining); ok {
		r.known = true
	}
	r.Limit, _ = headerInt(h, canonRateLimitMax)
	if ms, ok := headerInt(h, canonRateLimitInterval); ok && ms > 0 {
		r.Interval = time.Duration(ms) * time.Millisecond
	}
	if r.DailyRemaining, ok = headerInt(h, canonRateLimitDailyRemaining); ok {
		r.dailyKnown = true
	}
	r.DailyLimit, _ = headerInt(h, canonRateLimitDailyLimit)
	return r
}

// Known reports whether the burst headers were present.
func (r Rate) Known() bool { return r.known }

// DailyKnown reports whether the daily headers were present.
func (r Rate) DailyKnown() bool { return r.dailyKnown }

// headerInt reads the first value of the canonical key name.
func headerInt(h http.Header, name string) (int, bool) {
	vs := h[name]
	if len(vs) == 0 {
		return 0, false
	}
	v := strings.TrimSpace(vs[0])
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, false
	}
	return n, true
}
