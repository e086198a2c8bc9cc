package ghlsandbox

import (
	"net/http"
	"sort"
)

type noteJSON struct {
	ID        string `json:"id"`
	Body      string `json:"body"`
	UserID    string `json:"userId,omitempty"`
	DateAdded string `json:"dateAdded"`
	ContactID string `json:"contactId"`
	Title     string `json:"title,omitempty"`
	Color     string `json:"color,omitempty"`
	Pinned    bool   `json:"pinned"`
}

func noteView(n *Note) noteJSON {
	return noteJSON{ID: n.ID, Body: n.Body, UserID: n.UserID, DateAdded: fmtTime(n.DateAdded), ContactID: n.ContactID,
		Title: n.Title, Color: n.Color, Pinned: n.Pinned}
}

type noteRequest struct {
	UserID, Body, Title, Color opt[string]
	Pinned                     opt[bool]
}

func (r *noteRequest) fields() map[string]any {
	return map[string]any{"userId": &r.UserID, "body": &r.Body, "title": &r.Title, "color": &r.Color, "pinned": &r.Pinned}
}

func (l *location) noteOf(contactID, id string) (*Note, *apiError) {
	if l.contacts[contactID] == nil {
		return nil, errNotFound("Contact not found")
	}
	n := l.notes[contactID][id]
	if n == nil {
		return nil, errNotFound("Note not found")
	}
	return n, nil
}

func (l *location) contactNotes(contactID string) []*Note {
	var out []*Note
	for _, n := range l.notes[contactID] {
		out = append(out, n)
	}
	// Newest first, as GHL lists notes.
	sort.Slice(out, func(i, j int) bool {
		if !out[i].DateAdded.Equal(out[j].DateAdded) {
			return out[i].DateAdded.After(out[j].DateAdded)
		}
		return out[i].ID > out[j].ID
	})
	return out
}

func (s *Sandbox) listNotes(rc *reqCtx) (int, any, *apiError) {
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.contacts[cid] == nil {
		return 0, nil, errNotFound("Contact not found")
	}
	out := []noteJSON{}
	for _, n := range l.contactNotes(cid) {
		out = append(out, noteView(n))
	}
	return http.StatusOK, map[string]any{"notes": out}, nil
}

func (s *Sandbox) getNote(rc *reqCtx) (int, any, *apiError) {
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	n, e := l.noteOf(cid, rc.param("id"))
	if e != nil {
		return 0, nil, e
	}
	return http.StatusOK, map[string]any{"note": noteView(n)}, nil
}

// insertNote stores a note and emits NoteCreate. Caller holds l.mu.
func (s *Sandbox) insertNote(l *location, n *Note) {
	if l.notes[n.ContactID] == nil {
		l.notes[n.ContactID] = map[string]*Note{}
	}
	l.notes[n.ContactID][n.ID] = n
	s.emitNote("NoteCreate", n)
}

func (s *Sandbox) createNote(rc *reqCtx) (int, any, *apiError) {
	var r noteRequest
	if e := bind(rc.body, "NotesDTO", r.fields()); e != nil {
		return 0, nil, e
	}
	if !r.Body.has() || r.Body.V == "" {
		return 0, nil, errUnprocessable("body should not be empty")
	}
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.contacts[cid] == nil {
		return 0, nil, errNotFound("Contact not found")
	}
	n := &Note{ID: s.ids.id(), LocationID: l.id, ContactID: cid, Body: r.Body.V, UserID: r.UserID.V, Title: r.Title.V,
		Color: r.Color.V, Pinned: r.Pinned.V, DateAdded: s.now()}
	s.insertNote(l, n)
	return http.StatusCreated, map[string]any{"note": noteView(n)}, nil
}

// updateNoteLocked applies a change and emits NoteUpdate. Caller holds l.mu.
func (s *Sandbox) updateNoteLocked(n *Note, r *noteRequest) {
	before := *n
	if r.Body.has() {
		n.Body = r.Body.V
	}
	if r.UserID.Set {
		n.UserID = r.UserID.V
	}
	if r.Title.Set {
		n.Title = r.Title.V
	}
	if r.Color.Set {
		n.Color = r.Color.V
	}
	if r.Pinned.has() {
		n.Pinned = r.Pinned.V
	}
	if *n != before {
		s.emitNote("NoteUpdate", n)
	}
}

func (s *Sandbox) updateNote(rc *reqCtx) (int, any, *apiError) {
	var r noteRequest
	if e := bind(rc.body, "UpdateNoteDTO", r.fields()); e != nil {
		return 0, nil, e
	}
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	n, e := l.noteOf(cid, rc.param("id"))
	if e != nil {
		return 0, nil, e
	}
	s.updateNoteLocked(n, &r)
	return http.StatusOK, map[string]any{"note": noteView(n)}, nil
}

func (s *Sandbox) deleteNote(rc *reqCtx) (int, any, *apiError) {
	cid := rc.param("contactId")
	l, e := s.contactFor(rc, cid)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	n, e := l.noteOf(cid, rc.param("id"))
	if e != nil {
		return 0, nil, e
	}
	delete(l.notes[cid], n.ID)
	s.emitNote("NoteDelete", n)
	return http.StatusOK, map[string]any{"succeded": true}, nil
}
