package tokens_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/tokens"
)

// TestNoSecretInAnyOutput formats every error and struct the package
// produces, in every verb and as slog JSON, and looks for the secrets.
func TestNoSecretInAnyOutput(t *testing.T) {
	t.Parallel()
	var values []any
	var secrets []string

	// Errors from real failure paths, with an adapter that quotes tokens.
	scenarios := []struct {
		name  string
		setup func(e *env)
	}{
		{"inactive", func(e *env) { e.oauth.inactive = true }},
		{"ambiguous", func(e *env) { e.oauth.fail = 5 }},
		{"invalid grant", func(e *env) {
			e.oauth.mu.Lock()
			clear(e.oauth.valid)
			e.oauth.mu.Unlock()
		}},
		{"company token refused while minting", nil},
	}
	for _, sc := range scenarios {
		e := newEnv(t)
		e.oauth.leaky = true
		access, refresh := e.seedOAuth(loc, -time.Minute)
		secrets = append(secrets, access.Reveal(), refresh.Reveal())
		if sc.setup == nil {
			e.minter = tokens.MinterFunc(func(_ context.Context, company tokens.Sensitive, _, _ string) (tokens.Grant, error) {
				return tokens.Grant{}, fmt.Errorf("401 for %s: %w", company.Reveal(), tokens.ErrInvalidGrant)
			})
			ca, cr := e.oauth.issue("co1")
			secrets = append(secrets, ca.Reveal(), cr.Reveal())
			e.putSecret("ghlsync/test/companies/co1", tokens.EncodeOAuthSecret(tokens.OAuthSecret{AccessToken: ca, RefreshToken: cr, ExpiresAt: e.clock.Now().Add(time.Hour), UserType: tokens.UserTypeCompany, CompanyID: "co1"}))
			e.putSecret("ghlsync/test/locations/"+loc, tokens.EncodeOAuthSecret(tokens.OAuthSecret{AccessToken: "minted-secret-old", ExpiresAt: e.clock.Now().Add(-time.Minute), CompanyID: "co1", LocationID: loc}))
			secrets = append(secrets, "minted-secret-old")
		} else {
			sc.setup(e)
		}
		p := e.provider()
		_, err := p.Token(t.Context(), loc)
		if err == nil {
			t.Fatalf("%s: no error", sc.name)
		}
		values = append(values, err, errors.Unwrap(err), p)
		s, _ := p.Source(loc)
		values = append(values, s)
	}

	// Secret-holding types.
	sec := tokens.OAuthSecret{AccessToken: "at-secret-struct", RefreshToken: "rt-secret-struct", ExpiresAt: time.Now(), LocationID: loc}
	pit := tokens.PITSecret{Token: "pit-secret-struct", LocationID: loc}
	app := tokens.AppSecret{ClientID: "client-id", ClientSecret: "cs-secret-struct"}
	g := tokens.Grant{AccessToken: "at-secret-grant", RefreshToken: "rt-secret-grant"}
	secrets = append(secrets, "at-secret-struct", "rt-secret-struct", "pit-secret-struct", "cs-secret-struct", "at-secret-grant", "rt-secret-grant")
	values = append(values, sec, &sec, pit, &pit, app, &app, g, &g, tokens.Sensitive("at-secret-struct"),
		struct{ Inner tokens.OAuthSecret }{sec}, []tokens.Grant{g}, map[string]tokens.AppSecret{"a": app})
	_, err := tokens.ParseOAuthSecret([]byte(`{"access_token":"at-secret-struct","expires_at":"rt-secret-struct"}`))
	values = append(values, err)

	for i, v := range values {
		var out strings.Builder
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "value", v)
		out.Write(buf.Bytes())
		if b, err := json.Marshal(v); err == nil {
			out.Write(b)
		}
		for _, s := range secrets {
			if strings.Contains(out.String(), s) {
				t.Errorf("value %d (%T) leaks a secret:\n%s", i, v, out.String())
				break
			}
		}
	}
}
