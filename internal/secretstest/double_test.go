package secretstest_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/secretstest"
)

func TestProtocolRejects(t *testing.T) {
	t.Parallel()
	s := secretstest.Start(t)
	tests := []struct {
		name       string
		method     string
		header     map[string]string
		wantStatus int
		wantBody   string
	}{
		{"GET", http.MethodGet, nil, http.StatusMethodNotAllowed, `"__type":"InvalidAction"`},
		{"wrong content type", http.MethodPost, map[string]string{"Content-Type": "application/json", "Authorization": "AWS4-HMAC-SHA256 Credential=x", "X-Amz-Target": "secretsmanager.GetSecretValue"}, 400, `"__type":"SerializationException"`},
		{"unsigned", http.MethodPost, map[string]string{"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"}, 403, `"__type":"IncompleteSignatureException"`},
		{"unknown op", http.MethodPost, map[string]string{"Content-Type": "application/x-amz-json-1.1", "Authorization": "AWS4-HMAC-SHA256 Credential=x", "X-Amz-Target": "secretsmanager.RotateSecret"}, 400, `"__type":"UnknownOperationException"`},
		{"other service", http.MethodPost, map[string]string{"Content-Type": "application/x-amz-json-1.1", "Authorization": "AWS4-HMAC-SHA256 Credential=x", "X-Amz-Target": "DynamoDB_20120810.GetItem"}, 400, `"__type":"UnknownOperationException"`},
		{"bad json", http.MethodPost, map[string]string{"Content-Type": "application/x-amz-json-1.1", "Authorization": "AWS4-HMAC-SHA256 Credential=x", "X-Amz-Target": "secretsmanager.GetSecretValue"}, 400, `"__type":"SerializationException"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := http.NewRequestWithContext(t.Context(), tc.method, s.URL, bytes.NewReader([]byte("{not json")))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(resp.Body)
			if resp.StatusCode != tc.wantStatus || !bytes.Contains(buf.Bytes(), []byte(tc.wantBody)) {
				t.Errorf("got %d %s, want %d containing %s", resp.StatusCode, buf.String(), tc.wantStatus, tc.wantBody)
			}
		})
	}
}

func TestCallsCountEveryRequest(t *testing.T) {
	t.Parallel()
	s := secretstest.Start(t)
	c := s.Client()
	mustCreate(t, c, "calls", "v", token("v1"))
	for range 3 {
		get(t, c, "calls", "AWSCURRENT")
	}
	_, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("absent")})
	wantErr[*types.ResourceNotFoundException](t, err)
	got := map[string]int{"create": s.Calls(secretstest.OpCreateSecret), "get": s.Calls(secretstest.OpGetSecretValue), "put": s.Calls(secretstest.OpPutSecretValue)}
	if diff := cmp.Diff(map[string]int{"create": 1, "get": 4, "put": 0}, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	s.ResetCalls()
	if n := s.Calls(secretstest.OpGetSecretValue); n != 0 {
		t.Errorf("after ResetCalls get = %d", n)
	}
}

func TestLostPutResponseRetriedBySDKMakesOneVersion(t *testing.T) {
	t.Parallel()
	s := secretstest.Start(t)
	c := s.Client() // default SDK retryer: retries a 500 with the same ClientRequestToken
	mustCreate(t, c, "lost", "one", token("v1"))
	s.FailNext(secretstest.OpPutSecretValue, secretstest.Fault{AfterApply: true})
	out := mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String("lost"), SecretString: aws.String("two")})
	if n := s.Calls(secretstest.OpPutSecretValue); n != 2 {
		t.Errorf("PutSecretValue requests = %d, want 2 (one lost, one retried)", n)
	}
	if diff := cmp.Diff([]string{token("v1"), aws.ToString(out.VersionId)}, s.VersionIDs("lost")); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if v, _ := get(t, c, "lost", "AWSPREVIOUS"); v != "one" {
		t.Errorf("AWSPREVIOUS = %q, want one", v)
	}
}

func TestStalledPutTimesOutAfterApplying(t *testing.T) {
	t.Parallel()
	s := secretstest.Start(t)
	c := s.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 })
	mustCreate(t, c, "stall", "one", token("v1"))
	s.FailNext(secretstest.OpPutSecretValue, secretstest.Fault{AfterApply: true, Stall: true})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	in := &secretsmanager.PutSecretValueInput{SecretId: aws.String("stall"), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2"))}
	if _, err := c.PutSecretValue(ctx, in); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stalled put error = %v, want deadline exceeded", err)
	}
	mustPut(t, c, in) // the caller's retry with the same token is ignored
	if diff := cmp.Diff([]string{token("v1"), token("v2")}, s.VersionIDs("stall")); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
}

func TestFaultBeforeApplyChangesNothing(t *testing.T) {
	t.Parallel()
	s := secretstest.Start(t)
	c := s.Client(func(o *secretsmanager.Options) { o.RetryMaxAttempts = 1 })
	mustCreate(t, c, "before", "one", token("v1"))
	s.FailNext(secretstest.OpPutSecretValue, secretstest.Fault{Times: 2})
	in := &secretsmanager.PutSecretValueInput{SecretId: aws.String("before"), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2"))}
	for i := range 2 {
		if _, err := c.PutSecretValue(t.Context(), in); err == nil {
			t.Fatalf("attempt %d: want injected error", i)
		}
	}
	if diff := cmp.Diff([]string{token("v1")}, s.VersionIDs("before")); diff != "" {
		t.Errorf("versions after failed puts (-want +got):\n%s", diff)
	}
	mustPut(t, c, in)
	if v, _ := get(t, c, "before", "AWSCURRENT"); v != "two" {
		t.Errorf("AWSCURRENT = %q, want two", v)
	}
}

func TestDeletedSecretRejectsWritesAndIsPurgedAfterWindow(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s := secretstest.Start(t, secretstest.WithClock(clock))
	c := s.Client()
	mustCreate(t, c, "doomed", "one", token("v1"))
	out, err := c.GetSecretValue(t.Context(), &secretsmanager.GetSecretValueInput{SecretId: aws.String("doomed")})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToTime(out.CreatedDate).Equal(now) {
		t.Errorf("CreatedDate = %v, want %v", out.CreatedDate, now)
	}
	if _, err := c.DeleteSecret(t.Context(), &secretsmanager.DeleteSecretInput{SecretId: aws.String("doomed"), RecoveryWindowInDays: aws.Int64(7)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String("doomed"), SecretString: aws.String("two")})
	wantErr[*types.InvalidRequestException](t, err)
	_, err = c.CreateSecret(t.Context(), &secretsmanager.CreateSecretInput{Name: aws.String("doomed"), SecretString: aws.String("two")})
	wantErr[*types.InvalidRequestException](t, err)
	desc, err := c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("doomed")})
	if err != nil {
		t.Fatal(err)
	}
	if want := now.Add(7 * 24 * time.Hour); !aws.ToTime(desc.DeletedDate).Equal(want) {
		t.Errorf("DeletedDate = %v, want %v", desc.DeletedDate, want)
	}
	mu.Lock()
	now = now.Add(7*24*time.Hour + time.Second)
	mu.Unlock()
	_, err = c.DescribeSecret(t.Context(), &secretsmanager.DescribeSecretInput{SecretId: aws.String("doomed")})
	wantErr[*types.ResourceNotFoundException](t, err)
	mustCreate(t, c, "doomed", "reborn", token("v2"))
}

func TestOtherLabelsAlsoNeedRemoveFrom(t *testing.T) {
	t.Parallel()
	s := secretstest.Start(t)
	c := s.Client()
	mustCreate(t, c, "labels", "one", token("v1"))
	mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String("labels"), SecretString: aws.String("two"), ClientRequestToken: aws.String(token("v2")), VersionStages: []string{"blue"}})
	mustPut(t, c, &secretsmanager.PutSecretValueInput{SecretId: aws.String("labels"), SecretString: aws.String("three"), ClientRequestToken: aws.String(token("v3")), VersionStages: []string{"green"}})
	_, err := c.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("labels"), VersionStage: aws.String("blue"), MoveToVersionId: aws.String(token("v3"))})
	wantErr[*types.InvalidParameterException](t, err)
	if _, err := c.UpdateSecretVersionStage(t.Context(), &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String("labels"), VersionStage: aws.String("blue"), MoveToVersionId: aws.String(token("v3")), RemoveFromVersionId: aws.String(token("v2"))}); err != nil {
		t.Fatal(err)
	}
	if v, _ := get(t, c, "labels", "blue"); v != "three" {
		t.Errorf("blue = %q, want three", v)
	}
	if diff := cmp.Diff(map[string][]string{token("v1"): {"AWSCURRENT"}, token("v3"): {"green", "blue"}}, stages(t, c, "labels")); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
}

func TestConcurrentPutsKeepOneCurrent(t *testing.T) {
	t.Parallel()
	s := secretstest.Start(t)
	c := s.Client()
	mustCreate(t, c, "race", "zero", token("v0"))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := c.PutSecretValue(t.Context(), &secretsmanager.PutSecretValueInput{SecretId: aws.String("race"), SecretString: aws.String(fmt.Sprint(i))}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	counts := map[string]int{}
	for _, st := range stages(t, c, "race") {
		for _, l := range st {
			counts[l]++
		}
	}
	if diff := cmp.Diff(map[string]int{"AWSCURRENT": 1, "AWSPREVIOUS": 1}, counts); diff != "" {
		t.Errorf("label counts (-want +got):\n%s", diff)
	}
	if n := len(s.VersionIDs("race")); n != 21 {
		t.Errorf("versions = %d, want 21", n)
	}
}
