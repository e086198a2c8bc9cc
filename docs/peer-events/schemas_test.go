package peerevents

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ghlsync/ghlsync/internal/crmsync"
)

var allTypes = []crmsync.EventType{
	crmsync.AppointmentDeleted, crmsync.AppointmentUpserted,
	crmsync.ContactDeleted, crmsync.ContactTagged, crmsync.ContactUntagged, crmsync.ContactUpserted,
	crmsync.NoteDeleted, crmsync.NoteUpserted,
	crmsync.TaskCompleted, crmsync.TaskDeleted, crmsync.TaskUpserted,
}

func TestTypesMatchModel(t *testing.T) {
	t.Parallel()
	var want []string
	for _, et := range allTypes {
		want = append(want, string(et))
	}
	if diff := cmp.Diff(want, Types()); diff != "" {
		t.Errorf("schema files vs crmsync event types (-want +got):\n%s", diff)
	}
	if err := Compile(); err != nil {
		t.Fatal(err)
	}
}

func TestSchemaFilesNameTheirType(t *testing.T) {
	t.Parallel()
	for _, typ := range Types() {
		b, err := schemaFiles.ReadFile(typ + ".schema.json")
		if err != nil {
			t.Fatal(err)
		}
		var s struct {
			Schema     string `json:"$schema"`
			ID         string `json:"$id"`
			Title      string `json:"title"`
			Properties struct {
				Type struct {
					Const string `json:"const"`
				} `json:"type"`
			} `json:"properties"`
			AdditionalProperties *bool `json:"additionalProperties"`
		}
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		got := []string{s.Schema, s.ID, s.Title, s.Properties.Type.Const}
		want := []string{"https://json-schema.org/draft/2020-12/schema", idPrefix + typ, typ, typ}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s header (-want +got):\n%s", typ, diff)
		}
		if s.AdditionalProperties == nil || *s.AdditionalProperties {
			t.Errorf("%s: envelope must be closed (additionalProperties false)", typ)
		}
	}
}

func TestReadmeExamplesValidate(t *testing.T) {
	t.Parallel()
	ex := Examples()
	if diff := cmp.Diff(Types(), sortedKeys(ex)); diff != "" {
		t.Fatalf("README examples per type (-want +got):\n%s", diff)
	}
	for typ, body := range ex {
		for _, dir := range []Direction{Inbound, Outbound} {
			if err := ValidateJSON(dir, body); err != nil {
				t.Errorf("%s example, %s: %v", typ, dir, err)
			}
		}
		var env struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(body, &env); err != nil || env.Type != typ {
			t.Errorf("%s example has type %q (%v)", typ, env.Type, err)
		}
	}
}

