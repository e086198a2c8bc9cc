package ghlauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// OAuthAPI is the part of the GHL OAuth service this package uses;
// *ghl.OAuthService satisfies it.
type OAuthAPI interface {
	ExchangeCode(ctx context.Context, creds ghl.ClientCredentials, r *ghl.ExchangeCodeRequest) (*ghl.Token, *ghl.Response, error)
	RefreshToken(ctx context.Context, creds ghl.ClientCredentials, r *ghl.RefreshTokenRequest) (*ghl.Token, *ghl.Response, error)
}

// Refresher refreshes OAuth tokens through GHL. It implements tokens.Refresher.
type Refresher struct {
	OAuth OAuthAPI
	App   ghl.ClientCredentials
	// UserType is the token type to request; empty omits user_type, and
	// GHL keeps the type of the token being refreshed (location or company).
	UserType string
}

// Refresh exchanges a refresh token for a new pair (single use: GHL
// invalidates refreshToken). GHL's "Invalid grant" answer wraps
// tokens.ErrInvalidGrant and "Location is not active" wraps
// tokens.ErrLocationInactive; every other failure may have consumed the
// token, as the tokens contract expects.
func (r *Refresher) Refresh(ctx context.Context, refreshToken tokens.Sensitive) (tokens.Grant, error) {
	tok, _, err := r.OAuth.RefreshToken(ctx, r.App, &ghl.RefreshTokenRequest{RefreshToken: refreshToken.Reveal(), UserType: r.UserType})
	if err != nil {
		return tokens.Grant{}, classify(err)
	}
	return grantOf(tok), nil
}

// Exchange trades an authorization code for the install's first token pair.
func Exchange(ctx context.Context, api OAuthAPI, app ghl.ClientCredentials, code, redirectURI string) (tokens.Grant, error) {
	g, _, err := ExchangeApproved(ctx, api, app, code, redirectURI)
	return g, err
}

// ExchangeApproved is Exchange that also returns the locations an agency
// (Company) install was approved for (approvedLocations of the answer;
// empty for a location install, or when GHL lists none).
func ExchangeApproved(ctx context.Context, api OAuthAPI, app ghl.ClientCredentials, code, redirectURI string) (tokens.Grant, []string, error) {
	tok, _, err := api.ExchangeCode(ctx, app, &ghl.ExchangeCodeRequest{Code: code, RedirectURI: redirectURI})
	if err != nil {
		return tokens.Grant{}, nil, classify(err)
	}
	return grantOf(tok), tok.ApprovedLocations, nil
}

// ErrCodeRejected reports an authorization code GHL refused (unknown,
// expired or already used).
var ErrCodeRejected = errors.New("ghlauth: authorization code rejected")

// classify maps GHL token-endpoint errors onto the tokens contract.
func classify(err error) error {
	var ge *ghl.Error
	if errors.As(err, &ge) && ge.StatusCode == http.StatusBadRequest {
		msg := strings.ToLower(ge.Message)
		switch {
		case strings.Contains(msg, "location is not active"):
			return fmt.Errorf("%w: %w", tokens.ErrLocationInactive, err)
		case strings.Contains(msg, "invalid grant") && strings.Contains(msg, "refresh"):
			return fmt.Errorf("%w: %w", tokens.ErrInvalidGrant, err)
		case strings.Contains(msg, "invalid grant"), strings.Contains(msg, "code"):
			return fmt.Errorf("%w: %w", ErrCodeRejected, err)
		}
	}
	return err
}

func grantOf(t *ghl.Token) tokens.Grant {
	return tokens.Grant{
		AccessToken:  tokens.Sensitive(t.AccessToken),
		RefreshToken: tokens.Sensitive(t.RefreshToken),
		ExpiresIn:    time.Duration(t.ExpiresIn) * time.Second,
		Scope:        t.Scope,
		UserType:     t.UserType,
		CompanyID:    t.CompanyID,
		LocationID:   t.LocationID,
	}
}

// Minter mints location tokens from an agency (company) token through
// POST /oauth/locationToken. It implements tokens.LocationTokenMinter.
type Minter struct {
	// HTTP is the base client (its Transport is reused); nil means http.DefaultClient.
	HTTP *http.Client
	// Options configure the GHL client (base URL, clock, rate limiters).
	Options []ghl.Option
}

// MintLocationToken mints a token for locationID with the company's access token.
func (m *Minter) MintLocationToken(ctx context.Context, companyAccessToken tokens.Sensitive, companyID, locationID string) (tokens.Grant, error) {
	base := m.HTTP
	if base == nil {
		base = http.DefaultClient
	}
	hc := &http.Client{
		Timeout: base.Timeout,
		Transport: &oauth2.Transport{
			Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: companyAccessToken.Reveal(), TokenType: "Bearer"}),
			Base:   base.Transport,
		},
	}
	c, err := ghl.NewClient(hc, m.Options...)
	if err != nil {
		return tokens.Grant{}, fmt.Errorf("ghlauth: client for company %s: %w", companyID, err)
	}
	tok, _, err := c.OAuth.LocationToken(ctx, &ghl.LocationTokenRequest{CompanyID: companyID, LocationID: locationID})
	if err != nil {
		return tokens.Grant{}, classify(err)
	}
	g := grantOf(tok)
	if g.LocationID == "" {
		g.LocationID = locationID
	}
	if g.CompanyID == "" {
		g.CompanyID = companyID
	}
	if g.UserType == "" {
		g.UserType = ghl.UserTypeLocation
	}
	return g, nil
}
