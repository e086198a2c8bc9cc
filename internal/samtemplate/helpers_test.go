package samtemplate_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ghlsync/ghlsync/internal/samtemplate"
)

// designRoutes is the route table of DESIGN.md section 2: route key ->
// function logical id.
var designRoutes = map[string]string{
	"POST /ghl/webhooks/contacts":        "ContactUpsertFunction",
	"POST /peer/webhooks/contacts":       "ContactUpsertFunction",
	"GET /peer/contacts/{id}":            "ContactUpsertFunction",
	"GET /peer/businesses/{id}/contacts": "ContactUpsertFunction",
	"POST /ghl/webhooks/tasks":           "TaskSyncFunction",
	"POST /peer/webhooks/tasks":          "TaskSyncFunction",
	"POST /ghl/webhooks/notes":           "NoteSyncFunction",
	"POST /peer/webhooks/notes":          "NoteSyncFunction",
	"POST /ghl/webhooks/appointments":    "AppointmentPullFunction",
	"POST /peer/webhooks/appointments":   "AppointmentPullFunction",
	"GET /oauth/callback":                "AppInstallFunction",
	"POST /ghl/webhooks/app":             "AppInstallFunction",
}

// designSchedules is the schedule of each function of DESIGN.md section 2:
// function logical id -> stream named in the schedule's Input.
var designSchedules = map[string]string{
	"ContactUpsertFunction":   "contacts",
	"TaskSyncFunction":        "tasks",
	"NoteSyncFunction":        "notes",
	"AppointmentPullFunction": "appointments",
}

// designFunctions are the five functions, sorted.
var designFunctions = []string{
	"AppInstallFunction", "AppointmentPullFunction", "ContactUpsertFunction", "NoteSyncFunction", "TaskSyncFunction",
}

var repoRoot = sync.OnceValues(func() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
})

// root returns the repository root (the folder holding go.mod).
func root(t *testing.T) string {
	t.Helper()
	dir, err := repoRoot()
	if err != nil {
		t.Fatalf("repository root (go.mod) not found above the test's folder: %v", err)
	}
	return dir
}

var loaded = sync.OnceValues(func() (*samtemplate.Template, error) {
	dir, err := repoRoot()
	if err != nil {
		return nil, err
	}
	return samtemplate.Load(filepath.Join(dir, "template.yaml"))
})

// project returns the repository's parsed template.yaml (parsed once).
func project(t *testing.T) *samtemplate.Template {
	t.Helper()
	tpl, err := loaded()
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

// ref is the decoded form of !Ref name.
func ref(name string) map[string]any { return map[string]any{"Ref": name} }

// getAtt is the decoded form of !GetAtt res.attr.
func getAtt(res, attr string) map[string]any {
	return map[string]any{"Fn::GetAtt": []any{res, attr}}
}

// sub is the decoded form of !Sub s.
func sub(s string) map[string]any { return map[string]any{"Fn::Sub": s} }

// missingTool fails the test under CI=true and skips it, loudly, elsewhere.
func missingTool(t *testing.T, what, fix string) {
	t.Helper()
	msg := what + " is not available: " + fix
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: a missing tool is a failure)")
	}
	t.Skip("SKIPPED — " + msg)
}
