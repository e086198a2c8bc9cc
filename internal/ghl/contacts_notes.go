package ghl

import "context"

// Note is a contact note (GetNoteSchema).
type Note struct {
	ID        string    `json:"id"`
	Body      string    `json:"body,omitempty"`
	UserID    string    `json:"userId,omitempty"`
	ContactID string    `json:"contactId,omitempty"`
	Title     string    `json:"title,omitempty"`
	Color     string    `json:"color,omitempty"`
	Pinned    bool      `json:"pinned,omitempty"`
	DateAdded Timestamp `json:"dateAdded"`
}

// CreateNoteRequest is the body of a note create (NotesDTO). Body is
// required.
type CreateNoteRequest struct {
	Body   string `json:"body"`
	UserID string `json:"userId,omitempty"`
	Title  string `json:"title,omitempty"`
	// Color is a hex colour such as "#FFAA00".
	Color  string `json:"color,omitempty"`
	Pinned *bool  `json:"pinned,omitempty"`
}

// UpdateNoteRequest is the body of a note update (UpdateNoteDTO). Nil
// fields are not sent.
type UpdateNoteRequest struct {
	Body   *string `json:"body,omitempty"`
	UserID *string `json:"userId,omitempty"`
	Title  *string `json:"title,omitempty"`
	Color  *string `json:"color,omitempty"`
	Pinned *bool   `json:"pinned,omitempty"`
}

type noteEnvelope struct {
	Note *Note `json:"note"`
}

// ListNotes returns a contact's notes (GHL offers no location-wide note
// listing).
//
// GHL API: GET /contacts/{contactId}/notes (get-all-notes).
func (s *ContactsService) ListNotes(ctx context.Context, contactID string) ([]Note, *Response, error) {
	req, err := s.client.NewRequest(ctx, epListNotes, []string{contactID}, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		Notes []Note `json:"notes"`
	}
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Notes, resp, nil
}

// GetNote fetches a note of a contact.
//
// GHL API: GET /contacts/{contactId}/notes/{id} (get-note).
func (s *ContactsService) GetNote(ctx context.Context, contactID, noteID string) (*Note, *Response, error) {
	return s.note(ctx, epGetNote, []string{contactID, noteID}, nil)
}

// CreateNote adds a note to a contact (201). A failure after the request
// may have reached GHL is an *AmbiguousError and is not retried.
//
// GHL API: POST /contacts/{contactId}/notes (create-note).
func (s *ContactsService) CreateNote(ctx context.Context, contactID string, r *CreateNoteRequest) (*Note, *Response, error) {
	if r == nil {
		return nil, nil, invalid(epCreateNote, "%v", errNilRequest)
	}
	if r.Body == "" {
		return nil, nil, invalid(epCreateNote, "empty body")
	}
	return s.note(ctx, epCreateNote, []string{contactID}, r)
}

// UpdateNote changes a note; nil fields are left as they are.
//
// GHL API: PUT /contacts/{contactId}/notes/{id} (update-note).
func (s *ContactsService) UpdateNote(ctx context.Context, contactID, noteID string, r *UpdateNoteRequest) (*Note, *Response, error) {
	if r == nil {
		return nil, nil, invalid(epUpdateNote, "%v", errNilRequest)
	}
	return s.note(ctx, epUpdateNote, []string{contactID, noteID}, r)
}

// DeleteNote deletes a note.
//
// GHL API: DELETE /contacts/{contactId}/notes/{id} (delete-note).
func (s *ContactsService) DeleteNote(ctx context.Context, contactID, noteID string) (*Response, error) {
	return s.delete(ctx, epDeleteNote, contactID, noteID)
}

func (s *ContactsService) note(ctx context.Context, ep *Endpoint, params []string, body any) (*Note, *Response, error) {
	req, err := s.client.NewRequest(ctx, ep, params, nil, body)
	if err != nil {
		return nil, nil, err
	}
	var out noteEnvelope
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Note, resp, nil
}
