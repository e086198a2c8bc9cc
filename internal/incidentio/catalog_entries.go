package incidentio

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"time"
)

// CatalogEntriesService covers catalog entries (Catalog V3).
type CatalogEntriesService service

// MaxCatalogEntriesPageSize is the largest page_size of ListEntries.
const MaxCatalogEntriesPageSize = 250

// CatalogEntry is a catalog entry (CatalogEntryV3).
type CatalogEntry struct {
	ID              string                         `json:"id"`
	CatalogTypeID   string                         `json:"catalog_type_id"`
	Name            string                         `json:"name"`
	ExternalID      string                         `json:"external_id,omitempty"`
	Aliases         []string                       `json:"aliases"`
	Rank            int32                          `json:"rank"`
	AttributeValues map[string]CatalogAttributeSet `json:"attribute_values"`
	ArchivedAt      *time.Time                     `json:"archived_at,omitempty"`
	CreatedAt       time.Time                      `json:"created_at"`
	UpdatedAt       time.Time                      `json:"updated_at"`
}

// CatalogAttributeSet is the value of one attribute: Value for a scalar
// attribute, ArrayValue for an array one.
type CatalogAttributeSet struct {
	Value      *CatalogAttributeValue  `json:"value,omitempty"`
	ArrayValue []CatalogAttributeValue `json:"array_value,omitempty"`
}

// CatalogAttributeValue is one literal value (Label is set on reads).
type CatalogAttributeValue struct {
	Label   string `json:"label,omitempty"`
	Literal string `json:"literal,omitempty"`
}

// Literal returns the scalar literal of attribute id ("" if unset).
func (e *CatalogEntry) Literal(id string) string {
	if v, ok := e.AttributeValues[id]; ok && v.Value != nil {
		return v.Value.Literal
	}
	return ""
}

// Literals returns the array literals of attribute id.
func (e *CatalogEntry) Literals(id string) []string {
	var out []string
	for _, v := range e.AttributeValues[id].ArrayValue {
		out = append(out, v.Literal)
	}
	return out
}

// CatalogEntryRequest is the body of POST /v3/catalog_entries (with
// CatalogTypeID) and PUT /v3/catalog_entries/{id}. With ExternalID set,
// a create updates the type's entry of that external_id (upsert).
type CatalogEntryRequest struct {
	CatalogTypeID    string                         `json:"catalog_type_id,omitempty"`
	Name             string                         `json:"name"`
	ExternalID       string                         `json:"external_id,omitempty"`
	Aliases          []string                       `json:"aliases,omitempty"`
	Rank             *int32                         `json:"rank,omitempty"`
	AttributeValues  map[string]CatalogAttributeSet `json:"attribute_values"`
	UpdateAttributes []string                       `json:"update_attributes,omitempty"`
}

// ListCatalogEntriesOptions are the query of GET /v3/catalog_entries.
type ListCatalogEntriesOptions struct {
	// CatalogTypeID is required.
	CatalogTypeID string
	// PageSize is required by the API; 0 means MaxCatalogEntriesPageSize.
	PageSize int
	After    string
	// Identifier matches id, external_id, aliases (and name if the type
	// uses names as identifiers).
	Identifier string
}

// CatalogEntriesPage is one page of ListEntries.
type CatalogEntriesPage struct {
	CatalogEntries []CatalogEntry  `json:"catalog_entries"`
	CatalogType    *CatalogType    `json:"catalog_type"`
	PaginationMeta *PaginationMeta `json:"pagination_meta"`
}

type catalogEntryResult struct {
	CatalogEntry *CatalogEntry `json:"catalog_entry"`
}

// List returns one page of a type's entries (Catalog V3#ListEntries).
func (s *CatalogEntriesService) List(ctx context.Context, o *ListCatalogEntriesOptions) (*CatalogEntriesPage, *Response, error) {
	if o == nil || o.CatalogTypeID == "" {
		return nil, nil, fmt.Errorf("list catalog entries: %w: catalog type id is required", ErrInvalidArgument)
	}
	size := o.PageSize
	if size <= 0 || size > MaxCatalogEntriesPageSize {
		size = MaxCatalogEntriesPageSize
	}
	q := url.Values{"catalog_type_id": {o.CatalogTypeID}, "page_size": {strconv.Itoa(size)}}
	if o.After != "" {
		q.Set("after", o.After)
	}
	if o.Identifier != "" {
		q.Set("identifier", o.Identifier)
	}
	var out CatalogEntriesPage
	resp, err := (*service)(s).call(ctx, epListCatalogEntries, nil, q, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("list catalog entries of type %s: %w", o.CatalogTypeID, err)
	}
	return &out, resp, nil
}

