package devserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/ghlsync/ghlsync/internal/secretstest"
)

// localSecrets is the local run's Secrets Manager: the secretstest Double,
// reached in process by a real SDK client (no port), with the current
// value of every secret saved to a JSON file (mode 0600) after each change
// and loaded at start.
type localSecrets struct {
	path   string
	double *secretstest.Double
	client *secretsmanager.Client

	mu sync.Mutex // serialises saves
}

// secretsFile is the file's format: secret name → current SecretString.
type secretsFile struct {
	Note    string            `json:"note"`
	Secrets map[string]string `json:"secrets"`
}

const secretsNote = "ghlsync dev: local secrets (sandbox tokens, the generated peer signing secret and pull key). Local only; never commit."

// mutating are the operations after which the file is saved.
var mutating = map[string]bool{
	"secretsmanager." + secretstest.OpCreateSecret:             true,
	"secretsmanager." + secretstest.OpPutSecretValue:           true,
	"secretsmanager." + secretstest.OpUpdateSecretVersionStage: true,
	"secretsmanager." + secretstest.OpDeleteSecret:             true,
	"secretsmanager." + secretstest.OpRestoreSecret:            true,
}

func openSecrets(ctx context.Context, path string) (*localSecrets, error) {
	s := &localSecrets{path: path, double: secretstest.New()}
	s.client = secretstest.NewClient("http://local-secrets", func(o *secretsmanager.Options) {
		o.HTTPClient = &http.Client{Transport: handlerTransport{s}}
		o.RetryMaxAttempts = 1
	})
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return s, s.save(ctx)
	case err != nil:
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	var f secretsFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("secrets file %s: not JSON of the expected form (%v); move it away to start afresh", path, err)
	}
	for name, value := range f.Secrets {
		if _, err := s.client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)}); err != nil {
			return nil, fmt.Errorf("secrets file: load %s: %w", name, err)
		}
	}
	return s, nil
}

// ServeHTTP passes the request to the Double and saves after a change.
func (s *localSecrets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	s.double.ServeHTTP(rec, r)
	if mutating[r.Header.Get("X-Amz-Target")] && rec.Code == http.StatusOK {
		if err := s.save(r.Context()); err != nil {
			http.Error(w, `{"__type":"InternalServiceError","message":"local secrets file: `+err.Error()+`"}`, http.StatusInternalServerError)
			return
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

// save writes the current value of every readable secret.
func (s *localSecrets) save(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := secretsFile{Note: secretsNote, Secrets: map[string]string{}}
	p := secretsmanager.NewListSecretsPaginator(s.client, &secretsmanager.ListSecretsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, e := range page.SecretList {
			out, err := s.client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: e.Name})
			var invalid *smtypes.InvalidRequestException
			if errors.As(err, &invalid) {
				continue // scheduled for deletion
			}
			if err != nil {
				return err
			}
			if out.SecretString != nil {
				f.Secrets[aws.ToString(e.Name)] = *out.SecretString
			}
		}
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(s.path, append(b, '\n'), 0o600)
}

// writeFileAtomic writes to a temporary file and renames it over path.
func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// handlerTransport serves HTTP requests with an in-process handler.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	res := rec.Result()
	res.Request = r
	return res, nil
}
