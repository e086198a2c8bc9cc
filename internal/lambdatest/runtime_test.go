package lambdatest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func buildEcho(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, "./testdata/echo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build echo: %v\n%s", err, out)
	}
	return bin
}

func TestRuntimeRunsRealBootstrap(t *testing.T) {
	t.Parallel()
	bin := buildEcho(t)
	rt, err := NewRuntime()
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	fn, err := rt.Start(t.Context(), bin, os.Environ())
	if err != nil {
		t.Fatal(err)
	}
	defer fn.Stop()

	tests := []struct {
		name      string
		payload   string
		want      string
		wantError *ErrorEnvelope
	}{
		{name: "echo", payload: `{"value":"hi"}`, want: `{"value":"hi","hasDeadline":true}`},
		{name: "handler error", payload: `{"fail":true}`, wantError: &ErrorEnvelope{ErrorMessage: "asked to fail", ErrorType: "errorString"}},
		{name: "bad payload", payload: `{"value":5}`, wantError: &ErrorEnvelope{ErrorMessage: "json: cannot unmarshal number into Go struct field in.value of type string", ErrorType: "UnmarshalTypeError"}},
		{name: "warm again", payload: `{"value":"again"}`, want: `{"value":"again","hasDeadline":true}`},
	}
	for _, tt := range tests { // sequential: one process serves invocations in order
		res, err := rt.Invoke(t.Context(), []byte(tt.payload), 3*time.Second)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.wantError, res.Error); diff != "" {
			t.Errorf("%s: error envelope (-want +got):\n%s", tt.name, diff)
		}
		if tt.wantError == nil && string(res.Payload) != tt.want {
			t.Errorf("%s: payload = %s, want %s", tt.name, res.Payload, tt.want)
		}
	}
}
