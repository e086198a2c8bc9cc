package ghlsandbox

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// contactJSON is a contact on the wire: GetContectByIdSchema (sic), plus the
// CreateContactSchema extras on 201 and the searchAfter cursor in search
// results. Empty strings are omitted, as GHL omits unset fields.
type contactJSON struct {
	ID                 string                `json:"id"`
	Name               string                `json:"name,omitempty"`
	LocationID         string                `json:"locationId"`
	FirstName          string                `json:"firstName,omitempty"`
	LastName           string                `json:"lastName,omitempty"`
	FirstNameLowerCase string                `json:"firstNameLowerCase,omitempty"`
	LastNameLowerCase  string                `json:"lastNameLowerCase,omitempty"`
	FullNameLowerCase  string                `json:"fullNameLowerCase,omitempty"`
	Email              string                `json:"email,omitempty"`
	EmailLowerCase     string                `json:"emailLowerCase,omitempty"`
	Timezone           string                `json:"timezone,omitempty"`
	CompanyName        string                `json:"companyName,omitempty"`
	Gender             string                `json:"gender,omitempty"`
	Phone              string                `json:"phone,omitempty"`
	DND                bool                  `json:"dnd"`
	DNDSettings        map[string]DNDSetting `json:"dndSettings,omitempty"`
	InboundDNDSettings map[string]InboundDND `json:"inboundDndSettings,omitempty"`
	Type               string                `json:"type,omitempty"`
	Source             string                `json:"source,omitempty"`
	AssignedTo         string                `json:"assignedTo,omitempty"`
	Address1           string                `json:"address1,omitempty"`
	City               string                `json:"city,omitempty"`
	State              string                `json:"state,omitempty"`
	Country            string                `json:"country,omitempty"`
	PostalCode         string                `json:"postalCode,omitempty"`
	Website            string                `json:"website,omitempty"`
	Tags               []string              `json:"tags"`
	DateOfBirth        string                `json:"dateOfBirth,omitempty"`
	DateAdded          string                `json:"dateAdded"`
	DateUpdated        string                `json:"dateUpdated,omitempty"`
	CustomFields       []CustomField         `json:"customFields"`
	BusinessID         string                `json:"businessId,omitempty"`
	Deleted            *bool                 `json:"deleted,omitempty"`
	SearchAfter        []any                 `json:"searchAfter,omitempty"`
}

func contactView(c *Contact) contactJSON {
	v := contactJSON{
		ID: c.ID, Name: c.fullName(), LocationID: c.LocationID, FirstName: c.FirstName, LastName: c.LastName,
		FirstNameLowerCase: strings.ToLower(c.FirstName), LastNameLowerCase: strings.ToLower(c.LastName), FullNameLowerCase: strings.ToLower(c.fullName()),
		Email: c.Email, EmailLowerCase: strings.ToLower(c.Email), Timezone: c.Timezone, CompanyName: c.CompanyName, Gender: c.Gender,
		Phone: c.Phone, DND: c.DND, Type: c.Type, Source: c.Source, AssignedTo: c.AssignedTo, Address1: c.Address1, City: c.City,
		State: c.State, Country: c.Country, PostalCode: c.PostalCode, Website: c.Website, Tags: slices.Clone(c.Tags),
		DateOfBirth: c.DateOfBirth, DateAdded: fmtTime(c.DateAdded), DateUpdated: fmtTime(c.DateUpdated),
		CustomFields: slices.Clone(c.CustomFields), BusinessID: c.BusinessID,
	}
	if v.Tags == nil {
		v.Tags = []string{}
	}
	if v.CustomFields == nil {
		v.CustomFields = []CustomField{}
	}
	if len(c.DNDSettings) > 0 {
		v.DNDSettings = map[string]DNDSetting{}
		for k, s := range c.DNDSettings {
			v.DNDSettings[k] = s
		}
	}
	if c.InboundDND != nil {
		v.InboundDNDSettings = map[string]InboundDND{"all": *c.InboundDND}
	}
	return v
}

