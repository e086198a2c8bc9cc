package install

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlauth"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// Tokens is the part of the token layer the flow uses; *tokens.Provider
// satisfies it.
type Tokens interface {
	// StoreGrant saves a code-exchange grant as the location's or company's secret.
	StoreGrant(ctx context.Context, g tokens.Grant) (*oauth2.Token, error)
	// MintLocation mints a location token from the company's token and saves it.
	MintLocation(ctx context.Context, companyID, locationID string) (*oauth2.Token, error)
	// StorePIT saves a Private Integration Token as the location's secret.
	StorePIT(ctx context.Context, locationID string, token tokens.Sensitive) (*oauth2.Token, error)
	// Source and CompanySource give the cached token sources, which an
	// uninstall invalidates.
	Source(locationID string) (*tokens.Source, error)
	CompanySource(companyID string) (*tokens.Source, error)
}

// Installations is the install registry; store.Store satisfies it.
type Installations interface {
	GetInstallation(ctx context.Context, locationID string) (*store.Installation, error)
	PutInstallation(ctx context.Context, in store.Installation) error
	ListInstallations(ctx context.Context) ([]store.Installation, error)
}

// Secrets schedules token secrets for deletion on uninstall and restores
// them on reinstall; *secretsmanager.Client satisfies it.
type Secrets interface {
	DeleteSecret(ctx context.Context, in *secretsmanager.DeleteSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error)
	RestoreSecret(ctx context.Context, in *secretsmanager.RestoreSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.RestoreSecretOutput, error)
}

// Runner runs a webhook at most once per idempotency key;
// *idempotency.Runner satisfies it.
type Runner interface {
	Run(ctx context.Context, scope, key string, payload []byte, fn func(context.Context) ([]byte, error)) ([]byte, bool, error)
}

// Verifier checks a webhook's signature on its raw bytes;
// *webhook.GHLVerifier satisfies it.
type Verifier interface {
	Verify(h http.Header, body []byte) error
}

// IdempotencyScope is the idempotency scope of app webhooks.
const IdempotencyScope = "ghl-app"

// Flow runs app installs: the OAuth callback and the INSTALL/UNINSTALL
// webhooks. Set the fields before first use; a Flow is then safe for
// concurrent use.
type Flow struct {
	// OAuth exchanges authorization codes (*ghl.OAuthService).
	OAuth ghlauth.OAuthAPI
	// App holds the marketplace app's client id and secret.
	App ghl.ClientCredentials
	// RedirectURI is sent with the code exchange when set; it must equal
	// the redirect_uri of the authorization request.
	RedirectURI string
	// RequireState refuses callbacks without state (OAUTH_REQUIRE_STATE).
	// By default a missing state is accepted: GHL marketplace-initiated
	// installs carry none. A present state must always verify.
	RequireState bool

	Tokens        Tokens
	Installations Installations
	// Secrets schedules the secrets of uninstalled locations for deletion.
	Secrets Secrets
	// SecretPrefix names token secrets (tokens.LocationSecretName).
	SecretPrefix string
	// DeletionWindowDays is the RecoveryWindowInDays of DeleteSecret (7..30).
	DeletionWindowDays int

	// Verifier checks webhook signatures; Runner makes webhooks idempotent.
	Verifier Verifier
	Runner   Runner

	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

func (f *Flow) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}
