package ghlsandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Version header values (NOTES §1).
const (
	versionContacts  = "2021-07-28"
	versionCalendars = "2021-04-15"
)

type authKind int

const (
	authLocation authKind = iota // sub-account token or PIT (security "bearer")
	authAgency                   // Agency-Access-Only
	authNone                     // the token endpoint
)

type handlerFunc func(s *Sandbox, rc *reqCtx) (int, any, *apiError)

type route struct {
	method  string
	path    string
	segs    []string
	op      string
	scope   string
	version string
	auth    authKind
	h       handlerFunc
}

// Route describes one operation the sandbox serves.
type Route struct {
	Method      string
	Path        string // as in the spec, e.g. /contacts/{contactId}
	OperationID string
	Scope       string // required scope; empty for the token endpoint
	Version     string // required Version header; empty when none
}

// Routes lists the operations the sandbox serves.
func (s *Sandbox) Routes() []Route {
	out := make([]Route, len(s.routes))
	for i, r := range s.routes {
		out[i] = Route{Method: r.method, Path: r.path, OperationID: r.op, Scope: r.scope, Version: r.version}
	}
	return out
}

func buildRoutes() []*route {
	c, cal := versionContacts, versionCalendars
	rs := []*route{
		{method: "POST", path: "/contacts/search", op: "search-contacts-advanced", scope: "contacts.readonly", version: c, h: (*Sandbox).searchContacts},
		{method: "GET", path: "/contacts/search/duplicate", op: "get-duplicate-contact", scope: "contacts.readonly", version: c, h: (*Sandbox).duplicateContact},
		{method: "GET", path: "/contacts/business/{businessId}", op: "get-contacts-by-businessId", scope: "contacts.readonly", version: c, h: (*Sandbox).contactsByBusiness},
		{method: "POST", path: "/contacts/upsert", op: "upsert-contact", scope: "contacts.write", version: c, h: (*Sandbox).upsertContact},
		{method: "GET", path: "/contacts/", op: "get-contacts", scope: "contacts.readonly", version: c, h: (*Sandbox).listContacts},
		{method: "POST", path: "/contacts/", op: "create-contact", scope: "contacts.write", version: c, h: (*Sandbox).createContact},
		{method: "GET", path: "/contacts/{contactId}", op: "get-contact", scope: "contacts.readonly", version: c, h: (*Sandbox).getContact},
		{method: "PUT", path: "/contacts/{contactId}", op: "update-contact", scope: "contacts.write", version: c, h: (*Sandbox).updateContact},
		{method: "DELETE", path: "/contacts/{contactId}", op: "delete-contact", scope: "contacts.write", version: c, h: (*Sandbox).deleteContact},
		{method: "POST", path: "/contacts/{contactId}/tags", op: "add-tags", scope: "contacts.write", version: c, h: (*Sandbox).addTags},
		{method: "DELETE", path: "/contacts/{contactId}/tags", op: "remove-tags", scope: "contacts.write", version: c, h: (*Sandbox).removeTags},
		{method: "GET", path: "/contacts/{contactId}/tasks", op: "get-all-tasks", scope: "contacts.readonly", version: c, h: (*Sandbox).listTasks},
		{method: "POST", path: "/contacts/{contactId}/tasks", op: "create-task", scope: "contacts.write", version: c, h: (*Sandbox).createTask},
		{method: "GET", path: "/contacts/{contactId}/tasks/{taskId}", op: "get-task", scope: "contacts.readonly", version: c, h: (*Sandbox).getTask},
		{method: "PUT", path: "/contacts/{contactId}/tasks/{taskId}", op: "update-task", scope: "contacts.write", version: c, h: (*Sandbox).updateTask},
		{method: "PUT", path: "/contacts/{contactId}/tasks/{taskId}/completed", op: "update-task-completed", scope: "contacts.write", version: c, h: (*Sandbox).completeTask},
		{method: "DELETE", path: "/contacts/{contactId}/tasks/{taskId}", op: "delete-task", scope: "contacts.write", version: c, h: (*Sandbox).deleteTask},
		{method: "POST", path: "/locations/{locationId}/tasks/search", op: "task-search", scope: "locations/tasks.readonly", version: c, h: (*Sandbox).searchTasks},
		{method: "GET", path: "/contacts/{contactId}/notes", op: "get-all-notes", scope: "contacts.readonly", version: c, h: (*Sandbox).listNotes},
		{method: "POST", path: "/contacts/{contactId}/notes", op: "create-note", scope: "contacts.write", version: c, h: (*Sandbox).createNote},
		{method: "GET", path: "/contacts/{contactId}/notes/{id}", op: "get-note", scope: "contacts.readonly", version: c, h: (*Sandbox).getNote},
		{method: "PUT", path: "/contacts/{contactId}/notes/{id}", op: "update-note", scope: "contacts.write", version: c, h: (*Sandbox).updateNote},
		{method: "DELETE", path: "/contacts/{contactId}/notes/{id}", op: "delete-note", scope: "contacts.write", version: c, h: (*Sandbox).deleteNote},
		{method: "GET", path: "/contacts/{contactId}/appointments", op: "get-appointments-for-contact", scope: "contacts.readonly", version: c, h: (*Sandbox).contactAppointments},
		{method: "POST", path: "/calendars/events/appointments", op: "create-appointment", scope: "calendars/events.write", version: cal, h: (*Sandbox).createAppointment},
		{method: "GET", path: "/calendars/events/appointments/{eventId}", op: "get-appointment", scope: "calendars/events.readonly", version: cal, h: (*Sandbox).getAppointment},
		{method: "PUT", path: "/calendars/events/appointments/{eventId}", op: "edit-appointment", scope: "calendars/events.write", version: cal, h: (*Sandbox).editAppointment},
		{method: "DELETE", path: "/calendars/events/{eventId}", op: "delete-event", scope: "calendars/events.write", version: cal, h: (*Sandbox).deleteAppointment},
		{method: "GET", path: "/calendars/events", op: "get-calendar-events", scope: "calendars/events.readonly", version: cal, h: (*Sandbox).calendarEvents},
		{method: "GET", path: "/calendars/", op: "get-calendars", scope: "calendars.readonly", version: cal, h: (*Sandbox).listCalendars},
		{method: "GET", path: "/businesses/", op: "get-businesses-by-location", scope: "businesses.readonly", version: c, h: (*Sandbox).listBusinesses},
		{method: "POST", path: "/businesses/", op: "create-business", scope: "businesses.write", version: c, h: (*Sandbox).createBusiness},
		{method: "GET", path: "/businesses/{businessId}", op: "get-business", scope: "businesses.readonly", version: c, h: (*Sandbox).getBusiness},
		{method: "PUT", path: "/businesses/{businessId}", op: "update-business", scope: "businesses.write", version: c, h: (*Sandbox).updateBusiness},
		{method: "DELETE", path: "/businesses/{businessId}", op: "delete-Business", scope: "businesses.write", version: c, h: (*Sandbox).deleteBusiness},
		{method: "POST", path: "/oauth/token", op: "get-access-token", auth: authNone, h: (*Sandbox).oauthToken},
		{method: "POST", path: "/oauth/locationToken", op: "get-location-access-token", scope: "oauth.write", version: c, auth: authAgency, h: (*Sandbox).locationToken},
		{method: "GET", path: "/oauth/installedLocations", op: "get-installed-location", scope: "oauth.readonly", version: c, auth: authAgency, h: (*Sandbox).installedLocations},
	}
	for _, r := range rs {
		r.segs = splitPath(r.path)
	}
	// Literal segments win over parameters, position by position.
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i].segs, rs[j].segs
		for k := 0; k < len(a) && k < len(b); k++ {
			ap, bp := strings.HasPrefix(a[k], "{"), strings.HasPrefix(b[k], "{")
			if ap != bp {
				return !ap
			}
		}
		return false
	})
	return rs
}

