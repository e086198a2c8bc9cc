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

var wantOutcomes = map[string]expectation{
	"ghl-note-create.json":    {200, "ignored"}, // the sample note is not in GHL
	"ghl-note-delete.json":    {200, "ignored"},
	"peer-note-deleted.json":  {200, "ignored"}, // not linked yet
	"peer-note-upserted.json": {200, "synced"},
}
