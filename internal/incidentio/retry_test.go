package incidentio_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/incidentio"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiofake"
)

// TestRetryAfter: a 429 is retried after Retry-After (virtual time), for a
// non-idempotent request too, and the limiter holds later requests.
func TestRetryAfter(t *testing.T) {
	t.Parallel()
	v := validator(t)
	var calls atomic.Int32
	ok := exampleHandler(t, v, http.StatusCreated, nil)
	limited := errorHandler(http.StatusTooManyRequests, "too_many_requests", http.Header{"Retry-After": {"3"}, "X-Ratelimit-Limit": {"1200, 1200;window=60"}, "X-Ratelimit-Remaining": {"0"}})
	c, _, clock := setup(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			limited(w, r)
			return
		}
		ok(w, r)
	})
	_, _, err := c.Attachments.Create(t.Context(), &incidentio.CreateIncidentAttachmentRequest{IncidentID: "I1",
		Resource: incidentio.AttachmentResource{ResourceType: incidentio.ResourceTypeArbitraryURL, URL: "https://x.example/1"}})
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Errorf("calls = %d, want 2", calls.Load())
	}
	if s := clock.Slept(); s < 3*time.Second || s > 4*time.Second {
		t.Errorf("slept %s, want the 3 s of Retry-After", s)
	}
}

