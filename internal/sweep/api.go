package sweep

import (
	"context"
	"sync/atomic"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/store"
)

// API is the part of the GHL API a sweep reads; FromClient adapts a
// *ghl.Client.
type API interface {
	SearchContacts(ctx context.Context, r *ghl.SearchContactsRequest) (*ghl.SearchContactsResult, *ghl.Response, error)
	GetContact(ctx context.Context, contactID string) (*ghl.Contact, *ghl.Response, error)
	SearchTasks(ctx context.Context, locationID string, r *ghl.SearchTasksRequest) ([]ghl.Task, *ghl.Response, error)
	ListTasks(ctx context.Context, contactID string) ([]ghl.Task, *ghl.Response, error)
	ListNotes(ctx context.Context, contactID string) ([]ghl.Note, *ghl.Response, error)
	ListAppointments(ctx context.Context, contactID string) ([]ghl.Appointment, *ghl.Response, error)
	ListCalendars(ctx context.Context, locationID string) ([]ghl.Calendar, *ghl.Response, error)
	ListEvents(ctx context.Context, o *ghl.ListEventsOptions) ([]ghl.Appointment, *ghl.Response, error)
}

// FromClient returns the API of a GHL client.
func FromClient(c *ghl.Client) API { return clientAPI{c} }

type clientAPI struct{ c *ghl.Client }

func (a clientAPI) SearchContacts(ctx context.Context, r *ghl.SearchContactsRequest) (*ghl.SearchContactsResult, *ghl.Response, error) {
	return a.c.Contacts.Search(ctx, r)
}
func (a clientAPI) GetContact(ctx context.Context, id string) (*ghl.Contact, *ghl.Response, error) {
	return a.c.Contacts.Get(ctx, id)
}
func (a clientAPI) SearchTasks(ctx context.Context, loc string, r *ghl.SearchTasksRequest) ([]ghl.Task, *ghl.Response, error) {
	return a.c.Locations.SearchTasks(ctx, loc, r)
}
func (a clientAPI) ListTasks(ctx context.Context, id string) ([]ghl.Task, *ghl.Response, error) {
	return a.c.Contacts.ListTasks(ctx, id)
}
func (a clientAPI) ListNotes(ctx context.Context, id string) ([]ghl.Note, *ghl.Response, error) {
	return a.c.Contacts.ListNotes(ctx, id)
}
func (a clientAPI) ListAppointments(ctx context.Context, id string) ([]ghl.Appointment, *ghl.Response, error) {
	return a.c.Contacts.ListAppointments(ctx, id)
}

func (a clientAPI) ListCalendars(ctx context.Context, loc string) ([]ghl.Calendar, *ghl.Response, error) {
	return a.c.Calendars.List(ctx, &ghl.ListCalendarsOptions{LocationID: loc})
}
func (a clientAPI) ListEvents(ctx context.Context, o *ghl.ListEventsOptions) ([]ghl.Appointment, *ghl.Response, error) {
	return a.c.Calendars.ListEvents(ctx, o)
}

// Clients returns the GHL API of a location (authenticated with its token,
// paced by its limiter and the shared Budget).
type Clients interface {
	APIFor(ctx context.Context, locationID string) (API, error)
}

// ClientsFunc adapts a function to Clients.
type ClientsFunc func(ctx context.Context, locationID string) (API, error)

// APIFor calls f.
func (f ClientsFunc) APIFor(ctx context.Context, locationID string) (API, error) {
	return f(ctx, locationID)
}

// Deliverer delivers what a sweep read to the peer; *crmsync.Syncer
// satisfies it.
type Deliverer interface {
	SyncFromGHL(ctx context.Context, locationID string, kind crmsync.Kind, contactID string, entity any) (crmsync.ChangeReport, error)
	SyncDeletedFromGHL(ctx context.Context, locationID string, kind crmsync.Kind, ghlID, contactID string) (crmsync.ChangeReport, error)
}

