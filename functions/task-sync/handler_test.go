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
	"ghl-task-complete.json":               {200, "ignored"}, // the sample task is not in GHL
	"ghl-task-create-without-contact.json": {200, "ignored"},
	"ghl-task-create.json":                 {200, "ignored"},
	"peer-task-completed.json":             {200, "synced"},
	"peer-task-deleted.json":               {200, "synced"},
	"peer-task-upserted.json":              {200, "synced"},
}
