package crmsync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ghlsync/ghlsync/internal/idempotency"
	"github.com/ghlsync/ghlsync/internal/store"
)

// HandlePeerWebhook runs one delivery from the peer on the domain's route:
// Peer.Receive verifies and parses it (401 unverifiable, 400 malformed,
// 503 when it could not read the peer now: ErrPeerUnavailable), the
// delivery id is claimed (a completed duplicate answers 200 with the
// stored report, one in progress 409), and each change is applied to GHL:
// stale and echoed changes are dropped, the rest written (a contact in one
// call, tags by add/remove) and linked. A transient failure answers 503
// so that the peer delivers again; a permanent one 422, recorded (a
// redelivery gets the stored report with 200).
func (s *Syncer) HandlePeerWebhook(ctx context.Context, domain Kind, header http.Header, body []byte) Result {
	in, err := s.opts.Peer.Receive(ctx, domain, header, body)
	var bad *BadEventError
	switch {
	case errors.Is(err, ErrUnauthenticated):
		return errorResult(http.StatusUnauthorized, "unauthenticated", "the delivery signature or timestamp does not verify", err)
	case errors.As(err, &bad):
		return errorResult(http.StatusBadRequest, "malformed", bad.Problem, err)
	case errors.Is(err, ErrPeerUnavailable):
		return Result{Status: http.StatusServiceUnavailable, Body: ErrorBody{Error: "retry", Message: "the peer could not be read now; deliver it again"},
			Header: map[string]string{"Retry-After": "30"}, Outcome: "retry", Err: err}
	case err != nil:
		return errorResult(http.StatusBadRequest, "malformed", "the delivery could not be read", err)
	}
	if in.DeliveryID == "" {
		return errorResult(http.StatusBadRequest, "malformed", "the delivery has no id", nil)
	}
	for i, c := range in.Changes {
		if c.Type.Kind() != domain {
			return errorResult(http.StatusBadRequest, "malformed",
				fmt.Sprintf("change %d: event type %q is not accepted on the %s route", i, c.Type, domain), nil)
		}
	}
	return s.runDelivery(ctx, ScopePeer, in.DeliveryID, body, http.StatusServiceUnavailable, http.StatusConflict, http.StatusUnprocessableEntity,
		func(ctx context.Context) (Report, error) {
			var changes []ChangeReport
			for _, c := range in.Changes {
				rep, err := s.toGHL(ctx, in.DeliveryID, c)
				if err != nil {
					return Report{}, err
				}
				changes = append(changes, rep)
			}
			return summarize(changes), nil
		})
}

// toGHL applies one peer change of the delivery deliveryID to GHL.
func (s *Syncer) toGHL(ctx context.Context, deliveryID string, c Change) (ChangeReport, error) {
	loc := c.LocationID
	if loc == "" {
		loc = s.opts.DefaultLocationID
	}
	rep := ChangeReport{Type: c.Type, LocationID: loc}
	if loc == "" {
		return finish(rep, permanent("the change names no locationId and no default location is configured"))
	}
	g, err := s.opts.GHL.GHLFor(ctx, loc)
	if err != nil {
		return finish(rep, fmt.Errorf("GHL client for location %s: %w", loc, err))
	}
	a := &applier{s: s, g: g, loc: loc, rep: rep, now: s.opts.Now(), version: c.Time, owner: writerID(deliveryID)}
	versionAt(c)
	switch c.Type {
	case ContactUpserted:
		err = a.contact(ctx, c.Contact)
	case ContactTagged, ContactUntagged:
		err = a.tags(ctx, c.Contact, c.Tags, c.Type == ContactTagged)
	case ContactDeleted:
		err = a.deleteContact(ctx, c.Deleted)
	case TaskUpserted, TaskCompleted:
		if c.Task != nil && c.Type == TaskCompleted {
			c.Task.Completed = true
		}
		err = a.task(ctx, c.Task)
	case TaskDeleted:
		err = a.deleteTask(ctx, c.Deleted)
	case NoteUpserted:
		err = a.note(ctx, c.Note)
	case NoteDeleted:
		err = a.deleteNote(ctx, c.Deleted)
	case AppointmentUpserted:
		err = a.appointment(ctx, c.Appointment)
	case AppointmentDeleted:
		err = a.deleteAppointment(ctx, c.Deleted)
	default:
		err = permanent(fmt.Sprintf("event type %q is not supported", c.Type))
	}
	return finish(a.rep, err)
}

// applier applies one peer change to one location's GHL.
type applier struct {
	s   *Syncer
	g   GHL
	loc string
	rep ChangeReport
	now time.Time
	// version is the time of the change (the envelope's timestamp): a
	// delete records it, so that an older upsert arriving after the
	// delete is dropped as stale instead of making the entity again.
	version time.Time
	// owner names the delivery in the pending-write marks it makes
	// (writerID), so that its own retry may take a mark over and no other
	// delivery can.
	owner string
	// attempted is the match key of the content this round of a create
	// sent to GHL, tried those of earlier rounds (createOnce).
	attempted string
	tried     []string
	// adopted is the link, if any, of the GHL entity a create's lookup
	// adopted (markAdopted).
	adopted *store.Link
}

