package incidentiofake

import "time"

// The fake's wire types: the JSON shapes of the spec's schemas, with every
// field the spec requires.

type user struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
	Role        string `json:"role"`
	SlackUserID string `json:"slack_user_id,omitempty"`
}

type named struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type actor struct {
	User   *user  `json:"user,omitempty"`
	APIKey *named `json:"api_key,omitempty"`
}

type catalogAttribute struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Type  string `json:"type"`
	Array bool   `json:"array"`
	Mode  string `json:"mode"`
}

type catalogSchema struct {
	Version    int64              `json:"version"`
	Attributes []catalogAttribute `json:"attributes"`
}

type catalogType struct {
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	Description         string            `json:"description"`
	TypeName            string            `json:"type_name"`
	Icon                string            `json:"icon"`
	Color               string            `json:"color"`
	Annotations         map[string]string `json:"annotations"`
	Categories          []string          `json:"categories"`
	EngineResourceType  string            `json:"engine_resource_type"`
	IsEditable          bool              `json:"is_editable"`
	Ranked              bool              `json:"ranked"`
	UseNameAsIdentifier bool              `json:"use_name_as_identifier"`
	SourceRepoURL       string            `json:"source_repo_url,omitempty"`
	EstimatedCount      int64             `json:"estimated_count"`
	Schema              catalogSchema     `json:"schema"`
	CreatedAt           time.Time         `json:"created_at"`
	UpdatedAt           time.Time         `json:"updated_at"`
}

type bindingValue struct {
	Label   string `json:"label"`
	Literal string `json:"literal,omitempty"`
}

type binding struct {
	Value      *bindingValue  `json:"value,omitempty"`
	ArrayValue []bindingValue `json:"array_value,omitempty"`
}

type catalogEntry struct {
	ID              string             `json:"id"`
	CatalogTypeID   string             `json:"catalog_type_id"`
	Name            string             `json:"name"`
	ExternalID      string             `json:"external_id,omitempty"`
	Aliases         []string           `json:"aliases"`
	Rank            int32              `json:"rank"`
	AttributeValues map[string]binding `json:"attribute_values"`
	CreatedAt       time.Time          `json:"created_at"`
	UpdatedAt       time.Time          `json:"updated_at"`
}

type customField struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Description   string    `json:"description"`
	FieldType     string    `json:"field_type"`
	CatalogTypeID string    `json:"catalog_type_id,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

type incidentStatus struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Category    string    `json:"category"`
	Rank        int64     `json:"rank"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type embeddedEntry struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	ExternalID string   `json:"external_id,omitempty"`
	Aliases    []string `json:"aliases,omitempty"`
}

type fieldValue struct {
	ValueCatalogEntry *embeddedEntry `json:"value_catalog_entry,omitempty"`
	ValueText         string         `json:"value_text,omitempty"`
}

type fieldTypeInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	FieldType   string `json:"field_type"`
	Options     []any  `json:"options"`
}

type fieldEntry struct {
	CustomField fieldTypeInfo `json:"custom_field"`
	Values      []fieldValue  `json:"values"`
}

type incident struct {
	ID                      string         `json:"id"`
	Reference               string         `json:"reference"`
	Name                    string         `json:"name"`
	Summary                 string         `json:"summary,omitempty"`
	Permalink               string         `json:"permalink"`
	Visibility              string         `json:"visibility"`
	Mode                    string         `json:"mode"`
	IncidentStatus          incidentStatus `json:"incident_status"`
	CustomFieldEntries      []fieldEntry   `json:"custom_field_entries"`
	IncidentRoleAssignments []any          `json:"incident_role_assignments"`
	Creator                 actor          `json:"creator"`
	SlackChannelID          string         `json:"slack_channel_id"`
	SlackTeamID             string         `json:"slack_team_id"`
	CreatedAt               time.Time      `json:"created_at"`
	UpdatedAt               time.Time      `json:"updated_at"`

	// contacts are the catalog entry ids of the catalog-backed fields,
	// by custom field id (resolved into CustomFieldEntries on output).
	contacts map[string][]string
}

type followUp struct {
	ID          string     `json:"id"`
	IncidentID  string     `json:"incident_id"`
	Title       string     `json:"title"`
	Description string     `json:"description,omitempty"`
	Status      string     `json:"status"`
	Labels      []string   `json:"labels"`
	Assignee    *user      `json:"assignee,omitempty"`
	Creator     actor      `json:"creator"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

type action struct {
	ID          string     `json:"id"`
	IncidentID  string     `json:"incident_id"`
	Description string     `json:"description"`
	Status      string     `json:"status"`
	Assignee    *user      `json:"assignee,omitempty"`
	Creator     actor      `json:"creator"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// actionV1 is the action shape of the action_*_v1 webhooks (ActionV1).
type actionV1 struct {
	ID          string     `json:"id"`
	IncidentID  string     `json:"incident_id"`
	Description string     `json:"description,omitempty"`
	Status      string     `json:"status"`
	FollowUp    bool       `json:"follow_up"`
	Assignee    *user      `json:"assignee,omitempty"`
	CompletedAt *time.Time `json:"completed_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

type incidentUpdate struct {
	ID                string         `json:"id"`
	IncidentID        string         `json:"incident_id"`
	Message           string         `json:"message,omitempty"`
	NewIncidentStatus incidentStatus `json:"new_incident_status"`
	Updater           actor          `json:"updater"`
	CreatedAt         time.Time      `json:"created_at"`
}

type attachment struct {
	ID         string `json:"id"`
	IncidentID string `json:"incident_id"`
	Resource   struct {
		ExternalID   string `json:"external_id"`
		Permalink    string `json:"permalink"`
		ResourceType string `json:"resource_type"`
		Title        string `json:"title"`
	} `json:"resource"`
}

type rbacRole struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Slug string `json:"slug"`
}

type userWithRoles struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Email       string     `json:"email,omitempty"`
	Role        string     `json:"role"`
	IsActive    bool       `json:"is_active"`
	BaseRole    rbacRole   `json:"base_role"`
	CustomRoles []rbacRole `json:"custom_roles"`
	Seats       struct {
		OnCall   string `json:"on_call"`
		Response string `json:"response"`
	} `json:"seats"`
}
