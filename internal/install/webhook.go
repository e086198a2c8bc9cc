package install

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/tokens"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Webhook event types. GHL names the app lifecycle events AppInstall and
// AppUninstall in its docs but sends "INSTALL" and "UNINSTALL" as type;
// both spellings are accepted.
const (
	TypeInstall   = "INSTALL"
	TypeUninstall = "UNINSTALL"
)

// Outcomes of a webhook, in WebhookResult.Outcome.
const (
	// OutcomeActivated: a location token was minted from the agency token
	// and the location is active.
	OutcomeActivated = "activated"
	// OutcomeAwaitingAuthorization: recorded with ReasonAwaitingAuthorization.
	OutcomeAwaitingAuthorization = "awaiting_authorization"
	// OutcomeAlreadyActive: the install was active already (the OAuth
	// callback came first); nothing changed.
	OutcomeAlreadyActive = "already_active"
	// OutcomeUninstalled: the installation(s) are uninstalled and their
	// secrets scheduled for deletion.
	OutcomeUninstalled = "uninstalled"
)

// Event is the part of an INSTALL or UNINSTALL payload the flow reads.
// Unknown fields (trial, whitelabelDetails, planId, …) are ignored, so the
// documented examples' oddities (a "Date" typed trialStartDate) do not matter.
type Event struct {
	Type        string `json:"type"`
	AppID       string `json:"appId"`
	VersionID   string `json:"versionId"`
	InstallType string `json:"installType"` // "Location" or "Company" when present
	LocationID  string `json:"locationId"`
	CompanyID   string `json:"companyId"`
	UserID      string `json:"userId"`
	WebhookID   string `json:"webhookId"`
	Timestamp   string `json:"timestamp"`
}

// Agency reports whether the event concerns an agency (company) install:
// it names a company and no location.
func (e Event) Agency() bool { return e.LocationID == "" && e.CompanyID != "" }

// ParseEvent decodes and checks an app webhook body. The error wraps
// ErrBadPayload (malformed JSON, no type, no or unusable ids) or
// ErrUnsupportedEvent, and names the problem without quoting the body.
func ParseEvent(body []byte) (Event, error) {
	var e Event
	if err := json.Unmarshal(body, &e); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return Event{}, fmt.Errorf("%w: field %q has the wrong JSON type", ErrBadPayload, te.Field)
		}
		return Event{}, fmt.Errorf("%w: body is not a JSON object", ErrBadPayload)
	}
	switch strings.ToUpper(strings.TrimSpace(e.Type)) {
	case "":
		return Event{}, fmt.Errorf("%w: no type", ErrBadPayload)
	case TypeInstall, "APPINSTALL":
		e.Type = TypeInstall
	case TypeUninstall, "APPUNINSTALL":
		e.Type = TypeUninstall
	default:
		return Event{}, fmt.Errorf("%w: %.40q (want INSTALL or UNINSTALL)", ErrUnsupportedEvent, e.Type)
	}
	if e.LocationID == "" && e.CompanyID == "" {
		return Event{}, fmt.Errorf("%w: %s has neither locationId nor companyId", ErrBadPayload, e.Type)
	}
	for _, id := range []struct{ name, v string }{{"locationId", e.LocationID}, {"companyId", e.CompanyID}} {
		if id.v != "" && tokens.ValidateID(id.v) != nil {
			return Event{}, fmt.Errorf("%w: %s is not a GHL id", ErrBadPayload, id.name)
		}
	}
	return e, nil
}

// WebhookResult is the answer to an app webhook, stored as the idempotency
// result and replayed to duplicates.
type WebhookResult struct {
	Type       string `json:"type"`
	LocationID string `json:"locationId,omitempty"`
	CompanyID  string `json:"companyId,omitempty"`
	WebhookID  string `json:"webhookId,omitempty"`
	Outcome    string `json:"outcome"`
	// Locations lists the locations an agency UNINSTALL uninstalled.
	Locations []string `json:"locations,omitempty"`
	// Replayed is set when this is the stored answer to a duplicate.
	Replayed bool `json:"replayed,omitempty"`
}