func (a *applier) done(outcome, reason string) error {
	a.rep.Outcome, a.rep.Reason = outcome, reason
	return nil
}

// resolve reads the link of a peer entity: by peer id, else by the GHL id
// the peer named.
func (a *applier) resolve(ctx context.Context, kind Kind, peerID, ghlID string) (*store.Link, error) {
	if peerID != "" {
		l, err := a.s.linkByPeer(ctx, a.loc, kind, peerID)
		if l != nil || err != nil {
			return l, err
		}
	}
	if ghlID != "" {
		return a.s.linkByGHL(ctx, a.loc, kind, ghlID)
	}
	return nil, nil
}

// skip reports whether a peer change need not be written: stale (older
// than the peer version already applied) or an echo (GHL or the peer
// already has this state).
func (a *applier) skip(link *store.Link, fp string, updatedAt time.Time) bool {
	if link == nil {
		return false
	}
	applied := parseLinkMeta(link.SourceVersion).Peer
	if link.Deleted {
		// A tombstone holds the version of the delete (or of the last
		// change applied before GHL's): only a later change makes the
		// entity again; an older one arriving late is stale.
		if !updatedAt.IsZero() && !applied.IsZero() && !updatedAt.After(applied) {
			_ = a.done(OutcomeStale, "older than the delete already applied")
			return true
		}
		return false
	}
	if !updatedAt.IsZero() && updatedAt.Before(applied) {
		_ = a.done(OutcomeStale, "older than the peer version already applied")
		return true
	}
	if fp == link.GHLFingerprint || fp == link.PeerFingerprint {
		_ = a.done(OutcomeUnchanged, "")
		return true
	}
	return false
}

// record writes the link after a GHL write: GHLFingerprint of what GHL
// answered, PeerFingerprint of what the peer sent, so the webhook GHL
// sends about this write is recognised as an echo; the pending write
// marked on the link (markPending) is cleared. link is the link as read
// (or as marked). A GHL entity linked already, to another peer id (the
// peer upserted an email GHL had) or by a concurrent flow, becomes this
// peer id's: the write is rebased on its link. Any other lost link is
// retried by the sender (the write is repeated idempotently: update by id,
// or found again by the create lookup).
func (a *applier) record(ctx context.Context, link *store.Link, kind Kind, ghlID, peerID, ghlFP, peerFP string, ghlVersion, peerVersion time.Time, contactID string) error {
	build := func(next store.Link) store.Link {
		meta := parseLinkMeta(next.SourceVersion)
		meta.GHL = later(meta.GHL, ghlVersion)
		meta.Peer = later(meta.Peer, peerVersion)
		meta.PendingUntil, meta.PendingFP, meta.PendingBy = time.Time{}, "", ""
		if contactID != "" {
			meta.Contact = contactID
		}
		meta.Orphan = false
		next.PeerID = peerID
		next.GHLFingerprint, next.PeerFingerprint = ghlFP, peerFP
		next.Deleted = false
		next.SourceVersion = meta.String()
		next.UpdatedAt = a.now
		return next
	}
	prev := link
	if link == nil || link.GHLID != ghlID {
		prev = nil
	}
	if link != nil && link.GHLID != ghlID && link.Deleted && link.PeerID == peerID {
		// The peer id's old GHL entity was deleted and the peer made it
		// again: the tombstone gives the peer id up to the new link.
		old := *link
		old.PeerID, old.UpdatedAt = old.GHLID, a.now
		if _, err := a.s.swapLink(ctx, link, old); err != nil {
			return fmt.Errorf("release %s link %s of peer id %s: %w", kind, link.GHLID, peerID, err)
		}
	}
	next := store.Link{LocationID: a.loc, Kind: store.LinkKind(kind), GHLID: ghlID, PeerID: peerID}
	if prev != nil {
		next = *prev
	}
	var rebase func(context.Context) (*idempotency.LinkWrite, error)
	if prev == nil {
		rebase = func(ctx context.Context) (*idempotency.LinkWrite, error) {
			cur, err := a.s.opts.Links.GetLinkByGHL(ctx, a.loc, store.LinkKind(kind), ghlID)
			if err != nil {
				return nil, err
			}
			if err := a.s.retractOrphan(ctx, cur, peerID, ""); err != nil {
				return nil, err
			}
			return &idempotency.LinkWrite{Prev: cur, Link: build(*cur)}, nil
		}
	}
	if err := a.s.putLink(ctx, prev, build(next), rebase); err != nil {
		return fmt.Errorf("record %s link %s ↔ %s: %w", kind, ghlID, peerID, err)
	}
	a.rep.GHLID, a.rep.PeerID = ghlID, peerID
	return a.done(OutcomeSynced, "")
}

