package ghl

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// windowServer is a GHL double enforcing limit requests per fixed window
// of the fake clock, answering with the X-RateLimit-* headers, and 429
// beyond.
type windowServer struct {
	mu          sync.Mutex
	clock       *fakeClock
	limit       int
	window      time.Duration
	start       time.Time
	count       int
	ok, limited int
	daily       int
}

func (s *windowServer) answer(_ int, r *http.Request, _ []byte) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	if s.start.IsZero() || now.Sub(s.start) >= s.window {
		s.start, s.count = now, 0
	}
	h := http.Header{
		"Content-Type":            {"application/json"},
		HeaderRateLimitMax:        {fmt.Sprint(s.limit)},
		HeaderRateLimitInterval:   {fmt.Sprint(s.window.Milliseconds())},
		HeaderRateLimitDailyLimit: {"200000"},
	}
	if s.count >= s.limit {
		s.limited++
		h.Set(HeaderRateLimitRemaining, "0")
		h.Set(HeaderRateLimitDailyRemaining, fmt.Sprint(s.daily))
		return reply{status: 429, header: h, body: []byte(`{"statusCode":429,"message":"Too many requests"}`)}
	}
	s.count++
	s.ok++
	s.daily--
	h.Set(HeaderRateLimitRemaining, fmt.Sprint(s.limit-s.count))
	h.Set(HeaderRateLimitDailyRemaining, fmt.Sprint(s.daily))
	return reply{status: 200, header: h, body: []byte(`{"contact":{"id":"c1"}}`)}
}

