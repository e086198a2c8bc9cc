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
		lat, rss, body, out, err := coldOnce(ctx, bin, env, payload(i+1))
		if err != nil {
			return res, fmt.Errorf("run %d: %w", i+1, err)
		}
		if i >= 0 {
			res.Latency = append(res.Latency, lat)
			res.PeakRSS = append(res.PeakRSS, rss)
			res.Response, res.Output = body, out
		}
	}
	return res, nil
}

func coldOnce(ctx context.Context, bin string, env []string, payload []byte) (time.Duration, int64, []byte, string, error) {
	rt, err := lambdatest.NewRuntime()
	if err != nil {
		return 0, 0, nil, "", err
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
		return 0, 0, nil, "", err
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
		return 0, 0, nil, "", fmt.Errorf("%w\n%s", o.err, out)
	case o.res.Error != nil:
		return 0, 0, nil, "", fmt.Errorf("invocation error %s: %s\n%s", o.res.Error.ErrorType, o.res.Error.ErrorMessage, out)
	case err != nil:
		return 0, 0, nil, "", err
	}
	return o.at.Sub(start), rss, o.res.Payload, out, nil
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
