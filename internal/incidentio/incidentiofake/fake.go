package incidentiofake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default budget of the fake, as incident.io documents it: a bucket of
// 1,200 requests refilled at 20 per second.
const (
	DefaultRatePerMinute = 1200
	DefaultBurst         = 1200
)

// TimeSource is the fake's clock; *Clock satisfies it.
type TimeSource interface {
	Now() time.Time
}

// Options configure a Fake.
type Options struct {
	// APIKey is the only bearer key accepted; any non-empty key when empty.
	APIKey string
	// Clock is the time source (the system clock when nil). Share a
	// *Clock with the client under test to make rate limits virtual.
	Clock TimeSource
	// RatePerMinute and Burst set the token bucket (defaults 1,200/1,200).
	RatePerMinute, Burst int
	// PrivateAccess lets the key read private incidents (default: denied
	// unless set).
	PrivateAccess bool
	// Examples returns the spec's x-webhooks example of an event type;
	// payloads are built from it with the fake's fields replaced.
	// Required: pass (*incidentiospec.Validator).WebhookExample.
	Examples func(eventType string) ([]byte, error)
	// HTTPClient delivers webhooks (a 10 s timeout client when nil).
	HTTPClient *http.Client
	// APIKeyName names the key in 429 bodies (rate_limit.name).
	APIKeyName string
}

// Stats counts what the fake served.
type Stats struct {
	// Requests counts every API request, 429s included.
	Requests int
	// RateLimited counts 429 answers.
	RateLimited int
	// ByOperation counts requests per "METHOD /pattern".
	ByOperation map[string]int
}

// Fake is a stateful incident.io API for tests: catalog types and entries
// (upsert on external_id), custom fields, incidents (public and private),
// follow-ups, actions, incident updates, attachments and users, behind
// the documented token bucket with its headers and 429s, emitting
// Svix-signed webhooks to registered endpoints. It is an http.Handler and
// safe for concurrent use.
type Fake struct {
	opts   Options
	clock  TimeSource
	mux    *http.ServeMux
	client *http.Client

	mu    sync.Mutex
	ids   int
	tat   time.Time
	stats Stats
	st    state

	hookMu    sync.Mutex
	endpoints []Endpoint
	pending   []Delivery
	delivered []Delivery
}

type state struct {
	types       map[string]*catalogType
	entries     map[string]*catalogEntry
	fields      map[string]*customField
	incidents   map[string]*incident
	followUps   map[string]*followUp
	actions     map[string]*action
	updates     map[string]*incidentUpdate
	attachments map[string]*attachment
	users       map[string]*userWithRoles
	nextRef     int
}

// New returns a fake with no state.
func New(opts Options) (*Fake, error) {
	if opts.Examples == nil {
		return nil, fmt.Errorf("incidentiofake: Options.Examples is required (the spec's x-webhooks examples)")
	}
	if opts.RatePerMinute <= 0 {
		opts.RatePerMinute = DefaultRatePerMinute
	}
	if opts.Burst <= 0 {
		opts.Burst = DefaultBurst
	}
	if opts.APIKeyName == "" {
		opts.APIKeyName = "ghlsync"
	}
	f := &Fake{opts: opts, clock: opts.Clock, client: opts.HTTPClient}
	if f.clock == nil {
		f.clock = systemClock{}
	}
	if f.client == nil {
		f.client = &http.Client{Timeout: 10 * time.Second}
	}
	f.st = state{types: map[string]*catalogType{}, entries: map[string]*catalogEntry{}, fields: map[string]*customField{},
		incidents: map[string]*incident{}, followUps: map[string]*followUp{}, actions: map[string]*action{},
		updates: map[string]*incidentUpdate{}, attachments: map[string]*attachment{}, users: map[string]*userWithRoles{}, nextRef: 100}
	f.stats.ByOperation = map[string]int{}
	f.routes()
	return f, nil
}

// Start serves f on a loopback port until the test ends and returns the
// server (its URL is the client's base URL).
func (f *Fake) Start(t interface{ Cleanup(func()) }) *httptest.Server {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

// Stats returns a copy of the request counters.
func (f *Fake) Stats() Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.ByOperation = map[string]int{}
	for k, v := range f.stats.ByOperation {
		s.ByOperation[k] = v
	}
	return s
}

func (f *Fake) routes() {
	f.mux = http.NewServeMux()
	h := map[string]func(w http.ResponseWriter, r *http.Request){
		"GET /v3/catalog_types":                             f.listTypes,
		"POST /v3/catalog_types":                            f.createType,
		"POST /v3/catalog_types/{id}/actions/update_schema": f.updateSchema,
		"GET /v3/catalog_entries":                           f.listEntries,
		"POST /v3/catalog_entries":                          f.createEntry,
		"GET /v3/catalog_entries/{id}":                      f.showEntry,
		"PUT /v3/catalog_entries/{id}":                      f.updateEntry,
		"DELETE /v3/catalog_entries/{id}":                   f.deleteEntry,
		"GET /v2/custom_fields":                             f.listFields,
		"GET /v2/custom_fields/{id}":                        f.showField,
		"GET /v2/incidents":                                 f.listIncidents,
		"GET /v2/incidents/{id}":                            f.showIncident,
		"GET /v2/follow_ups":                                f.listFollowUps,
		"GET /v2/follow_ups/{id}":                           f.showFollowUp,
		"PUT /v2/follow_ups/{id}":                           f.updateFollowUp,
		"GET /v2/actions":                                   f.listActions,
		"GET /v2/actions/{id}":                              f.showAction,
		"PUT /v2/actions/{id}":                              f.updateAction,
		"GET /v2/incident_updates":                          f.listUpdates,
		"GET /v1/incident_attachments":                      f.listAttachments,
		"POST /v1/incident_attachments":                     f.createAttachment,
		"DELETE /v1/incident_attachments/{id}":              f.deleteAttachment,
		"GET /v2/users":                                     f.listUsers,
	}
	for pattern, fn := range h {
		f.mux.HandleFunc(pattern, fn)
	}
}

