package ghl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestBadInputSendsNothing(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv, _ := countingServer(t, func(int32, http.ResponseWriter, *http.Request) { hits.Add(1) })
	c := newTestClient(t, srv.Client(), srv.URL, newFakeClock())
	now := time.Now()
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Get empty id", func(ctx context.Context) error { _, _, err := c.Contacts.Get(ctx, ""); return err }},
		{"Get blank id", func(ctx context.Context) error { _, _, err := c.Contacts.Get(ctx, "  "); return err }},
		{"Update empty id", func(ctx context.Context) error {
			_, _, err := c.Contacts.Update(ctx, "", &UpdateContactRequest{})
			return err
		}},
		{"Update nil request", func(ctx context.Context) error { _, _, err := c.Contacts.Update(ctx, "c", nil); return err }},
		{"Delete empty id", func(ctx context.Context) error { _, err := c.Contacts.Delete(ctx, ""); return err }},
		{"Create nil", func(ctx context.Context) error { _, _, err := c.Contacts.Create(ctx, nil); return err }},
		{"Create no location", func(ctx context.Context) error {
			_, _, err := c.Contacts.Create(ctx, &CreateContactRequest{Email: "a@b.c"})
			return err
		}},
		{"Upsert no location", func(ctx context.Context) error {
			_, _, err := c.Contacts.Upsert(ctx, &UpsertContactRequest{})
			return err
		}},
		{"Search no location", func(ctx context.Context) error {
			_, _, err := c.Contacts.Search(ctx, &SearchContactsRequest{})
			return err
		}},
		{"Search pageLimit 101", func(ctx context.Context) error {
			_, _, err := c.Contacts.Search(ctx, &SearchContactsRequest{LocationID: "l", PageLimit: 101})
			return err
		}},
		{"List nil", func(ctx context.Context) error { _, _, err := c.Contacts.List(ctx, nil); return err }},
		{"FindDuplicate nothing", func(ctx context.Context) error {
			_, _, err := c.Contacts.FindDuplicate(ctx, &FindDuplicateOptions{LocationID: "l"})
			return err
		}},
		{"ListByBusiness empty id", func(ctx context.Context) error {
			_, _, err := c.Contacts.ListByBusiness(ctx, "", &ListByBusinessOptions{LocationID: "l"})
			return err
		}},
		{"AddTags empty id", func(ctx context.Context) error { _, _, err := c.Contacts.AddTags(ctx, "", []string{"x"}); return err }},
		{"AddTags no tags", func(ctx context.Context) error { _, _, err := c.Contacts.AddTags(ctx, "c", nil); return err }},
		{"RemoveTags empty id", func(ctx context.Context) error {
			_, _, err := c.Contacts.RemoveTags(ctx, "", []string{"x"})
			return err
		}},
		{"ListTasks empty id", func(ctx context.Context) error { _, _, err := c.Contacts.ListTasks(ctx, ""); return err }},
		{"GetTask empty task", func(ctx context.Context) error { _, _, err := c.Contacts.GetTask(ctx, "c", ""); return err }},
		{"CreateTask no due date", func(ctx context.Context) error {
			_, _, err := c.Contacts.CreateTask(ctx, "c", &CreateTaskRequest{Title: "t"})
			return err
		}},
		{"CreateTask empty contact", func(ctx context.Context) error {
			_, _, err := c.Contacts.CreateTask(ctx, "", &CreateTaskRequest{Title: "t", DueDate: now})
			return err
		}},
		{"UpdateTask empty task", func(ctx context.Context) error {
			_, _, err := c.Contacts.UpdateTask(ctx, "c", "", &UpdateTaskRequest{})
			return err
		}},
		{"CompleteTask empty contact", func(ctx context.Context) error {
			_, _, err := c.Contacts.CompleteTask(ctx, "", "t", true)
			return err
		}},
		{"DeleteTask empty task", func(ctx context.Context) error { _, err := c.Contacts.DeleteTask(ctx, "c", ""); return err }},
		{"SearchTasks empty location", func(ctx context.Context) error {
			_, _, err := c.Locations.SearchTasks(ctx, "", nil)
			return err
		}},
		{"ListNotes empty id", func(ctx context.Context) error { _, _, err := c.Contacts.ListNotes(ctx, ""); return err }},
		{"GetNote empty note", func(ctx context.Context) error { _, _, err := c.Contacts.GetNote(ctx, "c", ""); return err }},
		{"CreateNote empty body", func(ctx context.Context) error {
			_, _, err := c.Contacts.CreateNote(ctx, "c", &CreateNoteRequest{})
			return err
		}},
		{"UpdateNote empty contact", func(ctx context.Context) error {
			_, _, err := c.Contacts.UpdateNote(ctx, "", "n", &UpdateNoteRequest{})
			return err
		}},
		{"DeleteNote empty note", func(ctx context.Context) error { _, err := c.Contacts.DeleteNote(ctx, "c", ""); return err }},
		{"ListAppointments empty id", func(ctx context.Context) error {
			_, _, err := c.Contacts.ListAppointments(ctx, "")
			return err
		}},
		{"CreateAppointment missing contact", func(ctx context.Context) error {
			_, _, err := c.Calendars.CreateAppointment(ctx, &CreateAppointmentRequest{CalendarID: "c", LocationID: "l", StartTime: now})
			return err
		}},
		{"UpdateAppointment empty id", func(ctx context.Context) error {
			_, _, err := c.Calendars.UpdateAppointment(ctx, "", &UpdateAppointmentRequest{})
			return err
		}},
		{"ListEvents nil", func(ctx context.Context) error { _, _, err := c.Calendars.ListEvents(ctx, nil); return err }},
		{"ListEvents no location", func(ctx context.Context) error {
			_, _, err := c.Calendars.ListEvents(ctx, &ListEventsOptions{CalendarID: "c", StartTime: now, EndTime: now.Add(time.Hour)})
			return err
		}},
		{"ListEvents no calendar, user or group", func(ctx context.Context) error {
			_, _, err := c.Calendars.ListEvents(ctx, &ListEventsOptions{LocationID: "l", StartTime: now, EndTime: now.Add(time.Hour)})
			return err
		}},
		{"ListEvents end before start", func(ctx context.Context) error {
			_, _, err := c.Calendars.ListEvents(ctx, &ListEventsOptions{LocationID: "l", UserID: "u", StartTime: now, EndTime: now.Add(-time.Hour)})
			return err
		}},
		{"ListEvents empty window", func(ctx context.Context) error {
			_, _, err := c.Calendars.ListEvents(ctx, &ListEventsOptions{LocationID: "l", GroupID: "g", StartTime: now, EndTime: now})
			return err
		}},
		{"ListEvents no end", func(ctx context.Context) error {
			_, _, err := c.Calendars.ListEvents(ctx, &ListEventsOptions{LocationID: "l", CalendarID: "c", StartTime: now})
			return err
		}},
		{"List calendars no location", func(ctx context.Context) error {
			_, _, err := c.Calendars.List(ctx, &ListCalendarsOptions{GroupID: "g"})
			return err
		}},
		{"List calendars nil", func(ctx context.Context) error { _, _, err := c.Calendars.List(ctx, nil); return err }},
		{"ExchangeCode no secret", func(ctx context.Context) error {
			_, _, err := c.OAuth.ExchangeCode(ctx, ClientCredentials{ClientID: "id"}, &ExchangeCodeRequest{Code: "x"})
			return err
		}},
		{"RefreshToken empty token", func(ctx context.Context) error {
			_, _, err := c.OAuth.RefreshToken(ctx, testCreds, &RefreshTokenRequest{})
			return err
		}},
		{"LocationToken no company", func(ctx context.Context) error {
			_, _, err := c.OAuth.LocationToken(ctx, &LocationTokenRequest{LocationID: "l"})
			return err
		}},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.call(t.Context())
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("error %v, want ErrInvalidArgument", err)
			}
			if !strings.Contains(err.Error(), "ghl: ") {
				t.Errorf("error %q does not name the package and operation", err)
			}
		})
	}
	t.Cleanup(func() {
		if n := hits.Load(); n != 0 {
			t.Errorf("server saw %d requests, want none", n)
		}
	})
}

