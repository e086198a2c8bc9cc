package syncapp

import "github.com/ghlsync/ghlsync/internal/crmsync"

// Route keys of the sync functions (template.yaml), the one table the
// Lambda functions and the local dev server both serve.
const (
	RouteGHLContacts     = "POST /ghl/webhooks/contacts"
	RoutePeerContacts    = "POST /peer/webhooks/contacts"
	RoutePullContact     = "GET /peer/contacts/{id}"
	RoutePullBusiness    = "GET /peer/businesses/{id}/contacts"
	RouteGHLTasks        = "POST /ghl/webhooks/tasks"
	RoutePeerTasks       = "POST /peer/webhooks/tasks"
	RouteGHLNotes        = "POST /ghl/webhooks/notes"
	RoutePeerNotes       = "POST /peer/webhooks/notes"
	RouteGHLAppointments = "POST /ghl/webhooks/appointments"
	RoutePeerAppointment = "POST /peer/webhooks/appointments"
)

// Function names of the sync functions (functions/<name>).
const (
	FunctionContactUpsert   = "contact-upsert"
	FunctionTaskSync        = "task-sync"
	FunctionNoteSync        = "note-sync"
	FunctionAppointmentPull = "appointment-pull"
)

// SyncFunctions lists the sync functions in template order.
var SyncFunctions = []string{FunctionContactUpsert, FunctionTaskSync, FunctionNoteSync, FunctionAppointmentPull}

// FunctionRoutes returns the routes of the named sync function over f, or
// nil for a name that is not a sync function.
func FunctionRoutes(name string, f Flows) map[string]Route {
	switch name {
	case FunctionContactUpsert:
		return map[string]Route{
			RouteGHLContacts:  GHLWebhook(f, crmsync.KindContact),
			RoutePeerContacts: PeerWebhook(f, crmsync.KindContact),
			RoutePullContact:  PullContact(f),
			RoutePullBusiness: PullBusinessContacts(f),
		}
	case FunctionTaskSync:
		return map[string]Route{
			RouteGHLTasks:  GHLWebhook(f, crmsync.KindTask),
			RoutePeerTasks: PeerWebhook(f, crmsync.KindTask),
		}
	case FunctionNoteSync:
		return map[string]Route{
			RouteGHLNotes:  GHLWebhook(f, crmsync.KindNote),
			RoutePeerNotes: PeerWebhook(f, crmsync.KindNote),
		}
	case FunctionAppointmentPull:
		return map[string]Route{
			RouteGHLAppointments: GHLWebhook(f, crmsync.KindAppointment),
			RoutePeerAppointment: PeerWebhook(f, crmsync.KindAppointment),
		}
	}
	return nil
}

// SyncRoutes returns the routes of all four sync functions over f: what
// the local dev server and an in-process replay serve.
func SyncRoutes(f Flows) map[string]Route {
	all := map[string]Route{}
	for _, name := range SyncFunctions {
		for k, r := range FunctionRoutes(name, f) {
			all[k] = r
		}
	}
	return all
}

// NewFunctionHandler returns the handler of the named sync function; any
// other route answers 404. It panics on a name that is not a sync
// function (a wiring mistake in main).
func NewFunctionHandler(name string, f Flows) *Handler {
	routes := FunctionRoutes(name, f)
	if routes == nil {
		panic("syncapp: no sync function " + name)
	}
	return &Handler{Routes: routes}
}
