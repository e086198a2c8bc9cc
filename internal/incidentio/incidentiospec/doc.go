// Package incidentiospec validates HTTP traffic and webhook payloads against
// the incident.io public API spec kept in ../shared/incidentio-api
// (openapi3.json, OpenAPI 3.0.3 with an x-webhooks section), so that tests
// of the incident.io client, of its fake and of the connector fail when
// either side leaves the contract.
//
// The spec is data owned by the shared reference folder (located with
// ghlspec.SharedDir); this package loads it at test time and never embeds
// it. Where the spec is silent (error bodies, query parameter style), the
// deviation is listed in allowlist.go with its evidence.
//
// Example:
//
//	v, err := incidentiospec.Shared() // loaded once per process
//	if err != nil { ... }
//	op, err := v.ValidateRequest(ctx, req, body)
//	err = v.ValidateResponse(ctx, req, body, status, header, respBody)
//	ex, err := v.WebhookExample("public_incident.incident_created_v2")
//	err = v.ValidateWebhook(ex)
package incidentiospec
