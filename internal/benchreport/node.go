package benchreport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// SDKPackage is the npm package of the official GHL Node SDK that make
// bench compares against (pinned in package.json).
const SDKPackage = "@gohighlevel/api-client"

// ErrNoNode reports that node or the SDK package is not installed.
var ErrNoNode = errors.New("node or " + SDKPackage + " is not installed (make deps)")

// NodeReady checks that node is on PATH and the SDK is installed under
// root/node_modules, and returns the SDK's installed version.
func NodeReady(root string) (string, error) {
	if _, err := exec.LookPath("node"); err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoNode, err)
	}
	b, err := os.ReadFile(filepath.Join(root, "node_modules", SDKPackage, "package.json"))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoNode, err)
	}
	var p struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return "", fmt.Errorf("%s package.json: %w", SDKPackage, err)
	}
	return p.Version, nil
}

// RunNode runs node script (a path) with env added to the process's
// environment and stdin, and decodes the JSON object the script prints
// as its last line of standard output into v.
func RunNode(ctx context.Context, script string, env []string, stdin []byte, v any) error {
	cmd := exec.CommandContext(ctx, "node", script)
	cmd.Dir = filepath.Dir(script)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("node %s: %w\n%s", filepath.Base(script), err, tail(stderr.Bytes()))
	}
	lines := bytes.Split(bytes.TrimSpace(stdout.Bytes()), []byte("\n"))
	if err := json.Unmarshal(lines[len(lines)-1], v); err != nil {
		return fmt.Errorf("node %s: last line of output is not JSON: %w\n%s", filepath.Base(script), err, tail(stdout.Bytes()))
	}
	return nil
}

func tail(b []byte) []byte {
	if len(b) > 2000 {
		return b[len(b)-2000:]
	}
	return b
}
