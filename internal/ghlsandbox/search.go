package ghlsandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// searchFilter is one item of filters in POST /contacts/search: a condition
// {field, operator, value} or a group {group: AND|OR, filters}.
type searchFilter struct {
	Field    string          `json:"field"`
	Operator string          `json:"operator"`
	Value    json.RawMessage `json:"value"`
	Group    string          `json:"group"`
	Filters  []searchFilter  `json:"filters"`

	vals   []string             // Value, parsed once by compile
	bounds map[string]time.Time // range bounds, parsed once by compile
}

type searchSort struct {
	Field     string `json:"field"`
	Direction string `json:"direction"`
}

// stringFields are the contact fields search can filter on as strings.
var stringFields = map[string]func(c *Contact) string{
	"id": func(c *Contact) string { return c.ID }, "firstName": func(c *Contact) string { return c.FirstName },
	"lastName": func(c *Contact) string { return c.LastName }, "firstNameLowerCase": func(c *Contact) string { return strings.ToLower(c.FirstName) },
	"lastNameLowerCase": func(c *Contact) string { return strings.ToLower(c.LastName) },
	"contactName":       func(c *Contact) string { return c.fullName() },
	"email":             func(c *Contact) string { return c.Email }, "phone": func(c *Contact) string { return c.Phone },
	"companyName": func(c *Contact) string { return c.CompanyName }, "address": func(c *Contact) string { return c.Address1 },
	"city": func(c *Contact) string { return c.City }, "state": func(c *Contact) string { return c.State },
	"country": func(c *Contact) string { return c.Country }, "postalCode": func(c *Contact) string { return c.PostalCode },
	"website": func(c *Contact) string { return c.Website }, "timezone": func(c *Contact) string { return c.Timezone },
	"source": func(c *Contact) string { return c.Source }, "assignedTo": func(c *Contact) string { return c.AssignedTo },
	"type": func(c *Contact) string { return c.Type }, "businessId": func(c *Contact) string { return c.BusinessID },
	"inboundDndSettings.all.status": func(c *Contact) string {
		if c.InboundDND == nil {
			return ""
		}
		return c.InboundDND.Status
	},
}

var dateFields = map[string]func(c *Contact) time.Time{
	"dateAdded": func(c *Contact) time.Time { return c.DateAdded }, "dateUpdated": func(c *Contact) time.Time { return c.DateUpdated },
}

func init() {
	for _, ch := range DNDChannels {
		stringFields["dndSettings."+ch+".status"] = func(c *Contact) string { return c.DNDSettings[ch].Status }
	}
}

func validField(f string) bool {
	_, s := stringFields[f]
	_, d := dateFields[f]
	return s || d || f == "tags" || f == "dnd"
}

// compile checks a filter tree: unknown fields answer 400 "Invalid field x"
// (NOTES §4.2), unknown operators 400 "Invalid operator x".
func (f *searchFilter) compile() *apiError {
	if f.Group != "" || f.Filters != nil {
		if g := strings.ToUpper(f.Group); g != "AND" && g != "OR" {
			return errBadRequest("Invalid group " + f.Group)
		}
		for i := range f.Filters {
			if e := f.Filters[i].compile(); e != nil {
				return e
			}
		}
		return nil
	}
	if !validField(f.Field) {
		return errBadRequest("Invalid field " + f.Field)
	}
	f.vals = values(f.Value)
	switch f.Operator {
	case "eq", "not_eq", "contains", "not_contains", "exists", "not_exists":
	case "range":
		if _, ok := dateFields[f.Field]; !ok {
			return errBadRequest("Invalid operator range for field " + f.Field)
		}
		var rng map[string]any
		if json.Unmarshal(f.Value, &rng) != nil || len(rng) == 0 {
			return errBadRequest("Invalid range value for field " + f.Field)
		}
		f.bounds = map[string]time.Time{}
		for op, v := range rng {
			b, ok := timeValue(v)
			if !ok || (op != "gt" && op != "gte" && op != "lt" && op != "lte") {
				return errBadRequest("Invalid range value for field " + f.Field)
			}
			f.bounds[op] = b
		}
	default:
		return errBadRequest("Invalid operator " + f.Operator)
	}
	return nil
}

