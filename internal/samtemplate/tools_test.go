package samtemplate_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ghlsync/ghlsync/internal/samtemplate"
)

// TestCfnLint runs cfn-lint on template.yaml: errors and warnings fail
// (any non-zero exit: 2 error, 4 warning, 8 informational).
func TestCfnLint(t *testing.T) {
	t.Parallel()
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		missingTool(t, "cfn-lint", "it ships with the machine image's pyenv Python (pyenv shims on PATH; shared/AWS-LOCAL.md section 4); it cannot be installed here without PyPI")
	}
	cmd := exec.Command(lint, "template.yaml")
	cmd.Dir = root(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}

// translate is the SAM translator run offline: local CodeUri values become
// S3 URIs (the translator requires them, sam package would upload), managed
// policy names resolve to nothing (no IAM call).
const translate = `
import json, sys
from samtranslator.yaml_helper import yaml_parse
from samtranslator.translator.transform import transform

class NoManagedPolicies:
    def load(self):
        return {}

with open(sys.argv[1]) as f:
    tpl = yaml_parse(f.read())

def to_s3(props):
    if isinstance(props, dict) and isinstance(props.get("CodeUri"), str) and not props["CodeUri"].startswith("s3://"):
        props["CodeUri"] = "s3://bucket/ghlsync.zip"

to_s3(tpl.get("Globals", {}).get("Function"))
for r in tpl.get("Resources", {}).values():
    if r.get("Type") == "AWS::Serverless::Function":
        to_s3(r.get("Properties"))
json.dump(transform(tpl, {}, NoManagedPolicies()), sys.stdout)
`

// samPython returns a Python interpreter that can import samtranslator.
func samPython(t *testing.T) string {
	t.Helper()
	var candidates []string
	for _, name := range []string{"python", "python3"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	pyenvRoot := os.Getenv("PYENV_ROOT")
	if out, err := exec.Command("pyenv", "root").Output(); err == nil {
		pyenvRoot = strings.TrimSpace(string(out))
	}
	if pyenvRoot == "" {
		if home, err := os.UserHomeDir(); err == nil {
			pyenvRoot = filepath.Join(home, ".pyenv")
		}
	}
	if pyenvRoot != "" {
		found, _ := filepath.Glob(filepath.Join(pyenvRoot, "versions", "*", "bin", "python"))
		candidates = append(candidates, found...)
	}
	for _, py := range candidates {
		if exec.Command(py, "-c", "import samtranslator").Run() == nil {
			return py
		}
	}
	missingTool(t, "a Python with aws-sam-translator", "it ships with the machine image's pyenv Python (tried "+strings.Join(candidates, ", ")+"); it cannot be installed here without PyPI")
	return ""
}

// TestSamTranslator transforms template.yaml into plain CloudFormation, as
// sam deploy would, and checks what comes out: the HTTP API integrations,
// the schedules, the permissions SAM generates.
func TestSamTranslator(t *testing.T) {
	t.Parallel()
	py := samPython(t)
	dir := root(t)
	cmd := exec.Command(py, "-c", translate, filepath.Join(dir, "template.yaml"))
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=us-east-1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("SAM translator: %v\n%s", err, stderr.String())
	}
	var cfn struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(out, &cfn); err != nil {
		t.Fatalf("translator output: %v", err)
	}
	tpl := project(t)
	count := map[string]int{}
	for _, r := range cfn.Resources {
		count[r.Type]++
	}
	for typ, want := range map[string]int{
		"AWS::ApiGatewayV2::Api":         1,
		"AWS::ApiGatewayV2::Stage":       1,
		"AWS::Lambda::Function":          len(designFunctions),
		"AWS::Lambda::Permission":        len(designRoutes), // one per route; the scheduler invokes through its role
		"AWS::Lambda::EventInvokeConfig": len(designFunctions),
		"AWS::Scheduler::Schedule":       4,
		"AWS::DynamoDB::Table":           1,
		"AWS::SecretsManager::Secret":    2,
	} {
		if count[typ] != want {
			t.Errorf("%d %s resources, want %d", count[typ], typ, want)
		}
	}
	if count["AWS::Events::Rule"] != 0 {
		t.Errorf("%d EventBridge rules: schedules must be ScheduleV2 (EventBridge Scheduler)", count["AWS::Events::Rule"])
	}

	// Every route integrates the right function with payload format 2.0.
	api := cfn.Resources["HttpApi"].Properties
	for key, fn := range designRoutes {
		method, path, _ := strings.Cut(key, " ")
		integ := samtemplate.Map(samtemplate.Lookup(api, "Body", "paths", path, strings.ToLower(method), "x-amazon-apigateway-integration"))
		uri := samtemplate.Str(samtemplate.Map(integ["uri"])["Fn::Sub"])
		if !strings.Contains(uri, "${"+fn+".Arn}") {
			t.Errorf("%s integrates %q, want %s", key, uri, fn)
		}
		if integ["payloadFormatVersion"] != "2.0" {
			t.Errorf("%s payloadFormatVersion = %v, want 2.0", key, integ["payloadFormatVersion"])
		}
	}

	for id, r := range cfn.Resources {
		p := r.Properties
		switch r.Type {
		case "AWS::Scheduler::Schedule":
			target := samtemplate.Map(p["Target"])
			if _, err := decodeInput(samtemplate.Str(target["Input"])); err != nil {
				t.Errorf("schedule %s Target.Input: %v", id, err)
			}
			if samtemplate.Lookup(target, "DeadLetterConfig", "Arn") == nil || target["RetryPolicy"] == nil {
				t.Errorf("schedule %s: want Target.DeadLetterConfig and RetryPolicy, got %v", id, target)
			}
			if p["State"] == nil || p["Name"] != nil {
				t.Errorf("schedule %s: State %v (want set), Name %v (want generated)", id, p["State"], p["Name"])
			}
		case "AWS::Lambda::Function":
			if p["Runtime"] != "provided.al2023" || p["Handler"] != "bootstrap" || samtemplate.Lookup(p, "LoggingConfig", "LogFormat") != "JSON" {
				t.Errorf("function %s: Runtime %v Handler %v LoggingConfig %v", id, p["Runtime"], p["Handler"], p["LoggingConfig"])
			}
		case "AWS::IAM::Role":
			for _, arn := range samtemplate.List(p["ManagedPolicyArns"]) {
				// The one managed policy SAM attaches: CloudWatch Logs
				// CreateLogStream/PutLogEvents for the function's own logs.
				if !strings.HasSuffix(samtemplate.Str(arn), ":policy/service-role/AWSLambdaBasicExecutionRole") {
					t.Errorf("role %s has managed policy %v; only AWSLambdaBasicExecutionRole is expected", id, arn)
				}
			}
		}
	}
	// Inline policies SAM generated (queue sends, scheduler invokes) and the
	// template's own: none with Resource "*".
	generated, err := samtemplate.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range generated.Statements() {
		for _, r := range st.Resources {
			if r == "*" && starAllowed[st.Resource+"/"+st.Sid] == "" {
				t.Errorf("generated %s %s: Resource \"*\" (actions %v)", st.Resource, st.Where, st.Actions)
			}
		}
	}
	if n := len(tpl.Functions()); n != len(designFunctions) {
		t.Errorf("template has %d functions, want %d", n, len(designFunctions))
	}
}
