package apigw

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBodyBytes is the default limit for a request body (256 KiB).
const MaxBodyBytes = 256 << 10

// ErrBodyTooLarge reports a request body over the limit given to Body.
var ErrBodyTooLarge = errors.New("apigw: body too large")

// Body returns the raw request body of ev, decoding base64 when API Gateway
// marked it so. A body over limit bytes is ErrBodyTooLarge.
func Body(ev events.APIGatewayV2HTTPRequest, limit int64) ([]byte, error) {
	var b []byte
	if ev.IsBase64Encoded {
		if int64(base64.StdEncoding.DecodedLen(len(ev.Body))) > limit+3 {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
		}
		d, err := base64.StdEncoding.DecodeString(ev.Body)
		if err != nil {
			return nil, fmt.Errorf("apigw: body marked base64 does not decode: %w", err)
		}
		b = d
	} else {
		b = []byte(ev.Body)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
	}
	return b, nil
}

// Header returns the request headers of ev as an http.Header (API Gateway
// lower-cases names and joins repeated values with commas).
func Header(ev events.APIGatewayV2HTTPRequest) http.Header {
	h := make(http.Header, len(ev.Headers))
	vals := make([]string, len(ev.Headers)) // one backing array for every value
	i := 0
	for k, v := range ev.Headers {
		vals[i] = v
		h[canonicalKey(k)] = vals[i : i+1 : i+1]
		i++
	}
	return h
}

// commonKeys maps the lower-cased names API Gateway delivers for the
// headers the routes read to their canonical form, so that converting them
// allocates nothing; other names go through http.CanonicalHeaderKey.
var commonKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"Accept", "Authorization", "Content-Length", "Content-Type", "Host", "User-Agent",
		"X-Amzn-Trace-Id", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Request-Id",
		"X-Ghl-Signature", "X-Wh-Signature", "Webhook-Id", "Webhook-Timestamp", "Webhook-Signature",
		"Svix-Id", "Svix-Timestamp", "Svix-Signature",
	} {
		m[strings.ToLower(k)] = k
	}
	return m
}()

func canonicalKey(k string) string {
	if c, ok := commonKeys[k]; ok {
		return c
	}
	return http.CanonicalHeaderKey(k)
}

// ErrorBody is the JSON body of every error response ghlsync sends.
type ErrorBody struct {
	Error   string `json:"error"`   // machine-readable code, e.g. "bad_signature"
	Message string `json:"message"` // what is wrong, for a person; never a secret
}

// JSON builds a JSON response.
func JSON(status int, v any) events.APIGatewayV2HTTPResponse {
	b, err := json.Marshal(v)
	if err != nil {
		return Error(http.StatusInternalServerError, "encode_failed", "response could not be encoded")
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}

// Error builds a JSON error response {"error": code, "message": msg}.
func Error(status int, code, msg string) events.APIGatewayV2HTTPResponse {
	b, _ := json.Marshal(ErrorBody{Error: code, Message: msg})
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}

// FromHTTP turns an HTTP request into the payload 2.0 event API Gateway
// would deliver for routeKey (e.g. "POST /ghl/webhooks/contacts") with the
// given path parameters. The body is read up to limit bytes.
func FromHTTP(r *http.Request, routeKey string, pathParams map[string]string, limit int64) (events.APIGatewayV2HTTPRequest, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			return events.APIGatewayV2HTTPRequest{}, fmt.Errorf("apigw: read body: %w", err)
		}
		if int64(len(b)) > limit {
			return events.APIGatewayV2HTTPRequest{}, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
		}
		body = b
	}
	headers := make(map[string]string, len(r.Header))
	for k, v := range r.Header {
		headers[strings.ToLower(k)] = strings.Join(v, ",")
	}
	query := make(map[string]string, len(r.URL.Query()))
	for k, v := range r.URL.Query() {
		query[k] = strings.Join(v, ",")
	}
	now := time.Now()
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.Path,
		RawQueryString:        r.URL.RawQuery,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        pathParams,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:  routeKey,
			Stage:     "$default",
			RequestID: fmt.Sprintf("local-%d", now.UnixNano()),
			Time:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch: now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  strings.Split(r.RemoteAddr, ":")[0],
				UserAgent: r.UserAgent(),
			},
		},
	}
	if isText(r.Header.Get("Content-Type")) {
		ev.Body = string(body)
	} else if len(body) > 0 {
		ev.Body = base64.StdEncoding.EncodeToString(body)
		ev.IsBase64Encoded = true
	}
	return ev, nil
}

func isText(ct string) bool {
	ct = strings.ToLower(ct)
	return ct == "" || strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "text/") ||
		strings.HasPrefix(ct, "application/x-www-form-urlencoded")
}

// WriteHTTP writes an API Gateway response to w.
func WriteHTTP(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if d, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			body = d
		}
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