// values reads a filter value as a list of strings (a string, a bool, a
// number or an array of them).
func values(raw json.RawMessage) []string {
	var any1 any
	if json.Unmarshal(raw, &any1) != nil {
		return nil
	}
	var out []string
	var add func(v any)
	add = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case bool:
			out = append(out, strconv.FormatBool(x))
		case float64:
			out = append(out, strconv.FormatFloat(x, 'f', -1, 64))
		case []any:
			for _, e := range x {
				add(e)
			}
		}
	}
	add(any1)
	return out
}

func timeValue(v any) (time.Time, bool) {
	switch x := v.(type) {
	case float64:
		return time.UnixMilli(int64(x)).UTC(), true
	case string:
		return parseTime(x)
	}
	return time.Time{}, false
}

func (f *searchFilter) match(c *Contact) bool {
	if f.Group != "" || f.Filters != nil {
		or := strings.EqualFold(f.Group, "OR")
		for i := range f.Filters {
			m := f.Filters[i].match(c)
			if or && m {
				return true
			}
			if !or && !m {
				return false
			}
		}
		return !or || len(f.Filters) == 0
	}
	switch f.Operator {
	case "not_eq":
		return !(&searchFilter{Field: f.Field, Operator: "eq", vals: f.vals}).match(c)
	case "not_contains":
		return !(&searchFilter{Field: f.Field, Operator: "contains", vals: f.vals}).match(c)
	case "not_exists":
		return !(&searchFilter{Field: f.Field, Operator: "exists"}).match(c)
	}
	var have []string
	switch {
	case f.Field == "tags":
		have = c.Tags
	case f.Field == "dnd":
		have = []string{strconv.FormatBool(c.DND)}
	case dateFields[f.Field] != nil:
		t := dateFields[f.Field](c)
		if f.Operator == "range" {
			for op, b := range f.bounds {
				var ok bool
				switch op {
				case "gt":
					ok = t.After(b)
				case "gte":
					ok = !t.Before(b)
				case "lt":
					ok = t.Before(b)
				case "lte":
					ok = !t.After(b)
				}
				if !ok {
					return false
				}
			}
			return true
		}
		have = []string{fmtTime(t)}
	default:
		if v := stringFields[f.Field](c); v != "" {
			have = []string{v}
		}
	}
	if f.Operator == "exists" {
		return len(have) > 0
	}
	for _, want := range f.vals {
		for _, h := range have {
			switch f.Operator {
			case "eq":
				if strings.EqualFold(h, want) || (f.Field == "phone" && normPhone(h) == normPhone(want)) {
					return true
				}
			case "contains":
				if strings.Contains(strings.ToLower(h), strings.ToLower(want)) {
					return true
				}
			}
		}
	}
	return false
}

// matchesQuery is the free-text query of search and list: name, email,
// phone and company, case-insensitive.
func matchesQuery(c *Contact, q string) bool {
	if q == "" {
		return true
	}
	q = strings.ToLower(q)
	for _, v := range []string{c.fullName(), c.Email, c.Phone, c.CompanyName} {
		if strings.Contains(strings.ToLower(v), q) {
			return true
		}
	}
	return false
}

type searchRequest struct {
	LocationID  opt[string]
	PageLimit   opt[float64]
	Page        opt[float64]
	Query       opt[string]
	Filters     opt[[]searchFilter]
	Sort        opt[[]searchSort]
	SearchAfter opt[[]any]
}

