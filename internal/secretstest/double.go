package secretstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Staging labels Secrets Manager manages itself.
const (
	StageCurrent  = "AWSCURRENT"
	StagePrevious = "AWSPREVIOUS"
	StagePending  = "AWSPENDING"
)

// Operation names, as they appear after "secretsmanager." in X-Amz-Target.
const (
	OpCreateSecret             = "CreateSecret"
	OpGetSecretValue           = "GetSecretValue"
	OpPutSecretValue           = "PutSecretValue"
	OpUpdateSecretVersionStage = "UpdateSecretVersionStage"
	OpDescribeSecret           = "DescribeSecret"
	OpDeleteSecret             = "DeleteSecret"
	OpRestoreSecret            = "RestoreSecret"
	OpListSecrets              = "ListSecrets"
	OpListSecretVersionIDs     = "ListSecretVersionIds"
)

// maxBody bounds a request body: a secret value is at most 64 KiB, JSON and
// base64 overhead included this is plenty.
const maxBody = 1 << 20

// Default account and region used in ARNs.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "123456789012"
)

// Fault is an injected failure for the next requests of one operation
// (see Double.FailNext). The response is HTTP 500 InternalServiceError,
// which the SDK treats as retryable.
type Fault struct {
	// AfterApply applies the operation first and then fails, as when the
	// response is lost: a retry sees the effect of the first attempt.
	AfterApply bool
	// Stall, with AfterApply, holds the response until the client gives up
	// (its context ends or the connection closes): a real timeout.
	Stall bool
	// Times is how many requests fail; 0 means 1.
	Times int
}

// Double is an in-memory Secrets Manager speaking the AWS JSON 1.1 protocol.
// It is an http.Handler: mount it on any server, or use Start for an
// httptest server and a ready SDK client. It is safe for concurrent use.
type Double struct {
	now       func() time.Time
	region    string
	accountID string

	mu      sync.Mutex
	secrets map[string]*secret // by name
	seq     int                // for ARN suffixes and generated version ids
	calls   map[string]int
	faults  map[string][]Fault
}

// Option configures a Double.
type Option func(*Double)

// WithClock sets the clock used for CreatedDate, DeletedDate and the end of
// recovery windows. The default is time.Now.
func WithClock(now func() time.Time) Option { return func(d *Double) { d.now = now } }

// WithRegion sets the region written into ARNs (default us-east-1).
func WithRegion(region string) Option { return func(d *Double) { d.region = region } }

// New returns an empty Double.
func New(opts ...Option) *Double {
	d := &Double{
		now:       time.Now,
		region:    DefaultRegion,
		accountID: DefaultAccountID,
		secrets:   map[string]*secret{},
		calls:     map[string]int{},
		faults:    map[string][]Fault{},
	}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Calls reports how many requests for op the Double has received, failed
// ones included.
func (d *Double) Calls(op string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[op]
}

// ResetCalls sets every request counter back to zero.
func (d *Double) ResetCalls() {
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.calls)
}

// FailNext makes the next f.Times requests for op fail as f describes.
// Faults queue up in the order they were added.
func (d *Double) FailNext(op string, f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.faults[op] = append(d.faults[op], f)
}

// ClearFaults drops every queued fault.
func (d *Double) ClearFaults() {
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.faults)
}

// VersionIDs returns every version id of the named secret, deprecated
// (unlabelled) versions included, in creation order; nil if there is no such secret.
func (d *Double) VersionIDs(name string) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.secrets[name]
	if s == nil {
		return nil
	}
	ids := make([]string, len(s.versions))
	for i, v := range s.versions {
		ids[i] = v.id
	}
	return ids
}

// takeFault pops the fault for op, if any. Callers hold d.mu.
func (d *Double) takeFault(op string) (Fault, bool) {
	q := d.faults[op]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	f.Times--
	if f.Times <= 0 {
		d.faults[op] = q[1:]
	} else {
		q[0] = f
	}
	return f, true
}

// apiError is an error response in the AWS JSON protocol shape.
type apiError struct {
	status int
	typ    string
	msg    string
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

func errNotFound(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ResourceNotFoundException", fmt.Sprintf(format, args...)}
}

func errInvalidParameter(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf(format, args...)}
}

func errInvalidRequest(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "InvalidRequestException", fmt.Sprintf(format, args...)}
}

func errExists(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ResourceExistsException", fmt.Sprintf(format, args...)}
}

// handler runs one operation on the decoded body. It is called with d.mu held.
type handler func(d *Double, body []byte) (any, *apiError)

var handlers = map[string]handler{
	OpCreateSecret:             (*Double).createSecret,
	OpGetSecretValue:           (*Double).getSecretValue,
	OpPutSecretValue:           (*Double).putSecretValue,
	OpUpdateSecretVersionStage: (*Double).updateSecretVersionStage,
	OpDescribeSecret:           (*Double).describeSecret,
	OpDeleteSecret:             (*Double).deleteSecret,
	OpRestoreSecret:            (*Double).restoreSecret,
	OpListSecrets:              (*Double).listSecrets,
	OpListSecretVersionIDs:     (*Double).listSecretVersionIDs,
}

// ServeHTTP implements the AWS JSON 1.1 protocol for the supported operations.
func (d *Double) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeError(w, &apiError{http.StatusMethodNotAllowed, "InvalidAction", "only POST is supported"})
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.1") {
		writeError(w, &apiError{http.StatusBadRequest, "SerializationException", "Content-Type must be application/x-amz-json-1.1"})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=") {
		writeError(w, &apiError{http.StatusForbidden, "IncompleteSignatureException", "request is not signed with SigV4"})
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	h := handlers[op]
	if !ok || h == nil {
		writeError(w, &apiError{http.StatusBadRequest, "UnknownOperationException", "unsupported operation " + r.Header.Get("X-Amz-Target")})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, &apiError{http.StatusBadRequest, "SerializationException", "cannot read body"})
		return
	}
	if len(body) > maxBody {
		writeError(w, &apiError{http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException", "body too large"})
		return
	}

	d.mu.Lock()
	d.calls[op]++
	fault, faulted := d.takeFault(op)
	if faulted && !fault.AfterApply {
		d.mu.Unlock()
		writeError(w, &apiError{http.StatusInternalServerError, "InternalServiceError", "injected fault"})
		return
	}
	out, apiErr := h(d, body)
	d.mu.Unlock()

	if faulted {
		if fault.Stall {
			<-r.Context().Done()
			return
		}
		writeError(w, &apiError{http.StatusInternalServerError, "InternalServiceError", "injected fault after apply"})
		return
	}
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("secretstest-%d", d.nextSeq()))
	_ = json.NewEncoder(w).Encode(out)
}

func (d *Double) nextSeq() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq++
	return d.seq
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.typ, e.msg})
}
