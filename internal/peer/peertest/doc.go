// Package peertest is a recording Standard Webhooks peer for tests and for
// the local dev server's "peer inbox", and a Sender that signs and posts
// inbound peer events.
//
// Peer is an http.Handler (Start serves it on a loopback port for a test).
// It verifies the signature of every delivery (failures are counted and
// answered 401), validates it against the published outbound schema
// (violations answered 400), de-duplicates on webhook-id, assigns
// deterministic peer ids answered as {"id": "…"}, and keeps the latest
// state per entity, so a test can assert that the peer ends up where GHL
// is. FailNext and SetLatency script an unavailable or slow peer.
//
// Example:
//
//	peer := peertest.Start(t, peertest.Config{Secret: secret})
//	conn, _ := stdwebhooks.New(stdwebhooks.Config{URL: peer.URL, Secret: secret})
//	// ... run the flows with conn ...
//	if got := peer.State().Contacts[ghlID].Email; got != "a@example.com" { ... }
//
//	s := &peertest.Sender{Secret: secret}
//	d, _ := s.Sign(peertest.TaskUpserted(loc, crmsync.Task{PeerID: "t1", ContactPeerID: "c1", Title: "Call"}))
//	rec := peertest.Serve(handler, "/peer/webhooks/tasks", d.Tampered()) // expect 401
package peertest
