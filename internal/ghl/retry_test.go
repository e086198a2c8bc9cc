package ghl

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestShouldRetry(t *testing.T) {
	t.Parallel()
	timeout := errors.New("Client.Timeout exceeded while awaiting headers")
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		safety  Safety
		attempt int
		status  int
		err     error
		ctx     context.Context
		want    bool
	}{
		{"GET 500", Safe, 0, 500, nil, nil, true},
		{"GET 503 last attempt", Safe, 3, 503, nil, nil, false},
		{"GET timeout", Safe, 0, 0, timeout, nil, true},
		{"GET 404", Safe, 0, 404, nil, nil, false},
		{"GET 422", Safe, 0, 422, nil, nil, false},
		{"GET ctx cancelled", Safe, 0, 500, nil, done, false},
		{"PUT 502", Idempotent, 1, 502, nil, nil, true},
		{"DELETE 429", Idempotent, 0, 429, nil, nil, true},
		{"create 429", NotIdempotent, 0, 429, nil, nil, true},
		{"create 500", NotIdempotent, 0, 500, nil, nil, false},
		{"create timeout", NotIdempotent, 0, 0, timeout, nil, false},
		{"create dial error", NotIdempotent, 0, 0, dial, nil, true},
		{"create DNS error", NotIdempotent, 0, 0, &net.DNSError{Err: "no such host", Name: "x"}, nil, true},
		{"refresh 503", SingleUse, 0, 503, nil, nil, false},
		{"refresh 429", SingleUse, 0, 429, nil, nil, true},
		{"create 400", NotIdempotent, 0, 400, nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := tt.ctx
			if ctx == nil {
				ctx = t.Context()
			}
			ep := &Endpoint{OperationID: "op", Method: "POST", Path: "/x", Safety: tt.safety}
			got, reason := shouldRetry(ctx, ep, tt.attempt, 3, tt.status, tt.err)
			if got != tt.want || reason == "" {
				t.Errorf("shouldRetry = %v (%q), want %v", got, reason, tt.want)
			}
		})
	}
}

