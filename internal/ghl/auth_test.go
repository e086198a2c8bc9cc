package ghl

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"
)

type failingSource struct{ err error }

func (f failingSource) Token() (*oauth2.Token, error) { return nil, f.err }

var errReauth = errors.New("location needs re-authorisation")

func TestTokenClientCredentialsErrorIsNotRetried(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	tests := []struct {
		name string
		call func(c *Client) error
	}{
		{name: "safe read", call: func(c *Client) error { _, _, err := c.Contacts.Get(t.Context(), "c1"); return err }},
		{name: "create", call: func(c *Client) error {
			_, _, err := c.Contacts.Create(t.Context(), &CreateContactRequest{LocationID: "loc1", Email: "a@example.com"})
			return err
		}},
	}
	for _, tt := range tests {
		c, err := NewClient(NewTokenClient(failingSource{errReauth}, nil), WithBaseURL(srv.URL), WithMaxRetries(4))
		if err != nil {
			t.Fatal(err)
		}
		err = tt.call(c)
		var ce *CredentialsError
		if !errors.As(err, &ce) || !errors.Is(err, errReauth) {
			t.Errorf("%s: err = %v, want *CredentialsError wrapping the token error", tt.name, err)
		}
		if errors.Is(err, ErrAmbiguous) {
			t.Errorf("%s: a request that was never sent must not be ambiguous: %v", tt.name, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
}

func TestTokenClientSendsBearer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"contact":{"id":"c1"}}`))
	}))
	defer srv.Close()
	c, err := NewClient(NewTokenClient(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok-1"}), nil), WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := c.Contacts.Get(t.Context(), "c1")
	if err != nil || got.ID != "c1" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
}