// searchContacts is POST /contacts/search (NOTES §4.2).
func (s *Sandbox) searchContacts(rc *reqCtx) (int, any, *apiError) {
	var r searchRequest
	if e := bind(rc.body, "SearchBodyV2DTO", map[string]any{"locationId": &r.LocationID, "pageLimit": &r.PageLimit, "page": &r.Page,
		"query": &r.Query, "filters": &r.Filters, "sort": &r.Sort, "searchAfter": &r.SearchAfter}); e != nil {
		return 0, nil, e
	}
	var msgs []string
	if !r.LocationID.has() || r.LocationID.V == "" {
		msgs = append(msgs, "locationId should not be empty")
	}
	switch {
	case !r.PageLimit.has():
		msgs = append(msgs, "pageLimit should not be empty")
	case r.PageLimit.V > 100:
		msgs = append(msgs, "pageLimit must not be greater than 100")
	case r.PageLimit.V < 1:
		msgs = append(msgs, "pageLimit must not be less than 1")
	}
	if msgs != nil {
		return 0, nil, errUnprocessable(msgs...)
	}
	root := searchFilter{Group: "AND", Filters: r.Filters.V}
	if e := root.compile(); e != nil {
		return 0, nil, e
	}
	sortField, desc := "dateAdded", true
	if len(r.Sort.V) > 0 {
		sortField, desc = r.Sort.V[0].Field, !strings.EqualFold(r.Sort.V[0].Direction, "asc")
		if dateFields[sortField] == nil {
			return 0, nil, errBadRequest("Invalid field " + sortField)
		}
	}
	var after *cursor
	if r.SearchAfter.has() && len(r.SearchAfter.V) > 0 {
		c, ok := parseCursor(r.SearchAfter.V)
		if !ok {
			return 0, nil, errBadRequest("Invalid searchAfter")
		}
		after = &c
	}
	l, e := s.locationFor(rc, r.LocationID.V)
	if e != nil {
		return 0, nil, e
	}
	key := dateFields[sortField]
	l.mu.RLock()
	matches := make([]*Contact, 0, 64)
	for _, c := range l.contacts {
		if root.match(c) && matchesQuery(c, r.Query.V) {
			matches = append(matches, c)
		}
	}
	sortContacts(matches, key, desc)
	total := len(matches)
	start := 0
	if after != nil {
		start = sort.Search(len(matches), func(i int) bool {
			return cursorOf(matches[i], key).after(*after, desc)
		})
	} else if r.Page.V > 1 {
		start = min(len(matches), (int(r.Page.V)-1)*int(r.PageLimit.V))
	}
	page := matches[start:min(len(matches), start+int(r.PageLimit.V))]
	out := make([]contactJSON, len(page))
	for i, c := range page {
		v := contactView(c)
		v.DNDSettings, v.InboundDNDSettings = nil, nil // search omits DND (issue #43)
		cur := cursorOf(c, key)
		v.SearchAfter = []any{cur.ms, cur.id}
		out[i] = v
	}
	l.mu.RUnlock()
	return http.StatusOK, map[string]any{"contacts": out, "total": total}, nil
}

type cursor struct {
	ms int64
	id string
}

func cursorOf(c *Contact, key func(*Contact) time.Time) cursor {
	return cursor{ms: key(c).UnixMilli(), id: c.ID}
}

// after reports whether c sorts strictly after o.
func (c cursor) after(o cursor, desc bool) bool {
	if c.ms != o.ms {
		return (c.ms > o.ms) != desc
	}
	return c.id != o.id && (c.id > o.id) != desc
}

func parseCursor(v []any) (cursor, bool) {
	if len(v) != 2 {
		return cursor{}, false
	}
	var c cursor
	switch x := v[0].(type) {
	case float64:
		c.ms = int64(x)
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		if err != nil {
			return cursor{}, false
		}
		c.ms = n
	default:
		return cursor{}, false
	}
	id, ok := v[1].(string)
	c.id = id
	return c, ok
}

func sortContacts(cs []*Contact, key func(*Contact) time.Time, desc bool) {
	slices.SortFunc(cs, func(a, b *Contact) int {
		ca, cb := cursorOf(a, key), cursorOf(b, key)
		if ca == cb {
			return 0
		}
		if ca.after(cb, desc) {
			return 1
		}
		return -1
	})
}

