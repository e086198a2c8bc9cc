// Package incidentio is a small client of the incident.io public API: the
// parts ghlsync's incident.io connector needs (catalog types and entries,
// custom fields, incidents, follow-ups, actions, incident updates,
// attachments, users). One Client, one service per API area, one file per
// area; every method takes ctx first and returns (T, *Response, error).
//
// Requests carry "Authorization: Bearer <key>" (WithAPIKey, or an
// *http.Client that adds it). The client paces itself with a token bucket
// of 1,200 requests per minute refilled at 20 per second (burst
// configurable, clock injectable), holds every request after a 429 until
// Retry-After (else X-RateLimit-Reset) has passed, and retries only what
// is safe to repeat (retry.go). Errors are *Error (the documented
// {type, status, request_id, errors[]} envelope; errors.Is(err,
// ErrNotFound) for 404) or *AmbiguousError. Lists are cursor-paginated
// iterators (iter.Seq2). Enum fields are plain strings: incident.io adds
// values without notice.
//
// Example:
//
//	c, err := incidentio.NewClient(nil, incidentio.WithAPIKey(key))
//	if err != nil { ... }
//	entry, _, err := c.CatalogEntries.Create(ctx, &incidentio.CatalogEntryRequest{
//		CatalogTypeID: typeID, Name: "Ada Lovelace", ExternalID: ghlContactID,
//		Aliases: []string{"ada@example.com"},
//	})
//	for inc, err := range c.Incidents.All(ctx, incidentio.ListIncidentsOptions{
//		CustomFieldOneOf: map[string][]string{fieldID: {entry.ID}},
//	}) { ... }
package incidentio
