package incidentio_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/incidentio"
	"github.com/ghlsync/ghlsync/internal/incidentio/incidentiospec"
)

// methodCase is one client method: the request it must send and a check
// of what it decoded from the spec's example response.
type methodCase struct {
	name     string
	method   string
	path     string // escaped path the request must have
	query    map[string][]string
	body     string // JSON the request must carry ("" for none)
	status   int    // success status of the operation
	call     func(ctx context.Context, c *incidentio.Client) (any, error)
	validate func(t *testing.T, got any)
}

func methodCases() []methodCase {
	ptr := func(b bool) *bool { return &b }
	return []methodCase{
		{name: "CatalogTypes.List", method: "GET", path: "/v3/catalog_types", status: 200,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.CatalogTypes.List(ctx)
				return v, err
			},
			validate: func(t *testing.T, got any) {
				ts := got.([]incidentio.CatalogType)
				if len(ts) == 0 || ts[0].ID == "" || len(ts[0].Schema.Attributes) == 0 {
					t.Errorf("decoded %+v", ts)
				}
			}},
		{name: "CatalogTypes.Create", method: "POST", path: "/v3/catalog_types", status: 201,
			body: `{"name":"GHL Contact","description":"Contacts","type_name":"Custom[\"GhlContact\"]","icon":"user","use_name_as_identifier":false}`,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.CatalogTypes.Create(ctx, &incidentio.CreateCatalogTypeRequest{Name: "GHL Contact", Description: "Contacts",
					TypeName: `Custom["GhlContact"]`, Icon: "user", UseNameAsIdentifier: ptr(false)})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if ct := got.(*incidentio.CatalogType); ct.ID == "" || ct.TypeName == "" {
					t.Errorf("decoded %+v", ct)
				}
			}},
		{name: "CatalogTypes.UpdateSchema", method: "POST", path: "/v3/catalog_types/T1/actions/update_schema", status: 200,
			body: `{"version":3,"attributes":[{"name":"email","type":"String","array":false,"mode":"api"}]}`,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.CatalogTypes.UpdateSchema(ctx, "T1", &incidentio.UpdateCatalogTypeSchemaRequest{Version: 3,
					Attributes: []incidentio.CatalogTypeAttribute{{Name: "email", Type: "String", Mode: "api"}}})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if ct := got.(*incidentio.CatalogType); ct.Schema.Version == 0 {
					t.Errorf("decoded %+v", ct)
				}
			}},
		{name: "CatalogEntries.List", method: "GET", path: "/v3/catalog_entries", status: 200,
			query: map[string][]string{"catalog_type_id": {"T1"}, "page_size": {"250"}, "identifier": {"a@example.com"}},
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.CatalogEntries.List(ctx, &incidentio.ListCatalogEntriesOptions{CatalogTypeID: "T1", Identifier: "a@example.com"})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				p := got.(*incidentio.CatalogEntriesPage)
				if len(p.CatalogEntries) == 0 || p.CatalogEntries[0].ExternalID == "" || p.PaginationMeta == nil || p.CatalogType == nil {
					t.Errorf("decoded %+v", p)
				}
			}},
		{name: "CatalogEntries.Get", method: "GET", path: "/v3/catalog_entries/E1", status: 200,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.CatalogEntries.Get(ctx, "E1")
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if e := got.(*incidentio.CatalogEntry); e.ID == "" || len(e.AttributeValues) == 0 {
					t.Errorf("decoded %+v", e)
				}
			}},
		{name: "CatalogEntries.Create", method: "POST", path: "/v3/catalog_entries", status: 201,
			body: `{"catalog_type_id":"T1","name":"Ada","external_id":"c1","aliases":["ada@example.com"],"attribute_values":{"A1":{"value":{"literal":"Ada"}},"A2":{"array_value":[{"literal":"vip"}]}}}`,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.CatalogEntries.Create(ctx, &incidentio.CatalogEntryRequest{CatalogTypeID: "T1", Name: "Ada", ExternalID: "c1",
					Aliases: []string{"ada@example.com"}, AttributeValues: map[string]incidentio.CatalogAttributeSet{
						"A1": {Value: &incidentio.CatalogAttributeValue{Literal: "Ada"}},
						"A2": {ArrayValue: []incidentio.CatalogAttributeValue{{Literal: "vip"}}}}})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if e := got.(*incidentio.CatalogEntry); e.ID == "" {
					t.Errorf("decoded %+v", e)
				}
			}},
		{name: "CatalogEntries.Update", method: "PUT", path: "/v3/catalog_entries/E1", status: 200,
			body: `{"name":"Ada L","attribute_values":{},"update_attributes":["A1"]}`,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.CatalogEntries.Update(ctx, "E1", &incidentio.CatalogEntryRequest{CatalogTypeID: "T1", Name: "Ada L", UpdateAttributes: []string{"A1"}})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if e := got.(*incidentio.CatalogEntry); e.ID == "" {
					t.Errorf("decoded %+v", e)
				}
			}},
		{name: "CatalogEntries.Delete", method: "DELETE", path: "/v3/catalog_entries/E1", status: 204,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				_, err := c.CatalogEntries.Delete(ctx, "E1")
				return nil, err
			}},
		{name: "CustomFields.List", method: "GET", path: "/v2/custom_fields", status: 200,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.CustomFields.List(ctx)
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if fs := got.([]incidentio.CustomField); len(fs) == 0 || fs[0].FieldType == "" {
					t.Errorf("decoded %+v", fs)
				}
			}},
		{name: "CustomFields.Get", method: "GET", path: "/v2/custom_fields/F1", status: 200,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.CustomFields.Get(ctx, "F1")
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if f := got.(*incidentio.CustomField); f.ID == "" || f.Name == "" {
					t.Errorf("decoded %+v", f)
				}
			}},
		{name: "Incidents.List", method: "GET", path: "/v2/incidents", status: 200,
			query: map[string][]string{"page_size": {"250"}, "custom_field[F1][one_of]": {"E1", "E2"}, "status_category[one_of]": {"live"}},
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.Incidents.List(ctx, &incidentio.ListIncidentsOptions{CustomFieldOneOf: map[string][]string{"F1": {"E1", "E2"}},
					StatusCategoryOneOf: []string{"live"}})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				p := got.(*incidentio.IncidentsPage)
				if len(p.Incidents) == 0 || p.Incidents[0].Reference == "" || len(p.Incidents[0].CatalogValues("Affected Team")) == 0 {
					t.Errorf("decoded %+v", p)
				}
			}},
		{name: "Incidents.Get", method: "GET", path: "/v2/incidents/INC-123", status: 200,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.Incidents.Get(ctx, "INC-123")
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if i := got.(*incidentio.Incident); i.ID == "" || i.IncidentStatus.Name == "" || i.Creator.User == nil {
					t.Errorf("decoded %+v", i)
				}
			}},
		{name: "FollowUps.List", method: "GET", path: "/v2/follow_ups", status: 200, query: map[string][]string{"incident_id": {"I1"}},
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.FollowUps.List(ctx, "I1")
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if fs := got.([]incidentio.FollowUp); len(fs) == 0 || fs[0].Title == "" {
					t.Errorf("decoded %+v", fs)
				}
			}},
		{name: "FollowUps.Get", method: "GET", path: "/v2/follow_ups/FU1", status: 200,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.FollowUps.Get(ctx, "FU1")
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if f := got.(*incidentio.FollowUp); f.Status == "" || f.IncidentID == "" {
					t.Errorf("decoded %+v", f)
				}
			}},
		{name: "FollowUps.Update", method: "PUT", path: "/v2/follow_ups/FU1", status: 200,
			body: `{"title":"Call the customer","status":"completed","description":"Ring them"}`,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.FollowUps.Update(ctx, "FU1", &incidentio.UpdateFollowUpRequest{Title: "Call the customer", Status: "completed", Description: "Ring them"})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if f := got.(*incidentio.FollowUp); f.ID == "" {
					t.Errorf("decoded %+v", f)
				}
			}},
		{name: "Actions.List", method: "GET", path: "/v2/actions", status: 200, query: map[string][]string{"incident_id": {"I1"}},
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.Actions.List(ctx, "I1")
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if as := got.([]incidentio.Action); len(as) == 0 || as[0].Description == "" {
					t.Errorf("decoded %+v", as)
				}
			}},
		{name: "Actions.Get", method: "GET", path: "/v2/actions/A1", status: 200,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.Actions.Get(ctx, "A1")
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if a := got.(*incidentio.Action); a.Status == "" {
					t.Errorf("decoded %+v", a)
				}
			}},
		{name: "Actions.Update", method: "PUT", path: "/v2/actions/A1", status: 200,
			body: `{"description":"Restart","status":"not_doing"}`,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.Actions.Update(ctx, "A1", &incidentio.UpdateActionRequest{Description: "Restart", Status: "not_doing"})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if a := got.(*incidentio.Action); a.ID == "" {
					t.Errorf("decoded %+v", a)
				}
			}},
		{name: "IncidentUpdates.List", method: "GET", path: "/v2/incident_updates", status: 200,
			query: map[string][]string{"incident_id": {"I1"}, "page_size": {"250"}},
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.IncidentUpdates.List(ctx, &incidentio.ListIncidentUpdatesOptions{IncidentID: "I1"})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if p := got.(*incidentio.IncidentUpdatesPage); len(p.IncidentUpdates) == 0 || p.IncidentUpdates[0].Message == "" {
					t.Errorf("decoded %+v", p)
				}
			}},
		{name: "Attachments.List", method: "GET", path: "/v1/incident_attachments", status: 200,
			query: map[string][]string{"incident_id": {"I1"}, "external_id": {"ghl:note:n1"}},
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.Attachments.List(ctx, &incidentio.ListIncidentAttachmentsOptions{IncidentID: "I1", ExternalID: "ghl:note:n1"})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if as := got.([]incidentio.IncidentAttachment); len(as) == 0 || as[0].Resource.Permalink == "" {
					t.Errorf("decoded %+v", as)
				}
			}},
		{name: "Attachments.Create", method: "POST", path: "/v1/incident_attachments", status: 201,
			body: `{"incident_id":"I1","resource":{"resource_type":"arbitrary_url","url":"https://app.example/n1","title":"GHL note","emoji":"memo","external_id":"ghl:note:n1"}}`,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.Attachments.Create(ctx, &incidentio.CreateIncidentAttachmentRequest{IncidentID: "I1", Resource: incidentio.AttachmentResource{
					ResourceType: incidentio.ResourceTypeArbitraryURL, URL: "https://app.example/n1", Title: "GHL note", Emoji: "memo", ExternalID: "ghl:note:n1"}})
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if a := got.(*incidentio.IncidentAttachment); a.ID == "" {
					t.Errorf("decoded %+v", a)
				}
			}},
		{name: "Attachments.Delete", method: "DELETE", path: "/v1/incident_attachments/AT1", status: 204,
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				_, err := c.Attachments.Delete(ctx, "AT1")
				return nil, err
			}},
		{name: "Users.List", method: "GET", path: "/v2/users", status: 200, query: map[string][]string{"email": {"lisa@example.com"}, "page_size": {"1"}},
			call: func(ctx context.Context, c *incidentio.Client) (any, error) {
				v, _, err := c.Users.ByEmail(ctx, "lisa@example.com")
				return v, err
			},
			validate: func(t *testing.T, got any) {
				if u := got.(*incidentio.User); u.ID == "" || u.Email == "" {
					t.Errorf("decoded %+v", u)
				}
			}},
	}
}

