package ghlsandbox_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
)

var (
	idRE   = regexp.MustCompile(`^[A-Za-z0-9]{20}$`)
	timeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
)

func TestContactLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})

	r := e.do(req{method: "POST", path: "/contacts/", body: map[string]any{"locationId": e.loc.ID, "firstName": "Ada", "lastName": "Byron",
		"email": "ada@example.com", "phone": "+1 (415) 555-0100", "tags": []string{"VIP", " lead ", "vip"}, "companyName": "Analytical Ltd",
		"dndSettings": map[string]any{"SMS": map[string]any{"status": "active"}}}})
	mustStatus(t, r, http.StatusCreated)
	var created struct {
		Contact map[string]any `json:"contact"`
	}
	r.decode(t, &created)
	id, _ := created.Contact["id"].(string)
	if !idRE.MatchString(id) {
		t.Fatalf("id %q is not a 20-char alphanumeric id", id)
	}
	for _, k := range []string{"dateAdded", "dateUpdated"} {
		if s, _ := created.Contact[k].(string); !timeRE.MatchString(s) {
			t.Errorf("%s = %q, want ISO-8601 with ms and Z", k, s)
		}
	}
	if diff := cmp.Diff([]any{"vip", "lead"}, created.Contact["tags"]); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}

	r = e.do(req{method: "GET", path: "/contacts/" + id})
	mustStatus(t, r, http.StatusOK)
	got := r.json(t)["contact"].(map[string]any)
	if got["phone"] != "+14155550100" || got["email"] != "ada@example.com" || got["companyName"] != "Analytical Ltd" {
		t.Errorf("stored contact = %v", got)
	}

	r = e.do(req{method: "PUT", path: "/contacts/" + id, body: map[string]any{"lastName": "Lovelace", "tags": []string{"customer"}}})
	mustStatus(t, r, http.StatusOK)
	up := r.json(t)
	if up["succeded"] != true || up["contact"].(map[string]any)["lastName"] != "Lovelace" {
		t.Errorf("update answer = %v", up)
	}
	c, ok := e.sb.Contact(e.loc.ID, id)
	if !ok || c.LastName != "Lovelace" || !cmp.Equal(c.Tags, []string{"customer"}) || c.DNDSettings["SMS"].Status != "active" {
		t.Errorf("state after PUT = %+v", c)
	}

	r = e.do(req{method: "DELETE", path: "/contacts/" + id})
	mustStatus(t, r, http.StatusOK)
	if diff := cmp.Diff(map[string]any{"succeded": true}, r.json(t)); diff != "" {
		t.Errorf("delete answer (-want +got):\n%s", diff)
	}
	r = e.do(req{method: "GET", path: "/contacts/" + id})
	mustStatus(t, r, http.StatusNotFound)
	if diff := cmp.Diff(map[string]any{"statusCode": 404.0, "message": "Contact not found", "error": "Not Found"}, r.json(t)); diff != "" {
		t.Errorf("404 body (-want +got):\n%s", diff)
	}
	if _, ok := e.sb.Contact(e.loc.ID, id); ok {
		t.Error("contact still stored after DELETE")
	}
}