// errOtherWriteInFlight is the transient failure of a peer→GHL write to an
// entity another delivery is writing (its pending mark is live): the
// sender retries once that write is recorded or its mark has lapsed.
var errOtherWriteInFlight = errors.New("another delivery is writing this entity; retry")

// writerID is the short name of a delivery in a pending-write mark.
func writerID(deliveryID string) string {
	sum := sha256.Sum256([]byte(deliveryID))
	return hex.EncodeToString(sum[:6])
}

// markPending marks on the link of a linked entity, before writing it to
// GHL, that a write leaving fingerprint fp (pendingDelete for a delete, ""
// when only GHL's answer tells) is in flight, so that the GHL→peer flow
// recognises GHL's webhook about it even before record runs (see
// Options.EchoSettle). One delivery writes an entity at a time: a live
// mark of another delivery fails the write as transient
// (errOtherWriteInFlight). The mark lasts pendingFor, or until shortly
// after ctx's deadline. It returns the link as now stored, for record.
func (a *applier) markPending(ctx context.Context, link *store.Link, fp string) (*store.Link, error) {
	next := *link
	meta := parseLinkMeta(link.SourceVersion)
	if meta.pending(a.now) && meta.PendingBy != a.owner {
		// Another delivery is writing this entity: two writes at once
		// would reach GHL in either order, the older possibly last.
		return nil, fmt.Errorf("%s link %s: %w", link.Kind, link.GHLID, errOtherWriteInFlight)
	}
	until := a.now.Add(pendingFor)
	if d, ok := ctx.Deadline(); ok && d.Add(pendingSlack).Before(until) {
		// The write cannot outlive the function: a mark left behind by a
		// stopped function lapses soon after.
		until = d.Add(pendingSlack)
	}
	meta.PendingUntil, meta.PendingFP, meta.PendingBy = until, fp, a.owner
	next.SourceVersion = meta.String()
	next.UpdatedAt = a.now
	got, err := a.s.swapLink(ctx, link, next)
	if err != nil {
		return nil, fmt.Errorf("mark %s link %s pending: %w", link.Kind, link.GHLID, err)
	}
	return got, nil
}

// tombstone marks a link deleted after a delete was applied to GHL.
func (a *applier) tombstone(ctx context.Context, link *store.Link) error {
	next := *link
	meta := parseLinkMeta(link.SourceVersion)
	meta.PendingUntil, meta.PendingFP, meta.PendingBy = time.Time{}, "", ""
	meta.Peer = later(meta.Peer, a.version)
	meta.Orphan = false
	next.SourceVersion = meta.String()
	next.Deleted = true
	next.UpdatedAt = a.now
	if err := a.s.putLink(ctx, link, next, nil); err != nil {
		return fmt.Errorf("record %s link %s deleted: %w", link.Kind, link.GHLID, err)
	}
	return a.done(OutcomeSynced, "")
}

// contactOf returns the GHL id of the contact a task, note or appointment
// belongs to: named by GHL id, or by peer id through its link.
func (a *applier) contactOf(ctx context.Context, ghlID, peerID string) (string, error) {
	if ghlID != "" {
		return ghlID, nil
	}
	if peerID == "" {
		return "", permanent("the change names no contact (contactGhlId or contactPeerId)")
	}
	l, err := a.s.linkByPeer(ctx, a.loc, KindContact, peerID)
	if err != nil {
		return "", err
	}
	if l == nil {
		// The contact may be on its way: the peer retries.
		return "", fmt.Errorf("contact with peer id %s is not linked to GHL yet", peerID)
	}
	return l.GHLID, nil
}

// refLink reads the link a delete names.
func (a *applier) refLink(ctx context.Context, kind Kind, ref *Ref) (*store.Link, error) {
	if ref == nil {
		return nil, permanent("the delete carries no reference")
	}
	a.rep.GHLID, a.rep.PeerID = ref.GHLID, ref.PeerID
	return a.resolve(ctx, kind, ref.PeerID, ref.GHLID)
}

// versionAt gives an entity without its own updatedAt the time of the
// change (the envelope timestamp), so stale deliveries are still dropped.
func versionAt(c Change) {
	set := func(t *time.Time) {
		if t.IsZero() {
			*t = c.Time
		}
	}
	switch {
	case c.Contact != nil && c.Type == ContactUpserted:
		set(&c.Contact.UpdatedAt)
	case c.Task != nil:
		set(&c.Task.UpdatedAt)
	case c.Note != nil:
		set(&c.Note.UpdatedAt)
	case c.Appointment != nil:
		set(&c.Appointment.UpdatedAt)
	}
}
