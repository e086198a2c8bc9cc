package devserver

import (
	_ "embed"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ghlsync/ghlsync/internal/crmsync"
)

//go:embed page.html
var pageHTML string

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"clock": func(t time.Time) string { return t.Local().Format("15:04:05.000") },
	"join":  func(s []string) string { return strings.Join(s, ", ") },
}).Parse(pageHTML))

// contactRow is one contact in the side-by-side tables.
type contactRow struct {
	GHLID   string
	PeerID  string
	Name    string
	Email   string
	Phone   string
	Tags    []string
	Updated string
}

type pageData struct {
	URL          string
	LocationID   string
	Sandbox      bool
	InboxLocal   bool
	PeerURL      string
	Entries      []Entry
	GHLContacts  []contactRow
	PeerContacts []contactRow
	PeerCounts   map[string]int
	Examples     []example
	ExampleMap   map[string]string
	EditFields   []string
	Sent         *SendResult
	Edited       *EditResult
	SweepEvery   time.Duration
	Rendered     time.Time
}

// maxContacts bounds each contacts table.
const maxContacts = 200

// page is GET /: recent activity, the GHL side and the peer side, and the
// forms.
func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	d := pageData{URL: s.URL, LocationID: s.LocationID, Sandbox: s.Sandbox != nil, InboxLocal: s.Inbox != nil, PeerURL: s.peerURL,
		Entries: s.Activity.Entries(), Examples: s.examples(now), EditFields: editFields, SweepEvery: s.opts.SweepEvery, Rendered: now}
	d.ExampleMap = map[string]string{}
	for _, e := range d.Examples {
		d.ExampleMap[e.Type] = e.JSON
	}
	if s.Sandbox != nil {
		for _, c := range s.Sandbox.Contacts(s.LocationID) {
			name := strings.TrimSpace(c.FirstName + " " + c.LastName)
			if name == "" {
				name = c.Name
			}
			d.GHLContacts = append(d.GHLContacts, contactRow{GHLID: c.ID, Name: name, Email: c.Email, Phone: c.Phone, Tags: c.Tags,
				Updated: c.DateUpdated.UTC().Format(time.RFC3339)})
		}
		slices.SortStableFunc(d.GHLContacts, func(a, b contactRow) int { return strings.Compare(b.Updated, a.Updated) })
		d.GHLContacts = d.GHLContacts[:min(len(d.GHLContacts), maxContacts)]
	}
	if s.Inbox != nil {
		st := s.Inbox.State()
		for id, c := range st.Contacts {
			d.PeerContacts = append(d.PeerContacts, peerRow(id, c))
		}
		slices.SortStableFunc(d.PeerContacts, func(a, b contactRow) int { return strings.Compare(b.Updated, a.Updated) })
		d.PeerContacts = d.PeerContacts[:min(len(d.PeerContacts), maxContacts)]
		d.PeerCounts = map[string]int{"contacts": len(st.Contacts), "tasks": len(st.Tasks), "notes": len(st.Notes), "appointments": len(st.Appointments)}
	}
	s.sentMu.Lock()
	if v, ok := s.sent[r.URL.Query().Get("sent")]; ok {
		d.Sent = &v
	}
	if v, ok := s.edits[r.URL.Query().Get("edited")]; ok {
		d.Edited = &v
	}
	s.sentMu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := pageTmpl.Execute(w, d); err != nil {
		s.logger.Error("dev page", "error", err.Error())
	}
}

func peerRow(ghlID string, c crmsync.Contact) contactRow {
	updated := ""
	if !c.UpdatedAt.IsZero() {
		updated = c.UpdatedAt.UTC().Format(time.RFC3339)
	}
	return contactRow{GHLID: ghlID, PeerID: c.PeerID, Name: strings.TrimSpace(c.FirstName + " " + c.LastName), Email: c.Email,
		Phone: c.Phone, Tags: c.Tags, Updated: updated}
}
