package incidentio

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Rate is the rate-limit state a response reported (info.description,
// "Rate limit headers"). Headers are omitted when incident.io cannot tell;
// then Known is false.
type Rate struct {
	// Limit is the binding quota: the first number of X-RateLimit-Limit.
	Limit int
	// Remaining and Used count requests against the binding limit.
	Remaining int
	Used      int
	// Reset is when the binding limit is back to full.
	Reset time.Time
	known bool
}

// Known reports whether the response carried X-RateLimit-Limit and
// X-RateLimit-Remaining.
func (r Rate) Known() bool { return r.known }

// ParseRate reads the X-RateLimit-* headers.
func ParseRate(h http.Header) Rate {
	var r Rate
	lim := h.Get("X-RateLimit-Limit")
	first, _, _ := strings.Cut(lim, ",")
	first, _, _ = strings.Cut(first, ";")
	n, err1 := strconv.Atoi(strings.TrimSpace(first))
	rem, err2 := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	if err1 == nil && err2 == nil {
		r.Limit, r.Remaining, r.known = n, rem, true
	}
	r.Used, _ = strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Used")))
	if s, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 10, 64); err == nil {
		r.Reset = time.Unix(s, 0)
	}
	return r
}

// retryAfter returns how long a 429 asks to wait: Retry-After (seconds,
// preferred by the docs), else X-RateLimit-Reset, else 1 s.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After"))); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if r := ParseRate(h); !r.Reset.IsZero() && r.Reset.After(now) {
		return r.Reset.Sub(now)
	}
	return time.Second
}
