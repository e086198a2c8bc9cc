package ghlsandbox_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
)

func TestTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	id := e.createContact(map[string]any{"email": "tags@example.com", "tags": []string{"a"}})
	steps := []struct {
		method string
		tags   []string
		status int
		want   []any
	}{
		{"POST", []string{"B", "c"}, http.StatusCreated, []any{"a", "b", "c"}},
		{"POST", []string{"a"}, http.StatusCreated, []any{"a", "b", "c"}},
		{"DELETE", []string{"a", "zz"}, http.StatusOK, []any{"b", "c"}},
		{"DELETE", []string{"b", "c"}, http.StatusOK, []any{}},
	}
	for i, st := range steps {
		r := e.do(req{method: st.method, path: "/contacts/" + id + "/tags", body: map[string]any{"tags": st.tags}})
		mustStatus(t, r, st.status)
		if diff := cmp.Diff(map[string]any{"tags": st.want}, r.json(t)); diff != "" {
			t.Errorf("step %d %s (-want +got):\n%s", i, st.method, diff)
		}
	}
	mustStatus(t, e.do(req{method: "POST", path: "/contacts/AAAAAAAAAAAAAAAAAAAA/tags", body: map[string]any{"tags": []string{"x"}}}), http.StatusNotFound)
}

func TestTasks(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	id := e.createContact(map[string]any{"email": "tasks@example.com"})
	base := "/contacts/" + id + "/tasks"
	r := e.do(req{method: "POST", path: base, body: map[string]any{"title": "Call", "body": "about quote", "dueDate": "2026-05-01T10:00:00Z", "completed": false}})
	mustStatus(t, r, http.StatusCreated)
	var created struct {
		Task struct {
			ID, Title, DueDate, ContactID string
			Completed                     bool
		} `json:"task"`
	}
	r.decode(t, &created)
	tid := created.Task.ID
	if !idRE.MatchString(tid) || created.Task.DueDate != "2026-05-01T10:00:00.000Z" || created.Task.ContactID != id {
		t.Fatalf("created task = %+v", created.Task)
	}
	mustStatus(t, e.do(req{method: "POST", path: base, body: map[string]any{"title": "x"}, specInvalid: true}), http.StatusUnprocessableEntity)

	r = e.do(req{method: "PUT", path: base + "/" + tid, body: map[string]any{"title": "Call back"}})
	mustStatus(t, r, http.StatusOK)
	r = e.do(req{method: "PUT", path: base + "/" + tid + "/completed", body: map[string]any{"completed": true}})
	mustStatus(t, r, http.StatusOK)
	if got := e.sb.Tasks(e.loc.ID, id); len(got) != 1 || !got[0].Completed || got[0].Title != "Call back" {
		t.Fatalf("tasks = %+v", got)
	}
	r = e.do(req{method: "GET", path: base})
	mustStatus(t, r, http.StatusOK)
	if n := len(r.json(t)["tasks"].([]any)); n != 1 {
		t.Errorf("listed %d tasks, want 1", n)
	}
	mustStatus(t, e.do(req{method: "GET", path: base + "/" + tid}), http.StatusOK)

	// Search by location.
	other := e.createContact(map[string]any{"email": "other@example.com"})
	for i := 0; i < 30; i++ {
		if _, err := e.sb.CreateTask(e.loc.ID, other, ghlsandbox.Task{Title: "bulk", DueDate: time.Now().Add(time.Duration(i) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"default limit 25", map[string]any{}, 25},
		{"by contact", map[string]any{"contactId": []string{id}}, 1},
		{"completed", map[string]any{"completed": true}, 1},
		{"open, skip 20", map[string]any{"completed": false, "skip": 20, "limit": 100}, 10},
		{"query", map[string]any{"query": "call back"}, 1},
	}
	t.Run("search", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				r := e.do(req{method: "POST", path: "/locations/" + e.loc.ID + "/tasks/search", body: tt.body})
				mustStatus(t, r, http.StatusOK)
				if n := len(r.json(t)["tasks"].([]any)); n != tt.want {
					t.Errorf("found %d tasks, want %d", n, tt.want)
				}
			})
		}
	})
	t.Run("delete", func(t *testing.T) {
		r := e.do(req{method: "DELETE", path: base + "/" + tid})
		mustStatus(t, r, http.StatusOK)
		if diff := cmp.Diff(map[string]any{"succeded": true}, r.json(t)); diff != "" {
			t.Error(diff)
		}
		mustStatus(t, e.do(req{method: "GET", path: base + "/" + tid}), http.StatusNotFound)
	})
}

func TestTaskSearchScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	tok, err := e.sb.IssuePrivateToken(e.loc.ID, "contacts.readonly", "contacts.write")
	if err != nil {
		t.Fatal(err)
	}
	r := e.do(req{method: "POST", path: "/locations/" + e.loc.ID + "/tasks/search", body: map[string]any{}, token: &tok})
	mustStatus(t, r, http.StatusUnauthorized)
	if diff := cmp.Diff(map[string]any{"statusCode": 401.0, "message": "The token is not authorized for this scope.", "error": "Unauthorized"}, r.json(t)); diff != "" {
		t.Error(diff)
	}
}

