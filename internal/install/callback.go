package install

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/ghlsync/ghlsync/internal/ghlauth"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// Reasons recorded on installations. None carries a secret.
const (
	// ReasonAuthorized: the OAuth code exchange stored the install's token.
	ReasonAuthorized = "authorized through the OAuth callback"
	// ReasonMinted: a location token was minted from its agency's token.
	ReasonMinted = "location token minted from the agency token"
	// ReasonAwaitingAuthorization: an INSTALL webhook arrived but no token
	// exists yet (no OAuth callback for it, and no agency token to mint
	// from). The record has status reauth_required — a person must still
	// authorize — until the callback (or `ghlsync auth`) makes it active.
	ReasonAwaitingAuthorization = "installed; awaiting OAuth authorization (no token yet)"
	// ReasonPIT: a Private Integration Token was stored by `ghlsync auth --pit`.
	ReasonPIT = "private integration token stored"
	// ReasonUninstalled: GHL sent UNINSTALL for the location or company.
	ReasonUninstalled = "UNINSTALL webhook received; token secret scheduled for deletion"
	// ReasonCompanyUninstalled: the agency uninstalled the app.
	ReasonCompanyUninstalled = "agency UNINSTALL webhook received; token secret scheduled for deletion"
)

// CallbackResult describes a completed OAuth install. It holds ids only.
type CallbackResult struct {
	// UserType is tokens.UserTypeLocation or tokens.UserTypeCompany.
	UserType  string
	CompanyID string
	// LocationIDs are the locations active after the install: the one
	// location of a location install, the minted ones of an agency install.
	LocationIDs []string
	// Failed maps locations of an agency install whose token could not be
	// minted to why (ids and error classes, never a token). They are
	// recorded reauth_required; the next INSTALL webhook or `ghlsync auth`
	// retries them.
	Failed map[string]string
}

// Callback completes an OAuth install: it checks state (a present state
// must verify; a missing one is refused only with RequireState), exchanges
// the code, stores the token secret and records the installation active.
// An agency (Company) grant stores the company secret, records the company
// install, then mints a token for each approved location and each location
// whose INSTALL webhook came first, and records them active. A rejected or
// replayed code stores nothing (ErrCodeRejected).
func (f *Flow) Callback(ctx context.Context, code, state string) (CallbackResult, error) {
	if code == "" {
		return CallbackResult{}, ErrMissingCode
	}
	switch {
	case state != "":
		if err := VerifyState(StateKey(f.App.ClientSecret), state, f.now()); err != nil {
			return CallbackResult{}, err
		}
	case f.RequireState:
		return CallbackResult{}, ErrStateRequired
	}
	g, approved, err := ghlauth.ExchangeApproved(ctx, f.OAuth, f.App, code, f.RedirectURI)
	if errors.Is(err, ghlauth.ErrCodeRejected) {
		return CallbackResult{}, fmt.Errorf("%w: %w", ErrCodeRejected, err)
	}
	if err != nil {
		return CallbackResult{}, fmt.Errorf("install: exchange authorization code: %w", err)
	}
	if g.UserType == tokens.UserTypeCompany {
		return f.installCompany(ctx, g, approved)
	}
	return f.installLocation(ctx, g)
}

// installLocation stores a location grant and records the location active.
func (f *Flow) installLocation(ctx context.Context, g tokens.Grant) (CallbackResult, error) {
	if err := tokens.ValidateID(g.LocationID); err != nil {
		return CallbackResult{}, fmt.Errorf("install: location grant: %w", err)
	}
	name, err := tokens.LocationSecretName(f.SecretPrefix, g.LocationID)
	if err != nil {
		return CallbackResult{}, err
	}
	if err := f.restore(ctx, name); err != nil {
		return CallbackResult{}, err
	}
	if _, err := f.Tokens.StoreGrant(ctx, g); err != nil {
		return CallbackResult{}, fmt.Errorf("install: location %s: %w", g.LocationID, err)
	}
	in := store.Installation{LocationID: g.LocationID, CompanyID: g.CompanyID, Status: store.InstallActive,
		SecretName: name, Reason: ReasonAuthorized, UpdatedAt: f.now()}
	if err := f.put(ctx, in); err != nil {
		return CallbackResult{}, err
	}
	return CallbackResult{UserType: tokens.UserTypeLocation, CompanyID: g.CompanyID, LocationIDs: []string{g.LocationID}}, nil
}

