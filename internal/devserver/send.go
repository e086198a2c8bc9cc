package devserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	peerevents "github.com/ghlsync/ghlsync/docs/peer-events"
	"github.com/ghlsync/ghlsync/internal/crmsync"
	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/ghlsync/ghlsync/internal/sweep"
)

// SendResult is what sending a peer event from the page did.
type SendResult struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Route     string `json:"route"`
	WebhookID string `json:"webhookId"`
	Status    int    `json:"status"`
	Outcome   string `json:"outcome"`
	Body      string `json:"body"`
	Error     string `json:"error,omitempty"`
}

// SendPeerEvent signs body with the peer secret, as the peer would, and
// posts it to the dev server's own peer webhook route for the event's type
// (body's "type", else typ).
func (s *Server) SendPeerEvent(ctx context.Context, typ string, body []byte) SendResult {
	var env struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(body, &env); err == nil && env.Type != "" {
		typ = env.Type
	}
	res := SendResult{Type: typ}
	kind := crmsync.EventType(typ).Kind()
	if !slices.Contains([]crmsync.Kind{crmsync.KindContact, crmsync.KindTask, crmsync.KindNote, crmsync.KindAppointment}, kind) {
		res.Error = fmt.Sprintf("unknown event type %q", typ)
		return res
	}
	res.Route = "/peer/webhooks/" + string(kind) + "s"
	signed := s.sender.SignRaw("msg_dev_"+strconv.FormatInt(time.Now().UnixNano(), 36), time.Now(), bytes.TrimSpace(body))
	res.WebhookID = signed.ID()
	resp, err := s.sender.Post(ctx, s.URL+res.Route, signed)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	res.Status, res.Body = resp.StatusCode, string(b)
	var answer struct {
		Outcome string `json:"outcome"`
		Error   string `json:"error"`
	}
	_ = json.Unmarshal(b, &answer)
	res.Outcome = answer.Outcome
	if res.Outcome == "" {
		res.Outcome = answer.Error
	}
	return res
}

// sendForm is POST /dev/peer-events: form fields type and body. A browser
// is redirected to the page, which shows the result; a client that
// accepts JSON gets the SendResult.
func (s *Server) sendForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 512<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form: "+err.Error(), http.StatusBadRequest)
		return
	}
	res := s.SendPeerEvent(r.Context(), r.PostFormValue("type"), []byte(r.PostFormValue("body")))
	s.sentMu.Lock()
	s.seq++
	res.ID = strconv.Itoa(s.seq)
	s.sent[res.ID] = res
	s.sentMu.Unlock()
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, res)
		return
	}
	http.Redirect(w, r, "/?sent="+res.ID+"#send", http.StatusSeeOther)
}

// EditResult is what a change of a sandbox contact from the page did.
type EditResult struct {
	ID        string `json:"id"`
	ContactID string `json:"contactId"`
	Field     string `json:"field"`
	Value     string `json:"value"`
	Error     string `json:"error,omitempty"`
}

// editFields are the contact fields the page can change.
var editFields = []string{"firstName", "lastName", "email", "phone", "city", "addTag", "removeTag"}

// EditSandboxContact changes one field of a sandbox contact the way a
// person does in the GHL UI: the sandbox sends the webhooks.
func (s *Server) EditSandboxContact(contactID, field, value string) error {
	if s.Sandbox == nil {
		return errors.New("contacts live in real GHL: change them there")
	}
	if !slices.Contains(editFields, field) {
		return fmt.Errorf("unknown field %q (want one of %s)", field, strings.Join(editFields, ", "))
	}
	_, err := s.Sandbox.UpdateContact(s.LocationID, contactID, func(c *ghlsandbox.Contact) {
		switch field {
		case "firstName":
			c.FirstName = value
		case "lastName":
			c.LastName = value
		case "email":
			c.Email = value
		case "phone":
			c.Phone = value
		case "city":
			c.City = value
		case "addTag":
			c.Tags = append(c.Tags, value)
		case "removeTag":
			c.Tags = slices.DeleteFunc(c.Tags, func(t string) bool { return strings.EqualFold(t, strings.TrimSpace(value)) })
		}
	})
	return err
}