func TestMethods(t *testing.T) {
	t.Parallel()
	v := validator(t)
	for _, tc := range methodCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var rec recorded
			c, chk, _ := setup(t, exampleHandler(t, v, tc.status, &rec))
			got, err := tc.call(t.Context(), c)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if rec.method != tc.method || rec.path != tc.path {
				t.Errorf("request = %s %s, want %s %s", rec.method, rec.path, tc.method, tc.path)
			}
			if rec.auth != "Bearer "+testKey {
				t.Errorf("Authorization = %q", rec.auth)
			}
			if tc.query != nil {
				if d := cmp.Diff(tc.query, rec.query); d != "" {
					t.Errorf("query (-want +got):\n%s", d)
				}
			}
			testJSONBody(t, rec.body, tc.body)
			if tc.validate != nil {
				tc.validate(t, got)
			}
			if n := len(chk.Operations()); n != 1 {
				t.Errorf("operations seen = %v, want exactly one", chk.Operations())
			}
		})
	}
}

// TestMethodErrors: every method returns the typed error of the documented
// envelope, with its type, problems and request id, and without retrying a
// 422.
func TestMethodErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range methodCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			h := errorHandler(http.StatusUnprocessableEntity, "validation_error", nil)
			c, _, _ := setup(t, func(w http.ResponseWriter, r *http.Request) { calls++; h(w, r) })
			_, err := tc.call(t.Context(), c)
			var apiErr *incidentio.Error
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *incidentio.Error", err)
			}
			want := &incidentio.Error{StatusCode: 422, Type: "validation_error", RequestID: "req-1", Method: tc.method, Path: tc.path,
				Errors: []incidentio.ErrorDetail{{Code: "is_invalid", Message: "Something is wrong", Source: &incidentio.ErrorSource{Field: "name"}}}}
			if d := cmp.Diff(want, apiErr, cmp.FilterPath(func(p cmp.Path) bool {
				n := p.Last().String()
				return n == ".Operation" || n == ".Rate"
			}, cmp.Ignore())); d != "" {
				t.Errorf("error (-want +got):\n%s", d)
			}
			if apiErr.Operation == "" || calls != 1 {
				t.Errorf("operation %q, %d calls", apiErr.Operation, calls)
			}
		})
	}
}

