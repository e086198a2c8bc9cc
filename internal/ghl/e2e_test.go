package ghl_test

// The end-to-end suite: the real ghl.Client, authenticated through
// oauth2.NewClient, against the stateful GHL sandbox served over TCP.
// Every request and response passes sandboxtest.SpecChecked, so both sides
// are held to the official specs, and the tests assert on the sandbox's
// state (its readers), not only on what the client returns.
//
// Files: e2e_test.go (this harness), e2e_contacts_test.go (lifecycle,
// update, upsert), e2e_search_test.go (paging and lookups),
// e2e_entities_test.go (tags, tasks, notes, appointments),
// e2e_oauth_test.go, e2e_ratelimit_test.go, e2e_faults_test.go and
// e2e_secrets_test.go.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox/sandboxtest"
	"golang.org/x/oauth2"
)

// sharedClock is one fake time shared by the client (ghl.Clock) and the
// sandbox (ghlsandbox.Clock): a client sleep (rate-limit wait, retry
// backoff) moves the sandbox's time, so rate-limit windows open and close
// without real waiting. Time moves only when the client sleeps.
//
// With no registered workers a Sleep advances the time at once. Tests
// that call the client from several goroutines register them (workers):
// time then advances only when every worker sleeps, to the earliest wake-up
// among them, as it would if requests took no time. A worker between
// taking a rate-limit slot and reading its response never sees time jump
// by a whole window, which would make the sandbox count that request in a
// later window than the client did.
type sharedClock struct {
	*ghlsandbox.FakeClock

	mu       sync.Mutex
	workers  int
	sleepers []*sleeper
}

type sleeper struct {
	until time.Time
	wake  chan struct{}
}

var (
	_ ghl.Clock        = (*sharedClock)(nil)
	_ ghlsandbox.Clock = (*sharedClock)(nil)
)

// newSharedClock starts at the real time, so that context deadlines,
// which the runtime checks on the real clock, mean the same on it.
func newSharedClock() *sharedClock {
	return &sharedClock{FakeClock: ghlsandbox.NewFakeClock(time.Now().UTC().Truncate(time.Second))}
}

// Sleep waits until the shared time reaches Now()+d: at once without
// workers, else once every worker sleeps and the time has been advanced.
func (c *sharedClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil || d <= 0 {
		return err
	}
	c.mu.Lock()
	s := &sleeper{until: c.Now().Add(d), wake: make(chan struct{})}
	c.sleepers = append(c.sleepers, s)
	c.advanceLocked()
	c.mu.Unlock()
	select {
	case <-s.wake:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		defer c.mu.Unlock()
		select {
		case <-s.wake:
			return nil
		default:
		}
		c.sleepers = slices.DeleteFunc(c.sleepers, func(x *sleeper) bool { return x == s })
		return ctx.Err()
	}
}

// addWorkers registers n goroutines that will call the client; each calls
// the returned done when it stops.
func (c *sharedClock) addWorkers(n int) (done func()) {
	c.mu.Lock()
	c.workers += n
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.workers--
		c.advanceLocked()
	}
}

// advanceLocked moves the time to the earliest wake-up once every worker
// (or, without workers, the one caller) sleeps, and wakes the sleepers
// due. c.mu is held.
func (c *sharedClock) advanceLocked() {
	for len(c.sleepers) > 0 && len(c.sleepers) >= c.workers {
		next := c.sleepers[0].until
		for _, s := range c.sleepers[1:] {
			if s.until.Before(next) {
				next = s.until
			}
		}
		if gap := next.Sub(c.Now()); gap > 0 {
			c.Advance(gap)
		}
		now := c.Now()
		c.sleepers = slices.DeleteFunc(c.sleepers, func(s *sleeper) bool {
			if s.until.After(now) {
				return false
			}
			close(s.wake)
			return true
		})
	}
}

// exchange is one request the sandbox answered.
type exchange struct {
	method, path, query string
	body                []byte
	status              int
	response            []byte
}

// recorder logs every exchange with the sandbox (after the spec check),
// for the assertions the sandbox's per-operation counters cannot make:
// statuses, cursors sent, query encoding.
type recorder struct {
	h       http.Handler
	mu      sync.Mutex
	log     []exchange
	changed chan struct{}
}

func newRecorder(h http.Handler) *recorder {
	return &recorder{h: h, changed: make(chan struct{})}
}

// statusWriter keeps the status and body of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body := readAll(req)
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	r.h.ServeHTTP(sw, req)
	r.mu.Lock()
	r.log = append(r.log, exchange{method: req.Method, path: req.URL.EscapedPath(), query: req.URL.RawQuery, body: body, status: sw.status, response: sw.body.Bytes()})
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

// exchanges returns the exchanges to method and path ("" matches any).
func (r *recorder) exchanges(method, path string) []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []exchange
	for _, x := range r.log {
		if (method == "" || x.method == method) && (path == "" || x.path == path) {
			out = append(out, x)
		}
	}
	return out
}

// statuses lists the statuses of the exchanges to method and path.
func (r *recorder) statuses(method, path string) []int {
	var out []int
	for _, x := range r.exchanges(method, path) {
		out = append(out, x.status)
	}
	return out
}

// count counts the exchanges answered with status.
func (r *recorder) count(status int) int {
	n := 0
	for _, s := range r.statuses("", "") {
		if s == status {
			n++
		}
	}
	return n
}

// wait blocks until n exchanges have been answered (a handler may still
// run after the client gave up on it).
func (r *recorder) wait(ctx context.Context, n int) error {
	for {
		r.mu.Lock()
		got, ch := len(r.log), r.changed
		r.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("%d of %d exchanges: %w", got, n, ctx.Err())
		}
	}
}

