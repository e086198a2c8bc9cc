package incidentiofake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	iio "github.com/ghlsync/ghlsync/internal/incidentio"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiofake"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiospec"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

const key = "fake-test-key"

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type rig struct {
	fake  *incidentiofake.Fake
	chk   *incidentiospec.Checker
	clock *incidentiofake.Clock
	api   *iio.Client
	srv   *httptest.Server
}

// newRig serves a fake behind the spec checker: every request and every
// response of these tests is validated against openapi3.json.
func newRig(t *testing.T, opts incidentiofake.Options, clientOpts ...iio.Option) *rig {
	t.Helper()
	v, err := incidentiospec.Shared()
	if err != nil {
		t.Fatal(err)
	}
	clock := incidentiofake.NewClock(epoch)
	opts.APIKey, opts.Clock, opts.Examples = key, clock, v.WebhookExample
	f, err := incidentiofake.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	chk := incidentiospec.Checked(t, f)
	srv := httptest.NewServer(chk)
	t.Cleanup(srv.Close)
	all := append([]iio.Option{iio.WithBaseURL(srv.URL), iio.WithAPIKey(key), iio.WithClock(clock)}, clientOpts...)
	api, err := iio.NewClient(srv.Client(), all...)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{fake: f, chk: chk, clock: clock, api: api, srv: srv}
}

func (r *rig) contactType(t *testing.T) (*iio.CatalogType, map[string]string) {
	t.Helper()
	ctx := t.Context()
	ct, _, err := r.api.CatalogTypes.Create(ctx, &iio.CreateCatalogTypeRequest{Name: "GHL Contact", Description: "d", TypeName: `Custom["GhlContact"]`})
	if err != nil {
		t.Fatal(err)
	}
	ct, _, err = r.api.CatalogTypes.UpdateSchema(ctx, ct.ID, &iio.UpdateCatalogTypeSchemaRequest{Version: ct.Schema.Version, Attributes: []iio.CatalogTypeAttribute{
		{Name: "Email", Type: "String", Mode: "api"}, {Name: "Tags", Type: "String", Array: true, Mode: "api"}}})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, a := range ct.Schema.Attributes {
		ids[a.Name] = a.ID
	}
	return ct, ids
}

