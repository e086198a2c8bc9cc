package ghlspec

import (
	"net/http"
	"strings"
	"testing"
)

func loadT(t *testing.T) *Validator {
	t.Helper()
	dir, err := AppsDir()
	if err != nil {
		t.Fatal(err)
	}
	v, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestValidateRequest(t *testing.T) {
	t.Parallel()
	v := loadT(t)
	tests := []struct {
		name, method, target, body string
		header                     map[string]string
		wantOp                     string
		wantErr                    string
	}{
		{name: "get contact", method: "GET", target: "/contacts/abc", wantOp: "get-contact"},
		{name: "missing version", method: "GET", target: "/contacts/abc", header: map[string]string{"Version": ""}, wantErr: "Version"},
		{name: "wrong version", method: "GET", target: "/contacts/abc", header: map[string]string{"Version": "2021-04-15"}, wantErr: "Version"},
		{name: "no auth", method: "GET", target: "/contacts/abc", header: map[string]string{"Authorization": ""}, wantErr: "Authorization"},
		{name: "search ok", method: "POST", target: "/contacts/search", body: `{"locationId":"l","pageLimit":100}`, wantOp: "search-contacts-advanced"},
		{name: "search no pageLimit", method: "POST", target: "/contacts/search", body: `{"locationId":"l"}`, wantErr: "pageLimit"},
		{name: "search pageLimit too big", method: "POST", target: "/contacts/search", body: `{"locationId":"l","pageLimit":101}`, wantErr: "pageLimit"},
		{name: "update with locationId", method: "PUT", target: "/contacts/abc", body: `{"locationId":"l"}`, wantErr: "property locationId should not exist"},
		{name: "create contact", method: "POST", target: "/contacts/", body: `{"locationId":"l","email":"a@b.c"}`, wantOp: "create-contact"},
		{name: "unknown path", method: "GET", target: "/nope", wantErr: "no operation"},
		{name: "create dateOfBirth string", method: "POST", target: "/contacts/", body: `{"locationId":"l","dateOfBirth":"1990-09-25"}`, wantOp: "create-contact"},
		{name: "update dateOfBirth number", method: "PUT", target: "/contacts/abc", body: `{"dateOfBirth":19900925}`, wantErr: "dateOfBirth"},
		{name: "calendar version", method: "POST", target: "/calendars/events/appointments", header: map[string]string{"Version": "2021-04-15"},
			body: `{"calendarId":"c","locationId":"l","contactId":"x","startTime":"2021-06-23T03:30:00+05:30"}`, wantOp: "create-appointment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, _ := http.NewRequest(tt.method, "http://127.0.0.1:1"+tt.target, strings.NewReader(tt.body))
			r.Header.Set("Authorization", "Bearer tok")
			r.Header.Set("Version", "2021-07-28")
			if tt.body != "" {
				r.Header.Set("Content-Type", "application/json")
			}
			for k, val := range tt.header {
				if val == "" {
					r.Header.Del(k)
				} else {
					r.Header.Set(k, val)
				}
			}
			rt, err := v.ValidateRequest(t.Context(), r, []byte(tt.body))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if rt.OperationID != tt.wantOp {
				t.Errorf("op = %q, want %q", rt.OperationID, tt.wantOp)
			}
		})
	}
}

func TestValidateResponse(t *testing.T) {
	t.Parallel()
	v := loadT(t)
	json := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name, method, target, body string
		status                     int
		wantErr                    bool
	}{
		{name: "contact ok", method: "GET", target: "/contacts/a", status: 200, body: `{"contact":{"id":"a","tags":["x"]}}`},
		{name: "contact wrong type", method: "GET", target: "/contacts/a", status: 200, body: `{"contact":{"id":"a","tags":"x"}}`, wantErr: true},
		{name: "search ok", method: "POST", target: "/contacts/search", status: 200, body: `{"contacts":[],"total":0}`},
		{name: "search cursor", method: "POST", target: "/contacts/search", status: 200, body: `{"contacts":[{"id":"a","searchAfter":[1718000000000,"a"]}],"total":1}`},
		{name: "search cursor object", method: "POST", target: "/contacts/search", status: 200, body: `{"contacts":[{"id":"a","searchAfter":[{"x":1}]}],"total":1}`, wantErr: true},
		{name: "search missing total", method: "POST", target: "/contacts/search", status: 200, body: `{"contacts":[]}`, wantErr: true},
		{name: "404 envelope", method: "GET", target: "/contacts/a", status: 404, body: `{"statusCode":404,"message":"Contact not found"}`},
		{name: "404 bad envelope", method: "GET", target: "/contacts/a", status: 404, body: `{"oops":1}`, wantErr: true},
		{name: "429 empty", method: "GET", target: "/contacts/a", status: 429},
		{name: "422 array", method: "PUT", target: "/contacts/a", status: 422, body: `{"statusCode":422,"message":["property gender should not exist"],"error":"Unprocessable Entity"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, _ := http.NewRequest(tt.method, "http://127.0.0.1:1"+tt.target, nil)
			r.Header.Set("Authorization", "Bearer tok")
			r.Header.Set("Version", "2021-07-28")
			err := v.ValidateResponse(t.Context(), r, nil, tt.status, json, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}
