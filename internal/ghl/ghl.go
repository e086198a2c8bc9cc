package ghl

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

// DefaultBaseURL is the GHL API v2 base URL declared by every official spec.
const DefaultBaseURL = "https://services.leadconnectorhq.com"

// API versions sent in the Version header (NOTES §1).
const (
	// Version20210728 is the Version of the contacts, oauth and locations APIs.
	Version20210728 = "2021-07-28"
	// Version20210415 is the Version of the calendars API.
	Version20210415 = "2021-04-15"
)

const (
	defaultUserAgent   = "ghlsync-ghl/1"
	defaultMaxRetries  = 4
	defaultBackoffBase = 500 * time.Millisecond
	defaultBackoffMax  = 10 * time.Second
	// maxErrorBody bounds how much of an error response is read.
	maxErrorBody = 64 << 10
	// maxBody bounds how much of a successful response is read.
	maxBody = 16 << 20
)

// Client talks to the GHL API v2. Its zero value is not usable: build one
// with NewClient. A Client is safe for concurrent use.
//
// The Client adds no credentials: authentication is the business of the
// *http.Client given to NewClient (for example one from oauth2.NewClient).
type Client struct {
	httpClient *http.Client
	baseURL    *url.URL
	userAgent  string
	clock      Clock
	maxRetries int
	backoff    Backoff

	randMu sync.Mutex
	rand   *rand.Rand

	limiters   *RateLimiters
	limiter    *RateLimiter // fixed limiter, if set by WithRateLimiter
	locationID string       // default rate-limit key

	common service

	// Contacts covers contacts, their tags, tasks, notes and appointments.
	Contacts *ContactsService
	// Locations covers location-wide endpoints (task search).
	Locations *LocationsService
	// Calendars covers calendar appointments.
	Calendars *CalendarsService
	// OAuth covers the token endpoints.
	OAuth *OAuthService
}

type service struct {
	client *Client
}

// Option configures a Client in NewClient.
type Option func(*Client) error

// WithBaseURL overrides the API base URL (for tests and sandboxes). It must
// be an absolute http or https URL; a path prefix is kept.
func WithBaseURL(rawURL string) Option {
	return func(c *Client) error {
		u, err := url.Parse(rawURL)
		if err != nil {
			return fmt.Errorf("ghl: base URL: %w", err)
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("ghl: base URL %q: %w: want an absolute http(s) URL", rawURL, ErrInvalidArgument)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath = ""
		u.RawQuery, u.Fragment = "", ""
		c.baseURL = u
		return nil
	}
}

// WithUserAgent sets the User-Agent header sent with every request.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		c.userAgent = ua
		return nil
	}
}

// WithClock sets the clock used for rate limiting, backoff sleeps and token
// expiry. Unless WithRateLimiters or WithRateLimiter is also given, the
// client then gets rate limiters of its own on that clock.
func WithClock(clock Clock) Option {
	return func(c *Client) error {
		if clock == nil {
			return fmt.Errorf("ghl: WithClock: %w: nil clock", ErrInvalidArgument)
		}
		c.clock = clock
		return nil
	}
}

// WithRandSource sets the random source of the backoff jitter.
func WithRandSource(src rand.Source) Option {
	return func(c *Client) error {
		if src == nil {
			return fmt.Errorf("ghl: WithRandSource: %w: nil source", ErrInvalidArgument)
		}
		c.rand = rand.New(src)
		return nil
	}
}

// WithMaxRetries sets how many times a retryable failure is retried (0
// disables retries). The default is 4.
func WithMaxRetries(n int) Option {
	return func(c *Client) error {
		if n < 0 {
			return fmt.Errorf("ghl: WithMaxRetries(%d): %w", n, ErrInvalidArgument)
		}
		c.maxRetries = n
		return nil
	}
}

// WithBackoff sets the backoff between retries.
func WithBackoff(b Backoff) Option {
	return func(c *Client) error {
		if b.Base <= 0 || b.Max < b.Base {
			return fmt.Errorf("ghl: WithBackoff: %w: want 0 < Base <= Max", ErrInvalidArgument)
		}
		c.backoff = b
		return nil
	}
}

// WithRateLimiters sets the registry of per-location rate limiters. Clients
// that talk to the same locations from one process should share one
// registry; by default every client built without WithClock shares a
// process-wide registry.
func WithRateLimiters(r *RateLimiters) Option {
	return func(c *Client) error {
		if r == nil {
			return fmt.Errorf("ghl: WithRateLimiters: %w: nil registry", ErrInvalidArgument)
		}
		c.limiters = r
		return nil
	}
}

