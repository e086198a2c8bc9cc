package authcmd

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/secretstest"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// TestBrowserFlow runs "ghlsync auth" end to end against the sandbox: it
// reads the printed authorization URL, plays the browser (the sandbox's
// install gives the code; the redirect is a GET), and checks that the
// location's secret is stored and its reauth_required installation is
// active again.
func TestBrowserFlow(t *testing.T) {
	t.Parallel()
	sb, err := ghlsandbox.New(ghlsandbox.Options{RateLimit: ghlsandbox.RateLimitOptions{Disabled: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	ghlSrv := httptest.NewServer(sb)
	t.Cleanup(ghlSrv.Close)
	loc, err := sb.AddLocation(ghlsandbox.LocationOptions{})
	if err != nil {
		t.Fatal(err)
	}
	secrets := secretstest.Start(t)
	app := sb.App()
	storeFile := filepath.Join(t.TempDir(), "store.json")
	st, err := memstore.Open(storeFile)
	if err != nil {
		t.Fatal(err)
	}
	// The location's refresh token was rejected earlier.
	if err := st.PutInstallation(t.Context(), store.Installation{LocationID: loc.ID, CompanyID: sb.CompanyID(), Status: store.InstallReauthRequired,
		SecretName: "ghlsync/dev/locations/" + loc.ID, Reason: "refresh token rejected (invalid_grant)"}); err != nil {
		t.Fatal(err)
	}

	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := Command{Secrets: secrets.Client()}.Run(t.Context(), []string{
			"--client-id", app.ClientID, "--client-secret", app.ClientSecret, "--ghl-base-url", ghlSrv.URL,
			"--authorize-url", ghlSrv.URL + "/v2/oauth/chooselocation", "--store-file", storeFile, "--timeout", "30s",
		}, pw, io.Discard)
		_ = pw.Close()
		done <- err
	}()
	var authURL *url.URL
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		out.WriteString(line + "\n")
		if strings.HasPrefix(line, ghlSrv.URL+"/v2/oauth/chooselocation?") {
			if authURL, err = url.Parse(line); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if authURL == nil {
		t.Fatalf("no authorization URL in:\n%s", out.String())
	}
	q := authURL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != app.ClientID || q.Get("scope") != DefaultScopes ||
		install.VerifyState(install.StateKey(app.ClientSecret), q.Get("state"), time.Now()) != nil {
		t.Fatalf("authorization URL query = %v", q)
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Hostname() != "127.0.0.1" || redirect.Path != "/oauth/callback" {
		t.Fatalf("redirect_uri = %q", q.Get("redirect_uri"))
	}

	// The browser: the person picks the location, GHL redirects with a code.
	in, err := sb.InstallApp(ghlsandbox.InstallOptions{LocationID: loc.ID})
	if err != nil {
		t.Fatal(err)
	}
	redirect.RawQuery = url.Values{"code": {in.Code}, "state": {q.Get("state")}}.Encode()
	resp, err := http.Get(redirect.String())
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "ghlsync installed for location "+loc.ID) {
		t.Errorf("redirect answer = %d %s", resp.StatusCode, page)
	}
	rest, _ := io.ReadAll(pr)
	if err := <-done; err != nil {
		t.Fatalf("auth: %v", err)
	}
	if !strings.Contains(string(rest), "installed for location "+loc.ID) {
		t.Errorf("output = %s", rest)
	}

	sv, err := secrets.Client().GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("ghlsync/dev/locations/" + loc.ID)})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := tokens.ParseOAuthSecret([]byte(aws.ToString(sv.SecretString)))
	if err != nil || sec.LocationID != loc.ID || sec.RefreshToken == "" {
		t.Fatalf("secret = %v, %v", sec, err)
	}
	if strings.Contains(out.String()+string(rest), sec.AccessToken.Reveal()) {
		t.Error("a token was printed")
	}
	re, err := memstore.Open(storeFile)
	if err != nil {
		t.Fatal(err)
	}
	got, err := re.GetInstallation(t.Context(), loc.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := store.Installation{LocationID: loc.ID, CompanyID: sb.CompanyID(), Status: store.InstallActive,
		SecretName: "ghlsync/dev/locations/" + loc.ID, Reason: install.ReasonAuthorized}
	if d := cmp.Diff(want, *got, cmpopts.IgnoreFields(store.Installation{}, "UpdatedAt")); d != "" {
		t.Errorf("installation (-want +got):\n%s", d)
	}
}

// TestPIT stores a Private Integration Token and activates the location.
func TestPIT(t *testing.T) {
	t.Parallel()
	secrets := secretstest.Start(t)
	storeFile := filepath.Join(t.TempDir(), "store.json")
	var out strings.Builder
	err := Command{Secrets: secrets.Client()}.Run(t.Context(), []string{"--pit", "pit-abc-123", "--location", "LocPITRecovery00001", "--store-file", storeFile, "--stage", "prod"}, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "pit-abc-123") {
		t.Error("the token was printed")
	}
	sv, err := secrets.Client().GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("ghlsync/prod/locations/LocPITRecovery00001")})
	if err != nil {
		t.Fatal(err)
	}
	pit, err := tokens.ParsePITSecret([]byte(aws.ToString(sv.SecretString)))
	if err != nil || pit.Token.Reveal() != "pit-abc-123" || pit.LocationID != "LocPITRecovery00001" {
		t.Fatalf("PIT secret = %v, %v", pit, err)
	}
	st, err := memstore.Open(storeFile)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.GetInstallation(t.Context(), "LocPITRecovery00001")
	if err != nil || got.Status != store.InstallActive || got.Reason != install.ReasonPIT {
		t.Errorf("installation = %+v, %v", got, err)
	}
}

// TestUsage checks help and usage errors.
func TestUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		wantErr error
	}{
		{"help", []string{"--help"}, flag.ErrHelp},
		{"pit without location", []string{"--pit", "x", "--store-file", "f"}, ErrUsage},
		{"no store", []string{"--pit", "x", "--location", "L"}, ErrUsage},
		{"two stores", []string{"--table", "t", "--store-file", "f"}, ErrUsage},
		{"listener not on loopback", []string{"--store-file", "f", "--listen", "0.0.0.0:0"}, ErrUsage},
		{"stray argument", []string{"--store-file", "f", "extra"}, ErrUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			err := Run(ctx, tt.args, io.Discard, io.Discard)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Run(%q) = %v, want %v", tt.args, err, tt.wantErr)
			}
		})
	}
}
