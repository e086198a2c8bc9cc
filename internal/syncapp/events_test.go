package syncapp_test

// The sample events of the four sync functions (events/<function>/*.json)
// are generated here (UPDATE_GOLDEN=1) and checked on every run: each is a
// payload 2.0 event for a route of its function, every GHL webhook sample
// verifies with the TEST-ONLY Ed25519 key (events/testkeys) and every peer
// sample with the TEST-ONLY peer secret (events/<function>/README.md).

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/apigw"
	"github.com/ghlsync/ghlsync/internal/syncapp/syncapptest"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// TestPeerSecret, sampleLoc and sampleContact are shared with the
// bootstrap tests (syncapptest).
const (
	TestPeerSecret = syncapptest.PeerSecret
	sampleLoc      = syncapptest.LocationID
	sampleTime     = "2026-01-15T10:00:00.000Z"
	sampleContact  = syncapptest.ContactID
)

type sample struct {
	fn, file, method, path, routeKey string
	params                           map[string]string
	query                            map[string]string
	body                             string
	ghl                              bool // sign as GHL; else as the peer (POST) or bearer (GET)
}

func samples() []sample {
	ghlBody := func(typ, fields string) string {
		return fmt.Sprintf(`{"type":%q,"locationId":%q,%s,"webhookId":"whSample%s","timestamp":%q,"appId":"ve9EPM428h8vShlRW1KT","versionId":"66a0419a0dffa47fb5f8b230"}`,
			typ, sampleLoc, fields, typ, sampleTime)
	}
	peerBody := func(typ, data string) string {
		return fmt.Sprintf(`{"type":%q,"timestamp":%q,"locationId":%q,"data":%s}`, typ, sampleTime, sampleLoc, data)
	}
	contact := `"id":"` + sampleContact + `","email":"ada@example.com","firstName":"Ada","lastName":"Lovelace","name":"Ada Lovelace","phone":"+15555550100","tags":["vip"],"dateAdded":"2026-01-15T09:59:00.000Z","dnd":false,"attachments":[],"customFields":[]`
	list := []sample{
		{fn: "contact-upsert", file: "ghl-contact-create.json", method: "POST", path: "/ghl/webhooks/contacts", ghl: true, body: ghlBody("ContactCreate", contact)},
		{fn: "contact-upsert", file: "ghl-contact-update.json", method: "POST", path: "/ghl/webhooks/contacts", ghl: true, body: ghlBody("ContactUpdate", contact)},
		{fn: "contact-upsert", file: "ghl-contact-tag-update.json", method: "POST", path: "/ghl/webhooks/contacts", ghl: true, body: ghlBody("ContactTagUpdate", contact)},
		{fn: "contact-upsert", file: "ghl-contact-delete.json", method: "POST", path: "/ghl/webhooks/contacts", ghl: true, body: ghlBody("ContactDelete", contact)},
		{fn: "contact-upsert", file: "peer-contact-upserted.json", method: "POST", path: "/peer/webhooks/contacts",
			body: peerBody("contact.upserted", `{"peerId":"peer-contact-1","firstName":"Grace","lastName":"Hopper","email":"grace@example.com","tags":["navy"]}`)},
		{fn: "contact-upsert", file: "peer-contact-tagged.json", method: "POST", path: "/peer/webhooks/contacts",
			body: peerBody("contact.tagged", `{"peerId":"peer-contact-1","tags":["admiral"]}`)},
		{fn: "contact-upsert", file: "peer-contact-deleted.json", method: "POST", path: "/peer/webhooks/contacts",
			body: peerBody("contact.deleted", `{"kind":"contact","peerId":"peer-contact-1"}`)},
		{fn: "contact-upsert", file: "pull-contact.json", method: "GET", path: "/peer/contacts/peer-contact-1", routeKey: "GET /peer/contacts/{id}",
			params: map[string]string{"id": "peer-contact-1"}, query: map[string]string{"include": "tasks,notes,appointments", "locationId": sampleLoc}},
		{fn: "contact-upsert", file: "pull-business-contacts.json", method: "GET", path: "/peer/businesses/641c094001436dbc2081e642/contacts",
			routeKey: "GET /peer/businesses/{id}/contacts", params: map[string]string{"id": "641c094001436dbc2081e642"}, query: map[string]string{"locationId": sampleLoc, "limit": "20"}},

		{fn: "task-sync", file: "ghl-task-create.json", method: "POST", path: "/ghl/webhooks/tasks", ghl: true,
			body: ghlBody("TaskCreate", `"id":"TskSampleTask000001","contactId":"`+sampleContact+`","title":"Call back","body":"About the quote","dueDate":"2026-01-20T10:00:00.000Z","dateAdded":"2026-01-15T09:59:00.000Z"`)},
		{fn: "task-sync", file: "ghl-task-create-without-contact.json", method: "POST", path: "/ghl/webhooks/tasks", ghl: true,
			body: ghlBody("TaskCreate", `"id":"TskSampleTask000002","title":"Call back","dueDate":"2026-01-20T10:00:00.000Z","dateAdded":"2026-01-15T09:59:00.000Z"`)},
		{fn: "task-sync", file: "ghl-task-complete.json", method: "POST", path: "/ghl/webhooks/tasks", ghl: true,
			body: ghlBody("TaskComplete", `"id":"TskSampleTask000001","contactId":"`+sampleContact+`","title":"Call back","dueDate":"2026-01-20T10:00:00.000Z","dateAdded":"2026-01-15T09:59:00.000Z"`)},
		{fn: "task-sync", file: "peer-task-upserted.json", method: "POST", path: "/peer/webhooks/tasks",
			body: peerBody("task.upserted", `{"peerId":"peer-task-1","contactGhlId":"`+sampleContact+`","title":"Send the quote","dueDate":"2026-01-21T10:00:00Z","completed":false}`)},
		{fn: "task-sync", file: "peer-task-completed.json", method: "POST", path: "/peer/webhooks/tasks",
			body: peerBody("task.completed", `{"peerId":"peer-task-1","contactGhlId":"`+sampleContact+`","title":"Send the quote","dueDate":"2026-01-21T10:00:00Z","completed":true}`)},
		{fn: "task-sync", file: "peer-task-deleted.json", method: "POST", path: "/peer/webhooks/tasks",
			body: peerBody("task.deleted", `{"kind":"task","peerId":"peer-task-1"}`)},

		{fn: "note-sync", file: "ghl-note-create.json", method: "POST", path: "/ghl/webhooks/notes", ghl: true,
			body: ghlBody("NoteCreate", `"id":"NotSampleNote000001","contactId":"`+sampleContact+`","body":"Met at the fair","dateAdded":"2026-01-15T09:59:00.000Z"`)},
		{fn: "note-sync", file: "ghl-note-delete.json", method: "POST", path: "/ghl/webhooks/notes", ghl: true,
			body: ghlBody("NoteDelete", `"id":"NotSampleNote000001","contactId":"`+sampleContact+`","body":"Met at the fair","dateAdded":"2026-01-15T09:59:00.000Z"`)},
		{fn: "note-sync", file: "peer-note-upserted.json", method: "POST", path: "/peer/webhooks/notes",
			body: peerBody("note.upserted", `{"peerId":"peer-note-1","contactGhlId":"`+sampleContact+`","body":"Prefers email"}`)},
		{fn: "note-sync", file: "peer-note-deleted.json", method: "POST", path: "/peer/webhooks/notes",
			body: peerBody("note.deleted", `{"kind":"note","peerId":"peer-note-1"}`)},

		{fn: "appointment-pull", file: "ghl-appointment-create.json", method: "POST", path: "/ghl/webhooks/appointments", ghl: true,
			body: ghlBody("AppointmentCreate", `"appointment":{"id":"AptSampleAppoint001","title":"Demo","calendarId":"CalSampleCalendar01","contactId":"`+sampleContact+`","appointmentStatus":"confirmed","users":[],"startTime":"2026-01-20T16:00:00+00:00","endTime":"2026-01-20T16:30:00+00:00","dateAdded":"2026-01-15T09:59:00+00:00","dateUpdated":"2026-01-15T09:59:00+00:00"}`)},
		{fn: "appointment-pull", file: "peer-appointment-upserted.json", method: "POST", path: "/peer/webhooks/appointments",
			body: peerBody("appointment.upserted", `{"peerId":"peer-appt-1","contactGhlId":"`+sampleContact+`","calendarId":"CalSampleCalendar01","title":"Kick-off","status":"confirmed","startTime":"2026-01-22T15:00:00Z","endTime":"2026-01-22T15:30:00Z"}`)},
		{fn: "appointment-pull", file: "peer-appointment-deleted.json", method: "POST", path: "/peer/webhooks/appointments",
			body: peerBody("appointment.deleted", `{"kind":"appointment","peerId":"peer-appt-1"}`)},
	}
	for i := range list {
		list[i].body = webhookIDRE.ReplaceAllString(list[i].body, `"webhookId":"whSample-`+strings.TrimSuffix(list[i].file, ".json")+`"`)
	}
	return list
}

