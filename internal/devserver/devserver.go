package devserver

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/ghlsync/ghlsync/internal/config"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/install/installapp"
	"github.com/ghlsync/ghlsync/internal/peer/peersecret"
	"github.com/ghlsync/ghlsync/internal/peer/peertest"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/syncapp"
	"github.com/ghlsync/ghlsync/internal/tokens"
	"github.com/ghlsync/ghlsync/internal/webhook"
)

// Defaults of the dev command's flags.
const (
	DefaultAddr       = "127.0.0.1:8080"
	DefaultDataDir    = ".ghlsync"
	DefaultContacts   = 25
	DefaultSweepEvery = time.Minute
)

// Paths on the dev server besides the functions' routes.
const (
	PathSandbox     = "/ghl-sandbox"
	PathInbox       = "/peer-inbox"
	PathSendEvent   = "/dev/peer-events"
	PathEditContact = "/dev/sandbox/contacts"
	PathActivity    = "/dev/activity.json"
	PathSweep       = "/dev/sweep"
)

// Options configure a dev server.
type Options struct {
	// Addr is the listen address; port 0 picks a free port.
	Addr string
	// DataDir holds state.json (the embedded store) and secrets.json (the
	// local secrets, with the generated peer secret). Created 0700.
	DataDir string
	// Seed drives the sandbox's demo data (names, emails, tags, ...); ids
	// are new on every start.
	Seed uint64
	// Contacts is the number of seeded sandbox contacts.
	Contacts int
	// SweepEvery is the local clock of the schedules; 0 turns them off.
	SweepEvery time.Duration
	// Getenv reads GHL_PRIVATE_TOKEN, GHL_LOCATION_ID, GHL_BASE_URL,
	// PEER_WEBHOOK_URL, PEER_SIGNING_SECRET and the functions' optional
	// settings (os.Getenv in the command).
	Getenv func(string) string
	// Logger receives the handlers' request lines (discarded when nil).
	Logger *slog.Logger
	// Sweeper runs the schedules; nil uses the sweep Runner of the sync
	// app (syncapp.NewApp), the same one the functions' schedules run.
	Sweeper syncapp.Sweeper
}

// Server is a running dev server.
type Server struct {
	// URL is the base URL, e.g. http://127.0.0.1:8080.
	URL string
	// LocationID is the location the dev server syncs.
	LocationID string
	// CalendarID is the sandbox location's calendar ("" with real GHL).
	CalendarID string
	// Sandbox is the in-process GHL sandbox; nil with real GHL.
	Sandbox *ghlsandbox.Sandbox
	// Inbox is the local peer inbox; nil when PEER_WEBHOOK_URL is set.
	Inbox *peertest.Peer
	// Activity is what the page shows.
	Activity *Activity
	// FirstStart reports a data dir without a state file before this start.
	FirstStart bool

	opts       Options
	dataDir    string
	sandboxPIT string
	ghlBaseURL string
	peerURL    string
	peerSecret webhook.Secret
	pullKey    peersecret.Sensitive
	secretName string
	appRoutes  bool
	sender     *peertest.Sender
	sweeper    syncapp.Sweeper
	logger     *slog.Logger

	sentMu sync.Mutex
	sent   map[string]SendResult
	edits  map[string]EditResult
	seq    int

	srv        *http.Server
	cancelReqs context.CancelFunc
	ln         net.Listener
	serveErr   chan error
	stop       context.CancelFunc
	loops      sync.WaitGroup
}