// Store is the part of the store sweeps use: cursors, links (paged by GHL
// id) and the install registry.
type Store interface {
	GetCursor(ctx context.Context, locationID, stream string) (*store.Cursor, error)
	PutCursor(ctx context.Context, c store.Cursor) error
	ListLinks(ctx context.Context, locationID string, kind store.LinkKind, afterGHLID string, limit int) ([]store.Link, error)
	GetInstallation(ctx context.Context, locationID string) (*store.Installation, error)
	ListInstallations(ctx context.Context) ([]store.Installation, error)
}

// counted counts the GHL calls of one location's sweep and stops them
// before GHL's daily budget is spent: once a response reports at most
// reserve requests left today, every further call of the sweep fails with
// a daily *ghl.RateLimitError without being sent, leaving the rest of the
// day's budget to webhook traffic (and no request meets a 429).
type counted struct {
	api     API
	pace    func(ctx context.Context) error
	loc     string
	reserve int
	n       *atomic.Int64
	stopped *atomic.Bool
}

func (c counted) before(ctx context.Context) error {
	if c.stopped.Load() {
		return &ghl.RateLimitError{LocationID: c.loc, Daily: true}
	}
	if c.pace != nil {
		if err := c.pace(ctx); err != nil {
			return err
		}
	}
	c.n.Add(1)
	return nil
}

func (c counted) after(resp *ghl.Response) {
	if resp != nil && resp.Rate.DailyKnown() && resp.Rate.DailyRemaining <= c.reserve {
		c.stopped.Store(true)
	}
}

func (c counted) SearchContacts(ctx context.Context, r *ghl.SearchContactsRequest) (*ghl.SearchContactsResult, *ghl.Response, error) {
	if err := c.before(ctx); err != nil {
		return nil, nil, err
	}
	v, resp, err := c.api.SearchContacts(ctx, r)
	c.after(resp)
	return v, resp, err
}

func (c counted) GetContact(ctx context.Context, id string) (*ghl.Contact, *ghl.Response, error) {
	if err := c.before(ctx); err != nil {
		return nil, nil, err
	}
	v, resp, err := c.api.GetContact(ctx, id)
	c.after(resp)
	return v, resp, err
}

func (c counted) SearchTasks(ctx context.Context, loc string, r *ghl.SearchTasksRequest) ([]ghl.Task, *ghl.Response, error) {
	if err := c.before(ctx); err != nil {
		return nil, nil, err
	}
	v, resp, err := c.api.SearchTasks(ctx, loc, r)
	c.after(resp)
	return v, resp, err
}

func (c counted) ListTasks(ctx context.Context, id string) ([]ghl.Task, *ghl.Response, error) {
	if err := c.before(ctx); err != nil {
		return nil, nil, err
	}
	v, resp, err := c.api.ListTasks(ctx, id)
	c.after(resp)
	return v, resp, err
}

func (c counted) ListNotes(ctx context.Context, id string) ([]ghl.Note, *ghl.Response, error) {
	if err := c.before(ctx); err != nil {
		return nil, nil, err
	}
	v, resp, err := c.api.ListNotes(ctx, id)
	c.after(resp)
	return v, resp, err
}

func (c counted) ListAppointments(ctx context.Context, id string) ([]ghl.Appointment, *ghl.Response, error) {
	if err := c.before(ctx); err != nil {
		return nil, nil, err
	}
	v, resp, err := c.api.ListAppointments(ctx, id)
	c.after(resp)
	return v, resp, err
}

func (c counted) ListCalendars(ctx context.Context, loc string) ([]ghl.Calendar, *ghl.Response, error) {
	if err := c.before(ctx); err != nil {
		return nil, nil, err
	}
	v, resp, err := c.api.ListCalendars(ctx, loc)
	c.after(resp)
	return v, resp, err
}

func (c counted) ListEvents(ctx context.Context, o *ghl.ListEventsOptions) ([]ghl.Appointment, *ghl.Response, error) {
	if err := c.before(ctx); err != nil {
		return nil, nil, err
	}
	v, resp, err := c.api.ListEvents(ctx, o)
	c.after(resp)
	return v, resp, err
}
