package ghlsandbox_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
)

// statusRun sends n identical GETs and returns the statuses.
func statusRun(t *testing.T, faults ghlsandbox.Faults, n int) []int {
	t.Helper()
	e := newEnv(t, ghlsandbox.Options{RateLimit: ghlsandbox.RateLimitOptions{Disabled: true}})
	e.sb.SetFaults(faults)
	out := make([]int, n)
	for i := range out {
		out[i] = e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + e.loc.ID}).status
	}
	return out
}

func TestFaultsReproducibleBySeed(t *testing.T) {
	t.Parallel()
	f := ghlsandbox.Faults{Seed: 42, Global: ghlsandbox.FaultRates{TooManyRequests: 0.2, ServerError: 0.2}}
	a := statusRun(t, f, 200)
	b := statusRun(t, f, 200)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different faults (-a +b):\n%s", diff)
	}
	f.Seed = 43
	if c := statusRun(t, f, 200); cmp.Equal(a, c) {
		t.Error("different seeds gave identical fault sequences")
	}
	counts := map[int]int{}
	for _, s := range a {
		counts[s]++
	}
	if counts[429] < 20 || counts[200] < 80 || counts[500]+counts[502]+counts[503] < 20 {
		t.Errorf("fault mix %v far from the configured 20%% / 20%%", counts)
	}
	for s := range counts {
		if s != 200 && s != 429 && s != 500 && s != 502 && s != 503 {
			t.Errorf("unexpected status %d", s)
		}
	}
}

func TestFaultsPerOperation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	e.sb.SetFaults(ghlsandbox.Faults{Operations: map[string]ghlsandbox.FaultRates{"get-contact": {ServerError: 1}}})
	id := e.createContact(map[string]any{"email": "op@example.com"})
	r := e.do(req{method: "GET", path: "/contacts/" + id})
	if r.status < 500 {
		t.Errorf("get-contact status = %d, want 5xx", r.status)
	}
	mustStatus(t, e.do(req{method: "GET", path: "/contacts/" + id + "/tasks"}), http.StatusOK)
	if e.sb.RequestCount("get-contact") != 1 || e.sb.RequestCount("get-all-tasks") != 1 || e.sb.RequestCount("create-contact") != 1 {
		t.Errorf("request counts = %v", e.sb.RequestCounts())
	}
}

func TestFaultLatency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	e.sb.SetFaults(ghlsandbox.Faults{Global: ghlsandbox.FaultRates{Latency: 60 * time.Millisecond}})
	start := time.Now()
	mustStatus(t, e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + e.loc.ID}), http.StatusOK)
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("answered in %v, want ≥ 60ms", d)
	}
}

func TestFaultUnprocessableButCreated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	rc := newReceiver(t)
	e.hookAll(rc)
	e.sb.SetFaults(ghlsandbox.Faults{Operations: map[string]ghlsandbox.FaultRates{"create-contact": {UnprocessableButCreated: 1}}})
	r := e.do(req{method: "POST", path: "/contacts/", body: map[string]any{"locationId": e.loc.ID, "email": "ghost@example.com"}})
	mustStatus(t, r, http.StatusUnprocessableEntity)
	cs := e.sb.Contacts(e.loc.ID)
	if len(cs) != 1 || cs[0].Email != "ghost@example.com" {
		t.Fatalf("contacts after 422 = %+v, want the contact created anyway", cs)
	}
	e.flush()
	if diff := cmp.Diff([]string{"ContactCreate"}, rc.types()); diff != "" {
		t.Errorf("webhooks (-want +got):\n%s", diff)
	}
	// A blind retry of the create now meets the duplicate rule, as on GHL.
	r = e.do(req{method: "POST", path: "/contacts/", body: map[string]any{"locationId": e.loc.ID, "email": "ghost@example.com"}})
	mustStatus(t, r, http.StatusBadRequest)
	if got := r.json(t)["meta"].(map[string]any)["contactId"]; got != cs[0].ID {
		t.Errorf("duplicate points at %v, want %s", got, cs[0].ID)
	}
}

