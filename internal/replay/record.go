package replay

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Record is one failed invocation to re-drive.
type Record struct {
	// Source says where it came from: "file.json#3", "sqs:<message id>".
	Source string
	// Payload is the event the function was invoked with: an API Gateway
	// HTTP API event or a schedule Input.
	Payload json.RawMessage
	// Function is the failed function's name, when the record names it
	// (requestContext.functionArn).
	Function string
	// Condition and Error are why it failed the first time, when known
	// (requestContext.condition, responsePayload.errorMessage).
	Condition string
	Error     string

	receipt string // SQS receipt handle
}

// Kinds of payload.
const (
	KindHTTP     = "http"
	KindSchedule = "schedule"
)

// Kind classifies the payload: KindHTTP (it has a routeKey or a
// requestContext.http), KindSchedule ({"kind": ...}), or "".
func (r Record) Kind() string {
	var probe struct {
		RouteKey string `json:"routeKey"`
		Kind     string `json:"kind"`
		Request  struct {
			HTTP *struct {
				Method string `json:"method"`
			} `json:"http"`
		} `json:"requestContext"`
	}
	if json.Unmarshal(r.Payload, &probe) != nil {
		return ""
	}
	switch {
	case probe.RouteKey != "" || probe.Request.HTTP != nil:
		return KindHTTP
	case probe.Kind != "":
		return KindSchedule
	}
	return ""
}

// Describe names the payload for the report: "POST /ghl/webhooks/contacts"
// or "sweep contacts".
func (r Record) Describe() string {
	var p struct {
		RouteKey string `json:"routeKey"`
		RawPath  string `json:"rawPath"`
		Kind     string `json:"kind"`
		Stream   string `json:"stream"`
		Request  struct {
			HTTP struct {
				Method string `json:"method"`
			} `json:"http"`
		} `json:"requestContext"`
	}
	_ = json.Unmarshal(r.Payload, &p)
	switch {
	case p.RouteKey != "" && p.RouteKey != "$default":
		return p.RouteKey
	case p.Request.HTTP.Method != "":
		return p.Request.HTTP.Method + " " + p.RawPath
	case p.Kind != "":
		return strings.TrimSpace(p.Kind + " " + p.Stream)
	}
	return "unknown event"
}

// ErrRecord reports input that is not a record or an event.
var ErrRecord = errors.New("replay: not a failure record or an event")

// failureRecord is a Lambda on-failure destination record.
type failureRecord struct {
	RequestContext *struct {
		FunctionArn string `json:"functionArn"`
		Condition   string `json:"condition"`
	} `json:"requestContext"`
	RequestPayload  json.RawMessage `json:"requestPayload"`
	ResponsePayload json.RawMessage `json:"responsePayload"`
}

// Decode reads one message: a Lambda on-failure destination record
// ({requestContext, requestPayload, responseContext, responsePayload}), or
// a raw event (what a scheduler dead-letter queue holds, or an event saved
// by hand).
func Decode(source string, b []byte) (Record, error) {
	b = bytes.TrimSpace(b)
	var fr failureRecord
	if err := json.Unmarshal(b, &fr); err != nil {
		return Record{}, fmt.Errorf("%w: %s: %v", ErrRecord, source, err)
	}
	r := Record{Source: source, Payload: json.RawMessage(b)}
	if len(fr.RequestPayload) > 0 && !bytes.Equal(fr.RequestPayload, []byte("null")) {
		r.Payload = fr.RequestPayload
		if fr.RequestContext != nil {
			r.Condition = fr.RequestContext.Condition
			r.Function = functionName(fr.RequestContext.FunctionArn)
		}
		var resp struct {
			ErrorMessage string `json:"errorMessage"`
			ErrorType    string `json:"errorType"`
		}
		if json.Unmarshal(fr.ResponsePayload, &resp) == nil {
			r.Error = strings.TrimSpace(resp.ErrorType + ": " + resp.ErrorMessage)
			r.Error = strings.Trim(r.Error, ": ")
		}
	}
	if r.Kind() == "" {
		return Record{}, fmt.Errorf("%w: %s: want an API Gateway HTTP API event, a schedule Input or an on-failure record", ErrRecord, source)
	}
	return r, nil
}

// functionName takes the name out of arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER].
func functionName(arn string) string {
	parts := strings.Split(arn, ":")
	for i, p := range parts {
		if p == "function" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return ""
}

// DecodeFile reads records from r: a JSON array of records or events, one
// record or event, or JSON Lines (one per line). name prefixes Source.
func DecodeFile(name string, r io.Reader) ([]Record, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: %s is empty", ErrRecord, name)
	}
	if b[0] == '[' {
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrRecord, name, err)
		}
		out := make([]Record, 0, len(items))
		for i, it := range items {
			rec, err := Decode(fmt.Sprintf("%s#%d", name, i+1), it)
			if err != nil {
				return nil, err
			}
			out = append(out, rec)
		}
		return out, nil
	}
	if json.Valid(b) {
		rec, err := Decode(name+"#1", b)
		if err != nil {
			return nil, err
		}
		return []Record{rec}, nil
	}
	var out []Record
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		rec, err := Decode(fmt.Sprintf("%s:%d", name, n), line)
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}