// Start builds everything, listens on opts.Addr and serves until Shutdown.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.DataDir == "" {
		opts.DataDir = DefaultDataDir
	}
	if opts.Contacts <= 0 {
		opts.Contacts = DefaultContacts
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{opts: opts, dataDir: opts.DataDir, logger: logger, Activity: NewActivity(500, nil),
		sent: map[string]SendResult{}, edits: map[string]EditResult{}}
	ok := false
	defer func() {
		if !ok {
			s.closeAll()
		}
	}()

	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	statePath := filepath.Join(opts.DataDir, "state.json")
	if _, err := os.Stat(statePath); errors.Is(err, os.ErrNotExist) {
		s.FirstStart = true
	}
	secrets, err := openSecrets(ctx, filepath.Join(opts.DataDir, "secrets.json"))
	if err != nil {
		return nil, err
	}
	st, err := memstore.Open(statePath)
	if err != nil {
		return nil, fmt.Errorf("state file: %w", err)
	}
	if s.ln, err = net.Listen("tcp", opts.Addr); err != nil {
		return nil, fmt.Errorf("listen %s: %w", opts.Addr, err)
	}
	s.URL = "http://" + s.ln.Addr().String()

	env := map[string]string{"TABLE_NAME": "ghlsync-local", "STAGE": "dev"}
	if err := s.setupGHL(env); err != nil {
		return nil, err
	}
	if err := s.setupPeer(ctx, secrets, env); err != nil {
		return nil, err
	}
	cfg, err := config.FromEnv(func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		return opts.Getenv(k)
	})
	if err != nil {
		return nil, err
	}
	if err := s.installPIT(ctx, cfg, secrets.client, st); err != nil {
		return nil, err
	}
	syncApp, err := syncapp.NewApp(ctx, cfg, secrets.client, st)
	if err != nil {
		return nil, fmt.Errorf("sync flows: %w", err)
	}
	var app *installapp.Handler
	if s.Sandbox != nil {
		if err := s.putAppSecret(ctx, secrets.client, cfg.AppSecretName); err != nil {
			return nil, err
		}
	}
	if app, err = installapp.New(ctx, cfg, secrets.client, st, logger); err != nil {
		var nf *smtypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			return nil, fmt.Errorf("app install: %w", err)
		}
		app = nil // real GHL without an app secret: no OAuth routes
	}
	s.appRoutes = app != nil
	s.sweeper = opts.Sweeper
	if s.sweeper == nil {
		s.sweeper = syncApp.Sweeps
	}

	reqCtx, cancelReqs := context.WithCancel(context.Background())
	s.cancelReqs = cancelReqs
	s.srv = &http.Server{Handler: s.routes(syncApp.Syncer, app), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return reqCtx }}
	s.serveErr = make(chan error, 1)
	go func() { s.serveErr <- s.srv.Serve(s.ln) }()
	if s.Sandbox != nil {
		for _, d := range ghlsandbox.Domains {
			s.Sandbox.SetWebhookURL(d, s.URL+"/ghl/webhooks/"+string(d))
		}
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	s.startSchedules(loopCtx)
	ok = true
	return s, nil
}

