//go:build bench

package benchreport_test

// TestBenchReport is make bench: it measures what the per-event
// benchmarks (BENCH_TXT, their go test -bench output) do not — cold
// starts, binary sizes, peak RSS, the 10,000-contact backfill at GHL's
// real rate limit, the official Node SDK's backfill and webhook
// verification on the same sandbox — and writes one Markdown table to
// BENCH_REPORT (default build/bench/report.md).

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"golang.org/x/oauth2"

	"github.com/ghlsync/ghlsync/internal/apptest"
	"github.com/ghlsync/ghlsync/internal/benchreport"
	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/sweep"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Targets of the issue.
const (
	coldTarget     = 30 * time.Millisecond
	sizeTarget     = 15 << 20
	overheadTarget = 2 * time.Millisecond
	rateTarget     = 0.90
	coldRuns       = 20
	coldWarmUps    = 30
	backfillSize   = 10000
)

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestBenchReport(t *testing.T) {
	root := repoRoot(t)
	var rows []benchreport.Row
	rows = append(rows, coldStartRows(t, root)...)
	if os.Getenv("BENCH_ONLY") != "cold" {
		rows = append(rows, warmRows(t)...)
		rows = append(rows, backfillRows(t, root)...)
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "ghlsync %s — %s, %d CPU, %s\n\n", time.Now().UTC().Format("2006-01-02"), goVersion(), numCPU(), cpuModel())
	if err := benchreport.Render(&b, rows); err != nil {
		t.Fatal(err)
	}
	out := os.Getenv("BENCH_REPORT")
	if out == "" {
		out = filepath.Join(root, "build", "bench", "report.md")
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("report written to %s\n%s", out, b.String())
}

// ---- cold start ----

var functions = []string{"contact-upsert", "task-sync", "note-sync", "appointment-pull", "app-install"}

func coldStartRows(t *testing.T, root string) []benchreport.Row {
	a := apptest.New(t, apptest.Options{Dynamo: true, Seed: 3, SeedContacts: 50})
	pool := a.Sandbox.Contacts(a.Location.ID)
	secrets := secretstest.Start(t)
	const prefix = "ghlsync/bench"
	app := a.Sandbox.App()
	peerJSON, _ := json.Marshal(map[string]string{"signing_secret": a.PeerSecret.Encode(), "pull_api_key": a.PullKey, "webhook_url": a.PeerURL})
	appJSON, _ := json.Marshal(map[string]string{"client_id": app.ClientID, "client_secret": app.ClientSecret})
	for name, value := range map[string]string{
		prefix + "/peer":                       string(peerJSON),
		prefix + "/app":                        string(appJSON),
		prefix + "/locations/" + a.Location.ID: `{"private_integration_token":"` + a.Token + `","location_id":"` + a.Location.ID + `"}`,
	} {
		if _, err := secrets.Client().CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"STAGE=bench", "TABLE_NAME=" + a.Table, "SECRET_PREFIX=" + prefix,
		"DYNAMODB_ENDPOINT=" + dynamotest.Endpoint(t), "SECRETSMANAGER_ENDPOINT=" + secrets.URL,
		"GHL_BASE_URL=" + a.GHLURL, "GHL_WEBHOOK_ED25519_PUBLIC_KEY=" + string(a.PublicKeyPEM(t)),
		"ECHO_SETTLE=1ms", "SECRET_DELETION_DAYS=7",
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"HOME=" + t.TempDir(),
	}
	due := time.Now().Add(48 * time.Hour)
	// payload returns the i-th representative event of a function: a
	// fresh GHL webhook of its domain that the sandbox signed (a real
	// fetch, delivery and link write), or an INSTALL for app-install.
	payload := func(fn string) func(i int) []byte {
		return func(i int) []byte {
			c := pool[i%len(pool)]
			var ev events.APIGatewayV2HTTPRequest
			capture := func(change func()) {
				hooks := a.CaptureGHL(t, change)
				if len(hooks) != 1 {
					t.Fatalf("%s: %d webhooks", fn, len(hooks))
				}
				ev = hooks[0].Request()
			}
			switch fn {
			case "contact-upsert":
				capture(func() {
					_, _ = a.Sandbox.UpdateContact(a.Location.ID, c.ID, func(c *ghlsandbox.Contact) { c.City = fmt.Sprintf("Cold %d", i) })
				})
			case "task-sync":
				capture(func() {
					_, _ = a.Sandbox.CreateTask(a.Location.ID, c.ID, ghlsandbox.Task{Title: "Call back", DueDate: due})
				})
			case "note-sync":
				capture(func() { _, _ = a.Sandbox.CreateNote(a.Location.ID, c.ID, ghlsandbox.Note{Body: "Prefers email."}) })
			case "appointment-pull":
				capture(func() {
					_, _ = a.Sandbox.CreateAppointment(a.Location.ID, ghlsandbox.Appointment{ContactID: c.ID, Title: "Intro call"})
				})
			case "app-install":
				body, _ := json.Marshal(map[string]any{"type": "INSTALL", "appId": app.ID, "versionId": app.VersionID, "installType": "Location",
					"locationId": a.Location.ID, "companyId": a.Sandbox.CompanyID(), "webhookId": fmt.Sprintf("wh-cold-%d-%d", time.Now().UnixNano(), i),
					"timestamp": time.Now().UTC().Format(time.RFC3339Nano)})
				ev = apptest.Request("POST /ghl/webhooks/app", http.Header{"X-Ghl-Signature": {a.SignGHL(body)}}, body)
			}
			b, _ := json.Marshal(ev)
			return b
		}
	}

	var rows []benchreport.Row
	dir := t.TempDir()
	for _, fn := range functions {
		// BENCH_FUNCTIONS (comma-separated names) narrows the cold starts
		// to some functions, e.g. while working on one.
		if only := os.Getenv("BENCH_FUNCTIONS"); only != "" && !slices.Contains(strings.Split(only, ","), fn) {
			continue
		}
		bin := filepath.Join(dir, fn)
		size, err := benchreport.Build(t.Context(), root, "./functions/"+fn, bin)
		if err != nil {
			t.Fatal(err)
		}
		// Unmeasured: the same events through one warm process first, so
		// that DynamoDB Local (Java) has JIT-compiled its request paths;
		// the target is about the bootstrap, not the Java server's warm-up.
		// Their indices follow the measured ones (every event is fresh).
		warm := payload(fn)
		if err := benchreport.WarmUp(t.Context(), bin, env, func(i int) []byte { return warm(coldRuns + 1 + i) }, coldWarmUps); err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		res, err := benchreport.ColdStart(t.Context(), bin, env, payload(fn), coldRuns)
		if err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(res.Response, &resp); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: first response %s (%v), want 200", fn, res.Response, err)
		}
		if os.Getenv("BENCH_DEBUG") != "" {
			t.Logf("%s: latencies %v\ninit %v\nfirst request %v\n%s", fn, res.Latency, res.Init, res.First, res.Output)
		}
		med, p90 := benchreport.Median(res.Latency), benchreport.Percentile(res.Latency, 90)
		handler := handlerDuration(res.Output)
		rows = append(rows,
			benchreport.Row{Section: "Cold start", Name: fn + ": exec → first response, median (p90) of 20 (DynamoDB Local warmed by " +
				fmt.Sprint(coldWarmUps) + " unmeasured events first)",
				Figure: benchreport.Millis(med) + " (" + benchreport.Millis(p90) + ")", Target: "median ≤ 30 ms",
				Status: benchreport.AtMost(med, coldTarget)},
			benchreport.Row{Section: "Cold start", Name: fn + ": of which init (exec → first GET /invocation/next), median (p90)",
				Figure: benchreport.Millis(benchreport.Median(res.Init)) + " (" + benchreport.Millis(benchreport.Percentile(res.Init, 90)) + ")"},
			benchreport.Row{Section: "Cold start", Name: fn + ": of which the first request (/invocation/next → response), median (p90); its handler's logged duration (last run)",
				Figure: benchreport.Millis(benchreport.Median(res.First)) + " (" + benchreport.Millis(benchreport.Percentile(res.First, 90)) + "); " + benchreport.Millis(handler)},
			benchreport.Row{Section: "Cold start", Name: fn + ": bootstrap size", Figure: benchreport.MiB(size), Target: "≤ 15 MB",
				Status: benchreport.AtMost(size, sizeTarget)},
			benchreport.Row{Section: "Cold start", Name: fn + ": peak RSS (VmHWM), median", Figure: benchreport.MiB(benchreport.Median(res.PeakRSS))},
		)
	}
	return rows
}

