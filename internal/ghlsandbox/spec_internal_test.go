package ghlsandbox

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/ghlsync/ghlsync/internal/ghlspec"
	"github.com/google/go-cmp/cmp"
)

type specDoc struct {
	Paths map[string]map[string]struct {
		OperationID string                `json:"operationId"`
		Security    []map[string][]string `json:"security"`
		Parameters  []struct {
			Name   string `json:"name"`
			In     string `json:"in"`
			Schema struct {
				Enum []string `json:"enum"`
			} `json:"schema"`
		} `json:"parameters"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

func loadSpecs(t *testing.T) map[string]specDoc {
	t.Helper()
	dir, err := ghlspec.AppsDir()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]specDoc{}
	for _, f := range ghlspec.SpecFiles {
		raw, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		var d specDoc
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = d
	}
	return out
}

// TestRoutesMatchSpec checks every sandbox route against the spec: the path
// and method exist with that operationId, the scope is the operation's
// security scope, and Version is the operation's only allowed value.
func TestRoutesMatchSpec(t *testing.T) {
	t.Parallel()
	specs := loadSpecs(t)
	for _, r := range buildRoutes() {
		t.Run(r.op, func(t *testing.T) {
			t.Parallel()
			var found bool
			for _, d := range specs {
				ops, ok := d.Paths[r.path]
				if !ok {
					continue
				}
				op, ok := ops[map[string]string{"GET": "get", "POST": "post", "PUT": "put", "DELETE": "delete"}[r.method]]
				if !ok {
					continue
				}
				found = true
				if op.OperationID != r.op {
					t.Errorf("operationId = %q, spec says %q", r.op, op.OperationID)
				}
				var scopes []string
				for _, sec := range op.Security {
					for _, s := range sec {
						scopes = append(scopes, s...)
					}
				}
				if r.auth == authNone {
					if len(scopes) != 0 {
						t.Errorf("spec requires scopes %v", scopes)
					}
				} else if len(scopes) != 1 || scopes[0] != r.scope {
					t.Errorf("scope = %q, spec says %v", r.scope, scopes)
				}
				var versions []string
				for _, p := range op.Parameters {
					if p.In == "header" && p.Name == "Version" {
						versions = p.Schema.Enum
					}
				}
				if r.version == "" && len(versions) != 0 || r.version != "" && !cmp.Equal(versions, []string{r.version}) {
					t.Errorf("Version = %q, spec allows %v", r.version, versions)
				}
			}
			if !found {
				t.Errorf("%s %s is not in the specs", r.method, r.path)
			}
		})
	}
}

// TestDTOFieldsMatchSpec checks that the properties bind admits are exactly
// the DTO's declared properties (SearchBodyV2DTO is empty in the spec and
// comes from the ghlspec allow-list instead).
func TestDTOFieldsMatchSpec(t *testing.T) {
	t.Parallel()
	specs := loadSpecs(t)
	for dto, fields := range dtoFields {
		if dto == "SearchBodyV2DTO" {
			continue
		}
		t.Run(dto, func(t *testing.T) {
			t.Parallel()
			file := map[string]string{"AppointmentCreateSchema": "calendars.json", "AppointmentEditSchema": "calendars.json",
				"DeleteAppointmentSchema": "calendars.json", "TaskSearchParamsDto": "locations.json",
				"CreateBusinessDto": "businesses.json", "UpdateBusinessDto": "businesses.json"}[dto]
			if file == "" {
				file = "contacts.json"
			}
			var found bool
			for name, d := range specs {
				s, ok := d.Components.Schemas[dto]
				if !ok || name != file {
					continue
				}
				found = true
				var want []string
				for k := range s.Properties {
					want = append(want, k)
				}
				got := append([]string(nil), fields...)
				sort.Strings(want)
				sort.Strings(got)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("fields (-spec +sandbox):\n%s", diff)
				}
			}
			if !found {
				t.Errorf("no schema %s in %s", dto, file)
			}
		})
	}
}