// setupGHL starts the sandbox, or points at real GHL when
// GHL_PRIVATE_TOKEN and GHL_LOCATION_ID are set.
func (s *Server) setupGHL(env map[string]string) error {
	pit, loc := strings.TrimSpace(s.opts.Getenv("GHL_PRIVATE_TOKEN")), strings.TrimSpace(s.opts.Getenv("GHL_LOCATION_ID"))
	if (pit == "") != (loc == "") {
		return errors.New("set both GHL_PRIVATE_TOKEN and GHL_LOCATION_ID for real GHL, or neither for the sandbox")
	}
	if pit != "" {
		s.sandboxPIT, s.LocationID = pit, loc
		s.ghlBaseURL = strings.TrimRight(s.opts.Getenv("GHL_BASE_URL"), "/")
		env["DEFAULT_LOCATION_ID"] = loc
		return nil
	}
	// A 2048-bit RSA key keeps the start fast; the sandbox would make a
	// 4096-bit one, as GHL's, on the first webhook.
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	// Ids (and webhook ids) are new on every start: the sandbox starts
	// afresh while the store keeps its links and idempotency records, so
	// reused ids would read as replays of the last run. --seed drives the
	// demo data.
	idSeed := binary.BigEndian.Uint64(randomBytes(8))
	sb, err := ghlsandbox.New(ghlsandbox.Options{Seed: idSeed, RSAKey: rsaKey})
	if err != nil {
		return err
	}
	s.Sandbox = sb
	locs, err := sb.Seed(ghlsandbox.SeedOptions{Seed: s.opts.Seed, Locations: 1, ContactsPerLocation: s.opts.Contacts})
	if err != nil {
		return err
	}
	s.LocationID, s.CalendarID = locs[0].ID, locs[0].CalendarID
	if s.sandboxPIT, err = sb.IssuePrivateToken(s.LocationID); err != nil {
		return err
	}
	keys, err := sb.PublicKeysPEM()
	if err != nil {
		return err
	}
	s.ghlBaseURL = s.URL + PathSandbox
	env["GHL_BASE_URL"] = s.ghlBaseURL
	env["GHL_WEBHOOK_ED25519_PUBLIC_KEY"] = string(keys.Ed25519)
	env["GHL_WEBHOOK_RSA_PUBLIC_KEY"] = string(keys.RSA)
	env["DEFAULT_LOCATION_ID"] = s.LocationID
	return nil
}

// peerDoc is the peer secret's JSON (peersecret's format).
type peerDoc struct {
	SigningSecret string `json:"signing_secret"`
	PullAPIKey    string `json:"pull_api_key"`
}

// setupPeer reads or generates the peer secret and chooses the peer: the
// local inbox, or PEER_WEBHOOK_URL (signed with PEER_SIGNING_SECRET when
// set, else the generated secret).
func (s *Server) setupPeer(ctx context.Context, secrets *localSecrets, env map[string]string) error {
	s.secretName = "ghlsync/dev/peer"
	if v := s.opts.Getenv("PEER_SECRET_NAME"); v != "" {
		s.secretName = v
	}
	env["PEER_SECRET_NAME"] = s.secretName
	cur, err := peersecret.Load(ctx, secrets.client, s.secretName)
	var nf *smtypes.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
	case err != nil:
		return fmt.Errorf("peer secret %s in %s: %w (delete it from the file to generate a new one)", s.secretName, secrets.path, err)
	}
	doc := peerDoc{PullAPIKey: string(cur.PullAPIKey)}
	if len(cur.SigningSecret) > 0 {
		doc.SigningSecret = cur.SigningSecret.Encode()
	}
	if doc.SigningSecret == "" {
		doc.SigningSecret = webhook.Secret(randomBytes(32)).Encode()
	}
	if doc.PullAPIKey == "" {
		doc.PullAPIKey = "pull_" + base64.RawURLEncoding.EncodeToString(randomBytes(24))
	}
	if v := strings.TrimSpace(s.opts.Getenv("PEER_SIGNING_SECRET")); v != "" {
		if _, err := webhook.ParseSecret(v); err != nil {
			return errors.New("PEER_SIGNING_SECRET: must be whsec_ followed by base64 of at least 16 bytes")
		}
		doc.SigningSecret = v
	}
	b, _ := json.Marshal(doc)
	if err := putSecret(ctx, secrets.client, s.secretName, string(b)); err != nil {
		return err
	}
	ps, err := peersecret.Parse(b)
	if err != nil {
		return err
	}
	s.peerSecret, s.pullKey = ps.SigningSecret, ps.PullAPIKey
	s.sender = &peertest.Sender{Secret: ps.SigningSecret}
	s.peerURL = strings.TrimSpace(s.opts.Getenv("PEER_WEBHOOK_URL"))
	if s.peerURL == "" {
		s.Inbox = peertest.New(peertest.Config{Secret: ps.SigningSecret})
		s.peerURL = s.URL + PathInbox
	}
	env["PEER_WEBHOOK_URL"] = s.peerURL
	return nil
}

