package stdwebhooks_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// captured is one request a test server received.
type captured struct {
	path   string
	header http.Header
	body   []byte
}

// capture serves status and answer, recording every request.
func capture(t *testing.T, status int, answer string) (*httptest.Server, func() []captured) {
	t.Helper()
	var mu sync.Mutex
	var got []captured
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, captured{path: r.URL.Path, header: r.Header.Clone(), body: b})
		mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []captured {
		mu.Lock()
		defer mu.Unlock()
		return append([]captured(nil), got...)
	}
}

func TestSendClassification(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1000)
	tests := []struct {
		name        string
		status      int
		answer      string
		wantPeerID  string
		unavailable bool
		rejected    *crmsync.PeerRejectedError
	}{
		{name: "200 with id", status: 200, answer: `{"id":"p_1"}`, wantPeerID: "p_1"},
		{name: "200 with peerId", status: 200, answer: `{"peerId":"p_2","ok":true}`, wantPeerID: "p_2"},
		{name: "200 with numeric id", status: 200, answer: `{"id":4711}`, wantPeerID: "4711"},
		{name: "200 without id", status: 200, answer: `{"received":true}`},
		{name: "200 empty body", status: 200},
		{name: "200 text body", status: 200, answer: "OK"},
		{name: "200 blank id", status: 200, answer: `{"id":"  "}`},
		{name: "201 with id", status: 201, answer: `{"id":"p_3"}`, wantPeerID: "p_3"},
		{name: "202 accepted", status: 202, answer: `{"id":"p_4"}`, wantPeerID: "p_4"},
		{name: "204 no content", status: 204},
		{name: "301 redirect", status: 301, rejected: &crmsync.PeerRejectedError{Status: 301, Message: "redirected: configure the final URL (redirects are not followed)"}},
		{name: "400 JSON message", status: 400, answer: `{"message":"email is required"}`, rejected: &crmsync.PeerRejectedError{Status: 400, Message: "email is required"}},
		{name: "400 message array", status: 400, answer: `{"message":["a is bad","b is bad"]}`, rejected: &crmsync.PeerRejectedError{Status: 400, Message: "a is bad; b is bad"}},
		{name: "404 text", status: 404, answer: "no such\nendpoint\x00", rejected: &crmsync.PeerRejectedError{Status: 404, Message: "no such endpoint"}},
		{name: "404 empty", status: 404, rejected: &crmsync.PeerRejectedError{Status: 404, Message: "Not Found"}},
		{name: "408 request timeout", status: 408, unavailable: true},
		{name: "409 conflict", status: 409, answer: `{"error":{"message":"version conflict"}}`, rejected: &crmsync.PeerRejectedError{Status: 409, Message: "version conflict"}},
		{name: "410 gone", status: 410, answer: `{"detail":"endpoint disabled"}`, rejected: &crmsync.PeerRejectedError{Status: 410, Message: "endpoint disabled"}},
		{name: "422 unprocessable", status: 422, answer: `{"error":"unknown field"}`, rejected: &crmsync.PeerRejectedError{Status: 422, Message: "unknown field"}},
		{name: "422 JSON without message", status: 422, answer: `{"code":17}`, rejected: &crmsync.PeerRejectedError{Status: 422, Message: "Unprocessable Entity"}},
		{name: "422 long text bounded", status: 422, answer: long, rejected: &crmsync.PeerRejectedError{Status: 422, Message: long[:200] + "…"}},
		{name: "429 too many requests", status: 429, unavailable: true},
		{name: "500 internal", status: 500, answer: `{"message":"boom"}`, unavailable: true},
		{name: "502 bad gateway", status: 502, unavailable: true},
		{name: "503 unavailable", status: 503, unavailable: true},
	}
	ev := outboundEvents()[0]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, got := capture(t, tt.status, tt.answer)
			c := newConnector(t, stdwebhooks.Config{URL: srv.URL + "/hooks"})
			res, err := c.Send(t.Context(), ev)
			if n := len(got()); n != 1 {
				t.Errorf("requests = %d, want exactly 1 (no retries inside Send)", n)
			}
			switch {
			case tt.unavailable:
				if !errors.Is(err, crmsync.ErrPeerUnavailable) {
					t.Fatalf("err = %v, want ErrPeerUnavailable", err)
				}
				if want := "status " + strconv.Itoa(tt.status); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), ev.ID) {
					t.Errorf("err = %v, want the status and the event id", err)
				}
			case tt.rejected != nil:
				var rej *crmsync.PeerRejectedError
				if !errors.As(err, &rej) {
					t.Fatalf("err = %v, want *PeerRejectedError", err)
				}
				if diff := cmp.Diff(tt.rejected, rej); diff != "" {
					t.Errorf("rejection (-want +got):\n%s", diff)
				}
				if errors.Is(err, crmsync.ErrPeerUnavailable) {
					t.Error("a refusal must not look transient")
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if res.PeerID != tt.wantPeerID {
					t.Errorf("PeerID = %q, want %q", res.PeerID, tt.wantPeerID)
				}
			}
		})
	}
}

