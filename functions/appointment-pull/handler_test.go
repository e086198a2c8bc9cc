package main

import (
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/syncapp/syncapptest"
)

func TestUnknownRoute(t *testing.T) {
	t.Parallel()
	h := newHandler(nil)
	resp, err := h.Handle(t.Context(), events.APIGatewayV2HTTPRequest{RouteKey: "POST /ghl/webhooks/app"})
	if err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown route = %+v, %v", resp, err)
	}
	if len(h.Routes) != 2 {
		t.Errorf("routes = %d, want 2", len(h.Routes))
	}
}

var wantOutcomes = map[string]syncapptest.Expect{
	"ghl-appointment-create.json":    {Status: 200, Outcome: "synced"},  // the sample appointment is not in GHL: its delete is sent
	"peer-appointment-deleted.json":  {Status: 200, Outcome: "ignored"}, // not linked yet
	"peer-appointment-upserted.json": {Status: 200, Outcome: "synced"},
}
