package tokens_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/tokens"
)

// minter is a fake POST /oauth/locationToken that checks the company token.
type minter struct {
	oauth *oauthServer
	mints atomic.Int64
	want  func() tokens.Sensitive // the company access token it accepts
}

func (m *minter) MintLocationToken(_ context.Context, companyToken tokens.Sensitive, companyID, locationID string) (tokens.Grant, error) {
	if companyToken != m.want() {
		return tokens.Grant{}, fmt.Errorf("ghl: 401 company token refused: %w", tokens.ErrInvalidGrant)
	}
	n := m.mints.Add(1)
	return tokens.Grant{AccessToken: tokens.Sensitive(fmt.Sprintf("minted-secret-%s-%d", locationID, n)), ExpiresIn: time.Hour,
		Scope: "contacts.readonly", UserType: tokens.UserTypeLocation, CompanyID: companyID, LocationID: locationID}, nil
}

func TestAgencyMintsLocationTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const company = "co1"
	access, refresh := e.oauth.issue(company)
	e.putSecret("ghlsync/test/companies/"+company, tokens.EncodeOAuthSecret(tokens.OAuthSecret{
		AccessToken: access, RefreshToken: refresh, ExpiresAt: e.clock.Now().Add(2 * time.Hour), UserType: tokens.UserTypeCompany, CompanyID: company,
	}))
	var p *tokens.Provider
	m := &minter{oauth: e.oauth, want: func() tokens.Sensitive {
		cs, _ := p.CompanySource(company)
		tok, err := cs.TokenContext(context.Background())
		if err != nil {
			return ""
		}
		return tokens.Sensitive(tok.AccessToken)
	}}
	e.minter = m
	p = e.provider()

	// INSTALL of a location under the agency: mint and create its secret.
	tok, err := p.MintLocation(t.Context(), company, loc)
	if err != nil {
		t.Fatal(err)
	}
	cur := e.current(loc)
	if tok.AccessToken != cur.AccessToken.Reveal() || cur.RefreshToken != "" || cur.CompanyID != company {
		t.Fatalf("minted secret %v does not match the token", cur)
	}

	// Another container uses the minted token from the secret; no new mint.
	q := e.provider()
	if tok2, err := q.Token(t.Context(), loc); err != nil || tok2.AccessToken != tok.AccessToken {
		t.Fatalf("second container: err %v", err)
	}

	// 56 minutes later the minted token is inside the margin: mint again.
	// 2 hours later the company token must be refreshed first.
	e.clock.Advance(56 * time.Minute)
	if _, err := q.Token(t.Context(), loc); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(70 * time.Minute)
	tok3, err := q.Token(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	if tok3.AccessToken != e.current(loc).AccessToken.Reveal() {
		t.Error("returned token is not the saved one")
	}
	got := []int64{m.mints.Load(), e.oauth.refreshes.Load(), e.oauth.invalidGrant.Load()}
	if diff := cmp.Diff([]int64{3, 1, 0}, got); diff != "" {
		t.Errorf("[mints, company refreshes, invalid grants] (-want +got):\n%s", diff)
	}
}

func TestMintWithoutMinterIsNotConfigured(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.putSecret("ghlsync/test/locations/"+loc, tokens.EncodeOAuthSecret(tokens.OAuthSecret{
		AccessToken: "minted-secret-x", ExpiresAt: e.clock.Now().Add(-time.Minute), UserType: tokens.UserTypeLocation, CompanyID: "co1", LocationID: loc,
	}))
	_, err := e.provider().Token(t.Context(), loc)
	if !errors.Is(err, tokens.ErrNotConfigured) || tokens.IsTemporary(err) {
		t.Fatalf("err = %v, want ErrNotConfigured", err)
	}
}

func TestMissingSecretIsErrNoSecret(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.provider().Token(t.Context(), loc)
	if !errors.Is(err, tokens.ErrNoSecret) || tokens.IsTemporary(err) {
		t.Fatalf("err = %v, want permanent ErrNoSecret", err)
	}
}
