package ghl

import (
	"net/http"

	"golang.org/x/oauth2"
)

// CredentialsError reports a request that was never sent because its
// credentials could not be obtained: the token source failed (for example
// the location must be re-authorised). The client neither retries it nor
// reports it as ambiguous; Unwrap gives the token source's error, so
// callers classify it with errors.Is/As.
type CredentialsError struct {
	Err error
}

func (e *CredentialsError) Error() string { return "ghl: credentials unavailable: " + e.Err.Error() }

// Unwrap returns the token source's error.
func (e *CredentialsError) Unwrap() error { return e.Err }

// NewTokenClient returns an *http.Client that sends every request with a
// bearer token from src over base (http.DefaultTransport when nil). Unlike
// oauth2.NewClient, a token source failure comes back as a
// *CredentialsError, which the client's retry policy recognises: nothing
// was sent, and retrying at the HTTP layer cannot fix credentials.
func NewTokenClient(src oauth2.TokenSource, base http.RoundTripper) *http.Client {
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{Transport: &tokenTransport{src: src, base: base}}
}

type tokenTransport struct {
	src  oauth2.TokenSource
	base http.RoundTripper
}

func (t *tokenTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tok, err := t.src.Token()
	if err != nil {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, &CredentialsError{Err: err}
	}
	r2 := r.Clone(r.Context())
	tok.SetAuthHeader(r2)
	return t.base.RoundTrip(r2)
}
