package incidentio_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// incidentiofakeServer answers every request with body (no spec check).
func incidentiofakeServer(t *testing.T, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}
