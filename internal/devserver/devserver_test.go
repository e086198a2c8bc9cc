package devserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
)

// lockedBuffer is a log sink safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startDev starts a dev server on a free port in a fresh data dir and
// stops it when the test ends.
func startDev(t *testing.T, o Options) *Server {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	if o.DataDir == "" {
		o.DataDir = filepath.Join(t.TempDir(), "data")
	}
	if o.Contacts == 0 {
		o.Contacts = 5
	}
	logs := &lockedBuffer{}
	o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	s, err := Start(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return s
}

// eventually polls cond every 10 ms until it holds or within passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

func hasEntry(s *Server, dir, outcome, entityPart string) bool {
	for _, e := range s.Activity.Entries() {
		if e.Direction == dir && e.Outcome == outcome && strings.Contains(e.Entity, entityPart) {
			return true
		}
	}
	return false
}

// postForm posts a form to the dev server asking for JSON.
func postForm(t *testing.T, s *Server, path string, form url.Values, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return res.StatusCode
}

func getPage(t *testing.T, s *Server) string {
	t.Helper()
	res, err := http.Get(s.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	return string(b)
}

// exampleBody returns the page's prefilled example of typ.
func exampleBody(t *testing.T, s *Server, typ string) string {
	t.Helper()
	for _, e := range s.examples(time.Now()) {
		if e.Type == typ {
			return e.JSON
		}
	}
	t.Fatalf("no example of %s", typ)
	return ""
}

// TestSyncsBothWays is the proof: a contact changed in the sandbox
// (as in the GHL UI) reaches the peer inbox within 2 s, and a peer
// contact.upserted sent through the page's form reaches the sandbox; GHL's
// webhook of that write is recognised as ghlsync's own echo.
func TestSyncsBothWays(t *testing.T) {
	t.Parallel()
	s := startDev(t, Options{Seed: 7})
	c := s.Sandbox.Contacts(s.LocationID)[0]

	if _, err := s.Sandbox.UpdateContact(s.LocationID, c.ID, func(c *ghlsandbox.Contact) { c.FirstName = "Renamed" }); err != nil {
		t.Fatal(err)
	}
	took := eventually(t, 2*time.Second, "sandbox change in the peer inbox", func() bool {
		return s.Inbox.State().Contacts[c.ID].FirstName == "Renamed"
	})
	t.Logf("GHL → peer inbox in %s", took)
	eventually(t, time.Second, "activity rows", func() bool {
		return hasEntry(s, DirGHLToPeer, LabelDelivered, c.ID) && hasEntry(s, DirInbox, LabelDelivered, c.ID)
	})

	// Without tags the write is one GHL call, so GHL's webhook of it sees
	// the final state. (With tags, the upsert's webhook may fetch the
	// contact before the tag calls land and deliver that state: see the
	// crmsync EchoSettle notes.)
	var env map[string]any
	if err := json.Unmarshal([]byte(exampleBody(t, s, "contact.upserted")), &env); err != nil {
		t.Fatal(err)
	}
	delete(env["data"].(map[string]any), "tags")
	raw, _ := json.Marshal(env)
	body := string(raw)
	var sent SendResult
	if code := postForm(t, s, PathSendEvent, url.Values{"type": {"contact.upserted"}, "body": {body}}, &sent); code != http.StatusOK {
		t.Fatalf("send form = %d", code)
	}
	if sent.Status != http.StatusOK || sent.Outcome != "synced" || sent.Route != "/peer/webhooks/contacts" {
		t.Fatalf("send = %+v", sent)
	}
	var ada ghlsandbox.Contact
	eventually(t, 2*time.Second, "peer contact in the sandbox", func() bool {
		for _, x := range s.Sandbox.Contacts(s.LocationID) {
			if x.Email == "ada@example.com" {
				ada = x
				return true
			}
		}
		return false
	})
	if ada.FirstName != "Ada" || ada.LastName != "Lovelace" {
		t.Errorf("sandbox contact = %s %s, want Ada Lovelace", ada.FirstName, ada.LastName)
	}
	eventually(t, 2*time.Second, "the sandbox's webhook of the write dropped as an echo", func() bool {
		return hasEntry(s, DirGHLToPeer, LabelEcho, ada.ID)
	})
	if hasEntry(s, DirInbox, LabelDelivered, ada.ID) {
		t.Error("the peer's own contact was delivered back to the peer (sync loop)")
	}

	// The same delivery again (same webhook id and body) is a duplicate.
	signed := s.sender.SignRaw("msg_replayed", time.Now(), []byte(body))
	for i, want := range []string{"synced", "duplicate"} {
		if i == 0 {
			signed = s.sender.SignRaw("msg_replayed", time.Now(), []byte(strings.Replace(body, "Lovelace", "King", 1)))
		}
		res, err := s.sender.Post(t.Context(), s.URL+"/peer/webhooks/contacts", signed)
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Outcome string `json:"outcome"`
		}
		_ = json.NewDecoder(res.Body).Decode(&rep)
		res.Body.Close()
		if rep.Outcome != want {
			t.Errorf("delivery %d: outcome %q, want %q", i+1, rep.Outcome, want)
		}
	}
	if !hasEntry(s, DirPeerToGHL, LabelDuplicate, "") {
		t.Error("no duplicate row in the activity")
	}

	page := getPage(t, s)
	for _, want := range []string{`id="activity"`, `id="ghl-contacts"`, `id="peer-inbox"`, `id="peer-event-form"`, "Renamed", "Ada", `data-outcome="delivered"`, `data-outcome="echo dropped"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

// TestRealGHLAndExternalPeer: with GHL_PRIVATE_TOKEN and GHL_LOCATION_ID
// there is no sandbox (the token is stored as the location's PIT), with
// PEER_WEBHOOK_URL no inbox, and the banner and the page say so.
func TestRealGHLAndExternalPeer(t *testing.T) {
	t.Parallel()
	env := map[string]string{"GHL_PRIVATE_TOKEN": "pit-real-looking", "GHL_LOCATION_ID": "RealLocation000001",
		"GHL_BASE_URL": "http://127.0.0.1:9", "PEER_WEBHOOK_URL": "http://127.0.0.1:9/peer",
		"PEER_SIGNING_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	s := startDev(t, Options{Getenv: func(k string) string { return env[k] }})
	if s.Sandbox != nil || s.Inbox != nil || s.LocationID != "RealLocation000001" {
		t.Fatalf("sandbox %v inbox %v location %s", s.Sandbox != nil, s.Inbox != nil, s.LocationID)
	}
	if got := s.PeerSecret().Encode(); got != env["PEER_SIGNING_SECRET"] {
		t.Errorf("peer secret is not PEER_SIGNING_SECRET")
	}
	var banner bytes.Buffer
	s.Banner(&banner)
	for _, want := range []string{"real GHL (location RealLocation000001", "peer at http://127.0.0.1:9/peer", "real GHL webhooks cannot reach 127.0.0.1"} {
		if !strings.Contains(banner.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, banner.String())
		}
	}
	if strings.Contains(banner.String(), "/peer-inbox") || strings.Contains(banner.String(), "/oauth/callback") {
		t.Errorf("banner names routes this mode does not serve:\n%s", banner.String())
	}
	page := getPage(t, s)
	if !strings.Contains(page, "Contacts live in your GHL account") || !strings.Contains(page, "Deliveries go to <code>http://127.0.0.1:9/peer</code>") {
		t.Errorf("page does not explain the mode")
	}
	var edit EditResult
	if code := postForm(t, s, PathEditContact, url.Values{"contactId": {"x"}, "field": {"city"}, "value": {"y"}}, &edit); code != http.StatusBadRequest || edit.Error == "" {
		t.Errorf("edit in real mode = %d %+v", code, edit)
	}
}

// TestRestartKeepsSecrets: the generated peer secret and pull key live in
// the data dir and are the same after a restart; the state file survives.
func TestRestartKeepsSecrets(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	first, err := Start(t.Context(), Options{Addr: "127.0.0.1:0", DataDir: dir, Seed: 2, Contacts: 2})
	if err != nil {
		t.Fatal(err)
	}
	key, secret := first.PullKey(), first.PeerSecret().Encode()
	if !first.FirstStart {
		t.Error("a fresh data dir is not a first start")
	}
	if err := first.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	second := startDev(t, Options{DataDir: dir, Seed: 2, Contacts: 2})
	if second.FirstStart || second.PullKey() != key || second.PeerSecret().Encode() != secret {
		t.Errorf("restart: first start %v, same key %v, same secret %v", second.FirstStart, second.PullKey() == key, second.PeerSecret().Encode() == secret)
	}
	var banner bytes.Buffer
	second.Banner(&banner)
	if strings.Contains(banner.String(), "What to try") {
		t.Error("a restart prints what to try again")
	}
}

// TestRestartStillSyncs: after a restart on the same data dir and seed (the
// sandbox starts afresh, the store keeps its idempotency records and
// links), a sandbox change is delivered again, not taken for a replay.
func TestRestartStillSyncs(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	for run := range 2 {
		s, err := Start(t.Context(), Options{Addr: "127.0.0.1:0", DataDir: dir, Seed: 9, Contacts: 2})
		if err != nil {
			t.Fatal(err)
		}
		c := s.Sandbox.Contacts(s.LocationID)[0]
		city := "Run" + string(rune('A'+run))
		if _, err := s.Sandbox.UpdateContact(s.LocationID, c.ID, func(c *ghlsandbox.Contact) { c.City = city }); err != nil {
			t.Fatal(err)
		}
		eventually(t, 2*time.Second, "run "+city+" delivered", func() bool { return s.Inbox.State().Contacts[c.ID].City == city })
		if err := s.Shutdown(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
}
