package dynamotest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestServerAnswers(t *testing.T) {
	t.Parallel()
	client := Client(t)
	if ep := Endpoint(t); !strings.HasPrefix(ep, "http://127.0.0.1:") {
		t.Errorf("endpoint %q is not on loopback", ep)
	}
	if StartupTime() <= 0 {
		t.Errorf("startup time %s, want > 0 once started", StartupTime())
	}
	if _, err := client.ListTables(t.Context(), &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables: %v", err)
	}
	if Client(t) != client {
		t.Error("a second Client call made a second client; want the one server and client per binary")
	}
}

func TestTableNamesAreUniqueAndValid(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 3 {
		name := TableName(t)
		if seen[name] {
			t.Fatalf("table name %q handed out twice", name)
		}
		seen[name] = true
		if len(name) > 255 || nameUnsafe.MatchString(name) {
			t.Errorf("table name %q is not a valid DynamoDB table name", name)
		}
	}
}

// These change the process's working directory and environment, so they do
// not run in parallel.

func TestMissingJarSaysHowToFix(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "a", "b")
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	_, err := findJarDir()
	if !errors.Is(err, errMissing) || !strings.Contains(err.Error(), "make deps") || !strings.Contains(err.Error(), SkipEnv) {
		t.Fatalf("findJarDir = %v; want a missing-prerequisite error naming make deps and %s", err, SkipEnv)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q does not name the module root %s", err, dir)
	}
}

func TestMissingJavaSaysHowToFix(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("JAVA_HOME", "")
	_, err := findJava()
	if !errors.Is(err, errMissing) || !strings.Contains(err.Error(), "openjdk-17-jre-headless") || !strings.Contains(err.Error(), SkipEnv) {
		t.Fatalf("findJava = %v; want a missing-prerequisite error naming the package and %s", err, SkipEnv)
	}
}
