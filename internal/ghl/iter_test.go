package ghl

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// fixtureContacts returns n contacts added one second apart.
func fixtureContacts(n int) []map[string]any {
	base := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	out := make([]map[string]any, n)
	for i := range out {
		added := base.Add(time.Duration(i) * time.Second)
		out[i] = map[string]any{
			"id": fmt.Sprintf("contact%04d", i), "locationId": locID,
			"dateAdded": added.Format("2006-01-02T15:04:05.000Z"), "email": fmt.Sprintf("p%d@example.com", i),
		}
	}
	return out
}

// searchAnswer pages the fixtures like POST /contacts/search: after the
// searchAfter cursor [ms, id], pageLimit at a time. failOn fails that page.
func searchAnswer(t *testing.T, all []map[string]any, failOn int) func(int, *http.Request, []byte) reply {
	return func(n int, r *http.Request, body []byte) reply {
		if n+1 == failOn {
			return jsonReply(400, `{"statusCode":400,"message":"Invalid field additional_phones"}`)
		}
		var req struct {
			PageLimit   int   `json:"pageLimit"`
			SearchAfter []any `json:"searchAfter"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Errorf("search body: %v", err)
		}
		start := 0
		if len(req.SearchAfter) == 2 {
			id, _ := req.SearchAfter[1].(string)
			for i, c := range all {
				if c["id"] == id {
					start = i + 1
				}
			}
		}
		end := min(start+req.PageLimit, len(all))
		page := make([]map[string]any, 0, end-start)
		for _, c := range all[start:end] {
			added, _ := time.Parse(time.RFC3339, c["dateAdded"].(string))
			cc := map[string]any{"searchAfter": []any{added.UnixMilli(), c["id"]}}
			for k, v := range c {
				cc[k] = v
			}
			page = append(page, cc)
		}
		data, _ := json.Marshal(map[string]any{"contacts": page, "total": len(all)})
		return jsonReply(200, string(data))
	}
}

func TestSearchAll(t *testing.T) {
	t.Parallel()
	all := fixtureContacts(250)
	tests := []struct {
		name      string
		stopAfter int // break after this many contacts (0: never)
		failOn    int // request number answering 400 (0: none)
		wantIDs   int
		wantReqs  int
		wantErr   bool
	}{
		{name: "all pages", wantIDs: 250, wantReqs: 3},
		{name: "break early", stopAfter: 150, wantIDs: 150, wantReqs: 2},
		{name: "error on page 2", failOn: 2, wantIDs: 100, wantReqs: 2, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newSpecServer(t, searchAnswer(t, all, tt.failOn))
			c := newTestClient(t, bearerClient(srv.Client()), srv.URL, newFakeClock())
			var ids []string
			var errs []error
			for ct, err := range c.Contacts.SearchAll(t.Context(), &SearchContactsRequest{LocationID: locID, Sort: []SearchSort{{Field: "dateAdded", Direction: "asc"}}}) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				ids = append(ids, ct.ID)
				if tt.stopAfter > 0 && len(ids) == tt.stopAfter {
					break
				}
			}
			if len(ids) != tt.wantIDs || len(srv.requests()) != tt.wantReqs {
				t.Errorf("%d contacts in %d requests, want %d in %d", len(ids), len(srv.requests()), tt.wantIDs, tt.wantReqs)
			}
			for i, id := range ids {
				if id != all[i]["id"] {
					t.Fatalf("contact %d = %s, want %s (order or duplicates)", i, id, all[i]["id"])
				}
			}
			var apiErr *Error
			if tt.wantErr != (len(errs) == 1) || (tt.wantErr && !errors.As(errs[0], &apiErr)) || len(errs) > 1 {
				t.Errorf("errors = %v, wantErr %v (exactly once)", errs, tt.wantErr)
			}
		})
	}
}

func TestListAll(t *testing.T) {
	t.Parallel()
	all := fixtureContacts(45)
	for _, withMeta := range []bool{true, false} {
		t.Run(fmt.Sprintf("meta=%v", withMeta), func(t *testing.T) {
			t.Parallel()
			srv := newSpecServer(t, func(_ int, r *http.Request, _ []byte) reply {
				q := r.URL.Query()
				limit, _ := strconv.Atoi(q.Get("limit"))
				start := 0
				if id := q.Get("startAfterId"); id != "" {
					for i, c := range all {
						if c["id"] == id {
							start = i + 1
							added, _ := time.Parse(time.RFC3339, c["dateAdded"].(string))
							if q.Get("startAfter") != strconv.FormatInt(added.UnixMilli(), 10) {
								t.Errorf("startAfter %s does not match contact %s", q.Get("startAfter"), id)
							}
						}
					}
				}
				end := min(start+limit, len(all))
				body := map[string]any{"contacts": all[start:end], "count": len(all)}
				if withMeta && end > start {
					last := all[end-1]
					added, _ := time.Parse(time.RFC3339, last["dateAdded"].(string))
					body["meta"] = map[string]any{"total": len(all), "startAfterId": last["id"], "startAfter": added.UnixMilli(), "currentPage": 1, "nextPage": 2, "prevPage": nil}
				}
				data, _ := json.Marshal(body)
				return jsonReply(200, string(data))
			})
			c := newTestClient(t, bearerClient(srv.Client()), srv.URL, newFakeClock())
			var ids []string
			for ct, err := range c.Contacts.ListAll(t.Context(), &ListContactsOptions{LocationID: locID, Limit: 20}) {
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, ct.ID)
			}
			if len(ids) != 45 || ids[44] != "contact0044" || len(srv.requests()) != 3 {
				t.Errorf("%d contacts (last %v) in %d requests, want 45 in 3", len(ids), ids[len(ids)-1:], len(srv.requests()))
			}
		})
	}
}