// editForm is POST /dev/sandbox/contacts: form fields contactId, field
// and value.
func (s *Server) editForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form: "+err.Error(), http.StatusBadRequest)
		return
	}
	res := EditResult{ContactID: r.PostFormValue("contactId"), Field: r.PostFormValue("field"), Value: r.PostFormValue("value")}
	if err := s.EditSandboxContact(res.ContactID, res.Field, res.Value); err != nil {
		res.Error = err.Error()
	}
	s.sentMu.Lock()
	s.seq++
	res.ID = strconv.Itoa(s.seq)
	s.edits[res.ID] = res
	s.sentMu.Unlock()
	if wantsJSON(r) {
		status := http.StatusOK
		if res.Error != "" {
			status = http.StatusBadRequest
		}
		writeJSON(w, status, res)
		return
	}
	http.Redirect(w, r, "/?edited="+res.ID+"#edit", http.StatusSeeOther)
}

// sweepNow is POST /dev/sweep: run every stream's sweep now, or, with a
// JSON schedule Input as the body ({"kind":"sweep","stream":"contacts"}),
// that one sweep, answering its report (what "ghlsync replay
// --function-url" sends for a schedule's dead letter).
func (s *Server) sweepNow(w http.ResponseWriter, r *http.Request) {
	if s.sweeper == nil {
		http.Error(w, "no sweep runner", http.StatusServiceUnavailable)
		return
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		b, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		in, err := sweep.ParseInput(bytes.TrimSpace(b))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad_input", "message": err.Error()})
			return
		}
		rep, err := s.sweeper.Run(r.Context(), in)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "failed", "message": err.Error()})
			return
		}
		s.recordSweep(in.Stream, rep)
		writeJSON(w, http.StatusOK, rep)
		return
	}
	s.SweepAll(r.Context())
	if wantsJSON(r) {
		writeJSON(w, http.StatusOK, map[string]string{"outcome": "swept"})
		return
	}
	http.Redirect(w, r, "/#activity", http.StatusSeeOther)
}

func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// example is one prefilled peer event of the form.
type example struct {
	Type string
	JSON string
}

// exampleIDs are the ids of docs/peer-events examples that name GHL
// entities this location does not have; the prefill drops them, so the
// events resolve by peer id, email or the dev location.
var exampleIDs = []string{"ghlId", "contactGhlId"}

// examples returns the documented example of every event type, prefilled
// for this server: its location (and calendar), a fresh timestamp, no GHL
// ids of another account. contact.upserted comes first.
func (s *Server) examples(now time.Time) []example {
	var out []example
	for typ, raw := range peerevents.Examples() {
		var env struct {
			Type       string         `json:"type"`
			Timestamp  string         `json:"timestamp"`
			LocationID string         `json:"locationId,omitempty"`
			Data       map[string]any `json:"data"`
		}
		if err := json.Unmarshal(raw, &env); err != nil {
			continue // the docs' own tests keep the examples valid
		}
		env.Timestamp = now.UTC().Format(time.RFC3339)
		if env.LocationID != "" {
			env.LocationID = s.LocationID
		}
		for _, k := range exampleIDs {
			delete(env.Data, k)
		}
		if _, ok := env.Data["calendarId"]; ok && s.CalendarID != "" {
			env.Data["calendarId"] = s.CalendarID
		}
		b, _ := json.MarshalIndent(env, "", "  ")
		out = append(out, example{Type: typ, JSON: string(b)})
	}
	slices.SortFunc(out, func(a, b example) int {
		switch {
		case a.Type == string(crmsync.ContactUpserted):
			return -1
		case b.Type == string(crmsync.ContactUpserted):
			return 1
		}
		return strings.Compare(a.Type, b.Type)
	})
	return out
}
