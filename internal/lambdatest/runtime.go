package lambdatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const apiPrefix = "/2018-06-01/runtime"

// ErrorEnvelope is the body a runtime posts to .../error.
type ErrorEnvelope struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// Result is the outcome of one invocation.
type Result struct {
	RequestID string
	// Payload is the response body when the handler succeeded.
	Payload []byte
	// Error is set when the runtime reported an invocation error.
	Error *ErrorEnvelope
	// Elapsed is the time from queueing the event to receiving the outcome.
	Elapsed time.Duration
	// Fetched is when the function took the event from
	// /invocation/next: for the first event of a process, the end of its
	// init phase.
	Fetched time.Time
}

type invocation struct {
	id       string
	payload  []byte
	deadline time.Time
	queued   time.Time
	fetched  time.Time
	done     chan Result
}

// Runtime is a fake Lambda Runtime API server. It serves one function
// process, started once with Start; invocations are handed out in order.
type Runtime struct {
	srv     *http.Server
	ln      net.Listener
	queue   chan *invocation
	mu      sync.Mutex
	pending map[string]*invocation
	initErr chan ErrorEnvelope
	seq     atomic.Int64
	// exited is closed when the function process Start ran has exited,
	// so that Invoke does not wait for an answer that cannot come.
	exited     chan struct{}
	exitedOnce sync.Once
}

// NewRuntime starts the fake Runtime API on a loopback port.
func NewRuntime() (*Runtime, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("lambdatest: listen: %w", err)
	}
	rt := &Runtime{
		ln:      ln,
		queue:   make(chan *invocation, 64),
		pending: map[string]*invocation{},
		initErr: make(chan ErrorEnvelope, 1),
		exited:  make(chan struct{}),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+apiPrefix+"/invocation/next", rt.next)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/response", rt.respond)
	mux.HandleFunc("POST "+apiPrefix+"/invocation/{id}/error", rt.fail)
	mux.HandleFunc("POST "+apiPrefix+"/init/error", rt.initError)
	rt.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = rt.srv.Serve(ln) }()
	return rt, nil
}

// Addr is the host:port to put in AWS_LAMBDA_RUNTIME_API.
func (rt *Runtime) Addr() string { return rt.ln.Addr().String() }

// Close stops the server.
func (rt *Runtime) Close() error { return rt.srv.Close() }

func (rt *Runtime) next(w http.ResponseWriter, r *http.Request) {
	select {
	case inv := <-rt.queue:
		rt.mu.Lock()
		inv.fetched = time.Now()
		rt.pending[inv.id] = inv
		rt.mu.Unlock()
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:ghlsync-test")
		w.Header().Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(inv.payload)
	case <-r.Context().Done():
	}
}

func (rt *Runtime) take(id string) *invocation {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	inv := rt.pending[id]
	delete(rt.pending, id)
	return inv
}

func (rt *Runtime) respond(w http.ResponseWriter, r *http.Request) {
	inv := rt.take(r.PathValue("id"))
	if inv == nil {
		http.Error(w, "unknown request id", http.StatusBadRequest)
		return
	}
	body, _ := io.ReadAll(r.Body)
	inv.done <- Result{RequestID: inv.id, Payload: body, Elapsed: time.Since(inv.queued), Fetched: inv.fetched}
	w.WriteHeader(http.StatusAccepted)
}

func (rt *Runtime) fail(w http.ResponseWriter, r *http.Request) {
	inv := rt.take(r.PathValue("id"))
	if inv == nil {
		http.Error(w, "unknown request id", http.StatusBadRequest)
		return
	}
	var env ErrorEnvelope
	_ = json.NewDecoder(r.Body).Decode(&env)
	inv.done <- Result{RequestID: inv.id, Error: &env, Elapsed: time.Since(inv.queued), Fetched: inv.fetched}
	w.WriteHeader(http.StatusAccepted)
}

func (rt *Runtime) initError(w http.ResponseWriter, r *http.Request) {
	var env ErrorEnvelope
	_ = json.NewDecoder(r.Body).Decode(&env)
	select {
	case rt.initErr <- env:
	default:
	}
	w.WriteHeader(http.StatusAccepted)
}

// ErrExited is returned by Invoke when the function process exited before
// it answered.
var ErrExited = errors.New("lambdatest: function process exited")

// Invoke queues payload with the given timeout (the Lambda deadline) and
// waits for the function's outcome, the process's exit (ErrExited) or ctx.
func (rt *Runtime) Invoke(ctx context.Context, payload []byte, timeout time.Duration) (Result, error) {
	inv := &invocation{
		id:       fmt.Sprintf("req-%06d", rt.seq.Add(1)),
		payload:  payload,
		deadline: time.Now().Add(timeout),
		queued:   time.Now(),
		done:     make(chan Result, 1),
	}
	select {
	case rt.queue <- inv:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	select {
	case res := <-inv.done:
		return res, nil
	case env := <-rt.initErr:
		return Result{}, fmt.Errorf("lambdatest: function failed to initialise: %s: %s", env.ErrorType, env.ErrorMessage)
	case <-rt.exited:
		// It may have answered just before it exited.
		select {
		case res := <-inv.done:
			return res, nil
		default:
		}
		return Result{}, ErrExited
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Function is a running bootstrap process.
type Function struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan error
}

// Start runs the bootstrap binary at path with env plus
// AWS_LAMBDA_RUNTIME_API pointing at rt.
func (rt *Runtime) Start(ctx context.Context, path string, env []string) (*Function, error) {
	cmd := exec.CommandContext(ctx, path)
	cmd.Env = append(append([]string{}, env...),
		"AWS_LAMBDA_RUNTIME_API="+rt.Addr(),
		"AWS_LAMBDA_FUNCTION_NAME=ghlsync-test",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_LOG_FORMAT=JSON",
	)
	buf := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = buf, buf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("lambdatest: start %s: %w", path, err)
	}
	f := &Function{cmd: cmd, stderr: buf, exited: make(chan error, 1)}
	go func() {
		err := cmd.Wait()
		rt.exitedOnce.Do(func() { close(rt.exited) })
		f.exited <- err
	}()
	return f, nil
}

// Output returns everything the process wrote to stdout and stderr so far
// (its log lines).
func (f *Function) Output() string { return f.stderr.String() }

// PID returns the process id, for measuring its resident memory.
func (f *Function) PID() int { return f.cmd.Process.Pid }

// Stop kills the process and waits for it.
func (f *Function) Stop() error {
	_ = f.cmd.Process.Kill()
	select {
	case <-f.exited:
	case <-time.After(5 * time.Second):
		return errors.New("lambdatest: process did not exit")
	}
	return nil
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Clone(b.buf.String())
}
