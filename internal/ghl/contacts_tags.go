package ghl

import "context"

// TagsRequest is the body of the tag add and remove calls.
type TagsRequest struct {
	Tags []string `json:"tags"`
}

type tagsEnvelope struct {
	Tags []string `json:"tags"`
}

// AddTags adds tags to a contact, keeping its other tags, and returns the
// tags GHL reports (201). Adding is a set union, so the call is retried
// like an idempotent one.
//
// GHL API: POST /contacts/{contactId}/tags (add-tags).
func (s *ContactsService) AddTags(ctx context.Context, contactID string, tags []string) ([]string, *Response, error) {
	return s.tags(ctx, epAddTags, contactID, tags)
}

// RemoveTags removes tags from a contact and returns the tags GHL reports.
// The tags travel in a JSON body on DELETE, as GHL requires.
//
// GHL API: DELETE /contacts/{contactId}/tags (remove-tags).
func (s *ContactsService) RemoveTags(ctx context.Context, contactID string, tags []string) ([]string, *Response, error) {
	return s.tags(ctx, epRemoveTags, contactID, tags)
}

func (s *ContactsService) tags(ctx context.Context, ep *Endpoint, contactID string, tags []string) ([]string, *Response, error) {
	if len(tags) == 0 {
		return nil, nil, invalid(ep, "no tags")
	}
	req, err := s.client.NewRequest(ctx, ep, []string{contactID}, nil, &TagsRequest{Tags: tags})
	if err != nil {
		return nil, nil, err
	}
	var out tagsEnvelope
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return out.Tags, resp, nil
}