func TestUnknownPropertiesAre422(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	id := e.createContact(map[string]any{"email": "x@example.com"})
	tests := []struct {
		name, method, path string
		body               map[string]any
		want               []any
	}{
		{"PUT locationId", "PUT", "/contacts/" + id, map[string]any{"locationId": e.loc.ID}, []any{"property locationId should not exist"}},
		{"PUT companyName and gender", "PUT", "/contacts/" + id, map[string]any{"companyName": "X", "gender": "female"},
			[]any{"property companyName should not exist", "property gender should not exist"}},
		{"create additionalEmails", "POST", "/contacts/", map[string]any{"locationId": e.loc.ID, "additionalEmails": []string{"a@b.c"}},
			[]any{"property additionalEmails should not exist"}},
		{"upsert unknown", "POST", "/contacts/upsert", map[string]any{"locationId": e.loc.ID, "nickname": "Al"}, []any{"property nickname should not exist"}},
		{"task unknown", "POST", "/contacts/" + id + "/tasks", map[string]any{"title": "t", "dueDate": "2026-01-01T00:00:00Z", "completed": false, "priority": 1},
			[]any{"property priority should not exist"}},
		{"note unknown", "POST", "/contacts/" + id + "/notes", map[string]any{"body": "b", "contactId": id}, []any{"property contactId should not exist"}},
		{"tags unknown", "POST", "/contacts/" + id + "/tags", map[string]any{"tags": []string{"a"}, "locationId": e.loc.ID}, []any{"property locationId should not exist"}},
	}
	t.Run("rejections", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				r := e.do(req{method: tt.method, path: tt.path, body: tt.body, specInvalid: true})
				mustStatus(t, r, http.StatusUnprocessableEntity)
				want := map[string]any{"statusCode": 422.0, "message": tt.want, "error": "Unprocessable Entity"}
				if diff := cmp.Diff(want, r.json(t)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			})
		}
	})
	if got := len(e.sb.Contacts(e.loc.ID)); got != 1 {
		t.Errorf("contacts = %d, want 1 (rejected writes must not create)", got)
	}
	if c, _ := e.sb.Contact(e.loc.ID, id); c.CompanyName != "" || len(c.Tags) != 0 || len(e.sb.Tasks(e.loc.ID, id)) != 0 {
		t.Errorf("rejected writes changed state: %+v", c)
	}
}

func TestCreateDuplicateRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	first := e.createContact(map[string]any{"email": "dup@example.com"})
	r := e.do(req{method: "POST", path: "/contacts/", body: map[string]any{"locationId": e.loc.ID, "email": "DUP@example.com"}})
	mustStatus(t, r, http.StatusBadRequest)
	meta := r.json(t)["meta"].(map[string]any)
	if meta["contactId"] != first || meta["matchingField"] != "email" {
		t.Errorf("meta = %v", meta)
	}
	if err := e.sb.SetAllowDuplicates(e.loc.ID, true); err != nil {
		t.Fatal(err)
	}
	e.createContact(map[string]any{"email": "dup@example.com"})
	if n := len(e.sb.Contacts(e.loc.ID)); n != 2 {
		t.Errorf("contacts = %d, want 2 once duplicates are allowed", n)
	}
}

func TestUpsertMatching(t *testing.T) {
	t.Parallel()
	type existing struct{ email, phone string }
	tests := []struct {
		name      string
		allowDup  bool
		order     []string
		existing  []existing
		body      map[string]any
		wantNew   bool
		wantMatch int    // index into existing when !wantNew
		wantPhone string // stored phone of the answered contact
		wantEmail string
		wantCount int
	}{
		{name: "no match creates", existing: []existing{{"a@example.com", "+15550000001"}},
			body: map[string]any{"email": "b@example.com"}, wantNew: true, wantEmail: "b@example.com", wantCount: 2},
		{name: "email match updates", existing: []existing{{"a@example.com", ""}},
			body: map[string]any{"email": "A@example.com", "phone": "+15550000009"}, wantMatch: 0, wantPhone: "+15550000009", wantEmail: "A@example.com", wantCount: 1},
		{name: "phone match replaces email", existing: []existing{{"old@example.com", "+15550000001"}},
			body: map[string]any{"email": "new@example.com", "phone": "+1 555 000 0001"}, wantMatch: 0, wantPhone: "+15550000001", wantEmail: "new@example.com", wantCount: 1},
		{name: "email first wins and phone is silently dropped", existing: []existing{{"a@example.com", "+15550000001"}, {"b@example.com", "+15550000002"}},
			body: map[string]any{"email": "a@example.com", "phone": "+15550000002"}, wantMatch: 0, wantPhone: "+15550000001", wantEmail: "a@example.com", wantCount: 2},
		{name: "phone first order wins", order: []string{"phone", "email"}, existing: []existing{{"a@example.com", "+15550000001"}, {"b@example.com", "+15550000002"}},
			body: map[string]any{"email": "a@example.com", "phone": "+15550000002"}, wantMatch: 1, wantPhone: "+15550000002", wantEmail: "b@example.com", wantCount: 2},
		{name: "createNewIfDuplicateAllowed with duplicates allowed creates", allowDup: true, existing: []existing{{"a@example.com", ""}},
			body: map[string]any{"email": "a@example.com", "createNewIfDuplicateAllowed": true}, wantNew: true, wantEmail: "a@example.com", wantCount: 2},
		{name: "createNewIfDuplicateAllowed ignored when duplicates are not allowed", existing: []existing{{"a@example.com", ""}},
			body: map[string]any{"email": "a@example.com", "createNewIfDuplicateAllowed": true}, wantMatch: 0, wantEmail: "a@example.com", wantCount: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, ghlsandbox.Options{})
			var ids []string
			for _, x := range tt.existing {
				c, err := e.sb.CreateContact(e.loc.ID, ghlsandbox.Contact{Email: x.email, Phone: x.phone})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, c.ID)
			}
			if err := e.sb.SetAllowDuplicates(e.loc.ID, tt.allowDup, tt.order...); err != nil {
				t.Fatal(err)
			}
			body := map[string]any{"locationId": e.loc.ID}
			for k, v := range tt.body {
				body[k] = v
			}
			r := e.do(req{method: "POST", path: "/contacts/upsert", body: body})
			mustStatus(t, r, http.StatusOK)
			var out struct {
				New     bool   `json:"new"`
				TraceID string `json:"traceId"`
				Contact struct {
					ID, Email, Phone string
				} `json:"contact"`
			}
			r.decode(t, &out)
			if out.New != tt.wantNew || out.TraceID == "" {
				t.Fatalf("new = %v traceId %q, want new %v", out.New, out.TraceID, tt.wantNew)
			}
			if !tt.wantNew && out.Contact.ID != ids[tt.wantMatch] {
				t.Errorf("matched %s, want %s", out.Contact.ID, ids[tt.wantMatch])
			}
			stored, _ := e.sb.Contact(e.loc.ID, out.Contact.ID)
			if stored.Phone != tt.wantPhone || stored.Email != tt.wantEmail {
				t.Errorf("stored email/phone = %q/%q, want %q/%q", stored.Email, stored.Phone, tt.wantEmail, tt.wantPhone)
			}
			if n := len(e.sb.Contacts(e.loc.ID)); n != tt.wantCount {
				t.Errorf("contacts = %d, want %d", n, tt.wantCount)
			}
		})
	}
}