func TestNotes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	id := e.createContact(map[string]any{"email": "notes@example.com"})
	base := "/contacts/" + id + "/notes"
	r := e.do(req{method: "POST", path: base, body: map[string]any{"body": "first", "title": "T", "pinned": true}})
	mustStatus(t, r, http.StatusCreated)
	nid := r.json(t)["note"].(map[string]any)["id"].(string)
	r = e.do(req{method: "PUT", path: base + "/" + nid, body: map[string]any{"body": "edited"}})
	mustStatus(t, r, http.StatusOK)
	if got := r.json(t)["note"].(map[string]any); got["body"] != "edited" || got["pinned"] != true {
		t.Errorf("updated note = %v", got)
	}
	r = e.do(req{method: "GET", path: base})
	mustStatus(t, r, http.StatusOK)
	if n := len(r.json(t)["notes"].([]any)); n != 1 {
		t.Errorf("listed %d notes", n)
	}
	mustStatus(t, e.do(req{method: "GET", path: base + "/" + nid}), http.StatusOK)
	mustStatus(t, e.do(req{method: "DELETE", path: base + "/" + nid}), http.StatusOK)
	if n := e.sb.Notes(e.loc.ID, id); len(n) != 0 {
		t.Errorf("notes after delete = %+v", n)
	}
	mustStatus(t, e.do(req{method: "GET", path: base + "/" + nid}), http.StatusNotFound)
}

func TestAppointments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	id := e.createContact(map[string]any{"email": "appt@example.com"})
	r := e.do(req{method: "POST", path: "/calendars/events/appointments", body: map[string]any{"calendarId": e.loc.CalendarID, "locationId": e.loc.ID,
		"contactId": id, "startTime": "2026-06-01T15:00:00Z", "title": "Consult", "appointmentStatus": "confirmed"}})
	mustStatus(t, r, http.StatusOK)
	aid := r.json(t)["id"].(string)

	r = e.do(req{method: "GET", path: "/calendars/events/appointments/" + aid})
	mustStatus(t, r, http.StatusOK)
	ev := r.json(t)["event"].(map[string]any)
	if ev["startTime"] != "2026-06-01T15:00:00Z" || ev["endTime"] != "2026-06-01T15:30:00Z" || ev["contactId"] != id {
		t.Errorf("event = %v", ev)
	}
	r = e.do(req{method: "PUT", path: "/calendars/events/appointments/" + aid, body: map[string]any{"title": "Consult (moved)", "startTime": "2026-06-02T15:00:00Z", "endTime": "2026-06-02T16:00:00Z"}})
	mustStatus(t, r, http.StatusOK)

	r = e.do(req{method: "GET", path: "/contacts/" + id + "/appointments"})
	mustStatus(t, r, http.StatusOK)
	evs := r.json(t)["events"].([]any)
	if len(evs) != 1 || evs[0].(map[string]any)["startTime"] != "2026-06-02 15:00:00" || evs[0].(map[string]any)["title"] != "Consult (moved)" {
		t.Errorf("contact events = %v", evs)
	}
	wrong := "2021-07-28"
	mustStatus(t, e.do(req{method: "GET", path: "/calendars/events/appointments/" + aid, version: &wrong, specInvalid: true}), http.StatusBadRequest)

	r = e.do(req{method: "DELETE", path: "/calendars/events/" + aid, body: map[string]any{}})
	mustStatus(t, r, http.StatusCreated)
	if diff := cmp.Diff(map[string]any{"succeeded": true}, r.json(t)); diff != "" {
		t.Error(diff)
	}
	if got := e.sb.Appointments(e.loc.ID, id); len(got) != 0 {
		t.Errorf("appointments after delete = %+v", got)
	}
	mustStatus(t, e.do(req{method: "GET", path: "/calendars/events/appointments/" + aid}), http.StatusNotFound)
}

func TestBusinesses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	r := e.do(req{method: "POST", path: "/businesses/", body: map[string]any{"name": "Acme", "locationId": e.loc.ID}})
	mustStatus(t, r, http.StatusCreated)
	bid := r.json(t)["buiseness"].(map[string]any)["id"].(string)
	id := e.createContact(map[string]any{"email": "biz@example.com"})
	if _, err := e.sb.UpdateContact(e.loc.ID, id, func(c *ghlsandbox.Contact) { c.BusinessID = bid }); err != nil {
		t.Fatal(err)
	}
	e.createContact(map[string]any{"email": "nobiz@example.com"})
	r = e.do(req{method: "GET", path: "/contacts/business/" + bid + "?locationId=" + e.loc.ID})
	mustStatus(t, r, http.StatusOK)
	got := r.json(t)
	if got["count"] != 1.0 || got["contacts"].([]any)[0].(map[string]any)["id"] != id {
		t.Errorf("contacts of business = %v", got)
	}
	mustStatus(t, e.do(req{method: "GET", path: "/businesses/" + bid}), http.StatusOK)
	mustStatus(t, e.do(req{method: "PUT", path: "/businesses/" + bid, body: map[string]any{"city": "Austin"}}), http.StatusOK)
	r = e.do(req{method: "GET", path: "/businesses/?locationId=" + e.loc.ID})
	mustStatus(t, r, http.StatusOK)
	if n := len(r.json(t)["businesses"].([]any)); n != 1 {
		t.Errorf("businesses = %d", n)
	}
	mustStatus(t, e.do(req{method: "DELETE", path: "/businesses/" + bid}), http.StatusOK)
	if c, _ := e.sb.Contact(e.loc.ID, id); c.BusinessID != "" {
		t.Errorf("contact still linked to deleted business")
	}
}
