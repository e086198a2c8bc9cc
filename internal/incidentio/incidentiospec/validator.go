package incidentiospec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// ErrNoRoute reports a request whose method and path the spec does not define.
var ErrNoRoute = errors.New("incidentiospec: no operation of the incident.io spec matches the request")

// ErrUnknownWebhook reports an event type the spec's x-webhooks section
// does not list.
var ErrUnknownWebhook = errors.New("incidentiospec: event type not in x-webhooks")

// Validator checks requests, responses and webhook payloads against the
// incident.io spec. It is safe for concurrent use once loaded.
type Validator struct {
	doc      *openapi3.T
	router   routers.Router
	host     string
	webhooks map[string]webhookDef
}

type webhookDef struct {
	example json.RawMessage
	schema  string // components.schemas name
}

// Route is a matched operation of the spec.
type Route struct {
	// OperationID is the spec's operationId, e.g. "Catalog V3#CreateEntry".
	OperationID string
	// Method and Path are the operation's method and path template.
	Method, Path string

	route  *routers.Route
	params map[string]string
}

var shared = sync.OnceValues(func() (*Validator, error) {
	f, err := SpecFile()
	if err != nil {
		return nil, err
	}
	return Load(f)
})

// Shared returns the validator of the spec found by SpecFile, loaded once
// per process (the file is 4 MB).
func Shared() (*Validator, error) { return shared() }

// Load reads the spec at path, applies the documented allow-list
// (allowlist.go) and builds a router.
func Load(path string) (*Validator, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("incidentiospec: %w", err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("incidentiospec: load %s: %w", path, err)
	}
	if err := applyAllowList(doc); err != nil {
		return nil, fmt.Errorf("incidentiospec: allow-list: %w", err)
	}
	if len(doc.Servers) == 0 {
		return nil, errors.New("incidentiospec: the spec declares no server")
	}
	su, err := url.Parse(doc.Servers[0].URL)
	if err != nil || su.Host == "" {
		return nil, fmt.Errorf("incidentiospec: server URL %q is not absolute", doc.Servers[0].URL)
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("incidentiospec: router: %w", err)
	}
	v := &Validator{doc: doc, router: r, host: su.Host}
	if v.webhooks, err = parseWebhooks(raw); err != nil {
		return nil, err
	}
	return v, nil
}

// parseWebhooks reads the x-webhooks section: per event type, the example
// payload and the schema it references.
func parseWebhooks(raw []byte) (map[string]webhookDef, error) {
	var top struct {
		Webhooks map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Example json.RawMessage `json:"example"`
					Schema  struct {
						Ref string `json:"$ref"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"x-webhooks"`
	}
	if err := json.Unmarshal(raw, &top); err != nil {
		return nil, fmt.Errorf("incidentiospec: x-webhooks: %w", err)
	}
	out := map[string]webhookDef{}
	for key, ops := range top.Webhooks {
		name, ok := strings.CutPrefix(key, "/x-webhooks/")
		if !ok {
			continue // audit-log events
		}
		for _, op := range ops {
			c, ok := op.Responses["200"].Content["application/json"]
			if !ok || len(c.Example) == 0 {
				return nil, fmt.Errorf("incidentiospec: x-webhooks %s has no JSON example", name)
			}
			out[name] = webhookDef{example: c.Example, schema: strings.TrimPrefix(c.Schema.Ref, "#/components/schemas/")}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("incidentiospec: x-webhooks section is empty")
	}
	return out, nil
}

// FindRoute matches r against the spec.
func (v *Validator) FindRoute(r *http.Request) (*Route, error) {
	probe := v.probe(r, nil)
	route, params, err := v.router.FindRoute(probe)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s", ErrNoRoute, r.Method, r.URL.Path)
	}
	return &Route{OperationID: route.Operation.OperationID, Method: route.Method, Path: route.Path, route: route, params: params}, nil
}

// probe clones r onto the spec's host with body as its body.
func (v *Validator) probe(r *http.Request, body []byte) *http.Request {
	req := r.Clone(context.Background())
	u := *r.URL
	u.Scheme, u.Host = "https", v.host
	req.URL = &u
	req.Host = v.host
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	return req
}

func (v *Validator) options() *openapi3filter.Options {
	return &openapi3filter.Options{MultiError: true, AuthenticationFunc: checkBearer}
}

// checkBearer accepts any non-empty bearer token. The spec declares no
// security scheme; info.description requires "Authorization: Bearer <key>"
// on every request.
func checkBearer(context.Context, *openapi3filter.AuthenticationInput) error { return nil }

func bearerPresent(r *http.Request) error {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return errors.New("missing or malformed Authorization: Bearer header")
	}
	return nil
}

