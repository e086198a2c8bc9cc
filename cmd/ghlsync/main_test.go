package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startSandbox runs "ghlsync sandbox" through start and returns its base URL
// and first location token once it is serving, plus the exit code channel.
func startSandbox(t *testing.T, start func(args []string, stdout io.Writer) int) (base, location, token string, done <-chan int) {
	t.Helper()
	pr, pw := io.Pipe()
	exit := make(chan int, 1)
	go func() {
		code := start([]string{"sandbox", "--addr", "127.0.0.1:0", "--contacts", "3", "--seed", "4"}, pw)
		_ = pw.Close()
		exit <- code
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case strings.HasPrefix(sc.Text(), "ghl sandbox listening on "):
			base = f[len(f)-1]
		case len(f) >= 6 && f[0] == "location":
			location, token = f[1], f[5]
		}
		if base != "" && token != "" {
			break
		}
	}
	if base == "" || token == "" {
		t.Fatalf("sandbox did not announce itself (base %q token %q)", base, token)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	return base, location, token, exit
}

func getDuplicate(t *testing.T, base, location, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/contacts/search/duplicate?locationId="+location+"&email=x%40example.com", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Version", "2021-07-28")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func waitExit(t *testing.T, done <-chan int) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox did not shut down")
		return -1
	}
}

func TestSandboxServesAndStopsOnContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr bytes.Buffer
	base, loc, tok, done := startSandbox(t, func(args []string, stdout io.Writer) int { return run(ctx, args, stdout, &stderr) })
	if got := getDuplicate(t, base, loc, tok); got != http.StatusOK {
		t.Fatalf("GET status = %d, want 200", got)
	}
	cancel()
	if code := waitExit(t, done); code != 0 {
		t.Fatalf("exit code %d, stderr %s", code, stderr.String())
	}
	if _, err := http.Get(base + "/contacts/x"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestSandboxStopsOnSignal(t *testing.T) {
	// Not parallel: it signals the test process (captured by the command's
	// signal handler, which is registered before the sandbox announces itself).
	base, loc, tok, done := startSandbox(t, func(args []string, stdout io.Writer) int {
		ctx, stop := signalContext()
		defer stop()
		return run(ctx, args, stdout, io.Discard)
	})
	if got := getDuplicate(t, base, loc, tok); got != http.StatusOK {
		t.Fatalf("GET status = %d, want 200", got)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, done); code != 0 {
		t.Fatalf("exit code %d after SIGTERM", code)
	}
}

func TestDispatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"no command", nil, 2, "usage: ghlsync <command>"},
		{"help", []string{"help"}, 0, "sandbox"},
		{"unknown", []string{"nope"}, 2, `unknown command "nope"`},
		{"bad flag", []string{"sandbox", "--bogus"}, 2, "flag provided but not defined: -bogus"},
		{"bad address", []string{"sandbox", "--addr", "256.0.0.1:99999"}, 1, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("code %d stderr %q, want %d containing %q", code, stderr.String(), tt.wantCode, tt.wantStderr)
			}
		})
	}
}
