package tokens

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/store"
)

// SecretsAPI is the part of the Secrets Manager client the package uses.
// *secretsmanager.Client satisfies it.
type SecretsAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	CreateSecret(ctx context.Context, in *secretsmanager.CreateSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error)
}

// Leaser serialises token renewal across containers; store.Store satisfies it.
// AcquireLease takes the lease for owner until now+ttl if it is free,
// expired or already held by owner, and reports false when another owner
// holds a live lease. ReleaseLease frees it if owner holds it.
type Leaser interface {
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration, now time.Time) (bool, error)
	ReleaseLease(ctx context.Context, name, owner string) error
}

// Installations reads and writes install records; store.Store satisfies it.
// A company install is keyed by its company id (Installation.LocationID =
// company id, CompanyID = company id).
type Installations interface {
	GetInstallation(ctx context.Context, locationID string) (*store.Installation, error)
	PutInstallation(ctx context.Context, in store.Installation) error
}

// Grant is what GHL's token endpoint answered: a new token pair from a
// refresh, or a minted location token (no refresh token).
type Grant struct {
	AccessToken  Sensitive
	RefreshToken Sensitive // single-use; "" for minted location tokens
	ExpiresIn    time.Duration
	Scope        string
	UserType     string
	CompanyID    string
	LocationID   string
}

// String describes the grant without its tokens.
func (g Grant) String() string {
	return fmt.Sprintf("Grant{user_type=%s company_id=%s location_id=%s expires_in=%s refresh_token=%t}",
		g.UserType, g.CompanyID, g.LocationID, g.ExpiresIn, g.RefreshToken != "")
}

// Format prints String() for every verb.
func (g Grant) Format(f fmt.State, verb rune) { writeRedacted(f, verb, g.String()) }

// LogValue implements slog.LogValuer without the tokens.
func (g Grant) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user_type", g.UserType), slog.String("company_id", g.CompanyID),
		slog.String("location_id", g.LocationID), slog.Duration("expires_in", g.ExpiresIn))
}

// Refresher exchanges a refresh token for a new pair (POST /oauth/token,
// grant_type=refresh_token). The refresh token is single-use: a successful
// call consumes it.
//
// Contract: return an error wrapping ErrInvalidGrant when GHL rejects the
// token ("Invalid grant"), ErrLocationInactive for "Location is not active"
// (token not consumed). Any other error means the outcome is unknown (the
// token may have been consumed); the implementation must not retry a
// request that may have reached GHL — the token layer decides. It may retry
// failures where the request surely was not sent (dial errors). Errors must
// not contain tokens; the token layer scrubs the tokens it knows anyway.
type Refresher interface {
	Refresh(ctx context.Context, refreshToken Sensitive) (Grant, error)
}

// RefresherFunc adapts a function to Refresher.
type RefresherFunc func(ctx context.Context, refreshToken Sensitive) (Grant, error)

// Refresh calls f.
func (f RefresherFunc) Refresh(ctx context.Context, refreshToken Sensitive) (Grant, error) {
	return f(ctx, refreshToken)
}

// LocationTokenMinter mints a location access token from an agency (company)
// access token (POST /oauth/locationToken, form companyId, locationId). The
// result has no refresh token; when it expires, mint again. Errors follow
// the Refresher contract (ErrLocationInactive, ErrInvalidGrant for a
// rejected company token); minting consumes nothing, so retrying is safe.
type LocationTokenMinter interface {
	MintLocationToken(ctx context.Context, companyAccessToken Sensitive, companyID, locationID string) (Grant, error)
}

// MinterFunc adapts a function to LocationTokenMinter.
type MinterFunc func(ctx context.Context, companyAccessToken Sensitive, companyID, locationID string) (Grant, error)

// MintLocationToken calls f.
func (f MinterFunc) MintLocationToken(ctx context.Context, companyAccessToken Sensitive, companyID, locationID string) (Grant, error) {
	return f(ctx, companyAccessToken, companyID, locationID)
}

// ClientRequestToken returns the Secrets Manager ClientRequestToken (the new
// version id) for the secret version written after refreshing oldRefreshToken:
// 64 hex characters of SHA-256 over a domain tag and the old token. Every
// container that persists the rotation of the same old token uses the same
// version id, so a retried PutSecretValue is ignored rather than duplicated,
// and a different value under it is refused (ResourceExistsException).
// The hash does not reveal the token.
func ClientRequestToken(oldRefreshToken Sensitive) string {
	return versionToken("refresh", string(oldRefreshToken))
}

// versionToken derives a 64-character version id from a purpose and parts.
func versionToken(purpose string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte("ghlsync/tokens/v1/" + purpose))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}
