// Package ghlsandbox is a stateful, in-process fake of the GoHighLevel (GHL)
// API v2 — what stripe-mock is for Stripe, but with state. Tests, benchmarks
// and the local run of ghlsync talk to it over HTTP exactly as they would to
// GHL; its requests and responses validate against the official OpenAPI
// specs (see internal/ghlspec) and its webhooks against the published event
// schemas.
//
// What it models (facts: ../shared/ghl-api/NOTES.md):
//
//   - Locations with contacts (tags, custom fields, DND, business link),
//     tasks, notes, appointments and businesses, each location under its own
//     lock.
//   - Every contacts, tasks, notes, tags, appointments, business and OAuth
//     operation ghlsync uses, with GHL's status codes, envelopes and quirks:
//     201 creates, {succeded: true} (sic), upsert {new, contact, traceId}
//     with the location's duplicate rules, 422 "property x should not exist",
//     search with filters, sort and searchAfter, the deprecated list with
//     meta, appointments listed per contact with non-ISO times, calendars
//     (AddCalendar) and their events in an epoch-millisecond window.
//   - Bearer tokens bound to a location (or the agency) and to scopes;
//     OAuth codes, 24 h access tokens, single-use refresh tokens, "Location
//     is not active", agency-to-location tokens, Private Integration Tokens.
//   - Rate limits per (app, location) with the five X-RateLimit-* headers on
//     every response.
//   - Signed webhooks (Ed25519 X-GHL-Signature and RSA x-wh-signature over
//     the raw body) on every change, redelivered only after a 429, on GHL's
//     schedule, on an injectable Clock.
//   - Seeded, reproducible fault injection and demo data.
//
// Choices where GHL is silent, documented here once:
//
//   - A missing Version header answers 400 "Version header was not found", a
//     wrong one 400 "Version header is invalid" (checked before the token).
//   - A token used on another location's data answers 403 "The token does
//     not have access to this location."; an agency token on a sub-account
//     route 401 "This AuthClass is not yet supported"; expired and unknown
//     tokens alike 401 "Invalid token: access token is invalid".
//   - Unknown ids answer 404 {statusCode, message, error}.
//   - Tags are stored lower-cased, trimmed and de-duplicated; phones are
//     normalised to E.164-like form (10 bare digits are taken as +1).
//   - POST /contacts/ refuses a duplicate email/phone with 400 "This
//     location does not allow duplicated contacts." (meta.contactId) unless
//     the location allows duplicates.
//   - Search sorts by dateAdded descending unless told otherwise; the
//     deprecated GET /contacts/ lists oldest first.
//   - Webhooks go to the URL set per Domain for every location (one
//     subscribed marketplace app, App()); events of a domain without a URL
//     are not built at all.
//
// Example:
//
//	sb, err := ghlsandbox.New(ghlsandbox.Options{Seed: 1})
//	if err != nil { ... }
//	defer sb.Close()
//	locs, _ := sb.Seed(ghlsandbox.SeedOptions{Seed: 1, ContactsPerLocation: 50})
//	token, _ := sb.IssuePrivateToken(locs[0].ID)
//	srv := httptest.NewServer(sb)
//	defer srv.Close()
//	sb.SetWebhookURL(ghlsandbox.DomainContacts, receiverURL)
//	// ... point the GHL client at srv.URL with token ...
//	_ = sb.Flush(ctx) // wait for webhook deliveries
//	c, ok := sb.Contact(locs[0].ID, contactID)
package ghlsandbox
