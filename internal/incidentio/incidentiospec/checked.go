package incidentiospec

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
)

// HeaderSpecInvalid marks a request a test sends outside the spec on
// purpose; Checker removes it and asserts that the spec rejects the
// request too.
const HeaderSpecInvalid = "X-Test-Spec-Invalid"

// Checker wraps a handler so that every request it serves and every
// response it gives are validated against the spec; a violation fails
// the test. It records the operations it saw.
type Checker struct {
	t testing.TB
	v *Validator
	h http.Handler

	mu  sync.Mutex
	ops map[string]int
}

// Checked returns a Checker around h, failing t if the spec cannot be
// loaded.
func Checked(t testing.TB, h http.Handler) *Checker {
	t.Helper()
	v, err := Shared()
	if err != nil {
		t.Fatalf("load incident.io spec: %v", err)
	}
	return &Checker{t: t, v: v, h: h, ops: map[string]int{}}
}

// Validator returns the validator the checker uses.
func (c *Checker) Validator() *Validator { return c.v }

// Operations returns how often each operation ("METHOD /path") was
// served, sorted by name in Names.
func (c *Checker) Operations() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.ops))
	for k, n := range c.ops {
		out[k] = n
	}
	return out
}

// Names returns the sorted keys of m.
func Names(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ServeHTTP validates r, serves it with the wrapped handler and validates
// the response.
func (c *Checker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	ctx := r.Context()
	expectInvalid := r.Header.Get(HeaderSpecInvalid) != ""
	r.Header.Del(HeaderSpecInvalid)
	rt, err := c.v.ValidateRequest(ctx, r, body)
	switch {
	case expectInvalid && err == nil:
		c.t.Errorf("incidentiospec: %s %s was marked spec-invalid but the spec accepts it", r.Method, r.URL.Path)
	case !expectInvalid && err != nil:
		c.t.Errorf("%v", err)
	}
	if rt != nil {
		c.mu.Lock()
		c.ops[rt.Method+" "+rt.Path]++
		c.mu.Unlock()
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, r)
	res := rec.Result()
	respBody := rec.Body.Bytes()
	if rt != nil && (res.StatusCode >= 400 || !expectInvalid) {
		if err := c.v.ValidateResponse(ctx, r, body, res.StatusCode, res.Header, respBody); err != nil {
			c.t.Errorf("%v", err)
		}
	}
	for k, vs := range res.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(res.StatusCode)
	_, _ = w.Write(respBody)
}

// ResponseExample returns the spec's example response body of the
// operation r routes to, for status.
func (v *Validator) ResponseExample(r *http.Request, status int) ([]byte, error) {
	rt, err := v.FindRoute(r)
	if err != nil {
		return nil, err
	}
	resp := rt.route.Operation.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		return nil, errNoExample(rt.OperationID, status)
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil {
		return nil, errNoExample(rt.OperationID, status)
	}
	ex := mt.Example
	if ex == nil && mt.Schema != nil && mt.Schema.Value != nil {
		ex = mt.Schema.Value.Example
	}
	if ex == nil {
		return nil, errNoExample(rt.OperationID, status)
	}
	return jsonMarshal(ex)
}
