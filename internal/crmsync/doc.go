// Package crmsync holds the sync flows between GHL and a peer app: the
// canonical entity model, fingerprints for the echo check, the Peer
// interface every connector implements, and the Syncer that runs the
// webhook flows both ways and the on-demand pull API.
//
// # Dependencies
//
// A Syncer is built once per process (New) from narrow, consumer-declared
// interfaces: GHLFactory (the GHL API of a location: ContactsAPI,
// LocationsAPI, CalendarsAPI, which *ghl.Client's services satisfy), Links
// (the link records of the store), Idempotency (*idempotency.Runner), Peer,
// Verifier (*webhook.GHLVerifier) and PullKeys. Retries, backoff and rate
// limiting live in the GHL client; the flows never retry, except the
// lookup that makes creates safe.
//
// # GHL → peer (HandleGHLWebhook)
//
//  1. Verify the signature on the raw body and the timestamp window → 401.
//  2. Parse the flat payload (type, locationId, webhookId, the entity id;
//     the type must belong to the route's domain) → 400 naming the field.
//  3. Claim idempotency key ("ghl", webhookId). A completed duplicate
//     answers 200 with the stored report; one in progress 429.
//  4. The payload is a hint: fetch the entity from GHL (contact, task,
//     note: GET; appointment: the contact's appointment list). 404, or
//     absent from the list, means deleted. A TaskCreate without contactId
//     finds its contact in the task's link, else by a location task search.
//  5. Read the link (a brand-new entity first waits EchoSettle: it may be
//     ghlsync's own create, whose link is on its way; a link marking a
//     peer→GHL write in flight that the state does not match yet is polled
//     until the write is recorded, at most EchoSettle; still in flight
//     then, answer 429: the state read may be half of that write). Stop
//     when the state's fingerprint equals either fingerprint of the link (GHL's
//     last known state, or the peer's: an echo of ghlsync's own write, or
//     a duplicate) or the fingerprint of the write in flight, or when
//     GHL's dateUpdated is older than the version already delivered. A
//     state read before a wait, or read present while the link says
//     deleted, is read again first: it may predate a write recorded since.
//  6. Send the event (deterministic id: the same state over the same link
//     version has the same webhook-id, so the peer drops repeats, while a
//     state that returns after another, such as a task reopened, gets a
//     new one), then write the link with both fingerprints set to the
//     delivered state and the GHL version, in the
//     transaction that completes the idempotency record. A delete is sent
//     as a Ref and tombstones the link (also with no link yet: a delivery
//     may have reached the peer without being recorded). A link this flow makes for an
//     entity nobody had linked is marked orphan (see Create safety). When
//     another flow wrote the link meanwhile, the state sent may be older
//     than the one recorded: the link's fingerprints are cleared and the
//     delivery answers 429, so GHL's redelivery sends the current state.
//
// Transient failures (GHL 429/5xx/timeouts, token or store trouble, the
// peer unavailable, a link lost to a concurrent writer) release the claim
// and answer 429, the only status GHL redelivers on. Permanent ones (the
// peer refused the event, GHL refused the read) answer 200 with the
// failure recorded in the stored report: GHL drops the event on any other
// status, so a 4xx would lose the record and gain nothing.
//
// GHL sends the webhook of a write while the peer→GHL flow that made it
// is still recording its link. For a linked entity the peer→GHL flow
// marks the link first (the write's fingerprint and until when it is in
// flight), so GHL's webhook is recognised at once, or waits only for that
// write; for a create there is no link to mark, so only brand-new
// entities wait (EchoSettle, once). Every other webhook never waits.
//
// # Peer → GHL (HandlePeerWebhook)
//
//  1. Peer.Receive verifies (Standard Webhooks) and validates the schema:
//     401 (ErrUnauthenticated), 400 (*BadEventError, naming the problem).
//  2. Claim ("peer", delivery id): completed duplicate 200 with the stored
//     report, in progress 409, same id with another body 422.
//  3. Per change: resolve the link (by peer id, else by the GHL id the peer
//     names); drop a change older than the peer version already applied
//     (stale; after a delete, older than the delete) or whose fingerprint
//     equals either fingerprint of the link (echo).
//  4. Write to GHL. A contact is one call: update by id when linked, else
//     upsert (matching by email or phone). Tags are never sent with the
//     contact (GHL would overwrite them all): the tags that differ from
//     GHL's answer are added and removed with the tag endpoints, only when
//     they differ; contact.tagged/untagged change exactly the named tags.
//     Tasks, notes and appointments are updated by id when linked, else
//     created safely (below); deletes delete (appointments are cancelled,
//     the client having no calendar event delete). A peer contact delete
//     deletes the GHL contact only with AllowPeerContactDelete (off by
//     default: recorded as ignored).
//  5. Record the link: GHLFingerprint of GHL's answer, PeerFingerprint of
//     what the peer sent, so GHL's webhook about this write is an echo.
//     Updates and deletes of linked entities mark the link (the pending
//     write, naming the delivery) before calling GHL; one delivery writes
//     an entity at a time (another's live mark answers 503), so two
//     versions never race to GHL. The last link write of a delivery is
//     stored in the transaction that completes its idempotency record
//     (idempotency.Runner.RunWithLink, store.Store.SwapLink).
//
// Transient failures answer 503; permanent ones 422 with the report, which
// is stored, so a redelivery gets 200 and the report without touching GHL.
//
// # Create safety
//
// GHL creates are not idempotent and may answer 422 or time out after
// creating. The delivery's idempotency record is the claim (no two copies
// of a delivery run at once). Before creating a task, note or appointment,
// the contact's list is read and an entity with the same content that is
// not linked to another peer id is adopted; after an ambiguous failure or
// a 422 the list is read again before the sender is asked to retry.
// Contacts go through upsert, which matches by email or phone; after an
// ambiguous upsert or a 422 the contact is looked up (FindDuplicate) and,
// when found, updated by id (idempotent).
//
// Creates run under a per-entity claim (createOnce). A round whose GHL
// create was sent and then failed — timeout, 5xx, 422, or the link write
// after it — keeps its claim record with the match key of the content it
// sent (idempotency.KeepError): the next delivery of the entity, even with
// newer content, takes the next round and adopts an entity matching any
// content tried, then writes its own content over it. The GHL webhook of
// such a create may reach the peer first, as a new entity (the link is
// marked orphan); the create that adopts it takes the link over and
// retracts the copy at the peer (a delete of the id the peer gave it).
//
// # Links
//
// store.Link.SourceVersion holds "g=<GHL version>;p=<peer version>;c=<GHL
// contact id>": the versions order out-of-order deliveries, the contact id
// addresses a task, note or appointment in GHL paths. When the peer names
// no id of its own for an entity sent to it, its peer id is the GHL id.
//
// # Cost per event (happy path, asserted in TestRequestsPerEvent)
//
// GHL→peer: 1 GHL read; DynamoDB: claim, link read, one transaction that
// writes the link and completes the record = 3 requests; an echo stops
// after the link read and completes: 3; a completed duplicate: 1.
// Peer→GHL contact: 1 GHL call (+1 per tag direction that changed);
// DynamoDB 6 for a new contact (3 of them claim the create: createOnce),
// 4 for a linked one (the pending-write mark before the GHL call).
//
// # Pull API
//
// PullContact (GET /peer/contacts/{id}?include=tasks,notes,appointments)
// and PullBusinessContacts (GET /peer/businesses/{id}/contacts) read GHL
// now; the bearer key is checked by PullKeys in constant time (401).
//
// Example:
//
//	s, err := crmsync.New(crmsync.Options{GHL: factory, Links: st, Idempotency: idempotency.New(st),
//		Peer: conn, Verifier: verifier, PullKeys: peerSecret})
//	res := s.HandleGHLWebhook(ctx, crmsync.KindContact, header, body) // res.Status, res.Body
package crmsync
