package memstore_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
)

var now = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func TestOpenMissingFileIsEmpty(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := memstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.ListInstallations(t.Context())
	if err != nil || len(got) != 0 {
		t.Fatalf("ListInstallations = %v, %v; want empty", got, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open created the file before any change: %v", err)
	}
}

func TestReopenKeepsRecords(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	st, err := memstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rec := store.IdempotencyRecord{Scope: "ghl", Key: "wh-1", Expiration: now.Add(time.Hour).Unix(), PayloadHash: "h"}
	if _, err := st.ClaimIdempotency(ctx, rec, now); err != nil {
		t.Fatal(err)
	}
	if err := st.CompleteIdempotency(ctx, "ghl", "wh-1", []byte(`{"ok":true}`), rec.Expiration); err != nil {
		t.Fatal(err)
	}
	l, err := st.PutLink(ctx, store.Link{LocationID: "loc-1", Kind: store.KindTask, GHLID: "g1", PeerID: "p1", UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	cur := store.Cursor{LocationID: "loc-1", Stream: "contacts", Position: "p", UpdatedAt: now}
	in := store.Installation{LocationID: "loc-1", Status: store.InstallActive, SecretName: "s"}
	for _, err := range []error{st.PutCursor(ctx, cur), st.PutInstallation(ctx, in)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if ok, err := st.AcquireLease(ctx, "lease-1", "a", time.Minute, now); err != nil || !ok {
		t.Fatalf("AcquireLease = %v, %v", ok, err)
	}
	if n, _, err := st.TakeRateBudget(ctx, "loc-1", 5, 5, 10*time.Second, now); err != nil || n != 5 {
		t.Fatalf("TakeRateBudget = %d, %v", n, err)
	}

	re, err := memstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	gotRec, err := re.GetIdempotency(ctx, "ghl", "wh-1", now)
	if err != nil {
		t.Fatal(err)
	}
	wantRec := rec
	wantRec.Status, wantRec.Result = store.StatusCompleted, []byte(`{"ok":true}`)
	if d := cmp.Diff(wantRec, *gotRec); d != "" {
		t.Errorf("idempotency record (-want +got):\n%s", d)
	}
	gotLink, err := re.GetLinkByPeer(ctx, "loc-1", store.KindTask, "p1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(*l, *gotLink); d != "" {
		t.Errorf("link (-want +got):\n%s", d)
	}
	gotCur, err := re.GetCursor(ctx, "loc-1", "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(cur, *gotCur); d != "" {
		t.Errorf("cursor (-want +got):\n%s", d)
	}
	gotIn, err := re.GetInstallation(ctx, "loc-1")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(in, *gotIn); d != "" {
		t.Errorf("installation (-want +got):\n%s", d)
	}
	if ok, err := re.AcquireLease(ctx, "lease-1", "b", time.Minute, now.Add(time.Second)); err != nil || ok {
		t.Errorf("lease held by a before the restart: AcquireLease(b) = %v, %v; want false", ok, err)
	}
	if n, _, err := re.TakeRateBudget(ctx, "loc-1", 5, 5, 10*time.Second, now); err != nil || n != 5 {
		t.Errorf("rate budget after restart = %d, %v; want a fresh window (windows are not saved)", n, err)
	}

	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "state.json" {
		t.Errorf("directory holds %v, want only state.json (no temporary files left)", entries)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode %v, want 0600", perm)
	}
}

func TestFailedSaveIsUndone(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	st, err := memstore.Open(filepath.Join(dir, "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	first, err := st.PutLink(ctx, store.Link{LocationID: "loc-1", Kind: store.KindContact, GHLID: "g1", PeerID: "p1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}

	next := *first
	next.PeerID = "p2"
	if _, err := st.PutLink(ctx, next); err == nil {
		t.Fatal("PutLink succeeded without a directory to save into")
	}
	got, err := st.GetLinkByPeer(ctx, "loc-1", store.KindContact, "p1")
	if err != nil {
		t.Fatalf("old peer side after a failed save: %v", err)
	}
	if d := cmp.Diff(*first, *got); d != "" {
		t.Errorf("link after a failed save (-want +got):\n%s", d)
	}
	if _, err := st.GetLinkByPeer(ctx, "loc-1", store.KindContact, "p2"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("new peer side after a failed save: %v, want ErrNotFound", err)
	}

	rec := store.IdempotencyRecord{Scope: "ghl", Key: "wh-1", Expiration: now.Add(time.Hour).Unix()}
	if _, err := st.ClaimIdempotency(ctx, rec, now); err == nil {
		t.Fatal("ClaimIdempotency succeeded without a directory to save into")
	}
	if _, err := st.GetIdempotency(ctx, "ghl", "wh-1", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claim after a failed save: %v, want ErrNotFound", err)
	}
	if ok, err := st.AcquireLease(ctx, "lease-1", "a", time.Minute, now); err == nil || ok {
		t.Errorf("AcquireLease without a directory = %v, %v; want false and an error", ok, err)
	}
}

func TestOpenRejectsBadFiles(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"not JSON":      "{",
		"wrong version": `{"version": 99}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := memstore.Open(path); err == nil {
				t.Fatal("Open accepted a bad file")
			}
		})
	}
}

func TestFileIsReadableJSON(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := memstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []string{"loc-b", "loc-a"} {
		if err := st.PutInstallation(t.Context(), store.Installation{LocationID: loc, Status: store.InstallActive}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Version       int `json:"version"`
		Installations []struct {
			LocationID string
			Status     string
		} `json:"installations"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		LocationID string
		Status     string
	}{{"loc-a", "active"}, {"loc-b", "active"}}
	if file.Version != 1 || !cmp.Equal(want, file.Installations) {
		t.Errorf("file = version %d, installations %+v; want version 1, %+v", file.Version, file.Installations, want)
	}
}

// TestExpiredRecordsArePruned checks that a long local run does not keep
// every expired idempotency record: claims sweep them out periodically.
func TestExpiredRecordsArePruned(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "state.json")
	st, err := memstore.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	claim := func(key string, at time.Time) {
		t.Helper()
		if _, err := st.ClaimIdempotency(ctx, store.IdempotencyRecord{Scope: "ghl", Key: key, Expiration: at.Add(time.Minute).Unix()}, at); err != nil {
			t.Fatal(err)
		}
	}
	claim("old", now)
	later := now.Add(time.Hour)
	for i := range 300 {
		claim(fmt.Sprintf("new-%d", i), later)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Idempotency []struct{ Key string } `json:"idempotency"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Idempotency) != 300 {
		t.Errorf("file holds %d idempotency records, want the 300 live ones", len(file.Idempotency))
	}
	for _, rec := range file.Idempotency {
		if rec.Key == "old" {
			t.Error("the expired record was kept")
		}
	}
}
