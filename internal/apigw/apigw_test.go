package apigw

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

func TestFromHTTPRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body string
		wantBase64              bool
	}{
		{name: "json", contentType: "application/json", body: `{"a":1}`},
		{name: "binary", contentType: "application/octet-stream", body: "\x00\x01\x02", wantBase64: true},
		{name: "empty", body: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/peer/contacts/p1?include=tasks,notes", strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			r.Header.Set("Webhook-Id", "msg_1")
			ev, err := FromHTTP(r, "POST /peer/contacts/{id}", map[string]string{"id": "p1"}, 1024)
			if err != nil {
				t.Fatal(err)
			}
			if ev.IsBase64Encoded != tt.wantBase64 {
				t.Errorf("IsBase64Encoded = %v", ev.IsBase64Encoded)
			}
			got, err := Body(ev, 1024)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.body {
				t.Errorf("body = %q, want %q", got, tt.body)
			}
			if Header(ev).Get("webhook-id") != "msg_1" || ev.QueryStringParameters["include"] != "tasks,notes" ||
				ev.RequestContext.HTTP.Method != "POST" || ev.PathParameters["id"] != "p1" || ev.RouteKey != "POST /peer/contacts/{id}" {
				t.Errorf("event = %+v", ev)
			}
		})
	}
}

func TestBodyLimits(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 2000)
	tests := []struct {
		name    string
		ev      events.APIGatewayV2HTTPRequest
		wantErr error
		bad     bool
	}{
		{name: "plain over", ev: events.APIGatewayV2HTTPRequest{Body: big}, wantErr: ErrBodyTooLarge},
		{name: "base64 over", ev: events.APIGatewayV2HTTPRequest{Body: base64.StdEncoding.EncodeToString([]byte(big)), IsBase64Encoded: true}, wantErr: ErrBodyTooLarge},
		{name: "base64 broken", ev: events.APIGatewayV2HTTPRequest{Body: "%%%", IsBase64Encoded: true}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Body(tt.ev, 1024)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
	r := httptest.NewRequest("POST", "/x", strings.NewReader(big))
	if _, err := FromHTTP(r, "POST /x", nil, 1024); !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("FromHTTP over limit: %v", err)
	}
}

func TestWriteHTTP(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	WriteHTTP(rec, Error(http.StatusUnauthorized, "bad_signature", "signature does not verify"))
	if rec.Code != 401 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %v", rec.Code, rec.Header())
	}
	if diff := cmp.Diff(`{"error":"bad_signature","message":"signature does not verify"}`, rec.Body.String()); diff != "" {
		t.Error(diff)
	}
	rec = httptest.NewRecorder()
	WriteHTTP(rec, JSON(http.StatusOK, map[string]int{"n": 1}))
	if rec.Code != 200 || rec.Body.String() != `{"n":1}` {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
}