func splitPath(p string) []string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) == 1 && parts[0] == "" {
		return nil
	}
	return parts
}

// match finds the route for method and path; allowed reports whether the
// path exists with another method.
func (s *Sandbox) match(method, path string) (rt *route, params map[string]string, pathExists bool) {
	segs := splitPath(path)
	for _, r := range s.routes {
		if len(r.segs) != len(segs) {
			continue
		}
		var p map[string]string
		ok := true
		for i, seg := range r.segs {
			if strings.HasPrefix(seg, "{") {
				if segs[i] == "" {
					ok = false
					break
				}
				if p == nil {
					p = map[string]string{}
				}
				p[strings.Trim(seg, "{}")] = segs[i]
			} else if seg != segs[i] {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if r.method != method {
			pathExists = true
			continue
		}
		return r, p, true
	}
	return nil, nil, pathExists
}

// reqCtx is one request on its way through the pipeline.
type reqCtx struct {
	r      *http.Request
	route  *route
	params map[string]string
	body   []byte
	tok    *accessToken
	now    time.Time
	fault  requestFault
}

func (rc *reqCtx) param(name string) string { return rc.params[name] }

const maxBody = 1 << 20

// ServeHTTP answers one GHL API request: route, Version header, bearer
// token, scope, rate limit, injected faults, then the operation.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, params, exists := s.match(r.Method, r.URL.Path)
	if rt == nil {
		s.limiter.headers(w.Header(), nil, s.clock.Now())
		status := http.StatusNotFound
		if exists {
			status = http.StatusMethodNotAllowed
		}
		writeError(w, errStatus(status, "Cannot "+r.Method+" "+r.URL.Path))
		return
	}
	s.count(rt.op)
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		s.limiter.headers(w.Header(), nil, s.clock.Now())
		writeError(w, errBadRequest("could not read request body"))
		return
	}
	if len(body) > maxBody {
		s.limiter.headers(w.Header(), nil, s.clock.Now())
		writeError(w, errStatus(http.StatusRequestEntityTooLarge, "request entity too large"))
		return
	}
	rc := &reqCtx{r: r, route: rt, params: params, body: body, now: s.now()}
	var bucket *bucket
	status, v, apiErr := func() (int, any, *apiError) {
		if rt.version != "" {
			switch ver := r.Header.Get("Version"); {
			case ver == "":
				return 0, nil, errBadRequest(msgVersionMissing)
			case ver != rt.version:
				return 0, nil, errBadRequest(msgVersionInvalid)
			}
		}
		if rt.auth != authNone {
			tok, e := s.authenticate(r, rt, rc.now)
			if e != nil {
				return 0, nil, e
			}
			rc.tok = tok
			bucket = s.limiter.bucket(tok.limitKey())
			if !bucket.take(rc.now, s.opts.RateLimit) {
				return 0, nil, errStatus(http.StatusTooManyRequests, "Too Many Requests")
			}
		}
		rf, e := s.injectFaults(rc)
		if e != nil {
			return 0, nil, e
		}
		rc.fault = rf
		return rt.h(s, rc)
	}()
	s.limiter.headers(w.Header(), bucket, rc.now)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeJSON(w, status, v)
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.status)
	_, _ = w.Write(e.body())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, errStatus(http.StatusInternalServerError, "Internal Server Error"))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
