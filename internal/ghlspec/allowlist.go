package ghlspec

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The allow-list: every place where this package deliberately departs from
// the published specs, with the evidence (see ../shared/ghl-api/README.md and
// NOTES.md, sections named below). Each entry makes validation stricter or
// fills a gap; none silences a real mismatch.
//
//  1. POST /contacts/search (search-contacts-advanced): the request body
//     schema SearchBodyV2DTO is empty in every official spec (NOTES §4.2,
//     §8.1). Replaced with the shape maintainers confirmed in
//     highlevel-api-docs issues #31, #289, #42: locationId and pageLimit
//     required (422 otherwise), pageLimit at most 100, plus page, query,
//     filters, sort and searchAfter.
//  2. POST /contacts/search response: the current spec declares no schema
//     for 200. The first public spec (history/contacts.2025-05-04.be089e5.json)
//     defines SearchContactSuccessResponseDto {contacts[], total}, with a
//     searchAfter cursor on each contact; it is attached here (NOTES §4.2).
//  3. GET /contacts/ (get-contacts): ContactsMetaSchema is defined but not
//     attached to the response (NOTES §4.2, §8.2); real responses carry it
//     as "meta". It is attached as an optional "meta" property.
//  4. Unknown request body properties: the specs do not say
//     additionalProperties: false, but GHL answers 422 "property x should
//     not exist" (NOTES §4.1, issues #313, #262). checkAllowListRequest
//     rejects top-level body properties the schema does not declare.
//  5. Statuses the v2 specs do not document (404, 429, 5xx; NOTES §6.2) are
//     checked against the common error envelope {statusCode, message} where a
//     JSON body is present; 429 may have an empty body (undocumented).

func applyAllowList(name string, doc *openapi3.T, appsDir string) error {
	if name != "contacts.json" {
		return applyAllowListSandbox(name, doc) // entries C1, L1: allowlist_sandbox.go
	}
	// 1. search request body.
	search := doc.Paths.Find("/contacts/search")
	if search == nil || search.Post == nil {
		return errors.New("POST /contacts/search missing from spec")
	}
	one, hundred := float64(1), float64(100)
	body := openapi3.NewObjectSchema().
		WithProperty("locationId", openapi3.NewStringSchema().WithMinLength(1)).
		WithProperty("pageLimit", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeInteger}, Min: &one, Max: &hundred}).
		WithProperty("page", openapi3.NewIntegerSchema()).
		WithProperty("query", openapi3.NewStringSchema()).
		WithProperty("filters", openapi3.NewArraySchema().WithItems(openapi3.NewObjectSchema())).
		WithProperty("sort", openapi3.NewArraySchema().WithItems(
			openapi3.NewObjectSchema().
				WithProperty("field", openapi3.NewStringSchema()).
				WithProperty("direction", func() *openapi3.Schema { s := openapi3.NewStringSchema(); s.Enum = []any{"asc", "desc"}; return s }()))).
		WithProperty("searchAfter", openapi3.NewArraySchema())
	body.Required = []string{"locationId", "pageLimit"}
	search.Post.RequestBody.Value.Content["application/json"].Schema = openapi3.NewSchemaRef("", body)

	// 2. search response from the first public spec.
	loader := openapi3.NewLoader()
	hist, err := loader.LoadFromFile(filepath.Join(appsDir, "..", "history", "contacts.2025-05-04.be089e5.json"))
	if err != nil {
		return fmt.Errorf("load history spec: %w", err)
	}
	resp := hist.Components.Schemas["SearchContactSuccessResponseDto"]
	if resp == nil {
		return errors.New("history spec lacks SearchContactSuccessResponseDto")
	}
	ok := search.Post.Responses.Status(http.StatusOK)
	ok.Value.Content = openapi3.NewContentWithJSONSchemaRef(resp)

	// 3. meta on the deprecated list.
	list := doc.Components.Schemas["ContactsSearchSuccessfulResponseDto"]
	meta := doc.Components.Schemas["ContactsMetaSchema"]
	if list == nil || meta == nil {
		return errors.New("ContactsSearchSuccessfulResponseDto or ContactsMetaSchema missing")
	}
	list.Value.Properties["meta"] = meta

	// 6. dateOfBirth is a date string.
	for _, dto := range []string{"CreateContactDto", "UpdateContactDto", "UpsertContactDto"} {
		s := doc.Components.Schemas[dto]
		if s == nil || s.Value.Properties["dateOfBirth"] == nil {
			return fmt.Errorf("%s.dateOfBirth missing", dto)
		}
		dob := openapi3.NewStringSchema()
		dob.Nullable = true
		dob.Description = s.Value.Properties["dateOfBirth"].Value.Description
		s.Value.Properties["dateOfBirth"] = openapi3.NewSchemaRef("", dob)
	}

	// 7. searchAfter is [number, string].
	contact := hist.Components.Schemas["Contact"]
	if contact == nil || contact.Value.Properties["searchAfter"] == nil {
		return errors.New("history spec lacks Contact.searchAfter")
	}
	item := &openapi3.Schema{OneOf: openapi3.SchemaRefs{
		openapi3.NewSchemaRef("", openapi3.NewStringSchema()),
		openapi3.NewSchemaRef("", openapi3.NewFloat64Schema()),
	}}
	contact.Value.Properties["searchAfter"] = openapi3.NewSchemaRef("", openapi3.NewArraySchema().WithItems(item))
	return nil
}

// checkAllowListRequest applies entry 4: top-level JSON body properties must
// be declared by the operation's request schema.
func checkAllowListRequest(rt *Route, body []byte) error {
	rb := rt.route.Operation.RequestBody
	if rb == nil || rb.Value == nil || len(body) == 0 {
		return nil
	}
	mt := rb.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil || len(mt.Schema.Value.Properties) == 0 {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		return nil // not an object: the schema check already reported it
	}
	var unknown []string
	for k := range obj {
		if _, ok := mt.Schema.Value.Properties[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		msgs := make([]string, len(unknown))
		for i, k := range unknown {
			msgs[i] = "property " + k + " should not exist"
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// errorEnvelope is the body shape GHL uses for every error (NOTES §6.2).
type errorEnvelope struct {
	StatusCode *int            `json:"statusCode"`
	Message    json.RawMessage `json:"message"`
}

// checkUndocumentedStatus applies entry 5.
func checkUndocumentedStatus(status int, header http.Header, body []byte) error {
	if status < 400 {
		return fmt.Errorf("success status %d is not declared by the spec", status)
	}
	if len(body) == 0 {
		if status == http.StatusTooManyRequests {
			return nil
		}
		return errors.New("empty error body")
	}
	if !strings.HasPrefix(header.Get("Content-Type"), "application/json") {
		return fmt.Errorf("error body content type %q, want application/json", header.Get("Content-Type"))
	}
	var env errorEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("error body is not a JSON object: %w", err)
	}
	if env.StatusCode == nil || *env.StatusCode != status {
		return fmt.Errorf("error body statusCode must equal %d", status)
	}
	var s string
	var arr []string
	if json.Unmarshal(env.Message, &s) != nil && json.Unmarshal(env.Message, &arr) != nil {
		return errors.New("error body message must be a string or an array of strings")
	}
	return nil
}