func TestSendRejectionNeverEchoesSignature(t *testing.T) {
	t.Parallel()
	var sig string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sig = r.Header.Get("Webhook-Signature")
		w.WriteHeader(401)
		_, _ = io.WriteString(w, `{"message":"signature `+sig+` does not match"}`)
	}))
	t.Cleanup(srv.Close)
	c := newConnector(t, stdwebhooks.Config{URL: srv.URL})
	_, err := c.Send(t.Context(), outboundEvents()[0])
	var rej *crmsync.PeerRejectedError
	if !errors.As(err, &rej) || rej.Status != 401 {
		t.Fatalf("err = %v", err)
	}
	_, b64, _ := strings.Cut(sig, ",")
	if b64 == "" || strings.Contains(err.Error(), b64) {
		t.Errorf("error %q contains the signature", err)
	}
	if rej.Message != "signature v1,[REDACTED] does not match" {
		t.Errorf("message = %q", rej.Message)
	}
}

func TestSendRequest(t *testing.T) {
	t.Parallel()
	cur, _, _ := secrets(t)
	srv, got := capture(t, 200, `{"id":"p"}`)
	c := newConnector(t, stdwebhooks.Config{URL: srv.URL + "/in", Secret: cur, UserAgent: "acme-sync/2"})
	ev := outboundEvents()[0]
	if _, err := c.Send(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	// A redelivery of the same change carries the same webhook-id.
	if _, err := c.Send(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	reqs := got()
	if len(reqs) != 2 {
		t.Fatalf("requests = %d", len(reqs))
	}
	r := reqs[0]
	wantHeader := map[string]string{
		"Webhook-Id":        ev.ID,
		"Webhook-Timestamp": strconv.FormatInt(now.Unix(), 10),
		"Webhook-Signature": referenceSign(cur.Encode(), ev.ID, now.Unix(), r.body),
		"Content-Type":      "application/json",
		"User-Agent":        "acme-sync/2",
	}
	gotHeader := map[string]string{}
	for k := range wantHeader {
		gotHeader[k] = r.header.Get(k)
	}
	if diff := cmp.Diff(wantHeader, gotHeader); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if r.path != "/in" {
		t.Errorf("path = %s", r.path)
	}
	if reqs[1].header.Get("Webhook-Id") != ev.ID {
		t.Errorf("redelivery id = %s, want %s", reqs[1].header.Get("Webhook-Id"), ev.ID)
	}
	v := webhook.StandardVerifier{Secrets: []webhook.Secret{cur}, Now: clock}
	d, err := v.Verify(r.header, r.body)
	if err != nil || d.ID != ev.ID || !d.Timestamp.Equal(now) {
		t.Errorf("StandardVerifier: %+v, %v", d, err)
	}
	var env map[string]any
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatal(err)
	}
	if env["type"] != "contact.upserted" || env["locationId"] != loc || env["timestamp"] != "2026-02-28T17:04:05.123Z" {
		t.Errorf("envelope = %v", env)
	}
}

func TestReferenceSignerKAT(t *testing.T) {
	t.Parallel()
	// The Standard Webhooks specification's published test vector.
	const (
		secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		id     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		ts     = 1614265330
		body   = `{"test": 2432232314}`
		want   = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	if got := referenceSign(secret, id, ts, []byte(body)); got != want {
		t.Errorf("reference signer = %s, want %s", got, want)
	}
	// The connector accepts the vector's signature (it then refuses the
	// body, which is not an event: verification passed).
	s, err := webhook.ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	c := newConnector(t, stdwebhooks.Config{Secret: s, Now: func() time.Time { return time.Unix(ts, 0) }})
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.Itoa(ts))
	h.Set("webhook-signature", want)
	_, err = c.Receive(t.Context(), crmsync.KindContact, h, []byte(body))
	var be *crmsync.BadEventError
	if !errors.As(err, &be) || be.Problem != "/: missing property 'type'" {
		t.Errorf("Receive(KAT) = %v, want verified then a schema problem", err)
	}
	h.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ2OE=")
	if _, err = c.Receive(t.Context(), crmsync.KindContact, h, []byte(body)); !errors.Is(err, crmsync.ErrUnauthenticated) {
		t.Errorf("Receive(altered KAT signature) = %v", err)
	}
}

func TestSendEveryOutboundType(t *testing.T) {
	t.Parallel()
	cur, _, _ := secrets(t)
	srv, got := capture(t, 200, "")
	kinds := map[crmsync.Kind]string{crmsync.KindContact: "/contacts", crmsync.KindTask: "/tasks", crmsync.KindNote: "/notes"}
	urls := map[crmsync.Kind]string{}
	for k, p := range kinds {
		urls[k] = srv.URL + p
	}
	c := newConnector(t, stdwebhooks.Config{URL: srv.URL + "/default", URLs: urls, Secret: cur})
	v := webhook.StandardVerifier{Secrets: []webhook.Secret{cur}, Now: clock}
	evs := outboundEvents()
	for _, ev := range evs {
		if _, err := c.Send(t.Context(), ev); err != nil {
			t.Fatalf("%s: %v", ev.Type, err)
		}
	}
	reqs := got()
	if len(reqs) != len(evs) {
		t.Fatalf("requests = %d, want %d", len(reqs), len(evs))
	}
	for i, r := range reqs {
		want := kinds[evs[i].Type.Kind()]
		if want == "" {
			want = "/default"
		}
		if r.path != want {
			t.Errorf("%s went to %s, want %s", evs[i].Type, r.path, want)
		}
		if _, err := v.Verify(r.header, r.body); err != nil {
			t.Errorf("%s: %v", evs[i].Type, err)
		}
		if r.header.Get("Webhook-Id") != evs[i].ID {
			t.Errorf("%s: webhook-id %s, want %s", evs[i].Type, r.header.Get("Webhook-Id"), evs[i].ID)
		}
	}
}

func TestSendNetworkFailures(t *testing.T) {
	t.Parallel()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // then the server notices the client leaving
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/hook?token=tok_secret_in_query"
	ln.Close()

	tests := []struct {
		name    string
		url     string
		client  *http.Client
		ctx     func(context.Context) (context.Context, context.CancelFunc)
		wantCtx error
	}{
		{name: "client timeout", url: slow.URL, client: &http.Client{Timeout: 50 * time.Millisecond}},
		{name: "context deadline", url: slow.URL, ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
			return context.WithTimeout(ctx, 50*time.Millisecond)
		}, wantCtx: context.DeadlineExceeded},
		{name: "context cancelled", url: slow.URL, ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(ctx)
			cancel()
			return ctx, cancel
		}, wantCtx: context.Canceled},
		{name: "connection refused", url: refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newConnector(t, stdwebhooks.Config{URL: tt.url, HTTPClient: tt.client})
			ctx := t.Context()
			if tt.ctx != nil {
				var cancel context.CancelFunc
				ctx, cancel = tt.ctx(ctx)
				defer cancel()
			}
			start := time.Now()
			_, err := c.Send(ctx, outboundEvents()[0])
			if !errors.Is(err, crmsync.ErrPeerUnavailable) {
				t.Fatalf("err = %v, want ErrPeerUnavailable", err)
			}
			if tt.wantCtx != nil && !errors.Is(err, tt.wantCtx) {
				t.Errorf("err = %v, want %v too", err, tt.wantCtx)
			}
			if time.Since(start) > 3*time.Second {
				t.Errorf("Send took %v: it must give up with the timeout or context", time.Since(start))
			}
			if strings.Contains(err.Error(), "tok_secret_in_query") || strings.Contains(err.Error(), "/hook") {
				t.Errorf("error %q leaks the URL", err)
			}
		})
	}
}

