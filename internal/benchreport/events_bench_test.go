package benchreport_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/apptest"
	"github.com/ghlsync/ghlsync/internal/benchreport"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
)

func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }

// seq makes ids unique across the runs of a benchmark binary.
var seq atomic.Int64

// scenario is one event type through the real handler: prepare builds the
// i-th event (with the timer stopped) after making the change it reports.
type scenario struct {
	name    string
	prepare func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest
}

// poolSize is how many seeded contacts the GHL scenarios cycle through.
const poolSize = 200

func only(tb testing.TB, hooks []apptest.Webhook) events.APIGatewayV2HTTPRequest {
	tb.Helper()
	if len(hooks) != 1 {
		tb.Fatalf("sandbox sent %d webhooks, want 1", len(hooks))
	}
	return hooks[0].Request()
}

// check stops the benchmark on a failed sandbox change.
func check[T any](tb testing.TB) func(T, error) {
	return func(_ T, err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
}

// basePeerID is a contact the peer created (linked) before the peer→GHL
// scenarios; contact.tagged adds its tags to it. Tasks, notes and
// appointments name the seeded contacts in turn (by GHL id), so that no
// contact collects hundreds of them.
const basePeerID = "cust_bench_base"

func scenarios(pool []ghlsandbox.Contact) []scenario {
	contact := func(i int) ghlsandbox.Contact { return pool[i%len(pool)] }
	due := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	return []scenario{
		{"ghl/ContactUpdate", func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest {
			return only(tb, a.CaptureGHL(tb, func() {
				check[ghlsandbox.Contact](tb)(a.Sandbox.UpdateContact(a.Location.ID, contact(i).ID, func(c *ghlsandbox.Contact) { c.City = fmt.Sprintf("City %d", seq.Add(1)) }))
			}))
		}},
		{"ghl/TaskCreate", func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest {
			return only(tb, a.CaptureGHL(tb, func() {
				check[ghlsandbox.Task](tb)(a.Sandbox.CreateTask(a.Location.ID, contact(i).ID, ghlsandbox.Task{Title: "Call back", DueDate: due}))
			}))
		}},
		{"ghl/NoteCreate", func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest {
			return only(tb, a.CaptureGHL(tb, func() {
				check[ghlsandbox.Note](tb)(a.Sandbox.CreateNote(a.Location.ID, contact(i).ID, ghlsandbox.Note{Body: "Prefers email."}))
			}))
		}},
		{"ghl/AppointmentCreate", func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest {
			return only(tb, a.CaptureGHL(tb, func() {
				check[ghlsandbox.Appointment](tb)(a.Sandbox.CreateAppointment(a.Location.ID, ghlsandbox.Appointment{ContactID: contact(i).ID, Title: "Intro call"}))
			}))
		}},
		{"peer/contact.upserted", func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest {
			n := seq.Add(1)
			return a.PeerDelivery(tb, fmt.Sprintf("msg_c%d", n), crmsync.ContactUpserted, map[string]any{
				"peerId": fmt.Sprintf("cust_%d", n), "email": fmt.Sprintf("peer%d@example.com", n), "firstName": "Peer", "tags": []string{"bench"}})
		}},
		{"peer/contact.tagged", func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest {
			n := seq.Add(1)
			return a.PeerDelivery(tb, fmt.Sprintf("msg_t%d", n), crmsync.ContactTagged, map[string]any{
				"peerId": basePeerID, "tags": []string{fmt.Sprintf("tag-%d", n)}})
		}},
		// Peer tasks and notes carry distinct content, as real ones do: the
		// create lookup reads the link of every same-content task or note on
		// the contact, so identical ones would make the cost grow with b.N.
		{"peer/task.upserted", func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest {
			n := seq.Add(1)
			return a.PeerDelivery(tb, fmt.Sprintf("msg_k%d", n), crmsync.TaskUpserted, map[string]any{
				"peerId": fmt.Sprintf("task_%d", n), "contactGhlId": contact(i).ID, "title": fmt.Sprintf("Send quote %d", n), "dueDate": due, "completed": false})
		}},
		{"peer/note.upserted", func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest {
			n := seq.Add(1)
			return a.PeerDelivery(tb, fmt.Sprintf("msg_n%d", n), crmsync.NoteUpserted, map[string]any{
				"peerId": fmt.Sprintf("note_%d", n), "contactGhlId": contact(i).ID, "body": fmt.Sprintf("Asked about pricing (%d).", n)})
		}},
		{"peer/appointment.upserted", func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest {
			n := seq.Add(1)
			start := due.Add(time.Duration(n) * time.Hour)
			return a.PeerDelivery(tb, fmt.Sprintf("msg_a%d", n), crmsync.AppointmentUpserted, map[string]any{
				"peerId": fmt.Sprintf("mtg_%d", n), "contactGhlId": contact(i).ID, "calendarId": a.Location.CalendarID,
				"title": "Renewal call", "startTime": start, "endTime": start.Add(30 * time.Minute)})
		}},
		{"pull/contact", func(tb testing.TB, a *apptest.App, i int) events.APIGatewayV2HTTPRequest {
			return a.PullContact(contact(i).ID)
		}},
	}
}

// BenchmarkEvent runs each event type through the real handler in process
// (syncapp routes → crmsync → GHL sandbox over loopback HTTP → Standard
// Webhooks peer over loopback HTTP), on memstore (CPU cost) and on
// DynamoDB Local (the deployed store). Besides ns/op, B/op and allocs/op it
// reports per event: DynamoDB, GHL and peer requests, and the p99 of the
// latency and of the overhead (latency minus the time spent waiting for
// DynamoDB, GHL and the peer). A wait is metered below our clients, on
// their HTTP transports (apptest.Meter): the AWS SDK's serialization and
// signing, our JSON and the webhook HMAC are overhead. The in-process
// sandbox and peer serve inside the waits, but their allocations are in
// B/op and allocs/op and their garbage is collected on the same cores. The
// DynamoDB Local JVM runs at the lowest CPU priority (BENCH_NICE=0 keeps
// it at ours): in production DynamoDB is on other machines. cpu-ns/op is
// the process's CPU time during the event (the handler's, the in-process
// sandbox's and peer's, the Go runtime's and GC's; not the JVM's): unlike
// the overhead it does not grow when another process holds a core. The
// echo-settle pause is off.
func BenchmarkEvent(b *testing.B) {
	for _, store := range []string{"memstore", "dynamodb"} {
		b.Run(store, func(b *testing.B) {
			a := apptest.New(b, apptest.Options{Dynamo: store == "dynamodb", Seed: 7, SeedContacts: poolSize})
			if store == "dynamodb" && os.Getenv("BENCH_NICE") != "0" {
				apptest.LowerDynamoDBLocalPriority(b)
			}
			pool := a.Sandbox.Contacts(a.Location.ID)
			base := a.Invoke(b.Context(), a.PeerDelivery(b, "msg_base", crmsync.ContactUpserted,
				map[string]any{"peerId": basePeerID, "email": "base@example.com", "firstName": "Base"}))
			if base.StatusCode != http.StatusOK {
				b.Fatalf("base contact: %d %s", base.StatusCode, base.Body)
			}
			for _, sc := range scenarios(pool) {
				b.Run(sc.name, func(b *testing.B) { runScenario(b, a, sc) })
			}
		})
	}
}

func runScenario(b *testing.B, a *apptest.App, sc scenario) {
	lat := make([]time.Duration, 0, b.N)
	over := make([]time.Duration, 0, b.N)
	var total apptest.Counts
	var cpu time.Duration
	ctx := b.Context()
	if strings.HasPrefix(sc.name, "peer/") {
		// The sandbox's webhooks about the writes would run concurrently.
		a.SetGHLWebhooks(false)
		defer a.SetGHLWebhooks(true)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		ev := sc.prepare(b, a, i)
		before := a.Meter.Snapshot()
		b.StartTimer()
		cpu0 := apptest.ProcessCPU()
		start := time.Now()
		resp := a.Invoke(ctx, ev)
		d := time.Since(start)
		cpu += apptest.ProcessCPU() - cpu0
		b.StopTimer()
		got := a.Meter.Snapshot().Sub(before)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("%s #%d: %d %s", sc.name, i, resp.StatusCode, resp.Body)
		}
		lat = append(lat, d)
		over = append(over, d-got.Wait)
		total.DynamoReads += got.DynamoReads
		total.DynamoWrites += got.DynamoWrites
		total.GHL += got.GHL
		total.Peer += got.Peer
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(total.Dynamo())/n, "dynamo-req/op")
	b.ReportMetric(float64(total.GHL)/n, "ghl-req/op")
	b.ReportMetric(float64(total.Peer)/n, "peer-req/op")
	b.ReportMetric(float64(cpu)/n, "cpu-ns/op")
	b.ReportMetric(float64(benchreport.Percentile(lat, 99)), "p99-ns")
	b.ReportMetric(float64(benchreport.Percentile(over, 99)), "overhead-p99-ns")
}