// installPIT stores the location's Private Integration Token in the local
// secrets and records the location installed, as `ghlsync auth` does.
func (s *Server) installPIT(ctx context.Context, cfg config.Config, sm *secretsmanager.Client, st installapp.Store) error {
	provider, err := tokens.New(tokens.Config{Secrets: sm, Leases: st, Installations: st, SecretPrefix: cfg.SecretPrefix})
	if err != nil {
		return err
	}
	flow := &install.Flow{Tokens: provider, Installations: st, Secrets: sm, SecretPrefix: cfg.SecretPrefix}
	if err := flow.InstallPIT(ctx, s.LocationID, tokens.Sensitive(s.sandboxPIT)); err != nil {
		return fmt.Errorf("install location %s: %w", s.LocationID, err)
	}
	return nil
}

// putAppSecret stores the sandbox marketplace app's credentials.
func (s *Server) putAppSecret(ctx context.Context, sm *secretsmanager.Client, name string) error {
	app := s.Sandbox.App()
	b, _ := json.Marshal(map[string]string{"client_id": app.ClientID, "client_secret": app.ClientSecret})
	return putSecret(ctx, sm, name, string(b))
}

// putSecret creates the secret, or sets its value when it exists.
func putSecret(ctx context.Context, sm *secretsmanager.Client, name, value string) error {
	_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
	var exists *smtypes.ResourceExistsException
	if errors.As(err, &exists) {
		_, err = sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(name), SecretString: aws.String(value)})
	}
	if err != nil {
		return fmt.Errorf("local secret %s: %w", name, err)
	}
	return nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// Wait blocks until ctx is done or the server fails, then shuts down.
func (s *Server) Wait(ctx context.Context) error {
	select {
	case err := <-s.serveErr:
		s.closeAll()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(shutdown)
}

// ShutdownGrace is how long requests in flight get to finish on Shutdown
// before their contexts are cancelled: the flows call the sandbox and the
// peer inbox on this same server, which stops taking connections, so a
// flow caught mid-way would otherwise retry until ctx ends. A cancelled
// change answers "retry"; the next start's sweep catches it up.
const ShutdownGrace = 2 * time.Second

// Shutdown stops the schedules and the sandbox's webhook delivery, lets
// requests in flight finish (for ShutdownGrace, then cancels them) and
// closes the server.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.stop != nil {
		s.stop()
	}
	s.loops.Wait()
	if s.Sandbox != nil {
		s.Sandbox.Close()
	}
	var err error
	if s.srv != nil {
		done := make(chan error, 1)
		go func() { done <- s.srv.Shutdown(ctx) }()
		select {
		case err = <-done:
		case <-time.After(ShutdownGrace):
			s.cancelReqs()
			err = <-done
		}
		s.cancelReqs()
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			// Requests still running after their cancellation: close their
			// connections. Stopping was asked for and the sweep catches up
			// what they left; it is not a failure of the command.
			_ = s.srv.Close()
			err = nil
		}
		if serr := <-s.serveErr; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
		s.srv = nil
	}
	s.closeAll()
	return err
}

func (s *Server) closeAll() {
	if s.stop != nil {
		s.stop()
	}
	if s.Sandbox != nil {
		s.Sandbox.Close()
	}
	if s.srv == nil && s.ln != nil {
		_ = s.ln.Close()
	}
}

// PullKey returns the generated pull API key (local secret).
func (s *Server) PullKey() string { return string(s.pullKey) }

// PeerSecret returns the Standard Webhooks secret of the peer side.
func (s *Server) PeerSecret() webhook.Secret { return s.peerSecret }

// SandboxToken returns the location's Private Integration Token (a
// sandbox token, or the real one from the environment).
func (s *Server) SandboxToken() string { return s.sandboxPIT }

