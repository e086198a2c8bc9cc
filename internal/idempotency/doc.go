// Package idempotency runs a function at most once per idempotency key, with
// the semantics of Powertools for AWS Lambda (DynamoDB persistence layer):
// one conditional claim per request, IN_PROGRESS until the Lambda deadline,
// COMPLETED with the stored result for an hour, a deleted record when the
// function fails, payload validation by hash, and expiry checked on read.
//
// The webhook handlers use it with scope "ghl" or "peer" and the webhook id
// as key; the result is the response body to replay.
//
// Example:
//
//	runner := idempotency.New(st) // st: dynamostore or memstore
//	body, replayed, err := runner.Run(ctx, "ghl", webhookID, rawBody, func(ctx context.Context) ([]byte, error) {
//		return flow.Handle(ctx, event)
//	})
//	switch {
//	case errors.Is(err, idempotency.ErrInProgress):
//		// ask GHL to retry: 429
//	case errors.Is(err, idempotency.ErrPayloadMismatch):
//		// same id, different body: 422
//	case err != nil:
//		// flow or store failure
//	default:
//		_ = replayed // 200 with body either way
//	}
package idempotency
