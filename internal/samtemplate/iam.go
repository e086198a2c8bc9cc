package samtemplate

import (
	"fmt"
	"maps"
	"slices"
)

// Statement is one IAM policy statement found in a resource.
type Statement struct {
	Resource string // logical id of the resource that holds it
	Where    string // path inside the resource, e.g. Properties.Policies[0].Statement[1]
	Sid      string
	Effect   string
	// Actions and Resources are the statement's Action and Resource as
	// lists (a single value becomes a one-element list).
	Actions   []any
	Resources []any
}

// Statements returns every IAM policy statement in the template's
// resources: inline policies of functions and roles, queue and topic
// policies, anything under a "Statement" key whose entries have an Effect.
func (t *Template) Statements() []Statement {
	var out []Statement
	for _, id := range slices.Sorted(maps.Keys(t.Resources)) {
		r := t.Resources[id]
		walkStatements(id, "Properties", r.Properties, &out)
	}
	return out
}

func walkStatements(id, where string, v any, out *[]Statement) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if k == "Statement" {
				for i, s := range List(x[k]) {
					m := Map(s)
					if m == nil || m["Effect"] == nil {
						continue
					}
					*out = append(*out, Statement{
						Resource:  id,
						Where:     fmt.Sprintf("%s.Statement[%d]", where, i),
						Sid:       Str(m["Sid"]),
						Effect:    Str(m["Effect"]),
						Actions:   List(m["Action"]),
						Resources: List(m["Resource"]),
					})
				}
				continue
			}
			walkStatements(id, where+"."+k, x[k], out)
		}
	case []any:
		for i, e := range x {
			walkStatements(id, fmt.Sprintf("%s[%d]", where, i), e, out)
		}
	}
}
