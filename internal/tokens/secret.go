package tokens

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// GHL user types of an OAuth token.
const (
	UserTypeLocation = "Location"
	UserTypeCompany  = "Company"
)

// OAuthSecret is the JSON document of an OAuth token secret:
//
//	{"access_token":"…","refresh_token":"…","expires_at":"2026-11-23T10:00:00Z",
//	 "scope":"contacts.readonly contacts.write","user_type":"Location",
//	 "company_id":"…","location_id":"…"}
//
// expires_at is written as RFC 3339 in UTC, whole seconds rounded down (so
// it never overstates the lifetime); on read a JSON number of epoch seconds
// is accepted too. A location secret without refresh_token holds a token
// minted from its agency's company token (POST /oauth/locationToken) and is
// renewed by minting again.
type OAuthSecret struct {
	AccessToken  Sensitive
	RefreshToken Sensitive
	ExpiresAt    time.Time
	Scope        string
	UserType     string // UserTypeLocation or UserTypeCompany
	CompanyID    string
	LocationID   string
}

// String describes the secret without its tokens.
func (s OAuthSecret) String() string {
	return fmt.Sprintf("OAuthSecret{user_type=%s company_id=%s location_id=%s expires_at=%s refresh_token=%t}",
		s.UserType, s.CompanyID, s.LocationID, s.ExpiresAt.UTC().Format(time.RFC3339), s.RefreshToken != "")
}

// Format prints String() for every verb.
func (s OAuthSecret) Format(f fmt.State, verb rune) { writeRedacted(f, verb, s.String()) }

// LogValue implements slog.LogValuer without the tokens.
func (s OAuthSecret) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("user_type", s.UserType), slog.String("company_id", s.CompanyID),
		slog.String("location_id", s.LocationID), slog.Time("expires_at", s.ExpiresAt),
		slog.Bool("has_refresh_token", s.RefreshToken != ""))
}

// PITSecret is the JSON document of a Private Integration Token secret:
//
//	{"private_integration_token":"pit-…","location_id":"…"}
//
// A PIT is static: it is never refreshed.
type PITSecret struct {
	Token      Sensitive
	LocationID string
}

// String describes the secret without the token.
func (s PITSecret) String() string { return "PITSecret{location_id=" + s.LocationID + "}" }

// Format prints String() for every verb.
func (s PITSecret) Format(f fmt.State, verb rune) { writeRedacted(f, verb, s.String()) }

// LogValue implements slog.LogValuer without the token.
func (s PITSecret) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", "pit"), slog.String("location_id", s.LocationID))
}

// AppSecret is the JSON document of the marketplace app secret:
//
//	{"client_id":"…","client_secret":"…"}
type AppSecret struct {
	ClientID     string
	ClientSecret Sensitive
}

// String describes the secret without the client secret.
func (s AppSecret) String() string { return "AppSecret{client_id=" + s.ClientID + "}" }

// Format prints String() for every verb.
func (s AppSecret) Format(f fmt.State, verb rune) { writeRedacted(f, verb, s.String()) }

// LogValue implements slog.LogValuer without the client secret.
func (s AppSecret) LogValue() slog.Value {
	return slog.GroupValue(slog.String("client_id", s.ClientID))
}

// ParseAppSecret decodes an app secret document.
func ParseAppSecret(b []byte) (AppSecret, error) {
	var w struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return AppSecret{}, fmt.Errorf("%w: app secret is not a JSON object of strings", ErrMalformedSecret)
	}
	if w.ClientID == "" || w.ClientSecret == "" {
		return AppSecret{}, fmt.Errorf("%w: app secret needs client_id and client_secret", ErrMalformedSecret)
	}
	return AppSecret{ClientID: w.ClientID, ClientSecret: Sensitive(w.ClientSecret)}, nil
}

// wireToken is the stored JSON of a location or company token secret.
type wireToken struct {
	AccessToken             string     `json:"access_token,omitempty"`
	RefreshToken            string     `json:"refresh_token,omitempty"`
	ExpiresAt               *expiresAt `json:"expires_at,omitempty"`
	Scope                   string     `json:"scope,omitempty"`
	UserType                string     `json:"user_type,omitempty"`
	CompanyID               string     `json:"company_id,omitempty"`
	LocationID              string     `json:"location_id,omitempty"`
	PrivateIntegrationToken string     `json:"private_integration_token,omitempty"`
}