// handlerDuration returns the duration_ms of the request log line in out
// (the largest, should there be several).
func handlerDuration(out string) time.Duration {
	var d time.Duration
	for _, l := range strings.Split(out, "\n") {
		var line struct {
			DurationMS int64 `json:"duration_ms"`
		}
		if json.Unmarshal([]byte(l), &line) == nil {
			d = max(d, time.Duration(line.DurationMS)*time.Millisecond)
		}
	}
	return d
}

// ---- warm, from the benchmarks' output ----

var eventOrder = []string{"ghl/ContactUpdate", "ghl/TaskCreate", "ghl/NoteCreate", "ghl/AppointmentCreate",
	"peer/contact.upserted", "peer/contact.tagged", "peer/task.upserted", "peer/note.upserted", "peer/appointment.upserted", "pull/contact"}

func warmRows(t *testing.T) []benchreport.Row {
	path := os.Getenv("BENCH_TXT")
	if path == "" {
		return []benchreport.Row{{Section: "Warm per event", Name: "BenchmarkEvent", Figure: "not run: BENCH_TXT unset (make bench sets it)", Status: benchreport.Skip}}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := benchreport.ParseBench(f)
	if err != nil {
		t.Fatal(err)
	}
	med, _ := benchreport.Medians(rs)
	var rows []benchreport.Row
	for _, ev := range eventOrder {
		m, ok := med["BenchmarkEvent/memstore/"+ev]
		d, okd := med["BenchmarkEvent/dynamodb/"+ev]
		if !ok || !okd {
			t.Fatalf("%s: no BenchmarkEvent result for %s in %s", path, ev, path)
		}
		over := time.Duration(d["overhead-p99-ns"])
		rows = append(rows,
			benchreport.Row{Section: "Warm per event", Name: ev + ": CPU in process (memstore) ns/op, allocs/op — includes the in-process GHL sandbox and peer",
				Figure: fmt.Sprintf("%s, %.0f allocs", benchreport.Micros(time.Duration(m["ns/op"])), m["allocs/op"])},
			benchreport.Row{Section: "Warm per event", Name: ev + ": on DynamoDB Local — overhead p99 = latency − time on the wire and in DynamoDB/GHL/peer; SDK, JSON and signing count as overhead (latency p99, mean)",
				Figure: fmt.Sprintf("%s (%s, %s)", benchreport.Millis(over), benchreport.Millis(time.Duration(d["p99-ns"])), benchreport.Millis(time.Duration(d["ns/op"]))),
				Target: "overhead p99 ≤ 2 ms", Status: benchreport.AtMost(over, overheadTarget)},
			benchreport.Row{Section: "Warm per event", Name: ev + ": requests per event (DynamoDB / GHL / peer)",
				Figure: fmt.Sprintf("%.1f / %.1f / %.1f", d["dynamo-req/op"], d["ghl-req/op"], d["peer-req/op"])},
		)
	}
	return rows
}

// ---- backfill and the Node SDK ----

// counter sits in front of the sandbox and counts one side's requests and
// 429s.
type counter struct {
	next            http.Handler
	requests, s429s atomic.Int64
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	c.next.ServeHTTP(rec, r)
	c.requests.Add(1)
	if rec.status == http.StatusTooManyRequests {
		c.s429s.Add(1)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }

type backfillResult struct {
	contacts, requests, s429s int64
	wall                      time.Duration
}

// rate is the achieved request rate as a fraction of the limit's rate
// (Burst per Interval).
func (r backfillResult) rate(o ghlsandbox.RateLimitOptions) float64 {
	return float64(r.requests) / r.wall.Seconds() / (float64(o.Burst) / o.Interval.Seconds())
}

func backfillRows(t *testing.T, root string) []benchreport.Row {
	// GHL's documented limits: 100 requests per 10 s, 200,000 a day.
	limits := ghlsandbox.RateLimitOptions{Burst: 100, Interval: 10 * time.Second, Daily: 200000}
	a := apptest.New(t, apptest.Options{Seed: 11, SeedContacts: backfillSize, RateLimit: &limits})
	nodeLocs, err := a.Sandbox.Seed(ghlsandbox.SeedOptions{Seed: 12, ContactsPerLocation: backfillSize,
		TasksPerContact: -1, NotesPerContact: -1, AppointmentsPerContact: -1, BusinessesPerLocation: -1})
	if err != nil {
		t.Fatal(err)
	}
	side := func(loc string) (*counter, string, string) {
		c := &counter{next: a.Sandbox}
		srv := httptest.NewServer(c)
		t.Cleanup(srv.Close)
		tok, err := a.Sandbox.IssuePrivateToken(loc)
		if err != nil {
			t.Fatal(err)
		}
		return c, srv.URL, tok
	}
	const sec = "Backfill 10,000 contacts (sandbox, GHL's real limit 100 req/10 s)"
	limitNote := fmt.Sprintf("≥ %.0f %% of the limit, 0 × 429", rateTarget*100)

	// ghlsync: the sweep runner's contacts backfill (search pages, each
	// contact delivered to the peer and linked); each side has a location,
	// and so a rate limit, of its own.
	gc, gURL, gTok := side(a.Location.ID)
	goRes, err := sweepBackfill(t, a, gURL, gTok)
	if err != nil {
		t.Fatal(err)
	}
	goRes.requests, goRes.s429s = gc.requests.Load(), gc.s429s.Load()
	goRate := goRes.rate(limits)
	rows := []benchreport.Row{
		{Section: sec, Name: "ghlsync (internal/sweep, contacts → peer): wall time, GHL requests, 429s, contacts delivered",
			Figure: fmt.Sprintf("%.1f s, %d requests, %d × 429, %d contacts, %d peer deliveries", goRes.wall.Seconds(), goRes.requests, goRes.s429s, goRes.contacts, a.Peer.Count())},
		{Section: sec, Name: "ghlsync: GHL requests for N contacts", Figure: fmt.Sprintf("%d", goRes.requests),
			Target: fmt.Sprintf("≤ ceil(N/100) + 2 = %d, 0 × 429", (backfillSize+99)/100+2),
			Status: map[bool]benchreport.Status{true: benchreport.Pass, false: benchreport.Miss}[goRes.contacts == backfillSize && goRes.s429s == 0 && goRes.requests <= (backfillSize+99)/100+2]},
		// 10,000 contacts are 101 search requests: the run is bound by the
		// 10,000 deliveries, not by GHL's limit, so this rate is shown for
		// comparison with the SDK only; the sustained-rate row below is
		// measured where requests are what waits.
		{Section: sec, Name: "ghlsync: request rate / the limit's rate (delivery-bound here)", Figure: fmt.Sprintf("%.0f %%", goRate*100)},
	}
	rows = append(rows, sustainedRows(t, limitNote)...)

	version, err := benchreport.NodeReady(root)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Node SDK comparison: %v", err)
		}
		fmt.Fprintf(os.Stderr, "\n*** make bench: SKIPPING the Node SDK comparison: %v ***\n\n", err)
		return append(rows, benchreport.Row{Section: "Official Node SDK", Name: benchreport.SDKPackage, Figure: "not run: " + err.Error(), Status: benchreport.Skip})
	}
	nc, nURL, nTok := side(nodeLocs[0].ID)
	var node struct {
		Contacts, Pages, Errors int64
		WallMs                  float64
		FirstError              string
	}
	if err := benchreport.RunNode(t.Context(), filepath.Join(root, "bench/node/backfill.mjs"),
		[]string{"GHL_BASE_URL=" + nURL, "GHL_TOKEN=" + nTok, "GHL_LOCATION_ID=" + nodeLocs[0].ID}, nil, &node); err != nil {
		t.Fatal(err)
	}
	if node.Errors > 0 {
		t.Logf("backfill.mjs: %d errors, first: %s", node.Errors, node.FirstError)
	}
	nodeRes := backfillResult{contacts: node.Contacts, requests: nc.requests.Load(), s429s: nc.s429s.Load(), wall: time.Duration(node.WallMs * float64(time.Millisecond))}
	nsec := "Official Node SDK " + benchreport.SDKPackage + "@" + version + " (same sandbox, same run)"
	rows = append(rows,
		benchreport.Row{Section: nsec, Name: "backfill.mjs (search pages only, no delivery): wall time, requests, 429s",
			Figure: fmt.Sprintf("%.1f s, %d requests, %d × 429, %d contacts read, %d errors", nodeRes.wall.Seconds(), nodeRes.requests, nodeRes.s429s, nodeRes.contacts, node.Errors)},
		benchreport.Row{Section: nsec, Name: "backfill.mjs: achieved request rate / the limit's rate", Figure: fmt.Sprintf("%.0f %%", nodeRes.rate(limits)*100)},
		benchreport.Row{Section: nsec, Name: "backfill: requests SDK / ghlsync, wall time SDK / ghlsync",
			Figure: fmt.Sprintf("%.2f×, %.2f×", float64(nodeRes.requests)/float64(goRes.requests), nodeRes.wall.Seconds()/goRes.wall.Seconds())},
	)
	return append(rows, verifyRows(t, root, nsec, a.Sandbox, nodeLocs[0])...)
}

