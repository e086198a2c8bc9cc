package ghlsandbox

import (
	"fmt"
	"slices"
	"time"
)

// The methods in this file change data the way a person does in the GHL UI:
// no token, no rate limit, but the same webhooks as the API.

// CreateContact adds a contact to a location and emits ContactCreate. ID,
// LocationID and empty timestamps are filled in; tags are normalised.
func (s *Sandbox) CreateContact(locationID string, c Contact) (Contact, error) {
	var out Contact
	err := s.lockedLocation(locationID, func(l *location) error {
		s.fillContact(l, &c)
		s.insertContact(l, &c)
		out = c.clone()
		return nil
	})
	return out, err
}

func (s *Sandbox) fillContact(l *location, c *Contact) {
	now := s.now()
	c.ID, c.LocationID = s.ids.id(), l.id
	if c.Type == "" {
		c.Type = "lead"
	}
	if c.DateAdded.IsZero() {
		c.DateAdded = now
	}
	if c.DateUpdated.IsZero() {
		c.DateUpdated = c.DateAdded
	}
	c.Phone = normPhone(c.Phone)
	c.Tags = normTags(c.Tags)
	c.Tags = slices.Clip(c.Tags)
	c.CustomFields = slices.Clone(c.CustomFields)
	if c.DNDSettings != nil {
		m := map[string]DNDSetting{}
		for k, v := range c.DNDSettings {
			m[k] = v
		}
		c.DNDSettings = m
	}
}

// UpdateContact edits a contact with fn and emits ContactUpdate,
// ContactTagUpdate and/or ContactDndUpdate for what changed. fn must not
// change ID or LocationID.
func (s *Sandbox) UpdateContact(locationID, contactID string, fn func(c *Contact)) (Contact, error) {
	var out Contact
	err := s.lockedLocation(locationID, func(l *location) error {
		c, err := l.mustContact(contactID)
		if err != nil {
			return err
		}
		before := c.clone()
		next := c.clone()
		fn(&next)
		next.ID, next.LocationID = c.ID, c.LocationID
		next.Tags = normTags(next.Tags)
		next.Phone = normPhone(next.Phone)
		ch := diffContact(&before, &next)
		*c = next
		s.changeContact(c, ch)
		out = c.clone()
		return nil
	})
	return out, err
}

// DeleteContact deletes a contact (with its tasks, notes and appointments)
// and emits ContactDelete.
func (s *Sandbox) DeleteContact(locationID, contactID string) error {
	return s.lockedLocation(locationID, func(l *location) error {
		c, err := l.mustContact(contactID)
		if err != nil {
			return err
		}
		s.removeContact(l, c)
		return nil
	})
}

// CreateTask adds a task to a contact and emits TaskCreate (and
// TaskComplete when created completed).
func (s *Sandbox) CreateTask(locationID, contactID string, t Task) (Task, error) {
	var out Task
	err := s.lockedLocation(locationID, func(l *location) error {
		if _, err := l.mustContact(contactID); err != nil {
			return err
		}
		t.ID, t.LocationID, t.ContactID = s.ids.id(), l.id, contactID
		if t.DateAdded.IsZero() {
			t.DateAdded = s.now()
		}
		if t.DueDate.IsZero() {
			t.DueDate = t.DateAdded.Add(72 * time.Hour)
		}
		s.insertTask(l, &t)
		out = t
		return nil
	})
	return out, err
}

// SetTaskCompleted marks a task (not) completed; completing emits
// TaskComplete.
func (s *Sandbox) SetTaskCompleted(locationID, contactID, taskID string, completed bool) (Task, error) {
	var out Task
	err := s.lockedLocation(locationID, func(l *location) error {
		t, e := l.taskOf(contactID, taskID)
		if e != nil {
			return fmt.Errorf("task %s: %w", taskID, ErrNotFound)
		}
		s.updateTaskLocked(t, &taskRequest{Completed: opt[bool]{Set: true, V: completed}})
		out = *t
		return nil
	})
	return out, err
}

// DeleteTask deletes a task and emits TaskDelete.
func (s *Sandbox) DeleteTask(locationID, contactID, taskID string) error {
	return s.lockedLocation(locationID, func(l *location) error {
		t, e := l.taskOf(contactID, taskID)
		if e != nil {
			return fmt.Errorf("task %s: %w", taskID, ErrNotFound)
		}
		delete(l.tasks[contactID], t.ID)
		s.emitTask("TaskDelete", t)
		return nil
	})
}

// CreateNote adds a note to a contact and emits NoteCreate.
func (s *Sandbox) CreateNote(locationID, contactID string, n Note) (Note, error) {
	var out Note
	err := s.lockedLocation(locationID, func(l *location) error {
		if _, err := l.mustContact(contactID); err != nil {
			return err
		}
		n.ID, n.LocationID, n.ContactID = s.ids.id(), l.id, contactID
		if n.DateAdded.IsZero() {
			n.DateAdded = s.now()
		}
		s.insertNote(l, &n)
		out = n
		return nil
	})
	return out, err
}

