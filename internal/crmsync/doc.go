// Package crmsync holds the sync flows between GHL and a peer app: the
// canonical entity model, fingerprints for the echo check, and the Peer
// interface every connector implements.
//
// Example:
//
//	fp := crmsync.Fingerprint(&crmsync.Contact{Email: "a@example.com", Tags: []string{"VIP"}})
//	id := crmsync.EventID(crmsync.ContactUpserted, locationID, ghlID, fp)
package crmsync