func sortedKeys(m map[string][]byte) []string {
	var out []string
	for _, k := range Types() {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	if len(out) != len(m) {
		for k := range m {
			out = append(out, "unexpected:"+k)
		}
	}
	return out
}

// mutate decodes the README example of typ, applies f to it and re-encodes.
func mutate(t *testing.T, typ string, f func(env, data map[string]any)) []byte {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(Examples()[typ], &env); err != nil {
		t.Fatal(err)
	}
	data, _ := env["data"].(map[string]any)
	f(env, data)
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestValidateRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		typ  string
		dir  Direction
		f    func(env, data map[string]any)
		want []Problem
	}{
		{name: "contact without any identity", typ: "contact.upserted", f: func(_, d map[string]any) {
			delete(d, "peerId")
			delete(d, "ghlId")
			delete(d, "email")
			delete(d, "phone")
		}, want: []Problem{{"/data", "needs at least one of 'peerId', 'ghlId', 'email', 'phone'"}}},
		{name: "contact bad email", typ: "contact.upserted", f: func(_, d map[string]any) { d["email"] = "not-an-address" },
			want: []Problem{{"/data/email", "not a valid email"}}},
		{name: "contact bad phone", typ: "contact.upserted", f: func(_, d map[string]any) { d["phone"] = "call me" },
			want: []Problem{{"/data/phone", `does not match pattern "^[+(]?[0-9][0-9 ().-]*$"`}}},
		{name: "contact unknown field", typ: "contact.upserted", f: func(_, d map[string]any) { d["emailAddress"] = "x" },
			want: []Problem{{"/data", "additional properties 'emailAddress' not allowed"}}},
		{name: "contact tags wrong type", typ: "contact.upserted", f: func(_, d map[string]any) { d["tags"] = "vip" },
			want: []Problem{{"/data/tags", "got string, want array"}}},
		{name: "contact dnd wrong type", typ: "contact.upserted", f: func(_, d map[string]any) { d["dnd"] = "yes" },
			want: []Problem{{"/data/dnd", "got string, want boolean"}}},
		{name: "custom field without id", typ: "contact.upserted", f: func(_, d map[string]any) { d["customFields"] = []any{map[string]any{"value": 1}} },
			want: []Problem{{"/data/customFields/0", "missing property 'id'"}}},
		{name: "envelope unknown field", typ: "contact.upserted", f: func(e, _ map[string]any) { e["locationID"] = "x" },
			want: []Problem{{"", "additional properties 'locationID' not allowed"}}},
		{name: "envelope bad timestamp", typ: "contact.deleted", f: func(e, _ map[string]any) { e["timestamp"] = "yesterday" },
			want: []Problem{{"/timestamp", "not a valid date-time"}}},
		{name: "envelope missing data", typ: "note.deleted", f: func(e, _ map[string]any) { delete(e, "data") },
			want: []Problem{{"", "missing property 'data'"}}},
		{name: "empty location id", typ: "note.deleted", f: func(e, _ map[string]any) { e["locationId"] = "" },
			want: []Problem{{"/locationId", "minLength: got 0, want 1"}}},
		{name: "delete with wrong kind", typ: "contact.deleted", f: func(_, d map[string]any) { d["kind"] = "task" },
			want: []Problem{{"/data/kind", "value must be 'contact'"}}},
		{name: "delete without ids", typ: "task.deleted", f: func(_, d map[string]any) { delete(d, "peerId") },
			want: []Problem{{"/data", "needs at least one of 'ghlId', 'peerId'"}}},
		{name: "tagged without tags", typ: "contact.tagged", f: func(_, d map[string]any) { d["tags"] = []any{} },
			want: []Problem{{"/data/tags", "minItems: got 0, want 1"}}},
		{name: "tagged empty tag", typ: "contact.tagged", f: func(_, d map[string]any) { d["tags"] = []any{""} },
			want: []Problem{{"/data/tags/0", "minLength: got 0, want 1"}}},
		{name: "untagged without contact", typ: "contact.untagged", f: func(_, d map[string]any) { delete(d, "email") },
			want: []Problem{{"/data", "needs at least one of 'peerId', 'ghlId', 'email'"}}},
		{name: "untagged by phone is not offered", typ: "contact.untagged", f: func(_, d map[string]any) { d["phone"] = "+15555550101" },
			want: []Problem{{"/data", "additional properties 'phone' not allowed"}}},
		{name: "task without contact", typ: "task.upserted", f: func(_, d map[string]any) {
			delete(d, "contactPeerId")
			delete(d, "contactGhlId")
		}, want: []Problem{{"/data", "needs at least one of 'contactGhlId', 'contactPeerId'"}}},
		{name: "task without title", typ: "task.upserted", f: func(_, d map[string]any) { delete(d, "title") },
			want: []Problem{{"/data", "missing property 'title'"}}},
		{name: "task completed wrong type", typ: "task.upserted", f: func(_, d map[string]any) { d["completed"] = "no" },
			want: []Problem{{"/data/completed", "got string, want boolean"}}},
		{name: "task.completed not completed", typ: "task.completed", f: func(_, d map[string]any) { d["completed"] = false },
			want: []Problem{{"/data/completed", "value must be true"}}},
		{name: "task without peerId inbound", typ: "task.upserted", dir: Inbound, f: func(_, d map[string]any) {
			delete(d, "peerId")
			d["ghlId"] = "tsk_1"
		}, want: []Problem{{"/data", "missing property 'peerId'"}}},
		{name: "note without peerId inbound", typ: "note.upserted", dir: Inbound, f: func(_, d map[string]any) {
			delete(d, "peerId")
			d["ghlId"] = "n_1"
		}, want: []Problem{{"/data", "missing property 'peerId'"}}},
		{name: "note empty body", typ: "note.upserted", f: func(_, d map[string]any) { d["body"] = "" },
			want: []Problem{{"/data/body", "minLength: got 0, want 1"}}},
		{name: "note unknown field", typ: "note.upserted", f: func(_, d map[string]any) { d["attachments"] = []any{} },
			want: []Problem{{"/data", "additional properties 'attachments' not allowed"}}},
		{name: "appointment without times", typ: "appointment.upserted", f: func(_, d map[string]any) {
			delete(d, "startTime")
			delete(d, "endTime")
		}, want: []Problem{{"/data", "missing properties 'startTime', 'endTime'"}}},
		{name: "appointment status GHL does not take", typ: "appointment.upserted", dir: Inbound, f: func(_, d map[string]any) { d["status"] = "maybe" },
			want: []Problem{{"/data/status", "value must be one of 'new', 'confirmed', 'cancelled', 'showed', 'noshow', 'invalid'"}}},
		{name: "appointment status not a word", typ: "appointment.upserted", f: func(_, d map[string]any) { d["status"] = "" },
			want: []Problem{{"/data/status", "minLength: got 0, want 1"}}},
		{name: "appointment without contact", typ: "appointment.upserted", f: func(_, d map[string]any) { delete(d, "contactPeerId") },
			want: []Problem{{"/data", "needs at least one of 'contactGhlId', 'contactPeerId'"}}},
		{name: "appointment start not a time", typ: "appointment.upserted", f: func(_, d map[string]any) { d["startTime"] = 1772722800 },
			want: []Problem{{"/data/startTime", "got number, want string"}}},
		{name: "id with surrounding space", typ: "appointment.deleted", f: func(_, d map[string]any) { d["peerId"] = " mtg " },
			want: []Problem{{"/data/peerId", `does not match pattern "^\\S(.*\\S)?$"`}}},
		{name: "type of another schema's data", typ: "task.upserted", f: func(e, _ map[string]any) { e["type"] = "note.upserted" },
			want: []Problem{{"/data", "additional properties 'title', 'dueDate', 'completed' not allowed"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := mutate(t, tt.typ, tt.f)
			err := ValidateJSON(tt.dir, body)
			var inv *InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("err = %v, want *InvalidError", err)
			}
			if diff := cmp.Diff(tt.want, inv.Problems, cmp.Comparer(problemEqual)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			for _, leak := range []string{"not-an-address", "call me", "yesterday", "maybe"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("error %q quotes the offending value", err)
				}
			}
		})
	}
}