// env is a sandbox with one location, served over TCP behind the spec
// check and the recorder, on a clock shared with the client c, which
// sends a full-scope Private Integration Token of the location.
type env struct {
	t     *testing.T
	sb    *ghlsandbox.Sandbox
	srv   *httptest.Server
	rec   *recorder
	clock *sharedClock
	loc   ghlsandbox.LocationInfo
	token string
	c     *ghl.Client

	secrets *secretSet
}

// secretSet holds the tokens and secrets no error may show.
type secretSet struct {
	mu     sync.Mutex
	values []string
}

// in returns e bound to t, for the subtests of a test that share e.
func (e *env) in(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// envConfig configures newEnv; the zero value is one empty location.
type envConfig struct {
	// sandbox options; Clock is always the shared clock.
	sandbox ghlsandbox.Options
	// seed, if set, makes the location a seeded one.
	seed *ghlsandbox.SeedOptions
}

func newEnv(t *testing.T, cfg envConfig) *env {
	t.Helper()
	e := &env{t: t, clock: newSharedClock(), secrets: &secretSet{}}
	opts := cfg.sandbox
	opts.Clock = e.clock
	sb, err := ghlsandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	e.sb = sb
	e.rec = newRecorder(sandboxtest.SpecChecked(t, sb))
	e.srv = httptest.NewServer(e.rec)
	t.Cleanup(e.srv.Close)
	if cfg.seed != nil {
		locs, err := sb.Seed(*cfg.seed)
		if err != nil {
			t.Fatal(err)
		}
		e.loc = locs[0]
	} else if e.loc, err = sb.AddLocation(ghlsandbox.LocationOptions{Name: "E2E Location"}); err != nil {
		t.Fatal(err)
	}
	if e.token, err = sb.IssuePrivateToken(e.loc.ID); err != nil {
		t.Fatal(err)
	}
	e.c = e.client(e.token)
	return e
}

// client returns a client of the sandbox that authenticates with token
// the way callers do, through oauth2.NewClient, on the shared clock with a
// deterministic jitter. The token becomes a secret no error may show.
func (e *env) client(token string, opts ...ghl.Option) *ghl.Client {
	e.t.Helper()
	e.secret(token)
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, e.srv.Client())
	hc := oauth2.NewClient(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token, TokenType: "Bearer"}))
	return e.newClient(hc, opts...)
}

// plainClient returns a client without credentials, for the token
// endpoint.
func (e *env) plainClient() *ghl.Client {
	e.t.Helper()
	return e.newClient(e.srv.Client())
}

func (e *env) newClient(hc *http.Client, opts ...ghl.Option) *ghl.Client {
	e.t.Helper()
	all := append([]ghl.Option{
		ghl.WithBaseURL(e.srv.URL), ghl.WithClock(e.clock), ghl.WithRandSource(rand.NewPCG(1, 2)), ghl.WithLocationID(e.loc.ID),
	}, opts...)
	c, err := ghl.NewClient(hc, all...)
	if err != nil {
		e.t.Fatalf("NewClient: %v", err)
	}
	return c
}

// secret adds values that no error of the suite may contain.
func (e *env) secret(values ...string) {
	e.secrets.mu.Lock()
	defer e.secrets.mu.Unlock()
	for _, v := range values {
		if v != "" {
			e.secrets.values = append(e.secrets.values, v)
		}
	}
}

// check fails the test if err, formatted with %v or %+v, shows a token or
// secret of the suite; it returns err. Every error of the suite passes
// through it.
func (e *env) check(err error) error {
	e.t.Helper()
	if err == nil {
		return nil
	}
	e.secrets.mu.Lock()
	secrets := append([]string(nil), e.secrets.values...)
	e.secrets.mu.Unlock()
	for _, format := range []string{"%v", "%+v"} {
		s := fmt.Sprintf(format, err)
		for _, sec := range secrets {
			if strings.Contains(s, sec) {
				e.t.Errorf("error formatted with %s shows a secret: %s", format, s)
			}
		}
	}
	return err
}

// must fails the test now on err.
func (e *env) must(err error) {
	e.t.Helper()
	if e.check(err) != nil {
		e.t.Fatal(err)
	}
}

// apiError returns err as a *ghl.Error with the wanted status and message
// (message "" matches any), failing the test otherwise.
func (e *env) apiError(err error, status int, message string) *ghl.Error {
	e.t.Helper()
	e.check(err)
	var ae *ghl.Error
	if !errors.As(err, &ae) {
		e.t.Fatalf("error %v (%T), want a *ghl.Error", err, err)
	}
	if ae.StatusCode != status || (message != "" && ae.Message != message) {
		e.t.Fatalf("error %d %q, want %d %q", ae.StatusCode, ae.Message, status, message)
	}
	return ae
}

// contact reads a contact from the sandbox's state, failing if it is gone.
func (e *env) contact(id string) ghlsandbox.Contact {
	e.t.Helper()
	c, ok := e.sb.Contact(e.loc.ID, id)
	if !ok {
		e.t.Fatalf("contact %s not in the sandbox", id)
	}
	return c
}

// createContact creates a contact through the client and returns it.
func (e *env) createContact(r ghl.CreateContactRequest) *ghl.Contact {
	e.t.Helper()
	r.LocationID = e.loc.ID
	c, resp, err := e.c.Contacts.Create(e.t.Context(), &r)
	e.must(err)
	if resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("create contact: status %d, want 201", resp.StatusCode)
	}
	return c
}

func readAll(r *http.Request) []byte {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body
}
