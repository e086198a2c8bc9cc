package crmsync

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
)

// contactFromGHL is the canonical form of a GHL contact.
func contactFromGHL(locationID string, g *ghl.Contact) *Contact {
	c := &Contact{
		GHLID: g.ID, LocationID: locationID, FirstName: g.FirstName, LastName: g.LastName, Name: g.Name,
		Email: strings.ToLower(strings.TrimSpace(g.Email)), Phone: g.Phone, CompanyName: g.CompanyName, Address1: g.Address1,
		City: g.City, State: g.State, PostalCode: g.PostalCode, Country: g.Country, Website: g.Website, Timezone: g.Timezone,
		Source: g.Source, DateOfBirth: g.DateOfBirth, DND: g.DND, Tags: NormalizeTags(g.Tags), BusinessID: g.BusinessID,
		UpdatedAt: g.DateUpdated.Time,
	}
	if g.LocationID != "" {
		c.LocationID = g.LocationID
	}
	for _, f := range g.CustomFields {
		c.CustomFields = append(c.CustomFields, CustomField(f))
	}
	return c
}

func customFieldValues(fs []CustomField) []ghl.CustomFieldValue {
	var out []ghl.CustomFieldValue
	for _, f := range fs {
		out = append(out, ghl.CustomFieldValue{ID: f.ID, FieldValue: f.Value})
	}
	return out
}

// upsertRequest is the upsert body for c. Tags are never sent: on upsert
// they would replace all the contact's tags (tags go through AddTags and
// RemoveTags).
func upsertRequest(locationID string, c *Contact) *ghl.UpsertContactRequest {
	r := &ghl.UpsertContactRequest{CreateContactRequest: ghl.CreateContactRequest{
		LocationID: locationID, FirstName: c.FirstName, LastName: c.LastName, Name: c.Name, Email: c.Email, Phone: c.Phone,
		CompanyName: c.CompanyName, Address1: c.Address1, City: c.City, State: c.State, PostalCode: c.PostalCode,
		Country: c.Country, Website: c.Website, Timezone: c.Timezone, Source: c.Source, DateOfBirth: c.DateOfBirth,
		CustomFields: customFieldValues(c.CustomFields),
	}}
	if c.DND {
		r.DND = &c.DND
	}
	return r
}

// updateRequest is the update body for c: the non-empty fields (a peer
// cannot clear a field in GHL), without tags, companyName (GHL refuses it
// on PUT) and locationId.
func updateRequest(c *Contact) *ghl.UpdateContactRequest {
	p := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	dnd := c.DND
	return &ghl.UpdateContactRequest{
		FirstName: p(c.FirstName), LastName: p(c.LastName), Name: p(c.Name), Email: p(c.Email), Phone: p(c.Phone),
		Address1: p(c.Address1), City: p(c.City), State: p(c.State), PostalCode: p(c.PostalCode), Country: p(c.Country),
		Website: p(c.Website), Timezone: p(c.Timezone), Source: p(c.Source), DateOfBirth: p(c.DateOfBirth), DND: &dnd,
		CustomFields: customFieldValues(c.CustomFields),
	}
}

func taskFromGHL(t *ghl.Task, contactID string) *Task {
	if t.ContactID != "" {
		contactID = t.ContactID
	}
	return &Task{GHLID: t.ID, ContactGHLID: contactID, Title: t.Title, Body: t.Body, DueDate: t.DueDate.UTC(),
		Completed: t.Completed, AssignedTo: t.AssignedTo}
}

func noteFromGHL(n *ghl.Note, contactID string) *Note {
	if n.ContactID != "" {
		contactID = n.ContactID
	}
	return &Note{GHLID: n.ID, ContactGHLID: contactID, Body: n.Body, DateAdded: n.DateAdded.UTC()}
}

// ghlTime parses the time shapes GHL uses for appointments (ISO with
// offset, or zone-less "2006-01-02 15:04:05" read as UTC).
func ghlTime(s string) time.Time {
	var ts ghl.Timestamp
	if s == "" || json.Unmarshal([]byte(strconv.Quote(s)), &ts) != nil {
		return time.Time{}
	}
	return ts.UTC()
}

func appointmentFromGHL(a *ghl.Appointment) *Appointment {
	status := a.AppointmentStatus
	if status == "" {
		status = a.Status
	}
	return &Appointment{GHLID: a.ID, ContactGHLID: a.ContactID, CalendarID: a.CalendarID, Title: a.Title, Status: status,
		StartTime: ghlTime(a.StartTime), EndTime: ghlTime(a.EndTime), Address: a.Address, Notes: a.Notes,
		AssignedUserID: a.AssignedUserID, UpdatedAt: ghlTime(a.DateUpdated)}
}

// diffTags returns the tags to add to and remove from have to reach want
// (both normalised).
func diffTags(have, want []string) (add, remove []string) {
	h := map[string]bool{}
	for _, t := range have {
		h[t] = true
	}
	w := map[string]bool{}
	for _, t := range want {
		w[t] = true
		if !h[t] {
			add = append(add, t)
		}
	}
	for _, t := range have {
		if !w[t] {
			remove = append(remove, t)
		}
	}
	return add, remove
}
