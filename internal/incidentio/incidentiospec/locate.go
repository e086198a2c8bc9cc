package incidentiospec

import (
	"path/filepath"

	"github.com/ghlsync/ghlsync/internal/ghlspec"
)

// SpecFile returns the path of the incident.io spec:
// <shared>/incidentio-api/openapi3.json, where <shared> is
// ghlspec.SharedDir (the "shared" folder beside the module, or
// $GHLSYNC_SHARED).
func SpecFile() (string, error) {
	d, err := ghlspec.SharedDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "incidentio-api", "openapi3.json"), nil
}