// ServeHTTP authenticates, rate limits and routes one API request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, pattern := f.mux.Handler(r)
	f.mu.Lock()
	f.stats.Requests++
	if pattern != "" {
		f.stats.ByOperation[pattern]++
	}
	f.mu.Unlock()
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		writeError(w, http.StatusUnauthorized, "authentication_error", "missing_authorization_material", "No authorization material provided in request", "")
		return
	}
	if f.opts.APIKey != "" && tok != f.opts.APIKey {
		writeError(w, http.StatusUnauthorized, "authentication_error", "invalid_authorization_material", "The API key is not valid", "")
		return
	}
	if !f.take(w) {
		return
	}
	if pattern == "" {
		writeError(w, http.StatusNotFound, "not_found", "not_found", "No such route", "")
		return
	}
	f.mux.ServeHTTP(w, r)
}

// take spends a token of the bucket (GCRA on the fake's clock) and sets the
// rate headers; it answers 429 and returns false when the bucket is empty.
func (f *Fake) take(w http.ResponseWriter) bool {
	f.mu.Lock()
	now := f.clock.Now()
	interval := time.Minute / time.Duration(f.opts.RatePerMinute)
	burst := f.opts.Burst
	allowAt := f.tat.Add(-time.Duration(burst-1) * interval)
	limited := allowAt.After(now)
	if !limited {
		if f.tat.Before(now) {
			f.tat = now
		}
		f.tat = f.tat.Add(interval)
	} else {
		f.stats.RateLimited++
	}
	used := 0
	if f.tat.After(now) {
		used = int((f.tat.Sub(now) + interval - 1) / interval)
	}
	remaining := max(burst-used, 0)
	reset := f.tat
	if reset.Before(now) {
		reset = now
	}
	f.mu.Unlock()

	h := w.Header()
	h.Set("X-RateLimit-Limit", fmt.Sprintf("%d, %d;window=60", f.opts.RatePerMinute, f.opts.RatePerMinute))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt((reset.UnixNano()+int64(time.Second)-1)/int64(time.Second), 10))
	if !limited {
		return true
	}
	wait := allowAt.Sub(now)
	secs := int64((wait + time.Second - 1) / time.Second)
	h.Set("Retry-After", strconv.FormatInt(secs, 10))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"type": "too_many_requests", "status": http.StatusTooManyRequests, "request_id": f.requestID(),
		"rate_limit": map[string]any{"name": f.opts.APIKeyName, "limit": burst, "remaining": 0, "retry_after": allowAt.UTC().Format(time.RFC3339)},
		"errors":     []map[string]any{{"code": "too_many_requests", "message": "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests."}},
	})
	return false
}

// newID returns a 26-character, lexically increasing id (ULID-like).
func (f *Fake) newID() string {
	f.ids++
	return fmt.Sprintf("01FAKE%020d", f.ids)
}

func (f *Fake) requestID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids++
	return fmt.Sprintf("req-%08d", f.ids)
}

func (f *Fake) now() time.Time { return f.clock.Now().UTC() }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes the documented error envelope.
func writeError(w http.ResponseWriter, status int, typ, code, msg, field string) {
	d := map[string]any{"code": code, "message": msg}
	if field != "" {
		d["source"] = map[string]any{"field": field}
	}
	writeJSON(w, status, map[string]any{"type": typ, "status": status, "request_id": fmt.Sprintf("req-%d", time.Now().UnixNano()), "errors": []any{d}})
}

func notFound(w http.ResponseWriter, what string) {
	writeError(w, http.StatusNotFound, "not_found", "not_found", what+" not found", "")
}

func invalid(w http.ResponseWriter, field, msg string) {
	writeError(w, http.StatusUnprocessableEntity, "validation_error", "is_invalid", msg, field)
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_json", "The request body is not valid JSON", "")
		return false
	}
	return true
}

// pageSize reads page_size (default def, at most max; required if def is 0).
func pageSize(w http.ResponseWriter, r *http.Request, def, maxSize int) (int, bool) {
	s := r.URL.Query().Get("page_size")
	if s == "" {
		if def == 0 {
			invalid(w, "page_size", "page_size is required")
			return 0, false
		}
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxSize {
		invalid(w, "page_size", fmt.Sprintf("page_size must be between 1 and %d", maxSize))
		return 0, false
	}
	return n, true
}

// page cuts ids (sorted) after the cursor; it returns the page and the
// next cursor ("" on the last page).
func page(ids []string, after string, size int) ([]string, string) {
	start := 0
	if after != "" {
		for start < len(ids) && ids[start] <= after {
			start++
		}
	}
	end := min(start+size, len(ids))
	out := ids[start:end]
	if end < len(ids) && len(out) > 0 {
		return out, out[len(out)-1]
	}
	return out, ""
}
