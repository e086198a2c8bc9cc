package ghl

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// MaxListLimit is the largest page GET /contacts/ returns.
const MaxListLimit = 100

// ListContactsOptions are the query parameters of the deprecated contact
// list. LocationID is required.
type ListContactsOptions struct {
	LocationID string
	// Query filters by a search string.
	Query string
	// Limit is the page size, 1..100; 0 leaves GHL's default (20).
	Limit int
	// StartAfter (epoch milliseconds) and StartAfterID are the cursor of the
	// previous page, from its Meta.
	StartAfter   int64
	StartAfterID string
}

func (o *ListContactsOptions) values() url.Values {
	q := url.Values{}
	q.Set("locationId", o.LocationID)
	if o.Query != "" {
		q.Set("query", o.Query)
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.StartAfter > 0 {
		q.Set("startAfter", strconv.FormatInt(o.StartAfter, 10))
	}
	if o.StartAfterID != "" {
		q.Set("startAfterId", o.StartAfterID)
	}
	return q
}

// ContactList is a page of contacts from the deprecated list or the
// business list.
type ContactList struct {
	Contacts []Contact `json:"contacts"`
	Count    int       `json:"count"`
	// Meta carries the cursor of the next page (deprecated list only).
	Meta *ListMeta `json:"meta,omitempty"`
}

// ListMeta is the paging block of GET /contacts/ (ContactsMetaSchema).
type ListMeta struct {
	Total        int    `json:"total"`
	NextPageURL  string `json:"nextPageUrl,omitempty"`
	StartAfterID string `json:"startAfterId,omitempty"`
	StartAfter   int64  `json:"startAfter,omitempty"`
	CurrentPage  int    `json:"currentPage,omitempty"`
	NextPage     *int   `json:"nextPage,omitempty"`
	PrevPage     *int   `json:"prevPage,omitempty"`
}

// List returns one page of a location's contacts. GHL deprecated it in
// favour of Search, which it also recommends for new code.
//
// GHL API: GET /contacts/ (get-contacts, deprecated).
func (s *ContactsService) List(ctx context.Context, opts *ListContactsOptions) (*ContactList, *Response, error) {
	if opts == nil || opts.LocationID == "" {
		return nil, nil, invalid(epListContacts, "empty locationId")
	}
	if opts.Limit < 0 || opts.Limit > MaxListLimit {
		return nil, nil, invalid(epListContacts, "limit %d not in 1..%d", opts.Limit, MaxListLimit)
	}
	req, err := s.client.NewRequest(ctx, epListContacts, nil, opts.values(), nil)
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

// ListAll iterates over a location's contacts with the deprecated list,
// following the startAfter/startAfterId cursor of each page's meta (or of
// its last contact when meta is absent). An error is yielded once and ends
// the iteration; breaking out of the loop stops it without further
// requests.
func (s *ContactsService) ListAll(ctx context.Context, opts *ListContactsOptions) iter.Seq2[Contact, error] {
	return func(yield func(Contact, error) bool) {
		if opts == nil {
			yield(Contact{}, invalid(epListContacts, "empty locationId"))
			return
		}
		page := *opts
		limit := page.Limit
		if limit == 0 {
			limit = 20 // GHL's default page size
		}
		seen := 0
		for {
			res, _, err := s.List(ctx, &page)
			if err != nil {
				yield(Contact{}, err)
				return
			}
			for _, c := range res.Contacts {
				if !yield(c, nil) {
					return
				}
			}
			seen += len(res.Contacts)
			if len(res.Contacts) < limit {
				return
			}
			var after int64
			var afterID string
			if m := res.Meta; m != nil {
				if m.Total > 0 && seen >= m.Total {
					return
				}
				after, afterID = m.StartAfter, m.StartAfterID
			}
			if afterID == "" {
				last := res.Contacts[len(res.Contacts)-1]
				after, afterID = last.DateAdded.UnixMilli(), last.ID
			}
			if afterID == page.StartAfterID && after == page.StartAfter {
				yield(Contact{}, fmt.Errorf("ghl: %s: startAfter cursor did not advance", epListContacts.OperationID))
				return
			}
			page.StartAfter, page.StartAfterID = after, afterID
		}
	}
}
