package ghl

import (
	"context"
	"net/url"
	"strconv"
)

// ListByBusinessOptions are the query parameters of the business contact
// list. LocationID is required.
type ListByBusinessOptions struct {
	LocationID string
	// Limit is the page size; 0 leaves GHL's default.
	Limit int
	// Skip is the number of contacts to skip (offset paging).
	Skip  int
	Query string
}

// ListByBusiness returns a page of the contacts linked to a business.
//
// GHL API: GET /contacts/business/{businessId} (get-contacts-by-businessId).
func (s *ContactsService) ListByBusiness(ctx context.Context, businessID string, opts *ListByBusinessOptions) (*ContactList, *Response, error) {
	if opts == nil || opts.LocationID == "" {
		return nil, nil, invalid(epContactsByBusiness, "empty locationId")
	}
	if opts.Limit < 0 || opts.Skip < 0 {
		return nil, nil, invalid(epContactsByBusiness, "negative limit or skip")
	}
	q := url.Values{}
	q.Set("locationId", opts.LocationID)
	if opts.Limit > 0 {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	if opts.Skip > 0 {
		q.Set("skip", strconv.Itoa(opts.Skip))
	}
	if opts.Query != "" {
		q.Set("query", opts.Query)
	}
	req, err := s.client.NewRequest(ctx, epContactsByBusiness, []string{businessID}, q, nil)
	if err != nil {
		return nil, nil, err
	}
	var out ContactList
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}
