package incidentio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultBaseURL is the API host of the spec's servers[0].
const DefaultBaseURL = "https://api.incident.io"

const (
	defaultUserAgent   = "ghlsync-incidentio/1"
	defaultMaxRetries  = 4
	defaultBackoffBase = 500 * time.Millisecond
	defaultBackoffMax  = 10 * time.Second
	maxErrorBody       = 64 << 10
	maxBody            = 16 << 20
)

// Client talks to the incident.io public API. Build one with NewClient; it
// is safe for concurrent use. Build it once per process: its RateLimiter
// is the key's budget.
type Client struct {
	httpClient *http.Client
	baseURL    *url.URL
	apiKey     string
	userAgent  string
	clock      Clock
	limiter    *RateLimiter
	burst      int
	maxRetries int
	backoff    Backoff

	randMu sync.Mutex
	rand   *rand.Rand

	common service

	// CatalogTypes covers catalog types and their schema (v3).
	CatalogTypes *CatalogTypesService
	// CatalogEntries covers catalog entries (v3).
	CatalogEntries *CatalogEntriesService
	// CustomFields covers incident custom fields (v2).
	CustomFields *CustomFieldsService
	// Incidents covers incidents (v2).
	Incidents *IncidentsService
	// FollowUps covers post-incident follow-ups (v2).
	FollowUps *FollowUpsService
	// Actions covers in-incident actions (v2).
	Actions *ActionsService
	// IncidentUpdates covers the read-only incident updates (v2).
	IncidentUpdates *IncidentUpdatesService
	// Attachments covers incident attachments (v1).
	Attachments *IncidentAttachmentsService
	// Users covers users (v2).
	Users *UsersService
}

type service struct{ client *Client }

// String never shows the API key.
func (c *Client) String() string { return "incidentio.Client{" + c.baseURL.String() + "}" }

// Option configures a Client in NewClient.
type Option func(*Client) error

// WithAPIKey sends "Authorization: Bearer <key>" with every request. Leave
// it out when the *http.Client given to NewClient authenticates itself.
func WithAPIKey(key string) Option {
	return func(c *Client) error {
		if strings.TrimSpace(key) == "" {
			return fmt.Errorf("incidentio: WithAPIKey: %w: empty key", ErrInvalidArgument)
		}
		c.apiKey = strings.TrimSpace(key)
		return nil
	}
}

// WithBaseURL overrides the API base URL (tests, fakes). It must be an
// absolute http or https URL; a path prefix is kept.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("incidentio: base URL: %w: want an absolute http(s) URL", ErrInvalidArgument)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath, u.RawQuery, u.Fragment = "", "", ""
		c.baseURL = u
		return nil
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error { c.userAgent = ua; return nil }
}

// WithClock sets the clock of rate limiting and backoff sleeps.
func WithClock(clock Clock) Option {
	return func(c *Client) error {
		if clock == nil {
			return fmt.Errorf("incidentio: WithClock: %w: nil clock", ErrInvalidArgument)
		}
		c.clock = clock
		return nil
	}
}

// WithRateLimiter shares a limiter between clients of one API key.
func WithRateLimiter(l *RateLimiter) Option {
	return func(c *Client) error {
		if l == nil {
			return fmt.Errorf("incidentio: WithRateLimiter: %w: nil limiter", ErrInvalidArgument)
		}
		c.limiter = l
		return nil
	}
}

// WithBurst sets the burst of the client's own limiter (DefaultBurst when
// not given): lower it when several processes share the key.
func WithBurst(n int) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("incidentio: WithBurst(%d): %w", n, ErrInvalidArgument)
		}
		c.burst = n
		return nil
	}
}

// WithMaxRetries sets how often a retryable failure is retried (0: never).
func WithMaxRetries(n int) Option {
	return func(c *Client) error {
		if n < 0 {
			return fmt.Errorf("incidentio: WithMaxRetries(%d): %w", n, ErrInvalidArgument)
		}
		c.maxRetries = n
		return nil
	}
}

