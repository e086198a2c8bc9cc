package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/syncapp/syncapptest"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// TestBootstrap runs the real compiled bootstrap with every sample event
// of events/appointment-pull and checks each answer (status and outcome).
func TestBootstrap(t *testing.T) {
	t.Parallel()
	env := syncapptest.Start(t, "appointment-pull")
	files := env.Files()
	samples := 0
	for _, file := range files {
		if !syncapptest.IsSchedule(file) {
			samples++
		}
	}
	if samples != len(wantOutcomes) {
		t.Errorf("%d sample events, %d expectations", samples, len(wantOutcomes))
	}
	for _, file := range files {
		if syncapptest.IsSchedule(file) {
			continue // below, after the peer count of the HTTP samples
		}
		resp := env.Invoke(file)
		want, ok := wantOutcomes[file]
		if !ok {
			t.Errorf("%s: no expectation", file)
			continue
		}
		var body struct {
			Outcome string `json:"outcome"`
			Error   string `json:"error"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
			t.Errorf("%s: body %q: %v", file, resp.Body, err)
		}
		got := body.Outcome + body.Error
		if resp.StatusCode != want.status || (want.outcome != "" && got != want.outcome) {
			t.Errorf("%s: %d %s, want %d %s", file, resp.StatusCode, resp.Body, want.status, want.outcome)
		}
	}
	if n := env.Peer.Count(); n != 0 {
		t.Errorf("peer deliveries = %d, want 0 (the GHL samples name entities the sandbox does not have)", n)
	}
	env.CheckSchedules(files)
}
