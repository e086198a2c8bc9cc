package ghlsandbox_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"testing"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
)

// seededEnv is an env whose location holds n seeded contacts.
func seededEnv(t *testing.T, n int) (*env, []ghlsandbox.Contact) {
	t.Helper()
	e := newEnv(t, ghlsandbox.Options{Seed: 7})
	infos, err := e.sb.Seed(ghlsandbox.SeedOptions{Seed: 11, ContactsPerLocation: n})
	if err != nil {
		t.Fatal(err)
	}
	e.loc = infos[0]
	if e.token, err = e.sb.IssuePrivateToken(e.loc.ID); err != nil {
		t.Fatal(err)
	}
	return e, e.sb.Contacts(e.loc.ID)
}

type searchPage struct {
	Contacts []struct {
		ID          string   `json:"id"`
		Tags        []string `json:"tags"`
		DateUpdated string   `json:"dateUpdated"`
		SearchAfter []any    `json:"searchAfter"`
		DNDSettings any      `json:"dndSettings"`
	} `json:"contacts"`
	Total int `json:"total"`
}

func TestSearchPagesWithSearchAfter(t *testing.T) {
	t.Parallel()
	e, all := seededEnv(t, 237)
	var want []string
	for _, c := range all {
		want = append(want, c.ID)
	}
	for _, dir := range []string{"asc", "desc"} {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			var got []string
			var after []any
			var prev string
			for page := 0; ; page++ {
				body := map[string]any{"locationId": e.loc.ID, "pageLimit": 100, "sort": []map[string]any{{"field": "dateUpdated", "direction": dir}}}
				if after != nil {
					body["searchAfter"] = after
				}
				r := e.do(req{method: "POST", path: "/contacts/search", body: body})
				mustStatus(t, r, http.StatusOK)
				var p searchPage
				r.decode(t, &p)
				if p.Total != len(all) {
					t.Fatalf("total = %d, want %d", p.Total, len(all))
				}
				for _, c := range p.Contacts {
					if prev != "" && ((dir == "asc" && c.DateUpdated < prev) || (dir == "desc" && c.DateUpdated > prev)) {
						t.Fatalf("page %d out of %s order: %s after %s", page, dir, c.DateUpdated, prev)
					}
					if c.DNDSettings != nil {
						t.Errorf("search result carries dndSettings")
					}
					prev = c.DateUpdated
					got = append(got, c.ID)
				}
				if len(p.Contacts) < 100 {
					break
				}
				after = p.Contacts[len(p.Contacts)-1].SearchAfter
			}
			sort.Strings(got)
			w := slices.Clone(want)
			sort.Strings(w)
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("paged ids (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSearchFilters(t *testing.T) {
	t.Parallel()
	e, all := seededEnv(t, 120)
	count := func(pred func(c ghlsandbox.Contact) bool) int {
		n := 0
		for _, c := range all {
			if pred(c) {
				n++
			}
		}
		return n
	}
	tag := all[0].Tags[0]
	email := all[3].Email
	tests := []struct {
		name    string
		filters []any
		query   string
		want    int
	}{
		{"tag eq", []any{map[string]any{"field": "tags", "operator": "eq", "value": tag}}, "", count(func(c ghlsandbox.Contact) bool { return slices.Contains(c.Tags, tag) })},
		{"tag not_eq", []any{map[string]any{"field": "tags", "operator": "not_eq", "value": tag}}, "", count(func(c ghlsandbox.Contact) bool { return !slices.Contains(c.Tags, tag) })},
		{"email eq", []any{map[string]any{"field": "email", "operator": "eq", "value": email}}, "", 1},
		{"companyName exists", []any{map[string]any{"field": "companyName", "operator": "exists"}}, "", count(func(c ghlsandbox.Contact) bool { return c.CompanyName != "" })},
		{"dnd SMS active", []any{map[string]any{"field": "dndSettings.SMS.status", "operator": "eq", "value": "active"}}, "", count(func(c ghlsandbox.Contact) bool { return c.DNDSettings["SMS"].Status == "active" })},
		{"email contains", []any{map[string]any{"field": "email", "operator": "contains", "value": "@example.com"}}, "", len(all)},
		{"OR group", []any{map[string]any{"group": "OR", "filters": []any{
			map[string]any{"field": "email", "operator": "eq", "value": all[1].Email},
			map[string]any{"field": "email", "operator": "eq", "value": all[2].Email}}}}, "", 2},
		{"AND group", []any{map[string]any{"group": "AND", "filters": []any{
			map[string]any{"field": "email", "operator": "eq", "value": all[1].Email},
			map[string]any{"field": "email", "operator": "eq", "value": all[2].Email}}}}, "", 0},
		{"dateUpdated range", []any{map[string]any{"field": "dateUpdated", "operator": "range", "value": map[string]any{"gt": all[0].DateUpdated.UnixMilli()}}}, "",
			count(func(c ghlsandbox.Contact) bool { return c.DateUpdated.After(all[0].DateUpdated) })},
		{"query", nil, all[5].Email, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := map[string]any{"locationId": e.loc.ID, "pageLimit": 100}
			if tt.filters != nil {
				body["filters"] = tt.filters
			}
			if tt.query != "" {
				body["query"] = tt.query
			}
			r := e.do(req{method: "POST", path: "/contacts/search", body: body})
			mustStatus(t, r, http.StatusOK)
			var p searchPage
			r.decode(t, &p)
			if p.Total != tt.want {
				t.Errorf("total = %d, want %d", p.Total, tt.want)
			}
		})
	}
}

func TestSearchErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	tests := []struct {
		name        string
		body        map[string]any
		specInvalid bool
		status      int
		want        map[string]any
	}{
		{"no pageLimit", map[string]any{"locationId": e.loc.ID}, true, 422,
			map[string]any{"statusCode": 422.0, "error": "Unprocessable Entity", "message": []any{"pageLimit should not be empty"}}},
		{"no locationId", map[string]any{"pageLimit": 10}, true, 422,
			map[string]any{"statusCode": 422.0, "error": "Unprocessable Entity", "message": []any{"locationId should not be empty"}}},
		{"pageLimit over 100", map[string]any{"locationId": e.loc.ID, "pageLimit": 101}, true, 422,
			map[string]any{"statusCode": 422.0, "error": "Unprocessable Entity", "message": []any{"pageLimit must not be greater than 100"}}},
		{"invalid field", map[string]any{"locationId": e.loc.ID, "pageLimit": 10, "filters": []any{map[string]any{"field": "additional_phones", "operator": "eq", "value": "1"}}}, false, 400,
			map[string]any{"statusCode": 400.0, "error": "Bad Request", "message": "Invalid field additional_phones"}},
		{"other location", map[string]any{"locationId": "AAAAAAAAAAAAAAAAAAAA", "pageLimit": 10}, false, 403,
			map[string]any{"statusCode": 403.0, "error": "Forbidden", "message": "The token does not have access to this location."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(req{method: "POST", path: "/contacts/search", body: tt.body, specInvalid: tt.specInvalid})
			mustStatus(t, r, tt.status)
			if diff := cmp.Diff(tt.want, r.json(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeprecatedListPagesWithMeta(t *testing.T) {
	t.Parallel()
	e, all := seededEnv(t, 53)
	var got []string
	q := url.Values{"locationId": {e.loc.ID}, "limit": {"20"}}
	for page := 1; ; page++ {
		r := e.do(req{method: "GET", path: "/contacts/?" + q.Encode()})
		mustStatus(t, r, http.StatusOK)
		var p struct {
			Contacts []struct{ ID string } `json:"contacts"`
			Count    int                   `json:"count"`
			Meta     struct {
				Total        int     `json:"total"`
				StartAfterID string  `json:"startAfterId"`
				StartAfter   float64 `json:"startAfter"`
				CurrentPage  int     `json:"currentPage"`
				NextPage     int     `json:"nextPage"`
				NextPageURL  string  `json:"nextPageUrl"`
			} `json:"meta"`
		}
		r.decode(t, &p)
		if p.Meta.Total != len(all) || p.Meta.CurrentPage != page || p.Count != len(p.Contacts) {
			t.Fatalf("page %d meta = %+v count %d", page, p.Meta, p.Count)
		}
		for _, c := range p.Contacts {
			got = append(got, c.ID)
		}
		if p.Meta.NextPageURL == "" {
			break
		}
		u, err := url.Parse(p.Meta.NextPageURL)
		if err != nil || u.Query().Get("startAfterId") != p.Meta.StartAfterID || p.Meta.NextPage != page+1 {
			t.Fatalf("nextPageUrl %q does not match meta %+v", p.Meta.NextPageURL, p.Meta)
		}
		q.Set("startAfterId", p.Meta.StartAfterID)
		q.Set("startAfter", fmt.Sprint(int64(p.Meta.StartAfter)))
	}
	var want []string
	for _, c := range all {
		want = append(want, c.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("listed ids, oldest first (-want +got):\n%s", diff)
	}
	r := e.do(req{method: "GET", path: "/contacts/?locationId=" + e.loc.ID + "&limit=101"})
	mustStatus(t, r, http.StatusUnprocessableEntity)
}