// TestRetryAfterFallsBackToReset: without Retry-After (off the documented
// shape, so on a raw server), X-RateLimit-Reset decides the wait.
func TestRetryAfterFallsBackToReset(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	reset := fmt.Sprint(epoch.Add(7 * time.Second).Unix())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1) == 1 {
			w.Header().Set("X-RateLimit-Reset", reset)
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"type":"too_many_requests","status":429,"request_id":"r","errors":[]}`)
			return
		}
		fmt.Fprint(w, `{"custom_fields":[]}`)
	}))
	t.Cleanup(srv.Close)
	clock := incidentiofake.NewClock(epoch)
	c, err := incidentio.NewClient(srv.Client(), incidentio.WithBaseURL(srv.URL), incidentio.WithAPIKey(testKey), incidentio.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.CustomFields.List(t.Context()); err != nil {
		t.Fatal(err)
	}
	if s := clock.Slept(); s != 7*time.Second {
		t.Errorf("slept %s, want the 7 s until X-RateLimit-Reset", s)
	}
}

// TestRetryPolicy: 5xx is retried for safe and idempotent requests and
// reported as ambiguous, without a retry, for the others.
func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	v := validator(t)
	cases := []struct {
		name          string
		call          func(ctx context.Context, c *incidentio.Client) error
		status        int
		wantCalls     int32
		wantAmbiguous bool
	}{
		{"GET retried", func(ctx context.Context, c *incidentio.Client) error {
			_, _, err := c.Incidents.Get(ctx, "I1")
			return err
		}, 200, 2, false},
		{"PUT retried", func(ctx context.Context, c *incidentio.Client) error {
			_, _, err := c.FollowUps.Update(ctx, "F1", &incidentio.UpdateFollowUpRequest{Title: "t", Status: "completed"})
			return err
		}, 200, 2, false},
		{"upsert with external_id retried", func(ctx context.Context, c *incidentio.Client) error {
			_, _, err := c.CatalogEntries.Create(ctx, &incidentio.CatalogEntryRequest{CatalogTypeID: "T", Name: "n", ExternalID: "x"})
			return err
		}, 201, 2, false},
		{"create without external_id not retried", func(ctx context.Context, c *incidentio.Client) error {
			_, _, err := c.CatalogEntries.Create(ctx, &incidentio.CatalogEntryRequest{CatalogTypeID: "T", Name: "n"})
			return err
		}, 201, 1, true},
		{"attachment not retried", func(ctx context.Context, c *incidentio.Client) error {
			_, _, err := c.Attachments.Create(ctx, &incidentio.CreateIncidentAttachmentRequest{IncidentID: "I", Resource: incidentio.AttachmentResource{ResourceType: "arbitrary_url", URL: "https://x.example"}})
			return err
		}, 201, 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			ok := exampleHandler(t, v, tc.status, nil)
			fail := errorHandler(http.StatusBadGateway, "internal_error", nil)
			c, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					fail(w, r)
					return
				}
				ok(w, r)
			})
			err := tc.call(t.Context(), c)
			if calls.Load() != tc.wantCalls {
				t.Errorf("calls = %d, want %d", calls.Load(), tc.wantCalls)
			}
			if got := errors.Is(err, incidentio.ErrAmbiguous); got != tc.wantAmbiguous {
				t.Errorf("ambiguous = %t (err %v), want %t", got, err, tc.wantAmbiguous)
			}
			if !tc.wantAmbiguous && err != nil {
				t.Errorf("err = %v", err)
			}
		})
	}
}

// TestTokenBucket: 1,300 requests on a virtual clock take the 1,200 burst
// at once and the rest at 20 per second.
func TestTokenBucket(t *testing.T) {
	t.Parallel()
	clock := incidentiofake.NewClock(epoch)
	l, err := incidentio.NewRateLimiter(clock, incidentio.DefaultRatePerMinute, incidentio.DefaultBurst)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 1300 {
		if err := l.Wait(t.Context()); err != nil {
			t.Fatalf("wait %d: %v", i, err)
		}
	}
	if got, want := clock.Slept(), 100*50*time.Millisecond; got != want {
		t.Errorf("slept %s, want %s", got, want)
	}
	if r := l.Remaining(); r != 0 {
		t.Errorf("remaining = %d, want 0", r)
	}
	clock.Advance(time.Second)
	if r := l.Remaining(); r != 20 {
		t.Errorf("remaining after 1 s = %d, want 20", r)
	}
	ctx, cancel := context.WithDeadline(t.Context(), clock.Now().Add(time.Millisecond))
	defer cancel()
	for range 20 {
		_ = l.Wait(ctx)
	}
	if err := l.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("wait past the deadline: %v", err)
	}
	if _, err := incidentio.NewRateLimiter(clock, 0, 1); !errors.Is(err, incidentio.ErrInvalidArgument) {
		t.Errorf("zero rate: %v", err)
	}
}

// TestPagination: All follows pagination_meta.after across pages.
func TestPagination(t *testing.T) {
	t.Parallel()
	var afters []string
	c, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		after := r.URL.Query().Get("after")
		afters = append(afters, after)
		next := map[string]string{"": "E2", "E2": "E4", "E4": ""}[after]
		ids := map[string][]string{"": {"E1", "E2"}, "E2": {"E3", "E4"}, "E4": {"E5"}}[after]
		var entries []string
		for _, id := range ids {
			entries = append(entries, fmt.Sprintf(`{"id":%q,"catalog_type_id":"T","name":%q,"aliases":[],"rank":0,"attribute_values":{},"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`, id, id))
		}
		meta := `{"page_size":2}`
		if next != "" {
			meta = fmt.Sprintf(`{"page_size":2,"after":%q}`, next)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"catalog_entries":[%s],"catalog_type":{"id":"T","name":"GHL Contact","description":"d","type_name":"Custom[\"GhlContact\"]","icon":"user","color":"blue","annotations":{},"categories":[],"engine_resource_type":"x","is_editable":true,"ranked":false,"use_name_as_identifier":false,"schema":{"version":1,"attributes":[]},"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"},"pagination_meta":%s}`, strings.Join(entries, ","), meta)
	})
	var got []string
	for e, err := range c.CatalogEntries.All(t.Context(), incidentio.ListCatalogEntriesOptions{CatalogTypeID: "T", PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e.ID)
	}
	if strings.Join(got, ",") != "E1,E2,E3,E4,E5" || strings.Join(afters, ",") != ",E2,E4" {
		t.Errorf("entries %v, cursors %q", got, afters)
	}
}

// TestUnknownEnumValues: values incident.io may add later decode as they
// are, and an unknown status category counts as open.
func TestUnknownEnumValues(t *testing.T) {
	t.Parallel()
	// The response is off-spec on purpose (status enum), so a raw server.
	srv := incidentiofakeServer(t, `{"follow_up":{"id":"F1","incident_id":"I1","title":"t","status":"snoozed","labels":[],"creator":{},"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}}`)
	raw, err := incidentio.NewClient(srv.Client(), incidentio.WithBaseURL(srv.URL), incidentio.WithAPIKey(testKey))
	if err != nil {
		t.Fatal(err)
	}
	fu, _, err := raw.FollowUps.Get(t.Context(), "F1")
	if err != nil || fu.Status != "snoozed" {
		t.Errorf("follow-up %+v, err %v", fu, err)
	}
	if !(incidentio.IncidentStatus{Category: "on_hold"}).Open() || (incidentio.IncidentStatus{Category: "closed"}).Open() {
		t.Error("Open: unknown categories are open, closed is not")
	}
}

// TestTransportErrorsHideQuery: a transport error does not carry the query
// (emails) nor the key.
func TestTransportErrorsHideQuery(t *testing.T) {
	t.Parallel()
	c, err := incidentio.NewClient(&http.Client{Transport: failing{}}, incidentio.WithAPIKey(testKey), incidentio.WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Users.ByEmail(t.Context(), "secret.person@example.com")
	if err == nil || strings.Contains(err.Error(), "secret.person") || strings.Contains(err.Error(), testKey) {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(fmt.Sprint(c), testKey) {
		t.Error("the client prints its key")
	}
}

type failing struct{}

func (failing) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection reset")
}
