package ghlsandbox_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox/sandboxtest"
	"github.com/ghlsync/ghlsync/internal/ghlspec"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// env is a sandbox served over real TCP behind the spec check, with one
// location and a full-scope Private Integration Token for it.
type env struct {
	t     *testing.T
	sb    *ghlsandbox.Sandbox
	srv   *httptest.Server
	loc   ghlsandbox.LocationInfo
	token string
}

func newEnv(t *testing.T, opts ghlsandbox.Options) *env {
	t.Helper()
	sb, err := ghlsandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	srv := httptest.NewServer(sandboxtest.SpecChecked(t, sb))
	t.Cleanup(srv.Close)
	loc, err := sb.AddLocation(ghlsandbox.LocationOptions{Name: "Test Location"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := sb.IssuePrivateToken(loc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, sb: sb, srv: srv, loc: loc, token: tok}
}

// resp is an answer of the sandbox.
type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return m
}

func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// req describes a request; zero fields take the env defaults.
type req struct {
	method, path string
	body         any // string is sent verbatim, others as JSON
	token        *string
	version      *string
	form         string
	specInvalid  bool
}

func ptr[T any](v T) *T { return &v }

func versionFor(path string) string {
	if strings.HasPrefix(path, "/calendars/") {
		return "2021-04-15"
	}
	return "2021-07-28"
}

func (e *env) do(r req) resp {
	e.t.Helper()
	return doReq(e.t, e.srv.URL, e.token, r)
}

func doReq(t *testing.T, base, token string, r req) resp {
	t.Helper()
	var body io.Reader
	ctype := ""
	switch b := r.body.(type) {
	case nil:
	case string:
		body, ctype = strings.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body, ctype = bytes.NewReader(raw), "application/json"
	}
	if r.form != "" {
		body, ctype = strings.NewReader(r.form), "application/x-www-form-urlencoded"
	}
	hr, err := http.NewRequestWithContext(t.Context(), r.method, base+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	tok := token
	if r.token != nil {
		tok = *r.token
	}
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	ver := versionFor(r.path)
	if r.version != nil {
		ver = *r.version
	}
	if ver != "" && r.path != "/oauth/token" {
		hr.Header.Set("Version", ver)
	}
	if r.specInvalid {
		hr.Header.Set(sandboxtest.HeaderSpecInvalid, "1")
	}
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: raw}
}

// mustStatus fails unless the answer has the wanted status.
func mustStatus(t *testing.T, r resp, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status = %d, want %d; body %s", r.status, want, r.body)
	}
}

// createContact creates a contact through the API and returns its id.
func (e *env) createContact(fields map[string]any) string {
	e.t.Helper()
	body := map[string]any{"locationId": e.loc.ID}
	for k, v := range fields {
		body[k] = v
	}
	r := e.do(req{method: "POST", path: "/contacts/", body: body})
	mustStatus(e.t, r, http.StatusCreated)
	var out struct {
		Contact struct {
			ID string `json:"id"`
		} `json:"contact"`
	}
	r.decode(e.t, &out)
	return out.Contact.ID
}

// schemas compiles the webhook JSON Schemas once.
var (
	schemaOnce sync.Once
	schemas    map[string]*jsonschema.Schema
	schemaErr  error
)

// fixDateType rewrites the non-standard "type": "Date" that
// AppInstall.schema.json uses (kept as published in the shared folder) into
// {"type": "string", "format": "date-time"}, in memory, before compiling.
func fixDateType(v any) {
	switch x := v.(type) {
	case map[string]any:
		if x["type"] == "Date" {
			x["type"], x["format"] = "string", "date-time"
		}
		for _, c := range x {
			fixDateType(c)
		}
	case []any:
		for _, c := range x {
			fixDateType(c)
		}
	}
}

func webhookSchema(t testing.TB, eventType string) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		dir, err := ghlspec.WebhooksDir()
		if err != nil {
			schemaErr = err
			return
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.schema.json"))
		if err != nil || len(files) == 0 {
			schemaErr = fmt.Errorf("no webhook schemas in %s: %v", dir, err)
			return
		}
		schemas = map[string]*jsonschema.Schema{}
		c := jsonschema.NewCompiler()
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				schemaErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
			if err != nil {
				schemaErr = fmt.Errorf("%s: %w", f, err)
				return
			}
			fixDateType(doc)
			name := strings.TrimSuffix(filepath.Base(f), ".schema.json")
			if err := c.AddResource(name+".json", doc); err != nil {
				schemaErr = err
				return
			}
			sch, err := c.Compile(name + ".json")
			if err != nil {
				schemaErr = fmt.Errorf("compile %s: %w", name, err)
				return
			}
			schemas[name] = sch
		}
	})
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	name := map[string]string{"INSTALL": "AppInstall", "UNINSTALL": "AppUninstall"}[eventType]
	if name == "" {
		name = eventType
	}
	sch := schemas[name]
	if sch == nil {
		t.Fatalf("no webhook schema for %s", eventType)
	}
	return sch
}

// received is one webhook delivery as the receiver saw it.
type received struct {
	body   []byte
	header http.Header
	at     time.Time
}

// receiver is a webhook endpoint that checks every body against its event
// schema and answers with the statuses of respond (then 200).
type receiver struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	got     []received
	respond []int
}

func newReceiver(t *testing.T, respond ...int) *receiver {
	rc := &receiver{t: t, respond: respond}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(body, &head); err != nil || head.Type == "" {
			t.Errorf("webhook body without type: %s", body)
		} else {
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
			if err != nil {
				t.Errorf("webhook body: %v", err)
			} else if err := webhookSchema(t, head.Type).Validate(inst); err != nil {
				t.Errorf("%s webhook violates its schema: %v\n%s", head.Type, err, body)
			}
		}
		rc.mu.Lock()
		rc.got = append(rc.got, received{body: body, header: r.Header.Clone(), at: time.Now()})
		status := http.StatusOK
		if len(rc.respond) > 0 {
			status, rc.respond = rc.respond[0], rc.respond[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// types lists the "type" of every received body, in arrival order.
func (rc *receiver) types() []string {
	var out []string
	for _, r := range rc.all() {
		var head struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(r.body, &head)
		out = append(out, head.Type)
	}
	return out
}

// hookAll points every domain at the receiver.
func (e *env) hookAll(rc *receiver) {
	for _, d := range ghlsandbox.Domains {
		e.sb.SetWebhookURL(d, rc.srv.URL+"/"+string(d))
	}
}

func (e *env) flush() {
	e.t.Helper()
	if err := e.sb.Flush(e.t.Context()); err != nil {
		e.t.Fatal(err)
	}
}