func TestRateLimiter250Calls(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	ws := &windowServer{clock: clock, limit: 100, window: 10 * time.Second, daily: 200000}
	srv := newSpecServer(t, ws.answer)
	c := newTestClient(t, bearerClient(srv.Client()), srv.URL, clock, WithLocationID("loc-250"))
	start := clock.Now()
	for i := range 250 {
		if _, _, err := c.Contacts.Get(t.Context(), fmt.Sprintf("c%d", i)); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if ws.limited != 0 || ws.ok != 250 {
		t.Errorf("%d answered, %d × 429; want 250 and 0", ws.ok, ws.limited)
	}
	// 100 at t=0, 100 at t=10 s, 50 at t=20 s: three windows.
	if took := clock.Now().Sub(start); took < 20*time.Second || took >= 30*time.Second {
		t.Errorf("took %v of fake time, want within the third 10 s window", took)
	}
}

func TestRateLimiterAdaptsToHeaders(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	ws := &windowServer{clock: clock, limit: 5, window: 2 * time.Second, daily: 1000}
	srv := newSpecServer(t, ws.answer)
	c := newTestClient(t, bearerClient(srv.Client()), srv.URL, clock, WithLocationID("loc-adapt"))
	for i := range 12 {
		if _, _, err := c.Contacts.Get(t.Context(), "c1"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if n, per := c.RateLimiter("").Limit(); n != 5 || per != 2*time.Second {
		t.Errorf("limit = %d per %v, want 5 per 2s", n, per)
	}
	if ws.limited != 0 {
		t.Errorf("%d × 429, want 0", ws.limited)
	}
	if got := clock.totalSlept(); got < 4*time.Second {
		t.Errorf("slept %v, want two 2 s windows", got)
	}
}

func TestRateLimiterDailyExhausted(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	ws := &windowServer{clock: clock, limit: 100, window: 10 * time.Second, daily: 1}
	srv := newSpecServer(t, ws.answer)
	c := newTestClient(t, bearerClient(srv.Client()), srv.URL, clock, WithLocationID("loc-daily"))
	if _, _, err := c.Contacts.Get(t.Context(), "c1"); err != nil {
		t.Fatalf("first call: %v", err)
	}
	before := clock.Now()
	_, _, err := c.Contacts.Get(t.Context(), "c1")
	var rle *RateLimitError
	if !errors.As(err, &rle) || !rle.Daily || !errors.Is(err, ErrDailyLimit) {
		t.Fatalf("error %v, want a daily *RateLimitError", err)
	}
	if rle.Operation != "get-contact" || rle.LocationID != "loc-daily" || !rle.RetryAt.After(before) {
		t.Errorf("error = %+v", rle)
	}
	if got := len(srv.requests()); got != 1 || clock.Now() != before {
		t.Errorf("%d requests and %v waited, want 1 and no wait", got, clock.Now().Sub(before))
	}
}

func TestDaily429NotRetried(t *testing.T) {
	t.Parallel()
	srv := newSpecServer(t, func(int, *http.Request, []byte) reply {
		return reply{status: 429, header: rateHeaders(0, 0), body: []byte(`{"statusCode":429,"message":"Daily limit"}`)}
	})
	c := newTestClient(t, bearerClient(srv.Client()), srv.URL, newFakeClock())
	_, _, err := c.Contacts.Get(t.Context(), "c1")
	if !errors.Is(err, ErrDailyLimit) {
		t.Fatalf("error %v, want ErrDailyLimit", err)
	}
	if got := len(srv.requests()); got != 1 {
		t.Errorf("%d requests, want 1", got)
	}
}

func TestRateLimiterWaitWouldPassDeadline(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l := NewRateLimiter(clock)
	for range DefaultRateLimit {
		if err := l.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithDeadline(t.Context(), clock.Now().Add(5*time.Second))
	defer cancel()
	before := clock.Now()
	err := l.Wait(ctx)
	var rle *RateLimitError
	if !errors.As(err, &rle) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want a *RateLimitError matching DeadlineExceeded", err)
	}
	if clock.Now() != before {
		t.Errorf("slept %v, want no sleep", clock.Now().Sub(before))
	}
	if want := before.Add(DefaultRateInterval); !rle.RetryAt.Equal(want) {
		t.Errorf("RetryAt = %v, want %v", rle.RetryAt, want)
	}
}

func TestRateLimitersKeyedByLocation(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	reg := NewRateLimiters(clock)
	srv := newSpecServer(t, func(_ int, r *http.Request, _ []byte) reply {
		if r.Method == http.MethodPost {
			return jsonReply(201, `{"contact":{"id":"c"}}`)
		}
		return jsonReply(200, `{"contact":{"id":"c"}}`)
	})
	a := newTestClient(t, bearerClient(srv.Client()), srv.URL, clock, WithRateLimiters(reg), WithLocationID("A"))
	b := newTestClient(t, bearerClient(srv.Client()), srv.URL, clock, WithRateLimiters(reg), WithLocationID("B"))
	if a.RateLimiter("") != b.RateLimiter("A") || a.RateLimiter("") == b.RateLimiter("") {
		t.Fatal("clients of one registry must share a limiter per location, and only per location")
	}
	// The request's own locationId picks the limiter.
	if _, _, err := b.Contacts.Create(t.Context(), &CreateContactRequest{LocationID: "A"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Contacts.Get(t.Context(), "c"); err != nil {
		t.Fatal(err)
	}
	sent := func(l *RateLimiter) int { l.mu.Lock(); defer l.mu.Unlock(); return len(l.sent) }
	if gotA, gotB := sent(reg.For("A")), sent(reg.For("B")); gotA != 2 || gotB != 0 {
		t.Errorf("limiter A counted %d, B %d; want 2 and 0", gotA, gotB)
	}
}

func TestParseRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header http.Header
		want   Rate
	}{
		{"all", rateHeaders(42, 1999), Rate{Limit: 100, Remaining: 42, Interval: 10 * time.Second, DailyLimit: 200000, DailyRemaining: 1999, known: true, dailyKnown: true}},
		{"none", http.Header{}, Rate{}},
		{"malformed", http.Header{HeaderRateLimitRemaining: {"x"}, HeaderRateLimitMax: {"1e3"}}, Rate{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ParseRate(tt.header); got != tt.want {
				t.Errorf("ParseRate = %+v, want %+v", got, tt.want)
			}
		})
	}
}
