package samtemplate_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestSampleEvents checks events/<function>/*.json against the template:
// an API Gateway event's routeKey must be a route of that function, and a
// schedule sample's kind and stream must be one of its schedules' Input.
// Whether the handler answers them is tested next to each function.
func TestSampleEvents(t *testing.T) {
	t.Parallel()
	dir := root(t)
	tpl := project(t)
	checked := 0
	covered := map[string]bool{}
	for _, f := range tpl.Functions() {
		files, err := filepath.Glob(filepath.Join(dir, "events", f.Dir, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		routes := map[string]bool{}
		for _, r := range tpl.Routes() {
			if r.Function == f.LogicalID {
				routes[r.Key()] = true
			}
		}
		var inputs []scheduleInput
		for _, s := range tpl.Schedules() {
			if in, err := decodeInput(s.Input()); s.Function == f.LogicalID && err == nil {
				inputs = append(inputs, in)
			}
		}
		for _, file := range files {
			name, _ := filepath.Rel(dir, file)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var ev struct {
				Version  string `json:"version"`
				RouteKey string `json:"routeKey"`
				Kind     string `json:"kind"`
				Stream   string `json:"stream"`
			}
			if err := json.Unmarshal(data, &ev); err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			switch {
			case ev.RouteKey != "":
				checked++
				covered[ev.RouteKey] = true
				if !routes[ev.RouteKey] {
					t.Errorf("%s: routeKey %q is not a route of %s in template.yaml", name, ev.RouteKey, f.LogicalID)
				}
				if ev.Version != "2.0" {
					t.Errorf("%s: version %q, want \"2.0\" (HTTP API payload format of every route)", name, ev.Version)
				}
			case ev.Kind != "":
				checked++
				if !slices.Contains(inputs, scheduleInput{Kind: ev.Kind, Stream: ev.Stream}) {
					t.Errorf("%s: schedule sample {kind %q, stream %q} matches no schedule Input of %s %v", name, ev.Kind, ev.Stream, f.LogicalID, inputs)
				}
			default:
				t.Logf("%s: neither an API event (routeKey) nor a schedule sample (kind); not checked here", name)
			}
		}
	}
	var uncovered []string
	for _, r := range tpl.Routes() {
		if !covered[r.Key()] {
			uncovered = append(uncovered, r.Key())
		}
	}
	if len(uncovered) > 0 {
		t.Logf("routes without a sample event yet: %v", uncovered)
	}
	if checked == 0 {
		t.Skip("SKIPPED — no events/<function>/*.json sample with a routeKey or kind exists yet; nothing to check")
	}
}
