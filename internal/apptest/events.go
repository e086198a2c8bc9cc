package apptest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/peer/stdwebhooks"
	"github.com/ghlsync/ghlsync/internal/syncapp"
)

// Request builds the payload 2.0 event API Gateway delivers for routeKey:
// header names lower-cased, repeated values joined with commas.
func Request(routeKey string, header http.Header, body []byte) events.APIGatewayV2HTTPRequest {
	method, path, _ := strings.Cut(routeKey, " ")
	h := make(map[string]string, len(header)+1)
	for k, v := range header {
		h[strings.ToLower(k)] = strings.Join(v, ",")
	}
	if _, ok := h["content-type"]; !ok {
		h["content-type"] = "application/json"
	}
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: routeKey, RawPath: path, Headers: h, Body: string(body),
		RequestContext: events.APIGatewayV2HTTPRequestContext{RouteKey: routeKey,
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: method, Path: path}},
	}
}

// Webhook is one GHL webhook the sandbox sent, as received.
type Webhook struct {
	// Domain is the sandbox domain: contacts, tasks, notes, appointments.
	Domain string
	Header http.Header
	Body   []byte
}

// Route returns the route key of the webhook's domain.
func (w Webhook) Route() string { return "POST /ghl/webhooks/" + w.Domain }

// Request returns the webhook as the API Gateway event of its route.
func (w Webhook) Request() events.APIGatewayV2HTTPRequest {
	return Request(w.Route(), w.Header, w.Body)
}

// capture records the webhooks the sandbox sends.
type capture struct {
	mu    sync.Mutex
	hooks []Webhook
}

func (c *capture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.hooks = append(c.hooks, Webhook{Domain: strings.TrimPrefix(r.URL.Path, "/"), Header: r.Header.Clone(), Body: body})
	c.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (c *capture) take() []Webhook {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.hooks
	c.hooks = nil
	return out
}

// CaptureGHL runs change (sandbox changes) and returns the signed webhooks
// the sandbox sent for it, in order. The app does not see them until they
// are invoked.
func (a *App) CaptureGHL(tb testing.TB, change func()) []Webhook {
	tb.Helper()
	a.captured.Lock()
	defer a.captured.Unlock()
	a.flush(tb)
	a.capture.take()
	change()
	a.flush(tb)
	return a.capture.take()
}

func (a *App) flush(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Sandbox.Flush(ctx); err != nil {
		tb.Fatal(err)
	}
}

// PeerRoute returns the route key of a peer event type.
func PeerRoute(typ crmsync.EventType) string {
	return "POST /peer/webhooks/" + string(typ.Kind()) + "s"
}

// PeerBody returns the envelope of a peer delivery.
func (a *App) PeerBody(tb testing.TB, typ crmsync.EventType, at time.Time, data any) []byte {
	tb.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		tb.Fatal(err)
	}
	body, err := json.Marshal(stdwebhooks.Envelope{Type: typ, Timestamp: at.UTC(), LocationID: a.Location.ID, Data: raw})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// PeerDelivery returns a delivery from the peer signed now with the peer
// secret, as the event of its route.
func (a *App) PeerDelivery(tb testing.TB, id string, typ crmsync.EventType, data any) events.APIGatewayV2HTTPRequest {
	tb.Helper()
	now := time.Now()
	body := a.PeerBody(tb, typ, now, data)
	return Request(PeerRoute(typ), a.PeerSecret.SignedHeaders(id, now, body), body)
}

// PullContact returns a pull API request for a contact (by peer or GHL
// id) with the app's pull key.
func (a *App) PullContact(id string) events.APIGatewayV2HTTPRequest {
	ev := Request(syncapp.RoutePullContact, http.Header{"Authorization": {"Bearer " + a.PullKey}}, nil)
	ev.RawPath = "/peer/contacts/" + id
	ev.RequestContext.HTTP.Path = ev.RawPath
	ev.PathParameters = map[string]string{"id": id}
	return ev
}
