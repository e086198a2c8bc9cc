package install_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ghlsync/ghlsync/internal/ghlspec"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// FuzzParseEvent: an app webhook body never panics the parser; it is
// either an INSTALL or UNINSTALL naming a valid location or company, or
// an error classified as ErrBadPayload or ErrUnsupportedEvent. Seeds:
// every GHL webhook example (the App* ones parse; the rest are refused).
func FuzzParseEvent(f *testing.F) {
	dir, err := ghlspec.WebhooksDir()
	if err != nil {
		f.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.example*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no webhook examples in %s: %v", dir, err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"install","locationId":"../../etc"}`))
	f.Add([]byte(`{"type":["INSTALL"]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		e, err := install.ParseEvent(body)
		if err != nil {
			if !errors.Is(err, install.ErrBadPayload) && !errors.Is(err, install.ErrUnsupportedEvent) {
				t.Fatalf("unclassified error %v", err)
			}
			return
		}
		if e.Type != install.TypeInstall && e.Type != install.TypeUninstall {
			t.Fatalf("accepted type %q", e.Type)
		}
		if e.LocationID == "" && e.CompanyID == "" {
			t.Fatal("accepted without locationId and companyId")
		}
		for _, id := range []string{e.LocationID, e.CompanyID} {
			if id != "" && tokens.ValidateID(id) != nil {
				t.Fatalf("accepted id %q", id)
			}
		}
	})
}
