// Package syncapptest runs a sync function's real compiled bootstrap under
// the fake Lambda Runtime API (internal/lambdatest) against DynamoDB Local,
// a Secrets Manager double, the GHL sandbox and a recording peer, and
// invokes it with the function's sample events (events/<function>).
//
// The GHL samples are signed with the TEST-ONLY Ed25519 key of
// events/testkeys and run with GHL_WEBHOOK_WINDOW=0 (their timestamps are
// old); the peer samples are re-signed with PeerSecret at the current
// time, with the sample contact id replaced by a contact of the sandbox.
//
// Example (functions/<name>/bootstrap_test.go):
//
//	func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }
//
//	func TestBootstrap(t *testing.T) {
//		env := syncapptest.Start(t, "task-sync")
//		for _, file := range env.Files() {
//			resp := env.Invoke(file)
//			...
//		}
//	}
package syncapptest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/lambdatest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/sweep"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Fixed values of the sample events.
const (
	// PeerSecret is the TEST-ONLY Standard Webhooks secret of the peer
	// samples. It grants nothing; never configure it in a deployed stage.
	PeerSecret = "whsec_dGVzdC1vbmx5LXBlZXItc2VjcmV0LWdobHN5bmM="
	// PullKey is the TEST-ONLY pull API key of the pull samples.
	PullKey = "test-only-pull-key"
	// LocationID is the samples' location.
	LocationID = "LocSampleInstall0001"
	// ContactID is the samples' GHL contact id (replaced in peer samples).
	ContactID = "CntSampleContact0001"
	// CalendarID is the samples' calendar (replaced in peer samples).
	CalendarID = "CalSampleCalendar01"
)

// Env is a running function with its dependencies.
type Env struct {
	t       *testing.T
	dir     string
	rt      *lambdatest.Runtime
	fn      *lambdatest.Function
	Sandbox *ghlsandbox.Sandbox
	// Contact is the sandbox contact the peer samples name.
	Contact ghlsandbox.Contact
	// Peer counts the deliveries the function made to the peer.
	Peer *Recorder

	calendarID string
}

// Recorder is a peer endpoint that accepts and counts deliveries.
type Recorder struct {
	mu    sync.Mutex
	Types []string
}

func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	var env struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(b, &env)
	r.mu.Lock()
	r.Types = append(r.Types, env.Type)
	r.mu.Unlock()
}

// Deliveries returns the event types the peer received, in order.
func (r *Recorder) Deliveries() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.Types)
}

// Count returns how many deliveries the peer received.
func (r *Recorder) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.Types)
}

