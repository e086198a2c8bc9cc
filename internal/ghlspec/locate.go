package ghlspec

import (
	"errors"
	"os"
	"path/filepath"
)

// EnvSharedDir names the environment variable that overrides where the shared
// reference folder (the one holding ghl-api/) lives.
const EnvSharedDir = "GHLSYNC_SHARED"

// ErrSharedNotFound reports that the shared reference folder could not be found.
var ErrSharedNotFound = errors.New("ghlspec: shared reference folder not found (set " + EnvSharedDir + " or place shared/ beside the repository)")

// SharedDir returns the shared reference folder: $GHLSYNC_SHARED if set,
// otherwise the "shared" folder beside the module root found by walking up
// from the working directory.
func SharedDir() (string, error) {
	if d := os.Getenv(EnvSharedDir); d != "" {
		if _, err := os.Stat(filepath.Join(d, "ghl-api")); err != nil {
			return "", ErrSharedNotFound
		}
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			cand := filepath.Join(filepath.Dir(dir), "shared")
			if _, err := os.Stat(filepath.Join(cand, "ghl-api")); err == nil {
				return cand, nil
			}
			return "", ErrSharedNotFound
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrSharedNotFound
		}
		dir = parent
	}
}

// AppsDir returns the folder of the v2 app specs (contacts.json, calendars.json, ...).
func AppsDir() (string, error) {
	d, err := SharedDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "ghl-api", "openapi", "apps"), nil
}

// WebhooksDir returns the folder of the GHL webhook schemas and examples.
func WebhooksDir() (string, error) {
	d, err := SharedDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "ghl-api", "webhooks"), nil
}
