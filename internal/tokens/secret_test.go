package tokens_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

var _ oauth2.TokenSource = (*tokens.Source)(nil)

func TestParseOAuthSecret(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		in      string
		want    tokens.OAuthSecret
		wantErr error
	}{
		{"RFC 3339", `{"access_token":"a","refresh_token":"r","expires_at":"2026-11-23T10:00:00Z","scope":"s","user_type":"Location","company_id":"c","location_id":"l"}`,
			tokens.OAuthSecret{AccessToken: "a", RefreshToken: "r", ExpiresAt: at, Scope: "s", UserType: "Location", CompanyID: "c", LocationID: "l"}, nil},
		{"epoch seconds", `{"access_token":"a","refresh_token":"r","expires_at":1795428000}`,
			tokens.OAuthSecret{AccessToken: "a", RefreshToken: "r", ExpiresAt: at}, nil},
		{"minted, no refresh token", `{"access_token":"a","expires_at":"2026-11-23T10:00:00Z","company_id":"c"}`,
			tokens.OAuthSecret{AccessToken: "a", ExpiresAt: at, CompanyID: "c"}, nil},
		{"PIT", `{"private_integration_token":"p","location_id":"l"}`, tokens.OAuthSecret{}, tokens.ErrMalformedSecret},
		{"no expiry", `{"access_token":"a","refresh_token":"r"}`, tokens.OAuthSecret{}, tokens.ErrMalformedSecret},
		{"bad expiry", `{"access_token":"a","expires_at":"tomorrow"}`, tokens.OAuthSecret{}, tokens.ErrMalformedSecret},
		{"both kinds", `{"access_token":"a","private_integration_token":"p","expires_at":1}`, tokens.OAuthSecret{}, tokens.ErrMalformedSecret},
		{"not JSON", `access_token=a`, tokens.OAuthSecret{}, tokens.ErrMalformedSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tokens.ParseOAuthSecret([]byte(tc.in))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if err != nil && strings.Contains(err.Error(), "tomorrow") {
				t.Errorf("error quotes the value: %v", err)
			}
		})
	}
}

func TestEncodeIsStableAndRoundTrips(t *testing.T) {
	t.Parallel()
	s := tokens.OAuthSecret{AccessToken: "a", RefreshToken: "r", ExpiresAt: time.Date(2026, 11, 23, 10, 0, 0, 900e6, time.FixedZone("x", 3600)),
		Scope: "s", UserType: "Location", CompanyID: "c", LocationID: "l"}
	got := string(tokens.EncodeOAuthSecret(s))
	want := `{"access_token":"a","refresh_token":"r","expires_at":"2026-11-23T09:00:00Z","scope":"s","user_type":"Location","company_id":"c","location_id":"l"}`
	if got != want {
		t.Errorf("encoded\n got %s\nwant %s", got, want)
	}
	back, err := tokens.ParseOAuthSecret([]byte(got))
	if err != nil || !back.ExpiresAt.Equal(s.ExpiresAt.Truncate(time.Second)) || back.AccessToken != "a" {
		t.Errorf("round trip: %v %v", back, err)
	}
	pit := string(tokens.EncodePITSecret(tokens.PITSecret{Token: "p", LocationID: "l"}))
	if pit != `{"location_id":"l","private_integration_token":"p"}` {
		t.Errorf("PIT encoded %s", pit)
	}
	if p, err := tokens.ParsePITSecret([]byte(pit)); err != nil || p.Token != "p" {
		t.Errorf("PIT round trip: %v", err)
	}
}

func TestSecretNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		prefix, id string
		want       string
		wantErr    error
	}{
		{"ghlsync/dev", "ve9EPM428h8vShlRW1KT", "ghlsync/dev/locations/ve9EPM428h8vShlRW1KT", nil},
		{"ghlsync/prod", "loc_1-a", "ghlsync/prod/locations/loc_1-a", nil},
		{"ghlsync/dev", "../app", "", tokens.ErrInvalidID},
		{"ghlsync/dev", "", "", tokens.ErrInvalidID},
		{"ghlsync/dev", strings.Repeat("a", 65), "", tokens.ErrInvalidID},
		{"ghlsync/dev", "a/b", "", tokens.ErrInvalidID},
		{"/ghlsync", "abc", "", tokens.ErrInvalidPrefix},
		{"ghlsync/", "abc", "", tokens.ErrInvalidPrefix},
		{"ghl sync", "abc", "", tokens.ErrInvalidPrefix},
	}
	for _, tc := range tests {
		got, err := tokens.LocationSecretName(tc.prefix, tc.id)
		if got != tc.want || !errors.Is(err, tc.wantErr) {
			t.Errorf("LocationSecretName(%q, %q) = %q, %v; want %q, %v", tc.prefix, tc.id, got, err, tc.want, tc.wantErr)
		}
	}
	if got, _ := tokens.CompanySecretName("ghlsync/dev", "co1"); got != "ghlsync/dev/companies/co1" {
		t.Errorf("CompanySecretName = %q", got)
	}
}

func TestClientRequestToken(t *testing.T) {
	t.Parallel()
	a, b := tokens.ClientRequestToken("rt-1"), tokens.ClientRequestToken("rt-2")
	if a != tokens.ClientRequestToken("rt-1") || a == b || len(a) != 64 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("tokens %q %q: want deterministic, distinct, 64 hex", a, b)
	}
}

func TestLoadAppSecret(t *testing.T) {
	t.Parallel()
	s := secretstest.Start(t)
	c := s.Client()
	tests := []struct {
		name, value string
		want        tokens.AppSecret
		wantErr     error
	}{
		{"ok", `{"client_id":"id","client_secret":"cs-secret"}`, tokens.AppSecret{ClientID: "id", ClientSecret: "cs-secret"}, nil},
		{"missing secret field", `{"client_id":"id"}`, tokens.AppSecret{}, tokens.ErrMalformedSecret},
		{"absent", "", tokens.AppSecret{}, tokens.ErrNoSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name := "ghlsync/dev/app-" + strings.ReplaceAll(tc.name, " ", "-")
			if tc.value != "" {
				if _, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(tc.value)}); err != nil {
					t.Fatal(err)
				}
			}
			got, err := tokens.LoadAppSecret(t.Context(), c, name)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSourceIsAnOAuth2TokenSource(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	access, _ := e.seedOAuth(loc, time.Hour)
	p := e.provider()
	s, err := p.Source(loc)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := p.Source(loc); again != s {
		t.Error("Source returned a new source for the same location")
	}
	ts, err := p.TokenSource(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []oauth2.TokenSource{s, ts} {
		tok, err := src.Token()
		if err != nil || tok.AccessToken != access.Reveal() || tok.Type() != "Bearer" {
			t.Errorf("Token() = ok %t, err %v", err == nil && tok.AccessToken == access.Reveal(), err)
		}
	}
	if _, err := p.Source("bad/id"); !errors.Is(err, tokens.ErrInvalidID) {
		t.Errorf("Source(bad id) err = %v", err)
	}
	// Invalidate forces a re-read, not a refresh.
	e.sm.ResetCalls()
	s.Invalidate()
	if _, err := s.TokenContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, r := e.sm.Calls(secretstest.OpGetSecretValue), e.oauth.calls.Load(); n != 1 || r != 0 {
		t.Errorf("after Invalidate: reads %d refreshes %d, want 1 and 0", n, r)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name string
		cfg  tokens.Config
		want error
	}{
		{"no secrets", tokens.Config{Leases: e.leases, SecretPrefix: "x"}, tokens.ErrNotConfigured},
		{"no leases", tokens.Config{Secrets: e.client, SecretPrefix: "x"}, tokens.ErrNotConfigured},
		{"bad prefix", tokens.Config{Secrets: e.client, Leases: e.leases, SecretPrefix: "a b"}, tokens.ErrInvalidPrefix},
	}
	for _, tc := range tests {
		if _, err := tokens.New(tc.cfg); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
}
