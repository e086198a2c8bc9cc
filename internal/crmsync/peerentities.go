package crmsync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/store"
)

// Creates of tasks, notes and appointments are not idempotent and GHL
// offers no idempotency key, so every create is made safe the same way:
// the delivery's idempotency record is the claim (no concurrent copy of
// the delivery runs), the contact's entities are listed first and an
// unlinked one with the same content is adopted instead of creating
// another (this covers a previous attempt that timed out, crashed after
// GHL answered, or got a 422 although GHL created the entity), and after
// an ambiguous failure the list is read again before the sender retries.

// adoptable reports whether a GHL entity found by content may be adopted:
// it is not linked to another peer id. A link whose peer id is the GHL id,
// or one marked orphan, was made by the GHL→peer flow for an entity nobody
// had linked (as the webhook of a create whose answer was lost does): the
// peer's id takes it over, and the copy the peer was sent is retracted
// (Syncer.retractOrphan).
func (a *applier) adoptable(ctx context.Context, kind Kind, ghlID, peerID string) (bool, error) {
	l, err := a.s.linkByGHL(ctx, a.loc, kind, ghlID)
	if err != nil {
		return false, err
	}
	ok := l == nil || l.PeerID == peerID || l.PeerID == l.GHLID || parseLinkMeta(l.SourceVersion).Orphan
	if ok {
		a.adopted = l
	}
	return ok, nil
}

// markAdopted marks the link of an adopted entity, if it has one, before
// the entity is written to GHL (see markPending): GHL's webhook about the
// write is then an echo, not a change to send to the peer.
func (a *applier) markAdopted(ctx context.Context) error {
	if a.adopted == nil || a.adopted.Deleted {
		return nil
	}
	l, err := a.markPending(ctx, a.adopted, "")
	if err != nil {
		return err
	}
	a.adopted = l
	return nil
}

// createSafely runs find (a lookup by content), then create when nothing
// was found, then find again when create failed ambiguously (or with a
// 422, which GHL has answered for objects it created).
func createSafely[T any](ctx context.Context, find func(context.Context) (*T, error), create func(context.Context) (*T, error)) (*T, error) {
	if got, err := find(ctx); err != nil || got != nil {
		return got, err
	}
	got, err := create(ctx)
	if err == nil {
		return got, nil
	}
	if !errors.Is(err, ghl.ErrAmbiguous) && !isUnprocessable(err) {
		return nil, err
	}
	found, ferr := find(ctx)
	if ferr != nil {
		return nil, errors.Join(err, ferr)
	}
	if found == nil {
		return nil, err
	}
	return found, nil
}

// Match keys of the create lookups: what makes a GHL entity the one a
// create of the peer's content made (see createMemo).
func taskKey(title, body string, due time.Time) string {
	return "t|" + title + "|" + body + "|" + strconv.FormatInt(due.UTC().Truncate(time.Second).Unix(), 10)
}

func noteKey(body string) string { return "n|" + body }

func appointmentKey(calendarID string, start time.Time) string {
	return "a|" + calendarID + "|" + strconv.FormatInt(start.UTC().Truncate(time.Second).Unix(), 10)
}

// appointmentUpdate is the GHL update that writes the peer's appointment.
func appointmentUpdate(ap *Appointment) *ghl.UpdateAppointmentRequest {
	req := &ghl.UpdateAppointmentRequest{Title: strPtr(ap.Title), AppointmentStatus: strPtr(ap.Status), Address: strPtr(ap.Address),
		AssignedUserID: strPtr(ap.AssignedUserID), CalendarID: strPtr(ap.CalendarID)}
	if !ap.StartTime.IsZero() {
		req.StartTime = &ap.StartTime
	}
	if !ap.EndTime.IsZero() {
		req.EndTime = &ap.EndTime
	}
	return req
}

// sameAppointment reports whether GHL's appointment got already has the
// fields the peer's want sets.
func sameAppointment(got, want *Appointment) bool {
	eq := func(g, w string) bool { return w == "" || g == w }
	return eq(got.Title, want.Title) && eq(got.Status, want.Status) && eq(got.Address, want.Address) &&
		eq(got.AssignedUserID, want.AssignedUserID) && (want.EndTime.IsZero() || got.EndTime.Equal(want.EndTime.UTC()))
}

func sameTask(t *ghl.Task, want *Task) bool {
	return t.Title == want.Title && t.Body == want.Body && t.DueDate.UTC().Truncate(time.Second).Equal(want.DueDate.UTC().Truncate(time.Second))
}

// target is what a peer task, note or appointment resolves before its GHL
// write: its link, the fingerprint of the incoming state and its GHL contact.
type target struct {
	link      *store.Link
	fp        string
	contactID string
}

