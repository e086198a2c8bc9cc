package incidentio

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	iio "github.com/ghlsync/ghlsync/internal/incidentio"
)

// Send maps one outbound event onto the incident.io API:
//
//   - contact.upserted: upsert the catalog entry (external_id = GHL id);
//     SendResult.PeerID is the entry id.
//   - contact.deleted: delete the entry (already gone is success).
//   - task.upserted / task.completed of a task whose peer id names a
//     follow-up or action (see peerid.go): set its status (completed, or
//     outstanding when reopened). Tasks with no incident.io counterpart are
//     not mirrored: incident.io tasks must belong to an incident.
//   - note.upserted / appointment.upserted: an arbitrary_url attachment
//     linking to the contact in GHL, on each open incident of the contact;
//     none when the contact has no open incident. A cancelled appointment
//     removes its attachments, as do note.deleted and appointment.deleted.
//   - task.deleted and anything else: nothing to do in incident.io.
//
// Every "nothing to do" is a success with an empty SendResult, so the
// flows record the event and move on. Retrying Send is safe: the upsert is
// keyed by external_id, status writes are idempotent, and attachments are
// found by their external_id before one is created.
func (c *Connector) Send(ctx context.Context, ev crmsync.Event) (crmsync.SendResult, error) {
	switch ev.Type {
	case crmsync.ContactUpserted:
		return c.sendContact(ctx, ev)
	case crmsync.ContactDeleted:
		return crmsync.SendResult{}, c.deleteContact(ctx, ev.Deleted)
	case crmsync.TaskUpserted, crmsync.TaskCompleted:
		if ev.Task == nil {
			return crmsync.SendResult{}, &crmsync.PeerRejectedError{Status: 400, Message: "task event without a task"}
		}
		return c.sendTask(ctx, ev.Type == crmsync.TaskCompleted, ev.Task)
	case crmsync.NoteUpserted:
		if ev.Note == nil {
			return crmsync.SendResult{}, &crmsync.PeerRejectedError{Status: 400, Message: "note event without a note"}
		}
		n := ev.Note
		return crmsync.SendResult{}, c.attach(ctx, ev.LocationID, "note", n.GHLID, n.ContactGHLID, n.ContactPeerID, "memo", noteTitle(n.Body))
	case crmsync.AppointmentUpserted:
		a := ev.Appointment
		if a == nil {
			return crmsync.SendResult{}, &crmsync.PeerRejectedError{Status: 400, Message: "appointment event without an appointment"}
		}
		if strings.EqualFold(a.Status, "cancelled") {
			return crmsync.SendResult{}, c.detach(ctx, "appointment", a.GHLID)
		}
		return crmsync.SendResult{}, c.attach(ctx, ev.LocationID, "appointment", a.GHLID, a.ContactGHLID, a.ContactPeerID, "calendar", appointmentTitle(a))
	case crmsync.NoteDeleted, crmsync.AppointmentDeleted:
		if ev.Deleted == nil {
			return crmsync.SendResult{}, nil
		}
		return crmsync.SendResult{}, c.detach(ctx, string(ev.Deleted.Kind), ev.Deleted.GHLID)
	}
	return crmsync.SendResult{}, nil
}

func (c *Connector) sendContact(ctx context.Context, ev crmsync.Event) (crmsync.SendResult, error) {
	k := ev.Contact
	if k == nil || k.GHLID == "" {
		return crmsync.SendResult{}, &crmsync.PeerRejectedError{Status: 400, Message: "contact.upserted without a GHL contact id"}
	}
	ct, err := c.ensureType(ctx)
	if err != nil {
		return crmsync.SendResult{}, err
	}
	loc := k.LocationID
	if loc == "" {
		loc = ev.LocationID
	}
	e, _, err := c.api.CatalogEntries.Create(ctx, c.entryRequest(ct, loc, k))
	if err != nil {
		return crmsync.SendResult{}, peerError("upsert catalog entry for contact "+k.GHLID, err)
	}
	return crmsync.SendResult{PeerID: e.ID}, nil
}

func (c *Connector) deleteContact(ctx context.Context, ref *crmsync.Ref) error {
	if ref == nil {
		return nil
	}
	id := ref.PeerID
	if id == "" || id == ref.GHLID {
		ct, err := c.ensureType(ctx)
		if err != nil {
			return err
		}
		e, err := c.entryOf(ctx, ct, "", ref.GHLID)
		if err != nil || e == nil {
			return err
		}
		id = e.ID
	}
	if _, err := c.api.CatalogEntries.Delete(ctx, id); err != nil && !errors.Is(err, iio.ErrNotFound) {
		return peerError("delete catalog entry of contact "+ref.GHLID, err)
	}
	return nil
}

