package ghl

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"golang.org/x/oauth2"
)

// OAuthService covers the GHL OAuth 2.0 token endpoints.
//
// The token exchange endpoint takes no bearer token: call it on a Client
// built on a plain *http.Client. LocationToken needs an agency (Company)
// access token, which the Client's *http.Client supplies.
type OAuthService service

// Token grant types and user types of POST /oauth/token.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	UserTypeLocation       = "Location"
	UserTypeCompany        = "Company"
)

// ClientCredentials are a marketplace app's client ID and secret. The
// secret never appears in its String, GoString or LogValue.
type ClientCredentials struct {
	ClientID     string
	ClientSecret string
}

// String shows the client ID and hides the secret.
func (c ClientCredentials) String() string {
	return fmt.Sprintf("ClientCredentials{ClientID: %q, ClientSecret: %s}", c.ClientID, redacted(c.ClientSecret))
}

// GoString is String, so that %#v hides the secret too.
func (c ClientCredentials) GoString() string { return c.String() }

// LogValue implements slog.LogValuer without the secret.
func (c ClientCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", c.ClientID), slog.String("client_secret", redacted(c.ClientSecret)))
}

func (c ClientCredentials) check(ep *Endpoint) error {
	if c.ClientID == "" || c.ClientSecret == "" {
		return invalid(ep, "empty client_id or client_secret")
	}
	return nil
}

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "[REDACTED]"
}