func TestSendRefusesBadEvents(t *testing.T) {
	t.Parallel()
	srv, got := capture(t, 200, "")
	c := newConnector(t, stdwebhooks.Config{URL: srv.URL})
	base := outboundEvents()[0]
	noID := base
	noID.ID = ""
	twoEntities := base
	twoEntities.Task = &crmsync.Task{GHLID: "t"}
	mismatch := base
	mismatch.Type = crmsync.TaskUpserted
	wrongRef := outboundEvents()[2]
	wrongRef.Type = crmsync.NoteDeleted
	inboundOnly := base
	inboundOnly.Type = crmsync.ContactTagged
	tests := []struct {
		name string
		ev   crmsync.Event
		want string
	}{
		{"no id", noID, "stdwebhooks: send contact.upserted: event has no ID (webhook-id)"},
		{"two entities", twoEntities, "stdwebhooks: encode contact.upserted: event carries 2 entities, want exactly 1"},
		{"entity of another type", mismatch, "stdwebhooks: encode task.upserted: the event carries a different entity"},
		{"ref of another kind", wrongRef, "stdwebhooks: encode note.deleted: the event carries a different entity"},
		{"inbound-only type", inboundOnly, "stdwebhooks: encode contact.tagged: an inbound-only event type"},
	}
	for _, tt := range tests {
		_, err := c.Send(t.Context(), tt.ev)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.want)
		}
		var rej *crmsync.PeerRejectedError
		if errors.Is(err, crmsync.ErrPeerUnavailable) || errors.As(err, &rej) {
			t.Errorf("%s: a local bug must not be classified as a peer answer", tt.name)
		}
	}
	if n := len(got()); n != 0 {
		t.Errorf("%d requests sent for invalid events", n)
	}
}