func TestCatalogUpsertAndPagination(t *testing.T) {
	t.Parallel()
	r := newRig(t, incidentiofake.Options{})
	ctx := t.Context()
	ct, attrs := r.contactType(t)
	// A stale schema version is refused.
	if _, _, err := r.api.CatalogTypes.UpdateSchema(ctx, ct.ID, &iio.UpdateCatalogTypeSchemaRequest{Version: 1, Attributes: ct.Schema.Attributes}); !isStatus(err, 422) {
		t.Errorf("stale version: %v", err)
	}
	put := func(ext, name string) *iio.CatalogEntry {
		e, _, err := r.api.CatalogEntries.Create(ctx, &iio.CatalogEntryRequest{CatalogTypeID: ct.ID, Name: name, ExternalID: ext, Aliases: []string{ext + "@example.com"},
			AttributeValues: map[string]iio.CatalogAttributeSet{attrs["Email"]: {Value: &iio.CatalogAttributeValue{Literal: ext + "@example.com"}},
				attrs["Tags"]: {ArrayValue: []iio.CatalogAttributeValue{{Literal: "a"}, {Literal: "b"}}}}})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	first := put("c1", "One")
	again := put("c1", "One renamed")
	if again.ID != first.ID || again.Name != "One renamed" || again.Literal(attrs["Email"]) != "c1@example.com" || len(again.Literals(attrs["Tags"])) != 2 {
		t.Errorf("upsert: %+v then %+v", first, again)
	}
	for _, ext := range []string{"c2", "c3", "c4", "c5"} {
		put(ext, strings.ToUpper(ext))
	}
	var got []string
	for e, err := range r.api.CatalogEntries.All(ctx, iio.ListCatalogEntriesOptions{CatalogTypeID: ct.ID, PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.ExternalID)
	}
	if d := cmp.Diff([]string{"c1", "c2", "c3", "c4", "c5"}, got); d != "" {
		t.Errorf("paged entries (-want +got):\n%s", d)
	}
	e, _, err := r.api.CatalogEntries.FindByIdentifier(ctx, ct.ID, "c3@example.com")
	if err != nil || e.ExternalID != "c3" {
		t.Errorf("by alias: %+v %v", e, err)
	}
	// An attribute id the type does not have is refused.
	_, _, err = r.api.CatalogEntries.Create(ctx, &iio.CatalogEntryRequest{CatalogTypeID: ct.ID, Name: "x", ExternalID: "x",
		AttributeValues: map[string]iio.CatalogAttributeSet{"nope": {Value: &iio.CatalogAttributeValue{Literal: "v"}}}})
	if !isStatus(err, 422) {
		t.Errorf("unknown attribute: %v", err)
	}
	upd, _, err := r.api.CatalogEntries.Update(ctx, first.ID, &iio.CatalogEntryRequest{Name: "One", AttributeValues: map[string]iio.CatalogAttributeSet{},
		UpdateAttributes: []string{attrs["Tags"]}})
	if err != nil || upd.Literal(attrs["Email"]) != "c1@example.com" || len(upd.Literals(attrs["Tags"])) != 0 {
		t.Errorf("partial update: %+v %v", upd, err)
	}
	if _, err := r.api.CatalogEntries.Delete(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.api.CatalogEntries.Delete(ctx, first.ID); !errors.Is(err, iio.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if n := len(r.fake.Entries("GHL Contact")); n != 4 {
		t.Errorf("%d entries left", n)
	}
}

// TestRateLimit: the fake's bucket answers 429 with Retry-After, the
// documented headers and body once a client that does not pace itself
// (a burst above the fake's) spends it; the client recovers by waiting.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	r := newRig(t, incidentiofake.Options{RatePerMinute: 60, Burst: 5}, iio.WithBurst(50))
	for i := range 8 {
		if _, _, err := r.api.CustomFields.List(t.Context()); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	st := r.fake.Stats()
	if st.RateLimited == 0 || st.Requests != 8+st.RateLimited {
		t.Errorf("stats %+v: want 429s, each retried", st)
	}
	if r.clock.Slept() < 2*time.Second {
		t.Errorf("slept %s: Retry-After not honoured", r.clock.Slept())
	}
	// The raw 429.
	req, _ := http.NewRequest("GET", r.srv.URL+"/v2/custom_fields", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	var last *http.Response
	for range 10 {
		resp, err := r.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		last = resp
	}
	if last.StatusCode != 429 || last.Header.Get("Retry-After") == "" || last.Header.Get("X-RateLimit-Remaining") != "0" || last.Header.Get("X-RateLimit-Limit") != "60, 60;window=60" {
		t.Errorf("last answer %d %v", last.StatusCode, last.Header)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	r := newRig(t, incidentiofake.Options{})
	for _, auth := range []string{"", "Bearer wrong"} {
		req, _ := http.NewRequest("GET", r.srv.URL+"/v2/custom_fields", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		} else {
			req.Header.Set(incidentiospec.HeaderSpecInvalid, "1")
		}
		resp, err := r.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Type   string `json:"type"`
			Status int    `json:"status"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 401 || body.Type != "authentication_error" || body.Status != 401 {
			t.Errorf("auth %q: %d %+v", auth, resp.StatusCode, body)
		}
	}
}

// TestIncidentsAndWebhooks: incidents filter by the catalog field, private
// ones are hidden without access, and every emitted payload matches the
// spec's schema of its event type, signed so a verifier accepts it.
func TestIncidentsAndWebhooks(t *testing.T) {
	t.Parallel()
	for _, access := range []bool{true, false} {
		t.Run(map[bool]string{true: "private access", false: "no private access"}[access], func(t *testing.T) {
			t.Parallel()
			r := newRig(t, incidentiofake.Options{PrivateAccess: access})
			ctx := t.Context()
			ct, _ := r.contactType(t)
			var got []json.RawMessage
			var mu sync.Mutex
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				b, _ := io.ReadAll(req.Body)
				v := webhook.StandardVerifier{Secrets: []webhook.Secret{secret}, Now: r.clock.Now}
				if _, err := v.Verify(req.Header, b); err != nil {
					t.Errorf("delivery does not verify: %v", err)
				}
				mu.Lock()
				got = append(got, b)
				mu.Unlock()
			}))
			t.Cleanup(hook.Close)
			r.fake.AddEndpoint(incidentiofake.Endpoint{URL: hook.URL, Secret: secret})
			r.fake.AddEndpoint(incidentiofake.Endpoint{URL: hook.URL, Secret: secret, EventTypes: []string{"public_incident.follow_up_created_v2"}})
			for _, ext := range []string{"c1", "c2"} {
				if _, _, err := r.api.CatalogEntries.Create(ctx, &iio.CatalogEntryRequest{CatalogTypeID: ct.ID, Name: ext, ExternalID: ext}); err != nil {
					t.Fatal(err)
				}
			}
			fid, err := r.fake.CreateCustomField("GHL contacts", "multi_select", "GHL Contact")
			if err != nil {
				t.Fatal(err)
			}
			pub, _, err := r.fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Public", Contacts: map[string][]string{fid: {"c1", "c2"}}})
			if err != nil {
				t.Fatal(err)
			}
			priv, _, err := r.fake.CreateIncident(incidentiofake.IncidentSpec{Name: "Private", Private: true, Contacts: map[string][]string{"GHL contacts": {"c1"}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := r.fake.UpdateIncident(pub, incidentiofake.IncidentChange{Status: "Monitoring", Message: "Fix deployed"}); err != nil {
				t.Fatal(err)
			}
			fu, _ := r.fake.CreateFollowUp(pub, "Call", "")
			if _, _, err := r.api.FollowUps.Update(ctx, fu, &iio.UpdateFollowUpRequest{Title: "Call", Status: "completed"}); err != nil {
				t.Fatal(err)
			}
			act, _ := r.fake.CreateAction(priv, "Rotate keys")
			if access {
				if _, _, err := r.api.Actions.Update(ctx, act, &iio.UpdateActionRequest{Description: "Rotate keys", Status: "completed"}); err != nil {
					t.Fatal(err)
				}
			}
			ds, err := r.fake.Flush(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, d := range ds {
				types = append(types, d.EventType)
				if d.Status != 200 {
					t.Errorf("%s answered %d", d.ID, d.Status)
				}
			}
			want := []string{"public_incident.incident_created_v2", "private_incident.incident_created_v2", "public_incident.incident_updated_v2",
				"public_incident.incident_status_updated_v2", "public_incident.follow_up_created_v2", "public_incident.follow_up_created_v2",
				"public_incident.follow_up_updated_v2", "private_incident.action_created_v1"}
			if access {
				want = append(want, "private_incident.action_updated_v1")
			}
			if d := cmp.Diff(want, types); d != "" {
				t.Errorf("events (-want +got):\n%s", d)
			}
			v := r.chk.Validator()
			for _, b := range got {
				if err := v.ValidateWebhook(b); err != nil {
					t.Error(err)
				}
			}
			if !strings.Contains(string(got[1]), `"private_incident.incident_created_v2":{"id":"`+priv+`"}`) {
				t.Errorf("private payload: %s", got[1])
			}
			// A redelivery keeps the message id.
			re, err := r.fake.Redeliver(ctx, ds[0].ID)
			if err != nil || re.ID != ds[0].ID || string(re.Body) != string(ds[0].Body) {
				t.Errorf("redeliver: %+v %v", re, err)
			}

			// Listing by the contacts field, by entry id or external id.
			page, _, err := r.api.Incidents.List(ctx, &iio.ListIncidentsOptions{CustomFieldOneOf: map[string][]string{fid: {"c1"}}})
			if err != nil {
				t.Fatal(err)
			}
			wantN := 1
			if access {
				wantN = 2
			}
			if len(page.Incidents) != wantN {
				t.Errorf("%d incidents for c1, want %d", len(page.Incidents), wantN)
			}
			if _, _, err := r.api.Incidents.Get(ctx, priv); access == errors.Is(err, iio.ErrNotFound) {
				t.Errorf("private incident, access %t: %v", access, err)
			}
			inc, _, err := r.api.Incidents.Get(ctx, pub)
			if err != nil || inc.IncidentStatus.Name != "Monitoring" || len(inc.CatalogValues("GHL contacts")) != 2 {
				t.Errorf("incident %+v %v", inc, err)
			}
			ups, _, err := r.api.IncidentUpdates.List(ctx, &iio.ListIncidentUpdatesOptions{IncidentID: pub})
			if err != nil || len(ups.IncidentUpdates) != 1 || ups.IncidentUpdates[0].Message != "Fix deployed" {
				t.Errorf("updates %+v %v", ups, err)
			}
		})
	}
}

func TestAttachmentsAndUsers(t *testing.T) {
	t.Parallel()
	r := newRig(t, incidentiofake.Options{})
	ctx := t.Context()
	inc, _, _ := r.fake.CreateIncident(incidentiofake.IncidentSpec{Name: "x"})
	a, _, err := r.api.Attachments.Create(ctx, &iio.CreateIncidentAttachmentRequest{IncidentID: inc, Resource: iio.AttachmentResource{
		ResourceType: "arbitrary_url", URL: "https://ghl.example/c/1", Title: "GHL note", ExternalID: "ghl-note:1"}})
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := r.api.Attachments.List(ctx, &iio.ListIncidentAttachmentsOptions{ExternalID: "ghl-note:1"})
	if err != nil || len(list) != 1 || list[0].ID != a.ID || list[0].Resource.Permalink != "https://ghl.example/c/1" {
		t.Errorf("list %+v %v", list, err)
	}
	if _, err := r.api.Attachments.Delete(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := r.fake.Attachments(inc); len(got) != 0 {
		t.Errorf("after delete %+v", got)
	}
	uid := r.fake.AddUser("Lisa", "lisa@example.com")
	r.fake.AddUser("Bob", "bob@example.com")
	u, _, err := r.api.Users.ByEmail(ctx, "lisa@example.com")
	if err != nil || u.ID != uid {
		t.Errorf("user %+v %v", u, err)
	}
	var n int
	for _, err := range r.api.Users.All(ctx, iio.ListUsersOptions{PageSize: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d users", n)
	}
}

func TestVirtualClock(t *testing.T) {
	t.Parallel()
	c := incidentiofake.NewClock(epoch)
	_ = c.Sleep(t.Context(), time.Second)
	c.Advance(time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := c.Sleep(ctx, time.Hour); err == nil {
		t.Error("sleep on a done context")
	}
	if c.Now() != epoch.Add(61*time.Second) || c.Slept() != time.Second {
		t.Errorf("now %s slept %s", c.Now(), c.Slept())
	}
}

var secret = webhook.Secret([]byte("fake-webhook-secret-0123456789ab"))

func isStatus(err error, status int) bool {
	var e *iio.Error
	return errors.As(err, &e) && e.StatusCode == status
}
