package crmsync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ghlsync/ghlsync/internal/ghl"
)

// PullRequest is one call of the on-demand pull API.
type PullRequest struct {
	// Authorization is the request's Authorization header ("Bearer <key>").
	Authorization string
	// LocationID names the location; DefaultLocationID when empty.
	LocationID string
	// ID is the contact (peer id or GHL id) or the business id.
	ID string
	// Include lists what to add to a contact: tasks, notes, appointments.
	Include []string
	// Limit and Skip page the business contact list.
	Limit, Skip int
}

// Profile is a contact with the related records a pull asked for.
type Profile struct {
	Contact      *Contact      `json:"contact"`
	Tasks        []Task        `json:"tasks,omitempty"`
	Notes        []Note        `json:"notes,omitempty"`
	Appointments []Appointment `json:"appointments,omitempty"`
}

// BusinessContacts is the answer of the business contact list.
type BusinessContacts struct {
	BusinessID string    `json:"businessId"`
	Contacts   []Contact `json:"contacts"`
	Count      int       `json:"count"`
}

var pullIncludes = []string{"tasks", "notes", "appointments"}

// ParseInclude splits the include query parameter ("tasks,notes").
func ParseInclude(s string) ([]string, error) {
	var out []string
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !contains(pullIncludes, part) {
			return nil, fmt.Errorf("include: unknown %q (want any of %s)", part, strings.Join(pullIncludes, ","))
		}
		out = append(out, part)
	}
	return out, nil
}

// ParsePage reads the limit and skip query parameters (empty is 0).
func ParsePage(limit, skip string) (int, int, error) {
	var l, s int
	var err error
	if limit != "" {
		if l, err = strconv.Atoi(limit); err != nil || l < 1 || l > 100 {
			return 0, 0, errors.New("limit: want a whole number from 1 to 100")
		}
	}
	if skip != "" {
		if s, err = strconv.Atoi(skip); err != nil || s < 0 {
			return 0, 0, errors.New("skip: want a whole number, 0 or more")
		}
	}
	return l, s, nil
}

// authorize checks the bearer key and the location of a pull.
func (s *Syncer) authorize(r *PullRequest) (string, *Result) {
	key, ok := strings.CutPrefix(r.Authorization, "Bearer ")
	if !ok || s.opts.PullKeys == nil || !s.opts.PullKeys.CheckPullKey(strings.TrimSpace(key)) {
		res := errorResult(http.StatusUnauthorized, "unauthorized", "a valid 'Authorization: Bearer <pull API key>' is required", nil)
		res.Header = map[string]string{"WWW-Authenticate": `Bearer realm="ghlsync"`}
		return "", &res
	}
	loc := r.LocationID
	if loc == "" {
		loc = s.opts.DefaultLocationID
	}
	if loc == "" {
		res := errorResult(http.StatusBadRequest, "malformed", "locationId is required (no default location is configured)", nil)
		return "", &res
	}
	if r.ID == "" {
		res := errorResult(http.StatusBadRequest, "malformed", "the id path parameter is required", nil)
		return "", &res
	}
	return loc, nil
}

func pullFailure(err error) Result {
	switch {
	case isNotFound(err):
		return errorResult(http.StatusNotFound, "not_found", "no such contact or business in GHL", err)
	case retryable(err):
		return Result{Status: http.StatusServiceUnavailable, Body: ErrorBody{Error: "unavailable", Message: "GHL could not be read now; try again"},
			Header: map[string]string{"Retry-After": "30"}, Outcome: "unavailable", Err: err}
	}
	return errorResult(http.StatusBadGateway, "ghl_error", "GHL refused the read", err)
}

// PullContact answers GET /peer/contacts/{id}: the contact (by peer id
// through its link, else by GHL id) read from GHL now, with the tasks,
// notes and appointments Include names. A wrong key is 401.
func (s *Syncer) PullContact(ctx context.Context, r PullRequest) Result {
	loc, bad := s.authorize(&r)
	if bad != nil {
		return *bad
	}
	ghlID, peerID := r.ID, ""
	link, err := s.linkByPeer(ctx, loc, KindContact, r.ID)
	if err != nil {
		return pullFailure(err)
	}
	if link != nil {
		ghlID, peerID = link.GHLID, link.PeerID
	} else if link, err = s.linkByGHL(ctx, loc, KindContact, r.ID); err != nil {
		return pullFailure(err)
	} else if link != nil {
		peerID = link.PeerID
	}
	g, err := s.opts.GHL.GHLFor(ctx, loc)
	if err != nil {
		return pullFailure(err)
	}
	got, _, err := g.Contacts.Get(ctx, ghlID)
	if err != nil {
		return pullFailure(fmt.Errorf("get contact %s: %w", ghlID, err))
	}
	p := Profile{Contact: contactFromGHL(loc, got)}
	p.Contact.PeerID = peerID
	for _, inc := range r.Include {
		switch inc {
		case "tasks":
			list, _, err := g.Contacts.ListTasks(ctx, ghlID)
			if err != nil {
				return pullFailure(fmt.Errorf("list tasks of contact %s: %w", ghlID, err))
			}
			p.Tasks = []Task{}
			for i := range list {
				p.Tasks = append(p.Tasks, *taskFromGHL(&list[i], ghlID))
			}
		case "notes":
			list, _, err := g.Contacts.ListNotes(ctx, ghlID)
			if err != nil {
				return pullFailure(fmt.Errorf("list notes of contact %s: %w", ghlID, err))
			}
			p.Notes = []Note{}
			for i := range list {
				p.Notes = append(p.Notes, *noteFromGHL(&list[i], ghlID))
			}
		case "appointments":
			list, _, err := g.Contacts.ListAppointments(ctx, ghlID)
			if err != nil {
				return pullFailure(fmt.Errorf("list appointments of contact %s: %w", ghlID, err))
			}
			p.Appointments = []Appointment{}
			for i := range list {
				a := appointmentFromGHL(&list[i])
				if a.ContactGHLID == "" {
					a.ContactGHLID = ghlID
				}
				p.Appointments = append(p.Appointments, *a)
			}
		}
	}
	return Result{Status: http.StatusOK, Body: p, Outcome: "pulled"}
}

// PullBusinessContacts answers GET /peer/businesses/{id}/contacts: one
// page (Limit, Skip) of the contacts GHL links to the business.
func (s *Syncer) PullBusinessContacts(ctx context.Context, r PullRequest) Result {
	loc, bad := s.authorize(&r)
	if bad != nil {
		return *bad
	}
	g, err := s.opts.GHL.GHLFor(ctx, loc)
	if err != nil {
		return pullFailure(err)
	}
	list, _, err := g.Contacts.ListByBusiness(ctx, r.ID, &ghl.ListByBusinessOptions{LocationID: loc, Limit: r.Limit, Skip: r.Skip})
	if err != nil {
		return pullFailure(fmt.Errorf("list contacts of business %s: %w", r.ID, err))
	}
	out := BusinessContacts{BusinessID: r.ID, Contacts: []Contact{}, Count: list.Count}
	for i := range list.Contacts {
		out.Contacts = append(out.Contacts, *contactFromGHL(loc, &list.Contacts[i]))
	}
	return Result{Status: http.StatusOK, Body: out, Outcome: "pulled"}
}