// Banner prints the URLs and, on a first start, what to try.
func (s *Server) Banner(w io.Writer) {
	mode := fmt.Sprintf("in-process GHL sandbox (seed %d, %d contacts)", s.opts.Seed, s.opts.Contacts)
	if s.Sandbox == nil {
		mode = "real GHL (location " + s.LocationID + ", Private Integration Token)"
	}
	peer := "local peer inbox"
	if s.Inbox == nil {
		peer = "peer at " + s.peerURL
	}
	fmt.Fprintf(w, "ghlsync dev: serving on %s\n  GHL side:  %s\n  peer side: %s\n\n", s.URL, mode, peer)
	row := func(name, v string) { fmt.Fprintf(w, "  %-26s %s\n", name, v) }
	row("dev page", s.URL+"/")
	for _, d := range []string{"contacts", "tasks", "notes", "appointments"} {
		row("GHL webhook "+d, s.URL+"/ghl/webhooks/"+d)
	}
	if s.appRoutes {
		row("GHL webhook app", s.URL+"/ghl/webhooks/app")
		row("OAuth callback", s.URL+"/oauth/callback")
	}
	for _, d := range []string{"contacts", "tasks", "notes", "appointments"} {
		row("peer webhook "+d, s.URL+"/peer/webhooks/"+d)
	}
	row("pull API", s.URL+"/peer/contacts/{id}?locationId="+s.LocationID)
	row("", s.URL+"/peer/businesses/{id}/contacts?locationId="+s.LocationID)
	row("pull API key", s.PullKey()+"   (Authorization: Bearer <key>)")
	if s.Inbox != nil {
		row("peer inbox", s.URL+PathInbox)
	}
	row("peer signing secret", "\""+s.secretName+"\" in "+filepath.Join(s.dataDir, "secrets.json"))
	if s.Sandbox != nil {
		row("GHL sandbox API", s.ghlBaseURL+"   location "+s.LocationID)
		row("sandbox token", s.sandboxPIT+"   (Authorization: Bearer <token>, Version: 2021-07-28)")
	} else {
		fmt.Fprintln(w, "\n  note: real GHL webhooks cannot reach 127.0.0.1; the schedules below do the work.")
	}
	switch {
	case s.opts.SweepEvery <= 0:
		row("schedules", "off (--sweep-every 0)")
	default:
		row("schedules", fmt.Sprintf("sweep every %s (contacts, tasks, notes, appointments); POST %s runs them now", s.opts.SweepEvery, PathSweep))
	}
	row("data", filepath.Join(s.dataDir, "state.json")+", "+filepath.Join(s.dataDir, "secrets.json"))
	if s.FirstStart {
		fmt.Fprintln(w, "\nWhat to try:")
		if s.Sandbox != nil {
			fmt.Fprintf(w, "  1. Open %s/ and change a sandbox contact with the \"Change a sandbox contact\" form:\n"+
				"     within a second it is in the peer inbox column and the activity shows \"delivered\".\n", s.URL)
		} else {
			fmt.Fprintf(w, "  1. Open %s/ and change a contact in GHL: the next sweep delivers it to the peer.\n", s.URL)
		}
		fmt.Fprintln(w, "  2. Press \"Send\" under \"Send a peer event\" (contact.upserted, prefilled): Ada Lovelace appears")
		fmt.Fprintln(w, "     in the GHL contacts; send it again and the activity says \"duplicate\" or \"echo dropped\".")
		contactID := "<GHL contact id>"
		if s.Sandbox != nil {
			if cs := s.Sandbox.Contacts(s.LocationID); len(cs) > 0 {
				contactID = cs[0].ID
			}
		}
		fmt.Fprintf(w, "  3. Pull a contact as the peer would:\n     curl -H 'Authorization: Bearer %s' '%s/peer/contacts/%s?locationId=%s'\n",
			s.PullKey(), s.URL, contactID, s.LocationID)
	}
	fmt.Fprintln(w, "\nCtrl-C stops.")
}