// IdempotencyKey returns the idempotency key of a webhook: its webhookId,
// or "sha256:<hex of the body>" when it has none (the documented examples).
func IdempotencyKey(e Event, body []byte) string {
	if e.WebhookID != "" {
		return e.WebhookID
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Webhook handles an INSTALL or UNINSTALL delivery: it verifies the
// signature on the raw bytes (ErrSignature), parses the body
// (ErrBadPayload, ErrUnsupportedEvent), claims the idempotency key in scope
// IdempotencyScope and applies the event once. A completed duplicate gets
// the stored result (Replayed set); a duplicate still in progress gets
// idempotency.ErrInProgress. The returned Event carries the ids for the
// caller's log line even when err is set (zero before parsing succeeds).
func (f *Flow) Webhook(ctx context.Context, h http.Header, body []byte) (WebhookResult, Event, error) {
	if err := f.Verifier.Verify(h, body); err != nil {
		// The timestamp is checked after the signature: an authentic body
		// that is not an event is a bad payload, not a replay.
		if errors.Is(err, webhook.ErrTimestamp) {
			if _, perr := ParseEvent(body); perr != nil {
				return WebhookResult{}, Event{}, perr
			}
		}
		return WebhookResult{}, Event{}, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	e, err := ParseEvent(body)
	if err != nil {
		return WebhookResult{}, Event{}, err
	}
	key := IdempotencyKey(e, body)
	out, replayed, err := f.Runner.Run(ctx, IdempotencyScope, key, body, func(ctx context.Context) ([]byte, error) {
		res, err := f.apply(ctx, e)
		if err != nil {
			return nil, err
		}
		res.WebhookID = e.WebhookID
		return json.Marshal(res)
	})
	if err != nil {
		return WebhookResult{}, e, err
	}
	var res WebhookResult
	if err := json.Unmarshal(out, &res); err != nil {
		return WebhookResult{}, e, fmt.Errorf("install: stored result of webhook %s: %w", key, err)
	}
	res.Replayed = replayed
	return res, e, nil
}

// apply runs one event.
func (f *Flow) apply(ctx context.Context, e Event) (WebhookResult, error) {
	res := WebhookResult{Type: e.Type, LocationID: e.LocationID, CompanyID: e.CompanyID}
	var err error
	switch {
	case e.Type == TypeInstall && e.Agency():
		res.Outcome, err = f.installedCompany(ctx, e.CompanyID)
	case e.Type == TypeInstall:
		res.Outcome, err = f.installedLocation(ctx, e.LocationID, e.CompanyID)
	case e.Agency():
		res.Outcome = OutcomeUninstalled
		res.Locations, err = f.uninstallCompany(ctx, e.CompanyID)
	default:
		res.Outcome = OutcomeUninstalled
		err = f.uninstallLocation(ctx, e.LocationID, e.CompanyID, ReasonUninstalled)
	}
	return res, err
}

// installedCompany ensures an agency install is recorded. Without the
// OAuth callback there is no company token: the record waits for it.
func (f *Flow) installedCompany(ctx context.Context, companyID string) (string, error) {
	cur, err := f.get(ctx, companyID)
	if err != nil {
		return "", err
	}
	if cur != nil && cur.Company && cur.Status == store.InstallActive {
		return OutcomeAlreadyActive, nil
	}
	name, err := tokens.CompanySecretName(f.SecretPrefix, companyID)
	if err != nil {
		return "", err
	}
	in := store.Installation{LocationID: companyID, CompanyID: companyID, Company: true, Status: store.InstallReauthRequired,
		SecretName: name, Reason: ReasonAwaitingAuthorization, UpdatedAt: f.now()}
	return OutcomeAwaitingAuthorization, f.put(ctx, in)
}

// installedLocation handles a location INSTALL: active already → nothing;
// its agency has an active token → mint and activate; otherwise record it
// as awaiting authorization (never a made-up token).
func (f *Flow) installedLocation(ctx context.Context, locationID, companyID string) (string, error) {
	cur, err := f.get(ctx, locationID)
	if err != nil {
		return "", err
	}
	if cur != nil && !cur.Company && cur.Status == store.InstallActive {
		return OutcomeAlreadyActive, nil
	}
	if companyID != "" {
		co, err := f.get(ctx, companyID)
		if err != nil {
			return "", err
		}
		if co != nil && co.Company && co.Status == store.InstallActive {
			if err := f.activateFromCompany(ctx, companyID, locationID); err != nil {
				return "", err
			}
			return OutcomeActivated, nil
		}
	}
	name, err := tokens.LocationSecretName(f.SecretPrefix, locationID)
	if err != nil {
		return "", err
	}
	in := store.Installation{LocationID: locationID, CompanyID: companyID, Status: store.InstallReauthRequired,
		SecretName: name, Reason: ReasonAwaitingAuthorization, UpdatedAt: f.now()}
	if cur != nil && in.CompanyID == "" {
		in.CompanyID = cur.CompanyID
	}
	return OutcomeAwaitingAuthorization, f.put(ctx, in)
}

// uninstallLocation marks a location uninstalled, schedules its secret for
// deletion and drops its cached token.
func (f *Flow) uninstallLocation(ctx context.Context, locationID, companyID, reason string) error {
	cur, err := f.get(ctx, locationID)
	if err != nil {
		return err
	}
	name, err := tokens.LocationSecretName(f.SecretPrefix, locationID)
	if err != nil {
		return err
	}
	in := store.Installation{LocationID: locationID, CompanyID: companyID}
	if cur != nil && !cur.Company {
		in = *cur
		if in.CompanyID == "" {
			in.CompanyID = companyID
		}
	}
	in.Status, in.Reason, in.UpdatedAt, in.SecretName = store.InstallUninstalled, reason, f.now(), name
	if err := f.put(ctx, in); err != nil {
		return err
	}
	if err := f.deleteSecret(ctx, name); err != nil {
		return err
	}
	if s, err := f.Tokens.Source(locationID); err == nil {
		s.Invalidate()
	}
	return nil
}

// uninstallCompany uninstalls an agency install and every location of the
// company that is not uninstalled yet (an agency uninstall removes the app
// from its sub-accounts). It returns those locations.
func (f *Flow) uninstallCompany(ctx context.Context, companyID string) ([]string, error) {
	name, err := tokens.CompanySecretName(f.SecretPrefix, companyID)
	if err != nil {
		return nil, err
	}
	co := store.Installation{LocationID: companyID, CompanyID: companyID, Company: true, Status: store.InstallUninstalled,
		SecretName: name, Reason: ReasonCompanyUninstalled, UpdatedAt: f.now()}
	if err := f.put(ctx, co); err != nil {
		return nil, err
	}
	if err := f.deleteSecret(ctx, name); err != nil {
		return nil, err
	}
	if s, err := f.Tokens.CompanySource(companyID); err == nil {
		s.Invalidate()
	}
	all, err := f.Installations.ListInstallations(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: list installations: %w", ErrUnavailable, err)
	}
	var locs []string
	for _, in := range all {
		if in.Company || in.CompanyID != companyID || in.Status == store.InstallUninstalled {
			continue
		}
		if err := f.uninstallLocation(ctx, in.LocationID, companyID, ReasonCompanyUninstalled); err != nil {
			return nil, err
		}
		locs = append(locs, in.LocationID)
	}
	return locs, nil
}

// deleteSecret schedules a secret for deletion with the configured
// recovery window. A secret that does not exist, or is scheduled already,
// is fine (redelivery, or an install that never got a token).
func (f *Flow) deleteSecret(ctx context.Context, name string) error {
	if f.Secrets == nil {
		return nil
	}
	days := int64(f.DeletionWindowDays)
	if days == 0 {
		days = 7
	}
	_, err := f.Secrets.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(days)})
	var nf *smtypes.ResourceNotFoundException
	var ir *smtypes.InvalidRequestException
	if err != nil && !errors.As(err, &nf) && !errors.As(err, &ir) {
		return fmt.Errorf("%w: schedule deletion of secret %s: %w", ErrUnavailable, name, err)
	}
	return nil
}

// get reads an installation; a missing one is nil without error.
func (f *Flow) get(ctx context.Context, id string) (*store.Installation, error) {
	in, err := f.Installations.GetInstallation(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("%w: read installation %s: %w", ErrUnavailable, id, err)
	}
	return in, nil
}

// put writes an installation.
func (f *Flow) put(ctx context.Context, in store.Installation) error {
	if err := f.Installations.PutInstallation(ctx, in); err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return fmt.Errorf("install: record installation %s: %w", in.LocationID, err)
		}
		return fmt.Errorf("%w: record installation %s: %w", ErrUnavailable, in.LocationID, err)
	}
	return nil
}
