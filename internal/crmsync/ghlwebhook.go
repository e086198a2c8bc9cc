package crmsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// ghlPayload is the part of a GHL webhook the flows read: the payload is
// only a hint, the state is fetched again.
type ghlPayload struct {
	Type        string `json:"type"`
	LocationID  string `json:"locationId"`
	WebhookID   string `json:"webhookId"`
	ID          string `json:"id"`
	ContactID   string `json:"contactId"`
	Title       string `json:"title"`
	Appointment *struct {
		ID        string `json:"id"`
		ContactID string `json:"contactId"`
	} `json:"appointment"`
}

// ghlEventTypes lists the GHL event types each domain route accepts.
var ghlEventTypes = map[Kind][]string{
	KindContact:     {"ContactCreate", "ContactUpdate", "ContactDelete", "ContactTagUpdate", "ContactDndUpdate"},
	KindTask:        {"TaskCreate", "TaskComplete", "TaskDelete"},
	KindNote:        {"NoteCreate", "NoteUpdate", "NoteDelete"},
	KindAppointment: {"AppointmentCreate", "AppointmentUpdate", "AppointmentDelete"},
}

// entityID returns the id of the entity the event names.
func (p *ghlPayload) entityID() (id, contactID string) {
	if p.Appointment != nil {
		return p.Appointment.ID, p.Appointment.ContactID
	}
	return p.ID, p.ContactID
}