// createView is CreateContactSchema (201 of POST /contacts/).
func createView(c *Contact) contactJSON {
	v := contactView(c)
	f := false
	v.Deleted = &f
	return v
}

// customFieldIn is one item of customFields in a request (TextField and
// friends: id, key, field_value).
type customFieldIn struct {
	ID         string `json:"id"`
	Key        string `json:"key"`
	FieldValue any    `json:"field_value"`
}

// contactRequest is CreateContactDto, UpdateContactDto and UpsertContactDto
// in one; bind admits only the fields the DTO declares.
type contactRequest struct {
	FirstName, LastName, Name, Email, Phone, Address1, City, State opt[string]
	PostalCode, Website, Timezone, Source, Country, CompanyName    opt[string]
	Gender, AssignedTo, LocationID                                 opt[string]
	DND                                                            opt[bool]
	DNDSettings                                                    opt[map[string]DNDSetting]
	InboundDNDSettings                                             opt[map[string]InboundDND]
	Tags                                                           opt[[]string]
	CustomFields                                                   opt[[]customFieldIn]
	DateOfBirth                                                    opt[json.RawMessage]
	CreateNewIfDuplicateAllowed                                    opt[bool]
}

func (r *contactRequest) fields() map[string]any {
	return map[string]any{
		"firstName": &r.FirstName, "lastName": &r.LastName, "name": &r.Name, "email": &r.Email, "phone": &r.Phone,
		"address1": &r.Address1, "city": &r.City, "state": &r.State, "postalCode": &r.PostalCode, "website": &r.Website,
		"timezone": &r.Timezone, "source": &r.Source, "country": &r.Country, "companyName": &r.CompanyName,
		"gender": &r.Gender, "assignedTo": &r.AssignedTo, "locationId": &r.LocationID, "dnd": &r.DND,
		"dndSettings": &r.DNDSettings, "inboundDndSettings": &r.InboundDNDSettings, "tags": &r.Tags,
		"customFields": &r.CustomFields, "dateOfBirth": &r.DateOfBirth, "createNewIfDuplicateAllowed": &r.CreateNewIfDuplicateAllowed,
	}
}

var dobLayouts = []string{"2006/01/02", "01/02/2006", "2006-01-02", "01-02-2006", "2006.01.02", "01.02.2006", "2006_01_02", "01_02_2006", time.RFC3339Nano}

// validate checks values the way GHL's class-validator DTOs do.
func (r *contactRequest) validate() *apiError {
	var msgs []string
	if r.Email.has() && r.Email.V != "" && (!strings.Contains(r.Email.V, "@") || strings.ContainsAny(r.Email.V, " ,;")) {
		msgs = append(msgs, "email must be an email")
	}
	if r.DNDSettings.has() {
		for ch, st := range r.DNDSettings.V {
			if !slices.Contains(DNDChannels, ch) {
				msgs = append(msgs, "dndSettings.property "+ch+" should not exist")
				continue
			}
			if st.Status != "active" && st.Status != "inactive" && st.Status != "permanent" {
				msgs = append(msgs, "dndSettings."+ch+".status must be one of the following values: active, inactive, permanent")
			}
		}
	}
	if r.InboundDNDSettings.has() {
		for k, st := range r.InboundDNDSettings.V {
			if k != "all" {
				msgs = append(msgs, "inboundDndSettings.property "+k+" should not exist")
			} else if st.Status != "active" && st.Status != "inactive" {
				msgs = append(msgs, "inboundDndSettings.all.status must be one of the following values: active, inactive")
			}
		}
	}
	if r.DateOfBirth.has() {
		if _, ok := parseDOB(r.DateOfBirth.V); !ok {
			msgs = append(msgs, "dateOfBirth must be a valid date in one of the supported formats")
		}
	}
	if r.CustomFields.has() {
		for _, f := range r.CustomFields.V {
			if f.ID == "" && f.Key == "" {
				msgs = append(msgs, "customFields.id should not be empty")
				break
			}
		}
	}
	if msgs != nil {
		return errUnprocessable(msgs...)
	}
	return nil
}

