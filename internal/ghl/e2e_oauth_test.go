package ghl_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
)

// oauthEnv is an env whose app credentials are secrets too.
func oauthEnv(t *testing.T) (*env, ghl.ClientCredentials) {
	t.Helper()
	e := newEnv(t, envConfig{})
	app := e.sb.App()
	e.secret(app.ClientSecret)
	return e, ghl.ClientCredentials{ClientID: app.ClientID, ClientSecret: app.ClientSecret}
}

// install installs the sandbox app (on the env's location, or the agency)
// and exchanges the code through the client.
func (e *env) install(creds ghl.ClientCredentials, agency bool) (*ghl.Token, string) {
	e.t.Helper()
	opts, userType := ghlsandbox.InstallOptions{LocationID: e.loc.ID}, ghl.UserTypeLocation
	if agency {
		opts, userType = ghlsandbox.InstallOptions{}, ghl.UserTypeCompany
	}
	in, err := e.sb.InstallApp(opts)
	e.must(err)
	e.secret(in.Code)
	tok, _, err := e.plainClient().OAuth.ExchangeCode(e.t.Context(), creds, &ghl.ExchangeCodeRequest{Code: in.Code, UserType: userType})
	e.must(err)
	e.secret(tok.AccessToken, tok.RefreshToken)
	return tok, in.Code
}

// worksOnAPI creates a contact with token and checks the sandbox stored it.
func (e *env) worksOnAPI(token, email string) {
	e.t.Helper()
	c, _, err := e.client(token).Contacts.Create(e.t.Context(), &ghl.CreateContactRequest{LocationID: e.loc.ID, Email: email})
	e.must(err)
	if got := e.contact(c.ID); got.Email != email {
		e.t.Errorf("stored email %q, want %q", got.Email, email)
	}
}

func TestE2EOAuthCodeExchangeAndRefresh(t *testing.T) {
	t.Parallel()
	e, creds := oauthEnv(t)
	ctx := t.Context()
	oauth := e.plainClient().OAuth

	tok, code := e.install(creds, false)
	if tok.UserType != ghl.UserTypeLocation || tok.LocationID != e.loc.ID || tok.RefreshToken == "" || tok.ExpiresIn != 86399 {
		t.Errorf("token = %v (expires_in %d)", tok, tok.ExpiresIn)
	}
	if want := e.clock.Now().Add(86399 * time.Second); !tok.Expiry.Equal(want) {
		t.Errorf("expiry %v, want %v on the shared clock", tok.Expiry, want)
	}
	e.worksOnAPI(tok.AccessToken, "oauth@example.com")

	// The authorization code is single use.
	_, _, err := oauth.ExchangeCode(ctx, creds, &ghl.ExchangeCodeRequest{Code: code, UserType: ghl.UserTypeLocation})
	e.apiError(err, http.StatusBadRequest, "Invalid grant: authorization code is invalid")
	if n := e.sb.RequestCount("get-access-token"); n != 2 {
		t.Errorf("token requests = %d, want 2 (single-use grants are never retried)", n)
	}

	// Refresh rotates both tokens; the new access token works.
	next, _, err := oauth.RefreshToken(ctx, creds, &ghl.RefreshTokenRequest{RefreshToken: tok.RefreshToken, UserType: ghl.UserTypeLocation})
	e.must(err)
	e.secret(next.AccessToken, next.RefreshToken)
	if next.RefreshToken == tok.RefreshToken || next.AccessToken == tok.AccessToken || next.LocationID != e.loc.ID {
		t.Errorf("refresh did not rotate: %v", next)
	}
	e.worksOnAPI(next.AccessToken, "refreshed@example.com")

	// The old refresh token is spent.
	_, _, err = oauth.RefreshToken(ctx, creds, &ghl.RefreshTokenRequest{RefreshToken: tok.RefreshToken})
	e.apiError(err, http.StatusBadRequest, "Invalid grant: refresh token is invalid")

	// An inactive location refuses the refresh without spending the token,
	// which works again once the location is active.
	e.must(e.sb.SetLocationActive(e.loc.ID, false))
	_, _, err = oauth.RefreshToken(ctx, creds, &ghl.RefreshTokenRequest{RefreshToken: next.RefreshToken})
	e.apiError(err, http.StatusBadRequest, "Location is not active")
	e.must(e.sb.SetLocationActive(e.loc.ID, true))
	third, _, err := oauth.RefreshToken(ctx, creds, &ghl.RefreshTokenRequest{RefreshToken: next.RefreshToken})
	e.must(err)
	e.secret(third.AccessToken, third.RefreshToken)
	e.worksOnAPI(third.AccessToken, "reactivated@example.com")

	// Wrong credentials are refused.
	_, _, err = oauth.RefreshToken(ctx, ghl.ClientCredentials{ClientID: creds.ClientID, ClientSecret: "wrong-secret"}, &ghl.RefreshTokenRequest{RefreshToken: third.RefreshToken})
	e.apiError(err, http.StatusBadRequest, "Invalid parameter: clientSecret")
}

