package secretstest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ghlsync/ghlsync/internal/secretstest"
)

// backend is one Secrets Manager implementation the contract runs against.
type backend struct {
	name   string
	client *secretsmanager.Client
	// motoBugs marks moto_server, whose two documented fidelity bugs the
	// matching cases skip (see AWS-LOCAL.md §3).
	motoBugs bool
}

// contractCase is one behaviour every backend must have.
type contractCase struct {
	name string
	// motoBug, when set, names the documented moto bug this case exposes.
	motoBug string
	run     func(t *testing.T, c *secretsmanager.Client, name string)
}

// Documented moto 5.2.1 fidelity bugs (the only cases skipped on moto).
const (
	motoBugTokenReuse   = "moto bug 1: same ClientRequestToken with a different value overwrites the version instead of ResourceExistsException"
	motoBugStaleCurrent = "moto bug 2: GetSecretValue without VersionStage returns the old version after UpdateSecretVersionStage moves AWSCURRENT"
)

var seq atomic.Int64

// uniqueName returns a secret name no other case uses.
func uniqueName(t *testing.T) string {
	return fmt.Sprintf("contract/%d/%s", seq.Add(1), strings.NewReplacer(" ", "_", "#", "_").Replace(t.Name()))
}

// token returns a valid ClientRequestToken (32-64 characters) for label.
func token(label string) string { return fmt.Sprintf("%-36s", label+"-"+strings.Repeat("0", 32))[:36] }

func TestContractDouble(t *testing.T) {
	t.Parallel()
	s := secretstest.Start(t)
	runContract(t, backend{name: "double", client: s.Client()})
}

func TestContractMoto(t *testing.T) {
	t.Parallel()
	endpoint := startMoto(t)
	runContract(t, backend{name: "moto", client: secretstest.NewClient(endpoint), motoBugs: true})
}

func runContract(t *testing.T, b backend) {
	for _, tc := range contractCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if b.motoBugs && tc.motoBug != "" && os.Getenv("SECRETSTEST_MOTO_BUGS") != "1" {
				t.Skip(tc.motoBug + " (set SECRETSTEST_MOTO_BUGS=1 to check it is still there)")
			}
			tc.run(t, b.client, uniqueName(t))
		})
	}
}

// startMoto starts moto_server on a free loopback port for this test and
// returns its endpoint. Without moto_server the test is skipped loudly, or
// fails when CI=true (the machine image ships it).
func startMoto(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("moto_server")
	if err != nil {
		msg := "moto_server NOT FOUND on PATH: the Secrets Manager contract was NOT checked against moto " +
			"(it ships with the machine image's pyenv Python; it cannot be installed here)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip("SKIPPED: " + msg)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	if err := cmd.Start(); err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Post(endpoint+"/moto-api/reset", "application/json", nil)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return endpoint
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within 30s: %v", endpoint, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func mustCreate(t *testing.T, c *secretsmanager.Client, name, value, tok string) {
	t.Helper()
	if _, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{
		Name: aws.String(name), SecretString: aws.String(value), ClientRequestToken: aws.String(tok),
	}); err != nil {
		t.Fatalf("CreateSecret: %v", err)
	}
}

func mustPut(t *testing.T, c *secretsmanager.Client, in *secretsmanager.PutSecretValueInput) *secretsmanager.PutSecretValueOutput {
	t.Helper()
	out, err := c.PutSecretValue(t.Context(), in)
	if err != nil {
		t.Fatalf("PutSecretValue: %v", err)
	}
	return out
}

// get reads a version by stage (explicit, as moto needs) and returns value and version id.
func get(t *testing.T, c *secretsmanager.Client, name, stage string) (string, string) {
	t.Helper()
	out, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String(stage)})
	if err != nil {
		t.Fatalf("GetSecretValue %s: %v", stage, err)
	}
	return aws.ToString(out.SecretString), aws.ToString(out.VersionId)
}

