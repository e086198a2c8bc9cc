package ghlsandbox

import (
	"net/http"
	"strings"
)

// contactFor finds a contact the token may see. Caller must not hold l.mu.
func (s *Sandbox) contactFor(rc *reqCtx, id string) (*location, *apiError) {
	return s.entityLocation(rc, id, "Contact")
}

// duplicateOf reports the existing contact a new email/phone would
// duplicate when the location does not allow duplicates. Caller holds l.mu.
func (l *location) duplicateOf(email, phone, except string) (*Contact, string) {
	if l.allowDup {
		return nil, ""
	}
	for _, f := range l.matchOrder {
		v := email
		if f == "phone" {
			v = phone
		}
		if c := l.findByField(f, v); c != nil && c.ID != except {
			return c, f
		}
	}
	return nil, ""
}

func errDuplicate(c *Contact, field string) *apiError {
	e := errBadRequest("This location does not allow duplicated contacts.")
	e.meta = map[string]any{"contactName": c.fullName(), "contactId": c.ID, "matchingField": field}
	return e
}

func (s *Sandbox) getContact(rc *reqCtx) (int, any, *apiError) {
	id := rc.param("contactId")
	l, e := s.contactFor(rc, id)
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	c := l.contacts[id]
	if c == nil {
		return 0, nil, errNotFound("Contact not found")
	}
	return http.StatusOK, map[string]any{"contact": contactView(c)}, nil
}

// insertContact stores a new contact and emits ContactCreate. Caller holds
// l.mu for writing.
func (s *Sandbox) insertContact(l *location, c *Contact) {
	l.contacts[c.ID] = c
	s.index.Store(c.ID, l)
	s.emitContact("ContactCreate", c)
}

func (s *Sandbox) newContact(l *location, r *contactRequest) *Contact {
	now := s.now()
	c := &Contact{ID: s.ids.id(), LocationID: l.id, Type: "lead", DateAdded: now, DateUpdated: now}
	r.apply(c, false, false)
	return c
}

func (s *Sandbox) createContact(rc *reqCtx) (int, any, *apiError) {
	var r contactRequest
	if e := bind(rc.body, "CreateContactDto", r.fields()); e != nil {
		return 0, nil, e
	}
	if !r.LocationID.has() || r.LocationID.V == "" {
		return 0, nil, errUnprocessable("locationId should not be empty")
	}
	if e := r.validate(); e != nil {
		return 0, nil, e
	}
	l, e := s.locationFor(rc, r.LocationID.V)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if dup, field := l.duplicateOf(r.Email.V, r.Phone.V, ""); dup != nil {
		return 0, nil, errDuplicate(dup, field)
	}
	c := s.newContact(l, &r)
	s.insertContact(l, c)
	if rc.fault.created422 {
		return 0, nil, errUnprocessable("Unable to create contact, please try again later")
	}
	return http.StatusCreated, map[string]any{"contact": createView(c)}, nil
}

// changeContact applies a change to an existing contact, bumps dateUpdated
// and emits the matching events. Caller holds l.mu for writing.
func (s *Sandbox) changeContact(c *Contact, ch contactChange) {
	if !ch.any() {
		return
	}
	c.DateUpdated = s.now()
	if ch.fields {
		s.emitContact("ContactUpdate", c)
	}
	if ch.tags {
		s.emitContact("ContactTagUpdate", c)
	}
	if ch.dnd {
		s.emitContact("ContactDndUpdate", c)
	}
}

func (s *Sandbox) updateContact(rc *reqCtx) (int, any, *apiError) {
	var r contactRequest
	if e := bind(rc.body, "UpdateContactDto", r.fields()); e != nil {
		return 0, nil, e
	}
	if e := r.validate(); e != nil {
		return 0, nil, e
	}
	id := rc.param("contactId")
	l, e := s.contactFor(rc, id)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.contacts[id]
	if c == nil {
		return 0, nil, errNotFound("Contact not found")
	}
	email, phone := "", ""
	if r.Email.has() && !strings.EqualFold(r.Email.V, c.Email) {
		email = r.Email.V
	}
	if r.Phone.has() && normPhone(r.Phone.V) != normPhone(c.Phone) {
		phone = r.Phone.V
	}
	if dup, field := l.duplicateOf(email, phone, c.ID); dup != nil {
		return 0, nil, errDuplicate(dup, field)
	}
	s.changeContact(c, r.apply(c, false, false))
	return http.StatusOK, map[string]any{"succeded": true, "contact": contactView(c)}, nil
}

// removeContact deletes a contact with its tasks, notes and appointments and
// emits ContactDelete. Caller holds l.mu for writing.
func (s *Sandbox) removeContact(l *location, c *Contact) {
	delete(l.contacts, c.ID)
	s.index.Delete(c.ID)
	delete(l.tasks, c.ID)
	delete(l.notes, c.ID)
	for id, a := range l.appts {
		if a.ContactID == c.ID {
			delete(l.appts, id)
			s.index.Delete(id)
		}
	}
	s.emitContact("ContactDelete", c)
}

func (s *Sandbox) deleteContact(rc *reqCtx) (int, any, *apiError) {
	id := rc.param("contactId")
	l, e := s.contactFor(rc, id)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.contacts[id]
	if c == nil {
		return 0, nil, errNotFound("Contact not found")
	}
	s.removeContact(l, c)
	return http.StatusOK, map[string]any{"succeded": true}, nil
}

// upsertContact is POST /contacts/upsert (NOTES §4.3): match by the
// location's field priority; the first matching field wins and a second
// field that belongs to another contact is silently dropped.
func (s *Sandbox) upsertContact(rc *reqCtx) (int, any, *apiError) {
	var r contactRequest
	if e := bind(rc.body, "UpsertContactDto", r.fields()); e != nil {
		return 0, nil, e
	}
	if !r.LocationID.has() || r.LocationID.V == "" {
		return 0, nil, errUnprocessable("locationId should not be empty")
	}
	if e := r.validate(); e != nil {
		return 0, nil, e
	}
	l, e := s.locationFor(rc, r.LocationID.V)
	if e != nil {
		return 0, nil, e
	}
	trace := s.traceID()
	l.mu.Lock()
	defer l.mu.Unlock()
	var match *Contact
	if !(r.CreateNewIfDuplicateAllowed.V && l.allowDup) {
		for _, f := range l.matchOrder {
			v := r.Email.V
			if f == "phone" {
				v = r.Phone.V
			}
			if c := l.findByField(f, v); c != nil {
				match = c
				break
			}
		}
	}
	if match == nil {
		c := s.newContact(l, &r)
		s.insertContact(l, c)
		return http.StatusOK, map[string]any{"new": true, "contact": contactView(c), "traceId": trace}, nil
	}
	dropPhone := false
	if r.Phone.has() {
		if other := l.findByField("phone", r.Phone.V); other != nil && other.ID != match.ID {
			dropPhone = true
		}
	}
	if r.Email.has() {
		if other := l.findByField("email", r.Email.V); other != nil && other.ID != match.ID {
			r.Email = opt[string]{}
		}
	}
	s.changeContact(match, r.apply(match, true, dropPhone))
	return http.StatusOK, map[string]any{"new": false, "contact": contactView(match), "traceId": trace}, nil
}

func (s *Sandbox) traceID() string {
	t := strings.ToLower(s.ids.token(32))
	return t[:8] + "-" + t[8:12] + "-" + t[12:16] + "-" + t[16:20] + "-" + t[20:]
}
