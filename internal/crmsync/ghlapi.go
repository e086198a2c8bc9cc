package crmsync

import (
	"context"

	"github.com/ghlsync/ghlsync/internal/ghl"
)

// ContactsAPI is the part of the GHL Contacts API the flows call;
// *ghl.ContactsService satisfies it.
type ContactsAPI interface {
	Get(ctx context.Context, contactID string) (*ghl.Contact, *ghl.Response, error)
	Update(ctx context.Context, contactID string, r *ghl.UpdateContactRequest) (*ghl.Contact, *ghl.Response, error)
	Upsert(ctx context.Context, r *ghl.UpsertContactRequest) (*ghl.UpsertContactResult, *ghl.Response, error)
	Delete(ctx context.Context, contactID string) (*ghl.Response, error)
	FindDuplicate(ctx context.Context, opts *ghl.FindDuplicateOptions) (*ghl.Contact, *ghl.Response, error)
	ListByBusiness(ctx context.Context, businessID string, opts *ghl.ListByBusinessOptions) (*ghl.ContactList, *ghl.Response, error)
	AddTags(ctx context.Context, contactID string, tags []string) ([]string, *ghl.Response, error)
	RemoveTags(ctx context.Context, contactID string, tags []string) ([]string, *ghl.Response, error)

	ListTasks(ctx context.Context, contactID string) ([]ghl.Task, *ghl.Response, error)
	GetTask(ctx context.Context, contactID, taskID string) (*ghl.Task, *ghl.Response, error)
	CreateTask(ctx context.Context, contactID string, r *ghl.CreateTaskRequest) (*ghl.Task, *ghl.Response, error)
	UpdateTask(ctx context.Context, contactID, taskID string, r *ghl.UpdateTaskRequest) (*ghl.Task, *ghl.Response, error)
	DeleteTask(ctx context.Context, contactID, taskID string) (*ghl.Response, error)

	ListNotes(ctx context.Context, contactID string) ([]ghl.Note, *ghl.Response, error)
	GetNote(ctx context.Context, contactID, noteID string) (*ghl.Note, *ghl.Response, error)
	CreateNote(ctx context.Context, contactID string, r *ghl.CreateNoteRequest) (*ghl.Note, *ghl.Response, error)
	UpdateNote(ctx context.Context, contactID, noteID string, r *ghl.UpdateNoteRequest) (*ghl.Note, *ghl.Response, error)
	DeleteNote(ctx context.Context, contactID, noteID string) (*ghl.Response, error)

	ListAppointments(ctx context.Context, contactID string) ([]ghl.Appointment, *ghl.Response, error)
}

// LocationsAPI is the part of the GHL Locations API the flows call.
type LocationsAPI interface {
	SearchTasks(ctx context.Context, locationID string, r *ghl.SearchTasksRequest) ([]ghl.Task, *ghl.Response, error)
}

// CalendarsAPI is the part of the GHL Calendars API the flows call.
type CalendarsAPI interface {
	CreateAppointment(ctx context.Context, r *ghl.CreateAppointmentRequest) (*ghl.Appointment, *ghl.Response, error)
	UpdateAppointment(ctx context.Context, eventID string, r *ghl.UpdateAppointmentRequest) (*ghl.Appointment, *ghl.Response, error)
}

// GHL is the GHL API of one location, as the flows see it.
type GHL struct {
	Contacts  ContactsAPI
	Locations LocationsAPI
	Calendars CalendarsAPI
}

// ClientGHL returns the GHL API backed by a ghl.Client.
func ClientGHL(c *ghl.Client) GHL {
	return GHL{Contacts: c.Contacts, Locations: c.Locations, Calendars: c.Calendars}
}

// GHLFactory returns the GHL API of a location: a client authenticated
// with that location's token and paced by its rate limiter.
type GHLFactory interface {
	GHLFor(ctx context.Context, locationID string) (GHL, error)
}

// GHLFactoryFunc adapts a function to GHLFactory.
type GHLFactoryFunc func(ctx context.Context, locationID string) (GHL, error)

// GHLFor calls f.
func (f GHLFactoryFunc) GHLFor(ctx context.Context, locationID string) (GHL, error) {
	return f(ctx, locationID)
}
