package ghl_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/ghl"
)

// TestErrorScrubsEchoedBearer is the regression test of a FuzzDecodeResponse
// finding: a server (or proxy) that echoes the bearer token in its error
// message must not put the token into the returned error.
func TestErrorScrubsEchoedBearer(t *testing.T) {
	t.Parallel()
	const token = "tok-ECHOED-secret-5d1e"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"statusCode":401,"message":["Invalid token: ` + r.Header.Get("Authorization") + `"],"error":"Unauthorized"}`))
	}))
	defer srv.Close()
	hc := oauth2.NewClient(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	c, err := ghl.NewClient(hc, ghl.WithBaseURL(srv.URL), ghl.WithLocationID("loc1"), ghl.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Contacts.Get(t.Context(), "cid1")
	var apiErr *ghl.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want a 401 *ghl.Error", err)
	}
	if strings.Contains(err.Error(), token) || strings.Contains(strings.Join(apiErr.Messages, " "), token) {
		t.Fatalf("error carries the token: %v", err)
	}
	if !strings.Contains(apiErr.Message, "Invalid token: Bearer [REDACTED]") {
		t.Errorf("message = %q, want the rest of GHL's message kept", apiErr.Message)
	}
}

// TestGetContactWithoutContact is the regression test of a
// FuzzDecodeResponse finding: a 2xx answer without a contact (an empty
// body, {"contact": null}) returned a nil contact and no error, and the
// flows dereferenced it.
func TestGetContactWithoutContact(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", `{"contact":null}`, `{}`} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(body))
		}))
		c, err := ghl.NewClient(srv.Client(), ghl.WithBaseURL(srv.URL), ghl.WithLocationID("loc1"), ghl.WithMaxRetries(0))
		if err != nil {
			t.Fatal(err)
		}
		ct, _, err := c.Contacts.Get(t.Context(), "cid1")
		if ct != nil || err == nil || !strings.Contains(err.Error(), "get-contact") {
			t.Errorf("body %q: contact %v, error %v; want no contact and an error naming get-contact", body, ct, err)
		}
		srv.Close()
	}
}
