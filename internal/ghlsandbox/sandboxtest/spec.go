package sandboxtest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ghlsync/ghlsync/internal/ghlspec"
)

// HeaderSpecInvalid marks a request a test sends outside the spec on
// purpose (an unknown property, a missing Version header…). SpecChecked
// removes it and asserts that the spec rejects the request too, so that
// the handler and the spec agree on what is invalid.
const HeaderSpecInvalid = "X-Test-Spec-Invalid"

var loadValidator = sync.OnceValues(func() (*ghlspec.Validator, error) {
	dir, err := ghlspec.AppsDir()
	if err != nil {
		return nil, err
	}
	return ghlspec.Load(dir)
})

// Validator returns the validator of the official specs, loaded once per
// process. It fails t if the specs cannot be loaded.
func Validator(t testing.TB) *ghlspec.Validator {
	t.Helper()
	v, err := loadValidator()
	if err != nil {
		t.Fatalf("load GHL specs: %v", err)
	}
	return v
}

// SpecChecked wraps h so that every request it serves and every response
// h gives are validated against the official specs; a violation fails t.
// Requests marked with HeaderSpecInvalid must be rejected by the spec
// instead. Responses to requests no operation of the spec describes are
// not validated.
func SpecChecked(t testing.TB, h http.Handler) http.Handler {
	v := Validator(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("%s %s: read request body: %v", r.Method, r.URL.Path, err)
		}
		invalid := r.Header.Get(HeaderSpecInvalid) != ""
		r.Header.Del(HeaderSpecInvalid)
		_, reqErr := v.ValidateRequest(r.Context(), r, body)
		switch {
		case invalid && reqErr == nil:
			t.Errorf("%s %s: test marked the request spec-invalid but the spec accepts it", r.Method, r.URL.Path)
		case !invalid && reqErr != nil:
			t.Errorf("%s %s: request violates the spec: %v", r.Method, r.URL.Path, reqErr)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if reqErr == nil || !strings.Contains(reqErr.Error(), "no operation") {
			if err := v.ValidateResponse(r.Context(), r, body, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
				t.Errorf("%s %s: response %d violates the spec: %v\nbody: %s", r.Method, r.URL.Path, rec.Code, err, rec.Body.String())
			}
		}
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}
