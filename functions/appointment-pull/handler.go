package main

import (
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/syncapp"
)

// Routes of the appointment-pull function (template.yaml).
const (
	RouteGHLWebhook  = "POST /ghl/webhooks/appointments"
	RoutePeerWebhook = "POST /peer/webhooks/appointments"
)

// newHandler routes API Gateway events to the sync flows; any other route
// answers 404.
func newHandler(f syncapp.Flows) *syncapp.Handler {
	return &syncapp.Handler{Routes: map[string]syncapp.Route{
		RouteGHLWebhook:  syncapp.GHLWebhook(f, crmsync.KindAppointment),
		RoutePeerWebhook: syncapp.PeerWebhook(f, crmsync.KindAppointment),
	}}
}