// sweepBackfill runs ghlsync's backfill — the sweep runner's first run of
// the contacts stream over a's location — through the GHL client at
// baseURL, delivering every contact to a's peer.
func sweepBackfill(t *testing.T, a *apptest.App, baseURL, token string) (backfillResult, error) {
	st, ok := a.Store.(*memstore.Store)
	if !ok {
		t.Fatal("the backfill app must be on memstore")
	}
	if err := st.PutInstallation(t.Context(), store.Installation{LocationID: a.Location.ID, Status: store.InstallActive, UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	hc := oauth2.NewClient(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
	limiters := ghl.NewRateLimiters(ghl.SystemClock())
	r, err := sweep.New(sweep.Options{Store: st, Syncer: a.Syncer,
		GHL: sweep.ClientsFunc(func(ctx context.Context, loc string) (sweep.API, error) {
			c, err := ghl.NewClient(hc, ghl.WithBaseURL(baseURL), ghl.WithLocationID(loc), ghl.WithRateLimiters(limiters))
			if err != nil {
				return nil, err
			}
			return sweep.FromClient(c), nil
		})})
	if err != nil {
		return backfillResult{}, err
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	rep, err := r.Run(ctx, sweep.Input{Kind: sweep.KindSweep, Stream: sweep.Contacts, LocationID: a.Location.ID})
	if err != nil {
		return backfillResult{}, err
	}
	tot := rep.Totals()
	if tot.Failed != 0 || tot.Error != "" {
		return backfillResult{}, fmt.Errorf("sweep: %+v", tot)
	}
	return backfillResult{contacts: int64(tot.Delivered), wall: time.Since(start)}, nil
}

// verifyCase is one signed payload both verifiers judge.
type verifyCase struct {
	Name      string `json:"name"`
	Body      string `json:"body"` // base64
	Signature string `json:"signature"`
	genuine   bool
	header    http.Header
	raw       []byte
}

func verifyRows(t *testing.T, root, sec string, sb *ghlsandbox.Sandbox, loc ghlsandbox.LocationInfo) []benchreport.Row {
	keys, err := sb.PublicKeysPEM()
	if err != nil {
		t.Fatal(err)
	}
	// A genuine webhook as the sandbox signs it.
	got := make(chan struct {
		h http.Header
		b []byte
	}, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(r.Body)
		got <- struct {
			h http.Header
			b []byte
		}{r.Header.Clone(), buf.Bytes()}
	}))
	defer recv.Close()
	sb.SetWebhookURL(ghlsandbox.DomainContacts, recv.URL)
	if _, err := sb.CreateContact(loc.ID, ghlsandbox.Contact{Email: "verify@example.com", FirstName: "Vera"}); err != nil {
		t.Fatal(err)
	}
	hook := <-got
	sb.SetWebhookURL(ghlsandbox.DomainContacts, "")
	sig := hook.h.Get("X-GHL-Signature")
	var m map[string]any
	if err := json.Unmarshal(hook.b, &m); err != nil {
		t.Fatal(err)
	}
	appID, _ := m["appId"].(string)
	reser, _ := json.MarshalIndent(m, "", "  ")
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	tamperedApp := bytes.Replace(hook.b, []byte(`"appId":"`+appID+`"`), []byte(`"appId":"forged-app"`), 1)
	cases := []verifyCase{
		{Name: "genuine", raw: hook.b, Signature: sig, genuine: true},
		{Name: "tampered body (email changed)", raw: bytes.Replace(hook.b, []byte("verify@example.com"), []byte("attacker@example.com"), 1), Signature: sig},
		{Name: "tampered body (appId changed)", raw: tamperedApp, Signature: sig},
		{Name: "re-serialised JSON (same content)", raw: reser, Signature: sig},
		{Name: "wrong key", raw: hook.b, Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(otherKey, hook.b))},
		{Name: "truncated signature", raw: hook.b, Signature: sig[:len(sig)/2]},
		{Name: "missing signature", raw: hook.b},
	}
	ours, err := webhook.NewGHLVerifier(webhook.GHLKeys{Ed25519PEM: keys.Ed25519})
	if err != nil {
		t.Fatal(err)
	}
	ours.Window = apptest.Window
	for i := range cases {
		cases[i].Body = base64.StdEncoding.EncodeToString(cases[i].raw)
		cases[i].header = http.Header{}
		if cases[i].Signature != "" {
			cases[i].header.Set("X-GHL-Signature", cases[i].Signature)
		}
	}
	in, _ := json.Marshal(cases)
	var sdk []struct{ Name, Direct, Middleware string }
	if err := benchreport.RunNode(t.Context(), filepath.Join(root, "bench/node/verify.mjs"),
		[]string{"WEBHOOK_SIGNATURE_PUBLIC_KEY=" + string(keys.Ed25519), "GHL_APP_ID=" + appID}, in, &sdk); err != nil {
		t.Fatal(err)
	}
	if len(sdk) != len(cases) {
		t.Fatalf("verify.mjs judged %d cases, want %d", len(sdk), len(cases))
	}
	var rows []benchreport.Row
	for i, c := range cases {
		err := ours.Verify(c.header, c.raw)
		verdict := "accept"
		if err != nil {
			verdict = "reject"
		}
		want := map[bool]string{true: "accept", false: "reject"}[c.genuine]
		rows = append(rows, benchreport.Row{Section: sec, Name: "webhook " + c.Name + ": ghlsync / SDK verifyEd25519Signature / SDK middleware (README handler)",
			Figure: verdict + " / " + sdk[i].Direct + " / " + sdk[i].Middleware, Target: "ghlsync: " + want,
			Status: map[bool]benchreport.Status{true: benchreport.Pass, false: benchreport.Miss}[verdict == want]})
		if errors.Is(err, webhook.ErrTimestamp) {
			t.Errorf("%s: our verifier judged the timestamp, not the signature: %v", c.Name, err)
		}
	}
	return rows
}

func goVersion() string { return strings.TrimPrefix(runtimeVersion(), "go") }

// sustainedRows reads the sweep benchmarks make bench appends to
// BENCH_TXT: the request rate of a full backfill (contacts with their
// notes and appointments: two GHL requests per contact, so the limit is
// what waits) and the 10,000-contact backfill's request count, both on the
// sandbox's scaled clock with GHL's real limit.
func sustainedRows(t *testing.T, limitNote string) []benchreport.Row {
	const sec = "Sweeps with work waiting (internal/sweep benchmarks, scaled clock, GHL's real limit)"
	path := os.Getenv("BENCH_TXT")
	if path == "" {
		return []benchreport.Row{{Section: sec, Name: "BenchmarkSustainedRate", Figure: "not run: BENCH_TXT unset (make bench sets it)", Status: benchreport.Skip}}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := benchreport.ParseBench(f)
	if err != nil {
		t.Fatal(err)
	}
	med, _ := benchreport.Medians(rs)
	rate, ok := med["BenchmarkSustainedRate"]
	if !ok {
		t.Fatalf("%s: no BenchmarkSustainedRate result", path)
	}
	frac, tooMany := rate["fraction-of-burst-limit"], rate["429s"]
	rows := []benchreport.Row{{Section: sec, Name: "sustained request rate / the burst limit, 429s (median of 3)",
		Figure: fmt.Sprintf("%.0f %%, %.0f × 429 over %.0f requests", frac*100, tooMany, rate["ghl-requests"]), Target: limitNote,
		Status: map[bool]benchreport.Status{true: benchreport.Pass, false: benchreport.Miss}[frac >= rateTarget && tooMany == 0]}}
	if bf, ok := med["BenchmarkContactBackfill"]; ok {
		var parts []string
		for _, k := range []string{"ghl-requests/backfill", "ghl-requests-over-ceil(N/100)", "429s/backfill"} {
			if v, ok := bf[k]; ok {
				parts = append(parts, fmt.Sprintf("%s %.0f", k, v))
			}
		}
		rows = append(rows, benchreport.Row{Section: sec, Name: "contact backfill of 10,000 (median of 3)", Figure: strings.Join(parts, ", ")})
	}
	return rows
}
