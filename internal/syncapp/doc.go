// Package syncapp wires the sync functions (contact-upsert, task-sync,
// note-sync, appointment-pull) and the local dev server: configuration →
// AWS clients (with endpoint overrides) → DynamoDB store, Secrets Manager
// token provider, per-location GHL clients sharing the process's rate
// limiters, the peer connector from the peer secret, the GHL webhook
// verifier and the idempotency runner → one crmsync.Syncer. Build it once
// per process (container), at init.
//
// Example (main.go):
//
//	syncer, cfg, err := syncapp.Load(ctx, os.Getenv)
//	if err != nil {
//		logger.Error("init failed", "error", err.Error())
//		os.Exit(1)
//	}
//	h := &Handler{Syncer: syncer, Logger: logger}
//	lambda.Start(h.Handle)
package syncapp
