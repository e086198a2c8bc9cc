package ghl_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
)

// TestE2EErrorsCarryNoToken provokes every kind of error the client
// returns and checks that none, formatted with %v or %+v, shows the bearer
// token, a refresh token, an authorization code or the client secret.
// (Every other test of the suite passes its errors through the same
// check, env.check.)
func TestE2EErrorsCarryNoToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  envConfig
		// call provokes the error; e.token is always a secret.
		call func(t *testing.T, e *env) error
	}{
		{"401 revoked token", envConfig{}, func(t *testing.T, e *env) error {
			e.sb.RevokeToken(e.token)
			_, _, err := e.c.Contacts.Get(t.Context(), "contact-1")
			return err
		}},
		{"404", envConfig{}, func(t *testing.T, e *env) error {
			_, _, err := e.c.Contacts.Get(t.Context(), "no-such-contact")
			return err
		}},
		{"400 duplicate on create", envConfig{}, func(t *testing.T, e *env) error {
			e.createContact(ghl.CreateContactRequest{Email: "twice@example.com"})
			_, _, err := e.c.Contacts.Create(t.Context(), &ghl.CreateContactRequest{LocationID: e.loc.ID, Email: "twice@example.com"})
			return err
		}},
		{"ambiguous create", envConfig{}, func(t *testing.T, e *env) error {
			e.sb.SetFaults(ghlsandbox.Faults{Operations: map[string]ghlsandbox.FaultRates{"create-contact": {ServerError: 1}}})
			_, _, err := e.c.Contacts.Create(t.Context(), &ghl.CreateContactRequest{LocationID: e.loc.ID, Email: "x@example.com"})
			return err
		}},
		{"daily limit", envConfig{sandbox: ghlsandbox.Options{RateLimit: ghlsandbox.RateLimitOptions{Daily: 1}}}, func(t *testing.T, e *env) error {
			_, _, err := e.c.Contacts.Get(t.Context(), "contact-1") // 404, and the day's budget is spent
			if err == nil {
				return errors.New("first call succeeded")
			}
			_, _, err = e.c.Contacts.Get(t.Context(), "contact-1")
			if !errors.Is(err, ghl.ErrDailyLimit) {
				t.Errorf("error %v, want the daily limit", err)
			}
			return err
		}},
		{"limiter wait past the deadline", envConfig{}, func(t *testing.T, e *env) error {
			ctx, cancel := context.WithTimeout(t.Context(), time.Second)
			defer cancel()
			for {
				if _, _, err := e.c.Contacts.FindDuplicate(ctx, &ghl.FindDuplicateOptions{LocationID: e.loc.ID, Email: "x@example.com"}); err != nil {
					return err // the 101st call would wait 10 s
				}
			}
		}},
		{"connection refused", envConfig{}, func(t *testing.T, e *env) error {
			dead := httptest.NewServer(http.NotFoundHandler())
			dead.Close()
			c := e.client(e.token, ghl.WithBaseURL(dead.URL), ghl.WithMaxRetries(1))
			_, _, err := c.Contacts.FindDuplicate(t.Context(), &ghl.FindDuplicateOptions{LocationID: e.loc.ID, Number: "+15550100200"})
			return err
		}},
		{"spent refresh token", envConfig{}, func(t *testing.T, e *env) error {
			app := e.sb.App()
			e.secret(app.ClientSecret)
			creds := ghl.ClientCredentials{ClientID: app.ClientID, ClientSecret: app.ClientSecret}
			tok, _ := e.install(creds, false)
			oauth := e.plainClient().OAuth
			next, _, err := oauth.RefreshToken(t.Context(), creds, &ghl.RefreshTokenRequest{RefreshToken: tok.RefreshToken})
			e.must(err)
			e.secret(next.AccessToken, next.RefreshToken)
			_, _, err = oauth.RefreshToken(t.Context(), creds, &ghl.RefreshTokenRequest{RefreshToken: tok.RefreshToken})
			return err
		}},
		{"replayed code", envConfig{}, func(t *testing.T, e *env) error {
			app := e.sb.App()
			e.secret(app.ClientSecret)
			creds := ghl.ClientCredentials{ClientID: app.ClientID, ClientSecret: app.ClientSecret}
			_, code := e.install(creds, false)
			_, _, err := e.plainClient().OAuth.ExchangeCode(t.Context(), creds, &ghl.ExchangeCodeRequest{Code: code})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.cfg)
			err := tt.call(t, e)
			if err == nil {
				t.Fatal("no error provoked")
			}
			e.check(err)
			t.Logf("%+v", err)
		})
	}
}
