package main

import (
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

type expectation struct {
	status  int
	outcome string
}

var wantOutcomes = map[string]expectation{
	"ghl-contact-create.json":     {200, "ignored"}, // the sample contact is not in GHL: nothing to send
	"ghl-contact-update.json":     {200, "ignored"},
	"ghl-contact-tag-update.json": {200, "ignored"},
	"ghl-contact-delete.json":     {200, "ignored"},
	"peer-contact-deleted.json":   {200, "ignored"}, // deletes disabled by default
	"peer-contact-tagged.json":    {200, "ignored"}, // not linked yet
	"peer-contact-upserted.json":  {200, "synced"},
	"pull-business-contacts.json": {200, ""},
	"pull-contact.json":           {200, ""},
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
