package replay

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/ghlsync/ghlsync/internal/cli"
	"github.com/ghlsync/ghlsync/internal/devserver"
	"github.com/ghlsync/ghlsync/internal/peer/peertest"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

func startDev(t *testing.T) *devserver.Server {
	t.Helper()
	s, err := devserver.Start(t.Context(), devserver.Options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Seed: 5, Contacts: 3})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return s
}

// peerEvent is the API Gateway event of a signed peer contact.upserted.
func peerEvent(t *testing.T, secret webhook.Secret, id, email string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	body := `{"type":"contact.upserted","timestamp":"` + time.Now().UTC().Format(time.RFC3339) +
		`","data":{"peerId":"` + id + `","firstName":"Replayed","email":"` + email + `"}}`
	d := (&peertest.Sender{Secret: secret}).SignRaw("msg_"+id, time.Now(), []byte(body))
	h := map[string]string{}
	for k := range d.Header {
		h[strings.ToLower(k)] = d.Header.Get(k)
	}
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "POST /peer/webhooks/contacts", RawPath: "/peer/webhooks/contacts",
		Headers: h, Body: string(d.Body)}
	ev.RequestContext.HTTP.Method = http.MethodPost
	ev.RequestContext.HTTP.Path = ev.RawPath
	return ev
}

