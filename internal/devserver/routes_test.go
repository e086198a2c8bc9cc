package devserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ghlsync/ghlsync/internal/samtemplate"
)

// TestServesEveryTemplateRoute: every HttpApi route of template.yaml is
// answered by a function handler on the dev server (a JSON answer from
// the handler, not the mux's plain-text 404 or 405).
func TestServesEveryTemplateRoute(t *testing.T) {
	t.Parallel()
	tpl, err := samtemplate.Load("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := startDev(t, Options{Seed: 3})
	routes := tpl.Routes()
	if len(routes) < 11 {
		t.Fatalf("template has %d routes", len(routes))
	}
	for _, r := range routes {
		path := strings.ReplaceAll(r.Path, "{id}", "nope")
		req, err := http.NewRequestWithContext(t.Context(), r.Method, s.URL+path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if ct := res.Header.Get("Content-Type"); ct != "application/json" && !strings.HasPrefix(ct, "text/html") {
			t.Errorf("%s %s: %d %s, want a handler's answer", r.Method, r.Path, res.StatusCode, ct)
		}
		if res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d", r.Method, r.Path, res.StatusCode)
		}
	}
}