// installCompany stores an agency grant, records the company install and
// mints tokens for its approved and waiting locations.
func (f *Flow) installCompany(ctx context.Context, g tokens.Grant, approved []string) (CallbackResult, error) {
	if err := tokens.ValidateID(g.CompanyID); err != nil {
		return CallbackResult{}, fmt.Errorf("install: company grant: %w", err)
	}
	name, err := tokens.CompanySecretName(f.SecretPrefix, g.CompanyID)
	if err != nil {
		return CallbackResult{}, err
	}
	if err := f.restore(ctx, name); err != nil {
		return CallbackResult{}, err
	}
	if _, err := f.Tokens.StoreGrant(ctx, g); err != nil {
		return CallbackResult{}, fmt.Errorf("install: company %s: %w", g.CompanyID, err)
	}
	co := store.Installation{LocationID: g.CompanyID, CompanyID: g.CompanyID, Company: true, Status: store.InstallActive,
		SecretName: name, Reason: ReasonAuthorized, UpdatedAt: f.now()}
	if err := f.put(ctx, co); err != nil {
		return CallbackResult{}, err
	}
	locs, err := f.companyLocations(ctx, g.CompanyID, approved)
	if err != nil {
		return CallbackResult{}, err
	}
	res := CallbackResult{UserType: tokens.UserTypeCompany, CompanyID: g.CompanyID}
	for _, loc := range locs {
		if err := f.activateFromCompany(ctx, g.CompanyID, loc); err != nil {
			if res.Failed == nil {
				res.Failed = map[string]string{}
			}
			res.Failed[loc] = err.Error()
			continue
		}
		res.LocationIDs = append(res.LocationIDs, loc)
	}
	return res, nil
}

// companyLocations returns the approved locations plus the locations of the
// company that wait for a token (their INSTALL webhook came first), sorted.
func (f *Flow) companyLocations(ctx context.Context, companyID string, approved []string) ([]string, error) {
	set := map[string]bool{}
	for _, loc := range approved {
		if tokens.ValidateID(loc) == nil {
			set[loc] = true
		}
	}
	all, err := f.Installations.ListInstallations(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: list installations of company %s: %w", ErrUnavailable, companyID, err)
	}
	for _, in := range all {
		if !in.Company && in.CompanyID == companyID && in.Status == store.InstallReauthRequired {
			set[in.LocationID] = true
		}
	}
	out := make([]string, 0, len(set))
	for loc := range set {
		out = append(out, loc)
	}
	slices.Sort(out)
	return out, nil
}

// activateFromCompany mints the location's token from its company's token
// and records the location active. A failure that is not temporary is
// recorded as reauth_required with its reason.
func (f *Flow) activateFromCompany(ctx context.Context, companyID, locationID string) error {
	name, err := tokens.LocationSecretName(f.SecretPrefix, locationID)
	if err != nil {
		return err
	}
	if err := f.restore(ctx, name); err != nil {
		return err
	}
	if _, err := f.Tokens.MintLocation(ctx, companyID, locationID); err != nil {
		err = fmt.Errorf("install: mint token for location %s from company %s: %w", locationID, companyID, err)
		if !IsTemporary(err) {
			in := store.Installation{LocationID: locationID, CompanyID: companyID, Status: store.InstallReauthRequired,
				SecretName: name, Reason: "minting a location token from the agency token failed; re-authorize", UpdatedAt: f.now()}
			if perr := f.put(ctx, in); perr != nil {
				return errors.Join(err, perr)
			}
		}
		return err
	}
	in := store.Installation{LocationID: locationID, CompanyID: companyID, Status: store.InstallActive,
		SecretName: name, Reason: ReasonMinted, UpdatedAt: f.now()}
	return f.put(ctx, in)
}

// restore cancels a scheduled deletion of the named secret (an earlier
// uninstall), so a reinstall can write it again. A secret that does not
// exist is fine: the token layer creates it.
func (f *Flow) restore(ctx context.Context, name string) error {
	if f.Secrets == nil {
		return nil
	}
	_, err := f.Secrets.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(name)})
	var nf *smtypes.ResourceNotFoundException
	if err != nil && !errors.As(err, &nf) {
		return fmt.Errorf("%w: restore secret %s: %w", ErrUnavailable, name, err)
	}
	return nil
}

// InstallPIT stores a Private Integration Token as the location's secret
// and records the location active: the recovery path for a location whose
// OAuth install needs re-authorization, and the way to run without a
// marketplace app.
func (f *Flow) InstallPIT(ctx context.Context, locationID string, token tokens.Sensitive) error {
	if err := tokens.ValidateID(locationID); err != nil {
		return err
	}
	name, err := tokens.LocationSecretName(f.SecretPrefix, locationID)
	if err != nil {
		return err
	}
	if err := f.restore(ctx, name); err != nil {
		return err
	}
	if _, err := f.Tokens.StorePIT(ctx, locationID, token); err != nil {
		return fmt.Errorf("install: location %s: %w", locationID, err)
	}
	in := store.Installation{LocationID: locationID, Status: store.InstallActive, SecretName: name, Reason: ReasonPIT, UpdatedAt: f.now()}
	if cur, err := f.get(ctx, locationID); err == nil && cur != nil && !cur.Company {
		in.CompanyID = cur.CompanyID
	}
	return f.put(ctx, in)
}
