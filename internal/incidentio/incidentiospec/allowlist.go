package incidentiospec

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// The allow-list: where this package departs from, or adds to, the
// published spec, with the evidence. Each entry makes validation stricter
// or fills a gap; none silences a real mismatch.
//
//  1. Error responses. The spec declares only success responses; the
//     error body is documented in info.description ("Errors", "Exceeding a
//     rate limit"): JSON {type, status, request_id, errors[{code, message,
//     source{field}}]}, status equal to the HTTP status, and on 429 a
//     Retry-After header in whole seconds plus a rate_limit object
//     {name, limit, remaining, retry_after (RFC 3339)}. checkErrorBody
//     enforces exactly that.
//  2. Object-typed query parameters (GET /v2/incidents custom_field,
//     status_category, created_at, ...). The spec gives them no style, which
//     in OpenAPI means form/explode and cannot express the nesting the
//     parameter descriptions ask for ("Custom field ID should be sent,
//     followed by the operator and values"; the example
//     {"<field id>": {"one_of": [...]}}). incident.io's own clients send
//     them in bracket notation (custom_field[<id>][one_of]=<value>,
//     status_category[one_of]=live). applyAllowList removes these
//     parameters from kin-openapi's form decoding and checkDeepQuery
//     validates the bracket form against each parameter's schema: the right
//     depth, a declared parameter name, and string values.

// deepParams records, per operation, the object-typed query parameters
// moved out of kin-openapi's validation by applyAllowList (entry 2).
var deepParams = map[string]map[string]*openapi3.Schema{}

func applyAllowList(doc *openapi3.T) error {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			var keep openapi3.Parameters
			for _, p := range op.Parameters {
				if p.Value != nil && p.Value.In == openapi3.ParameterInQuery && p.Value.Schema != nil &&
					p.Value.Schema.Value != nil && p.Value.Schema.Value.Type.Is(openapi3.TypeObject) {
					if deepParams[op.OperationID] == nil {
						deepParams[op.OperationID] = map[string]*openapi3.Schema{}
					}
					deepParams[op.OperationID][p.Value.Name] = p.Value.Schema.Value
					continue
				}
				keep = append(keep, p)
			}
			op.Parameters = keep
		}
	}
	if len(deepParams["Incidents V2#List"]) == 0 || deepParams["Incidents V2#List"]["custom_field"] == nil {
		return errors.New("GET /v2/incidents custom_field parameter missing")
	}
	return nil
}

// checkDeepQuery applies entry 2 to the query of a request routed to rt.
func checkDeepQuery(rt *Route, q url.Values) error {
	params := deepParams[rt.OperationID]
	for key, vals := range q {
		base, rest, ok := strings.Cut(key, "[")
		if !ok {
			if _, isDeep := params[key]; isDeep {
				return fmt.Errorf("query %s: an object parameter must use bracket notation (%s[...])", key, key)
			}
			continue
		}
		schema, ok := params[base]
		if !ok {
			return fmt.Errorf("query %s: %s is not an object parameter of the operation", key, base)
		}
		var path []string
		for rest != "" {
			seg, after, ok := strings.Cut(rest, "]")
			if !ok || seg == "" {
				return fmt.Errorf("query %s: malformed bracket notation", key)
			}
			path = append(path, seg)
			rest = strings.TrimPrefix(after, "[")
			if after != "" && !strings.HasPrefix(after, "[") {
				return fmt.Errorf("query %s: malformed bracket notation", key)
			}
		}
		// Walk the schema: each segment is a property or an
		// additionalProperties key; the leaf must be an array of strings
		// (the values) or a string.
		s := schema
		for i, seg := range path {
			switch {
			case s.Properties[seg] != nil:
				s = s.Properties[seg].Value
			case s.AdditionalProperties.Schema != nil:
				s = s.AdditionalProperties.Schema.Value
			default:
				return fmt.Errorf("query %s: %q (segment %d) is not allowed by the schema", key, seg, i+1)
			}
		}
		switch {
		case s.Type.Is(openapi3.TypeArray) && s.Items != nil && s.Items.Value.Type.Is(openapi3.TypeString):
		case s.Type.Is(openapi3.TypeString):
			if len(vals) > 1 {
				return fmt.Errorf("query %s: one value expected", key)
			}
		default:
			return fmt.Errorf("query %s: too few segments for the parameter's schema", key)
		}
		for _, v := range vals {
			if v == "" {
				return fmt.Errorf("query %s: empty value", key)
			}
		}
	}
	return nil
}

// errorBody is the documented error envelope (entry 1).
type errorBody struct {
	Type      *string `json:"type"`
	Status    *int    `json:"status"`
	RequestID *string `json:"request_id"`
	Errors    *[]struct {
		Code    *string `json:"code"`
		Message *string `json:"message"`
		Source  *struct {
			Field *string `json:"field"`
		} `json:"source"`
	} `json:"errors"`
	RateLimit *struct {
		Name       *string `json:"name"`
		Limit      *int    `json:"limit"`
		Remaining  *int    `json:"remaining"`
		RetryAfter *string `json:"retry_after"`
	} `json:"rate_limit"`
}

func checkErrorBody(status int, header http.Header, body []byte) error {
	if !strings.HasPrefix(header.Get("Content-Type"), "application/json") {
		return fmt.Errorf("error body content type %q, want application/json", header.Get("Content-Type"))
	}
	var e errorBody
	if err := json.Unmarshal(body, &e); err != nil {
		return fmt.Errorf("error body is not the documented JSON object: %w", err)
	}
	var problems []string
	if e.Type == nil || *e.Type == "" {
		problems = append(problems, "type is required")
	}
	if e.Status == nil || *e.Status != status {
		problems = append(problems, fmt.Sprintf("status must equal %d", status))
	}
	if e.RequestID == nil || *e.RequestID == "" {
		problems = append(problems, "request_id is required")
	}
	if e.Errors == nil {
		problems = append(problems, "errors is required")
	} else {
		for i, d := range *e.Errors {
			if d.Code == nil || d.Message == nil {
				problems = append(problems, fmt.Sprintf("errors[%d] needs code and message", i))
			}
		}
	}
	if status == http.StatusTooManyRequests {
		if n, err := strconv.Atoi(header.Get("Retry-After")); err != nil || n < 0 {
			problems = append(problems, "a 429 needs Retry-After in whole seconds")
		}
		if e.RateLimit == nil || e.RateLimit.Limit == nil || e.RateLimit.Remaining == nil || e.RateLimit.RetryAfter == nil {
			problems = append(problems, "a 429 needs rate_limit{name, limit, remaining, retry_after}")
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

func errNoExample(op string, status int) error {
	return fmt.Errorf("incidentiospec: %s has no example for %d", op, status)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
