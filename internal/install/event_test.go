package install

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseEventDocExamples parses GHL's documented AppInstall and
// AppUninstall examples (type INSTALL/UNINSTALL, trial dates typed "Date"
// in the schema, no webhookId, unknown fields).
func TestParseEventDocExamples(t *testing.T) {
	t.Parallel()
	dir := "../../../shared/ghl-api/webhooks"
	tests := []struct {
		file   string
		want   Event
		agency bool
	}{
		{"AppInstall.example1.json", Event{Type: TypeInstall, AppID: "ve9EPM428h8vShlRW1KT", LocationID: "otg8dTQqGLh3Q6iQI55w", CompanyID: "otg8dTQqGLh3Q6iQI55w", UserID: "otg8dTQqGLh3Q6iQI55w"}, false},
		{"AppInstall.example2.json", Event{Type: TypeInstall, AppID: "ve9EPM428h8vShlRW1KT", LocationID: "otg8dTQqGLh3Q6iQI55w", CompanyID: "otg8dTQqGLh3Q6iQI55w", UserID: "otg8dTQqGLh3Q6iQI55w"}, false},
		{"AppInstall.example3.json", Event{Type: TypeInstall, AppID: "ve9EPM428h8vShlRW1KT", CompanyID: "otg8dTQqGLh3Q6iQI55w"}, true},
		{"AppUninstall.example1.json", Event{Type: TypeUninstall, AppID: "ve9EPM428h8vShlRW1KT", LocationID: "otg8dTQqGLh3Q6iQI55w"}, false},
		{"AppUninstall.example2.json", Event{Type: TypeUninstall, AppID: "ve9EPM428h8vShlRW1KT", CompanyID: "otg8dTQqGLh3Q6iQI55w"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseEvent(b)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if got.Agency() != tt.agency {
				t.Errorf("Agency() = %t", got.Agency())
			}
			if k := IdempotencyKey(got, b); !strings.HasPrefix(k, "sha256:") || len(k) != 7+64 {
				t.Errorf("key without webhookId = %q", k)
			}
		})
	}
}

func TestParseEventErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		want       error
		wantMsg    string
	}{
		{"not JSON", `{"type":`, ErrBadPayload, "not a JSON object"},
		{"array", `[]`, ErrBadPayload, "not a JSON object"},
		{"wrong field type", `{"type":"INSTALL","locationId":5}`, ErrBadPayload, `"locationId"`},
		{"no type", `{"locationId":"abc"}`, ErrBadPayload, "no type"},
		{"no ids", `{"type":"UNINSTALL"}`, ErrBadPayload, "neither locationId nor companyId"},
		{"bad id", `{"type":"UNINSTALL","companyId":"a/b"}`, ErrBadPayload, "companyId"},
		{"other type", `{"type":"ContactCreate","locationId":"abc"}`, ErrUnsupportedEvent, "ContactCreate"},
		{"doc-name alias", `{"type":"AppUninstall","locationId":"abc"}`, nil, ""},
		{"lower case", `{"type":"install","locationId":"abc"}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseEvent([]byte(tt.body))
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.wantMsg)) {
				t.Errorf("ParseEvent = %v, want %v mentioning %q", err, tt.want, tt.wantMsg)
			}
		})
	}
}
