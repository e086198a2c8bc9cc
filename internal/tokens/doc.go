// Package tokens provides GHL access tokens from AWS Secrets Manager: one
// secret per location (OAuth token pair or Private Integration Token), one
// per agency company, and the marketplace app secret.
//
// A Provider, created once per process, holds one Source per location. A
// Source is an oauth2.TokenSource that caches the token in memory across
// warm invocations and renews it RefreshMargin before it expires. GHL
// refresh tokens are single-use, so renewal across containers follows one
// protocol:
//
//  1. read the secret (AWSCURRENT); if its token is fresh, use it;
//  2. take the store lease of the location (Leaser.AcquireLease); a
//     container that cannot take it polls the secret (jittered, bounded by
//     MaxWait and ctx) until a fresh token appears, retrying the lease in
//     case its holder died;
//  3. holding the lease, re-read the secret: someone may have refreshed;
//  4. refresh only if still expiring (Refresher), within two thirds of the
//     lease TTL, and only if the caller's deadline is at least
//     RefreshReserve away; once sent, the call is not abandoned when the
//     caller cancels (GHL consumes the token as it answers);
//  5. right after the answer, with no other I/O in between, PutSecretValue
//     the new pair with ClientRequestToken =
//     ClientRequestToken(old refresh token), retried with the same token
//     until PersistTimeout even if the caller's context ends;
//  6. release the lease (kept while the new pair is unsaved).
//
// Failures of the refresh call:
//   - ErrInvalidGrant: re-read the secret once; if it now holds another
//     token, use it; if it still holds the rejected one, mark the
//     installation reauth_required (once) and return *ReauthRequiredError.
//   - ErrLocationInactive: the token was not consumed; return a temporary
//     *Error; nothing is recorded.
//   - anything else (timeout: outcome unknown): re-read the secret; if it
//     changed, use it; otherwise retry the same refresh token once — that
//     either succeeds (the first call never landed) or gets invalid_grant
//     (it landed and its answer is lost: re-authorization is the only way
//     back). A second unknown outcome returns a temporary *Error wrapping
//     ErrRefreshAmbiguous.
//
// PIT secrets are static. Agency-minted location secrets (OAuth document
// without refresh_token, with company_id) are renewed by minting again from
// the company's own Source under the same lease protocol.
//
// The package logs nothing. Tokens, refresh tokens and client secrets are
// Sensitive values that print, log and marshal as "[REDACTED]"; no error
// message contains them.
//
// Example (main.go):
//
//	p, err := tokens.New(tokens.Config{
//		Secrets: secretsmanager.NewFromConfig(awsCfg), Leases: st, Installations: st,
//		Refresher: ghlOAuth, Minter: ghlOAuth, SecretPrefix: "ghlsync/" + stage,
//	})
//	...
//	// handler:
//	tok, err := p.Token(ctx, locationID)
//	var reauth *tokens.ReauthRequiredError
//	switch {
//	case errors.As(err, &reauth):
//		slog.ErrorContext(ctx, "GHL re-authorization required", "location_id", reauth.LocationID, "err", err)
//		return respond(503)
//	case tokens.IsTemporary(err):
//		return respond(503)
//	}
package tokens
