package ghl_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
)

const seededContacts = 250

// newSeededEnv is an env whose location holds seededContacts seeded
// contacts (with businesses, without tasks, notes and appointments).
func newSeededEnv(t *testing.T) *env {
	t.Helper()
	return newEnv(t, envConfig{seed: &ghlsandbox.SeedOptions{
		Seed: 7, ContactsPerLocation: seededContacts, TasksPerContact: -1, NotesPerContact: -1, AppointmentsPerContact: -1,
	}})
}

// idsSortedBy returns the ids of the sandbox's contacts ordered by the
// millisecond of key, then id, as GHL's cursors order them.
func (e *env) idsSortedBy(key func(ghlsandbox.Contact) int64, desc bool) []string {
	cs := e.sb.Contacts(e.loc.ID)
	slices.SortFunc(cs, func(a, b ghlsandbox.Contact) int {
		c := cmpInt(key(a), key(b))
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
		if desc {
			c = -c
		}
		return c
	})
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestE2ESearchAllPagesWithSearchAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		direction    string
		pageLimit    int
		wantRequests int
	}{
		{"asc", 100, 3},  // 100, 100, 50
		{"desc", 40, 7},  // 6 × 40, then 10
		{"asc", 50, 5},   // 5 × 50: total reached, no empty page asked for
		{"desc", 100, 3}, // 100, 100, 50
	}
	for _, tt := range tests {
		t.Run(tt.direction+"/"+strconv.Itoa(tt.pageLimit), func(t *testing.T) {
			t.Parallel()
			e := newSeededEnv(t)
			var got []string
			seen := map[string]int{}
			for c, err := range e.c.Contacts.SearchAll(t.Context(), &ghl.SearchContactsRequest{
				LocationID: e.loc.ID, PageLimit: tt.pageLimit,
				Sort: []ghl.SearchSort{{Field: "dateUpdated", Direction: tt.direction}},
			}) {
				e.must(err)
				got = append(got, c.ID)
				seen[c.ID]++
			}
			want := e.idsSortedBy(func(c ghlsandbox.Contact) int64 { return c.DateUpdated.UnixMilli() }, tt.direction == "desc")
			if len(want) != seededContacts {
				t.Fatalf("sandbox holds %d contacts, want %d", len(want), seededContacts)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("contacts in order (-sandbox +SearchAll):\n%s", d)
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("contact %s yielded %d times", id, n)
				}
			}

			// Each request after the first carries the cursor of the last
			// contact of the page before: [dateUpdated ms, id].
			reqs := e.rec.exchanges(http.MethodPost, "/contacts/search")
			if len(reqs) != tt.wantRequests {
				t.Fatalf("%d search requests, want %d", len(reqs), tt.wantRequests)
			}
			for i, x := range reqs {
				if x.status != http.StatusOK {
					t.Errorf("request %d answered %d", i, x.status)
				}
				var body struct {
					PageLimit   int   `json:"pageLimit"`
					SearchAfter []any `json:"searchAfter"`
				}
				if err := json.Unmarshal(x.body, &body); err != nil {
					t.Fatal(err)
				}
				var wantAfter []any
				if i > 0 {
					last := e.contact(want[i*tt.pageLimit-1])
					wantAfter = []any{float64(last.DateUpdated.UnixMilli()), last.ID}
				}
				if d := cmp.Diff(wantAfter, body.SearchAfter); d != "" || body.PageLimit != tt.pageLimit {
					t.Errorf("request %d: pageLimit %d, searchAfter (-want +got):\n%s", i, body.PageLimit, d)
				}
			}
		})
	}
}

func TestE2EListAllPagesWithStartAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		limit        int
		wantRequests int
	}{
		{100, 3}, // 100, 100, 50
		{0, 13},  // GHL's default 20: 12 × 20, then 10
		{50, 5},  // 5 × 50: meta.total reached
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.limit), func(t *testing.T) {
			t.Parallel()
			e := newSeededEnv(t)
			var got []string
			for c, err := range e.c.Contacts.ListAll(t.Context(), &ghl.ListContactsOptions{LocationID: e.loc.ID, Limit: tt.limit}) {
				e.must(err)
				got = append(got, c.ID)
			}
			// The deprecated list is oldest first by dateAdded.
			want := e.idsSortedBy(func(c ghlsandbox.Contact) int64 { return c.DateAdded.UnixMilli() }, false)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("contacts in order (-sandbox +ListAll):\n%s", d)
			}
			reqs := e.rec.exchanges(http.MethodGet, "/contacts/")
			if len(reqs) != tt.wantRequests {
				t.Fatalf("%d list requests, want %d", len(reqs), tt.wantRequests)
			}
			pageSize := tt.limit
			if pageSize == 0 {
				pageSize = 20
			}
			for i, x := range reqs {
				q, err := url.ParseQuery(x.query)
				if err != nil {
					t.Fatal(err)
				}
				wantQ := url.Values{"locationId": {e.loc.ID}}
				if tt.limit > 0 {
					wantQ.Set("limit", strconv.Itoa(tt.limit))
				}
				if i > 0 {
					last := e.contact(want[i*pageSize-1])
					wantQ.Set("startAfter", strconv.FormatInt(last.DateAdded.UnixMilli(), 10))
					wantQ.Set("startAfterId", last.ID)
				}
				if d := cmp.Diff(wantQ, q); d != "" {
					t.Errorf("request %d query (-want +got):\n%s", i, d)
				}
			}
		})
	}
}

