package ghl

import (
	"context"
	"errors"
	"fmt"
)

// ContactsService covers the GHL Contacts API (Version 2021-07-28):
// contacts, and their tags, tasks, notes and appointments.
type ContactsService service

// Contact is a GHL contact as returned by get, create, update, upsert,
// search and list. Each endpoint returns a different subset of fields
// (NOTES §4.1); absent fields are zero. Unknown fields are ignored.
type Contact struct {
	ID                 string              `json:"id"`
	LocationID         string              `json:"locationId,omitempty"`
	Name               string              `json:"name,omitempty"`
	FirstName          string              `json:"firstName,omitempty"`
	LastName           string              `json:"lastName,omitempty"`
	Email              string              `json:"email,omitempty"`
	Phone              string              `json:"phone,omitempty"`
	CompanyName        string              `json:"companyName,omitempty"`
	BusinessName       string              `json:"businessName,omitempty"`
	BusinessID         string              `json:"businessId,omitempty"`
	Address1           string              `json:"address1,omitempty"`
	City               string              `json:"city,omitempty"`
	State              string              `json:"state,omitempty"`
	Country            string              `json:"country,omitempty"`
	PostalCode         string              `json:"postalCode,omitempty"`
	Website            string              `json:"website,omitempty"`
	Timezone           string              `json:"timezone,omitempty"`
	Type               string              `json:"type,omitempty"`
	Source             string              `json:"source,omitempty"`
	AssignedTo         string              `json:"assignedTo,omitempty"`
	DateOfBirth        string              `json:"dateOfBirth,omitempty"`
	DND                bool                `json:"dnd,omitempty"`
	DNDSettings        *DNDSettings        `json:"dndSettings,omitempty"`
	InboundDNDSettings *InboundDNDSettings `json:"inboundDndSettings,omitempty"`
	Tags               []string            `json:"tags,omitempty"`
	CustomFields       []CustomField       `json:"customFields,omitempty"`
	AdditionalEmails   []string            `json:"additionalEmails,omitempty"`
	AdditionalPhones   []string            `json:"additionalPhones,omitempty"`
	Followers          []string            `json:"followers,omitempty"`
	DateAdded          Timestamp           `json:"dateAdded"`
	DateUpdated        Timestamp           `json:"dateUpdated"`
	// SearchAfter is the search cursor of this contact ([epoch-ms, id]),
	// present in search results only. Pass the last contact's SearchAfter
	// as SearchContactsRequest.SearchAfter to get the next page.
	SearchAfter []any `json:"searchAfter,omitempty"`
}

// DNDSettings holds the per-channel do-not-disturb settings of a contact.
type DNDSettings struct {
	Call     *DNDSetting `json:"Call,omitempty"`
	Email    *DNDSetting `json:"Email,omitempty"`
	SMS      *DNDSetting `json:"SMS,omitempty"`
	WhatsApp *DNDSetting `json:"WhatsApp,omitempty"`
	GMB      *DNDSetting `json:"GMB,omitempty"`
	FB       *DNDSetting `json:"FB,omitempty"`
}

// DNDSetting is one channel's do-not-disturb setting. Status is "active",
// "inactive" or "permanent".
type DNDSetting struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
	Code    string `json:"code,omitempty"`
}

// InboundDNDSettings holds the inbound do-not-disturb setting.
type InboundDNDSettings struct {
	All *InboundDNDSetting `json:"all,omitempty"`
}