// All iterates over every entry matching o, page by page.
func (s *CatalogEntriesService) All(ctx context.Context, o ListCatalogEntriesOptions) iter.Seq2[CatalogEntry, error] {
	return paginate(ctx, func(ctx context.Context, after string) ([]CatalogEntry, string, error) {
		o.After = after
		page, _, err := s.List(ctx, &o)
		if err != nil {
			return nil, "", err
		}
		next := ""
		if page.PaginationMeta != nil {
			next = page.PaginationMeta.After
		}
		return page.CatalogEntries, next, nil
	})
}

// FindByIdentifier returns the type's entry matching identifier (id,
// external_id or alias), or ErrNotFound-matching error when none does.
func (s *CatalogEntriesService) FindByIdentifier(ctx context.Context, typeID, identifier string) (*CatalogEntry, *Response, error) {
	if identifier == "" {
		return nil, nil, fmt.Errorf("find catalog entry: %w: empty identifier", ErrInvalidArgument)
	}
	page, resp, err := s.List(ctx, &ListCatalogEntriesOptions{CatalogTypeID: typeID, PageSize: 2, Identifier: identifier})
	if err != nil {
		return nil, resp, err
	}
	for i := range page.CatalogEntries {
		e := &page.CatalogEntries[i]
		if e.ID == identifier || e.ExternalID == identifier {
			return e, resp, nil
		}
	}
	if len(page.CatalogEntries) > 0 {
		return &page.CatalogEntries[0], resp, nil
	}
	return nil, resp, fmt.Errorf("find catalog entry %s of type %s: %w", identifier, typeID, ErrNotFound)
}

// Get returns an entry by id (Catalog V3#ShowEntry).
func (s *CatalogEntriesService) Get(ctx context.Context, id string) (*CatalogEntry, *Response, error) {
	var out catalogEntryResult
	resp, err := (*service)(s).call(ctx, epShowCatalogEntry, []string{id}, nil, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("get catalog entry %s: %w", id, err)
	}
	return out.CatalogEntry, resp, nil
}

// Create creates an entry, or, when r.ExternalID names an existing entry
// of the type, updates it (Catalog V3#CreateEntry). With an external_id
// the call is idempotent and retried like a PUT; without one it is not.
func (s *CatalogEntriesService) Create(ctx context.Context, r *CatalogEntryRequest) (*CatalogEntry, *Response, error) {
	if r == nil || r.CatalogTypeID == "" || r.Name == "" {
		return nil, nil, fmt.Errorf("create catalog entry: %w: catalog type id and name are required", ErrInvalidArgument)
	}
	if r.AttributeValues == nil {
		r.AttributeValues = map[string]CatalogAttributeSet{}
	}
	safety := Idempotent
	if r.ExternalID == "" {
		safety = NotIdempotent
	}
	var out catalogEntryResult
	resp, err := (*service)(s).callAs(ctx, epCreateCatalogEntry, safety, nil, nil, r, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("upsert catalog entry %s: %w", r.ExternalID, err)
	}
	return out.CatalogEntry, resp, nil
}

// Update replaces an entry (Catalog V3#UpdateEntry); with
// UpdateAttributes only those attributes change.
func (s *CatalogEntriesService) Update(ctx context.Context, id string, r *CatalogEntryRequest) (*CatalogEntry, *Response, error) {
	if r == nil || r.Name == "" {
		return nil, nil, fmt.Errorf("update catalog entry %s: %w: name is required", id, ErrInvalidArgument)
	}
	body := *r
	body.CatalogTypeID = "" // not part of the update payload
	if body.AttributeValues == nil {
		body.AttributeValues = map[string]CatalogAttributeSet{}
	}
	var out catalogEntryResult
	resp, err := (*service)(s).call(ctx, epUpdateCatalogEntry, []string{id}, nil, &body, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("update catalog entry %s: %w", id, err)
	}
	return out.CatalogEntry, resp, nil
}

// Delete removes an entry (Catalog V3#DestroyEntry).
func (s *CatalogEntriesService) Delete(ctx context.Context, id string) (*Response, error) {
	resp, err := (*service)(s).call(ctx, epDeleteCatalogEntry, []string{id}, nil, nil, nil)
	if err != nil {
		return resp, fmt.Errorf("delete catalog entry %s: %w", id, err)
	}
	return resp, nil
}
