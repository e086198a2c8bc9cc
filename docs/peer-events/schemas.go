package peerevents

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

//go:embed *.schema.json
var schemaFiles embed.FS

// idPrefix is the $id of every schema file, followed by the event type.
const idPrefix = "urn:ghlsync:peer-events:"

// maxProblems bounds the problems an InvalidError reports.
const maxProblems = 8

// Direction selects the form of an event schema to validate against.
type Direction int

const (
	// Outbound is the form ghlsync sends to the peer: the schema's root.
	Outbound Direction = iota
	// Inbound is the stricter form ghlsync accepts from the peer: the
	// schema's #/$defs/inbound subschema.
	Inbound
)

// String names the direction.
func (d Direction) String() string {
	if d == Inbound {
		return "inbound"
	}
	return "outbound"
}

// ErrUnknownType reports an event type without a published schema.
var ErrUnknownType = errors.New("peerevents: unknown event type")

// Problem is one schema violation: where in the event (a JSON Pointer,
// "" for the whole event) and what is wrong. Messages never quote the
// offending value, only the rule it breaks.
type Problem struct {
	Path    string
	Message string
}

// String renders the problem as "<path>: <message>".
func (p Problem) String() string {
	loc := p.Path
	if loc == "" {
		loc = "/"
	}
	return loc + ": " + p.Message
}

// InvalidError reports an event that violates its published schema.
type InvalidError struct {
	// Type is the event type whose schema was applied ("" when the event
	// has no usable type).
	Type     string
	Problems []Problem
}

func (e *InvalidError) Error() string {
	var b strings.Builder
	b.WriteString("peerevents: ")
	if e.Type != "" {
		b.WriteString(e.Type)
		b.WriteString(": ")
	}
	for i, p := range e.Problems {
		if i == maxProblems {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-maxProblems)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// FS returns the published schema files, "<type>.schema.json" each.
func FS() fs.FS { return schemaFiles }

// Types returns the event types that have a published schema, sorted.
func Types() []string {
	names, _ := fs.Glob(schemaFiles, "*.schema.json")
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, strings.TrimSuffix(path.Base(n), ".schema.json"))
	}
	sort.Strings(out)
	return out
}

type compiled struct {
	outbound map[string]*jsonschema.Schema
	inbound  map[string]*jsonschema.Schema
}

var schemas = sync.OnceValues(compile)

func compile() (compiled, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	types := Types()
	for _, t := range types {
		b, err := schemaFiles.ReadFile(t + ".schema.json")
		if err != nil {
			return compiled{}, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return compiled{}, fmt.Errorf("peerevents: %s.schema.json: %w", t, err)
		}
		if err := c.AddResource(idPrefix+t, doc); err != nil {
			return compiled{}, fmt.Errorf("peerevents: %s.schema.json: %w", t, err)
		}
	}
	out := compiled{outbound: map[string]*jsonschema.Schema{}, inbound: map[string]*jsonschema.Schema{}}
	for _, t := range types {
		root, err := c.Compile(idPrefix + t)
		if err != nil {
			return compiled{}, fmt.Errorf("peerevents: compile %s: %w", t, err)
		}
		in, err := c.Compile(idPrefix + t + "#/$defs/inbound")
		if err != nil {
			return compiled{}, fmt.Errorf("peerevents: compile %s inbound: %w", t, err)
		}
		out.outbound[t], out.inbound[t] = root, in
	}
	return out, nil
}

// Compile compiles every published schema; it reports a broken schema file.
// Validate compiles lazily, once per process, and returns the same error.
func Compile() error {
	_, err := schemas()
	return err
}

// Decode parses one JSON event the way the validator expects it (numbers
// kept exact). Trailing data after the JSON value is an error. Errors name
// the byte offset, never the content.
func Decode(body []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, decodeError(err)
	}
	end := d.InputOffset()
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("peerevents: body is not one JSON value: data after offset %d", end)
	}
	return v, nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("peerevents: body is not valid JSON at offset %d", syn.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("peerevents: body is not valid JSON: unexpected end")
	}
	return errors.New("peerevents: body is not valid JSON")
}

