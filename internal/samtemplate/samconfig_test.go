package samtemplate_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ghlsync/ghlsync/internal/samtemplate"
)

// TestSamconfig checks samconfig.toml: both environments build, validate
// with lint and deploy with the settings docs/deploy.md describes, and every
// parameter override names a template Parameter with an allowed value.
func TestSamconfig(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(root(t), "samconfig.toml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseTOML(data)
	if err != nil {
		t.Fatalf("samconfig.toml: %v", err)
	}
	if v := cfg[""]["version"]; v != 0.1 {
		t.Errorf("version = %v, want 0.1", v)
	}
	tpl := project(t)
	stacks := map[string]string{}
	for env, stage := range map[string]string{"default": "dev", "prod": "prod"} {
		get := func(cmd, key string) any { return cfg[env+"."+cmd+".parameters"][key] }
		stack, _ := get("global", "stack_name").(string)
		if stack == "" {
			t.Errorf("[%s.global.parameters] stack_name is not set", env)
		} else if other, dup := stacks[stack]; dup {
			t.Errorf("%s and %s deploy the same stack %q", env, other, stack)
		}
		stacks[stack] = env
		for _, c := range []struct {
			cmd, key string
			want     any
		}{
			{"build", "cached", true},
			{"build", "parallel", true},
			{"validate", "lint", true},
			{"deploy", "capabilities", "CAPABILITY_IAM"},
			{"deploy", "confirm_changeset", true},
			{"deploy", "resolve_s3", true},
		} {
			if got := get(c.cmd, c.key); got != c.want {
				t.Errorf("[%s.%s.parameters] %s = %#v, want %#v", env, c.cmd, c.key, got, c.want)
			}
		}
		if r, _ := get("deploy", "region").(string); r == "" {
			t.Errorf("[%s.deploy.parameters] region is not set", env)
		}
		overrides, _ := get("deploy", "parameter_overrides").(string)
		kv := map[string]string{}
		for _, f := range strings.Fields(overrides) {
			k, v, ok := strings.Cut(f, "=")
			if !ok {
				t.Errorf("[%s.deploy.parameters] parameter_overrides: %q is not Name=Value", env, f)
				continue
			}
			kv[k] = strings.Trim(v, `"'`)
		}
		if kv["Stage"] != stage {
			t.Errorf("[%s.deploy.parameters] parameter_overrides %q: want Stage=%s", env, overrides, stage)
		}
		for k, v := range kv {
			p, ok := tpl.Parameters[k]
			if !ok {
				t.Errorf("[%s.deploy.parameters] parameter_overrides names %s, which template.yaml does not declare", env, k)
				continue
			}
			if allowed := samtemplate.List(p["AllowedValues"]); allowed != nil && !slices.ContainsFunc(allowed, func(a any) bool { return fmt.Sprint(a) == v }) {
				t.Errorf("[%s.deploy.parameters] %s=%s is not one of %v", env, k, v, allowed)
			}
		}
	}
}

// parseTOML reads the subset of TOML samconfig.toml uses: [table.headers]
// and key = value lines with strings, numbers and booleans. Keys before the
// first header go to table "".
func parseTOML(data []byte) (map[string]map[string]any, error) {
	out := map[string]map[string]any{"": {}}
	table := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") || strings.HasPrefix(line, "[[") {
				return nil, fmt.Errorf("line %d: unsupported header %q", n, line)
			}
			table = strings.TrimSpace(line[1 : len(line)-1])
			if _, dup := out[table]; dup {
				return nil, fmt.Errorf("line %d: table [%s] twice", n, table)
			}
			out[table] = map[string]any{}
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: want key = value", n)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		var val any
		switch {
		case strings.HasPrefix(v, `"`):
			s, err := strconv.Unquote(v)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", n, err)
			}
			val = s
		case v == "true" || v == "false":
			val = v == "true"
		default:
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("line %d: unsupported value %q", n, v)
			}
			val = f
		}
		if _, dup := out[table][k]; dup {
			return nil, fmt.Errorf("line %d: key %s twice in [%s]", n, k, table)
		}
		out[table][k] = val
	}
	return out, sc.Err()
}
