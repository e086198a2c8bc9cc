package ghl

import (
	"context"
	"fmt"
	"iter"
	"reflect"
)

// MaxSearchPageLimit is the largest page POST /contacts/search returns.
const MaxSearchPageLimit = 100

// SearchContactsRequest is the body of POST /contacts/search. The official
// spec leaves it empty; the shape is the one GHL maintainers documented
// (NOTES §4.2).
type SearchContactsRequest struct {
	// LocationID is required.
	LocationID string `json:"locationId"`
	// PageLimit is the page size, 1..100; 0 means 100.
	PageLimit int `json:"pageLimit"`
	// Page is a 1-based page number (offset paging; prefer SearchAfter).
	Page    int            `json:"page,omitempty"`
	Query   string         `json:"query,omitempty"`
	Filters []SearchFilter `json:"filters,omitempty"`
	Sort    []SearchSort   `json:"sort,omitempty"`
	// SearchAfter is the cursor of the last contact of the previous page.
	SearchAfter []any `json:"searchAfter,omitempty"`
}

func (r *SearchContactsRequest) rateLimitLocation() string { return r.LocationID }

// SearchFilter is a search condition {field, operator, value}, or a group
// {group: "AND"|"OR", filters} of conditions. Operators seen in GHL's
// answers include eq, not_eq, contains, exists and range.
type SearchFilter struct {
	Field    string         `json:"field,omitempty"`
	Operator string         `json:"operator,omitempty"`
	Value    any            `json:"value,omitempty"`
	Group    string         `json:"group,omitempty"`
	Filters  []SearchFilter `json:"filters,omitempty"`
}

// SearchSort orders search results. Direction is "asc" or "desc".
type SearchSort struct {
	Field     string `json:"field"`
	Direction string `json:"direction"`
}

// SearchContactsResult is a page of search results.
type SearchContactsResult struct {
	Contacts []Contact `json:"contacts"`
	// Total is the number of contacts matching the search.
	Total int `json:"total"`
}

// Search returns one page of contacts matching r. It is a read: it is
// retried like a GET.
//
// GHL API: POST /contacts/search (search-contacts-advanced).
func (s *ContactsService) Search(ctx context.Context, r *SearchContactsRequest) (*SearchContactsResult, *Response, error) {
	if r == nil {
		return nil, nil, invalid(epSearchContacts, "%v", errNilRequest)
	}
	if r.LocationID == "" {
		return nil, nil, invalid(epSearchContacts, "empty locationId")
	}
	if r.PageLimit < 0 || r.PageLimit > MaxSearchPageLimit {
		return nil, nil, invalid(epSearchContacts, "pageLimit %d not in 1..%d", r.PageLimit, MaxSearchPageLimit)
	}
	body := *r
	if body.PageLimit == 0 {
		body.PageLimit = MaxSearchPageLimit
	}
	req, err := s.client.NewRequest(ctx, epSearchContacts, nil, nil, &body)
	if err != nil {
		return nil, nil, err
	}
	var out SearchContactsResult
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}

// SearchAll iterates over every contact matching r, page after page, with
// the searchAfter cursor of each page's last contact (r.Page is ignored;
// r.SearchAfter, if set, is the starting cursor). Give r a Sort for a
// stable order. An error is yielded once and ends the iteration; breaking
// out of the loop stops it without further requests.
func (s *ContactsService) SearchAll(ctx context.Context, r *SearchContactsRequest) iter.Seq2[Contact, error] {
	return func(yield func(Contact, error) bool) {
		if r == nil {
			yield(Contact{}, invalid(epSearchContacts, "%v", errNilRequest))
			return
		}
		page := *r
		page.Page = 0
		if page.PageLimit == 0 {
			page.PageLimit = MaxSearchPageLimit
		}
		seen := 0
		for {
			res, _, err := s.Search(ctx, &page)
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
			if len(res.Contacts) < page.PageLimit || (res.Total > 0 && seen >= res.Total) {
				return
			}
			next := res.Contacts[len(res.Contacts)-1].SearchAfter
			if len(next) == 0 {
				yield(Contact{}, fmt.Errorf("ghl: %s: full page without a searchAfter cursor on its last contact", epSearchContacts.OperationID))
				return
			}
			if reflect.DeepEqual(next, page.SearchAfter) {
				yield(Contact{}, fmt.Errorf("ghl: %s: searchAfter cursor did not advance", epSearchContacts.OperationID))
				return
			}
			page.SearchAfter = next
		}
	}
}
