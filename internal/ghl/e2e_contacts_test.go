package ghl_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox/sandboxtest"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// person is the part of a stored contact the contact tests look at.
type person struct {
	FirstName, Email, Phone, Gender, CompanyName, City, DateOfBirth string
	Tags                                                            []string
	DND                                                             bool
	DNDSettings                                                     map[string]ghlsandbox.DNDSetting
	CustomFields                                                    []ghlsandbox.CustomField
}

func personOf(c ghlsandbox.Contact) person {
	return person{FirstName: c.FirstName, Email: c.Email, Phone: c.Phone, Gender: c.Gender, CompanyName: c.CompanyName, City: c.City,
		DateOfBirth: c.DateOfBirth, Tags: c.Tags, DND: c.DND, DNDSettings: c.DNDSettings, CustomFields: c.CustomFields}
}

// people reads every contact of the location, oldest first.
func (e *env) people() []person {
	var out []person
	for _, c := range e.sb.Contacts(e.loc.ID) {
		out = append(out, personOf(c))
	}
	return out
}

func TestE2EContactLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	ctx := t.Context()

	// Create: 201, stored as GHL stores it (phone E.164, tags lower-case).
	created := e.createContact(ghl.CreateContactRequest{
		FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com", Phone: "(555) 010-2030",
		CompanyName: "Analytical Engines", Gender: "female", City: "London", Tags: []string{"Lead", "VIP"},
		DateOfBirth: "1815-12-10", DND: ghl.Ptr(true), DNDSettings: &ghl.DNDSettings{SMS: &ghl.DNDSetting{Status: "active", Message: "STOP"}},
		CustomFields: []ghl.CustomFieldValue{{ID: "cfInterest", FieldValue: "engines"}},
	})
	want := person{FirstName: "Ada", Email: "ada@example.com", Phone: "+15550102030", Gender: "female",
		CompanyName: "Analytical Engines", City: "London", Tags: []string{"lead", "vip"}, DateOfBirth: "1815-12-10T00:00:00.000Z",
		DND: true, DNDSettings: map[string]ghlsandbox.DNDSetting{"SMS": {Status: "active", Message: "STOP"}},
		CustomFields: []ghlsandbox.CustomField{{ID: "cfInterest", Value: "engines"}}}
	if d := cmp.Diff(want, personOf(e.contact(created.ID))); d != "" {
		t.Errorf("stored after create (-want +got):\n%s", d)
	}

	// Get returns what create returned.
	got, _, err := e.c.Contacts.Get(ctx, created.ID)
	e.must(err)
	if d := cmp.Diff(created, got); d != "" {
		t.Errorf("get after create (-create +get):\n%s", d)
	}

	// Update changes only what it sends and bumps dateUpdated.
	e.clock.Advance(time.Minute)
	updated, _, err := e.c.Contacts.Update(ctx, created.ID, &ghl.UpdateContactRequest{
		FirstName: ghl.Ptr("Augusta"), City: ghl.Ptr("Marylebone"), DNDSettings: &ghl.DNDSettings{SMS: &ghl.DNDSetting{Status: "inactive"}},
	})
	e.must(err)
	want.FirstName, want.City = "Augusta", "Marylebone"
	want.DNDSettings = map[string]ghlsandbox.DNDSetting{"SMS": {Status: "inactive"}}
	stored := e.contact(created.ID)
	if d := cmp.Diff(want, personOf(stored)); d != "" {
		t.Errorf("stored after update (-want +got):\n%s", d)
	}
	if !stored.DateUpdated.Equal(e.clock.Now()) || !updated.DateUpdated.Equal(e.clock.Now()) {
		t.Errorf("dateUpdated stored %v, returned %v, want %v", stored.DateUpdated, updated.DateUpdated, e.clock.Now())
	}
	if updated.FirstName != "Augusta" || updated.City != "Marylebone" {
		t.Errorf("update returned %+v", updated)
	}

	// Delete answers {succeded: true}; the contact is gone; get is a 404.
	resp, err := e.c.Contacts.Delete(ctx, created.ID)
	e.must(err)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("delete status %d, want 200", resp.StatusCode)
	}
	if dels := e.rec.exchanges(http.MethodDelete, "/contacts/"+created.ID); len(dels) != 1 || string(dels[0].response) != `{"succeded":true}` {
		t.Errorf("delete exchanges %+v, want one answered {\"succeded\":true}", dels)
	}
	if _, ok := e.sb.Contact(e.loc.ID, created.ID); ok {
		t.Error("contact still in the sandbox after delete")
	}
	_, _, err = e.c.Contacts.Get(ctx, created.ID)
	ae := e.apiError(err, http.StatusNotFound, "")
	if ae.Operation != "get-contact" || ae.Path != "/contacts/"+created.ID {
		t.Errorf("404 names %s %s", ae.Operation, ae.Path)
	}
}

