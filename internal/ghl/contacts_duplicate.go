package ghl

import (
	"context"
	"net/url"
)

// FindDuplicateOptions are the query parameters of the duplicate lookup.
// LocationID and at least one of Email and Number are required.
type FindDuplicateOptions struct {
	LocationID string
	// Number is a phone number; a leading "+" is sent encoded (%2B).
	Number string
	Email  string
}

// FindDuplicate returns the contact GHL would treat as a duplicate of the
// given email or phone number under the location's duplicate settings, or
// nil when there is none.
//
// GHL API: GET /contacts/search/duplicate (get-duplicate-contact).
func (s *ContactsService) FindDuplicate(ctx context.Context, opts *FindDuplicateOptions) (*Contact, *Response, error) {
	if opts == nil || opts.LocationID == "" {
		return nil, nil, invalid(epDuplicateContact, "empty locationId")
	}
	if opts.Number == "" && opts.Email == "" {
		return nil, nil, invalid(epDuplicateContact, "neither email nor number")
	}
	q := url.Values{}
	q.Set("locationId", opts.LocationID)
	if opts.Number != "" {
		q.Set("number", opts.Number)
	}
	if opts.Email != "" {
		q.Set("email", opts.Email)
	}
	req, err := s.client.NewRequest(ctx, epDuplicateContact, nil, q, nil)
	if err != nil {
		return nil, nil, err
	}
	var out contactEnvelope
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Contact, resp, nil
}