// parseGHLPayload decodes and checks a verified GHL webhook body for the
// domain route it arrived on.
func parseGHLPayload(domain Kind, body []byte) (*ghlPayload, error) {
	var p ghlPayload
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("body is not a JSON object: %v", err)
	}
	var missing []string
	for _, f := range []struct{ name, v string }{{"type", p.Type}, {"locationId", p.LocationID}, {"webhookId", p.WebhookID}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	types, ok := ghlEventTypes[domain]
	if !ok {
		return nil, fmt.Errorf("unknown domain %q", domain)
	}
	if !contains(types, p.Type) {
		return nil, fmt.Errorf("event type %q is not accepted on the %s route (want one of %s)", p.Type, domain, strings.Join(types, ", "))
	}
	if id, _ := p.entityID(); id == "" {
		if domain == KindAppointment {
			return nil, errors.New("missing appointment.id")
		}
		return nil, errors.New("missing id")
	}
	if (domain == KindNote || domain == KindAppointment) && func() bool { _, c := p.entityID(); return c == "" }() {
		return nil, errors.New("missing contactId")
	}
	return &p, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// HandleGHLWebhook runs one GHL webhook delivered to the domain's route:
// verify the signature on the raw body (401), parse it (400), claim the
// webhook id (a completed duplicate answers 200 with the stored report; one
// in progress 429), fetch the entity's current state from GHL, stop on an
// echo or a stale state, deliver to the peer and record the link. A
// transient failure answers 429 so that GHL delivers again; a permanent
// one answers 200 with the failure recorded in the report (GHL drops the
// event on any status but 429, so a different status would only hide the
// record).
func (s *Syncer) HandleGHLWebhook(ctx context.Context, domain Kind, header http.Header, body []byte) Result {
	if err := s.opts.Verifier.Verify(header, body); err != nil {
		switch {
		case errors.Is(err, webhook.ErrTimestamp):
			return errorResult(http.StatusUnauthorized, "stale_timestamp", "the webhook timestamp is outside the accepted window", err)
		case errors.Is(err, webhook.ErrMissingSignature):
			return errorResult(http.StatusUnauthorized, "missing_signature", "X-GHL-Signature (or x-wh-signature) is required", err)
		default:
			return errorResult(http.StatusUnauthorized, "bad_signature", "the webhook signature does not verify", err)
		}
	}
	p, err := parseGHLPayload(domain, body)
	if err != nil {
		return errorResult(http.StatusBadRequest, "malformed", err.Error(), err)
	}
	return s.runDelivery(ctx, ScopeGHL, p.WebhookID, body, http.StatusTooManyRequests, http.StatusTooManyRequests, http.StatusOK,
		func(ctx context.Context) (Report, error) {
			rep, err := s.fromGHL(ctx, domain, p)
			return Report{Outcome: rep.Outcome, Changes: []ChangeReport{rep}}, err
		})
}

// fromGHL syncs the entity a GHL webhook names to the peer.
func (s *Syncer) fromGHL(ctx context.Context, domain Kind, p *ghlPayload) (ChangeReport, error) {
	id, contactID := p.entityID()
	rep := ChangeReport{LocationID: p.LocationID, GHLID: id}
	g, err := s.opts.GHL.GHLFor(ctx, p.LocationID)
	if err != nil {
		return finish(rep, fmt.Errorf("GHL client for location %s: %w", p.LocationID, err))
	}
	fetch := func(ctx context.Context) (*outbound, error) {
		switch domain {
		case KindContact:
			return s.fetchContact(ctx, g, p.LocationID, id)
		case KindTask:
			return s.fetchTask(ctx, g, p.LocationID, id, contactID, p.Title)
		case KindNote:
			return s.fetchNote(ctx, g, p.LocationID, id, contactID)
		}
		return s.fetchAppointment(ctx, g, p.LocationID, id, contactID)
	}
	// The link is read before the state (except for a create, whose link,
	// if ghlsync made the entity, may still be on its way: deliver settles
	// first): a flow that records another state after this read changes
	// the link's version, and the write that records this delivery fails
	// instead of taking the state read for the latest (see deliveredOver).
	// Read after the fetch, the link could already hold a later state than
	// the one fetched, and the older one would be sent and recorded.
	var first *store.Link
	readFirst := !strings.HasSuffix(p.Type, "Create")
	if readFirst {
		if first, err = s.linkByGHL(ctx, p.LocationID, domain, id); err != nil {
			return finish(rep, err)
		}
	}
	out, err := fetch(ctx)
	if err != nil {
		return finish(rep, err)
	}
	if readFirst {
		out.link, out.linkRead = first, true
	}
	out.refetch = fetch
	// Tasks carry no dateAdded: their create event says they are new.
	out.fresh = s.fresh(out.created, p.Type == "TaskCreate")
	return finish(s.deliver(ctx, out))
}

// fresh reports whether an entity added at created (zero when unknown,
// then created tells) is brand new: it may be ghlsync's own create whose
// link is still on its way.
func (s *Syncer) fresh(created time.Time, create bool) bool {
	if created.IsZero() {
		return create
	}
	age := s.opts.Now().Sub(created)
	return age < freshWindow && age > -freshWindow
}

// outbound is the current GHL state of one entity, ready for the peer.
type outbound struct {
	kind       Kind
	locationID string
	ghlID      string
	contactID  string // the GHL contact of a task, note or appointment
	// entity is the canonical *Contact, *Task, *Note or *Appointment; nil
	// when the entity is gone from GHL.
	entity any
	// link is the entity's link when the fetch already read it; linkRead
	// reports that it was read (nil then means none).
	link     *store.Link
	linkRead bool
	// created is GHL's dateAdded of the entity, when known; fresh reports
	// a brand-new entity (see Syncer.fresh).
	created time.Time
	fresh   bool
	// refetch reads the entity from GHL again. deliver calls it after
	// waiting for a peer→GHL write in flight: the state fetched before the
	// wait may be an intermediate one of that write (say, the upsert done
	// and the tags not yet added), and only the current state may be
	// compared with the link. Nil when the caller holds no GHL source.
	refetch func(ctx context.Context) (*outbound, error)
}

func (o *outbound) setPeerID(peerID string) {
	switch e := o.entity.(type) {
	case *Contact:
		e.PeerID = peerID
	case *Task:
		e.PeerID = peerID
	case *Note:
		e.PeerID = peerID
	case *Appointment:
		e.PeerID = peerID
	}
}

// updatedAt is GHL's version of the entity (contacts and appointments
// carry dateUpdated; tasks and notes have none).
func (o *outbound) updatedAt() time.Time {
	switch e := o.entity.(type) {
	case *Contact:
		return e.UpdatedAt
	case *Appointment:
		return e.UpdatedAt
	}
	return time.Time{}
}

func eventTypes(k Kind) (upserted, deleted EventType) {
	switch k {
	case KindContact:
		return ContactUpserted, ContactDeleted
	case KindTask:
		return TaskUpserted, TaskDeleted
	case KindNote:
		return NoteUpserted, NoteDeleted
	}
	return AppointmentUpserted, AppointmentDeleted
}

// deliver sends the GHL state o to the peer unless the peer has it, and
// records the link.
func (s *Syncer) deliver(ctx context.Context, o *outbound) (ChangeReport, error) {
	upserted, deleted := eventTypes(o.kind)
	rep := ChangeReport{Type: upserted, LocationID: o.locationID, GHLID: o.ghlID}
	if o.entity == nil {
		rep.Type = deleted
	}
	var fp string
	if o.entity != nil {
		fp = Fingerprint(o.entity)
	}
	link := o.link
	settled := false
	if link == nil && (!o.linkRead || o.fresh) {
		// A brand-new entity may be ghlsync's own create: its link lands
		// right after GHL answers, while GHL already sends this webhook.
		if o.fresh {
			if err := s.settle(ctx, s.opts.EchoSettle); err != nil {
				return rep, err
			}
			settled = s.opts.EchoSettle > 0
		}
		var err error
		if link, err = s.linkByGHL(ctx, o.locationID, o.kind, o.ghlID); err != nil {
			return rep, err
		}
	}
	link, waited, err := s.awaitPending(ctx, o, link, fp)
	if err != nil {
		return rep, err
	}
	// A state read before a write was recorded may be out of date: after
	// waiting for a peer→GHL write; after settling, when a link appeared
	// that the state does not match (ghlsync's own create, read half done:
	// say, the contact upserted and its tags not added yet); and when the
	// link says deleted while GHL showed the entity (a delete recorded
	// after the read: GHL never gives an id back). Only a fresh read may
	// be compared and sent then.
	stale := waited || (link != nil && link.Deleted && o.entity != nil) ||
		(settled && link != nil && !link.Deleted && o.entity != nil && fp != link.GHLFingerprint && fp != link.PeerFingerprint &&
			!parseLinkMeta(link.SourceVersion).Peer.IsZero()) // the peer wrote it: likely its own create
	if o.refetch != nil && stale {
		cur, err := o.refetch(ctx)
		if err != nil {
			return rep, err
		}
		cur.fresh, cur.refetch = o.fresh, nil
		o, fp, rep.Type = cur, "", upserted
		if o.entity != nil {
			fp = Fingerprint(o.entity)
		} else {
			rep.Type = deleted
		}
		if o.link == nil {
			o.link = link
		} else {
			link = o.link
		}
	}
	now := s.opts.Now()
	var ev Event
	meta := linkMeta{Contact: o.contactID}
	var old linkMeta
	if link != nil {
		rep.PeerID = link.PeerID
		old = parseLinkMeta(link.SourceVersion)
		meta.Peer = old.Peer
		meta.GHL = old.GHL
		meta.PendingUntil, meta.PendingFP, meta.PendingBy = old.PendingUntil, old.PendingFP, old.PendingBy
		meta.Orphan = old.Orphan && !link.Deleted
		if meta.Contact == "" {
			meta.Contact = old.Contact
		}
	}
	if o.entity == nil {
		peerID := o.ghlID
		switch {
		case link == nil:
			// Deleted before any link was recorded. The peer may have it
			// all the same: a delivery can reach the peer and fail to be
			// recorded, and GHL's redelivery then finds the entity gone.
			// The delete is sent (a peer ignores one for an id it does not
			// know) and a tombstone recorded.
		case link.Deleted, old.pending(now) && old.PendingFP == pendingDelete:
			rep.Outcome = OutcomeUnchanged
			return rep, nil
		default:
			peerID = link.PeerID
		}
		ref := &Ref{Kind: o.kind, GHLID: o.ghlID, PeerID: peerID, ContactGHLID: meta.Contact}
		ev = Event{ID: EventID(deleted, o.locationID, o.ghlID, "deleted"), Type: deleted, LocationID: o.locationID, Time: now, Deleted: ref}
	} else {
		if link != nil && !link.Deleted {
			if fp == link.PeerFingerprint || fp == link.GHLFingerprint || (old.pending(now) && fp == old.PendingFP) {
				rep.Outcome = OutcomeUnchanged
				return rep, nil
			}
			if v := o.updatedAt(); !v.IsZero() && v.Before(meta.GHL) {
				rep.Outcome, rep.Reason = OutcomeStale, "GHL state older than the one already delivered"
				return rep, nil
			}
			o.setPeerID(link.PeerID)
		}
		meta.GHL = later(meta.GHL, o.updatedAt())
		ev = Event{ID: EventID(upserted, o.locationID, o.ghlID, overLink(fp, link)), Type: upserted, LocationID: o.locationID, Time: now}
		switch e := o.entity.(type) {
		case *Contact:
			ev.Contact = e
		case *Task:
			ev.Task = e
		case *Note:
			ev.Note = e
		case *Appointment:
			ev.Appointment = e
		}
	}
	if link == nil && o.entity != nil && (o.created.IsZero() || now.Sub(o.created) < orphanWindow) {
		// Nobody had linked it, and it is recent (or of unknown age): it
		// may be a peer create whose link was lost. An old entity found
		// unlinked (a backfill) is GHL's own and never marked.
		meta.Orphan = true
	}
	res, err := s.opts.Peer.Send(ctx, ev)
	if err != nil {
		return rep, fmt.Errorf("send %s %s to %s: %w", ev.Type, o.ghlID, s.opts.Peer.Name(), err)
	}
	next := store.Link{LocationID: o.locationID, Kind: store.LinkKind(o.kind), GHLID: o.ghlID, PeerID: o.ghlID, UpdatedAt: now}
	if link != nil {
		next = *link
		next.UpdatedAt = now
	}
	if res.PeerID != "" {
		next.PeerID = res.PeerID
	}
	if o.entity == nil {
		next.Deleted = true
	} else {
		next.Deleted = false
		next.PeerFingerprint, next.GHLFingerprint = fp, fp
	}
	next.SourceVersion = meta.String()
	var sentOver int64
	if link != nil {
		sentOver = link.Version
	}
	if err := s.putLink(ctx, link, next, s.deliveredOver(o, fp, next.PeerID, sentOver)); err != nil {
		// Delivered but not recorded. Retrying re-fetches the latest
		// state; the peer drops a repeat of this event by its id.
		return rep, fmt.Errorf("record %s link %s: %w", o.kind, o.ghlID, err)
	}
	rep.PeerID = next.PeerID
	rep.Outcome = OutcomeSynced
	return rep, nil
}

// errDeliveredOverChange is the transient failure of a GHL→peer delivery
// whose link another flow changed between the read and the record: the
// state sent may be older than the one the other flow recorded.
var errDeliveredOverChange = errors.New("the link changed while the state was delivered; retry to send the current state")

// deliveredOver is the rebase of deliver's link write, run when another
// flow wrote the link after deliver read it (o's state was read before
// that write, and sent). When the stored link holds the state sent (as
// GHL's or as the peer's), the delivery is recorded over it. Otherwise the peer may now hold an older
// state than the one the link says it has (two GHL webhooks of one task
// racing, the later read delivered first; a peer write recorded while a
// GHL state was on its way): the link's fingerprints are cleared, so that
// no state counts as delivered, and the delivery fails as transient —
// GHL's redelivery re-reads and sends the current state. A link made
// meanwhile by a peer create of this entity (deliver found none) makes the
// copy just sent a stray: it is retracted at the peer (sentAs is the peer
// id it was sent under, sentOver the version of the link it was sent over,
// 0 for none).
func (s *Syncer) deliveredOver(o *outbound, fp, sentAs string, sentOver int64) func(context.Context) (*idempotency.LinkWrite, error) {
	return func(ctx context.Context) (*idempotency.LinkWrite, error) {
		cur, err := s.opts.Links.GetLinkByGHL(ctx, o.locationID, store.LinkKind(o.kind), o.ghlID)
		if err != nil || cur == nil {
			return nil, errors.Join(err, errDeliveredOverChange)
		}
		if cur.PeerID != sentAs && !cur.Deleted && o.entity != nil {
			stray := *cur
			stray.PeerID, stray.SourceVersion = sentAs, linkMeta{Contact: o.contactID, Orphan: true}.String()
			if err := s.retractOrphan(ctx, &stray, cur.PeerID, "@"+strconv.FormatInt(sentOver, 10)); err != nil {
				return nil, err
			}
		}
		gone := o.entity == nil
		if cur.Deleted == gone && (gone || cur.GHLFingerprint == fp || cur.PeerFingerprint == fp) {
			same := *cur
			same.UpdatedAt = s.opts.Now()
			return &idempotency.LinkWrite{Prev: cur, Link: same}, nil
		}
		dirty := *cur
		dirty.GHLFingerprint, dirty.PeerFingerprint = "", ""
		dirty.UpdatedAt = s.opts.Now()
		if _, err := s.opts.Links.SwapLink(ctx, cur, dirty, nil); err != nil {
			return nil, errors.Join(err, errDeliveredOverChange)
		}
		return nil, errDeliveredOverChange
	}
}

// errWriteInFlight is the transient failure of a GHL→peer delivery that
// waited EchoSettle for a peer→GHL write in flight on the same entity and
// saw it still unrecorded.
var errWriteInFlight = errors.New("a peer→GHL write to the entity is still in flight; retry once it is recorded")

// overLink is what the event id of delivering the state fp over link (as
// read before the delivery; nil when there is none yet) hashes: the state
// and the link's version. Every delivery of one state over one link — a
// redelivery of a GHL webhook after the peer got it but the link was not
// recorded, copies of a webhook racing, a sweep — has the same id, so the
// peer drops the repeats. A state that comes back after the peer was sent
// another one (a task completed then reopened, a tag added then removed:
// GHL's fingerprints repeat) is delivered over a later link and gets a new
// id; with the state's fingerprint alone it would reuse the id of the
// first delivery, the peer would drop it as a repeat and keep the other
// state, while the link records the state as delivered.
func overLink(fp string, link *store.Link) string {
	if link == nil {
		return fp
	}
	return fp + "@" + strconv.FormatInt(link.Version, 10)
}

// settle waits d (nothing when d ≤ 0).
func (s *Syncer) settle(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	return s.opts.Sleep(ctx, d)
}

// awaitPending waits, while the link marks a peer→GHL write in flight
// whose outcome the state o does not match yet (fingerprint fp; a delete
// when o has no entity), for that write to be recorded: it polls the link,
// at most EchoSettle, and returns the link as last read and whether it
// waited. Without a write in flight it returns at once. When the write is
// still in flight after EchoSettle it returns errWriteInFlight: the state
// read may be an intermediate one of that write, and delivering it would
// send the peer an older version of its own change and make the write's
// final state look like an echo once recorded; the caller retries later
// (GHL redelivers on 429, a sweep on its next run), after the write is
// recorded or its mark has expired.
func (s *Syncer) awaitPending(ctx context.Context, o *outbound, link *store.Link, fp string) (_ *store.Link, waited bool, _ error) {
	deadline := s.opts.Now().Add(s.opts.EchoSettle)
	for link != nil {
		meta := parseLinkMeta(link.SourceVersion)
		now := s.opts.Now()
		known := link.Deleted || meta.PendingFP == pendingDelete
		if o.entity != nil {
			known = fp == link.PeerFingerprint || fp == link.GHLFingerprint || fp == meta.PendingFP
		}
		if !meta.pending(now) || known {
			return link, waited, nil
		}
		if !now.Before(deadline) {
			if s.opts.EchoSettle < 0 {
				return link, waited, nil // waits disabled
			}
			return nil, waited, fmt.Errorf("%s %s: %w", o.kind, o.ghlID, errWriteInFlight)
		}
		if err := s.settle(ctx, min(pendingPoll, deadline.Sub(now))); err != nil {
			return nil, waited, err
		}
		waited = true
		var err error
		if link, err = s.linkByGHL(ctx, o.locationID, o.kind, o.ghlID); err != nil {
			return nil, waited, err
		}
	}
	return link, waited, nil
}
