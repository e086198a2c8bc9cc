package crmsync

import (
	"context"
	"fmt"

	"github.com/ghlsync/ghlsync/internal/ghl"
)

// The fetch step of the GHL→peer flow: the webhook payload is a hint, the
// entity's current state is read from GHL (a 404, or an appointment
// missing from its contact's list, means deleted).

func (s *Syncer) fetchContact(ctx context.Context, g GHL, loc, id string) (*outbound, error) {
	out := &outbound{kind: KindContact, locationID: loc, ghlID: id}
	c, _, err := g.Contacts.Get(ctx, id)
	switch {
	case isNotFound(err):
		return out, nil
	case err != nil:
		return nil, fmt.Errorf("get contact %s: %w", id, err)
	}
	out.entity = contactFromGHL(loc, c)
	out.created = c.DateAdded.Time
	return out, nil
}

// taskSearchPages bounds the location task search that finds the contact
// of a TaskCreate delivered without contactId.
const taskSearchPages = 5

func (s *Syncer) fetchTask(ctx context.Context, g GHL, loc, id, contactID, title string) (*outbound, error) {
	out := &outbound{kind: KindTask, locationID: loc, ghlID: id, contactID: contactID}
	if contactID == "" {
		// TaskCreate may come without contactId: a linked task names its
		// contact in the link; otherwise search the location's tasks.
		link, err := s.linkByGHL(ctx, loc, KindTask, id)
		if err != nil {
			return nil, err
		}
		out.link = link
		if link != nil {
			out.contactID = parseLinkMeta(link.SourceVersion).Contact
		}
		if out.contactID == "" {
			t, err := s.searchTask(ctx, g, loc, id, title)
			if err != nil || t == nil {
				return out, err // not found anywhere: deleted
			}
			out.contactID = t.ContactID
			out.entity = taskFromGHL(t, t.ContactID)
			return out, nil
		}
	}
	t, _, err := g.Contacts.GetTask(ctx, out.contactID, id)
	switch {
	case isNotFound(err):
		return out, nil
	case err != nil:
		return nil, fmt.Errorf("get task %s of contact %s: %w", id, out.contactID, err)
	}
	out.entity = taskFromGHL(t, out.contactID)
	return out, nil
}

// searchTask finds a task of the location by id, searching by title.
func (s *Syncer) searchTask(ctx context.Context, g GHL, loc, id, title string) (*ghl.Task, error) {
	const limit = 100
	for page := range taskSearchPages {
		tasks, _, err := g.Locations.SearchTasks(ctx, loc, &ghl.SearchTasksRequest{Query: title, Limit: limit, Skip: page * limit})
		if err != nil {
			return nil, fmt.Errorf("search tasks of location %s for %s: %w", loc, id, err)
		}
		for i := range tasks {
			if tasks[i].ID == id {
				return &tasks[i], nil
			}
		}
		if len(tasks) < limit {
			break
		}
	}
	return nil, nil
}

func (s *Syncer) fetchNote(ctx context.Context, g GHL, loc, id, contactID string) (*outbound, error) {
	out := &outbound{kind: KindNote, locationID: loc, ghlID: id, contactID: contactID}
	n, _, err := g.Contacts.GetNote(ctx, contactID, id)
	switch {
	case isNotFound(err):
		return out, nil
	case err != nil:
		return nil, fmt.Errorf("get note %s of contact %s: %w", id, contactID, err)
	}
	out.entity = noteFromGHL(n, contactID)
	out.created = n.DateAdded.Time
	return out, nil
}

func (s *Syncer) fetchAppointment(ctx context.Context, g GHL, loc, id, contactID string) (*outbound, error) {
	out := &outbound{kind: KindAppointment, locationID: loc, ghlID: id, contactID: contactID}
	list, _, err := g.Contacts.ListAppointments(ctx, contactID)
	switch {
	case isNotFound(err):
		return out, nil
	case err != nil:
		return nil, fmt.Errorf("list appointments of contact %s: %w", contactID, err)
	}
	for i := range list {
		if list[i].ID == id {
			a := appointmentFromGHL(&list[i])
			if a.ContactGHLID == "" {
				a.ContactGHLID = contactID
			}
			out.entity = a
			out.created = ghlTime(list[i].DateAdded)
			return out, nil
		}
	}
	return out, nil
}