// TestE2EUpdateRefusesCreateOnlyFields: GHL refuses locationId,
// companyName and gender on PUT with 422 "property x should not exist".
// UpdateContactRequest cannot send them; a hand-built request that does is
// refused by the spec and by the sandbox alike, and changes nothing.
func TestE2EUpdateRefusesCreateOnlyFields(t *testing.T) {
	t.Parallel()
	refused := []string{"locationId", "companyName", "gender"}
	typ := reflect.TypeFor[ghl.UpdateContactRequest]()
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		for _, r := range refused {
			if name == r {
				t.Errorf("UpdateContactRequest.%s sends %q, which GHL refuses on update", typ.Field(i).Name, r)
			}
		}
	}

	e := newEnv(t, envConfig{})
	c := e.createContact(ghl.CreateContactRequest{Email: "grace@example.com", CompanyName: "Navy", Gender: "female"})
	before := e.contact(c.ID)
	ep := &ghl.Endpoint{OperationID: "update-contact", Method: http.MethodPut, Path: "/contacts/{contactId}", Version: ghl.Version20210728, Safety: ghl.Idempotent}
	for _, field := range refused {
		t.Run(field, func(t *testing.T) {
			t.Parallel()
			e := e.in(t)
			req, err := e.c.NewRequest(t.Context(), ep, []string{c.ID}, nil, map[string]any{field: "x", "firstName": "Grace"})
			e.must(err)
			req.Header.Set(sandboxtest.HeaderSpecInvalid, "1")
			_, err = e.c.Do(req, nil)
			ae := e.apiError(err, http.StatusUnprocessableEntity, "")
			if d := cmp.Diff([]string{"property " + field + " should not exist"}, ae.Messages); d != "" {
				t.Errorf("422 messages (-want +got):\n%s", d)
			}
			if d := cmp.Diff(before, e.contact(c.ID)); d != "" {
				t.Errorf("refused update changed the contact (-before +after):\n%s", d)
			}
		})
	}
}

