// Package incidentiofake is a stateful fake of the incident.io public API
// for tests of the incident.io client and connector: catalog types and
// entries (upsert on external_id), custom fields (e.g. a catalog-backed
// multi_select "GHL contacts"), incidents (public and private, created by
// test methods), follow-ups, actions, incident updates, attachments and
// users, behind the documented token bucket (1,200 requests, 20 per second,
// X-RateLimit-* headers, 429 with Retry-After and a rate_limit body), on
// an injectable clock.
//
// It emits Svix-signed webhooks to registered endpoints: public_* events
// carry the object, private_* events only {"id"}; each payload is the
// spec's x-webhooks example with the fake's fields put in. Deliveries are
// queued and sent by Flush (or taken unsent by Pending), so a test decides
// when webhooks arrive, and Redeliver repeats one with the same id.
//
// Example:
//
//	v, _ := incidentiospec.Shared()
//	clock := incidentiofake.NewClock(time.Now())
//	fake, _ := incidentiofake.New(incidentiofake.Options{Clock: clock, Examples: v.WebhookExample})
//	srv := fake.Start(t)
//	c, _ := incidentio.NewClient(srv.Client(), incidentio.WithBaseURL(srv.URL), incidentio.WithAPIKey("k"), incidentio.WithClock(clock))
//	fake.AddEndpoint(incidentiofake.Endpoint{URL: hookURL, Secret: secret})
//	id, ref, _ := fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Checkout down",
//		Contacts: map[string][]string{"GHL contacts": {ghlContactID}}})
//	deliveries, _ := fake.Flush(ctx)
package incidentiofake