func stages(t *testing.T, c *secretsmanager.Client, name string) map[string][]string {
	t.Helper()
	out, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
	if err != nil {
		t.Fatalf("DescribeSecret: %v", err)
	}
	m := map[string][]string{}
	for id, st := range out.VersionIdsToStages {
		if len(st) > 0 { // moto also lists unlabelled versions
			m[id] = st
		}
	}
	return m
}

func versionCount(t *testing.T, c *secretsmanager.Client, name string) int {
	t.Helper()
	out, err := c.ListSecretVersionIds(t.Context(), &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(name), IncludeDeprecated: aws.Bool(true)})
	if err != nil {
		t.Fatalf("ListSecretVersionIds: %v", err)
	}
	return len(out.Versions)
}

func wantErr[E error](t *testing.T, err error) {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Fatalf("error = %v, want %T", err, target)
	}
}

var sortStrings = cmpopts.SortSlices(func(a, b string) bool { return a < b })

var contractCases = []contractCase{
	{name: "create then get current", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, `{"v":1}`, token("v1"))
		out, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT")})
		if err != nil {
			t.Fatal(err)
		}
		got := []any{aws.ToString(out.Name), aws.ToString(out.SecretString), aws.ToString(out.VersionId), out.VersionStages}
		want := []any{name, `{"v":1}`, token("v1"), []string{"AWSCURRENT"}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("GetSecretValue (-want +got):\n%s", diff)
		}
		if out.CreatedDate == nil || time.Since(*out.CreatedDate) > time.Hour || time.Until(*out.CreatedDate) > time.Minute {
			t.Errorf("CreatedDate = %v, want about now", out.CreatedDate)
		}
		if !strings.HasPrefix(aws.ToString(out.ARN), "arn:aws:secretsmanager:") {
			t.Errorf("ARN = %q", aws.ToString(out.ARN))
		}
	}},
	{name: "get by version id and by ARN", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2"))})
		desc, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		out, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: desc.ARN, VersionId: aws.String(token("v1"))})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]any{"one", []string{"AWSPREVIOUS"}}, []any{aws.ToString(out.SecretString), out.VersionStages}); diff != "" {
			t.Errorf("by version id (-want +got):\n%s", diff)
		}
		_, err = c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionId: aws.String(token("nope"))})
		wantErr[*types.ResourceNotFoundException](t, err)
	}},
	{name: "missing secret is ResourceNotFoundException", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		_, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT")})
		wantErr[*types.ResourceNotFoundException](t, err)
		_, err = c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("x")})
		wantErr[*types.ResourceNotFoundException](t, err)
		_, err = c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		wantErr[*types.ResourceNotFoundException](t, err)
	}},
	{name: "create existing name is ResourceExistsException", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		_, err := c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2"))})
		wantErr[*types.ResourceExistsException](t, err)
	}},
	{name: "retried create with same token and value is ignored", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		mustCreate(t, c, name, "one", token("v1"))
		if n := versionCount(t, c, name); n != 1 {
			t.Errorf("versions = %d, want 1", n)
		}
	}},
	{name: "put without stages makes current and previous", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		out := mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2"))})
		if diff := cmp.Diff([]any{token("v2"), []string{"AWSCURRENT"}}, []any{aws.ToString(out.VersionId), out.VersionStages}); diff != "" {
			t.Errorf("PutSecretValue output (-want +got):\n%s", diff)
		}
		mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("three"), ClientRequestToken: aws.String(token("v3"))})
		if v, _ := get(t, c, name, "AWSCURRENT"); v != "three" {
			t.Errorf("AWSCURRENT = %q, want three", v)
		}
		if v, _ := get(t, c, name, "AWSPREVIOUS"); v != "two" {
			t.Errorf("AWSPREVIOUS = %q, want two", v)
		}
		want := map[string][]string{token("v3"): {"AWSCURRENT"}, token("v2"): {"AWSPREVIOUS"}}
		if diff := cmp.Diff(want, stages(t, c, name)); diff != "" {
			t.Errorf("VersionIdsToStages (-want +got):\n%s", diff)
		}
	}},
	{name: "retried put with same token and value is ignored", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		in := &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2"))}
		mustPut(t, c, in)
		out := mustPut(t, c, in)
		if diff := cmp.Diff([]any{token("v2"), []string{"AWSCURRENT"}}, []any{aws.ToString(out.VersionId), out.VersionStages}); diff != "" {
			t.Errorf("retried PutSecretValue output (-want +got):\n%s", diff)
		}
		if n := versionCount(t, c, name); n != 2 {
			t.Errorf("versions = %d, want 2", n)
		}
		if v, _ := get(t, c, name, "AWSPREVIOUS"); v != "one" {
			t.Errorf("AWSPREVIOUS = %q, want one (the retry must not demote anything)", v)
		}
	}},
	{name: "same token with another value on current version is ResourceExistsException", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2"))})
		_, err := c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("other"), ClientRequestToken: aws.String(token("v2"))})
		wantErr[*types.ResourceExistsException](t, err)
		if v, _ := get(t, c, name, "AWSCURRENT"); v != "two" {
			t.Errorf("AWSCURRENT = %q, want two", v)
		}
	}},
	{name: "same token with another value on pending version is ResourceExistsException", motoBug: motoBugTokenReuse, run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2")), VersionStages: []string{"AWSPENDING"}})
		_, err := c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("other"), ClientRequestToken: aws.String(token("v2")), VersionStages: []string{"AWSPENDING"}})
		wantErr[*types.ResourceExistsException](t, err)
		if v, _ := get(t, c, name, "AWSPENDING"); v != "two" {
			t.Errorf("AWSPENDING = %q, want two", v)
		}
	}},
	{name: "put pending leaves current alone", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2")), VersionStages: []string{"AWSPENDING"}})
		if v, _ := get(t, c, name, "AWSCURRENT"); v != "one" {
			t.Errorf("AWSCURRENT = %q, want one", v)
		}
		if v, _ := get(t, c, name, "AWSPENDING"); v != "two" {
			t.Errorf("AWSPENDING = %q, want two", v)
		}
		_, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSPREVIOUS")})
		wantErr[*types.ResourceNotFoundException](t, err)
	}},
	{name: "update stage moves current and marks previous", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2")), VersionStages: []string{"AWSPENDING"}})
		if _, err := c.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"),
			MoveToVersionId: aws.String(token("v2")), RemoveFromVersionId: aws.String(token("v1")),
		}); err != nil {
			t.Fatal(err)
		}
		if v, _ := get(t, c, name, "AWSCURRENT"); v != "two" {
			t.Errorf("AWSCURRENT = %q, want two", v)
		}
		if v, _ := get(t, c, name, "AWSPREVIOUS"); v != "one" {
			t.Errorf("AWSPREVIOUS = %q, want one", v)
		}
		got := stages(t, c, name)
		want := map[string][]string{token("v2"): {"AWSCURRENT", "AWSPENDING"}, token("v1"): {"AWSPREVIOUS"}}
		if diff := cmp.Diff(want, got, sortStrings); diff != "" {
			t.Errorf("VersionIdsToStages (-want +got):\n%s", diff)
		}
	}},
	{name: "get without stage follows a moved current", motoBug: motoBugStaleCurrent, run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2")), VersionStages: []string{"AWSPENDING"}})
		if _, err := c.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"),
			MoveToVersionId: aws.String(token("v2")), RemoveFromVersionId: aws.String(token("v1")),
		}); err != nil {
			t.Fatal(err)
		}
		out, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if v := aws.ToString(out.SecretString); v != "two" {
			t.Errorf("default GetSecretValue = %q, want two", v)
		}
	}},
	{name: "moving current needs RemoveFromVersionId", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2")), VersionStages: []string{"AWSPENDING"}})
		_, err := c.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: aws.String(token("v2")),
		})
		wantErr[*types.InvalidParameterException](t, err)
		_, err = c.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{
			SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT"),
			MoveToVersionId: aws.String(token("v2")), RemoveFromVersionId: aws.String(token("v2")),
		})
		wantErr[*types.InvalidParameterException](t, err)
		if v, _ := get(t, c, name, "AWSCURRENT"); v != "one" {
			t.Errorf("AWSCURRENT = %q, want one", v)
		}
	}},
	{name: "client request token must be 32 to 64 characters", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		_, err := c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String("two"), ClientRequestToken: aws.String("short")})
		wantErr[*types.InvalidParameterException](t, err)
	}},
	{name: "scheduled deletion blocks reads until restored", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		ctx := t.Context()
		mustCreate(t, c, name, "one", token("v1"))
		del, err := c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(7)})
		if err != nil {
			t.Fatal(err)
		}
		if d := time.Until(aws.ToTime(del.DeletionDate)); d < 6*24*time.Hour || d > 8*24*time.Hour {
			t.Errorf("DeletionDate in %v, want about 7 days", d)
		}
		_, err = c.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT")})
		wantErr[*types.InvalidRequestException](t, err)
		desc, err := c.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if desc.DeletedDate == nil {
			t.Error("DescribeSecret DeletedDate is nil for a secret scheduled for deletion")
		}
		_, err = c.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(7)})
		wantErr[*types.InvalidRequestException](t, err)
		if listed(t, c, name, false) {
			t.Error("ListSecrets lists a secret scheduled for deletion")
		}
		if !listed(t, c, name, true) {
			t.Error("ListSecrets IncludePlannedDeletion misses the secret")
		}
		if _, err := c.RestoreSecret(ctx, &secretsmanager.RestoreSecretInput{SecretId: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if v, _ := get(t, c, name, "AWSCURRENT"); v != "one" {
			t.Errorf("after restore AWSCURRENT = %q, want one", v)
		}
	}},
	{name: "force delete removes the secret", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		if _, err := c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(name), VersionStage: aws.String("AWSCURRENT")})
		wantErr[*types.ResourceNotFoundException](t, err)
		mustCreate(t, c, name, "again", token("v2"))
	}},
	{name: "delete options are exclusive and bounded", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name, "one", token("v1"))
		_, err := c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(7), ForceDeleteWithoutRecovery: aws.Bool(true)})
		wantErr[*types.InvalidParameterException](t, err)
		_, err = c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String(name), RecoveryWindowInDays: aws.Int64(3)})
		wantErr[*types.InvalidParameterException](t, err)
		if v, _ := get(t, c, name, "AWSCURRENT"); v != "one" {
			t.Errorf("AWSCURRENT = %q, want one", v)
		}
	}},
	{name: "list secrets by name prefix", run: func(t *testing.T, c *secretsmanager.Client, name string) {
		mustCreate(t, c, name+"/a", "a", token("a"))
		mustCreate(t, c, name+"/b", "b", token("b"))
		out, err := c.ListSecrets(t.Context(), &secretsmanager.ListSecretsInput{Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{name + "/"}}}})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range out.SecretList {
			names = append(names, aws.ToString(s.Name))
		}
		if diff := cmp.Diff([]string{name + "/a", name + "/b"}, names, sortStrings); diff != "" {
			t.Errorf("ListSecrets names (-want +got):\n%s", diff)
		}
	}},
}

// listed reports whether ListSecrets (following pages) returns name.
func listed(t *testing.T, c *secretsmanager.Client, name string, planned bool) bool {
	t.Helper()
	p := secretsmanager.NewListSecretsPaginator(c, &secretsmanager.ListSecretsInput{IncludePlannedDeletion: aws.Bool(planned)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.WithoutCancel(t.Context()))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.SecretList {
			if aws.ToString(s.Name) == name {
				return true
			}
		}
	}
	return false
}
