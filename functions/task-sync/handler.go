package main

import (
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/syncapp"
)

// Routes of the task-sync function (template.yaml).
const (
	RouteGHLWebhook  = "POST /ghl/webhooks/tasks"
	RoutePeerWebhook = "POST /peer/webhooks/tasks"
)

// newHandler routes API Gateway events to the sync flows; any other route
// answers 404.
func newHandler(f syncapp.Flows) *syncapp.Handler {
	return &syncapp.Handler{Routes: map[string]syncapp.Route{
		RouteGHLWebhook:  syncapp.GHLWebhook(f, crmsync.KindTask),
		RoutePeerWebhook: syncapp.PeerWebhook(f, crmsync.KindTask),
	}}
}
