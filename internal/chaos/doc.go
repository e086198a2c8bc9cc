// Package chaos is the harness behind `make chaos`: a seeded storm of
// changes on both sides of the sync, delivered the way the real senders
// deliver them while everything the app depends on misbehaves, followed
// by the redeliveries and one sweep, and a comparison of GHL, the peer
// and the state the workload intended.
//
// One Run:
//
//   - makes Config.Events changes across contacts, tags, tasks, notes and
//     appointments: half GHL's (the sandbox's UI mutators, whose signed
//     webhooks are captured instead of delivered), half the peer's
//     (Standard Webhooks events signed like peertest.Sender's);
//   - delivers every event 1..MaxCopies times, shuffled, through the
//     functions' routes (syncapp.SyncRoutes over one crmsync.Syncer) with
//     Workers at a time, while the GHL sandbox answers 429 and 5xx, the
//     app's GHL transport adds latency and lets requests run into their
//     deadline (before or after GHL processed them), the peer fails
//     deliveries, a proxy in front of DynamoDB Local (DynamoFaults)
//     throttles and delays requests, and handlers are cancelled
//     mid-flight;
//   - redelivers as the senders would: GHL only after a 429 (any other
//     answer, or none, loses the webhook: the sweep must recover it), the
//     peer after any failure;
//   - runs one sweep per stream (with delete detection) and compares
//     (Check): mismatches, duplicates and lost changes must all be 0.
//
// Every decision — the workload, the copies and their order, the
// cancellations, each fault — derives from Config.Seed and a sequence
// number of its own, so a run is reproducible up to the interleaving of
// concurrent workers (Workers = 1 replays exactly).
//
// Example (a test, with DynamoDB Local from internal/dynamotest):
//
//	client := dynamotest.Client(t)
//	table := dynamotest.TableName(t)
//	_ = dynamostore.CreateTable(ctx, client, table)
//	rep, err := chaos.Run(ctx, chaos.Config{Seed: 1, Events: 300, Dynamo: client, Table: table})
//	fmt.Print(rep.Table()) // rep.Check.Mismatches, Duplicates, Lost
package chaos
