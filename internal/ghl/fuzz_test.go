package ghl_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghl"
)

// fuzzBearer is the token of the fuzzed client; no error may contain it.
const fuzzBearer = "tok-FUZZ-bearer-91c2"

// cannedResponse answers every request with one response, without a
// network.
type cannedResponse struct {
	status int
	header http.Header
	body   []byte
}

func (c cannedResponse) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return &http.Response{StatusCode: c.status, Header: c.header.Clone(), Body: io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)), Request: r}, nil
}

type bearer struct{ base http.RoundTripper }

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+fuzzBearer)
	return b.base.RoundTrip(r)
}

// FuzzDecodeResponse: any GHL answer — status, rate-limit header, body —
// decodes without a panic into a value or a typed error (*ghl.Error,
// *ghl.RateLimitError, or a decode error naming the operation), and no
// error carries the bearer token. Seeds: the recorded responses in
// testdata/responses and GHL's error envelopes.
func FuzzDecodeResponse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "responses", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed responses: %v", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint16(200), "100", b)
	}
	for _, s := range []struct {
		status uint16
		body   string
	}{
		{400, `{"statusCode":400,"message":"Version header was not found","error":"Bad Request"}`},
		{422, `{"statusCode":422,"message":["property x should not exist"],"error":"Unprocessable Entity","traceId":"t1"}`},
		{401, `{"statusCode":401,"message":"Invalid token: ` + fuzzBearer + `"}`},
		{429, `{"statusCode":429,"message":"Too many requests"}`},
		{503, `<html>upstream</html>`},
		{200, `{"contact":null}`},
		{200, `{"contacts":[{"id":"a","searchAfter":[1,"x"]}],"total":"many"}`},
		{200, ``},
	} {
		f.Add(s.status, "0", []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status uint16, remaining string, body []byte) {
		code := int(status) % 600
		if code < 100 {
			code += 100
		}
		h := http.Header{"Content-Type": {"application/json"}, "X-Ratelimit-Remaining": {remaining},
			"X-Ratelimit-Max": {"100"}, "X-Ratelimit-Interval-Milliseconds": {"10000"}, "X-Ratelimit-Daily-Remaining": {remaining}}
		hc := &http.Client{Transport: bearer{cannedResponse{status: code, header: h, body: body}}}
		c, err := ghl.NewClient(hc, ghl.WithBaseURL("http://ghl.invalid"), ghl.WithLocationID("loc1"), ghl.WithMaxRetries(0),
			ghl.WithRateLimiters(ghl.NewRateLimiters(ghl.SystemClock())))
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		check := func(op string, ok bool, err error) {
			t.Helper()
			if err == nil {
				if code < 200 || code > 299 {
					t.Fatalf("%s: status %d decoded without an error", op, code)
				}
				if !ok {
					t.Fatalf("%s: no error and no value", op)
				}
				return
			}
			if strings.Contains(err.Error(), fuzzBearer) {
				t.Fatalf("%s: error carries the token: %v", op, err)
			}
			var apiErr *ghl.Error
			var rle *ghl.RateLimitError
			switch {
			case errors.As(err, &rle), errors.As(err, &apiErr):
			case code >= 200 && code <= 299 && strings.Contains(err.Error(), op):
				// a 2xx body that does not decode, named by operation
			default:
				t.Fatalf("%s: untyped error for status %d: %v", op, code, err)
			}
		}
		// A short deadline: a fuzzed rate-limit header must not stall the
		// client (the limiter waits only until the deadline).
		ctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		ct, _, err := c.Contacts.Get(ctx, "cid1")
		check("get-contact", ct != nil, ignoreDeadline(err))
		res, _, err := c.Contacts.Search(ctx, &ghl.SearchContactsRequest{LocationID: "loc1"})
		check("search-contacts-advanced", res != nil, ignoreDeadline(err))
		_, _, err = c.Contacts.ListTasks(ctx, "cid1")
		check("get-all-tasks", true, ignoreDeadline(err))
	})
}

// ignoreDeadline drops a rate-limit wait cut short by the test's deadline.
func ignoreDeadline(err error) error {
	var rle *ghl.RateLimitError
	if errors.Is(err, context.DeadlineExceeded) && !errors.As(err, &rle) {
		return nil
	}
	return err
}
