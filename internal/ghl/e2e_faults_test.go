package ghl_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
)

// faultSeed fixes the sandbox's fault decisions, so that each test meets
// the same faults on every run.
const faultSeed = 42

func TestE2EServerErrorOnReadIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	c := e.createContact(ghl.CreateContactRequest{Email: "flaky@example.com"})
	e.sb.SetFaults(ghlsandbox.Faults{Seed: faultSeed, Operations: map[string]ghlsandbox.FaultRates{"get-contact": {ServerError: 0.3}}})
	start := e.clock.Now()
	const calls = 20
	for range calls {
		got, _, err := e.c.Contacts.Get(t.Context(), c.ID)
		e.must(err)
		if got.ID != c.ID {
			t.Fatalf("got contact %s, want %s", got.ID, c.ID)
		}
	}
	var failed int
	for _, s := range e.rec.statuses(http.MethodGet, "/contacts/"+c.ID) {
		if s >= 500 {
			failed++
		}
	}
	t.Logf("%d reads met %d server errors; backoff took %s of fake time", calls, failed, e.clock.Now().Sub(start))
	if failed == 0 {
		t.Fatal("no server error injected; the test proves nothing (change faultSeed)")
	}
	if n := e.sb.RequestCount("get-contact"); n != int64(calls+failed) {
		t.Errorf("sandbox saw %d reads, want %d calls + %d retries", n, calls, failed)
	}
	if !e.clock.Now().After(start) {
		t.Error("no backoff between retries")
	}
}

// TestE2EAmbiguousCreate: a create that fails after it may have reached
// GHL is sent once and reported as an *ghl.AmbiguousError; whether the
// contact exists is then a lookup away (FindDuplicate), which is how a
// caller recovers before creating again.
func TestE2EAmbiguousCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		faults      ghlsandbox.FaultRates
		timeout     time.Duration // real time; 0 for none
		wantCreated bool
	}{
		// 5xx answered before the operation ran: not created.
		{name: "server error", faults: ghlsandbox.FaultRates{ServerError: 1}},
		// The client gives up while the sandbox is slow; the sandbox
		// goes on (as soon as it sees the client leave) and creates the
		// contact.
		{name: "timeout", faults: ghlsandbox.FaultRates{Latency: time.Minute}, timeout: 300 * time.Millisecond, wantCreated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envConfig{})
			e.sb.SetFaults(ghlsandbox.Faults{Seed: faultSeed, Operations: map[string]ghlsandbox.FaultRates{"create-contact": tt.faults}})
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			const email = "maybe@example.com"
			_, _, err := e.c.Contacts.Create(ctx, &ghl.CreateContactRequest{LocationID: e.loc.ID, Email: email})
			e.check(err)
			var amb *ghl.AmbiguousError
			if !errors.As(err, &amb) || !errors.Is(err, ghl.ErrAmbiguous) {
				t.Fatalf("error %v (%T), want a *ghl.AmbiguousError", err, err)
			}
			if amb.Operation != "create-contact" {
				t.Errorf("ambiguous error names %q", amb.Operation)
			}
			// Wait for the sandbox to finish the request the client gave up on.
			waitCtx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			e.must(e.rec.wait(waitCtx, 1))
			if n := e.sb.RequestCount("create-contact"); n != 1 {
				t.Errorf("create sent %d times, want exactly once", n)
			}
			stored := e.sb.Contacts(e.loc.ID)
			if created := len(stored) == 1; created != tt.wantCreated || len(stored) > 1 {
				t.Fatalf("sandbox holds %d contacts, want created=%v", len(stored), tt.wantCreated)
			}

			// Recovery: look the contact up before creating again.
			e.sb.SetFaults(ghlsandbox.Faults{})
			found, _, err := e.c.Contacts.FindDuplicate(t.Context(), &ghl.FindDuplicateOptions{LocationID: e.loc.ID, Email: email})
			e.must(err)
			if (found != nil) != tt.wantCreated || (found != nil && found.ID != stored[0].ID) {
				t.Fatalf("FindDuplicate found %+v, want the stored contact iff created (%v)", found, tt.wantCreated)
			}
			if found == nil {
				e.createContact(ghl.CreateContactRequest{Email: email})
			}
			if n := len(e.sb.Contacts(e.loc.ID)); n != 1 {
				t.Errorf("after recovery the sandbox holds %d contacts, want 1", n)
			}
		})
	}
}

// TestE2EUnprocessableButCreated: GHL may answer a create with 422 and
// still create the contact (NOTES §4.1, issue #64). The client returns the
// 422 *ghl.Error (a 422 is not retried); the recovery path is a
// FindDuplicate lookup, which finds the contact.
func TestE2EUnprocessableButCreated(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	e.sb.SetFaults(ghlsandbox.Faults{Seed: faultSeed, Operations: map[string]ghlsandbox.FaultRates{"create-contact": {UnprocessableButCreated: 1}}})
	const email = "ghost@example.com"
	_, _, err := e.c.Contacts.Create(t.Context(), &ghl.CreateContactRequest{LocationID: e.loc.ID, Email: email, FirstName: "Casper"})
	e.apiError(err, http.StatusUnprocessableEntity, "")
	if errors.Is(err, ghl.ErrAmbiguous) {
		t.Error("a 422 is reported as ambiguous")
	}
	if n := e.sb.RequestCount("create-contact"); n != 1 {
		t.Errorf("create sent %d times, want once", n)
	}
	stored := e.sb.Contacts(e.loc.ID)
	if len(stored) != 1 {
		t.Fatalf("sandbox holds %d contacts, want the one created despite the 422", len(stored))
	}
	found, _, err := e.c.Contacts.FindDuplicate(t.Context(), &ghl.FindDuplicateOptions{LocationID: e.loc.ID, Email: email})
	e.must(err)
	if found == nil || found.ID != stored[0].ID || found.FirstName != "Casper" {
		t.Fatalf("FindDuplicate found %+v, want %s", found, stored[0].ID)
	}
}

func TestE2ETooManyRequestsOnCreateIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envConfig{})
	e.sb.SetFaults(ghlsandbox.Faults{Seed: faultSeed, Operations: map[string]ghlsandbox.FaultRates{"create-contact": {TooManyRequests: 0.7}}})
	c := e.createContact(ghl.CreateContactRequest{Email: "patient@example.com"})
	statuses := e.rec.statuses(http.MethodPost, "/contacts/")
	t.Logf("create statuses: %v", statuses)
	if len(statuses) < 2 {
		t.Fatalf("statuses %v: no 429 injected; the test proves nothing (change faultSeed)", statuses)
	}
	want := make([]int, len(statuses))
	for i := range want {
		want[i] = http.StatusTooManyRequests
	}
	want[len(want)-1] = http.StatusCreated
	if d := cmp.Diff(want, statuses); d != "" {
		t.Errorf("create statuses (-want +got):\n%s", d)
	}
	stored := e.sb.Contacts(e.loc.ID)
	if len(stored) != 1 || stored[0].ID != c.ID {
		t.Errorf("sandbox holds %d contacts, want exactly the one created", len(stored))
	}
}
