package samtemplate_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ghlsync/ghlsync/internal/config"
)

// localOnly are settings that exist for local runs and tests only; a
// deployment must not set them.
var localOnly = map[string]string{
	"DYNAMODB_ENDPOINT":       "AWS endpoint override for local runs",
	"SECRETSMANAGER_ENDPOINT": "AWS endpoint override for local runs",
}

// TestEnvironmentWired checks that every setting the deployed code reads is
// set on the functions (template.yaml Globals or the function), and that
// the template sets nothing the code does not read.
func TestEnvironmentWired(t *testing.T) {
	t.Parallel()
	read := map[string]string{} // name -> where it is read
	// config.FromEnv and config.PeerFromEnv (both read by syncapp.LoadApp)
	// read everything through getenv: record the names.
	_, _ = config.FromEnv(func(k string) string {
		read[k] = "internal/config"
		if k == "TABLE_NAME" {
			return "t"
		}
		return ""
	})
	if len(read) == 0 {
		t.Fatal("config.FromEnv read no variables; the recorder is broken")
	}
	n := len(read)
	_, _ = config.PeerFromEnv(func(k string) string {
		read[k] = "internal/config (PeerFromEnv)"
		return ""
	})
	if len(read) == n {
		t.Fatal("config.PeerFromEnv read no variables; the recorder is broken")
	}
	for name, where := range envReadsInFunctions(t) {
		if _, ok := read[name]; !ok {
			read[name] = where
		}
	}
	set := map[string]bool{}
	for _, f := range project(t).Functions() {
		for k := range f.Env() {
			set[k] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(read)) {
		if reserved(name) {
			continue
		}
		if reason, ok := localOnly[name]; ok {
			if set[name] {
				t.Errorf("%s is set in template.yaml but is local-only (%s)", name, reason)
			}
			continue
		}
		if !set[name] {
			t.Errorf("%s (read by %s) is not set on any function in template.yaml: add a Parameter or a fixed value", name, read[name])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(set)) {
		if _, ok := read[name]; !ok {
			t.Errorf("template.yaml sets %s but no deployed code reads it", name)
		}
	}
}

// reserved reports variables the Lambda runtime sets itself.
func reserved(name string) bool {
	return strings.HasPrefix(name, "AWS_") || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "LAMBDA_")
}

// envReadsInFunctions returns the names passed as string literals to
// Getenv/getenv/LookupEnv in every package of this module linked into the
// functions' binaries.
func envReadsInFunctions(t *testing.T) map[string]string {
	t.Helper()
	dir := root(t)
	goTool, err := exec.LookPath("go")
	if err != nil {
		missingTool(t, "the go command", "put Go on PATH")
	}
	cmd := exec.Command(goTool, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}} {{.Dir}}{{range .GoFiles}} {{.}}{{end}}{{end}}", "./functions/...")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list -deps ./functions/...: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list -deps ./functions/...: %v", err)
	}
	found := map[string]string{}
	fset := token.NewFileSet()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.HasPrefix(fields[0], "github.com/ghlsync/ghlsync/") {
			continue
		}
		for _, name := range fields[2:] {
			path := filepath.Join(fields[1], name)
			file, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				var fn string
				switch f := call.Fun.(type) {
				case *ast.Ident:
					fn = f.Name
				case *ast.SelectorExpr:
					fn = f.Sel.Name
				}
				if !strings.EqualFold(fn, "getenv") && fn != "LookupEnv" {
					return true
				}
				if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						rel, _ := filepath.Rel(dir, path)
						found[s] = rel
					}
				}
				return true
			})
		}
	}
	return found
}
