// Package replay is "ghlsync replay": it re-drives failed invocations —
// the Lambda on-failure destination records of a function's failure queue
// (which also receives its schedule's dead letters), or a file of such
// records or raw events — through the same handlers the functions run:
// in process (syncapp and installapp wired from the functions'
// environment, the sweep Runner for schedule Inputs) or over HTTP to a
// deployed API or the local dev server. It reports one line per event and
// exits 1 when any failed; --dry-run lists without invoking.
//
// Example:
//
//	recs, err := replay.DecodeFile("failed.json", f)
//	if err != nil { ... }
//	err = replay.Replay(ctx, replay.Options{Records: recs,
//		Invoker: &replay.HTTPInvoker{BaseURL: "http://127.0.0.1:8080"}, Out: os.Stdout})
//	if errors.Is(err, replay.ErrFailed) { ... } // exit 1
package replay