// TestCoveredOperations: the client's operations are exactly the ones the
// method table exercises, and each exists in the spec.
func TestCoveredOperations(t *testing.T) {
	t.Parallel()
	v := validator(t)
	specOps := v.Operations()
	var client, tested []string
	for _, e := range incidentio.Endpoints() {
		op := e.Method + " " + e.Path
		client = append(client, op)
		if !slices.Contains(specOps, op) {
			t.Errorf("client operation %s (%s) is not in the spec", op, e.Operation)
		}
	}
	seen := map[string]bool{}
	for _, tc := range methodCases() {
		req, _ := http.NewRequest(tc.method, "http://x"+tc.path, nil)
		rt, err := v.FindRoute(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !seen[rt.Method+" "+rt.Path] {
			seen[rt.Method+" "+rt.Path] = true
			tested = append(tested, rt.Method+" "+rt.Path)
		}
	}
	sort.Strings(client)
	sort.Strings(tested)
	if d := cmp.Diff(client, tested); d != "" {
		t.Errorf("operations the client calls vs. the ones tested (-client +tested):\n%s", d)
	}
	t.Logf("%d of the spec's %d operations covered", len(client), len(specOps))
}

func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	c, chk, _ := setup(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("unexpected request %s %s", r.Method, r.URL) })
	ctx := t.Context()
	calls := map[string]error{}
	_, _, calls["empty entry id"] = c.CatalogEntries.Get(ctx, "")
	_, _, calls["entry without type"] = c.CatalogEntries.Create(ctx, &incidentio.CatalogEntryRequest{Name: "x"})
	_, _, calls["list without type"] = c.CatalogEntries.List(ctx, &incidentio.ListCatalogEntriesOptions{})
	_, _, calls["follow-up without status"] = c.FollowUps.Update(ctx, "F", &incidentio.UpdateFollowUpRequest{Title: "t"})
	_, _, calls["action without description"] = c.Actions.Update(ctx, "A", &incidentio.UpdateActionRequest{Status: "completed"})
	_, _, calls["attachment without incident"] = c.Attachments.Create(ctx, &incidentio.CreateIncidentAttachmentRequest{})
	_, _, calls["type without description"] = c.CatalogTypes.Create(ctx, &incidentio.CreateCatalogTypeRequest{Name: "x"})
	_, _, calls["user without email"] = c.Users.ByEmail(ctx, "")
	for name, err := range calls {
		if !errors.Is(err, incidentio.ErrInvalidArgument) {
			t.Errorf("%s: err = %v, want ErrInvalidArgument", name, err)
		}
	}
	if len(chk.Operations()) != 0 {
		t.Errorf("requests sent: %v", chk.Operations())
	}
}

// TestSpecRejectsMalformed: the validator used by these tests does reject a
// request the API would (no page_size on catalog entries), so the method
// tests above can fail.
func TestSpecRejectsMalformed(t *testing.T) {
	t.Parallel()
	v := validator(t)
	req, _ := http.NewRequest("GET", "https://example.test/v3/catalog_entries?catalog_type_id=T1", nil)
	req.Header.Set("Authorization", "Bearer k")
	if _, err := v.ValidateRequest(t.Context(), req, nil); err == nil {
		t.Error("a catalog entries list without page_size passed validation")
	}
	req, _ = http.NewRequest("GET", "https://example.test/v2/incidents?custom_field=x", nil)
	req.Header.Set("Authorization", "Bearer k")
	if _, err := v.ValidateRequest(t.Context(), req, nil); err == nil {
		t.Error("custom_field without bracket notation passed validation")
	}
	req, _ = http.NewRequest("GET", "https://example.test/v2/incidents", nil)
	if _, err := v.ValidateRequest(t.Context(), req, nil); err == nil {
		t.Error("a request without Authorization passed validation")
	}
	if _, err := incidentiospec.Shared(); err != nil {
		t.Fatal(err)
	}
}