// expiresAt reads RFC 3339 strings or epoch seconds and writes RFC 3339.
type expiresAt time.Time

func (e expiresAt) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(time.Time(e).UTC().Truncate(time.Second).Format(time.RFC3339))), nil
}

func (e *expiresAt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		s, err := strconv.Unquote(string(b))
		if err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("expires_at is not RFC 3339")
		}
		*e = expiresAt(t)
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("expires_at is neither RFC 3339 nor epoch seconds")
	}
	*e = expiresAt(time.UnixMilli(int64(f * 1000)))
	return nil
}

// tokenSecret is a decoded token secret: exactly one of oauth and pit is set.
type tokenSecret struct {
	oauth *OAuthSecret
	pit   *PITSecret
}

// refreshToken returns the OAuth refresh token, "" for a PIT.
func (t tokenSecret) refreshToken() Sensitive {
	if t.oauth == nil {
		return ""
	}
	return t.oauth.RefreshToken
}

// parseTokenSecret decodes a location or company token document. Errors
// name the problem, never a value.
func parseTokenSecret(b []byte) (tokenSecret, error) {
	var w wireToken
	if err := json.Unmarshal(b, &w); err != nil {
		return tokenSecret{}, fmt.Errorf("%w: not a token document", ErrMalformedSecret)
	}
	switch {
	case w.PrivateIntegrationToken != "" && w.AccessToken == "" && w.RefreshToken == "":
		return tokenSecret{pit: &PITSecret{Token: Sensitive(w.PrivateIntegrationToken), LocationID: w.LocationID}}, nil
	case w.PrivateIntegrationToken != "":
		return tokenSecret{}, fmt.Errorf("%w: both private_integration_token and OAuth tokens", ErrMalformedSecret)
	case w.AccessToken == "" && w.RefreshToken == "":
		return tokenSecret{}, fmt.Errorf("%w: neither access_token nor private_integration_token", ErrMalformedSecret)
	case w.ExpiresAt == nil:
		return tokenSecret{}, fmt.Errorf("%w: OAuth token without expires_at", ErrMalformedSecret)
	}
	return tokenSecret{oauth: &OAuthSecret{
		AccessToken: Sensitive(w.AccessToken), RefreshToken: Sensitive(w.RefreshToken),
		ExpiresAt: time.Time(*w.ExpiresAt), Scope: w.Scope, UserType: w.UserType,
		CompanyID: w.CompanyID, LocationID: w.LocationID,
	}}, nil
}

// encodeOAuth returns the stored JSON of s. The encoding is deterministic:
// the same secret always gives the same bytes, so a retried PutSecretValue
// with the same ClientRequestToken is recognised as the same version.
func encodeOAuth(s OAuthSecret) []byte {
	e := expiresAt(s.ExpiresAt)
	b, _ := json.Marshal(wireToken{
		AccessToken: string(s.AccessToken), RefreshToken: string(s.RefreshToken), ExpiresAt: &e,
		Scope: s.Scope, UserType: s.UserType, CompanyID: s.CompanyID, LocationID: s.LocationID,
	})
	return b
}

// encodePIT returns the stored JSON of s.
func encodePIT(s PITSecret) []byte {
	b, _ := json.Marshal(wireToken{PrivateIntegrationToken: string(s.Token), LocationID: s.LocationID})
	return b
}

// ParseOAuthSecret decodes an OAuth token document (for tools and the local run).
func ParseOAuthSecret(b []byte) (OAuthSecret, error) {
	t, err := parseTokenSecret(b)
	if err != nil {
		return OAuthSecret{}, err
	}
	if t.oauth == nil {
		return OAuthSecret{}, fmt.Errorf("%w: a PIT, not an OAuth token", ErrMalformedSecret)
	}
	return *t.oauth, nil
}

// ParsePITSecret decodes a PIT document.
func ParsePITSecret(b []byte) (PITSecret, error) {
	t, err := parseTokenSecret(b)
	if err != nil {
		return PITSecret{}, err
	}
	if t.pit == nil {
		return PITSecret{}, fmt.Errorf("%w: an OAuth token, not a PIT", ErrMalformedSecret)
	}
	return *t.pit, nil
}

// EncodeOAuthSecret returns the stored JSON document of s.
func EncodeOAuthSecret(s OAuthSecret) []byte { return encodeOAuth(s) }

// EncodePITSecret returns the stored JSON document of s.
func EncodePITSecret(s PITSecret) []byte { return encodePIT(s) }