// ValidateRequest checks method, path, parameters, the bearer header and
// body of r against the spec. body is the exact request body (r.Body is not
// read). It returns the matched operation.
func (v *Validator) ValidateRequest(ctx context.Context, r *http.Request, body []byte) (*Route, error) {
	rt, err := v.FindRoute(r)
	if err != nil {
		return nil, err
	}
	if err := bearerPresent(r); err != nil {
		return rt, fmt.Errorf("incidentiospec: request %s: %w", rt.OperationID, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: v.probe(r, body), PathParams: rt.params, Route: rt.route, Options: v.options()}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return rt, fmt.Errorf("incidentiospec: request %s violates the spec: %w", rt.OperationID, err)
	}
	if err := checkDeepQuery(rt, r.URL.Query()); err != nil {
		return rt, fmt.Errorf("incidentiospec: request %s: %w", rt.OperationID, err)
	}
	return rt, nil
}

// ValidateResponse checks a response to r against the operation's declared
// response for status. Error statuses, which the spec documents only in
// info.description, are checked against the error envelope (allowlist.go).
func (v *Validator) ValidateResponse(ctx context.Context, r *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	rt, err := v.FindRoute(r)
	if err != nil {
		return err
	}
	if status >= 400 {
		if err := checkErrorBody(status, header, body); err != nil {
			return fmt.Errorf("incidentiospec: response %d to %s: %w", status, rt.OperationID, err)
		}
		return nil
	}
	if rt.route.Operation.Responses.Status(status) == nil {
		return fmt.Errorf("incidentiospec: response %d to %s: status not declared by the spec", status, rt.OperationID)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: v.probe(r, reqBody), PathParams: rt.params, Route: rt.route, Options: v.options()},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                v.options(),
	}
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		return fmt.Errorf("incidentiospec: response %d to %s violates the spec: %w", status, rt.OperationID, err)
	}
	return nil
}

// Operations lists every operation of the spec as "METHOD /path".
func (v *Validator) Operations() []string {
	var out []string
	for path, item := range v.doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	sort.Strings(out)
	return out
}

// WebhookEventTypes lists the event types of the x-webhooks section.
func (v *Validator) WebhookEventTypes() []string {
	out := make([]string, 0, len(v.webhooks))
	for k := range v.webhooks {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// WebhookExample returns a copy of the spec's example payload of eventType.
func (v *Validator) WebhookExample(eventType string) ([]byte, error) {
	d, ok := v.webhooks[eventType]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownWebhook, eventType)
	}
	return bytes.Clone(d.example), nil
}

// ValidateWebhook checks a webhook payload against the schema of its
// event_type.
func (v *Validator) ValidateWebhook(body []byte) error {
	var env struct {
		EventType string `json:"event_type"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("incidentiospec: webhook body: %w", err)
	}
	d, ok := v.webhooks[env.EventType]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownWebhook, env.EventType)
	}
	ref := v.doc.Components.Schemas[d.schema]
	if ref == nil || ref.Value == nil {
		return fmt.Errorf("incidentiospec: schema %s of %s missing", d.schema, env.EventType)
	}
	var val any
	if err := json.Unmarshal(body, &val); err != nil {
		return fmt.Errorf("incidentiospec: webhook body: %w", err)
	}
	if err := ref.Value.VisitJSON(val, openapi3.MultiErrors()); err != nil {
		return fmt.Errorf("incidentiospec: webhook %s violates %s: %w", env.EventType, d.schema, err)
	}
	return nil
}

// Schema returns a component schema by name, for tests that validate a
// fragment (an incident, a catalog entry).
func (v *Validator) Schema(name string) (*openapi3.Schema, error) {
	ref := v.doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("incidentiospec: no schema %s", name)
	}
	return ref.Value, nil
}
