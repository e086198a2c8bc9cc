package main

import (
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/syncapp"
)

// Routes of the contact-upsert function (template.yaml).
const (
	RouteGHLWebhook   = "POST /ghl/webhooks/contacts"
	RoutePeerWebhook  = "POST /peer/webhooks/contacts"
	RoutePullContact  = "GET /peer/contacts/{id}"
	RoutePullBusiness = "GET /peer/businesses/{id}/contacts"
)

// newHandler routes API Gateway events to the sync flows; any other route
// answers 404.
func newHandler(f syncapp.Flows) *syncapp.Handler {
	return &syncapp.Handler{Routes: map[string]syncapp.Route{
		RouteGHLWebhook:   syncapp.GHLWebhook(f, crmsync.KindContact),
		RoutePeerWebhook:  syncapp.PeerWebhook(f, crmsync.KindContact),
		RoutePullContact:  syncapp.PullContact(f),
		RoutePullBusiness: syncapp.PullBusinessContacts(f),
	}}
}
