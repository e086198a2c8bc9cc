package ghlspec

import (
	"fmt"
	"net/http"
	"testing"
)

func TestAllowListSandboxEntries(t *testing.T) {
	t.Parallel()
	v := loadT(t)
	json := http.Header{"Content-Type": {"application/json"}}
	event := `{"event":{"id":"e","title":"t","calendarId":"c","locationId":"l","contactId":"x","groupId":"","appointmentStatus":"confirmed",` +
		`"assignedUserId":"","users":[],"startTime":%s,"endTime":"2023-09-25T16:30:00+05:30","dateAdded":"2023-09-25T16:00:00+05:30","dateUpdated":"2023-09-25T16:00:00+05:30"}}`
	tests := []struct {
		name, method, target, version, body string
		wantErr                             bool
	}{
		{"C1 event times are strings", "GET", "/calendars/events/appointments/e", "2021-04-15", fmt.Sprintf(event, `"2023-09-25T16:00:00+05:30"`), false},
		{"C1 event times are not numbers", "GET", "/calendars/events/appointments/e", "2021-04-15", fmt.Sprintf(event, `1695637800000`), true},
		{"L1 task search items are objects", "POST", "/locations/l/tasks/search", "2021-07-28", `{"tasks":[{"id":"t","title":"x","completed":false}]}`, false},
		{"L1 task search items are not strings", "POST", "/locations/l/tasks/search", "2021-07-28", `{"tasks":["t"]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, _ := http.NewRequest(tt.method, "http://127.0.0.1:1"+tt.target, nil)
			r.Header.Set("Authorization", "Bearer tok")
			r.Header.Set("Version", tt.version)
			err := v.ValidateResponse(t.Context(), r, []byte(`{}`), http.StatusOK, json, []byte(tt.body))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
		})
	}
}
