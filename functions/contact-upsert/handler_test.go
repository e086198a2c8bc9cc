package main

import (
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/syncapp/syncapptest"
)

var wantOutcomes = map[string]syncapptest.Expect{
	"ghl-contact-create.json":     {Status: 200, Outcome: "synced"}, // the sample contact is not in GHL: its delete is sent, once
	"ghl-contact-update.json":     {Status: 200, Outcome: "unchanged"},
	"ghl-contact-tag-update.json": {Status: 200, Outcome: "unchanged"},
	"ghl-contact-delete.json":     {Status: 200, Outcome: "unchanged"},
	"peer-contact-deleted.json":   {Status: 200, Outcome: "ignored"}, // deletes disabled by default
	"peer-contact-tagged.json":    {Status: 200, Outcome: "ignored"}, // not linked yet
	"peer-contact-upserted.json":  {Status: 200, Outcome: "synced"},
	"pull-business-contacts.json": {Status: 200, Outcome: ""},
	"pull-contact.json":           {Status: 200, Outcome: ""},
}

func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	h := newHandler(nil)
	resp, err := h.Handle(t.Context(), events.APIGatewayV2HTTPRequest{RouteKey: "GET /nowhere"})
	if err != nil || resp.StatusCode != http.StatusNotFound || resp.Headers["Content-Type"] != "application/json" {
		t.Errorf("unknown route = %+v, %v", resp, err)
	}
	if len(h.Routes) != 4 {
		t.Errorf("routes = %d, want 4", len(h.Routes))
	}
}