// failureRecordOf wraps ev as a Lambda on-failure destination record.
func failureRecordOf(t *testing.T, ev any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{
		"version":         "1.0",
		"timestamp":       "2026-03-01T10:00:00.000Z",
		"requestContext":  map[string]any{"requestId": "r-1", "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:ghlsync-dev-ContactUpsertFunction-AB12:$LATEST", "condition": "RetriesExhausted", "approximateInvokeCount": 2},
		"requestPayload":  ev,
		"responseContext": map[string]any{"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
		"responsePayload": map[string]any{"errorMessage": "peer unavailable", "errorType": "Unavailable"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func line(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasContact(s *devserver.Server, email string) bool {
	for _, c := range s.Sandbox.Contacts(s.LocationID) {
		if c.Email == email {
			return true
		}
	}
	return false
}

// TestReplayFileThroughDevServer re-drives a JSON Lines file (an
// on-failure record, a raw schedule Input, a forged event) against the dev
// server: dry run first (nothing sent, exit 0), then for real (exit 1 for
// the forged one, one line per event).
func TestReplayFileThroughDevServer(t *testing.T) {
	t.Parallel()
	s := startDev(t)
	forged := peerEvent(t, webhook.Secret([]byte("not-the-peer-secret-0123456789")), "forged", "forged@example.com")
	var file bytes.Buffer
	file.Write(failureRecordOf(t, peerEvent(t, s.PeerSecret(), "rp_1", "replayed@example.com")))
	file.WriteString("\n")
	file.WriteString(`{"kind":"sweep","stream":"contacts"}` + "\n\n")
	file.Write(line(t, forged))
	path := filepath.Join(t.TempDir(), "failed.jsonl")
	if err := os.WriteFile(path, file.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	none := func(string) string { return "" }

	var out, errOut bytes.Buffer
	err := RunEnv(t.Context(), []string{"--file", path, "--function-url", s.URL, "--dry-run"}, none, nil, &out, &errOut)
	if err != nil || strings.Count(out.String(), "would re-drive") != 3 || !strings.Contains(out.String(), "ghlsync-dev-ContactUpsertFunction-AB12 RetriesExhausted Unavailable: peer unavailable") {
		t.Fatalf("dry run: %v\n%s%s", err, out.String(), errOut.String())
	}
	if hasContact(s, "replayed@example.com") {
		t.Fatal("the dry run sent the event")
	}

	out.Reset()
	err = RunEnv(t.Context(), []string{"--file", path, "--function-url", s.URL}, none, nil, &out, &errOut)
	if !errors.Is(err, ErrFailed) || cli.ExitCode(err) != cli.ExitFailure {
		t.Fatalf("replay err = %v, want ErrFailed (exit 1)\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"ok    failed.jsonl:1  POST /peer/webhooks/contacts  200 synced",
		"ok    failed.jsonl:2  sweep contacts  200 swept 1 locations",
		"FAIL  failed.jsonl:4  POST /peer/webhooks/contacts  401 unauthenticated",
		"2 passed, 1 failed",
	}
	if len(lines) != len(want) {
		t.Fatalf("output:\n%s", out.String())
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("line %d = %q, want prefix %q", i+1, lines[i], want[i])
		}
	}
	if !hasContact(s, "replayed@example.com") || hasContact(s, "forged@example.com") {
		t.Error("the sandbox does not hold exactly the replayed contact")
	}
}

// fakeAPI records the events it handles.
type fakeAPI struct {
	mu     sync.Mutex
	routes []string
}

func (f *fakeAPI) Handle(_ context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	f.mu.Lock()
	f.routes = append(f.routes, ev.RouteKey)
	f.mu.Unlock()
	return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"outcome":"synced"}`}, nil
}

// TestInProcessDispatch sends app routes to the app-install handler and
// every other route to the sync handler.
func TestInProcessDispatch(t *testing.T) {
	t.Parallel()
	sync, app := &fakeAPI{}, &fakeAPI{}
	p := &InProcess{Sync: sync, App: app}
	for _, rk := range []string{"POST /ghl/webhooks/contacts", "POST /ghl/webhooks/app", "GET /oauth/callback", "POST /peer/webhooks/notes"} {
		rec, err := Decode("t", line(t, events.APIGatewayV2HTTPRequest{RouteKey: rk}))
		if err != nil {
			t.Fatal(err)
		}
		if res, err := p.Invoke(t.Context(), rec); err != nil || !res.OK || res.Outcome != "synced" {
			t.Errorf("%s: %+v %v", rk, res, err)
		}
	}
	if got := strings.Join(sync.routes, ","); got != "POST /ghl/webhooks/contacts,POST /peer/webhooks/notes" {
		t.Errorf("sync handler got %s", got)
	}
	if got := strings.Join(app.routes, ","); got != "POST /ghl/webhooks/app,GET /oauth/callback" {
		t.Errorf("app handler got %s", got)
	}
	noApp := &InProcess{Sync: sync, AppErr: errors.New("no app secret")}
	rec, _ := Decode("t", line(t, events.APIGatewayV2HTTPRequest{RouteKey: "GET /oauth/callback"}))
	if _, err := noApp.Invoke(t.Context(), rec); err == nil || err.Error() != "no app secret" {
		t.Errorf("without app-install: %v", err)
	}
	sched, _ := Decode("t", []byte(`{"kind":"sweep","stream":"contacts"}`))
	if _, err := noApp.Invoke(t.Context(), sched); err == nil {
		t.Error("a schedule Input without a sweep runner did not fail")
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	ev := line(t, events.APIGatewayV2HTTPRequest{RouteKey: "POST /ghl/webhooks/tasks", Body: "{}"})
	rec, err := Decode("q", failureRecordOf(t, json.RawMessage(ev)))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Kind() != KindHTTP || rec.Describe() != "POST /ghl/webhooks/tasks" || rec.Function != "ghlsync-dev-ContactUpsertFunction-AB12" ||
		rec.Condition != "RetriesExhausted" || rec.Error != "Unavailable: peer unavailable" {
		t.Errorf("record = %+v", rec)
	}
	sched, err := Decode("q", []byte(`{"kind":"sweep","stream":"notes"}`))
	if err != nil || sched.Kind() != KindSchedule || sched.Describe() != "sweep notes" {
		t.Errorf("schedule = %+v %v", sched, err)
	}
	for _, bad := range []string{`{"hello":1}`, `[1,2]`, `not json`, `{"requestPayload":{"x":1}}`} {
		if _, err := Decode("q", []byte(bad)); !errors.Is(err, ErrRecord) {
			t.Errorf("Decode(%s) = %v, want ErrRecord", bad, err)
		}
	}
	arr, err := DecodeFile("f.json", strings.NewReader("["+string(ev)+`,{"kind":"sweep","stream":"tasks"}]`))
	if err != nil || len(arr) != 2 || arr[1].Source != "f.json#2" {
		t.Errorf("array file = %+v %v", arr, err)
	}
	one, err := DecodeFile("f.json", strings.NewReader(string(ev)))
	if err != nil || len(one) != 1 || one[0].Source != "f.json#1" {
		t.Errorf("single-object file = %+v %v", one, err)
	}
	if _, err := DecodeFile("f.json", strings.NewReader("  ")); !errors.Is(err, ErrRecord) {
		t.Errorf("empty file: %v", err)
	}
}

// sqsDouble serves ReceiveMessage (each message once) and DeleteMessage in
// the SQS JSON 1.0 protocol.
type sqsDouble struct {
	mu      sync.Mutex
	queue   []map[string]string
	deleted []string
}

func (d *sqsDouble) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	d.mu.Lock()
	defer d.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	switch r.Header.Get("X-Amz-Target") {
	case "AmazonSQS.ReceiveMessage":
		var in struct{ MaxNumberOfMessages int }
		_ = json.Unmarshal(b, &in)
		n := min(max(in.MaxNumberOfMessages, 1), len(d.queue))
		msgs := d.queue[:n]
		d.queue = d.queue[n:]
		_ = json.NewEncoder(w).Encode(map[string]any{"Messages": msgs})
	case "AmazonSQS.DeleteMessage":
		var in struct{ ReceiptHandle string }
		_ = json.Unmarshal(b, &in)
		d.deleted = append(d.deleted, in.ReceiptHandle)
		_, _ = w.Write([]byte("{}"))
	default:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"__type":"com.amazonaws.sqs#UnsupportedOperation","message":"unsupported"}`))
	}
}

func (d *sqsDouble) add(id, receipt string, body []byte) {
	sum := md5.Sum(body)
	d.queue = append(d.queue, map[string]string{"MessageId": id, "ReceiptHandle": receipt, "Body": string(body), "MD5OfBody": hex.EncodeToString(sum[:])})
}

// TestReplayQueue reads an on-failure queue through the real SQS client,
// re-drives the records against the dev server and deletes what succeeded;
// a message that is not a record is reported and left in the queue.
func TestReplayQueue(t *testing.T) {
	t.Parallel()
	s := startDev(t)
	d := &sqsDouble{}
	d.add("m1", "rh-1", failureRecordOf(t, peerEvent(t, s.PeerSecret(), "q_1", "queued@example.com")))
	d.add("m2", "rh-2", []byte(`{"unexpected":"shape"}`))
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	client := sqs.New(sqs.Options{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL)})
	q := &Queue{API: client, URL: srv.URL + "/123456789012/ContactUpsertFailureQueue", Max: 10, VisibilitySeconds: 30}
	recs, bad, err := q.Receive(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || len(bad) != 1 || !strings.Contains(bad[0].Error(), "sqs:m2") {
		t.Fatalf("received %d records, bad %v", len(recs), bad)
	}
	var out bytes.Buffer
	if err := Replay(t.Context(), Options{Records: recs, Invoker: &HTTPInvoker{BaseURL: s.URL}, Queue: q, Out: &out}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !hasContact(s, "queued@example.com") {
		t.Error("the queued event did not reach the sandbox")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if strings.Join(d.deleted, ",") != "rh-1" {
		t.Errorf("deleted %v, want the re-driven message only", d.deleted)
	}
}