func TestE2EUpsert(t *testing.T) {
	t.Parallel()
	// Every case starts from A and B, created in that order.
	a := ghl.CreateContactRequest{FirstName: "Ann", Email: "ann@example.com", Phone: "+15550000001", Gender: "female"}
	b := ghl.CreateContactRequest{FirstName: "Bob", Email: "bob@example.com", Phone: "+15550000002", Gender: "male"}
	pa := person{FirstName: "Ann", Email: "ann@example.com", Phone: "+15550000001", Gender: "female"}
	pb := person{FirstName: "Bob", Email: "bob@example.com", Phone: "+15550000002", Gender: "male"}
	with := func(p person, f func(*person)) person { f(&p); return p }
	tests := []struct {
		name      string
		allowDup  bool
		order     []string // match priority; default email, phone
		req       ghl.UpsertContactRequest
		wantNew   bool
		wantMatch int // index of the matched contact (0 A, 1 B) when !wantNew
		want      []person
	}{
		{
			name:    "no match creates",
			req:     ghl.UpsertContactRequest{CreateContactRequest: ghl.CreateContactRequest{FirstName: "Cy", Email: "cy@example.com", Phone: "+15550000003"}},
			wantNew: true,
			want:    []person{pa, pb, {FirstName: "Cy", Email: "cy@example.com", Phone: "+15550000003"}},
		},
		{
			name: "matches by email and takes a free phone",
			req:  ghl.UpsertContactRequest{CreateContactRequest: ghl.CreateContactRequest{FirstName: "Anne", Email: "ann@example.com", Phone: "+15550000009"}},
			want: []person{with(pa, func(p *person) { p.FirstName, p.Phone = "Anne", "+15550000009" }), pb},
		},
		{
			name:      "matches by phone when the email is unknown",
			req:       ghl.UpsertContactRequest{CreateContactRequest: ghl.CreateContactRequest{Email: "robert@example.com", Phone: "555-000-0002"}},
			wantMatch: 1,
			want:      []person{pa, with(pb, func(p *person) { p.Email = "robert@example.com" })},
		},
		{
			// NOTES §4.3, issue #37: the email wins and the phone, which
			// belongs to B, is silently dropped from A; B is untouched.
			name: "phone of another contact silently dropped",
			req:  ghl.UpsertContactRequest{CreateContactRequest: ghl.CreateContactRequest{FirstName: "Annie", Email: "ann@example.com", Phone: "+15550000002"}},
			want: []person{with(pa, func(p *person) { p.FirstName = "Annie" }), pb},
		},
		{
			name:      "phone first: the email of another contact is dropped",
			order:     []string{"phone", "email"},
			req:       ghl.UpsertContactRequest{CreateContactRequest: ghl.CreateContactRequest{FirstName: "Bobby", Email: "ann@example.com", Phone: "+15550000002"}},
			wantMatch: 1,
			want:      []person{pa, with(pb, func(p *person) { p.FirstName = "Bobby" })},
		},
		{
			// Issue #313: gender is ignored for an existing contact.
			name: "gender ignored on update",
			req:  ghl.UpsertContactRequest{CreateContactRequest: ghl.CreateContactRequest{Email: "ann@example.com", Gender: "male", City: "Leeds"}},
			want: []person{with(pa, func(p *person) { p.City = "Leeds" }), pb},
		},
		{
			name:     "duplicates allowed and createNewIfDuplicateAllowed creates",
			allowDup: true,
			req: ghl.UpsertContactRequest{CreateContactRequest: ghl.CreateContactRequest{FirstName: "Ann2", Email: "ann@example.com"},
				CreateNewIfDuplicateAllowed: ghl.Ptr(true)},
			wantNew: true,
			want:    []person{pa, pb, {FirstName: "Ann2", Email: "ann@example.com"}},
		},
		{
			name:     "duplicates allowed without createNewIfDuplicateAllowed still matches",
			allowDup: true,
			req:      ghl.UpsertContactRequest{CreateContactRequest: ghl.CreateContactRequest{FirstName: "Ann3", Email: "ann@example.com"}},
			want:     []person{with(pa, func(p *person) { p.FirstName = "Ann3" }), pb},
		},
		{
			name: "createNewIfDuplicateAllowed ignored when duplicates are not allowed",
			req: ghl.UpsertContactRequest{CreateContactRequest: ghl.CreateContactRequest{FirstName: "Ann4", Email: "ann@example.com"},
				CreateNewIfDuplicateAllowed: ghl.Ptr(true)},
			want: []person{with(pa, func(p *person) { p.FirstName = "Ann4" }), pb},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{})
			ids := []string{e.createContact(a).ID}
			e.clock.Advance(time.Second) // dateAdded orders A, B, then a new one
			ids = append(ids, e.createContact(b).ID)
			e.clock.Advance(time.Second)
			e.must(e.sb.SetAllowDuplicates(e.loc.ID, tt.allowDup, tt.order...))

			req := tt.req
			req.LocationID = e.loc.ID
			res, resp, err := e.c.Contacts.Upsert(t.Context(), &req)
			e.must(err)
			if resp.StatusCode != http.StatusOK || res.New != tt.wantNew || res.TraceID == "" {
				t.Errorf("upsert: status %d new %v traceId %q, want 200 new %v with a traceId", resp.StatusCode, res.New, res.TraceID, tt.wantNew)
			}
			if !tt.wantNew && res.Contact.ID != ids[tt.wantMatch] {
				t.Errorf("upsert updated %s, want %s", res.Contact.ID, ids[tt.wantMatch])
			}
			if tt.wantNew && (res.Contact.ID == ids[0] || res.Contact.ID == ids[1]) {
				t.Errorf("upsert reported new but returned existing %s", res.Contact.ID)
			}
			if d := cmp.Diff(tt.want, e.people(), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("sandbox contacts after upsert (-want +got):\n%s", d)
			}
			if got := e.sb.RequestCount("upsert-contact"); got != 1 {
				t.Errorf("upsert requests = %d, want 1", got)
			}
		})
	}
}
