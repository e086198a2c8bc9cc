package ghl_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/google/go-cmp/cmp"
)

// TestE2ERateLimitNo429 sends 250 GETs through one location's limiter
// against the sandbox's real limit (100 requests per fixed 10 s window
// per app and location), on the clock the client and the sandbox share:
// the client waits instead of being refused, and the waits take three
// windows of fake time and no real time.
func TestE2ERateLimitNo429(t *testing.T) {
	t.Parallel()
	const calls = 250
	tests := []struct {
		name    string
		callers int
	}{
		{"sequential", 1},
		{"5 concurrent callers", 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{})
			c := e.createContact(ghl.CreateContactRequest{Email: "busy@example.com"})
			e.sb.ResetRequestCounts()
			e.clock.Advance(time.Minute) // a fresh window for the GETs
			start := e.clock.Now()

			var wg sync.WaitGroup
			done := e.clock.addWorkers(tt.callers)
			for w := range tt.callers {
				n := calls / tt.callers
				if w < calls%tt.callers {
					n++
				}
				wg.Go(func() {
					defer done()
					for range n {
						if _, _, err := e.c.Contacts.Get(t.Context(), c.ID); e.check(err) != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()

			elapsed := e.clock.Now().Sub(start)
			got429 := e.rec.count(http.StatusTooManyRequests)
			t.Logf("%d GETs by %d callers: %d requests, %d answered 429, %s of fake time", calls, tt.callers, e.sb.RequestCount("get-contact"), got429, elapsed)
			if got429 != 0 {
				t.Errorf("%d responses were 429, want 0", got429)
			}
			if n := e.sb.RequestCount("get-contact"); n != calls {
				t.Errorf("sandbox counted %d get-contact requests, want %d", n, calls)
			}
			// 100 + 100 + 50: the third window opens 20 s after the first.
			if elapsed < 20*time.Second || elapsed >= 30*time.Second {
				t.Errorf("fake time elapsed %s, want three 10 s windows: [20s, 30s)", elapsed)
			}
			if limit, per := e.c.RateLimiter(e.loc.ID).Limit(); limit != 100 || per != 10*time.Second {
				t.Errorf("limiter learnt %d per %s, want 100 per 10s", limit, per)
			}
		})
	}
}

// TestE2ERateLimitSharedWithAnotherProcess: two clients with their own
// limiters (two processes) share one location's budget in the sandbox.
// The second one's first request meets the spent window: one 429, which
// it waits out (the headers say the window is spent) and retries. The
// first one then adapts to X-RateLimit-Remaining, which counts the other
// process's request, and meets no 429.
func TestE2ERateLimitSharedWithAnotherProcess(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	c := e.createContact(ghl.CreateContactRequest{Email: "shared@example.com"})
	e.clock.Advance(time.Minute) // a fresh window
	other := e.client(e.token)
	get := func(client *ghl.Client, n int) {
		t.Helper()
		for range n {
			if _, _, err := client.Contacts.Get(t.Context(), c.ID); e.check(err) != nil {
				t.Fatal(err)
			}
		}
	}

	start := e.clock.Now()
	get(e.c, 100) // the window is spent
	get(other, 1)
	if waited := e.clock.Now().Sub(start); waited != 10*time.Second {
		t.Errorf("the other process waited %s, want the 10 s window", waited)
	}
	statuses := e.rec.statuses(http.MethodGet, "/contacts/"+c.ID)
	if d := cmp.Diff([]int{http.StatusTooManyRequests, http.StatusOK}, statuses[100:]); d != "" {
		t.Errorf("the other process's statuses (-want +got):\n%s", d)
	}

	get(e.c, 100) // 99 fit in the window the other process opened
	if n := e.rec.count(http.StatusTooManyRequests); n != 1 {
		t.Errorf("%d responses were 429, want only the other process's first", n)
	}
	if waited := e.clock.Now().Sub(start); waited < 20*time.Second {
		t.Errorf("fake time %s: the first process did not wait for the next window", waited)
	}
	t.Logf("201 GETs + 1 retry over %s of fake time", e.clock.Now().Sub(start))
}
