package samtemplate

import (
	"maps"
	"slices"
	"strings"
	"unicode"
)

// Type names of the SAM resources and events this package reads.
const (
	TypeFunction = "AWS::Serverless::Function"
	TypeHTTPAPI  = "AWS::Serverless::HttpApi"
)

// Function is an AWS::Serverless::Function with Globals.Function applied.
type Function struct {
	LogicalID string
	// Dir is the function's folder under functions/ (kebab case of the
	// logical id without "Function": ContactUpsertFunction -> contact-upsert).
	Dir string
	// Properties are the effective properties: the function's own merged
	// over Globals.Function the way SAM merges them.
	Properties map[string]any
	Metadata   map[string]any
}

// Route is one HttpApi event: an API Gateway route and the function behind it.
type Route struct {
	Function string // logical id
	Event    string // event name
	Method   string // upper case, e.g. POST
	Path     string // e.g. /peer/contacts/{id}
	// Properties are the event's properties (ApiId, PayloadFormatVersion, ...).
	Properties map[string]any
}

// Key is the API Gateway route key, "POST /ghl/webhooks/contacts", as it
// appears in routeKey of a payload 2.0 event.
func (r Route) Key() string { return r.Method + " " + r.Path }

// Schedule is one Schedule (EventBridge rule) or ScheduleV2 (EventBridge
// Scheduler) event.
type Schedule struct {
	Function   string // logical id
	Event      string // event name
	Type       string // Schedule or ScheduleV2
	Properties map[string]any
}

// Input is the schedule's Input property when it is a literal string.
func (s Schedule) Input() string { return Str(s.Properties["Input"]) }

// FunctionDir returns the functions/ folder name of a function logical id:
// "AppInstallFunction" -> "app-install".
func FunctionDir(logicalID string) string {
	name := strings.TrimSuffix(logicalID, "Function")
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Functions returns every AWS::Serverless::Function, sorted by logical id.
func (t *Template) Functions() []Function {
	globals := Map(t.Globals["Function"])
	var out []Function
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		r := t.Resources[id]
		if r.Type != TypeFunction {
			continue
		}
		out = append(out, Function{
			LogicalID:  id,
			Dir:        FunctionDir(id),
			Properties: merge(globals, r.Properties),
			Metadata:   r.Metadata,
		})
	}
	return out
}

// Function returns the function with the given logical id.
func (t *Template) Function(logicalID string) (Function, bool) {
	for _, f := range t.Functions() {
		if f.LogicalID == logicalID {
			return f, true
		}
	}
	return Function{}, false
}

// Env returns the function's effective environment variables.
func (f Function) Env() map[string]any {
	return Map(Lookup(f.Properties, "Environment", "Variables"))
}

// Routes returns every HttpApi event of every function, sorted by path and
// method.
func (t *Template) Routes() []Route {
	var out []Route
	for _, f := range t.Functions() {
		for name, ev := range Map(f.Properties["Events"]) {
			if Str(Lookup(ev, "Type")) != "HttpApi" {
				continue
			}
			p := Map(Lookup(ev, "Properties"))
			out = append(out, Route{
				Function:   f.LogicalID,
				Event:      name,
				Method:     strings.ToUpper(Str(p["Method"])),
				Path:       Str(p["Path"]),
				Properties: p,
			})
		}
	}
	slices.SortFunc(out, func(a, b Route) int {
		return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method)
	})
	return out
}

// Schedules returns every Schedule and ScheduleV2 event, sorted by function
// and event name.
func (t *Template) Schedules() []Schedule {
	var out []Schedule
	for _, f := range t.Functions() {
		events := Map(f.Properties["Events"])
		for _, name := range slices.Sorted(maps.Keys(events)) {
			typ := Str(Lookup(events[name], "Type"))
			if typ != "Schedule" && typ != "ScheduleV2" {
				continue
			}
			out = append(out, Schedule{
				Function:   f.LogicalID,
				Event:      name,
				Type:       typ,
				Properties: Map(Lookup(events[name], "Properties")),
			})
		}
	}
	return out
}

// merge applies SAM's Globals rules: mappings merge key by key (the
// resource wins), lists are concatenated (globals first), any other value
// of the resource replaces the global one. Intrinsics count as values.
func merge(global, local map[string]any) map[string]any {
	out := make(map[string]any, len(global)+len(local))
	maps.Copy(out, global)
	for k, lv := range local {
		gv, ok := out[k]
		if !ok {
			out[k] = lv
			continue
		}
		gm, lm := Map(gv), Map(lv)
		gl, gIsList := gv.([]any)
		ll, lIsList := lv.([]any)
		switch {
		case gm != nil && lm != nil && !IsIntrinsic(gv) && !IsIntrinsic(lv):
			out[k] = merge(gm, lm)
		case gIsList && lIsList:
			out[k] = append(slices.Clone(gl), ll...)
		default:
			out[k] = lv
		}
	}
	return out
}
