package crmsync

import (
	"context"
	"fmt"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/store"
)

// The sweep side of the GHL→peer flow: a scheduled sweep reads GHL state
// in bulk (search pages, per-contact lists) and hands each entity here. It
// reuses the webhook flow's deliver step unchanged — fingerprints against
// the link decide whether the peer already has the state, the event id is
// deterministic, the link records what was sent — and skips only what a
// sweep does not need: the fetch (the sweep already holds the state) and
// the pause for brand-new entities (a sweep is not triggered by a write
// of ghlsync's own, so its entities are never "fresh"; deliver still
// waits while the link marks a peer→GHL write in flight).

// SyncFromGHL delivers the GHL state of one entity, as a sweep read it, to
// the peer unless the peer already has it, and records the link. entity is
// a *ghl.Contact, *ghl.Task, *ghl.Note or *ghl.Appointment matching kind;
// contactID names the GHL contact of a task, note or appointment when the
// entity itself does not. The report's Outcome is synced, unchanged, stale
// or failed (a permanent refusal, recorded; the error is nil). A transient
// failure is returned as the error: the sweep retries the entity on a later
// run.
func (s *Syncer) SyncFromGHL(ctx context.Context, locationID string, kind Kind, contactID string, entity any) (ChangeReport, error) {
	out, err := sweepOutbound(locationID, kind, contactID, entity)
	if err != nil {
		return ChangeReport{LocationID: locationID, Outcome: OutcomeFailed, Reason: err.Error()}, nil
	}
	return finish(s.deliver(ctx, out))
}

// SyncDeletedFromGHL tells the peer that the entity ghlID of kind is gone
// from GHL (a sweep's delete detection found it missing), when its link
// says the peer has it, and tombstones the link. An entity never synced is
// ignored; one already tombstoned is unchanged.
func (s *Syncer) SyncDeletedFromGHL(ctx context.Context, locationID string, kind Kind, ghlID, contactID string) (ChangeReport, error) {
	if _, ok := ghlEventTypes[kind]; !ok || ghlID == "" {
		return ChangeReport{LocationID: locationID, GHLID: ghlID, Outcome: OutcomeFailed,
			Reason: fmt.Sprintf("sweep delete of kind %q id %q", kind, ghlID)}, nil
	}
	out := &outbound{kind: kind, locationID: locationID, ghlID: ghlID, contactID: contactID}
	return finish(s.deliver(ctx, out))
}

// GHLFingerprint returns the fingerprint the flows record for the GHL
// state of entity (as SyncFromGHL takes it), so that a sweep holding a
// page of links can tell unchanged entities without reading each link.
// It returns "" for an entity it does not know.
func GHLFingerprint(locationID string, kind Kind, contactID string, entity any) string {
	out, err := sweepOutbound(locationID, kind, contactID, entity)
	if err != nil || out.entity == nil {
		return ""
	}
	return Fingerprint(out.entity)
}

// sweepOutbound converts a GHL entity read by a sweep to the flow's
// outbound form.
func sweepOutbound(loc string, kind Kind, contactID string, entity any) (*outbound, error) {
	out := &outbound{kind: kind, locationID: loc, contactID: contactID}
	switch e := entity.(type) {
	case *ghl.Contact:
		if kind == KindContact && e != nil && e.ID != "" {
			out.ghlID, out.contactID, out.entity = e.ID, "", contactFromGHL(loc, e)
			return out, nil
		}
	case *ghl.Task:
		if kind == KindTask && e != nil && e.ID != "" {
			t := taskFromGHL(e, contactID)
			out.ghlID, out.contactID, out.entity = e.ID, t.ContactGHLID, t
			return out, nil
		}
	case *ghl.Note:
		if kind == KindNote && e != nil && e.ID != "" {
			n := noteFromGHL(e, contactID)
			out.ghlID, out.contactID, out.entity = e.ID, n.ContactGHLID, n
			return out, nil
		}
	case *ghl.Appointment:
		if kind == KindAppointment && e != nil && e.ID != "" {
			a := appointmentFromGHL(e)
			if a.ContactGHLID == "" {
				a.ContactGHLID = contactID
			}
			out.ghlID, out.contactID, out.entity = e.ID, a.ContactGHLID, a
			return out, nil
		}
	}
	return nil, permanent(fmt.Sprintf("sweep entity %T is not a GHL %s with an id", entity, kind))
}

// LinkContactID returns the GHL contact a task, note or appointment link
// names (recorded by the flows in the link), or "".
func LinkContactID(l store.Link) string { return parseLinkMeta(l.SourceVersion).Contact }