// listContacts is the deprecated GET /contacts/ (NOTES §4.2): oldest first
// by dateAdded, cursor startAfter (ms) + startAfterId, meta as real
// responses carry it. nextPage, nextPageUrl and the cursor fields of meta are
// omitted on the last page.
func (s *Sandbox) listContacts(rc *reqCtx) (int, any, *apiError) {
	q := rc.r.URL.Query()
	limit := 20
	var msgs []string
	if q.Get("locationId") == "" {
		msgs = append(msgs, "locationId should not be empty")
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil:
			msgs = append(msgs, "limit must be a number conforming to the specified constraints")
		case n > 100:
			msgs = append(msgs, "limit must not be greater than 100")
		case n < 1:
			msgs = append(msgs, "limit must not be less than 1")
		default:
			limit = int(n)
		}
	}
	var after *cursor
	if v := q.Get("startAfter"); v != "" {
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			msgs = append(msgs, "startAfter must be a number conforming to the specified constraints")
		} else {
			after = &cursor{ms: int64(n), id: q.Get("startAfterId")}
		}
	}
	if msgs != nil {
		return 0, nil, errUnprocessable(msgs...)
	}
	l, e := s.locationFor(rc, q.Get("locationId"))
	if e != nil {
		return 0, nil, e
	}
	key := dateFields["dateAdded"]
	l.mu.RLock()
	var matches []*Contact
	for _, c := range l.contacts {
		if matchesQuery(c, q.Get("query")) {
			matches = append(matches, c)
		}
	}
	sortContacts(matches, key, false)
	start := 0
	if after != nil {
		start = sort.Search(len(matches), func(i int) bool {
			c := cursorOf(matches[i], key)
			if after.id == "" {
				return c.ms > after.ms
			}
			return c.after(*after, false)
		})
	}
	page := matches[start:min(len(matches), start+limit)]
	out := make([]contactJSON, len(page))
	for i, c := range page {
		out[i] = contactView(c)
	}
	total := len(matches)
	current := start/limit + 1
	meta := map[string]any{"total": total, "currentPage": current, "prevPage": nil}
	if current > 1 {
		meta["prevPage"] = current - 1
	}
	if end := start + len(page); end < total && len(page) > 0 {
		last := cursorOf(page[len(page)-1], key)
		meta["startAfterId"], meta["startAfter"], meta["nextPage"] = last.id, last.ms, current+1
		next := url.Values{"locationId": {l.id}, "startAfter": {strconv.FormatInt(last.ms, 10)}, "startAfterId": {last.id}}
		if limit != 20 {
			next.Set("limit", strconv.Itoa(limit))
		}
		if q.Get("query") != "" {
			next.Set("query", q.Get("query"))
		}
		meta["nextPageUrl"] = fmt.Sprintf("%s/contacts/?%s", baseURL(rc.r), next.Encode())
	}
	l.mu.RUnlock()
	return http.StatusOK, map[string]any{"contacts": out, "count": len(out), "meta": meta}, nil
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// duplicateContact is GET /contacts/search/duplicate (NOTES §4.3).
func (s *Sandbox) duplicateContact(rc *reqCtx) (int, any, *apiError) {
	q := rc.r.URL.Query()
	if q.Get("locationId") == "" {
		return 0, nil, errUnprocessable("locationId should not be empty")
	}
	l, e := s.locationFor(rc, q.Get("locationId"))
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	order := l.matchOrder
	if l.allowDup {
		order = []string{"email", "phone"}
	}
	for _, f := range order {
		v := q.Get("email")
		if f == "phone" {
			v = q.Get("number")
		}
		if c := l.findByField(f, v); c != nil {
			return http.StatusOK, map[string]any{"contact": contactView(c)}, nil
		}
	}
	return http.StatusOK, map[string]any{"contact": nil}, nil
}

// contactsByBusiness is GET /contacts/business/{businessId}.
func (s *Sandbox) contactsByBusiness(rc *reqCtx) (int, any, *apiError) {
	q := rc.r.URL.Query()
	if q.Get("locationId") == "" {
		return 0, nil, errUnprocessable("locationId should not be empty")
	}
	l, e := s.locationFor(rc, q.Get("locationId"))
	if e != nil {
		return 0, nil, e
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 25
	}
	skip, _ := strconv.Atoi(q.Get("skip"))
	bid := rc.param("businessId")
	l.mu.RLock()
	defer l.mu.RUnlock()
	var matches []*Contact
	for _, c := range l.contacts {
		if c.BusinessID == bid && matchesQuery(c, q.Get("query")) {
			matches = append(matches, c)
		}
	}
	sortContacts(matches, dateFields["dateAdded"], false)
	total := len(matches)
	matches = matches[min(max(skip, 0), len(matches)):]
	matches = matches[:min(limit, len(matches))]
	out := make([]contactJSON, len(matches))
	for i, c := range matches {
		out[i] = contactView(c)
	}
	return http.StatusOK, map[string]any{"contacts": out, "count": total}, nil
}