func TestE2EOAuthAgencyLocationToken(t *testing.T) {
	t.Parallel()
	e, creds := oauthEnv(t)
	agency, _ := e.install(creds, true)
	if agency.UserType != ghl.UserTypeCompany || agency.CompanyID != e.sb.CompanyID() || agency.LocationID != "" {
		t.Fatalf("agency token = %v", agency)
	}

	// An agency token is refused on sub-account routes…
	_, _, err := e.client(agency.AccessToken).Contacts.Create(t.Context(), &ghl.CreateContactRequest{LocationID: e.loc.ID, Email: "agency@example.com"})
	e.apiError(err, http.StatusUnauthorized, "This AuthClass is not yet supported")

	// …but mints a location token that works.
	loc, _, err := e.client(agency.AccessToken).OAuth.LocationToken(t.Context(), &ghl.LocationTokenRequest{CompanyID: agency.CompanyID, LocationID: e.loc.ID})
	e.must(err)
	e.secret(loc.AccessToken, loc.RefreshToken)
	if loc.LocationID != e.loc.ID || loc.AccessToken == agency.AccessToken {
		t.Errorf("location token = %v", loc)
	}
	e.worksOnAPI(loc.AccessToken, "minted@example.com")
	if n := len(e.sb.Contacts(e.loc.ID)); n != 1 {
		t.Errorf("%d contacts, want only the one made with the location token", n)
	}
}

// TestE2EOAuthConcurrentRefreshOneWins: refresh tokens are single use, so
// of two concurrent refreshes with one token exactly one gets a new pair
// (NOTES §5); the client retries neither.
func TestE2EOAuthConcurrentRefreshOneWins(t *testing.T) {
	t.Parallel()
	e, creds := oauthEnv(t)
	tok, _ := e.install(creds, false)
	oauth := e.plainClient().OAuth
	errs := make(chan error, 2)
	for range 2 {
		go func() {
			next, _, err := oauth.RefreshToken(t.Context(), creds, &ghl.RefreshTokenRequest{RefreshToken: tok.RefreshToken})
			if err == nil {
				e.secret(next.AccessToken, next.RefreshToken)
			}
			errs <- err
		}()
	}
	var won, lost int
	for range 2 {
		err := <-errs
		e.check(err)
		var ae *ghl.Error
		switch {
		case err == nil:
			won++
		case errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest && ae.Message == "Invalid grant: refresh token is invalid":
			lost++
		default:
			t.Errorf("refresh: %v", err)
		}
	}
	if won != 1 || lost != 1 {
		t.Errorf("%d refreshes won and %d lost, want one each", won, lost)
	}
	if n := e.sb.RequestCount("get-access-token"); n != 3 {
		t.Errorf("token requests = %d, want 3 (the exchange and two refreshes)", n)
	}
}

// TestE2EOAuthRefreshServerErrorIsAmbiguous: a refresh that meets a 5xx
// may have rotated the token; it is sent once and reported ambiguous. Here
// the sandbox failed before the grant ran, so the token still works.
func TestE2EOAuthRefreshServerErrorIsAmbiguous(t *testing.T) {
	t.Parallel()
	e, creds := oauthEnv(t)
	tok, _ := e.install(creds, false)
	oauth := e.plainClient().OAuth
	e.sb.ResetRequestCounts()
	e.sb.SetFaults(ghlsandbox.Faults{Seed: faultSeed, Operations: map[string]ghlsandbox.FaultRates{"get-access-token": {ServerError: 1}}})
	_, _, err := oauth.RefreshToken(t.Context(), creds, &ghl.RefreshTokenRequest{RefreshToken: tok.RefreshToken})
	e.check(err)
	if !errors.Is(err, ghl.ErrAmbiguous) {
		t.Fatalf("error %v, want ambiguous", err)
	}
	if n := e.sb.RequestCount("get-access-token"); n != 1 {
		t.Errorf("refresh sent %d times, want once", n)
	}
	e.sb.SetFaults(ghlsandbox.Faults{})
	next, _, err := oauth.RefreshToken(t.Context(), creds, &ghl.RefreshTokenRequest{RefreshToken: tok.RefreshToken})
	e.must(err)
	e.secret(next.AccessToken, next.RefreshToken)
	e.worksOnAPI(next.AccessToken, "after-5xx@example.com")
}
