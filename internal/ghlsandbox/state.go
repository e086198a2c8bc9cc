package ghlsandbox

import (
	"fmt"
	"slices"
	"sort"
)

// Contact returns a copy of a stored contact.
func (s *Sandbox) Contact(locationID, contactID string) (Contact, bool) {
	l := s.location(locationID)
	if l == nil {
		return Contact{}, false
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	c := l.contacts[contactID]
	if c == nil {
		return Contact{}, false
	}
	return c.clone(), true
}

// Contacts returns copies of a location's contacts, oldest first.
func (s *Sandbox) Contacts(locationID string) []Contact {
	l := s.location(locationID)
	if l == nil {
		return nil
	}
	l.mu.RLock()
	cs := make([]*Contact, 0, len(l.contacts))
	for _, c := range l.contacts {
		cs = append(cs, c)
	}
	sortContacts(cs, dateFields["dateAdded"], false)
	out := make([]Contact, len(cs))
	for i, c := range cs {
		out[i] = c.clone()
	}
	l.mu.RUnlock()
	return out
}

// Tasks returns copies of the tasks of a contact (every contact of the
// location when contactID is ""), oldest first.
func (s *Sandbox) Tasks(locationID, contactID string) []Task {
	l := s.location(locationID)
	if l == nil {
		return nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []Task
	for cid := range l.tasks {
		if contactID == "" || cid == contactID {
			for _, t := range l.contactTasks(cid) {
				out = append(out, *t)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].DateAdded.Equal(out[j].DateAdded) {
			return out[i].DateAdded.Before(out[j].DateAdded)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Notes returns copies of the notes of a contact (every contact of the
// location when contactID is ""), newest first.
func (s *Sandbox) Notes(locationID, contactID string) []Note {
	l := s.location(locationID)
	if l == nil {
		return nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []Note
	for cid := range l.notes {
		if contactID == "" || cid == contactID {
			for _, n := range l.contactNotes(cid) {
				out = append(out, *n)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].DateAdded.Equal(out[j].DateAdded) {
			return out[i].DateAdded.After(out[j].DateAdded)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

// Appointments returns copies of the appointments of a contact (every
// appointment of the location when contactID is ""), by start time.
func (s *Sandbox) Appointments(locationID, contactID string) []Appointment {
	l := s.location(locationID)
	if l == nil {
		return nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []Appointment
	for _, a := range l.appts {
		if contactID == "" || a.ContactID == contactID {
			out = append(out, a.clone())
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].StartTime.Equal(out[j].StartTime) {
			return out[i].StartTime.Before(out[j].StartTime)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Businesses returns copies of a location's businesses.
func (s *Sandbox) Businesses(locationID string) []Business {
	l := s.location(locationID)
	if l == nil {
		return nil
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]Business, 0, len(l.businesses))
	for _, b := range l.businesses {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// lockedLocation runs fn with the location write-locked.
func (s *Sandbox) lockedLocation(locationID string, fn func(l *location) error) error {
	l, err := s.mustLocation(locationID)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return fn(l)
}

func (l *location) mustContact(id string) (*Contact, error) {
	c := l.contacts[id]
	if c == nil {
		return nil, fmt.Errorf("contact %s: %w", id, ErrNotFound)
	}
	return c, nil
}

func dndEqual(a, b *Contact) bool {
	if a.DND != b.DND || len(a.DNDSettings) != len(b.DNDSettings) {
		return false
	}
	for k, v := range a.DNDSettings {
		if b.DNDSettings[k] != v {
			return false
		}
	}
	if (a.InboundDND == nil) != (b.InboundDND == nil) {
		return false
	}
	return a.InboundDND == nil || *a.InboundDND == *b.InboundDND
}

// diffContact classifies what changed between two versions of a contact.
func diffContact(before, after *Contact) contactChange {
	ch := contactChange{tags: !slices.Equal(before.Tags, after.Tags), dnd: !dndEqual(before, after)}
	x, y := before.clone(), after.clone()
	for _, c := range []*Contact{&x, &y} {
		c.Tags, c.DND, c.DNDSettings, c.InboundDND, c.DateUpdated = nil, false, nil, nil, before.DateUpdated
	}
	ch.fields = !jsonEqual(x, y)
	return ch
}
