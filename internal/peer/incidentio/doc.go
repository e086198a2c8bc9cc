// Package incidentio is the incident.io peer connector: it implements
// crmsync.Peer on incident.io's REST API (internal/incidentio) and its
// Svix-signed webhooks. incident.io has no contacts, notes or calendar, so
// the mapping is what its API allows (docs/incidentio.md):
//
//   - GHL contacts → entries of a "GHL Contact" catalog type (created with
//     its schema on first use), external_id = GHL contact id, aliases email
//     and phone, attributes for name, email, phone, company, tags, GHL link
//     and location. The entry id is the contact's peer id.
//   - incidents naming contacts in the "GHL contacts" catalog-backed custom
//     field → those contacts upserted and tagged ("incident.io",
//     "incident:<ref>") on the contact route, and a note per incident and
//     contact ("Incident INC-123: <name> — <status>", updated as the
//     incident moves) plus one per incident update on the note route.
//   - follow-ups and actions → GHL tasks on the incident's contacts (task
//     route); completing a GHL task completes its follow-up or action.
//   - GHL notes and appointments → arbitrary_url attachments on the
//     contact's open incidents, only where such an incident exists.
//
// Peer ids of tasks and notes follow the scheme in peerid.go
// ("follow_up:<id>:<GHL contact id>", ...).
//
// Example:
//
//	conn, err := incidentio.New(incidentio.Config{
//		APIKey:            string(s.IncidentIOAPIKey), // peersecret
//		Secrets:           s.IncidentIOSigningSecrets, // one per webhook endpoint
//		CustomField:       cfg.IncidentIOCustomField,
//		CatalogTypeName:   cfg.IncidentIOCatalogType,
//		DefaultLocationID: cfg.DefaultLocationID,
//	})
//	res, err := conn.Send(ctx, ev)                                 // contact.upserted → res.PeerID = entry id
//	in, err := conn.Receive(ctx, crmsync.KindNote, header, body)  // raw body bytes
package incidentio
