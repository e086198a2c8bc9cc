package samtemplate_test

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// makeEnv is the environment for a nested make: without the outer make's
// flags, so `make test` running these tests does not leak -j or -n into them.
func makeEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == "MAKEFLAGS" || k == "MFLAGS" || k == "MAKELEVEL" || k == "MAKEOVERRIDES"
	})
}

func lookMake(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("make")
	if err != nil {
		missingTool(t, "GNU make", "install make (Debian: apt-get install make)")
	}
	return p
}

// TestMakefileBuildTargets checks, with make -n, that `sam build` (BuildMethod
// makefile) finds build-<LogicalId> for every function and that the target
// builds the deployable bootstrap: linux/arm64, static, lambda.norpc.
func TestMakefileBuildTargets(t *testing.T) {
	t.Parallel()
	mk := lookMake(t)
	dir := root(t)
	tpl := project(t)
	artifacts := filepath.Join(t.TempDir(), "artifacts")
	for _, f := range tpl.Functions() {
		cmd := exec.Command(mk, "-n", "--no-print-directory", "build-"+f.LogicalID, "ARTIFACTS_DIR="+artifacts)
		cmd.Dir, cmd.Env = dir, makeEnv()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("make -n build-%s: %v\n%s", f.LogicalID, err, out)
			continue
		}
		recipe := strings.TrimSpace(string(out))
		if n := strings.Count(recipe, " build "); n != 1 {
			t.Errorf("build-%s runs %d go builds, want 1:\n%s", f.LogicalID, n, recipe)
		}
		for _, want := range []string{
			"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0", "-tags lambda.norpc", "-trimpath", `-ldflags="-s -w"`,
			"-o " + artifacts + "/bootstrap", "./functions/" + f.Dir,
		} {
			if !strings.Contains(recipe, want) {
				t.Errorf("build-%s recipe lacks %q:\n%s", f.LogicalID, want, recipe)
			}
		}
	}

	// build-functions builds the same set of folders.
	cmd := exec.Command(mk, "-n", "--no-print-directory", "build-functions")
	cmd.Dir, cmd.Env = dir, makeEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build-functions: %v\n%s", err, out)
	}
	_, list, _ := strings.Cut(string(out), "for f in ")
	list, _, _ = strings.Cut(list, ";")
	got := strings.Fields(list)
	var want []string
	for _, f := range tpl.Functions() {
		want = append(want, f.Dir)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("build-functions builds %v, want the template's functions %v", got, want)
	}
}

// TestFunctionFolders fails while the template names a function whose
// functions/<dir> folder (with main.go) does not exist, and for folders no
// template function deploys.
func TestFunctionFolders(t *testing.T) {
	t.Parallel()
	dir := root(t)
	want := map[string]string{}
	var missing []string
	for _, f := range project(t).Functions() {
		want[f.Dir] = f.LogicalID
		if _, err := os.Stat(filepath.Join(dir, "functions", f.Dir, "main.go")); err != nil {
			missing = append(missing, "functions/"+f.Dir+" ("+f.LogicalID+")")
		}
	}
	if len(missing) > 0 {
		t.Errorf("template.yaml deploys functions whose folder or main.go is missing: %s", strings.Join(missing, ", "))
	}
	entries, err := os.ReadDir(filepath.Join(dir, "functions"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && want[e.Name()] == "" {
			t.Errorf("functions/%s is not deployed: template.yaml has no function whose logical id maps to it (FunctionDir)", e.Name())
		}
	}
}

// TestFunctionsBuild builds every function folder that exists: for the host
// with go build, and (unless -short) the deployable linux/arm64 bootstrap
// through the very make target `sam build` runs, checked as a static
// aarch64 ELF. Cross-compiling needs no arm64 emulation.
func TestFunctionsBuild(t *testing.T) {
	t.Parallel()
	dir := root(t)
	goTool, err := exec.LookPath("go")
	if err != nil {
		missingTool(t, "the go command", "put Go on PATH")
	}
	for _, f := range project(t).Functions() {
		t.Run(f.LogicalID, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(dir, "functions", f.Dir)); err != nil {
				t.Skipf("SKIPPED — functions/%s does not exist yet, nothing to build (TestFunctionFolders fails for it)", f.Dir)
			}
			host := filepath.Join(t.TempDir(), "bootstrap")
			cmd := exec.Command(goTool, "build", "-tags", "lambda.norpc", "-trimpath", "-o", host, "./functions/"+f.Dir)
			cmd.Dir, cmd.Env = dir, append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build ./functions/%s: %v\n%s", f.Dir, err, out)
			}
			if st, err := os.Stat(host); err != nil || st.Size() == 0 {
				t.Fatalf("go build left no bootstrap: %v", err)
			}
			if testing.Short() {
				t.Logf("-short: the linux/arm64 build through make build-%s is not run", f.LogicalID)
				return
			}
			artifacts := t.TempDir()
			cmd = exec.Command(lookMake(t), "--no-print-directory", "build-"+f.LogicalID, "ARTIFACTS_DIR="+artifacts)
			cmd.Dir, cmd.Env = dir, makeEnv()
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make build-%s: %v\n%s", f.LogicalID, err, out)
			}
			bin, err := elf.Open(filepath.Join(artifacts, "bootstrap"))
			if err != nil {
				t.Fatalf("make build-%s: bootstrap: %v", f.LogicalID, err)
			}
			defer bin.Close()
			if bin.Machine != elf.EM_AARCH64 || bin.OSABI != elf.ELFOSABI_NONE && bin.OSABI != elf.ELFOSABI_LINUX {
				t.Errorf("bootstrap is %v/%v, want an aarch64 Linux ELF (Architectures: [arm64])", bin.Machine, bin.OSABI)
			}
			for _, p := range bin.Progs {
				if p.Type == elf.PT_INTERP {
					t.Errorf("bootstrap is dynamically linked; provided.al2023 wants CGO_ENABLED=0")
				}
			}
		})
	}
}
