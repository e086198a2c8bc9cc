package incidentio

import (
	"context"
	"fmt"
	"time"
)

// CustomFieldsService covers incident custom fields (Custom Fields V2).
type CustomFieldsService service

// CustomField is an incident custom field (CustomFieldV2). A select field
// with CatalogTypeID takes catalog entries as values.
type CustomField struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Description   string    `json:"description"`
	FieldType     string    `json:"field_type"`
	CatalogTypeID string    `json:"catalog_type_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// List returns every custom field (Custom Fields V2#List; not paginated).
func (s *CustomFieldsService) List(ctx context.Context) ([]CustomField, *Response, error) {
	var out struct {
		CustomFields []CustomField `json:"custom_fields"`
	}
	resp, err := (*service)(s).call(ctx, epListCustomFields, nil, nil, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("list custom fields: %w", err)
	}
	return out.CustomFields, resp, nil
}

// Get returns a custom field by id (Custom Fields V2#Show).
func (s *CustomFieldsService) Get(ctx context.Context, id string) (*CustomField, *Response, error) {
	var out struct {
		CustomField *CustomField `json:"custom_field"`
	}
	resp, err := (*service)(s).call(ctx, epShowCustomField, []string{id}, nil, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("get custom field %s: %w", id, err)
	}
	return out.CustomField, resp, nil
}