var webhookIDRE = regexp.MustCompile(`"webhookId":"[^"]*"`)

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func testKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "events/testkeys/ghl-webhook-ed25519-TEST-ONLY-private.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(ed25519.PrivateKey)
}

func build(t *testing.T, s sample) events.APIGatewayV2HTTPRequest {
	t.Helper()
	ts, _ := time.Parse(time.RFC3339, sampleTime)
	headers := map[string]string{"content-type": "application/json", "host": "abc123defg.execute-api.us-east-1.amazonaws.com"}
	switch {
	case s.ghl:
		headers["user-agent"] = "GoHighLevel-Webhooks"
		headers["x-ghl-signature"] = base64.StdEncoding.EncodeToString(ed25519.Sign(testKey(t), []byte(s.body)))
	case s.method == "POST":
		sec, err := webhook.ParseSecret(TestPeerSecret)
		if err != nil {
			t.Fatal(err)
		}
		id := "msg_" + strings.TrimSuffix(s.file, ".json")
		for k, v := range sec.SignedHeaders(id, ts, []byte(s.body)) {
			headers[strings.ToLower(k)] = v[0]
		}
	default:
		headers["authorization"] = "Bearer " + syncapptest.PullKey
		delete(headers, "content-type")
	}
	if s.body != "" {
		headers["content-length"] = fmt.Sprint(len(s.body))
	}
	route := s.routeKey
	if route == "" {
		route = s.method + " " + s.path
	}
	var raw []string
	for _, k := range slices.Sorted(maps.Keys(s.query)) {
		raw = append(raw, k+"="+s.query[k])
	}
	return events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: route, RawPath: s.path, RawQueryString: strings.Join(raw, "&"), Headers: headers,
		QueryStringParameters: s.query, PathParameters: s.params, Body: s.body,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			AccountID: "123456789012", APIID: "abc123defg", DomainName: "abc123defg.execute-api.us-east-1.amazonaws.com", DomainPrefix: "abc123defg",
			RequestID: "sample-request-id", RouteKey: route, Stage: "$default", Time: "15/Jan/2026:10:00:00 +0000", TimeEpoch: ts.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: s.method, Path: s.path, Protocol: "HTTP/1.1", SourceIP: "192.0.2.10",
				UserAgent: headers["user-agent"]},
		},
	}
}

func TestSampleEvents(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	pub := testKey(t).Public().(ed25519.PublicKey)
	pubDER, _ := x509.MarshalPKIXPublicKey(pub)
	verifier, err := webhook.NewGHLVerifier(webhook.GHLKeys{Ed25519PEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})})
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := webhook.ParseSecret(TestPeerSecret)
	peerVerifier := webhook.StandardVerifier{Secrets: []webhook.Secret{sec}, Window: 100 * 365 * 24 * time.Hour}
	for _, s := range samples() {
		path := filepath.Join(root, "events", s.fn, s.file)
		want := build(t, s)
		if os.Getenv("UPDATE_GOLDEN") == "1" {
			b, _ := json.MarshalIndent(want, "", "  ")
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (regenerate with UPDATE_GOLDEN=1)", err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if ev.Body != want.Body || ev.RouteKey != want.RouteKey {
			t.Errorf("%s is out of date: regenerate with UPDATE_GOLDEN=1", path)
		}
		body, _ := apigw.Body(ev, apigw.MaxBodyBytes)
		switch {
		case s.ghl:
			if err := verifier.Verify(apigw.Header(ev), body); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		case s.method == "POST":
			if _, err := peerVerifier.Verify(apigw.Header(ev), body); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		}
	}
}
