package benchreport

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/lambdatest"
)

// Build compiles the function package pkg (e.g. ./functions/task-sync,
// relative to dir) to out as the deployed bootstrap is built — CGO off,
// -tags lambda.norpc, -trimpath, -ldflags "-s -w" — for the host's GOOS
// and GOARCH, and returns its size in bytes.
func Build(ctx context.Context, dir, pkg, out string) (int64, error) {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if b, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("build %s: %w\n%s", pkg, err, b)
	}
	fi, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// ColdStartResult holds one cold start per run.
type ColdStartResult struct {
	// Latency is exec → first response of each run.
	Latency []time.Duration
	// Init is the init phase of each run: exec → the process's first
	// GET /invocation/next (package init, main's wiring, the runtime loop
	// starting).
	Init []time.Duration
	// First is the first request of each run: /invocation/next → its
	// response (the handler's work plus the runtime's decode and post).
	First []time.Duration
	// PeakRSS is the process's VmHWM after its first response, per run.
	PeakRSS []int64
	// Response is the first response of the last run (for checking that the
	// event did real work).
	Response []byte
	// Output is what the last run logged.
	Output string
}

// ColdStart execs the bootstrap bin with env under a fresh fake Runtime API
// runs times (after one unmeasured run that warms the page cache), each
// time queueing payload(i) before the exec, and measures exec → first
// response and the peak resident set.
func ColdStart(ctx context.Context, bin string, env []string, payload func(i int) []byte, runs int) (ColdStartResult, error) {
	var res ColdStartResult
	for i := -1; i < runs; i++ {
		run, err := coldOnce(ctx, bin, env, payload(i+1))
		if err != nil {
			return res, fmt.Errorf("run %d: %w", i+1, err)
		}
		if i >= 0 {
			res.Latency = append(res.Latency, run.done.Sub(run.start))
			res.Init = append(res.Init, run.fetched.Sub(run.start))
			res.First = append(res.First, run.done.Sub(run.fetched))
			res.PeakRSS = append(res.PeakRSS, run.rss)
			res.Response, res.Output = run.body, run.out
		}
	}
	return res, nil
}

// WarmUp starts the bootstrap bin once and sends it n events, payload(0)
// to payload(n-1), one after another, unmeasured. It warms what the
// function talks to (DynamoDB Local's JIT, the doubles) with the requests
// of the events ColdStart then measures, so that the cold starts measure
// the bootstrap rather than a cold Java server.
func WarmUp(ctx context.Context, bin string, env []string, payload func(i int) []byte, n int) error {
	rt, err := lambdatest.NewRuntime()
	if err != nil {
		return err
	}
	defer rt.Close()
	wctx, cancel := context.WithTimeout(ctx, time.Duration(n+1)*30*time.Second)
	defer cancel()
	fn, err := rt.Start(wctx, bin, env)
	if err != nil {
		return err
	}
	defer fn.Stop()
	for i := range n {
		r, err := rt.Invoke(wctx, payload(i), 20*time.Second)
		switch {
		case err != nil:
			return fmt.Errorf("warm-up %d: %w\n%s", i, err, fn.Output())
		case r.Error != nil:
			return fmt.Errorf("warm-up %d: invocation error %s: %s\n%s", i, r.Error.ErrorType, r.Error.ErrorMessage, fn.Output())
		}
	}
	return nil
}

// coldRun is one measured cold start.
type coldRun struct {
	start, fetched, done time.Time
	rss                  int64
	body                 []byte
	out                  string
}

func coldOnce(ctx context.Context, bin string, env []string, payload []byte) (coldRun, error) {
	rt, err := lambdatest.NewRuntime()
	if err != nil {
		return coldRun{}, err
	}
	defer rt.Close()
	type outcome struct {
		res lambdatest.Result
		at  time.Time
		err error
	}
	done := make(chan outcome, 1)
	ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	go func() {
		r, err := rt.Invoke(ictx, payload, 20*time.Second)
		done <- outcome{r, time.Now(), err}
	}()
	start := time.Now()
	fn, err := rt.Start(ictx, bin, env)
	if err != nil {
		return coldRun{}, err
	}
	o := <-done
	var rss int64
	if o.err == nil && o.res.Error == nil {
		rss, err = PeakRSS(fn.PID())
	}
	// Stop waits for the process, so its log lines (copied from a pipe)
	// are all in Output.
	_ = fn.Stop()
	out := fn.Output()
	switch {
	case o.err != nil:
		return coldRun{}, fmt.Errorf("%w\n%s", o.err, out)
	case o.res.Error != nil:
		return coldRun{}, fmt.Errorf("invocation error %s: %s\n%s", o.res.Error.ErrorType, o.res.Error.ErrorMessage, out)
	case err != nil:
		return coldRun{}, err
	}
	return coldRun{start: start, fetched: o.res.Fetched, done: o.at, rss: rss, body: o.res.Payload, out: out}, nil
}

// PeakRSS returns the peak resident set size (VmHWM) of a running process
// in bytes, from /proc/<pid>/status.
func PeakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmHWM %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("no VmHWM in /proc status (not Linux?)")
}