func root(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// Start builds the function in the current directory (functions/<name>)
// and runs it.
func Start(t *testing.T, name string) *Env {
	t.Helper()
	e := &Env{t: t, dir: filepath.Join(root(t), "events", name), Peer: &Recorder{}}
	client := dynamotest.Client(t)
	table := dynamotest.TableName(t)
	if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	privPEM, err := os.ReadFile(filepath.Join(root(t), "events/testkeys/ghl-webhook-ed25519-TEST-ONLY-private.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := os.ReadFile(filepath.Join(root(t), "events/testkeys/ghl-webhook-ed25519-TEST-ONLY-public.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(privPEM)
	priv, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	e.Sandbox, err = ghlsandbox.New(ghlsandbox.Options{Ed25519Key: priv.(ed25519.PrivateKey), RateLimit: ghlsandbox.RateLimitOptions{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Sandbox.Close)
	loc, err := e.Sandbox.AddLocation(ghlsandbox.LocationOptions{ID: LocationID})
	if err != nil {
		t.Fatal(err)
	}
	e.calendarID = loc.CalendarID
	if e.Contact, err = e.Sandbox.CreateContact(LocationID, ghlsandbox.Contact{Email: "sample@example.com", FirstName: "Sample"}); err != nil {
		t.Fatal(err)
	}
	pit, err := e.Sandbox.IssuePrivateToken(loc.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The schedule samples sweep every active installation.
	if err := dynamostore.New(client, table).PutInstallation(t.Context(), store.Installation{LocationID: LocationID,
		Status: store.InstallActive, SecretName: "ghlsync/test/locations/" + LocationID, UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ghlSrv := httptest.NewServer(e.Sandbox)
	t.Cleanup(ghlSrv.Close)
	peerSrv := httptest.NewServer(e.Peer)
	t.Cleanup(peerSrv.Close)

	const prefix = "ghlsync/test"
	secrets := newSecrets(t)
	peerJSON, _ := json.Marshal(map[string]string{"signing_secret": PeerSecret, "pull_api_key": PullKey, "webhook_url": peerSrv.URL})
	for n, v := range map[string]string{
		prefix + "/peer":                    string(peerJSON),
		prefix + "/locations/" + LocationID: `{"private_integration_token":"` + pit + `","location_id":"` + LocationID + `"}`,
	} {
		if _, err := secrets.client.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(n), SecretString: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	if e.rt, err = lambdatest.NewRuntime(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.rt.Close() })
	e.fn, err = e.rt.Start(t.Context(), bin, []string{
		"STAGE=test", "TABLE_NAME=" + table, "SECRET_PREFIX=" + prefix,
		"DYNAMODB_ENDPOINT=" + dynamotest.Endpoint(t), "SECRETSMANAGER_ENDPOINT=" + secrets.url,
		"GHL_BASE_URL=" + ghlSrv.URL, "GHL_WEBHOOK_ED25519_PUBLIC_KEY=" + string(pubPEM), "GHL_WEBHOOK_WINDOW=0",
		"ECHO_SETTLE=1ms",
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"HOME=" + t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.fn.Stop() })
	return e
}

// Files lists the function's sample events, sorted (ghl-*, peer-*, pull-*).
func (e *Env) Files() []string {
	e.t.Helper()
	m, err := filepath.Glob(filepath.Join(e.dir, "*.json"))
	if err != nil || len(m) == 0 {
		e.t.Fatalf("no sample events in %s: %v", e.dir, err)
	}
	sort.Strings(m)
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// Invoke sends one sample event to the function and returns its response.
func (e *Env) Invoke(file string) events.APIGatewayV2HTTPResponse {
	e.t.Helper()
	raw, err := os.ReadFile(filepath.Join(e.dir, file))
	if err != nil {
		e.t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		e.t.Fatalf("%s: %v", file, err)
	}
	if strings.HasPrefix(file, "peer-") {
		e.resign(&ev)
	}
	payload, _ := json.Marshal(ev)
	res, err := e.rt.Invoke(e.t.Context(), payload, 20*time.Second)
	if err != nil {
		e.t.Fatalf("%s: %v\n%s", file, err, e.fn.Output())
	}
	if res.Error != nil {
		e.t.Fatalf("%s: invocation error %+v\n%s", file, res.Error, e.fn.Output())
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(res.Payload, &resp); err != nil {
		e.t.Fatalf("%s: %v", file, err)
	}
	return resp
}

// IsSchedule reports whether a sample is a schedule Input
// (schedule-*.json) rather than an API Gateway event.
func IsSchedule(file string) bool { return strings.HasPrefix(file, "schedule-") }

// InvokeSchedule sends one schedule sample (the exact Input the template's
// schedule sends) to the function and returns the sweep report it answers.
func (e *Env) InvokeSchedule(file string) sweep.Report {
	e.t.Helper()
	raw, err := os.ReadFile(filepath.Join(e.dir, file))
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.rt.Invoke(e.t.Context(), bytes.TrimSpace(raw), 20*time.Second)
	if err != nil {
		e.t.Fatalf("%s: %v\n%s", file, err, e.fn.Output())
	}
	if res.Error != nil {
		e.t.Fatalf("%s: invocation error %+v\n%s", file, res.Error, e.fn.Output())
	}
	var rep sweep.Report
	if err := json.Unmarshal(res.Payload, &rep); err != nil {
		e.t.Fatalf("%s: %v: %s", file, err, res.Payload)
	}
	return rep
}

// CheckSchedules runs every schedule sample of files (schedule-*.json)
// through the function and checks that each swept the sample location to
// the end: one location, caught up, no error, at least one page read from
// the sandbox.
func (e *Env) CheckSchedules(files []string) {
	e.t.Helper()
	n := 0
	for _, file := range files {
		if !IsSchedule(file) {
			continue
		}
		n++
		rep := e.InvokeSchedule(file)
		if len(rep.Locations) != 1 {
			e.t.Errorf("%s: report of %d locations, want 1: %+v", file, len(rep.Locations), rep)
			continue
		}
		l := rep.Locations[0]
		if l.LocationID != LocationID || l.Outcome != sweep.OutcomeCaughtUp || l.Error != "" || l.Pages < 1 || l.Requests < 1 {
			e.t.Errorf("%s: %+v, want location %s caught up after reading at least one page", file, l, LocationID)
		}
	}
	if n == 0 {
		e.t.Errorf("no schedule-*.json sample in %s", e.dir)
	}
}

// resign puts the sandbox contact and the current time into a peer sample
// and signs it again with PeerSecret.
func (e *Env) resign(ev *events.APIGatewayV2HTTPRequest) {
	body := strings.NewReplacer(ContactID, e.Contact.ID, CalendarID, e.calendarID).Replace(ev.Body)
	var env map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		e.t.Fatal(err)
	}
	now := time.Now().UTC()
	env["timestamp"], _ = json.Marshal(now.Format(time.RFC3339Nano))
	b, _ := json.Marshal(env)
	sec, err := webhook.ParseSecret(PeerSecret)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range sec.SignedHeaders(ev.Headers["webhook-id"], now, b) {
		ev.Headers[strings.ToLower(k)] = v[0]
	}
	ev.Headers["content-length"] = itoa(len(b))
	ev.Body = string(bytes.TrimSpace(b))
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Expect is the answer a sample event must get: its status and, when not
// empty, its outcome (or error code).
type Expect struct {
	Status  int
	Outcome string
}

// CheckSamples invokes every HTTP sample of the function with the running
// bootstrap and compares each answer with want (one entry per sample, no
// more, no fewer); then it checks that the peer received only deletes (the
// GHL samples name entities the sandbox does not have) and runs the
// schedule samples.
func (e *Env) CheckSamples(want map[string]Expect) {
	t := e.t
	t.Helper()
	files := e.Files()
	samples := 0
	for _, file := range files {
		if IsSchedule(file) {
			continue // below, after the peer count of the HTTP samples
		}
		samples++
		resp := e.Invoke(file)
		w, ok := want[file]
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
		if resp.StatusCode != w.Status || (w.Outcome != "" && got != w.Outcome) {
			t.Errorf("%s: %d %s, want %d %s", file, resp.StatusCode, resp.Body, w.Status, w.Outcome)
		}
	}
	if samples != len(want) {
		t.Errorf("%d sample events, %d expectations", samples, len(want))
	}
	// The GHL samples name entities the sandbox does not have: GHL says
	// they are gone, so the peer gets their deletes (once each: the first
	// leaves a tombstone) and nothing else.
	for _, typ := range e.Peer.Deliveries() {
		if !strings.HasSuffix(typ, ".deleted") {
			t.Errorf("peer got %s, want only deletes (the GHL samples name entities the sandbox does not have)", typ)
		}
	}
	e.CheckSchedules(files)
}