func TestIDsArePathEscaped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id, want string
	}{
		{"a/b", "/contacts/a%2Fb"},
		{"x?y=1", "/contacts/x%3Fy=1"},
		{"../tasks", "/contacts/..%2Ftasks"},
		{"sp ace#frag", "/contacts/sp%20ace%23frag"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			t.Parallel()
			var gotPath, gotQuery string
			srv, _ := countingServer(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
				gotPath, gotQuery = r.URL.EscapedPath(), r.URL.RawQuery
				writeJSON(w, 200, `{"contact":{"id":"ok"}}`)
			})
			c := newTestClient(t, srv.Client(), srv.URL, newFakeClock())
			if _, _, err := c.Contacts.Get(t.Context(), tt.id); err != nil {
				t.Fatal(err)
			}
			if gotPath != tt.want || gotQuery != "" {
				t.Errorf("server saw path %q query %q, want %q and none", gotPath, gotQuery, tt.want)
			}
		})
	}
}

func TestUnknownResponseFieldsTolerated(t *testing.T) {
	t.Parallel()
	srv := newSpecServer(t, func(int, *http.Request, []byte) reply {
		return jsonReply(200, `{"contact":{"id":"c1","email":"a@b.c","brandNew":{"nested":[1,2]},"dndSettings":{"RCS":{"status":"active"}}},"extra":true}`)
	})
	c := newTestClient(t, bearerClient(srv.Client()), srv.URL, newFakeClock())
	got, _, err := c.Contacts.Get(t.Context(), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "c1" || got.Email != "a@b.c" {
		t.Errorf("contact = %+v", got)
	}
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	// Errors of a token call and of a duplicate lookup (whose query holds
	// personal data) over a broken connection.
	srv, _ := countingServer(t, func(_ int32, w http.ResponseWriter, r *http.Request) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Error("no hijacker")
			return
		}
		conn, _, _ := hj.Hijack()
		conn.Close()
	})
	c := newTestClient(t, bearerClient(srv.Client()), srv.URL, newFakeClock(), WithMaxRetries(1))
	_, _, err := c.OAuth.RefreshToken(t.Context(), testCreds, &RefreshTokenRequest{RefreshToken: "rt-old"})
	if !errors.Is(err, ErrAmbiguous) {
		t.Errorf("refresh over a broken connection: %v, want ambiguous", err)
	}
	wantNoSecrets(t, err)
	_, _, err = c.Contacts.FindDuplicate(t.Context(), &FindDuplicateOptions{LocationID: "l", Email: "private.person@example.com", Number: "+15550001111"})
	if err == nil {
		t.Fatal("no error")
	}
	wantNoSecrets(t, err)
	for _, pii := range []string{"private.person", "5550001111"} {
		if strings.Contains(err.Error(), pii) {
			t.Errorf("error %q contains personal data", err)
		}
	}

	// Secret holders redact themselves.
	tok := &Token{AccessToken: testBearer, RefreshToken: "rt-old", LocationID: "loc"}
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	logger.Info("x", "creds", testCreds, "token", tok)
	for _, s := range []string{
		testCreds.String(), fmt.Sprintf("%v %+v %#v %s", testCreds, testCreds, testCreds, testCreds),
		tok.String(), fmt.Sprintf("%v %+v %#v %s", tok, tok, tok, tok), logs.String(),
	} {
		for _, secret := range []string{testBearer, testCreds.ClientSecret, "rt-old"} {
			if strings.Contains(s, secret) {
				t.Errorf("rendering leaks a secret: %s", s)
			}
		}
	}
	if !strings.Contains(logs.String(), "app-client-id") || !strings.Contains(logs.String(), `"location_id":"loc"`) {
		t.Errorf("log lost the non-secret fields: %s", logs.String())
	}
}

func TestNewClientOptions(t *testing.T) {
	t.Parallel()
	c, err := NewClient(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != DefaultBaseURL {
		t.Errorf("BaseURL = %q", c.BaseURL())
	}
	other, _ := NewClient(nil)
	if c.RateLimiter("loc") != other.RateLimiter("loc") {
		t.Error("clients on the system clock must share the process-wide limiters")
	}
	for _, opt := range []Option{WithBaseURL("ftp://x"), WithBaseURL("/relative"), WithMaxRetries(-1), WithBackoff(Backoff{}), WithClock(nil), WithRateLimiters(nil)} {
		if _, err := NewClient(nil, opt); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("option accepted: %v", err)
		}
	}
	c, err = NewClient(nil, WithBaseURL("http://127.0.0.1:8080/ghl/"))
	if err != nil || c.BaseURL() != "http://127.0.0.1:8080/ghl" {
		t.Errorf("BaseURL = %q, %v", c.BaseURL(), err)
	}
}