// countingServer answers with answer(n) and counts requests.
func countingServer(t *testing.T, answer func(n int32, w http.ResponseWriter, r *http.Request)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer(n.Add(1), w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func TestGetRetriedOn500ThenSucceeds(t *testing.T) {
	t.Parallel()
	srv, n := countingServer(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		if n <= 2 {
			writeJSON(w, 500, `{"statusCode":500,"message":"boom"}`)
			return
		}
		writeJSON(w, 200, `{"contact":{"id":"c1"}}`)
	})
	clock := newFakeClock()
	c := newTestClient(t, srv.Client(), srv.URL, clock, WithBackoff(Backoff{Base: time.Second, Max: 8 * time.Second}))
	got, _, err := c.Contacts.Get(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "c1" || n.Load() != 3 {
		t.Errorf("contact %q after %d requests, want c1 after 3", got.ID, n.Load())
	}
	// Two backoffs: [0.5s,1s] then [1s,2s].
	if s := clock.totalSlept(); s < 1500*time.Millisecond || s > 3*time.Second {
		t.Errorf("slept %v, want the two jittered backoffs", s)
	}
}

func TestCreateNotResentAfterTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv, n := countingServer(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
		select {
		case <-release:
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	hc := srv.Client()
	hc.Timeout = 100 * time.Millisecond
	c := newTestClient(t, hc, srv.URL, newFakeClock())
	_, _, err := c.Contacts.Create(t.Context(), &CreateContactRequest{LocationID: "loc", Email: "a@b.c"})
	var amb *AmbiguousError
	if !errors.As(err, &amb) || !errors.Is(err, ErrAmbiguous) {
		t.Fatalf("error %T %v, want *AmbiguousError", err, err)
	}
	if amb.Operation != "create-contact" {
		t.Errorf("Operation = %q", amb.Operation)
	}
	if got := n.Load(); got != 1 {
		t.Errorf("server saw %d requests, want 1 (no re-send)", got)
	}
}

func TestCreateNotResentAfter500(t *testing.T) {
	t.Parallel()
	for _, call := range []struct {
		name string
		do   func(ctx context.Context, c *Client) error
	}{
		{"contact", func(ctx context.Context, c *Client) error {
			_, _, err := c.Contacts.Create(ctx, &CreateContactRequest{LocationID: "loc"})
			return err
		}},
		{"upsert", func(ctx context.Context, c *Client) error {
			_, _, err := c.Contacts.Upsert(ctx, &UpsertContactRequest{CreateContactRequest: CreateContactRequest{LocationID: "loc"}})
			return err
		}},
		{"task", func(ctx context.Context, c *Client) error {
			_, _, err := c.Contacts.CreateTask(ctx, "c", &CreateTaskRequest{Title: "t", DueDate: time.Now()})
			return err
		}},
		{"note", func(ctx context.Context, c *Client) error {
			_, _, err := c.Contacts.CreateNote(ctx, "c", &CreateNoteRequest{Body: "b"})
			return err
		}},
		{"refresh", func(ctx context.Context, c *Client) error {
			_, _, err := c.OAuth.RefreshToken(ctx, testCreds, &RefreshTokenRequest{RefreshToken: "rt-old"})
			return err
		}},
	} {
		t.Run(call.name, func(t *testing.T) {
			t.Parallel()
			srv, n := countingServer(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
				writeJSON(w, 503, `{"statusCode":503,"message":"unavailable"}`)
			})
			c := newTestClient(t, srv.Client(), srv.URL, newFakeClock())
			err := call.do(t.Context(), c)
			if !errors.Is(err, ErrAmbiguous) {
				t.Errorf("error %v, want ambiguous", err)
			}
			wantAPIError(t, err, 503)
			if got := n.Load(); got != 1 {
				t.Errorf("server saw %d requests, want 1", got)
			}
		})
	}
}

func TestCreateRetriedOn429(t *testing.T) {
	t.Parallel()
	srv, n := countingServer(t, func(n int32, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			for k, v := range rateHeaders(0, 1000) {
				w.Header()[k] = v
			}
			w.WriteHeader(429)
			return
		}
		writeJSON(w, 201, `{"contact":{"id":"new"}}`)
	})
	clock := newFakeClock()
	start := clock.Now()
	c := newTestClient(t, srv.Client(), srv.URL, clock)
	got, _, err := c.Contacts.Create(t.Context(), &CreateContactRequest{LocationID: "loc"})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "new" || n.Load() != 2 {
		t.Errorf("contact %q after %d requests, want new after 2", got.ID, n.Load())
	}
	if waited := clock.Now().Sub(start); waited < 10*time.Second {
		t.Errorf("retried after %v, want after the 10 s window", waited)
	}
}

func TestDialErrorRetriedEvenForCreate(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var attempts atomic.Int32
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		attempts.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	c := newTestClient(t, hc, "http://"+addr, newFakeClock(), WithMaxRetries(2))
	_, _, err = c.Contacts.Create(t.Context(), &CreateContactRequest{LocationID: "loc", Email: "p@example.com"})
	if err == nil || errors.Is(err, ErrAmbiguous) {
		t.Fatalf("error %v, want a plain connection error (nothing was sent)", err)
	}
	if got := attempts.Load(); got != 3 {
		t.Errorf("%d attempts, want 3", got)
	}
	wantNoSecrets(t, err)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestRetriesStopBeforeDeadline(t *testing.T) {
	t.Parallel()
	srv, n := countingServer(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 500, `{"statusCode":500,"message":"boom"}`)
	})
	clock := newFakeClock()
	deadline := clock.Now().Add(10 * time.Second)
	ctx, cancel := context.WithDeadline(t.Context(), deadline)
	defer cancel()
	c := newTestClient(t, srv.Client(), srv.URL, clock, WithMaxRetries(20), WithBackoff(Backoff{Base: time.Second, Max: 30 * time.Second}))
	_, _, err := c.Contacts.Get(ctx, "c1")
	wantAPIError(t, err, 500)
	if !clock.Now().Before(deadline) {
		t.Errorf("clock at %v, past the deadline %v", clock.Now(), deadline)
	}
	// Backoffs ≥ 0.5+1+2+4 s = 7.5 s; the next (≥ 4 s) would pass 10 s.
	if got := n.Load(); got < 3 || got > 5 {
		t.Errorf("%d attempts, want the retries that fit before the deadline", got)
	}
}

func TestContextCancelledStopsRetries(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	srv, n := countingServer(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		cancel()
		writeJSON(w, 500, `{"statusCode":500,"message":"boom"}`)
	})
	c := newTestClient(t, srv.Client(), srv.URL, newFakeClock())
	_, _, err := c.Contacts.Get(ctx, "c1")
	if err == nil || n.Load() != 1 {
		t.Errorf("err %v after %d requests, want an error after 1", err, n.Load())
	}
}
