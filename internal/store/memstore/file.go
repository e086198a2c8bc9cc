package memstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ghlsync/ghlsync/internal/store"
)

// fileVersion is the format version of the JSON file Open reads and writes.
const fileVersion = 1

// snapshot is the JSON file: every record except rate budget windows, each
// list in key order so the file diffs cleanly.
type snapshot struct {
	Version       int                       `json:"version"`
	Idempotency   []store.IdempotencyRecord `json:"idempotency"`
	Links         []store.Link              `json:"links"`
	Cursors       []store.Cursor            `json:"cursors"`
	Leases        []namedLease              `json:"leases"`
	Installations []store.Installation      `json:"installations"`
}

type namedLease struct {
	Name string `json:"name"`
	lease
}

// Open returns a Store backed by the JSON file at path: it loads the file if
// it exists and rewrites it after every change, atomically (a temporary file
// in the same directory, synced, then renamed over path). A change that
// cannot be saved is undone in memory and its method returns the error.
// Rate budget windows are not saved.
func Open(path string) (*Store, error) {
	s := New()
	s.path = path
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open store file %s: %w", path, err)
	}
	var snap snapshot
	if err := json.Unmarshal(b, &snap); err != nil {
		return nil, fmt.Errorf("open store file %s: %w", path, err)
	}
	if snap.Version != fileVersion {
		return nil, fmt.Errorf("open store file %s: format version %d, want %d", path, snap.Version, fileVersion)
	}
	for _, rec := range snap.Idempotency {
		s.idem[idemKey{rec.Scope, rec.Key}] = rec
	}
	for _, l := range snap.Links {
		s.links[linkKey{l.LocationID, l.Kind, l.GHLID}] = l
		s.peers[linkKey{l.LocationID, l.Kind, l.PeerID}] = l.GHLID
	}
	for _, c := range snap.Cursors {
		s.cursors[cursorKey{c.LocationID, c.Stream}] = c
	}
	for _, l := range snap.Leases {
		s.leases[l.Name] = l.lease
	}
	for _, in := range snap.Installations {
		s.installs[in.LocationID] = in
	}
	return s, nil
}

// save writes the file when the store has one; on failure it calls undo, so
// memory matches the file again. The caller holds s.mu.
func (s *Store) save(undo func()) error {
	if s.path == "" {
		return nil
	}
	if err := writeFileAtomic(s.path, s.snapshot()); err != nil {
		undo()
		return fmt.Errorf("save store file %s: %w", s.path, err)
	}
	return nil
}

func (s *Store) snapshot() snapshot {
	snap := snapshot{Version: fileVersion}
	for _, rec := range s.idem {
		snap.Idempotency = append(snap.Idempotency, rec)
	}
	slices.SortFunc(snap.Idempotency, func(a, b store.IdempotencyRecord) int {
		return cmpJoin(a.Scope, a.Key, b.Scope, b.Key)
	})
	for _, l := range s.links {
		snap.Links = append(snap.Links, l)
	}
	slices.SortFunc(snap.Links, func(a, b store.Link) int {
		if c := cmpJoin(a.LocationID, string(a.Kind), b.LocationID, string(b.Kind)); c != 0 {
			return c
		}
		return strings.Compare(a.GHLID, b.GHLID)
	})
	for _, c := range s.cursors {
		snap.Cursors = append(snap.Cursors, c)
	}
	slices.SortFunc(snap.Cursors, func(a, b store.Cursor) int {
		return cmpJoin(a.LocationID, a.Stream, b.LocationID, b.Stream)
	})
	for name, l := range s.leases {
		snap.Leases = append(snap.Leases, namedLease{Name: name, lease: l})
	}
	slices.SortFunc(snap.Leases, func(a, b namedLease) int { return strings.Compare(a.Name, b.Name) })
	for _, in := range s.installs {
		snap.Installations = append(snap.Installations, in)
	}
	slices.SortFunc(snap.Installations, func(a, b store.Installation) int {
		return strings.Compare(a.LocationID, b.LocationID)
	})
	return snap
}

func cmpJoin(a1, a2, b1, b2 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	return strings.Compare(a2, b2)
}

func writeFileAtomic(path string, snap snapshot) error {
	b, err := json.MarshalIndent(snap, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	done = true
	return nil
}