// InboundDNDSetting is the inbound do-not-disturb setting. Status is
// "active" or "inactive".
type InboundDNDSetting struct {
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// CustomField is a custom field value of a contact as GHL returns it.
type CustomField struct {
	ID    string `json:"id"`
	Value any    `json:"value,omitempty"`
}

// CustomFieldValue sets a custom field in a create, update or upsert.
// FieldValue is a string, a number, a []string (checkbox, multi-select) or
// a file map, according to the field's type.
type CustomFieldValue struct {
	ID         string `json:"id"`
	Key        string `json:"key,omitempty"`
	FieldValue any    `json:"field_value,omitempty"`
}

// CreateContactRequest is the body of a contact create (CreateContactDto).
// Empty fields are not sent. LocationID is required.
type CreateContactRequest struct {
	LocationID         string              `json:"locationId"`
	FirstName          string              `json:"firstName,omitempty"`
	LastName           string              `json:"lastName,omitempty"`
	Name               string              `json:"name,omitempty"`
	Email              string              `json:"email,omitempty"`
	Phone              string              `json:"phone,omitempty"`
	Gender             string              `json:"gender,omitempty"`
	CompanyName        string              `json:"companyName,omitempty"`
	Address1           string              `json:"address1,omitempty"`
	City               string              `json:"city,omitempty"`
	State              string              `json:"state,omitempty"`
	PostalCode         string              `json:"postalCode,omitempty"`
	Country            string              `json:"country,omitempty"`
	Website            string              `json:"website,omitempty"`
	Timezone           string              `json:"timezone,omitempty"`
	DND                *bool               `json:"dnd,omitempty"`
	DNDSettings        *DNDSettings        `json:"dndSettings,omitempty"`
	InboundDNDSettings *InboundDNDSettings `json:"inboundDndSettings,omitempty"`
	Tags               []string            `json:"tags,omitempty"`
	CustomFields       []CustomFieldValue  `json:"customFields,omitempty"`
	Source             string              `json:"source,omitempty"`
	// DateOfBirth accepts YYYY-MM-DD and the other formats GHL lists.
	DateOfBirth string `json:"dateOfBirth,omitempty"`
	AssignedTo  string `json:"assignedTo,omitempty"`
}

func (r *CreateContactRequest) rateLimitLocation() string { return r.LocationID }

// UpsertContactRequest is the body of a contact upsert (UpsertContactDto):
// the create fields plus CreateNewIfDuplicateAllowed. Tags, when set,
// replace all the contact's tags; use AddTags and RemoveTags to change
// some.
type UpsertContactRequest struct {
	CreateContactRequest
	// CreateNewIfDuplicateAllowed creates a new contact without matching
	// when the location allows duplicates.
	CreateNewIfDuplicateAllowed *bool `json:"createNewIfDuplicateAllowed,omitempty"`
}

// UpdateContactRequest is the body of a contact update (UpdateContactDto).
// Nil fields are not sent. GHL refuses locationId, companyName and gender
// on update (422 "property x should not exist"), so they are absent here.
// Tags, when set, replace all the contact's tags.
type UpdateContactRequest struct {
	FirstName          *string             `json:"firstName,omitempty"`
	LastName           *string             `json:"lastName,omitempty"`
	Name               *string             `json:"name,omitempty"`
	Email              *string             `json:"email,omitempty"`
	Phone              *string             `json:"phone,omitempty"`
	Address1           *string             `json:"address1,omitempty"`
	City               *string             `json:"city,omitempty"`
	State              *string             `json:"state,omitempty"`
	PostalCode         *string             `json:"postalCode,omitempty"`
	Country            *string             `json:"country,omitempty"`
	Website            *string             `json:"website,omitempty"`
	Timezone           *string             `json:"timezone,omitempty"`
	DND                *bool               `json:"dnd,omitempty"`
	DNDSettings        *DNDSettings        `json:"dndSettings,omitempty"`
	InboundDNDSettings *InboundDNDSettings `json:"inboundDndSettings,omitempty"`
	Tags               []string            `json:"tags,omitempty"`
	CustomFields       []CustomFieldValue  `json:"customFields,omitempty"`
	Source             *string             `json:"source,omitempty"`
	DateOfBirth        *string             `json:"dateOfBirth,omitempty"`
	AssignedTo         *string             `json:"assignedTo,omitempty"`
}

// UpsertContactResult is the answer to an upsert.
type UpsertContactResult struct {
	// New reports whether the upsert created the contact.
	New     bool     `json:"new"`
	Contact *Contact `json:"contact"`
	TraceID string   `json:"traceId,omitempty"`
}

type contactEnvelope struct {
	Contact *Contact `json:"contact"`
}

// succeded is GHL's delete answer (the spelling is GHL's).
type succeded struct {
	Succeded *bool `json:"succeded"`
}

func (s succeded) check(ep *Endpoint, resp *Response) error {
	if s.Succeded != nil && !*s.Succeded {
		return fmt.Errorf("ghl: %s %s %s: GHL answered succeded=false", ep.OperationID, ep.Method, resp.Request.URL.EscapedPath())
	}
	return nil
}

var errNilRequest = errors.New("nil request")

func invalid(ep *Endpoint, format string, args ...any) error {
	return fmt.Errorf("ghl: %s: %w: %s", ep.OperationID, ErrInvalidArgument, fmt.Sprintf(format, args...))
}

// Get fetches a contact.
//
// GHL API: GET /contacts/{contactId} (get-contact).
func (s *ContactsService) Get(ctx context.Context, contactID string) (*Contact, *Response, error) {
	req, err := s.client.NewRequest(ctx, epGetContact, []string{contactID}, nil, nil)
	if err != nil {
		return nil, nil, err
	}
	var out contactEnvelope
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	if out.Contact == nil {
		// An empty 2xx body or {"contact": null}: never a nil contact
		// without an error.
		return nil, resp, fmt.Errorf("ghl: %s %s: %d response without a contact", epGetContact.OperationID, epGetContact.Method, resp.StatusCode)
	}
	return out.Contact, resp, nil
}

// Create creates a contact (201). A failure after the request may have
// reached GHL is an *AmbiguousError: look the contact up (FindDuplicate)
// before creating again.
//
// GHL API: POST /contacts/ (create-contact).
func (s *ContactsService) Create(ctx context.Context, r *CreateContactRequest) (*Contact, *Response, error) {
	if r == nil {
		return nil, nil, invalid(epCreateContact, "%v", errNilRequest)
	}
	if r.LocationID == "" {
		return nil, nil, invalid(epCreateContact, "empty locationId")
	}
	req, err := s.client.NewRequest(ctx, epCreateContact, nil, nil, r)
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

// Update changes a contact; nil fields are left as they are.
//
// GHL API: PUT /contacts/{contactId} (update-contact).
func (s *ContactsService) Update(ctx context.Context, contactID string, r *UpdateContactRequest) (*Contact, *Response, error) {
	if r == nil {
		return nil, nil, invalid(epUpdateContact, "%v", errNilRequest)
	}
	req, err := s.client.NewRequest(ctx, epUpdateContact, []string{contactID}, nil, r)
	if err != nil {
		return nil, nil, err
	}
	var out struct {
		succeded
		contactEnvelope
	}
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	if err := out.check(epUpdateContact, resp); err != nil {
		return nil, resp, err
	}
	return out.Contact, resp, nil
}

// Delete deletes a contact.
//
// GHL API: DELETE /contacts/{contactId} (delete-contact).
func (s *ContactsService) Delete(ctx context.Context, contactID string) (*Response, error) {
	return s.delete(ctx, epDeleteContact, contactID)
}

// Upsert creates a contact or updates the one matching its email or phone
// under the location's duplicate settings (200 with New telling which).
// Like Create, a failure after the request may have reached GHL is an
// *AmbiguousError and is not retried.
//
// GHL API: POST /contacts/upsert (upsert-contact).
func (s *ContactsService) Upsert(ctx context.Context, r *UpsertContactRequest) (*UpsertContactResult, *Response, error) {
	if r == nil {
		return nil, nil, invalid(epUpsertContact, "%v", errNilRequest)
	}
	if r.LocationID == "" {
		return nil, nil, invalid(epUpsertContact, "empty locationId")
	}
	req, err := s.client.NewRequest(ctx, epUpsertContact, nil, nil, r)
	if err != nil {
		return nil, nil, err
	}
	var out UpsertContactResult
	resp, err := s.client.Do(req, &out)
	if err != nil {
		return nil, resp, err
	}
	return &out, resp, nil
}