func parseDOB(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	for _, l := range dobLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return fmtTime(t), true
		}
	}
	return "", false
}

// contactChange says which webhook-relevant parts of a contact changed.
type contactChange struct{ fields, tags, dnd bool }

func (c contactChange) any() bool { return c.fields || c.tags || c.dnd }

// apply writes the request onto c. skipGender and dropPhone implement the
// upsert quirks (NOTES §4.1, §4.3).
func (r *contactRequest) apply(c *Contact, skipGender, dropPhone bool) contactChange {
	var ch contactChange
	set := func(dst *string, o opt[string]) {
		if !o.Set {
			return
		}
		v := o.V
		if o.Null {
			v = ""
		}
		if *dst != v {
			*dst = v
			ch.fields = true
		}
	}
	set(&c.FirstName, r.FirstName)
	set(&c.LastName, r.LastName)
	set(&c.Name, r.Name)
	set(&c.Email, r.Email)
	if !dropPhone && r.Phone.Set {
		p := r.Phone
		if p.has() {
			p.V = normPhone(p.V)
		}
		set(&c.Phone, p)
	}
	set(&c.Address1, r.Address1)
	set(&c.City, r.City)
	set(&c.State, r.State)
	set(&c.PostalCode, r.PostalCode)
	set(&c.Website, r.Website)
	set(&c.Timezone, r.Timezone)
	set(&c.Source, r.Source)
	set(&c.Country, r.Country)
	set(&c.CompanyName, r.CompanyName)
	set(&c.AssignedTo, r.AssignedTo)
	if !skipGender {
		set(&c.Gender, r.Gender)
	}
	if r.DateOfBirth.Set {
		dob := ""
		if r.DateOfBirth.has() {
			dob, _ = parseDOB(r.DateOfBirth.V)
		}
		if dob != c.DateOfBirth {
			c.DateOfBirth, ch.fields = dob, true
		}
	}
	if r.CustomFields.has() {
		for _, f := range r.CustomFields.V {
			id := f.ID
			if id == "" {
				id = f.Key
			}
			i := slices.IndexFunc(c.CustomFields, func(x CustomField) bool { return x.ID == id })
			switch {
			case i >= 0 && f.FieldValue == nil:
				c.CustomFields = slices.Delete(c.CustomFields, i, i+1)
				ch.fields = true
			case i >= 0:
				if !jsonEqual(c.CustomFields[i].Value, f.FieldValue) {
					c.CustomFields[i].Value, ch.fields = f.FieldValue, true
				}
			case f.FieldValue != nil:
				c.CustomFields = append(c.CustomFields, CustomField{ID: id, Value: f.FieldValue})
				ch.fields = true
			}
		}
	}
	if r.Tags.Set {
		tags := normTags(r.Tags.V)
		if !slices.Equal(tags, c.Tags) {
			c.Tags, ch.tags = tags, true
		}
	}
	if r.DND.Set && !r.DND.Null && r.DND.V != c.DND {
		c.DND, ch.dnd = r.DND.V, true
	}
	if r.DNDSettings.has() {
		if c.DNDSettings == nil {
			c.DNDSettings = map[string]DNDSetting{}
		}
		for k, v := range r.DNDSettings.V {
			if c.DNDSettings[k] != v {
				c.DNDSettings[k], ch.dnd = v, true
			}
		}
	}
	if r.InboundDNDSettings.has() {
		if all, ok := r.InboundDNDSettings.V["all"]; ok && (c.InboundDND == nil || *c.InboundDND != all) {
			c.InboundDND, ch.dnd = &all, true
		}
	}
	return ch
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