// WithRateLimiter pins one rate limiter for every request of the client,
// whatever location the request names.
func WithRateLimiter(l *RateLimiter) Option {
	return func(c *Client) error {
		if l == nil {
			return fmt.Errorf("ghl: WithRateLimiter: %w: nil limiter", ErrInvalidArgument)
		}
		c.limiter = l
		return nil
	}
}

// WithLocationID names the location the client works for. Requests that do
// not name a location themselves (for example GET /contacts/{contactId})
// are rate limited under it.
func WithLocationID(locationID string) Option {
	return func(c *Client) error {
		c.locationID = locationID
		return nil
	}
}

// processLimiters is shared by every client of the process built on the
// system clock, so that two clients for one location share one budget.
var processLimiters = NewRateLimiters(systemClock{})

// NewClient returns a GHL client that sends its requests with httpClient
// (http.DefaultClient if nil). Authentication is httpClient's job, for
// example:
//
//	hc := oauth2.NewClient(ctx, tokenSource)
//	c, err := ghl.NewClient(hc, ghl.WithLocationID(locationID))
func NewClient(httpClient *http.Client, opts ...Option) (*Client, error) {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	base, _ := url.Parse(DefaultBaseURL)
	c := &Client{
		httpClient: httpClient,
		baseURL:    base,
		userAgent:  defaultUserAgent,
		clock:      systemClock{},
		maxRetries: defaultMaxRetries,
		backoff:    Backoff{Base: defaultBackoffBase, Max: defaultBackoffMax},
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.rand == nil {
		c.rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if c.limiters == nil {
		if _, system := c.clock.(systemClock); system {
			c.limiters = processLimiters
		} else {
			c.limiters = NewRateLimiters(c.clock)
		}
	}
	c.common.client = c
	c.Contacts = (*ContactsService)(&c.common)
	c.Locations = (*LocationsService)(&c.common)
	c.Calendars = (*CalendarsService)(&c.common)
	c.OAuth = (*OAuthService)(&c.common)
	return c, nil
}

// BaseURL returns the base URL requests are sent to.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// RateLimiter returns the limiter a request for locationID is paced by.
func (c *Client) RateLimiter(locationID string) *RateLimiter {
	if c.limiter != nil {
		return c.limiter
	}
	if locationID == "" {
		locationID = c.locationID
	}
	return c.limiters.For(locationID)
}

type requestInfoKey struct{}

// requestInfo travels with a request from NewRequest to Do.
type requestInfo struct {
	endpoint   *Endpoint
	locationID string
	path       string // escaped path, for errors (never the query)
}

// NewRequest builds a request for endpoint e. pathParams fill the {name}
// placeholders of e.Path in order; each must be non-empty and is
// path-escaped. query is encoded as the URL query. body, if not nil, is sent
// as JSON, or form-encoded when it is a url.Values. The request is rate
// limited under the locationId it names (path, query or body) or else the
// client's location.
func (c *Client) NewRequest(ctx context.Context, e *Endpoint, pathParams []string, query url.Values, body any) (*http.Request, error) {
	if e == nil {
		return nil, fmt.Errorf("ghl: NewRequest: %w: nil endpoint", ErrInvalidArgument)
	}
	path, locationID, err := e.expand(pathParams)
	if err != nil {
		return nil, err
	}
	if locationID == "" {
		locationID = query.Get("locationId")
	}
	if l, ok := body.(interface{ rateLimitLocation() string }); ok && locationID == "" {
		locationID = l.rateLimitLocation()
	}
	u, err := url.Parse(c.baseURL.String() + path)
	if err != nil {
		return nil, fmt.Errorf("ghl: %s: build URL: %w", e.OperationID, err)
	}
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}

	var (
		reader      io.Reader
		contentType string
	)
	switch b := body.(type) {
	case nil:
	case url.Values:
		reader = strings.NewReader(b.Encode())
		contentType = "application/x-www-form-urlencoded"
	default:
		buf, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("ghl: %s: encode body: %w", e.OperationID, err)
		}
		reader = bytes.NewReader(buf)
		contentType = "application/json"
	}
	info := &requestInfo{endpoint: e, locationID: locationID, path: u.EscapedPath()}
	req, err := http.NewRequestWithContext(context.WithValue(ctx, requestInfoKey{}, info), e.Method, u.String(), reader)
	if err != nil {
		return nil, fmt.Errorf("ghl: %s: %w", e.OperationID, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if e.Version != "" {
		req.Header.Set("Version", e.Version)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return req, nil
}

// Response wraps the http.Response of a GHL call. Its body has already been
// read and closed.
type Response struct {
	*http.Response

	// Rate is the rate-limit state reported by the response headers.
	Rate Rate
}

func newResponse(r *http.Response) *Response {
	return &Response{Response: r, Rate: ParseRate(r.Header)}
}

// Do sends req, built by NewRequest, pacing it with the location's rate
// limiter and retrying it as the retry policy (shouldRetry) allows. A 2xx
// JSON body is decoded into v unless v is nil. Errors are *Error,
// *RateLimitError, *AmbiguousError, or transport errors with the URL's
// query removed.
func (c *Client) Do(req *http.Request, v any) (*Response, error) {
	ctx := req.Context()
	info, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	if info == nil {
		return nil, fmt.Errorf("ghl: Do: %w: request not built by NewRequest", ErrInvalidArgument)
	}
	ep := info.endpoint
	limiter := c.RateLimiter(info.locationID)
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("ghl: %s: %w", ep.OperationID, err)
		}
		if err := limiter.wait(ctx); err != nil {
			return nil, ep.annotate(info, err)
		}
		httpResp, err := c.send(req)
		var resp *Response
		var callErr error
		status := 0
		if err != nil {
			limiter.release()
			callErr = scrubURLError(err)
		} else {
			resp = newResponse(httpResp)
			limiter.observe(resp.Rate)
			status = httpResp.StatusCode
			callErr = c.checkResponse(info, resp, v)
		}
		if callErr == nil {
			return resp, nil
		}
		var rle *RateLimitError
		if errors.As(callErr, &rle) && rle.Daily {
			return resp, callErr
		}

		retry, reason := shouldRetry(ctx, ep, attempt, c.maxRetries, status, err)
		if !retry {
			return resp, finalError(info, status, err, callErr, reason)
		}
		delay := c.backoffDelay(attempt)
		if status == http.StatusTooManyRequests && rle != nil && !rle.RetryAt.IsZero() {
			if d := rle.RetryAt.Sub(c.clock.Now()); d > delay {
				delay = d
			}
		}
		if deadline, ok := ctx.Deadline(); ok && !c.clock.Now().Add(delay).Before(deadline) {
			return resp, finalError(info, status, err, callErr, reason+"; no retry: the backoff would pass the context deadline")
		}
		if err := c.clock.Sleep(ctx, delay); err != nil {
			return resp, finalError(info, status, err, callErr, reason+"; no retry: "+err.Error())
		}
		if err := rewind(req); err != nil {
			return resp, fmt.Errorf("ghl: %s: %w", ep.OperationID, err)
		}
	}
}

// send performs one attempt.
func (c *Client) send(req *http.Request) (*http.Response, error) {
	return c.httpClient.Do(req)
}

// rewind resets the body of req for another attempt.
func rewind(req *http.Request) error {
	if req.Body == nil || req.GetBody == nil {
		return nil
	}
	body, err := req.GetBody()
	if err != nil {
		return fmt.Errorf("rewind request body: %w", err)
	}
	req.Body = body
	return nil
}

// checkResponse reads resp's body (bounded), closes it, and returns nil
// after decoding a 2xx body into v, or the typed error of a failed call.
func (c *Client) checkResponse(info *requestInfo, resp *Response, v any) error {
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		if err != nil {
			return fmt.Errorf("ghl: %s %s %s: read body: %w", info.endpoint.OperationID, info.endpoint.Method, info.path, err)
		}
		if v == nil || len(bytes.TrimSpace(data)) == 0 {
			return nil
		}
		if err := json.Unmarshal(data, v); err != nil {
			return fmt.Errorf("ghl: %s %s %s: decode %d response: %w", info.endpoint.OperationID, info.endpoint.Method, info.path, resp.StatusCode, err)
		}
		return nil
	}
	data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
	e := newError(info, resp, data)
	if resp.StatusCode == http.StatusTooManyRequests {
		return newRateLimitError(e, resp.Header, c.clock.Now())
	}
	return e
}

// backoffDelay returns the jittered delay before retry number attempt+1.
func (c *Client) backoffDelay(attempt int) time.Duration {
	c.randMu.Lock()
	defer c.randMu.Unlock()
	return c.backoff.delay(attempt, c.rand)
}

// Backoff is an exponential backoff with jitter: the delay before retry n
// (from 0) is drawn from [d/2, d] where d = min(Base·2ⁿ, Max).
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

// Ptr returns a pointer to v, for the optional fields of requests.
func Ptr[T any](v T) *T { return &v }