// webhookRun creates n tasks under webhook faults and returns what arrived.
func webhookRun(t *testing.T, f ghlsandbox.WebhookFaults, seed uint64, n int) (types, ids []string, noContact int) {
	t.Helper()
	e := newEnv(t, ghlsandbox.Options{Seed: 5})
	rc := newReceiver(t)
	e.sb.SetWebhookURL(ghlsandbox.DomainTasks, rc.srv.URL)
	e.sb.SetFaults(ghlsandbox.Faults{Seed: seed, Webhooks: f})
	c, err := e.sb.CreateContact(e.loc.ID, ghlsandbox.Contact{Email: "wh@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		if _, err := e.sb.CreateTask(e.loc.ID, c.ID, ghlsandbox.Task{Title: "t", Body: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	e.flush()
	for _, r := range rc.all() {
		var p struct {
			Type, ID, ContactID string
		}
		if err := json.Unmarshal(r.body, &p); err != nil {
			t.Fatal(err)
		}
		types, ids = append(types, p.Type), append(ids, p.ID)
		if p.ContactID == "" {
			noContact++
		}
	}
	return types, ids, noContact
}

func TestWebhookFaults(t *testing.T) {
	t.Parallel()
	const n = 60
	t.Run("drop", func(t *testing.T) {
		t.Parallel()
		types, _, _ := webhookRun(t, ghlsandbox.WebhookFaults{Drop: 0.5}, 1, n)
		if len(types) < n/4 || len(types) > 3*n/4 {
			t.Errorf("delivered %d of %d with 50%% drops", len(types), n)
		}
	})
	t.Run("duplicate", func(t *testing.T) {
		t.Parallel()
		_, ids, _ := webhookRun(t, ghlsandbox.WebhookFaults{Duplicate: 1}, 1, 10)
		if len(ids) != 20 {
			t.Fatalf("received %d, want 20", len(ids))
		}
		seen := map[string]int{}
		for _, id := range ids {
			seen[id]++
		}
		for id, k := range seen {
			if k != 2 {
				t.Errorf("task %s delivered %d times", id, k)
			}
		}
	})
	t.Run("reorder", func(t *testing.T) {
		t.Parallel()
		_, ids, _ := webhookRun(t, ghlsandbox.WebhookFaults{Reorder: 0.5}, 9, 20)
		if len(ids) != 20 {
			t.Fatalf("received %d, want 20", len(ids))
		}
		_, inOrder, _ := webhookRun(t, ghlsandbox.WebhookFaults{}, 9, 20)
		if cmp.Equal(ids, inOrder) {
			t.Error("reorder fault delivered events in creation order")
		}
	})
	t.Run("TaskCreate without contactId", func(t *testing.T) {
		t.Parallel()
		_, _, missing := webhookRun(t, ghlsandbox.WebhookFaults{TaskCreateWithoutContactID: 1}, 1, 5)
		if missing != 5 {
			t.Errorf("%d of 5 TaskCreate lacked contactId, want 5", missing)
		}
	})
	t.Run("reproducible", func(t *testing.T) {
		t.Parallel()
		f := ghlsandbox.WebhookFaults{Drop: 0.3, TaskCreateWithoutContactID: 0.3}
		_, a, ma := webhookRun(t, f, 77, n)
		_, b, mb := webhookRun(t, f, 77, n)
		if diff := cmp.Diff(a, b); diff != "" || ma != mb {
			t.Errorf("same seed, different deliveries (%d/%d without contactId) (-a +b):\n%s", ma, mb, diff)
		}
		if len(a) == n || ma == 0 {
			t.Errorf("faults did not fire: %d of %d delivered, %d without contactId", len(a), n, ma)
		}
	})
}