// Token is the answer of the token endpoints. Its String, GoString and
// LogValue hide the tokens.
type Token struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type,omitempty"`
	ExpiresIn    int    `json:"expires_in,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	// Scope is space separated.
	Scope     string `json:"scope,omitempty"`
	UserType  string `json:"userType,omitempty"`
	UserID    string `json:"userId,omitempty"`
	CompanyID string `json:"companyId,omitempty"`
	// LocationID is set for sub-account (Location) tokens.
	LocationID               string   `json:"locationId,omitempty"`
	ApprovedLocations        []string `json:"approvedLocations,omitempty"`
	PlanID                   string   `json:"planId,omitempty"`
	AppID                    string   `json:"appId,omitempty"`
	VersionID                string   `json:"versionId,omitempty"`
	IsBulkInstallation       bool     `json:"isBulkInstallation,omitempty"`
	InstallToFutureLocations bool     `json:"installToFutureLocations,omitempty"`
	ApproveAllLocations      bool     `json:"approveAllLocations,omitempty"`

	// Expiry is when the access token expires: the client's clock at
	// receipt plus ExpiresIn. It is not part of GHL's answer.
	Expiry time.Time `json:"-"`
}

// String hides the tokens.
func (t *Token) String() string {
	if t == nil {
		return "<nil>"
	}
	return fmt.Sprintf("Token{AccessToken: %s, RefreshToken: %s, UserType: %q, LocationID: %q, CompanyID: %q, Expiry: %s}",
		redacted(t.AccessToken), redacted(t.RefreshToken), t.UserType, t.LocationID, t.CompanyID, t.Expiry.Format(time.RFC3339))
}

// GoString is String, so that %#v hides the tokens too.
func (t *Token) GoString() string { return t.String() }

// LogValue implements slog.LogValuer without the tokens.
func (t *Token) LogValue() slog.Value {
	if t == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("access_token", redacted(t.AccessToken)),
		slog.String("refresh_token", redacted(t.RefreshToken)),
		slog.String("user_type", t.UserType),
		slog.String("location_id", t.LocationID),
		slog.String("company_id", t.CompanyID),
		slog.Time("expiry", t.Expiry),
	)
}

// OAuth2 returns the token as an *oauth2.Token, for an oauth2.TokenSource.
func (t *Token) OAuth2() *oauth2.Token {
	return &oauth2.Token{
		AccessToken:  t.AccessToken,
		TokenType:    t.TokenType,
		RefreshToken: t.RefreshToken,
		Expiry:       t.Expiry,
		ExpiresIn:    int64(t.ExpiresIn),
	}
}

// ExchangeCodeRequest is the authorization-code grant.
type ExchangeCodeRequest struct {
	// Code is the code of the OAuth redirect (single use).
	Code string
	// UserType is UserTypeLocation or UserTypeCompany; empty sends none.
	UserType string
	// RedirectURI is the redirect URI of the authorization request.
	RedirectURI string
}

// RefreshTokenRequest is the refresh-token grant.
type RefreshTokenRequest struct {
	// RefreshToken is single use: GHL rotates it on every refresh.
	RefreshToken string
	// UserType is UserTypeLocation or UserTypeCompany; empty sends none.
	UserType    string
	RedirectURI string
}

// LocationTokenRequest asks for a location token from an agency token.
type LocationTokenRequest struct {
	CompanyID  string
	LocationID string
}

// ExchangeCode trades an authorization code for tokens. The code is single
// use, so a failure after the request may have reached GHL is an
// *AmbiguousError and is not retried.
//
// GHL API: POST /oauth/token (get-access-token), grant_type=authorization_code.
func (s *OAuthService) ExchangeCode(ctx context.Context, creds ClientCredentials, r *ExchangeCodeRequest) (*Token, *Response, error) {
	if err := creds.check(epExchangeCode); err != nil {
		return nil, nil, err
	}
	if r == nil || r.Code == "" {
		return nil, nil, invalid(epExchangeCode, "empty code")
	}
	form := tokenForm(creds, GrantAuthorizationCode, r.UserType, r.RedirectURI)
	form.Set("code", r.Code)
	return s.token(ctx, epExchangeCode, form)
}

// RefreshToken trades a refresh token for a new token pair. Refresh tokens
// are single use: a failure after the request may have reached GHL is an
// *AmbiguousError and is never retried (GHL may have issued a new pair and
// voided the old token). Serialise refreshes per location.
//
// GHL API: POST /oauth/token (get-access-token), grant_type=refresh_token.
func (s *OAuthService) RefreshToken(ctx context.Context, creds ClientCredentials, r *RefreshTokenRequest) (*Token, *Response, error) {
	if err := creds.check(epRefreshToken); err != nil {
		return nil, nil, err
	}
	if r == nil || r.RefreshToken == "" {
		return nil, nil, invalid(epRefreshToken, "empty refresh_token")
	}
	form := tokenForm(creds, GrantRefreshToken, r.UserType, r.RedirectURI)
	form.Set("refresh_token", r.RefreshToken)
	return s.token(ctx, epRefreshToken, form)
}

// LocationToken mints a sub-account (Location) access token from the
// agency token the Client's *http.Client sends.
//
// GHL API: POST /oauth/locationToken (get-location-access-token).
func (s *OAuthService) LocationToken(ctx context.Context, r *LocationTokenRequest) (*Token, *Response, error) {
	if r == nil || r.CompanyID == "" || r.LocationID == "" {
		return nil, nil, invalid(epLocationToken, "companyId and locationId are required")
	}
	form := url.Values{}
	form.Set("companyId", r.CompanyID)
	form.Set("locationId", r.LocationID)
	return s.token(ctx, epLocationToken, form)
}

func tokenForm(creds ClientCredentials, grant, userType, redirectURI string) url.Values {
	form := url.Values{}
	form.Set("client_id", creds.ClientID)
	form.Set("client_secret", creds.ClientSecret)
	form.Set("grant_type", grant)
	if userType != "" {
		form.Set("user_type", userType)
	}
	if redirectURI != "" {
		form.Set("redirect_uri", redirectURI)
	}
	return form
}

func (s *OAuthService) token(ctx context.Context, ep *Endpoint, form url.Values) (*Token, *Response, error) {
	req, err := s.client.NewRequest(ctx, ep, nil, nil, form)
	if err != nil {
		return nil, nil, err
	}
	var out Token
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.AccessToken == "" {
		return nil, resp, fmt.Errorf("ghl: %s: answer without access_token", ep.OperationID)
	}
	if out.ExpiresIn > 0 {
		out.Expiry = s.client.clock.Now().Add(time.Duration(out.ExpiresIn) * time.Second)
	}
	return &out, resp, nil
}