// WithBackoff sets the backoff between retries.
func WithBackoff(b Backoff) Option {
	return func(c *Client) error {
		if b.Base <= 0 || b.Max < b.Base {
			return fmt.Errorf("incidentio: WithBackoff: %w: want 0 < Base <= Max", ErrInvalidArgument)
		}
		c.backoff = b
		return nil
	}
}

// WithRandSource sets the random source of the backoff jitter.
func WithRandSource(src rand.Source) Option {
	return func(c *Client) error {
		if src == nil {
			return fmt.Errorf("incidentio: WithRandSource: %w: nil source", ErrInvalidArgument)
		}
		c.rand = rand.New(src)
		return nil
	}
}

// NewClient returns a client that sends its requests with httpClient
// (http.DefaultClient if nil):
//
//	c, err := incidentio.NewClient(nil, incidentio.WithAPIKey(string(secret.IncidentIOAPIKey)))
func NewClient(httpClient *http.Client, opts ...Option) (*Client, error) {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	base, _ := url.Parse(DefaultBaseURL)
	c := &Client{httpClient: httpClient, baseURL: base, userAgent: defaultUserAgent, clock: systemClock{},
		burst: DefaultBurst, maxRetries: defaultMaxRetries, backoff: Backoff{Base: defaultBackoffBase, Max: defaultBackoffMax}}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.rand == nil {
		c.rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if c.limiter == nil {
		l, err := NewRateLimiter(c.clock, DefaultRatePerMinute, c.burst)
		if err != nil {
			return nil, err
		}
		c.limiter = l
	}
	c.common.client = c
	c.CatalogTypes = (*CatalogTypesService)(&c.common)
	c.CatalogEntries = (*CatalogEntriesService)(&c.common)
	c.CustomFields = (*CustomFieldsService)(&c.common)
	c.Incidents = (*IncidentsService)(&c.common)
	c.FollowUps = (*FollowUpsService)(&c.common)
	c.Actions = (*ActionsService)(&c.common)
	c.IncidentUpdates = (*IncidentUpdatesService)(&c.common)
	c.Attachments = (*IncidentAttachmentsService)(&c.common)
	c.Users = (*UsersService)(&c.common)
	return c, nil
}

// RateLimiter returns the limiter pacing the client.
func (c *Client) RateLimiter() *RateLimiter { return c.limiter }

type requestInfoKey struct{}

type requestInfo struct {
	endpoint *Endpoint
	safety   Safety
	path     string
}

// NewRequest builds a request for e. pathParams fill e.Path's placeholders
// (each non-empty, path-escaped); query becomes the URL query; body, if
// not nil, is sent as JSON.
func (c *Client) NewRequest(ctx context.Context, e *Endpoint, pathParams []string, query url.Values, body any) (*http.Request, error) {
	return c.newRequest(ctx, e, e.Safety, pathParams, query, body)
}

func (c *Client) newRequest(ctx context.Context, e *Endpoint, safety Safety, pathParams []string, query url.Values, body any) (*http.Request, error) {
	path, err := e.expand(pathParams)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(c.baseURL.String() + path)
	if err != nil {
		return nil, fmt.Errorf("incidentio: %s: build URL: %w", e.Operation, err)
	}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	var reader io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("incidentio: %s: encode body: %w", e.Operation, err)
		}
		reader = bytes.NewReader(buf)
	}
	info := &requestInfo{endpoint: e, safety: safety, path: u.EscapedPath()}
	req, err := http.NewRequestWithContext(context.WithValue(ctx, requestInfoKey{}, info), e.Method, u.String(), reader)
	if err != nil {
		return nil, fmt.Errorf("incidentio: %s: %w", e.Operation, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	return req, nil
}

// Response wraps the http.Response of a call; its body is read and closed.
type Response struct {
	*http.Response
	// Rate is the rate-limit state the response reported.
	Rate Rate
}

// Do sends req (built by NewRequest), paced by the rate limiter and
// retried as shouldRetry allows. A 2xx JSON body is decoded into v unless
// v is nil. Errors are *Error, *AmbiguousError, context errors, or
// transport errors with the URL query removed.
func (c *Client) Do(req *http.Request, v any) (*Response, error) {
	ctx := req.Context()
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	if info == nil {
		return nil, fmt.Errorf("incidentio: Do: %w: request not built by NewRequest", ErrInvalidArgument)
	}
	op := info.endpoint.Operation
	for attempt := 0; ; attempt++ {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, fmt.Errorf("incidentio: %s: %w", op, err)
		}
		httpResp, err := c.httpClient.Do(req)
		var resp *Response
		var callErr error
		status := 0
		if err != nil {
			err = scrubURLError(err)
			callErr = fmt.Errorf("incidentio: %s %s %s: %w", op, info.endpoint.Method, info.path, err)
		} else {
			resp = &Response{Response: httpResp, Rate: ParseRate(httpResp.Header)}
			status = httpResp.StatusCode
			c.limiter.observe(resp.Rate)
			callErr = c.checkResponse(info, resp, v)
		}
		if callErr == nil {
			return resp, nil
		}
		var apiErr *Error
		if errors.As(callErr, &apiErr) && apiErr.StatusCode == http.StatusTooManyRequests {
			c.limiter.pause(c.clock.Now().Add(apiErr.RetryAfter))
		}
		retry, reason := shouldRetry(ctx, info.safety, attempt, c.maxRetries, status, err)
		if !retry {
			if ambiguous(info.safety, status, err) {
				return resp, &AmbiguousError{Operation: op, Err: fmt.Errorf("%w (%s)", callErr, reason)}
			}
			return resp, callErr
		}
		if status != http.StatusTooManyRequests {
			delay := c.backoffDelay(attempt)
			if deadline, ok := ctx.Deadline(); ok && !c.clock.Now().Add(delay).Before(deadline) {
				return resp, fmt.Errorf("%w (no retry: the backoff would pass the deadline)", callErr)
			}
			if err := c.clock.Sleep(ctx, delay); err != nil {
				return resp, fmt.Errorf("%w (no retry: %v)", callErr, err)
			}
		}
		if req.GetBody != nil {
			b, err := req.GetBody()
			if err != nil {
				return resp, fmt.Errorf("incidentio: %s: rewind body: %w", op, err)
			}
			req.Body = b
		}
	}
}

