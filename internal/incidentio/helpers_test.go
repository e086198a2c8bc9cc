package incidentio_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/incidentio"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiofake"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiospec"
)

const testKey = "test-api-key-0123456789"

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// recorded is what the test server saw of the last request.
type recorded struct {
	method, path string
	query        map[string][]string
	body         []byte
	auth         string
}

// setup starts a spec-checked server whose handler is h and returns a
// client on a virtual clock pointed at it.
func setup(t *testing.T, h http.HandlerFunc, opts ...incidentio.Option) (*incidentio.Client, *incidentiospec.Checker, *incidentiofake.Clock) {
	t.Helper()
	chk := incidentiospec.Checked(t, h)
	srv := httptest.NewServer(chk)
	t.Cleanup(srv.Close)
	clock := incidentiofake.NewClock(epoch)
	all := append([]incidentio.Option{incidentio.WithBaseURL(srv.URL), incidentio.WithAPIKey(testKey), incidentio.WithClock(clock)}, opts...)
	c, err := incidentio.NewClient(srv.Client(), all...)
	if err != nil {
		t.Fatal(err)
	}
	return c, chk, clock
}

// exampleHandler answers every request with the spec's example for
// status, recording the request into rec.
func exampleHandler(t *testing.T, v *incidentiospec.Validator, status int, rec *recorded) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if rec != nil {
			*rec = recorded{method: r.Method, path: r.URL.Path, query: r.URL.Query(), body: body, auth: r.Header.Get("Authorization")}
		}
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		ex, err := v.ResponseExample(r, status)
		if err != nil {
			t.Errorf("example: %v", err)
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(ex)
	}
}

// errorHandler answers every request with the documented error envelope.
func errorHandler(status int, typ string, header http.Header) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		body := map[string]any{"type": typ, "status": status, "request_id": "req-1",
			"errors": []any{map[string]any{"code": "is_invalid", "message": "Something is wrong", "source": map[string]any{"field": "name"}}}}
		if status == http.StatusTooManyRequests {
			body["rate_limit"] = map[string]any{"name": "k", "limit": 1200, "remaining": 0, "retry_after": "2026-03-01T12:00:02Z"}
		}
		_ = json.NewEncoder(w).Encode(body)
	}
}

func validator(t *testing.T) *incidentiospec.Validator {
	t.Helper()
	v, err := incidentiospec.Shared()
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	return v
}

// testJSONBody compares a request body with want (JSON, compared as values).
func testJSONBody(t *testing.T, got []byte, want string) {
	t.Helper()
	if want == "" {
		if len(got) != 0 {
			t.Errorf("request body = %s, want none", got)
		}
		return
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("request body %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want body: %v", err)
	}
	if d := cmp.Diff(w, g); d != "" {
		t.Errorf("request body (-want +got):\n%s", d)
	}
}
