package ghlspec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// SpecFiles lists the v2 app specs the validator loads, relative to the apps folder.
var SpecFiles = []string{"contacts.json", "calendars.json", "oauth.json", "locations.json", "businesses.json"}

// specHost is the host every spec declares in servers[0]; requests are
// rewritten to it before routing so that test servers on loopback match.
const specHost = "services.leadconnectorhq.com"

// ErrNoRoute reports a request whose method and path no loaded spec defines.
var ErrNoRoute = errors.New("ghlspec: no operation in the GHL specs matches the request")

// Validator checks requests and responses against the loaded GHL specs.
// It is safe for concurrent use once loaded.
type Validator struct {
	docs    []*openapi3.T
	routers []routers.Router
}

// Route is a matched operation of the spec.
type Route struct {
	// OperationID is the spec's operationId, e.g. "get-contact".
	OperationID string
	// Spec is the file name the operation comes from, e.g. "contacts.json".
	Spec string

	route  *routers.Route
	params map[string]string
}

// Load reads every file of SpecFiles from appsDir, applies the documented
// allow-list (allowlist.go) and builds a router per spec.
func Load(appsDir string) (*Validator, error) {
	v := &Validator{}
	for _, name := range SpecFiles {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = true
		doc, err := loader.LoadFromFile(filepath.Join(appsDir, name))
		if err != nil {
			return nil, fmt.Errorf("ghlspec: load %s: %w", name, err)
		}
		if err := applyAllowList(name, doc, appsDir); err != nil {
			return nil, fmt.Errorf("ghlspec: allow-list for %s: %w", name, err)
		}
		doc.Extensions = map[string]any{"x-ghlsync-file": name}
		r, err := gorillamux.NewRouter(doc)
		if err != nil {
			return nil, fmt.Errorf("ghlspec: router for %s: %w", name, err)
		}
		v.docs = append(v.docs, doc)
		v.routers = append(v.routers, r)
	}
	return v, nil
}

// FindRoute matches r against the loaded specs.
func (v *Validator) FindRoute(r *http.Request) (*Route, error) {
	u := *r.URL
	u.Scheme, u.Host = "https", specHost
	probe := r.Clone(context.Background())
	probe.URL = &u
	probe.Host = specHost
	for i, router := range v.routers {
		route, params, err := router.FindRoute(probe)
		if err != nil {
			continue
		}
		return &Route{
			OperationID: route.Operation.OperationID,
			Spec:        SpecFiles[i],
			route:       route,
			params:      params,
		}, nil
	}
	return nil, fmt.Errorf("%w: %s %s", ErrNoRoute, r.Method, r.URL.Path)
}

func (v *Validator) filterOptions() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:         true,
		AuthenticationFunc: checkBearer,
	}
}

// checkBearer accepts any non-empty bearer token: the specs declare bearer
// security on every operation except the token endpoint.
func checkBearer(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return errors.New("missing or malformed Authorization: Bearer header")
	}
	return nil
}

// ValidateRequest checks method, path, parameters, headers (Version,
// Authorization) and body of r against the spec. body is the exact request
// body (r.Body is not read). It returns the matched operation.
func (v *Validator) ValidateRequest(ctx context.Context, r *http.Request, body []byte) (*Route, error) {
	rt, err := v.FindRoute(r)
	if err != nil {
		return nil, err
	}
	in := v.requestInput(r, body, rt)
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return rt, fmt.Errorf("ghlspec: request %s (%s) violates the spec: %w", rt.OperationID, rt.Spec, err)
	}
	if err := checkAllowListRequest(rt, body); err != nil {
		return rt, fmt.Errorf("ghlspec: request %s (%s): %w", rt.OperationID, rt.Spec, err)
	}
	return rt, nil
}

func (v *Validator) requestInput(r *http.Request, body []byte, rt *Route) *openapi3filter.RequestValidationInput {
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	u := *r.URL
	u.Scheme, u.Host = "https", specHost
	req.URL = &u
	return &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: rt.params,
		Route:      rt.route,
		Options:    v.filterOptions(),
	}
}

// ValidateResponse checks a response to r against the operation's declared
// response for status. Statuses the spec does not declare (GHL documents
// no 404, 429 or 5xx bodies for v2) are checked against the common error
// envelope instead (see allowlist.go).
func (v *Validator) ValidateResponse(ctx context.Context, r *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	rt, err := v.FindRoute(r)
	if err != nil {
		return err
	}
	op := rt.route.Operation
	if op.Responses.Status(status) == nil && op.Responses.Default() == nil {
		if err := checkUndocumentedStatus(status, header, body); err != nil {
			return fmt.Errorf("ghlspec: response %d to %s: %w", status, rt.OperationID, err)
		}
		return nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: v.requestInput(r, reqBody, rt),
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                v.filterOptions(),
	}
	if err := openapi3filter.ValidateResponse(ctx, in); err != nil {
		return fmt.Errorf("ghlspec: response %d to %s (%s) violates the spec: %w", status, rt.OperationID, rt.Spec, err)
	}
	return nil
}

// Operations lists every operation id of the loaded specs, keyed by spec file.
func (v *Validator) Operations() map[string][]string {
	out := map[string][]string{}
	for i, doc := range v.docs {
		for _, item := range doc.Paths.Map() {
			for _, op := range item.Operations() {
				out[SpecFiles[i]] = append(out[SpecFiles[i]], op.OperationID)
			}
		}
	}
	return out
}
