package devserver

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// chromiumPath is Debian's chromium (apt-get install chromium; "make
// chromium" installs it when missing).
const chromiumPath = "/usr/bin/chromium"

// dumpDOM loads url in headless Chromium and returns the DOM after the
// page's scripts ran.
func dumpDOM(t *testing.T, u string) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: run \"make chromium\" (apt-get install -y chromium, as root) before the tests", chromiumPath)
		}
		t.Skipf("SKIPPED: %s is missing; the dev page's browser check needs it (make chromium)", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(), "--dump-dom", u)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return string(out)
}

// TestPageInHeadlessChromium checks the page as a browser builds it: the
// sections by id, the seeded contact's name on both sides, a delivered
// activity row for it, the send form with its prefilled example (set by
// the page's script from the embedded examples) and the result of a send.
func TestPageInHeadlessChromium(t *testing.T) {
	t.Parallel()
	s := startDev(t, Options{Seed: 11})
	c := s.Sandbox.Contacts(s.LocationID)[0]
	var edit EditResult
	postForm(t, s, PathEditContact, url.Values{"contactId": {c.ID}, "field": {"lastName"}, "value": {"Browserline"}}, &edit)
	if edit.Error != "" {
		t.Fatalf("edit: %s", edit.Error)
	}
	eventually(t, 2*time.Second, "edit delivered to the inbox", func() bool {
		return s.Inbox.State().Contacts[c.ID].LastName == "Browserline" && hasEntry(s, DirGHLToPeer, LabelDelivered, c.ID)
	})
	var sent SendResult
	postForm(t, s, PathSendEvent, url.Values{"type": {"contact.upserted"}, "body": {exampleBody(t, s, "contact.upserted")}}, &sent)

	dom := dumpDOM(t, s.URL+"/?sent="+sent.ID)
	for _, id := range []string{"summary", "activity", "ghl-contacts", "peer-inbox", "peer-counts", "edit-contact-form", "peer-event-form",
		"peer-event-type", "peer-event-body", "send-status", "peer-event-examples"} {
		if !strings.Contains(dom, `id="`+id+`"`) {
			t.Errorf("DOM lacks #%s", id)
		}
	}
	name := c.FirstName + " Browserline"
	for _, side := range []string{`class="ghl-contact" data-ghl-id="` + c.ID + `"`, `class="peer-contact" data-ghl-id="` + c.ID + `"`} {
		row := regexp.MustCompile(regexp.QuoteMeta(side) + `[^>]*>(.*?)</tr>`).FindStringSubmatch(dom)
		if row == nil || !strings.Contains(row[1], name) {
			t.Errorf("DOM row %s does not show %q", side, name)
		}
	}
	delivered := regexp.MustCompile(`<tr class="activity-row"[^>]*data-direction="GHL → peer" data-outcome="delivered" data-entity="[^"]*` + c.ID)
	if !delivered.MatchString(dom) {
		t.Error("DOM has no delivered GHL → peer activity row for the changed contact")
	}
	if !regexp.MustCompile(`id="send-status"[^>]*data-status="200" data-outcome="synced"`).MatchString(dom) {
		t.Error("DOM send status is not 200 synced")
	}
	if !regexp.MustCompile(`(?s)<textarea[^>]*id="peer-event-body"[^>]*>.*?&quot;type&quot;: &quot;contact.upserted&quot;|(?s)<textarea[^>]*id="peer-event-body"[^>]*>.*?"type": "contact.upserted"`).MatchString(dom) {
		t.Error("DOM textarea is not prefilled with contact.upserted")
	}
}
