package securitytest_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/apptest"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// effects is what a request may change: the store (DynamoDB writes), GHL
// (requests to the sandbox), the peer (deliveries).
type effects struct {
	dynamoWrites, ghl, sandbox, peer int64
}

func snapshot(a *apptest.App) effects {
	c := a.Meter.Snapshot()
	var sb int64
	for _, n := range a.Sandbox.RequestCounts() {
		sb += n
	}
	return effects{dynamoWrites: c.DynamoWrites, ghl: c.GHL, sandbox: sb, peer: int64(a.Peer.Count())}
}

// route is one webhook route with a source of genuine, signed requests.
type route struct {
	name string
	ghl  bool
	// fresh returns a genuine request (a new delivery each call) and its
	// raw body.
	fresh func(t *testing.T) events.APIGatewayV2HTTPRequest
	// sign returns the signature headers of body under the route's real
	// key at time at (id names the delivery on peer routes).
	sign func(id string, at time.Time, body []byte) http.Header
	// forge signs body under a key that is not the route's.
	forge func(id string, at time.Time, body []byte) http.Header
	// sigHeader names the signature header.
	sigHeader string
}

func routes(t *testing.T, a *apptest.App) []route {
	pool := a.Sandbox.Contacts(a.Location.ID)
	n := 0
	next := func() ghlsandbox.Contact { n++; return pool[n%len(pool)] }
	capture := func(t *testing.T, change func()) events.APIGatewayV2HTTPRequest {
		hooks := a.CaptureGHL(t, change)
		if len(hooks) != 1 {
			t.Fatalf("sandbox sent %d webhooks, want 1", len(hooks))
		}
		return hooks[0].Request()
	}
	due := time.Now().Add(48 * time.Hour)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	ghlSign := func(_ string, _ time.Time, body []byte) http.Header {
		return http.Header{"X-Ghl-Signature": {a.SignGHL(body)}}
	}
	ghlForge := func(_ string, _ time.Time, body []byte) http.Header {
		return http.Header{"X-Ghl-Signature": {base64.StdEncoding.EncodeToString(ed25519.Sign(otherKey, body))}}
	}
	other, err := webhook.ParseSecret("whsec_" + base64.StdEncoding.EncodeToString([]byte("an-attacker-secret-0123456789abc")))
	if err != nil {
		t.Fatal(err)
	}
	peerSign := func(id string, at time.Time, body []byte) http.Header {
		return a.PeerSecret.SignedHeaders(id, at, body)
	}
	peerForge := func(id string, at time.Time, body []byte) http.Header { return other.SignedHeaders(id, at, body) }
	ghlRoute := func(name string, change func(c ghlsandbox.Contact)) route {
		return route{name: "POST /ghl/webhooks/" + name, ghl: true, sign: ghlSign, forge: ghlForge, sigHeader: "x-ghl-signature",
			fresh: func(t *testing.T) events.APIGatewayV2HTTPRequest {
				c := next()
				return capture(t, func() { change(c) })
			}}
	}
	peerRoute := func(typ crmsync.EventType, data func(i int) map[string]any) route {
		return route{name: apptest.PeerRoute(typ), sign: peerSign, forge: peerForge, sigHeader: "webhook-signature",
			fresh: func(t *testing.T) events.APIGatewayV2HTTPRequest {
				n++
				return a.PeerDelivery(t, fmt.Sprintf("msg_attack_%d", n), typ, data(n))
			}}
	}
	return []route{
		ghlRoute("contacts", func(c ghlsandbox.Contact) {
			_, _ = a.Sandbox.UpdateContact(a.Location.ID, c.ID, func(c *ghlsandbox.Contact) { c.City = fmt.Sprintf("City %d", n) })
		}),
		ghlRoute("tasks", func(c ghlsandbox.Contact) {
			_, _ = a.Sandbox.CreateTask(a.Location.ID, c.ID, ghlsandbox.Task{Title: "Call back", DueDate: due})
		}),
		ghlRoute("notes", func(c ghlsandbox.Contact) {
			_, _ = a.Sandbox.CreateNote(a.Location.ID, c.ID, ghlsandbox.Note{Body: "Prefers email."})
		}),
		ghlRoute("appointments", func(c ghlsandbox.Contact) {
			_, _ = a.Sandbox.CreateAppointment(a.Location.ID, ghlsandbox.Appointment{ContactID: c.ID, Title: "Intro call"})
		}),
		peerRoute(crmsync.ContactUpserted, func(i int) map[string]any {
			return map[string]any{"peerId": fmt.Sprintf("cust_%d", i), "email": fmt.Sprintf("p%d@example.com", i), "firstName": "Peer"}
		}),
		peerRoute(crmsync.TaskUpserted, func(i int) map[string]any {
			return map[string]any{"peerId": fmt.Sprintf("task_%d", i), "contactGhlId": pool[0].ID, "title": "Send quote", "dueDate": due.UTC(), "completed": false}
		}),
		peerRoute(crmsync.NoteUpserted, func(i int) map[string]any {
			return map[string]any{"peerId": fmt.Sprintf("note_%d", i), "contactGhlId": pool[0].ID, "body": "Asked about pricing."}
		}),
		peerRoute(crmsync.AppointmentUpserted, func(i int) map[string]any {
			start := due.Add(time.Duration(i) * time.Hour).UTC()
			return map[string]any{"peerId": fmt.Sprintf("mtg_%d", i), "contactGhlId": pool[0].ID, "calendarId": a.Location.CalendarID,
				"title": "Renewal call", "startTime": start, "endTime": start.Add(30 * time.Minute)}
		}),
	}
}