func TestUpsertKeepsGender(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	id := e.createContact(map[string]any{"email": "g@example.com", "gender": "female"})
	r := e.do(req{method: "POST", path: "/contacts/upsert", body: map[string]any{"locationId": e.loc.ID, "email": "g@example.com", "gender": "male", "city": "Austin"}})
	mustStatus(t, r, http.StatusOK)
	c, _ := e.sb.Contact(e.loc.ID, id)
	if c.Gender != "female" || c.City != "Austin" {
		t.Errorf("gender/city = %q/%q, want female/Austin (upsert ignores gender of an existing contact)", c.Gender, c.City)
	}
}

func TestDuplicateSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	byEmail := e.createContact(map[string]any{"email": "e@example.com"})
	byPhone := e.createContact(map[string]any{"phone": "+15550001111"})
	tests := []struct {
		name, query, want string
	}{
		{"email", "email=e%40example.com", byEmail},
		{"number", "number=%2B15550001111", byPhone},
		{"email wins", "email=e%40example.com&number=%2B15550001111", byEmail},
		{"none", "email=nobody%40example.com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + e.loc.ID + "&" + tt.query})
			mustStatus(t, r, http.StatusOK)
			got := ""
			if c, ok := r.json(t)["contact"].(map[string]any); ok {
				got = c["id"].(string)
			}
			if got != tt.want {
				t.Errorf("duplicate = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestContactTimestampsFollowClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := ghlsandbox.NewFakeClock(start)
	e := newEnv(t, ghlsandbox.Options{Clock: clock})
	id := e.createContact(map[string]any{"email": "t@example.com"})
	clock.Advance(90 * time.Second)
	mustStatus(t, e.do(req{method: "PUT", path: "/contacts/" + id, body: map[string]any{"city": "Denver"}}), http.StatusOK)
	c, _ := e.sb.Contact(e.loc.ID, id)
	if !c.DateAdded.Equal(start) || !c.DateUpdated.Equal(start.Add(90*time.Second)) {
		t.Errorf("dateAdded/dateUpdated = %v/%v", c.DateAdded, c.DateUpdated)
	}
}