// prepare resolves the link of a peer entity, reports done when the
// change is stale or GHL already holds it, and finds the entity's GHL
// contact (named, from the link, or through the contact's peer id).
func (a *applier) prepare(ctx context.Context, kind Kind, peerID, ghlID string, entity any, updatedAt time.Time, contactGHLID, contactPeerID string) (t target, done bool, err error) {
	a.rep.PeerID, a.rep.GHLID = peerID, ghlID
	if t.link, err = a.resolve(ctx, kind, peerID, ghlID); err != nil {
		return t, false, err
	}
	t.fp = Fingerprint(entity)
	if a.skip(t.link, t.fp, updatedAt) {
		return t, true, nil
	}
	t.contactID = contactGHLID
	if t.contactID == "" && t.link != nil {
		t.contactID = parseLinkMeta(t.link.SourceVersion).Contact
	}
	t.contactID, err = a.contactOf(ctx, t.contactID, contactPeerID)
	return t, false, err
}

// task applies task.upserted and task.completed: update by id when
// linked (completion included, one call), else a safe create.
func (a *applier) task(ctx context.Context, t *Task) error {
	if t == nil || t.PeerID == "" {
		return permanent("the task has no peerId")
	}
	tg, done, err := a.prepare(ctx, KindTask, t.PeerID, t.GHLID, t, t.UpdatedAt, t.ContactGHLID, t.ContactPeerID)
	if err != nil || done {
		return err
	}
	link, fp, contactID := tg.link, tg.fp, tg.contactID
	write := func(ctx context.Context) error {
		var got *ghl.Task
		if link != nil && !link.Deleted {
			if link, err = a.markPending(ctx, link, fp); err != nil {
				return err
			}
			due := t.DueDate
			req := &ghl.UpdateTaskRequest{Title: &t.Title, Body: &t.Body, Completed: &t.Completed, AssignedTo: strPtr(t.AssignedTo)}
			if !due.IsZero() {
				req.DueDate = &due
			}
			got, _, err = a.g.Contacts.UpdateTask(ctx, contactID, link.GHLID, req)
			if isNotFound(err) {
				return a.done(OutcomeIgnored, "the task was deleted in GHL")
			}
			if err != nil {
				return fmt.Errorf("update task %s: %w", link.GHLID, err)
			}
		} else {
			if t.Title == "" || t.DueDate.IsZero() {
				return permanent("GHL needs a title and a dueDate to create a task")
			}
			want := taskKey(t.Title, t.Body, t.DueDate)
			got, err = createSafely(ctx, func(ctx context.Context) (*ghl.Task, error) {
				list, _, err := a.g.Contacts.ListTasks(ctx, contactID)
				if err != nil {
					return nil, fmt.Errorf("list tasks of contact %s: %w", contactID, err)
				}
				for i := range list {
					if a.tries(taskKey(list[i].Title, list[i].Body, list[i].DueDate.UTC()), want) {
						if ok, err := a.adoptable(ctx, KindTask, list[i].ID, t.PeerID); err != nil || ok {
							return &list[i], err
						}
					}
				}
				return nil, nil
			}, func(ctx context.Context) (*ghl.Task, error) {
				a.attempt(want)
				got, _, err := a.g.Contacts.CreateTask(ctx, contactID, &ghl.CreateTaskRequest{Title: t.Title, Body: t.Body, DueDate: t.DueDate,
					Completed: t.Completed, AssignedTo: t.AssignedTo})
				if err != nil {
					return nil, fmt.Errorf("create task %s on contact %s: %w", t.PeerID, contactID, err)
				}
				return got, nil
			})
			if err != nil {
				return err
			}
			if !sameTask(got, t) || got.Completed != t.Completed {
				if err := a.markAdopted(ctx); err != nil {
					return err
				}
			}
			if !sameTask(got, t) {
				// Adopted from an earlier round that sent an older version.
				due := t.DueDate
				req := &ghl.UpdateTaskRequest{Title: &t.Title, Body: &t.Body, DueDate: &due, Completed: &t.Completed, AssignedTo: strPtr(t.AssignedTo)}
				if got, _, err = a.g.Contacts.UpdateTask(ctx, contactID, got.ID, req); err != nil {
					return fmt.Errorf("update adopted task: %w", err)
				}
			}
			if got.Completed != t.Completed {
				if got, _, err = a.g.Contacts.UpdateTask(ctx, contactID, got.ID, &ghl.UpdateTaskRequest{Completed: &t.Completed}); err != nil {
					return fmt.Errorf("complete task %s: %w", got.ID, err)
				}
			}
		}
		return a.record(ctx, link, KindTask, got.ID, t.PeerID, Fingerprint(taskFromGHL(got, contactID)), fp, time.Time{}, t.UpdatedAt, contactID)
	}
	if link == nil || link.Deleted {
		return a.createOnce(ctx, KindTask, t.PeerID, link, write)
	}
	return write(ctx)
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (a *applier) deleteTask(ctx context.Context, ref *Ref) error {
	return a.deleteOfContact(ctx, KindTask, ref, a.g.Contacts.DeleteTask)
}

// deleteOfContact deletes the linked GHL entity of a contact (a task or a
// note) that ref names, through del(contactID, ghlID).
func (a *applier) deleteOfContact(ctx context.Context, kind Kind, ref *Ref, del func(ctx context.Context, contactID, id string) (*ghl.Response, error)) error {
	link, err := a.refLink(ctx, kind, ref)
	if err != nil || link == nil {
		return errors.Join(err, a.done(OutcomeIgnored, "not linked to GHL"))
	}
	contactID := parseLinkMeta(link.SourceVersion).Contact
	if contactID == "" {
		contactID = ref.ContactGHLID
	}
	if contactID == "" {
		return permanent("the " + string(kind) + "'s GHL contact is unknown")
	}
	return a.deleteLinked(ctx, link, func(ctx context.Context) (*ghl.Response, error) {
		return del(ctx, contactID, link.GHLID)
	})
}

// note applies note.upserted: update by id when linked, else a safe
// create.
func (a *applier) note(ctx context.Context, n *Note) error {
	if n == nil || n.PeerID == "" {
		return permanent("the note has no peerId")
	}
	if n.Body == "" {
		return permanent("GHL needs a note body")
	}
	tg, done, err := a.prepare(ctx, KindNote, n.PeerID, n.GHLID, n, n.UpdatedAt, n.ContactGHLID, n.ContactPeerID)
	if err != nil || done {
		return err
	}
	link, fp, contactID := tg.link, tg.fp, tg.contactID
	write := func(ctx context.Context) error {
		var got *ghl.Note
		if link != nil && !link.Deleted {
			if link, err = a.markPending(ctx, link, fp); err != nil {
				return err
			}
			got, _, err = a.g.Contacts.UpdateNote(ctx, contactID, link.GHLID, &ghl.UpdateNoteRequest{Body: &n.Body})
			if isNotFound(err) {
				return a.done(OutcomeIgnored, "the note was deleted in GHL")
			}
			if err != nil {
				return fmt.Errorf("update note %s: %w", link.GHLID, err)
			}
		} else {
			want := noteKey(n.Body)
			got, err = createSafely(ctx, func(ctx context.Context) (*ghl.Note, error) {
				list, _, err := a.g.Contacts.ListNotes(ctx, contactID)
				if err != nil {
					return nil, fmt.Errorf("list notes of contact %s: %w", contactID, err)
				}
				for i := range list {
					if a.tries(noteKey(list[i].Body), want) {
						if ok, err := a.adoptable(ctx, KindNote, list[i].ID, n.PeerID); err != nil || ok {
							return &list[i], err
						}
					}
				}
				return nil, nil
			}, func(ctx context.Context) (*ghl.Note, error) {
				a.attempt(want)
				got, _, err := a.g.Contacts.CreateNote(ctx, contactID, &ghl.CreateNoteRequest{Body: n.Body})
				if err != nil {
					return nil, fmt.Errorf("create note %s on contact %s: %w", n.PeerID, contactID, err)
				}
				return got, nil
			})
			if err != nil {
				return err
			}
			if got.Body != n.Body {
				// Adopted from an earlier round that sent an older version.
				if err := a.markAdopted(ctx); err != nil {
					return err
				}
				if got, _, err = a.g.Contacts.UpdateNote(ctx, contactID, got.ID, &ghl.UpdateNoteRequest{Body: &n.Body}); err != nil {
					return fmt.Errorf("update adopted note: %w", err)
				}
			}
		}
		return a.record(ctx, link, KindNote, got.ID, n.PeerID, Fingerprint(noteFromGHL(got, contactID)), fp, time.Time{}, n.UpdatedAt, contactID)
	}
	if link == nil || link.Deleted {
		return a.createOnce(ctx, KindNote, n.PeerID, link, write)
	}
	return write(ctx)
}

func (a *applier) deleteNote(ctx context.Context, ref *Ref) error {
	return a.deleteOfContact(ctx, KindNote, ref, a.g.Contacts.DeleteNote)
}

// appointment applies appointment.upserted: update by id when linked,
// else a safe create on the named calendar.
func (a *applier) appointment(ctx context.Context, ap *Appointment) error {
	if ap == nil || ap.PeerID == "" {
		return permanent("the appointment has no peerId")
	}
	tg, done, err := a.prepare(ctx, KindAppointment, ap.PeerID, ap.GHLID, ap, ap.UpdatedAt, ap.ContactGHLID, ap.ContactPeerID)
	if err != nil || done {
		return err
	}
	link, fp, contactID := tg.link, tg.fp, tg.contactID
	write := func(ctx context.Context) error {
		var got *ghl.Appointment
		if link != nil && !link.Deleted {
			if link, err = a.markPending(ctx, link, fp); err != nil {
				return err
			}
			got, _, err = a.g.Calendars.UpdateAppointment(ctx, link.GHLID, appointmentUpdate(ap))
			if isNotFound(err) {
				return a.done(OutcomeIgnored, "the appointment was deleted in GHL")
			}
			if err != nil {
				return fmt.Errorf("update appointment %s: %w", link.GHLID, err)
			}
		} else {
			if ap.CalendarID == "" || ap.StartTime.IsZero() {
				return permanent("GHL needs a calendarId and a startTime to book an appointment")
			}
			want := appointmentKey(ap.CalendarID, ap.StartTime)
			adopted := false
			got, err = createSafely(ctx, func(ctx context.Context) (*ghl.Appointment, error) {
				list, _, err := a.g.Contacts.ListAppointments(ctx, contactID)
				if err != nil {
					return nil, fmt.Errorf("list appointments of contact %s: %w", contactID, err)
				}
				for i := range list {
					if a.tries(appointmentKey(list[i].CalendarID, ghlTime(list[i].StartTime)), want) {
						if ok, err := a.adoptable(ctx, KindAppointment, list[i].ID, ap.PeerID); err != nil || ok {
							adopted = err == nil
							return &list[i], err
						}
					}
				}
				return nil, nil
			}, func(ctx context.Context) (*ghl.Appointment, error) {
				req := &ghl.CreateAppointmentRequest{CalendarID: ap.CalendarID, LocationID: a.loc, ContactID: contactID, StartTime: ap.StartTime,
					Title: ap.Title, AppointmentStatus: ap.Status, AssignedUserID: ap.AssignedUserID, Address: ap.Address}
				if !ap.EndTime.IsZero() {
					req.EndTime = &ap.EndTime
				}
				a.attempt(want)
				got, _, err := a.g.Calendars.CreateAppointment(ctx, req)
				if err != nil {
					return nil, fmt.Errorf("book appointment %s for contact %s: %w", ap.PeerID, contactID, err)
				}
				return got, nil
			})
			if err != nil {
				return err
			}
			if adopted && !sameAppointment(appointmentFromGHL(got), ap) {
				// Found, not made: an earlier round (or attempt) may have sent
				// an older version.
				if err := a.markAdopted(ctx); err != nil {
					return err
				}
				if got, _, err = a.g.Calendars.UpdateAppointment(ctx, got.ID, appointmentUpdate(ap)); err != nil {
					return fmt.Errorf("update adopted appointment: %w", err)
				}
			}
		}
		canon := appointmentFromGHL(got)
		if canon.ContactGHLID == "" {
			canon.ContactGHLID = contactID
		}
		return a.record(ctx, link, KindAppointment, got.ID, ap.PeerID, Fingerprint(canon), fp, canon.UpdatedAt, ap.UpdatedAt, contactID)
	}
	if link == nil || link.Deleted {
		return a.createOnce(ctx, KindAppointment, ap.PeerID, link, write)
	}
	return write(ctx)
}

// deleteAppointment cancels the linked appointment (the client has no
// calendar event delete; a cancelled appointment is what GHL shows). The
// link keeps the cancelled state's fingerprint, so GHL's
// AppointmentUpdate about it is an echo.
func (a *applier) deleteAppointment(ctx context.Context, ref *Ref) error {
	link, err := a.refLink(ctx, KindAppointment, ref)
	if err != nil || link == nil {
		return errors.Join(err, a.done(OutcomeIgnored, "not linked to GHL"))
	}
	if link, err = a.markPending(ctx, link, ""); err != nil {
		return err
	}
	cancelled := "cancelled"
	got, _, err := a.g.Calendars.UpdateAppointment(ctx, link.GHLID, &ghl.UpdateAppointmentRequest{AppointmentStatus: &cancelled})
	if isNotFound(err) {
		return a.tombstone(ctx, link)
	}
	if err != nil {
		return fmt.Errorf("cancel appointment %s: %w", link.GHLID, err)
	}
	meta := parseLinkMeta(link.SourceVersion)
	canon := appointmentFromGHL(got)
	if canon.ContactGHLID == "" {
		canon.ContactGHLID = meta.Contact
	}
	fp := Fingerprint(canon)
	return a.record(ctx, link, KindAppointment, link.GHLID, link.PeerID, fp, fp, canon.UpdatedAt, a.version, meta.Contact)
}
