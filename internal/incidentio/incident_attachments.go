package incidentio

import (
	"context"
	"fmt"
	"net/url"
)

// IncidentAttachmentsService covers incident attachments (Incident
// Attachments V1).
type IncidentAttachmentsService service

// IncidentAttachment is a link attached to an incident.
type IncidentAttachment struct {
	ID         string `json:"id"`
	IncidentID string `json:"incident_id"`
	Resource   struct {
		ExternalID   string `json:"external_id"`
		Permalink    string `json:"permalink"`
		ResourceType string `json:"resource_type"`
		Title        string `json:"title"`
	} `json:"resource"`
}

// AttachmentResource is the resource of a new attachment. For
// arbitrary_url, URL, Title and Emoji (a shortcode without colons) apply.
type AttachmentResource struct {
	ResourceType string `json:"resource_type"`
	URL          string `json:"url,omitempty"`
	Title        string `json:"title,omitempty"`
	Emoji        string `json:"emoji,omitempty"`
	ExternalID   string `json:"external_id,omitempty"`
}

// CreateIncidentAttachmentRequest is the body of POST /v1/incident_attachments.
type CreateIncidentAttachmentRequest struct {
	IncidentID string             `json:"incident_id"`
	Resource   AttachmentResource `json:"resource"`
}

// ListIncidentAttachmentsOptions are the query of GET /v1/incident_attachments.
type ListIncidentAttachmentsOptions struct {
	IncidentID   string
	ExternalID   string
	ResourceType string
}

// List returns attachments (Incident Attachments V1#List; not paginated).
func (s *IncidentAttachmentsService) List(ctx context.Context, o *ListIncidentAttachmentsOptions) ([]IncidentAttachment, *Response, error) {
	q := url.Values{}
	if o != nil {
		for k, v := range map[string]string{"incident_id": o.IncidentID, "external_id": o.ExternalID, "resource_type": o.ResourceType} {
			if v != "" {
				q.Set(k, v)
			}
		}
	}
	var out struct {
		IncidentAttachments []IncidentAttachment `json:"incident_attachments"`
	}
	resp, err := (*service)(s).call(ctx, epListAttachments, nil, q, nil, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("list attachments: %w", err)
	}
	return out.IncidentAttachments, resp, nil
}

// Create attaches a resource to an incident (Incident Attachments V1#Create).
// Not idempotent: list by external_id before creating again.
func (s *IncidentAttachmentsService) Create(ctx context.Context, r *CreateIncidentAttachmentRequest) (*IncidentAttachment, *Response, error) {
	if r == nil || r.IncidentID == "" || r.Resource.ResourceType == "" {
		return nil, nil, fmt.Errorf("create attachment: %w: incident id and resource type are required", ErrInvalidArgument)
	}
	var out struct {
		IncidentAttachment *IncidentAttachment `json:"incident_attachment"`
	}
	resp, err := (*service)(s).call(ctx, epCreateAttachment, nil, nil, r, &out)
	if err != nil {
		return nil, resp, fmt.Errorf("attach to incident %s: %w", r.IncidentID, err)
	}
	return out.IncidentAttachment, resp, nil
}

// Delete removes an attachment (Incident Attachments V1#Delete).
func (s *IncidentAttachmentsService) Delete(ctx context.Context, id string) (*Response, error) {
	resp, err := (*service)(s).call(ctx, epDeleteAttachment, []string{id}, nil, nil, nil)
	if err != nil {
		return resp, fmt.Errorf("delete attachment %s: %w", id, err)
	}
	return resp, nil
}
