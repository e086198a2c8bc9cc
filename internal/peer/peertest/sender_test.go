package peertest_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/peertest"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
)

// inboundHandler is a minimal /peer/webhooks/{kind} route over Receive,
// shaped like the functions' handlers.
func inboundHandler(c *stdwebhooks.Connector, got chan<- crmsync.Inbound) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := crmsync.Kind(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/peer/webhooks/"), "s"))
		body, _ := io.ReadAll(r.Body)
		in, err := c.Receive(r.Context(), kind, r.Header, body)
		var be *crmsync.BadEventError
		switch {
		case errors.Is(err, crmsync.ErrUnauthenticated):
			w.WriteHeader(http.StatusUnauthorized)
		case errors.As(err, &be):
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, be.Problem)
		case err != nil:
			w.WriteHeader(http.StatusInternalServerError)
		default:
			got <- in
		}
	})
}

func TestSenderBuildsEveryInboundType(t *testing.T) {
	t.Parallel()
	s := secret(t, "peer-secret-0123456789abcdef0123")
	c, err := stdwebhooks.New(stdwebhooks.Config{URL: "http://127.0.0.1:9", Secret: s, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan crmsync.Inbound, 1)
	h := inboundHandler(c, got)
	sender := &peertest.Sender{Secret: s, Now: clock}
	who := crmsync.Contact{PeerID: "p1", GHLID: "g1"}
	start := now.Add(time.Hour)
	events := []peertest.Event{
		peertest.ContactUpserted(loc, crmsync.Contact{PeerID: "p1", Email: "a@example.com", Tags: []string{"VIP"}}),
		peertest.ContactDeleted(loc, crmsync.Ref{PeerID: "p1"}),
		peertest.ContactTagged(loc, who, "vip"),
		peertest.ContactUntagged(loc, who, "lead"),
		peertest.TaskUpserted(loc, crmsync.Task{PeerID: "t1", ContactPeerID: "p1", Title: "Call"}),
		peertest.TaskCompleted(loc, crmsync.Task{PeerID: "t1", ContactPeerID: "p1", Title: "Call"}),
		peertest.TaskDeleted(loc, crmsync.Ref{PeerID: "t1"}),
		peertest.NoteUpserted(loc, crmsync.Note{PeerID: "n1", ContactGHLID: "g1", Body: "hi"}),
		peertest.NoteDeleted(loc, crmsync.Ref{PeerID: "n1"}),
		peertest.AppointmentUpserted(loc, crmsync.Appointment{PeerID: "m1", ContactPeerID: "p1", CalendarID: "cal", StartTime: start, EndTime: start.Add(time.Hour)}),
		peertest.AppointmentDeleted(loc, crmsync.Ref{PeerID: "m1"}),
	}
	for _, ev := range events {
		d, err := sender.Sign(ev)
		if err != nil {
			t.Fatal(err)
		}
		rec := peertest.Serve(h, "/peer/webhooks/"+string(ev.Type.Kind())+"s", d)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", ev.Type, rec.Code, rec.Body)
		}
		in := <-got
		if in.DeliveryID != d.ID() || len(in.Changes) != 1 || in.Changes[0].Type != ev.Type || !in.Changes[0].Time.Equal(now) {
			t.Errorf("%s: Inbound = %+v", ev.Type, in)
		}
	}
}

func TestSenderNegativeHelpers(t *testing.T) {
	t.Parallel()
	s := secret(t, "peer-secret-0123456789abcdef0123")
	c, err := stdwebhooks.New(stdwebhooks.Config{URL: "http://127.0.0.1:9", Secret: s, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(inboundHandler(c, make(chan crmsync.Inbound, 10)))
	t.Cleanup(srv.Close)
	sender := &peertest.Sender{Secret: s, Now: clock}
	ev := peertest.NoteUpserted(loc, crmsync.Note{PeerID: "n1", ContactPeerID: "p1", Body: "hi"})
	good, err := sender.Sign(ev)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := sender.Sign(ev)
	if good.ID() != again.ID() || !strings.HasPrefix(good.ID(), "msg_") {
		t.Errorf("ids %q and %q: the same event must get the same id", good.ID(), again.ID())
	}
	withID := ev
	withID.ID = "msg_fixed"
	fixed, _ := sender.Sign(withID)
	forged, _ := sender.Forge(ev)
	replay, _ := sender.SignAt(ev, now.Add(-6*time.Minute))
	tests := []struct {
		name string
		d    peertest.Signed
		path string
		want int
	}{
		{"good", good, "/peer/webhooks/notes", 200},
		{"explicit id", fixed, "/peer/webhooks/notes", 200},
		{"svix", good.Svix(), "/peer/webhooks/notes", 200},
		{"tampered", good.Tampered(), "/peer/webhooks/notes", 401},
		{"forged", forged, "/peer/webhooks/notes", 401},
		{"replayed", replay, "/peer/webhooks/notes", 401},
		{"no timestamp", good.Without("Webhook-Timestamp"), "/peer/webhooks/notes", 401},
		{"wrong route", good, "/peer/webhooks/tasks", 400},
		{"malformed", sender.SignRaw("msg_bad", now, []byte(`{"type":`)), "/peer/webhooks/notes", 400},
	}
	for _, tt := range tests {
		resp, err := sender.Post(t.Context(), srv.URL+tt.path, tt.d)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}
	if fixed.ID() != "msg_fixed" {
		t.Errorf("explicit id = %q", fixed.ID())
	}
	if got := good.Svix().Header; got.Get("Webhook-Id") != "" || got.Get("Svix-Id") != good.ID() || got.Get("Svix-Signature") != good.Header.Get("Webhook-Signature") {
		t.Errorf("Svix headers = %v", got)
	}
	if string(good.Tampered().Body) == string(good.Body) || !json.Valid(good.Tampered().Body) {
		t.Error("Tampered must change the bytes and keep valid JSON")
	}
}

func TestEventBody(t *testing.T) {
	t.Parallel()
	ev := peertest.ContactTagged("", crmsync.Contact{Email: "a@example.com"}, "vip")
	b, err := ev.Body(now.Add(1500 * time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"contact.tagged","timestamp":"2026-03-01T12:00:01Z","data":{"email":"a@example.com","tags":["vip"]}}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
