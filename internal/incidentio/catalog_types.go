package incidentio

import (
	"context"
	"fmt"
	"time"
)

// CatalogTypesService covers catalog types (Catalog V3).
type CatalogTypesService service

// CatalogType is a catalog type (CatalogTypeV3).
type CatalogType struct {
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	Description         string            `json:"description"`
	TypeName            string            `json:"type_name"`
	Icon                string            `json:"icon,omitempty"`
	Color               string            `json:"color,omitempty"`
	Annotations         map[string]string `json:"annotations,omitempty"`
	Categories          []string          `json:"categories,omitempty"`
	IsEditable          bool              `json:"is_editable"`
	Ranked              bool              `json:"ranked"`
	UseNameAsIdentifier bool              `json:"use_name_as_identifier"`
	SourceRepoURL       string            `json:"source_repo_url,omitempty"`
	Schema              CatalogTypeSchema `json:"schema"`
	CreatedAt           time.Time         `json:"created_at"`
	UpdatedAt           time.Time         `json:"updated_at"`
}

// CatalogTypeSchema is a type's attributes and their version.
type CatalogTypeSchema struct {
	Version    int64                  `json:"version"`
	Attributes []CatalogTypeAttribute `json:"attributes"`
}

// CatalogTypeAttribute is one attribute of a catalog type.
type CatalogTypeAttribute struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name"`
	Type  string `json:"type"`
	Array bool   `json:"array"`
	Mode  string `json:"mode,omitempty"`
}

// Attribute returns the attribute named name, if any.
func (s CatalogTypeSchema) Attribute(name string) (CatalogTypeAttribute, bool) {
	for _, a := range s.Attributes {
		if a.Name == name {
			return a, true
		}
	}
	return CatalogTypeAttribute{}, false
}

// CreateCatalogTypeRequest is the body of POST /v3/catalog_types.
type CreateCatalogTypeRequest struct {
	Name                string            `json:"name"`
	Description         string            `json:"description"`
	TypeName            string            `json:"type_name,omitempty"`
	Icon                string            `json:"icon,omitempty"`
	Color               string            `json:"color,omitempty"`
	Annotations         map[string]string `json:"annotations,omitempty"`
	Categories          []string          `json:"categories,omitempty"`
	SourceRepoURL       string            `json:"source_repo_url,omitempty"`
	UseNameAsIdentifier *bool             `json:"use_name_as_identifier,omitempty"`
	Ranked              *bool             `json:"ranked,omitempty"`
}

// UpdateCatalogTypeSchemaRequest is the body of update_schema. Version is
// the schema version read last; attributes without ID are created.
type UpdateCatalogTypeSchemaRequest struct {
	Version    int64                  `json:"version"`
	Attributes []CatalogTypeAttribute `json:"attributes"`
}

type catalogTypeResult struct {
	CatalogType *CatalogType `json:"catalog_type"`
}

// List returns every catalog type (Catalog V3#ListTypes; not paginated).
func (s *CatalogTypesService) List(ctx context.Context) ([]CatalogType, *Response, error) {
	var out struct {
		CatalogTypes []CatalogType `json:"catalog_types"`
	}
	resp, err := (*service)(s).call(ctx, epListCatalogTypes, nil, nil, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("list catalog types: %w", err)
	}
	return out.CatalogTypes, resp, nil
}

// Create creates a catalog type (Catalog V3#CreateType). Not idempotent:
// after an ambiguous failure, List before creating again.
func (s *CatalogTypesService) Create(ctx context.Context, r *CreateCatalogTypeRequest) (*CatalogType, *Response, error) {
	if r == nil || r.Name == "" || r.Description == "" {
		return nil, nil, fmt.Errorf("create catalog type: %w: name and description are required", ErrInvalidArgument)
	}
	var out catalogTypeResult
	resp, err := (*service)(s).call(ctx, epCreateCatalogType, nil, nil, r, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("create catalog type %q: %w", r.Name, err)
	}
	return out.CatalogType, resp, nil
}

// UpdateSchema replaces a type's attributes (Catalog V3#UpdateTypeSchema).
func (s *CatalogTypesService) UpdateSchema(ctx context.Context, typeID string, r *UpdateCatalogTypeSchemaRequest) (*CatalogType, *Response, error) {
	if r == nil {
		return nil, nil, fmt.Errorf("update schema of catalog type %s: %w: nil request", typeID, ErrInvalidArgument)
	}
	var out catalogTypeResult
	resp, err := (*service)(s).call(ctx, epUpdateCatalogTypeSchema, []string{typeID}, nil, r, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("update schema of catalog type %s: %w", typeID, err)
	}
	return out.CatalogType, resp, nil
}
