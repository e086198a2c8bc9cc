package ghl

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox/sandboxtest"
	"github.com/ghlsync/ghlsync/internal/ghlspec"
	"golang.org/x/oauth2"
)

// testBearer is the access token the test clients send; no error may ever
// contain it.
const testBearer = "tok-SECRET-bearer-7f3a"

// specValidator returns the validator of the official specs, shared with
// the sandbox's tests.
func specValidator(t *testing.T) *ghlspec.Validator {
	t.Helper()
	return sandboxtest.Validator(t)
}

// fakeClock is a Clock whose Sleep advances time at once. It starts at the
// real time so that context deadlines expressed on it are valid for the
// runtime too.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  time.Duration
	sleeps int
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Now().Truncate(time.Second)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.slept += d
	}
	c.sleeps++
	return nil
}

func (c *fakeClock) totalSlept() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept
}

// reply is what a test server answers.
type reply struct {
	status int
	header http.Header
	body   []byte
	// offSpec skips response validation, for bodies that deliberately
	// leave the contract (a proxy's HTML page).
	offSpec bool
}

func jsonReply(status int, body string) reply {
	return reply{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: []byte(body)}
}

func golden(t *testing.T, operationID string, status int) reply {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "responses", operationID+".json"))
	if err != nil {
		t.Fatalf("golden response: %v", err)
	}
	return reply{status: status, header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, body: data}
}

// seenRequest is a request as the spec server received it.
type seenRequest struct {
	op     string
	method string
	path   string // escaped
	query  string
	header http.Header
	body   []byte
}

// specServer is an httptest server that checks every request against the
// GHL specs (ghlspec.ValidateRequest) and every answer it gives
// (ValidateResponse). A violation fails the test.
type specServer struct {
	*httptest.Server
	t      *testing.T
	v      *ghlspec.Validator
	mu     sync.Mutex
	seen   []seenRequest
	answer func(n int, r *http.Request, body []byte) reply
}

func newSpecServer(t *testing.T, answer func(n int, r *http.Request, body []byte) reply) *specServer {
	t.Helper()
	s := &specServer{t: t, v: specValidator(t), answer: answer}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *specServer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Errorf("read request body: %v", err)
		return
	}
	rt, err := s.v.ValidateRequest(r.Context(), r, body)
	if err != nil {
		s.t.Errorf("request %s %s violates the spec: %v", r.Method, r.URL.EscapedPath(), err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		_, _ = w.Write([]byte(`{"statusCode":422,"message":["request violates the spec"],"error":"Unprocessable Entity"}`))
		return
	}
	s.mu.Lock()
	n := len(s.seen)
	s.seen = append(s.seen, seenRequest{op: rt.OperationID, method: r.Method, path: r.URL.EscapedPath(), query: r.URL.RawQuery, header: r.Header.Clone(), body: body})
	s.mu.Unlock()

	rep := s.answer(n, r, body)
	if !rep.offSpec {
		if err := s.v.ValidateResponse(r.Context(), r, body, rep.status, rep.header, rep.body); err != nil {
			s.t.Errorf("test server answer violates the spec: %v", err)
		}
	}
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(rep.status)
	_, _ = io.Copy(w, bytes.NewReader(rep.body))
}

func (s *specServer) requests() []seenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenRequest(nil), s.seen...)
}

// bearerClient is what a caller builds: an oauth2 client adding the
// bearer token, over the test server's transport.
func bearerClient(base *http.Client) *http.Client {
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, base)
	return oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: testBearer, TokenType: "Bearer"}))
}

// newTestClient returns a client of srv on a fake clock with its own rate
// limiters and a deterministic jitter.
func newTestClient(t *testing.T, hc *http.Client, baseURL string, clock *fakeClock, opts ...Option) *Client {
	t.Helper()
	all := append([]Option{WithBaseURL(baseURL), WithClock(clock), WithRandSource(newPCG())}, opts...)
	c, err := NewClient(hc, all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func newPCG() rand.Source { return rand.NewPCG(1, 2) }