// checkResponse reads resp's body (bounded), closes it, decodes a 2xx
// body into v, or returns the *Error of a failed call.
func (c *Client) checkResponse(info *requestInfo, resp *Response, v any) error {
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		if err != nil {
			return fmt.Errorf("incidentio: %s %s %s: read body: %w", info.endpoint.Operation, info.endpoint.Method, info.path, err)
		}
		if v == nil || len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		if err := json.Unmarshal(data, v); err != nil {
			return fmt.Errorf("incidentio: %s %s %s: decode %d response: %w", info.endpoint.Operation, info.endpoint.Method, info.path, resp.StatusCode, err)
		}
		return nil
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	return newError(info, resp.Response, data, c.clock.Now())
}

func (c *Client) backoffDelay(attempt int) time.Duration {
	c.randMu.Lock()
	defer c.randMu.Unlock()
	return c.backoff.delay(attempt, c.rand)
}

// Backoff is an exponential backoff with jitter: the delay before retry n
// (from 0) is drawn from [d/2, d], d = min(Base·2ⁿ, Max).
type Backoff struct {
	Base time.Duration
	Max  time.Duration
}

func (b Backoff) delay(attempt int, r *rand.Rand) time.Duration {
	d := b.Max
	if attempt < 30 {
		if exp := b.Base << attempt; exp > 0 && exp < b.Max {
			d = exp
		}
	}
	half := d / 2
	return half + time.Duration(r.Int64N(int64(d-half)+1))
}

// call builds, sends and decodes one request.
func (s *service) call(ctx context.Context, e *Endpoint, pathParams []string, query url.Values, body, v any) (*Response, error) {
	return s.callAs(ctx, e, e.Safety, pathParams, query, body, v)
}

func (s *service) callAs(ctx context.Context, e *Endpoint, safety Safety, pathParams []string, query url.Values, body, v any) (*Response, error) {
	req, err := s.client.newRequest(ctx, e, safety, pathParams, query, body)
	if err != nil {
		return nil, err
	}
	return s.client.Do(req, v)
}
