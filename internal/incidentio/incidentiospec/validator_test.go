package incidentiospec

import (
	"errors"
	"net/http"
	"testing"
)

func loaded(t *testing.T) *Validator {
	t.Helper()
	v, err := Shared()
	if err != nil {
		t.Fatalf("load spec: %v", err)
	}
	return v
}

// TestDeepQuery: entry 2 of the allow-list accepts the bracket notation
// the parameter descriptions ask for and nothing else.
func TestDeepQuery(t *testing.T) {
	t.Parallel()
	v := loaded(t)
	cases := map[string]bool{
		"/v2/incidents?custom_field[01ABC][one_of]=e1&custom_field[01ABC][one_of]=e2": true,
		"/v2/incidents?status_category[one_of]=live&status_category[not_in]=closed":   true,
		"/v2/incidents?page_size=25":                      true,
		"/v2/incidents?custom_field=e1":                   false,
		"/v2/incidents?custom_field[01ABC]=e1":            false,
		"/v2/incidents?custom_field[01ABC][one_of][x]=e1": false,
		"/v2/incidents?nonsense[a]=b":                     false,
		"/v2/incidents?custom_field[01ABC][one_of]=":      false,
		"/v2/incidents?page_size=501":                     false,
	}
	for target, ok := range cases {
		req, _ := http.NewRequest("GET", "https://example.test"+target, nil)
		req.Header.Set("Authorization", "Bearer k")
		_, err := v.ValidateRequest(t.Context(), req, nil)
		if (err == nil) != ok {
			t.Errorf("%s: err = %v, want ok=%t", target, err, ok)
		}
	}
}

// TestErrorBodies: entry 1 checks the documented error envelope.
func TestErrorBodies(t *testing.T) {
	t.Parallel()
	v := loaded(t)
	req, _ := http.NewRequest("GET", "https://example.test/v2/custom_fields", nil)
	jsonHdr := http.Header{"Content-Type": {"application/json"}}
	ok := `{"type":"not_found","status":404,"request_id":"r","errors":[{"code":"not_found","message":"gone"}]}`
	if err := v.ValidateResponse(t.Context(), req, nil, 404, jsonHdr, []byte(ok)); err != nil {
		t.Errorf("documented envelope refused: %v", err)
	}
	bad := map[string]struct {
		status int
		hdr    http.Header
		body   string
	}{
		"status differs":       {404, jsonHdr, `{"type":"x","status":400,"request_id":"r","errors":[]}`},
		"no request id":        {422, jsonHdr, `{"type":"x","status":422,"errors":[]}`},
		"detail without code":  {422, jsonHdr, `{"type":"x","status":422,"request_id":"r","errors":[{"message":"m"}]}`},
		"not json":             {500, http.Header{"Content-Type": {"text/plain"}}, `oops`},
		"429 without headers":  {429, jsonHdr, `{"type":"too_many_requests","status":429,"request_id":"r","errors":[],"rate_limit":{"name":"k","limit":1,"remaining":0,"retry_after":"2026-01-01T00:00:00Z"}}`},
		"429 without the body": {429, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"1"}}, `{"type":"too_many_requests","status":429,"request_id":"r","errors":[]}`},
	}
	for name, tc := range bad {
		if err := v.ValidateResponse(t.Context(), req, nil, tc.status, tc.hdr, []byte(tc.body)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := v.ValidateResponse(t.Context(), req, nil, 200, jsonHdr, []byte(`{"custom_fields":[{"id":"x"}]}`)); err == nil {
		t.Error("a custom field without its required fields was accepted")
	}
}

// TestWebhookExamples: the 33 non-audit event types each have an example
// that matches its own schema; a payload off its schema is refused.
func TestWebhookExamples(t *testing.T) {
	t.Parallel()
	v := loaded(t)
	types := v.WebhookEventTypes()
	if len(types) != 33 {
		t.Errorf("%d event types, want the 33 of webhook-events.txt", len(types))
	}
	for _, et := range types {
		ex, err := v.WebhookExample(et)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.ValidateWebhook(ex); err != nil {
			t.Errorf("%s: %v", et, err)
		}
	}
	if _, err := v.WebhookExample("public_incident.nope"); !errors.Is(err, ErrUnknownWebhook) {
		t.Errorf("unknown type: %v", err)
	}
	if err := v.ValidateWebhook([]byte(`{"event_type":"public_incident.follow_up_created_v2","public_incident.follow_up_created_v2":{"id":"x"}}`)); err == nil {
		t.Error("a follow-up without its required fields was accepted")
	}
	if _, err := Load("/nonexistent/openapi3.json"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}