// problemEqual compares problems; an "additional properties" message lists
// names in map order, so the names are compared as a set.
func problemEqual(a, b Problem) bool {
	const ap = "additional properties "
	if a.Path != b.Path {
		return false
	}
	if strings.HasPrefix(a.Message, ap) && strings.HasPrefix(b.Message, ap) {
		return cmp.Equal(nameSet(a.Message), nameSet(b.Message))
	}
	return a.Message == b.Message
}

func nameSet(msg string) map[string]bool {
	set := map[string]bool{}
	for _, f := range strings.FieldsFunc(msg, func(r rune) bool { return r == '\'' || r == ',' || r == ' ' }) {
		set[f] = true
	}
	return set
}

func TestInboundStricterThanOutbound(t *testing.T) {
	t.Parallel()
	// A task as ghlsync sends it before the peer has answered with its id.
	body := mutate(t, "task.upserted", func(_, d map[string]any) {
		delete(d, "peerId")
		d["ghlId"] = "tsk_1"
	})
	if err := ValidateJSON(Outbound, body); err != nil {
		t.Errorf("outbound: %v", err)
	}
	if err := ValidateJSON(Inbound, body); err == nil {
		t.Error("inbound: accepted a task without peerId")
	}
}

func TestOutboundLooserWhereGHLIs(t *testing.T) {
	t.Parallel()
	// GHL reports statuses it does not accept on write ("booked"), and the
	// flows may name the contact of any deleted entity.
	tests := []struct {
		typ string
		f   func(env, data map[string]any)
	}{
		{"appointment.upserted", func(_, d map[string]any) { d["status"] = "booked" }},
		{"appointment.deleted", func(_, d map[string]any) { d["contactGhlId"] = "c1" }},
		{"contact.deleted", func(_, d map[string]any) { d["contactGhlId"] = "c1" }},
	}
	for _, tt := range tests {
		body := mutate(t, tt.typ, tt.f)
		if err := ValidateJSON(Outbound, body); err != nil {
			t.Errorf("%s outbound: %v", tt.typ, err)
		}
	}
	if err := ValidateJSON(Inbound, mutate(t, "appointment.upserted", tests[0].f)); err == nil {
		t.Error("inbound appointment with status booked accepted")
	}
}

func TestValidateEnvelopeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		wantErr string
		unknown bool
	}{
		{name: "malformed", body: `{"type": "contact.upserted",`, wantErr: "peerevents: body is not valid JSON: unexpected end"},
		{name: "syntax", body: `{"type" "x"}`, wantErr: "peerevents: body is not valid JSON at offset 9"},
		{name: "trailing data", body: `{"type":"contact.deleted"} {}`, wantErr: "peerevents: body is not one JSON value: data after offset 26"},
		{name: "not an object", body: `["contact.upserted"]`, wantErr: "peerevents: /: got array, want object"},
		{name: "no type", body: `{"data":{}}`, wantErr: "peerevents: /: missing property 'type'"},
		{name: "type not a string", body: `{"type":7}`, wantErr: "peerevents: /type: got number, want string"},
		{name: "unknown type", body: `{"type":"contact.merged"}`, unknown: true,
			wantErr: `peerevents: unknown event type "contact.merged" (known: appointment.deleted, appointment.upserted, contact.deleted, contact.tagged, contact.untagged, contact.upserted, note.deleted, note.upserted, task.completed, task.deleted, task.upserted)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := ValidateJSON(Inbound, []byte(tt.body))
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("err = %v, want %s", err, tt.wantErr)
			}
			if errors.Is(err, ErrUnknownType) != tt.unknown {
				t.Errorf("errors.Is(ErrUnknownType) = %v", !tt.unknown)
			}
		})
	}
}

func TestInvalidErrorBounded(t *testing.T) {
	t.Parallel()
	e := &InvalidError{Type: "note.upserted"}
	for i := range 12 {
		e.Problems = append(e.Problems, Problem{Path: "/data/x" + string(rune('a'+i)), Message: "bad"})
	}
	got := e.Error()
	if !strings.HasSuffix(got, "/data/xh: bad; and 4 more") || strings.Contains(got, "/data/xi") {
		t.Errorf("Error() = %s", got)
	}
}
