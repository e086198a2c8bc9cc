// Package install runs GHL app installs: the OAuth authorization-code
// callback, the INSTALL and UNINSTALL webhooks, and the Private
// Integration Token path of `ghlsync auth`. It stores tokens through the
// token layer (package tokens), keeps the install registry
// (store.Installation) and never logs, returns or records a token.
//
// # OAuth state
//
// SignState makes base64url(JSON{exp, nonce}) "." base64url(HMAC-SHA256),
// keyed by StateKey(client secret) = HMAC-SHA256(client_secret,
// "ghlsync-oauth-state"), valid for StateTTL (15 minutes); VerifyState
// compares in constant time. Policy: a state that is present must verify
// (bad or expired → ErrBadState/ErrStateExpired, HTTP 400, nothing
// stored). A missing state is accepted by default, because installs
// started from the GHL marketplace carry none; this is safe because the
// code exchange itself needs the app's client secret, so a forged or
// replayed code installs nothing (ErrCodeRejected). Set Flow.RequireState
// (OAUTH_REQUIRE_STATE=true) when every install starts from a URL ghlsync
// signed, such as `ghlsync auth`.
//
// # Installations
//
// A location install is keyed by its location id; an agency (Company)
// install by its company id with Company set. Statuses:
//
//   - active: a token secret exists (OAuth grant, minted from the agency
//     token, or a Private Integration Token).
//   - reauth_required with ReasonAwaitingAuthorization: an INSTALL webhook
//     arrived before any token (no OAuth callback yet, no active agency
//     token to mint from). ghlsync never invents a token; the callback, an
//     agency install's callback (which mints for waiting locations), or
//     `ghlsync auth` makes it active. Other reauth_required reasons come
//     from the token layer (refresh token rejected).
//   - uninstalled: UNINSTALL arrived; the token secret is scheduled for
//     deletion with RecoveryWindowInDays = Flow.DeletionWindowDays, and a
//     reinstall restores it. An agency UNINSTALL uninstalls the company and
//     every location recorded under it.
//
// An INSTALL webhook never downgrades an active install. The store has no
// conditional installation write, so a webhook and a callback for the same
// location within milliseconds can leave the record reauth_required while
// the token is valid; running `ghlsync auth` (or the install) again fixes it.
//
// # Webhooks
//
// Flow.Webhook verifies the signature on the raw bytes (ErrSignature →
// 401), parses (ErrBadPayload/ErrUnsupportedEvent → 400), claims the
// idempotency key (webhookId, else sha256 of the body) in scope
// IdempotencyScope, and applies the event once. A completed duplicate gets
// the stored WebhookResult back; one still in progress gets
// idempotency.ErrInProgress (→ 429, so GHL retries).
//
// Example:
//
//	f := &install.Flow{OAuth: client.OAuth, App: app, Tokens: provider, Installations: st,
//		Secrets: sm, SecretPrefix: cfg.SecretPrefix, DeletionWindowDays: cfg.SecretDeletionWindow,
//		Verifier: verifier, Runner: idempotency.New(st)}
//	res, err := f.Callback(ctx, q["code"], q["state"])
//	switch {
//	case install.IsClientError(err):
//		// 400
//	case err != nil:
//		// 503 when install.IsTemporary(err) or errors.Is(err, tokens.ErrReauthRequired), else 500
//	default:
//		fmt.Println("installed for", res.LocationIDs)
//	}
package install