func TestE2EFindDuplicate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	c := e.createContact(ghl.CreateContactRequest{Email: "linus@example.com", Phone: "+15550100200"})
	tests := []struct {
		name      string
		opts      ghl.FindDuplicateOptions
		wantID    string
		wantQuery url.Values
	}{
		{"email", ghl.FindDuplicateOptions{Email: "linus@example.com"}, c.ID, url.Values{"email": {"linus@example.com"}}},
		{"phone with +", ghl.FindDuplicateOptions{Number: "+15550100200"}, c.ID, url.Values{"number": {"+15550100200"}}},
		{"unknown email", ghl.FindDuplicateOptions{Email: "nobody@example.com"}, "", url.Values{"email": {"nobody@example.com"}}},
		{"unknown phone", ghl.FindDuplicateOptions{Number: "+15550100999"}, "", url.Values{"number": {"+15550100999"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := e.in(t)
			opts := tt.opts
			opts.LocationID = e.loc.ID
			got, _, err := e.c.Contacts.FindDuplicate(t.Context(), &opts)
			e.must(err)
			var gotID string
			if got != nil {
				gotID = got.ID
			}
			if gotID != tt.wantID {
				t.Errorf("found %q, want %q", gotID, tt.wantID)
			}
			// The sandbox saw this lookup once, with its query intact.
			tt.wantQuery.Set("locationId", e.loc.ID)
			var raws []string
			for _, x := range e.rec.exchanges(http.MethodGet, "/contacts/search/duplicate") {
				if q, err := url.ParseQuery(x.query); err == nil && cmp.Equal(tt.wantQuery, q) {
					raws = append(raws, x.query)
				}
			}
			if len(raws) != 1 {
				t.Fatalf("the sandbox saw %d lookups with query %v, want 1", len(raws), tt.wantQuery)
			}
			if tt.opts.Number != "" && !strings.Contains(raws[0], "number=%2B") {
				t.Errorf("query %q does not encode + as %%2B", raws[0])
			}
		})
	}
}

func TestE2EListByBusiness(t *testing.T) {
	t.Parallel()
	e := newSeededEnv(t)
	bizs := e.sb.Businesses(e.loc.ID)
	if len(bizs) == 0 {
		t.Fatal("seed made no businesses")
	}
	for _, b := range bizs {
		t.Run(b.ID, func(t *testing.T) {
			t.Parallel()
			e := e.in(t)
			var want []string // oldest first
			for _, c := range e.sb.Contacts(e.loc.ID) {
				if c.BusinessID == b.ID {
					want = append(want, c.ID)
				}
			}
			if len(want) < 10 {
				t.Fatalf("business %s has %d contacts; the test needs 10", b.ID, len(want))
			}
			ids := func(l *ghl.ContactList) []string {
				var out []string
				for _, c := range l.Contacts {
					if c.BusinessID != b.ID {
						t.Errorf("contact %s of business %q listed under %s", c.ID, c.BusinessID, b.ID)
					}
					out = append(out, c.ID)
				}
				return out
			}
			all, _, err := e.c.Contacts.ListByBusiness(t.Context(), b.ID, &ghl.ListByBusinessOptions{LocationID: e.loc.ID, Limit: seededContacts})
			e.must(err)
			if d := cmp.Diff(want, ids(all)); d != "" || all.Count != len(want) {
				t.Errorf("count %d, want %d; contacts (-sandbox +listed):\n%s", all.Count, len(want), d)
			}
			page, _, err := e.c.Contacts.ListByBusiness(t.Context(), b.ID, &ghl.ListByBusinessOptions{LocationID: e.loc.ID, Limit: 5, Skip: 5})
			e.must(err)
			if d := cmp.Diff(want[5:10], ids(page)); d != "" {
				t.Errorf("skip 5 limit 5 (-sandbox +listed):\n%s", d)
			}
		})
	}
}
