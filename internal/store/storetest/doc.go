// Package storetest is the conformance suite every store.Store
// implementation must pass: each method, its edge cases (expired and
// in-progress idempotency records, optimistic link versions, lease
// ownership, rate windows) and its behaviour under concurrent callers
// (exactly one claim wins; the rate budget is never exceeded).
//
// The suite passes explicit "now" values to the store, so it never waits on
// a real clock.
//
// Example:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
//	}
package storetest
