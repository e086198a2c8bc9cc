package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildGhlsync compiles the command for the test; -buildvcs=auto
// overrides a GOFLAGS=-buildvcs=false so the commit is stamped when git
// can tell it.
func buildGhlsync(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ghlsync")
	out, err := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestDevBinarySmoke runs the built "ghlsync dev" as a person would: it
// announces its URLs and what to try, a sandbox contact changed through the
// page's form reaches the peer inbox within 2 s, a peer event sent through
// the page's form lands in the sandbox (read back through the sandbox's GHL
// API), and SIGINT stops it with exit code 0.
func TestDevBinarySmoke(t *testing.T) {
	t.Parallel()
	bin := buildGhlsync(t)
	data := filepath.Join(t.TempDir(), "data")
	cmd := exec.Command(bin, "dev", "--addr", "127.0.0.1:0", "--data-dir", data, "--contacts", "4", "--sweep-every", "0")
	cmd.Env = append(os.Environ(), "GHL_PRIVATE_TOKEN=", "GHL_LOCATION_ID=", "PEER_WEBHOOK_URL=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	var banner strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		banner.WriteString(sc.Text() + "\n")
		if sc.Text() == "Ctrl-C stops." {
			break
		}
	}
	text := banner.String()
	base := regexp.MustCompile(`serving on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(text)
	pull := regexp.MustCompile(`/peer/contacts/(\w+)\?locationId=(\w+)`).FindStringSubmatch(text)
	token := regexp.MustCompile(`sandbox token\s+(\S+)`).FindStringSubmatch(text)
	if base == nil || pull == nil || token == nil || !strings.Contains(text, "What to try:") || !strings.Contains(text, "/peer-inbox") {
		t.Fatalf("banner lacks the URLs or what to try:\n%s\nstderr:\n%s", text, stderr.String())
	}
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, stdout); close(done) }()
	url0, contactID, locationID := base[1], pull[1], pull[2]

	form := func(path string, v url.Values) map[string]any {
		req, _ := http.NewRequest(http.MethodPost, url0+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		return out
	}
	start := time.Now()
	if out := form("/dev/sandbox/contacts", url.Values{"contactId": {contactID}, "field": {"city"}, "value": {"Smokeville"}}); out["error"] != nil {
		t.Fatalf("edit: %v", out)
	}
	for {
		res, err := http.Get(url0 + "/dev/activity.json")
		if err != nil {
			t.Fatal(err)
		}
		var entries []struct{ Direction, Outcome, Entity string }
		_ = json.NewDecoder(res.Body).Decode(&entries)
		res.Body.Close()
		found := false
		for _, e := range entries {
			found = found || (e.Direction == "peer inbox" && e.Outcome == "delivered" && strings.Contains(e.Entity, contactID))
		}
		if found {
			t.Logf("sandbox edit → peer inbox in %s", time.Since(start))
			break
		}
		if time.Since(start) > 2*time.Second {
			t.Fatalf("the edit did not reach the peer inbox within 2 s: %+v\n%s", entries, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	body := `{"type":"contact.upserted","timestamp":"` + time.Now().UTC().Format(time.RFC3339) +
		`","data":{"peerId":"smoke_1","firstName":"Smoke","lastName":"Test","email":"smoke@example.com"}}`
	if out := form("/dev/peer-events", url.Values{"type": {"contact.upserted"}, "body": {body}}); out["status"] != float64(200) || out["outcome"] != "synced" {
		t.Fatalf("send: %v", out)
	}
	req, _ := http.NewRequest(http.MethodGet, url0+"/ghl-sandbox/contacts/search/duplicate?locationId="+locationID+"&email=smoke%40example.com", nil)
	req.Header.Set("Authorization", "Bearer "+token[1])
	req.Header.Set("Version", "2021-07-28")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var dup struct {
		Contact *struct {
			FirstName string `json:"firstName"`
		} `json:"contact"`
	}
	_ = json.NewDecoder(res.Body).Decode(&dup)
	res.Body.Close()
	if dup.Contact == nil || dup.Contact.FirstName != "Smoke" {
		t.Errorf("the peer's contact is not in the sandbox: %d %+v", res.StatusCode, dup.Contact)
	}

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGINT: %v\n%s", err, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(data, "secrets.json")); err != nil {
		t.Errorf("secrets file: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(data, "secrets.json")); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets file mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestVersionBinary: the built binary names its module, Go version and,
// built in a git work tree, its commit.
func TestVersionBinary(t *testing.T) {
	t.Parallel()
	bin := buildGhlsync(t)
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^module github.com/ghlsync/ghlsync\ngo go1\.\d+`).Match(out) {
		t.Errorf("version output:\n%s", out)
	}
	if head, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
		if !strings.Contains(string(out), "commit "+strings.TrimSpace(string(head))) {
			t.Errorf("version does not name commit %s:\n%s", head, out)
		}
	}
}
