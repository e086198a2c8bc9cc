// Package store defines the persistence ghlsync needs — idempotency records,
// links between GHL and peer entities, sweep cursors, token leases,
// installations and a shared per-location rate budget — and the errors its
// implementations share.
//
// Implementations: dynamostore (one DynamoDB table, deployed) and memstore
// (embedded, for the local run). storetest holds the conformance suite both
// must pass.
//
// Example:
//
//	rec, err := st.ClaimIdempotency(ctx, store.IdempotencyRecord{Scope: "ghl", Key: webhookID, ...}, time.Now())
//	if errors.Is(err, store.ErrConflict) {
//		// rec is the live record: COMPLETED → replay its Result; INPROGRESS → ask the sender to retry.
//	}
package store