func TestRejectMessageBoundedRunes(t *testing.T) {
	t.Parallel()
	srv, _ := capture(t, 400, strings.Repeat("é", 500)+"\xff")
	c := newConnector(t, stdwebhooks.Config{URL: srv.URL})
	_, err := c.Send(t.Context(), outboundEvents()[0])
	var rej *crmsync.PeerRejectedError
	if !errors.As(err, &rej) {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(rej.Message); n != 201 || !utf8.ValidString(rej.Message) {
		t.Errorf("message has %d runes (valid UTF-8: %v), want 200 and an ellipsis", n, utf8.ValidString(rej.Message))
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	cur, _, _ := secrets(t)
	tests := []struct {
		name string
		cfg  stdwebhooks.Config
		want string
	}{
		{"no secret", stdwebhooks.Config{URL: "https://peer.example.com/h"}, "stdwebhooks: Secret is required"},
		{"no url", stdwebhooks.Config{Secret: cur}, "stdwebhooks: no outbound URL for contact events: set URL or URLs[contact]"},
		{"partial per-kind urls", stdwebhooks.Config{Secret: cur, URLs: map[crmsync.Kind]string{crmsync.KindContact: "https://a.example.com", crmsync.KindTask: "https://a.example.com", crmsync.KindNote: "https://a.example.com"}},
			"stdwebhooks: no outbound URL for appointment events: set URL or URLs[appointment]"},
		{"relative url", stdwebhooks.Config{Secret: cur, URL: "/hooks?token=tok_abc"}, "stdwebhooks: URL: must be an absolute http or https URL"},
		{"ftp url", stdwebhooks.Config{Secret: cur, URL: "ftp://peer.example.com/tok_abc"}, "stdwebhooks: URL: must be an absolute http or https URL"},
		{"bad per-kind url", stdwebhooks.Config{Secret: cur, URL: "https://peer.example.com", URLs: map[crmsync.Kind]string{crmsync.KindNote: "notes?tok_abc"}}, "stdwebhooks: URLs[note]: must be an absolute http or https URL"},
		{"unknown kind", stdwebhooks.Config{Secret: cur, URL: "https://peer.example.com", URLs: map[crmsync.Kind]string{"deal": "https://peer.example.com"}}, `stdwebhooks: URLs["deal"]: not an entity kind (want contact, task, note or appointment)`},
	}
	for _, tt := range tests {
		_, err := stdwebhooks.New(tt.cfg)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: err = %v, want %s", tt.name, err, tt.want)
		}
	}
	c, err := stdwebhooks.New(stdwebhooks.Config{Secret: cur, URLs: map[crmsync.Kind]string{
		crmsync.KindContact: "https://a.example.com", crmsync.KindTask: "https://a.example.com",
		crmsync.KindNote: "https://a.example.com", crmsync.KindAppointment: "http://127.0.0.1:8080/appts",
	}})
	if err != nil || c.Name() != "stdwebhooks" {
		t.Errorf("New(per-kind URLs) = %v, %v", c, err)
	}
}

func TestSendFillsZeroTime(t *testing.T) {
	t.Parallel()
	srv, got := capture(t, 204, "")
	c := newConnector(t, stdwebhooks.Config{URL: srv.URL})
	ev := outboundEvents()[2]
	ev.Time = time.Time{}
	if _, err := c.Send(t.Context(), ev); err != nil {
		t.Fatal(err)
	}
	var env stdwebhooks.Envelope
	if err := json.Unmarshal(got()[0].body, &env); err != nil || !env.Timestamp.Equal(now) {
		t.Errorf("timestamp = %v (%v), want the clock's now", env.Timestamp, err)
	}
}