// UpdateNote replaces a note's body and emits NoteUpdate.
func (s *Sandbox) UpdateNote(locationID, contactID, noteID, body string) (Note, error) {
	var out Note
	err := s.lockedLocation(locationID, func(l *location) error {
		n, e := l.noteOf(contactID, noteID)
		if e != nil {
			return fmt.Errorf("note %s: %w", noteID, ErrNotFound)
		}
		s.updateNoteLocked(n, &noteRequest{Body: opt[string]{Set: true, V: body}})
		out = *n
		return nil
	})
	return out, err
}

// DeleteNote deletes a note and emits NoteDelete.
func (s *Sandbox) DeleteNote(locationID, contactID, noteID string) error {
	return s.lockedLocation(locationID, func(l *location) error {
		n, e := l.noteOf(contactID, noteID)
		if e != nil {
			return fmt.Errorf("note %s: %w", noteID, ErrNotFound)
		}
		delete(l.notes[contactID], n.ID)
		s.emitNote("NoteDelete", n)
		return nil
	})
}

// CreateAppointment books an appointment for a contact on the location's
// calendar (CalendarID defaults to the location's) and emits
// AppointmentCreate.
func (s *Sandbox) CreateAppointment(locationID string, a Appointment) (Appointment, error) {
	var out Appointment
	err := s.lockedLocation(locationID, func(l *location) error {
		if _, err := l.mustContact(a.ContactID); err != nil {
			return err
		}
		s.fillAppointment(l, &a)
		s.insertAppointment(l, &a)
		out = a.clone()
		return nil
	})
	return out, err
}

func (s *Sandbox) fillAppointment(l *location, a *Appointment) {
	now := s.now()
	a.ID, a.LocationID = s.ids.id(), l.id
	if a.CalendarID == "" {
		a.CalendarID = l.calendar
	}
	if a.Status == "" {
		a.Status = "confirmed"
	}
	if a.Source == "" {
		a.Source = "booking_widget"
	}
	if a.StartTime.IsZero() {
		a.StartTime = now.Add(24 * time.Hour).Truncate(time.Hour)
	}
	if a.EndTime.IsZero() {
		a.EndTime = a.StartTime.Add(30 * time.Minute)
	}
	if a.DateAdded.IsZero() {
		a.DateAdded = now
	}
	if a.DateUpdated.IsZero() {
		a.DateUpdated = a.DateAdded
	}
	a.Users = slices.Clone(a.Users)
}

// UpdateAppointment edits an appointment with fn and emits
// AppointmentUpdate when something changed.
func (s *Sandbox) UpdateAppointment(locationID, appointmentID string, fn func(a *Appointment)) (Appointment, error) {
	var out Appointment
	err := s.lockedLocation(locationID, func(l *location) error {
		a := l.appts[appointmentID]
		if a == nil {
			return fmt.Errorf("appointment %s: %w", appointmentID, ErrNotFound)
		}
		next := a.clone()
		fn(&next)
		next.ID, next.LocationID, next.ContactID, next.DateAdded = a.ID, a.LocationID, a.ContactID, a.DateAdded
		if !jsonEqual(next, a.clone()) {
			next.DateUpdated = s.now()
			*a = next
			s.emitAppointment("AppointmentUpdate", l, a)
		}
		out = a.clone()
		return nil
	})
	return out, err
}

// DeleteAppointment deletes an appointment and emits AppointmentDelete.
func (s *Sandbox) DeleteAppointment(locationID, appointmentID string) error {
	return s.lockedLocation(locationID, func(l *location) error {
		a := l.appts[appointmentID]
		if a == nil {
			return fmt.Errorf("appointment %s: %w", appointmentID, ErrNotFound)
		}
		delete(l.appts, a.ID)
		s.index.Delete(a.ID)
		s.emitAppointment("AppointmentDelete", l, a)
		return nil
	})
}

// CreateBusiness adds a business to a location (GHL sends no webhook for
// businesses). Link contacts with UpdateContact (BusinessID).
func (s *Sandbox) CreateBusiness(locationID string, b Business) (Business, error) {
	var out Business
	err := s.lockedLocation(locationID, func(l *location) error {
		now := s.now()
		b.ID, b.LocationID = s.ids.objectID(), l.id
		if b.CreatedAt.IsZero() {
			b.CreatedAt, b.UpdatedAt = now, now
		}
		l.businesses[b.ID] = &b
		s.index.Store(b.ID, l)
		out = b
		return nil
	})
	return out, err
}