// withHeaders returns ev with its signature headers replaced by h (names
// as given, not lower-cased, so case variants reach the handler).
func withHeaders(ev events.APIGatewayV2HTTPRequest, drop []string, h map[string]string) events.APIGatewayV2HTTPRequest {
	out := map[string]string{}
	for k, v := range ev.Headers {
		out[k] = v
	}
	for _, k := range drop {
		delete(out, k)
	}
	for k, v := range h {
		out[k] = v
	}
	ev.Headers = out
	return ev
}

func lower(h http.Header) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		out[strings.ToLower(k)] = strings.Join(v, ",")
	}
	return out
}

// TestSignatureAttacks runs the attack table against the real handler of
// every webhook route: each refused request answers its status and
// changes nothing (no DynamoDB write, no GHL request, no peer delivery);
// case variants of the signature header verify as the canonical name
// does; a replayed delivery id answers the stored result with no second
// effect.
//
// Repeated signature headers: API Gateway joins them with commas into one
// value. ghlsync does not try to pick one: the joined value is not a
// signature, so the request is refused (401) even when one of the copies
// is genuine — a sender never repeats the header.
func TestSignatureAttacks(t *testing.T) {
	t.Parallel()
	a := apptest.New(t, apptest.Options{Dynamo: true, Seed: 5, SeedContacts: 30})
	ctx := t.Context()
	for _, r := range routes(t, a) {
		t.Run(r.name, func(t *testing.T) {
			// Without X-GHL-Signature the legacy RSA x-wh-signature
			// (which the sandbox also sends) decides: drop both.
			sigKeys := []string{r.sigHeader, "x-wh-signature"}
			if !r.ghl {
				sigKeys = []string{"webhook-id", "webhook-timestamp", "webhook-signature"}
			}
			stale := time.Now().Add(-10 * time.Minute)
			attacks := []struct {
				name   string
				build  func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest
				status int
			}{
				{"missing signature", func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
					return withHeaders(ev, sigKeys, nil)
				}, http.StatusUnauthorized},
				{"wrong key", func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
					return withHeaders(ev, sigKeys, lower(r.forge(ev.Headers["webhook-id"], time.Now(), []byte(ev.Body))))
				}, http.StatusUnauthorized},
				{"truncated signature", func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
					sig := ev.Headers[r.sigHeader]
					return withHeaders(ev, nil, map[string]string{r.sigHeader: sig[:len(sig)-6]})
				}, http.StatusUnauthorized},
				{"tampered body", func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
					ev.Body = strings.Replace(ev.Body, `"locationId":"`, `"locationId":"X`, 1)
					if !strings.Contains(ev.Body, `"locationId":"X`) {
						t.Fatalf("no locationId to tamper with in %s", ev.Body)
					}
					return ev
				}, http.StatusUnauthorized},
				{"replay outside the window (genuinely signed, 10 min old)", func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
					body := []byte(ev.Body)
					if r.ghl {
						var m map[string]any
						if err := json.Unmarshal(body, &m); err != nil {
							t.Fatal(err)
						}
						m["timestamp"] = stale.UTC().Format(time.RFC3339Nano)
						body, _ = json.Marshal(m)
						ev.Body = string(body)
					}
					return withHeaders(ev, sigKeys, lower(r.sign(ev.Headers["webhook-id"], stale, body)))
				}, http.StatusUnauthorized},
				{"duplicate signature headers (forged, genuine) joined by API Gateway", func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
					forged := lower(r.forge(ev.Headers["webhook-id"], time.Now(), []byte(ev.Body)))[r.sigHeader]
					return withHeaders(ev, nil, map[string]string{r.sigHeader: forged + "," + ev.Headers[r.sigHeader]})
				}, http.StatusUnauthorized},
				{"duplicate signature headers (genuine twice)", func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
					return withHeaders(ev, nil, map[string]string{r.sigHeader: ev.Headers[r.sigHeader] + "," + ev.Headers[r.sigHeader]})
				}, http.StatusUnauthorized},
				{"giant signature header (64 KiB)", func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
					giant := strings.Repeat("A", 64<<10)
					if !r.ghl {
						giant = strings.Repeat("v1,AAAA ", 8<<10)
					}
					return withHeaders(ev, nil, map[string]string{r.sigHeader: giant})
				}, http.StatusUnauthorized},
			}
			if r.ghl {
				attacks = append(attacks, struct {
					name   string
					build  func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest
					status int
				}{"downgrade: X-GHL-Signature removed, legacy x-wh-signature kept, body tampered", func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
					ev = withHeaders(ev, []string{r.sigHeader}, nil)
					ev.Body = strings.Replace(ev.Body, `"locationId":"`, `"locationId":"X`, 1)
					return ev
				}, http.StatusUnauthorized})
			}
			for _, at := range attacks {
				ev := at.build(r.fresh(t))
				before := snapshot(a)
				start := time.Now()
				resp := a.Invoke(ctx, ev)
				took := time.Since(start)
				if resp.StatusCode != at.status {
					t.Errorf("%s: %d %s, want %d", at.name, resp.StatusCode, resp.Body, at.status)
				}
				if got := snapshot(a); got != before {
					t.Errorf("%s: side effect: %+v → %+v", at.name, before, got)
				}
				if took > 2*time.Second {
					t.Errorf("%s: took %s (unbounded work?)", at.name, took)
				}
			}

			// Header case variants verify as the canonical name does.
			variants := []string{strings.ToUpper(r.sigHeader), strings.ToLower(r.sigHeader), http.CanonicalHeaderKey(r.sigHeader)}
			for _, name := range variants {
				ev := r.fresh(t)
				sig := ev.Headers[r.sigHeader]
				ev = withHeaders(ev, []string{r.sigHeader}, map[string]string{name: sig})
				before := snapshot(a)
				if resp := a.Invoke(ctx, ev); resp.StatusCode != http.StatusOK {
					t.Errorf("header %s: %d %s, want 200", name, resp.StatusCode, resp.Body)
				}
				if snapshot(a) == before {
					t.Errorf("header %s: accepted but nothing happened", name)
				}
			}

			// A replayed delivery id: the stored result, no second effect.
			ev := r.fresh(t)
			first := a.Invoke(ctx, ev)
			if first.StatusCode != http.StatusOK {
				t.Fatalf("genuine: %d %s", first.StatusCode, first.Body)
			}
			if !r.ghl {
				// The peer re-sends the same delivery (same id, same body)
				// with a fresh signature.
				ts := time.Now().Add(time.Second)
				ev = withHeaders(ev, sigKeys, lower(r.sign(ev.Headers["webhook-id"], ts, []byte(ev.Body))))
			}
			before := snapshot(a)
			again := a.Invoke(ctx, ev)
			after := snapshot(a)
			var want, got struct {
				Outcome string
				Changes json.RawMessage
			}
			_ = json.Unmarshal([]byte(first.Body), &want)
			_ = json.Unmarshal([]byte(again.Body), &got)
			if again.StatusCode != http.StatusOK || got.Outcome != "duplicate" || string(got.Changes) != string(want.Changes) {
				t.Errorf("replay: %d %s, want 200 duplicate with the stored changes %s", again.StatusCode, again.Body, want.Changes)
			}
			if after.ghl != before.ghl || after.sandbox != before.sandbox || after.peer != before.peer {
				t.Errorf("replay: second effect %+v → %+v", before, after)
			}
		})
	}
}
