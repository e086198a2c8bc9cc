package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/dynamotest"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/lambdatest"
	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
)

// TestBootstrap builds the real bootstrap (CGO_ENABLED=0, -tags
// lambda.norpc), runs it under the fake Lambda Runtime API against DynamoDB
// Local, a Secrets Manager double and the GHL sandbox, and invokes it with
// every sample event (GHL_WEBHOOK_WINDOW=0: the samples' timestamps are old).
func TestBootstrap(t *testing.T) {
	t.Parallel()
	client := dynamotest.Client(t)
	table := dynamotest.TableName(t)
	if err := dynamostore.CreateTable(t.Context(), client, table); err != nil {
		t.Fatal(err)
	}
	st := dynamostore.New(client, table)

	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	priv, pub := testKey(t)
	sb, err := ghlsandbox.New(ghlsandbox.Options{Ed25519Key: priv, RateLimit: ghlsandbox.RateLimitOptions{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	ghlSrv := httptest.NewServer(sb)
	t.Cleanup(ghlSrv.Close)
	secrets := secretstest.Start(t)
	app := sb.App()
	appJSON, _ := json.Marshal(map[string]string{"client_id": app.ClientID, "client_secret": app.ClientSecret})
	for name, value := range map[string]string{
		"ghlsync/test/app":         string(appJSON),
		locationSecret(fixtureLoc): `{"private_integration_token":"pit-sample","location_id":"` + fixtureLoc + `"}`,
	} {
		if _, err := secrets.Client().CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}); err != nil {
			t.Fatal(err)
		}
	}

	rt, err := lambdatest.NewRuntime()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	fn, err := rt.Start(t.Context(), bin, []string{
		"STAGE=test", "TABLE_NAME=" + table, "SECRET_PREFIX=" + prefix,
		"DYNAMODB_ENDPOINT=" + dynamotest.Endpoint(t), "SECRETSMANAGER_ENDPOINT=" + secrets.URL,
		"GHL_BASE_URL=" + ghlSrv.URL, "GHL_WEBHOOK_ED25519_PUBLIC_KEY=" + string(pub), "GHL_WEBHOOK_WINDOW=0",
		"SECRET_DELETION_DAYS=" + itoa(deletionDays),
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
		"HOME=" + t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fn.Stop() })

	loc, err := sb.AddLocation(ghlsandbox.LocationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	code := func() string {
		in, err := sb.InstallApp(ghlsandbox.InstallOptions{LocationID: loc.ID})
		if err != nil {
			t.Fatal(err)
		}
		return in.Code
	}
	state, err := install.SignState(install.StateKey(app.ClientSecret), time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		file        string
		edit        func(events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest
		wantStatus  int
		wantBody    string
		id          string
		wantStatus2 store.InstallationStatus
	}{
		{file: "webhook-install-agency.json", wantStatus: 200, wantBody: `"outcome":"awaiting_authorization"`, id: fixtureAgency, wantStatus2: store.InstallReauthRequired},
		{file: "webhook-install-location.json", wantStatus: 200, wantBody: `"outcome":"awaiting_authorization"`, id: fixtureLoc, wantStatus2: store.InstallReauthRequired},
		{file: "webhook-install-location.json", wantStatus: 200, wantBody: `"replayed":true`, id: fixtureLoc, wantStatus2: store.InstallReauthRequired},
		{file: "webhook-uninstall-location.json", wantStatus: 200, wantBody: `"outcome":"uninstalled"`, id: fixtureLoc, wantStatus2: store.InstallUninstalled},
		{file: "oauth-callback-with-state.json", wantStatus: 400, wantBody: `"error":"bad_state"`},
		{file: "oauth-callback-without-state.json", wantStatus: 400, wantBody: `"error":"code_rejected"`},
		{file: "oauth-callback-with-state.json", edit: func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
			return withQuery(ev, map[string]string{"code": code(), "state": state})
		}, wantStatus: 200, wantBody: "ghlsync installed for location " + loc.ID, id: loc.ID, wantStatus2: store.InstallActive},
		{file: "oauth-callback-without-state.json", edit: func(ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPRequest {
			return withQuery(ev, map[string]string{"code": code()})
		}, wantStatus: 200, wantBody: "ghlsync installed for location " + loc.ID, id: loc.ID, wantStatus2: store.InstallActive},
	}
	for i, tt := range tests {
		ev := loadEvent(t, tt.file)
		if tt.edit != nil {
			ev = tt.edit(ev)
		}
		payload, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		res, err := rt.Invoke(t.Context(), payload, 10*time.Second)
		if err != nil {
			t.Fatalf("%d %s: %v\n%s", i, tt.file, err, fn.Output())
		}
		if res.Error != nil {
			t.Fatalf("%d %s: invocation error %+v\n%s", i, tt.file, res.Error, fn.Output())
		}
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(res.Payload, &resp); err != nil {
			t.Fatalf("%d %s: %v", i, tt.file, err)
		}
		if resp.StatusCode != tt.wantStatus || !strings.Contains(resp.Body, tt.wantBody) {
			t.Errorf("%d %s: %d %s, want %d containing %s", i, tt.file, resp.StatusCode, resp.Body, tt.wantStatus, tt.wantBody)
		}
		if tt.id != "" {
			in, err := st.GetInstallation(t.Context(), tt.id)
			if err != nil || in.Status != tt.wantStatus2 {
				t.Errorf("%d %s: installation %s = %+v, %v; want %s", i, tt.file, tt.id, in, err, tt.wantStatus2)
			}
		}
	}
	if n := secrets.Calls(secretstest.OpDeleteSecret); n != 1 {
		t.Errorf("DeleteSecret calls = %d, want 1", n)
	}
	out := fn.Output()
	if got := strings.Count(out, `"message":"app-install request"`); got != len(tests) {
		t.Errorf("%d request log lines for %d invocations:\n%s", got, len(tests), out)
	}
	if strings.Contains(out, "pit-sample") || strings.Contains(out, app.ClientSecret) {
		t.Errorf("a secret reached the log:\n%s", out)
	}
}
