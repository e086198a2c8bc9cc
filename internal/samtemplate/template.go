package samtemplate

import (
	"fmt"
	"os"
	"strings"

	"gopkg.in/yaml.v3"
)

// Template is a decoded SAM template. Values are the generic JSON shapes
// (map[string]any, []any, string, int, float64, bool) with intrinsics in
// their long form.
type Template struct {
	Transform  any
	Parameters map[string]map[string]any
	Conditions map[string]any
	Globals    map[string]any
	Resources  map[string]Resource
	Outputs    map[string]map[string]any
}

// Resource is one entry of Resources.
type Resource struct {
	Type                string
	Condition           string
	DeletionPolicy      string
	UpdateReplacePolicy string
	Properties          map[string]any
	Metadata            map[string]any
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("samtemplate: %s: %w", path, err)
	}
	return t, nil
}

// Parse parses a template in YAML (or JSON) form.
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("empty template")
	}
	v, err := decode(&doc)
	if err != nil {
		return nil, err
	}
	root, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("top level is %T, want a mapping", v)
	}
	t := &Template{
		Transform:  root["Transform"],
		Parameters: map[string]map[string]any{},
		Conditions: Map(root["Conditions"]),
		Globals:    Map(root["Globals"]),
		Resources:  map[string]Resource{},
		Outputs:    map[string]map[string]any{},
	}
	for name, p := range Map(root["Parameters"]) {
		t.Parameters[name] = Map(p)
	}
	for name, o := range Map(root["Outputs"]) {
		t.Outputs[name] = Map(o)
	}
	for id, r := range Map(root["Resources"]) {
		m := Map(r)
		if m == nil {
			return nil, fmt.Errorf("resource %s is not a mapping", id)
		}
		t.Resources[id] = Resource{
			Type:                Str(m["Type"]),
			Condition:           Str(m["Condition"]),
			DeletionPolicy:      Str(m["DeletionPolicy"]),
			UpdateReplacePolicy: Str(m["UpdateReplacePolicy"]),
			Properties:          Map(m["Properties"]),
			Metadata:            Map(m["Metadata"]),
		}
	}
	return t, nil
}

// decode turns a YAML node into generic values, rewriting short-form
// intrinsic tags into their long form.
func decode(n *yaml.Node) (any, error) {
	if tag := n.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		plain := *n
		plain.Tag = ""
		if n.Kind == yaml.ScalarNode {
			plain.Tag = "!!str" // intrinsic arguments are strings: !Ref 2024 names "2024"
		}
		arg, err := decode(&plain)
		if err != nil {
			return nil, err
		}
		return intrinsic(tag[1:], arg, n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return decode(n.Content[0])
	case yaml.AliasNode:
		return decode(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: mapping key is not a scalar", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			v, err := decode(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := decode(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	default:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return v, nil
	}
}

func intrinsic(name string, arg any, line int) (any, error) {
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: arg}, nil
	case "GetAtt":
		if s, ok := arg.(string); ok {
			res, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("line %d: !GetAtt %q: want Resource.Attribute", line, s)
			}
			return map[string]any{"Fn::GetAtt": []any{res, attr}}, nil
		}
		return map[string]any{"Fn::GetAtt": arg}, nil
	default:
		return map[string]any{"Fn::" + name: arg}, nil
	}
}

// Map returns v as a mapping, or nil.
func Map(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// List returns v as a sequence; a single non-list value becomes a
// one-element list and nil an empty one (IAM Action and Resource accept both).
func List(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

// Str returns v as a string, or "" when v is not a string.
func Str(v any) string {
	s, _ := v.(string)
	return s
}

// Lookup follows keys through nested mappings: Lookup(props, "Metadata",
// "BuildMethod"). It returns nil when a step is missing.
func Lookup(v any, keys ...string) any {
	for _, k := range keys {
		m := Map(v)
		if m == nil {
			return nil
		}
		v = m[k]
	}
	return v
}

// IsIntrinsic reports whether v is a one-key mapping naming an intrinsic
// function (Ref, Condition or Fn::*).
func IsIntrinsic(v any) bool {
	m := Map(v)
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
	}
	return false
}
