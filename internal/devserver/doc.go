// Package devserver is "ghlsync dev", the one-command local run (DESIGN §8):
// every route of the five functions on one loopback address, through the
// same handlers as Lambda (HTTP → APIGatewayV2HTTPRequest → handler →
// HTTP; the route keys are the ServeMux patterns), with
//
//   - the embedded store (memstore, <data-dir>/state.json) and a local
//     Secrets Manager (the secretstest Double reached in process, saved to
//     <data-dir>/secrets.json, mode 0600) holding the location's token, the
//     sandbox app's credentials and a generated peer secret (whsec_ signing
//     secret and pull-API key);
//   - the GHL side: an in-process GHL sandbox seeded with demo data, served
//     at /ghl-sandbox, its webhooks pointed at this server's
//     /ghl/webhooks/<domain> routes and its public keys trusted by the
//     verifier; or real GHL when GHL_PRIVATE_TOKEN and GHL_LOCATION_ID are
//     set (real webhooks cannot reach 127.0.0.1: the schedules do the work);
//   - the peer side: the recording peer (peertest) at /peer-inbox, or
//     PEER_WEBHOOK_URL;
//   - the schedules on a local clock: every stream's sweep at start and
//     every --sweep-every (POST /dev/sweep runs them now);
//   - a page at / (html/template, no external assets) with the recent
//     activity (fed by wrapping each route: time, direction, entity,
//     outcome, why), the sandbox's contacts beside the peer inbox's, a form
//     that changes a sandbox contact as the GHL UI would, and a form that
//     signs a peer event (prefilled from docs/peer-events) and posts it to
//     this server's own peer route. /dev/activity.json serves the log.
//
// Example:
//
//	s, err := devserver.Start(ctx, devserver.Options{Addr: "127.0.0.1:0", DataDir: dir, Seed: 1, Getenv: os.Getenv})
//	if err != nil { ... }
//	s.Banner(os.Stdout)
//	err = s.Wait(ctx) // until ctx ends, then a graceful shutdown
package devserver