// sendTask mirrors a GHL task's completion onto its follow-up or action.
func (c *Connector) sendTask(ctx context.Context, completed bool, t *crmsync.Task) (crmsync.SendResult, error) {
	completed = completed || t.Completed
	pid, ok := ParsePeerID(t.PeerID)
	if !ok || (pid.Kind != KindFollowUp && pid.Kind != KindAction) {
		return crmsync.SendResult{}, nil // a GHL-only task: not mirrored
	}
	res := crmsync.SendResult{PeerID: t.PeerID}
	switch pid.Kind {
	case KindFollowUp:
		fu, _, err := c.api.FollowUps.Get(ctx, pid.ObjectID)
		if errors.Is(err, iio.ErrNotFound) {
			return res, nil // deleted in incident.io: nothing to complete
		}
		if err != nil {
			return res, peerError("get follow-up "+pid.ObjectID, err)
		}
		want, change := targetStatus(fu.Status, completed)
		if !change {
			return res, nil
		}
		req := fu.UpdateRequestFrom()
		req.Status = want
		if _, _, err := c.api.FollowUps.Update(ctx, fu.ID, req); err != nil {
			return res, peerError("update follow-up "+fu.ID, err)
		}
	case KindAction:
		a, _, err := c.api.Actions.Get(ctx, pid.ObjectID)
		if errors.Is(err, iio.ErrNotFound) {
			return res, nil
		}
		if err != nil {
			return res, peerError("get action "+pid.ObjectID, err)
		}
		want, change := targetStatus(a.Status, completed)
		if !change {
			return res, nil
		}
		req := &iio.UpdateActionRequest{Description: a.Description, Status: want}
		if a.Assignee != nil {
			req.AssigneeID = a.Assignee.ID
		}
		if _, _, err := c.api.Actions.Update(ctx, a.ID, req); err != nil {
			return res, peerError("update action "+a.ID, err)
		}
	}
	return res, nil
}

// targetStatus maps GHL's completed flag onto a follow-up or action
// status: completed → completed (not_doing already counts as done);
// reopened → outstanding. change is false when nothing needs writing
// (deleted objects and unknown statuses are left alone).
func targetStatus(current string, completed bool) (string, bool) {
	done := current == iio.StatusCompleted || current == iio.StatusNotDoing
	switch {
	case current != iio.StatusOutstanding && !done:
		return current, false
	case completed && !done:
		return iio.StatusCompleted, true
	case !completed && done:
		return iio.StatusOutstanding, true
	}
	return current, false
}

// attach puts a link to a GHL note or appointment on every open incident of
// its contact (once: found again by external_id; replaced when its title
// changed).
func (c *Connector) attach(ctx context.Context, loc, kind, ghlID, contactGHLID, contactPeerID, emoji, title string) error {
	if ghlID == "" || contactGHLID == "" {
		return nil
	}
	ct, err := c.ensureType(ctx)
	if err != nil {
		return err
	}
	entry, err := c.entryOf(ctx, ct, contactPeerID, contactGHLID)
	if err != nil || entry == nil {
		return err // the contact is not in the catalog: no incident can name it
	}
	incs, err := c.contactIncidents(ctx, entry.ID)
	if err != nil {
		return err
	}
	if loc == "" {
		loc = c.contactFromEntry(ct, entry).LocationID
	}
	extID := AttachmentExternalID(kind, ghlID)
	link := c.contactLink(loc, contactGHLID) + "#" + kind + "-" + ghlID
	for _, inc := range incs {
		if !inc.IncidentStatus.Open() {
			continue
		}
		have, _, err := c.api.Attachments.List(ctx, &iio.ListIncidentAttachmentsOptions{IncidentID: inc.ID, ExternalID: extID})
		if err != nil {
			return peerError("list attachments of incident "+inc.ID, err)
		}
		current := false
		for _, a := range have {
			if a.Resource.Title == title && a.Resource.Permalink == link {
				current = true
				continue
			}
			if _, err := c.api.Attachments.Delete(ctx, a.ID); err != nil && !errors.Is(err, iio.ErrNotFound) {
				return peerError("replace attachment "+a.ID, err)
			}
		}
		if current {
			continue
		}
		_, _, err = c.api.Attachments.Create(ctx, &iio.CreateIncidentAttachmentRequest{IncidentID: inc.ID, Resource: iio.AttachmentResource{
			ResourceType: iio.ResourceTypeArbitraryURL, URL: link, Title: title, Emoji: emoji, ExternalID: extID}})
		if err != nil {
			return peerError(fmt.Sprintf("attach %s %s to incident %s", kind, ghlID, inc.ID), err)
		}
	}
	return nil
}

// detach removes the links of a GHL note or appointment from every
// incident.
func (c *Connector) detach(ctx context.Context, kind, ghlID string) error {
	if ghlID == "" {
		return nil
	}
	have, _, err := c.api.Attachments.List(ctx, &iio.ListIncidentAttachmentsOptions{ExternalID: AttachmentExternalID(kind, ghlID)})
	if err != nil {
		return peerError("list attachments of "+kind+" "+ghlID, err)
	}
	for _, a := range have {
		if _, err := c.api.Attachments.Delete(ctx, a.ID); err != nil && !errors.Is(err, iio.ErrNotFound) {
			return peerError("delete attachment "+a.ID, err)
		}
	}
	return nil
}

const maxTitle = 120

func noteTitle(body string) string {
	line := strings.TrimSpace(strings.SplitN(strings.TrimSpace(body), "\n", 2)[0])
	return truncate("GHL note: "+line, maxTitle)
}

func appointmentTitle(a *crmsync.Appointment) string {
	t := "GHL appointment: " + strings.TrimSpace(a.Title)
	if !a.StartTime.IsZero() {
		t += " — " + a.StartTime.UTC().Format(time.RFC3339)
	}
	if a.Status != "" {
		t += " (" + a.Status + ")"
	}
	return truncate(t, maxTitle)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