// Validate checks a decoded event (see Decode) against the published
// schema of its "type" in the given direction. It returns nil, a
// *InvalidError, or an error wrapping ErrUnknownType.
func Validate(dir Direction, doc any) error {
	obj, ok := doc.(map[string]any)
	if !ok {
		return &InvalidError{Problems: []Problem{{Path: "", Message: "got " + jsonType(doc) + ", want object"}}}
	}
	rawType, present := obj["type"]
	t, isString := rawType.(string)
	switch {
	case !present:
		return &InvalidError{Problems: []Problem{{Path: "", Message: "missing property 'type'"}}}
	case !isString:
		return &InvalidError{Problems: []Problem{{Path: "/type", Message: "got " + jsonType(rawType) + ", want string"}}}
	}
	cs, err := schemas()
	if err != nil {
		return err
	}
	set := cs.outbound
	if dir == Inbound {
		set = cs.inbound
	}
	sch, ok := set[t]
	if !ok {
		return fmt.Errorf("%w %s (known: %s)", ErrUnknownType, quoteBounded(t), strings.Join(Types(), ", "))
	}
	err = sch.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("peerevents: validate %s: %w", t, err)
	}
	return &InvalidError{Type: t, Problems: problems(ve)}
}

// ValidateJSON decodes body and validates it (Decode, then Validate).
func ValidateJSON(dir Direction, body []byte) error {
	doc, err := Decode(body)
	if err != nil {
		return err
	}
	return Validate(dir, doc)
}

func quoteBounded(s string) string {
	const limit = 64
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return strconv.Quote(s)
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

var printer = message.NewPrinter(language.English)

// problems flattens a validation error tree into its leaf violations,
// sorted by path. An anyOf whose branches each only require a property
// becomes one "needs one of" problem.
func problems(root *jsonschema.ValidationError) []Problem {
	seen := map[Problem]bool{}
	var out []Problem
	add := func(p Problem) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if _, ok := e.ErrorKind.(*kind.AnyOf); ok {
			if names, ok := requiredAlternatives(e); ok {
				add(Problem{Path: pointer(e.InstanceLocation), Message: "needs at least one of " + strings.Join(names, ", ")})
				return
			}
		}
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		add(Problem{Path: pointer(e.InstanceLocation), Message: describe(e.ErrorKind)})
	}
	walk(root)
	out = dropImplied(out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// dropImplied removes a pattern problem where the same value also breaks
// minLength: an empty id or tag is reported once, as too short.
func dropImplied(ps []Problem) []Problem {
	short := map[string]bool{}
	for _, p := range ps {
		if strings.HasPrefix(p.Message, "minLength:") {
			short[p.Path] = true
		}
	}
	out := ps[:0]
	for _, p := range ps {
		if short[p.Path] && strings.HasPrefix(p.Message, "does not match pattern") {
			continue
		}
		out = append(out, p)
	}
	return out
}

// requiredAlternatives reports the property names of an anyOf whose every
// failed branch is a single missing required property.
func requiredAlternatives(e *jsonschema.ValidationError) ([]string, bool) {
	var names []string
	for _, c := range e.Causes {
		leaf := c
		for len(leaf.Causes) == 1 {
			leaf = leaf.Causes[0]
		}
		r, ok := leaf.ErrorKind.(*kind.Required)
		if !ok || len(leaf.Causes) != 0 {
			return nil, false
		}
		for _, m := range r.Missing {
			names = append(names, "'"+m+"'")
		}
	}
	return names, len(names) > 0
}

// describe words one violation without the offending value.
func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Format:
		return "not a valid " + k.Want
	case *kind.Pattern:
		return "does not match pattern " + strconv.Quote(k.Want)
	case *kind.FalseSchema:
		return "not allowed"
	}
	return k.LocalizedString(printer)
}

func pointer(tokens []string) string {
	if len(tokens) == 0 {
		return ""
	}
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}
