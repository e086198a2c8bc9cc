package ghlauth_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlauth"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

type env struct {
	sb     *ghlsandbox.Sandbox
	srv    *httptest.Server
	client *ghl.Client
	app    ghl.ClientCredentials
	loc    ghlsandbox.LocationInfo
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sb, err := ghlsandbox.New(ghlsandbox.Options{RateLimit: ghlsandbox.RateLimitOptions{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	loc, err := sb.AddLocation(ghlsandbox.LocationOptions{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ghl.NewClient(srv.Client(), ghl.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	a := sb.App()
	return &env{sb: sb, srv: srv, client: c, app: ghl.ClientCredentials{ClientID: a.ClientID, ClientSecret: a.ClientSecret}, loc: loc}
}

func (e *env) install(t *testing.T, locationID string) tokens.Grant {
	t.Helper()
	in, err := e.sb.InstallApp(ghlsandbox.InstallOptions{AppID: e.sb.App().ID, LocationID: locationID})
	if err != nil {
		t.Fatal(err)
	}
	g, err := ghlauth.Exchange(t.Context(), e.client.OAuth, e.app, in.Code, "")
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestRefreshRotatesAndClassifies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	g := e.install(t, e.loc.ID)
	if g.LocationID != e.loc.ID || g.AccessToken == "" || g.RefreshToken == "" || g.ExpiresIn <= 0 {
		t.Fatalf("grant = %v", g)
	}
	r := &ghlauth.Refresher{OAuth: e.client.OAuth, App: e.app}
	g2, err := r.Refresh(t.Context(), g.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if g2.RefreshToken == g.RefreshToken || g2.AccessToken == g.AccessToken {
		t.Error("refresh did not rotate the pair")
	}
	// The old refresh token is spent: invalid grant.
	_, err = r.Refresh(t.Context(), g.RefreshToken)
	if !errors.Is(err, tokens.ErrInvalidGrant) {
		t.Fatalf("reuse: err = %v, want ErrInvalidGrant", err)
	}
	// An inactive location does not consume the token.
	e.sb.SetLocationActive(e.loc.ID, false)
	if _, err = r.Refresh(t.Context(), g2.RefreshToken); !errors.Is(err, tokens.ErrLocationInactive) {
		t.Fatalf("inactive: err = %v, want ErrLocationInactive", err)
	}
	e.sb.SetLocationActive(e.loc.ID, true)
	if _, err = r.Refresh(t.Context(), g2.RefreshToken); err != nil {
		t.Fatalf("after reactivation: %v", err)
	}
	for _, leak := range []tokens.Sensitive{g.RefreshToken, g2.RefreshToken, tokens.Sensitive(e.app.ClientSecret)} {
		if s := fmt.Sprintf("%v %+v", err, g2); strings.Contains(s, string(leak)) {
			t.Errorf("secret leaked: %s", s)
		}
	}
}

func TestExchangeReplayedCode(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in, err := e.sb.InstallApp(ghlsandbox.InstallOptions{AppID: e.sb.App().ID, LocationID: e.loc.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ghlauth.Exchange(t.Context(), e.client.OAuth, e.app, in.Code, ""); err != nil {
		t.Fatal(err)
	}
	_, err = ghlauth.Exchange(t.Context(), e.client.OAuth, e.app, in.Code, "")
	if !errors.Is(err, ghlauth.ErrCodeRejected) {
		t.Fatalf("replayed code: err = %v, want ErrCodeRejected", err)
	}
}

func TestMinterMintsWorkingLocationToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	company := e.install(t, "") // agency install
	if company.CompanyID == "" {
		t.Fatalf("agency grant without company id: %v", company)
	}
	m := &ghlauth.Minter{HTTP: e.srv.Client(), Options: []ghl.Option{ghl.WithBaseURL(e.srv.URL)}}
	g, err := m.MintLocationToken(t.Context(), company.AccessToken, company.CompanyID, e.loc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if g.LocationID != e.loc.ID || g.AccessToken == "" {
		t.Errorf("minted grant = %v", g)
	}
	hc := oauth2.NewClient(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: g.AccessToken.Reveal()}))
	c, err := ghl.NewClient(hc, ghl.WithBaseURL(e.srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Contacts.Search(t.Context(), &ghl.SearchContactsRequest{LocationID: e.loc.ID, PageLimit: 1}); err != nil {
		t.Errorf("minted token does not work on the API: %v", err)
	}
}
