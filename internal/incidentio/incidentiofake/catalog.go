package incidentiofake

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

func (f *Fake) listTypes(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []*catalogType{}
	for _, id := range sortedKeys(f.st.types) {
		out = append(out, f.typeView(f.st.types[id]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"catalog_types": out})
}

// typeView is a copy of t with its current entry count.
func (f *Fake) typeView(t *catalogType) *catalogType {
	c := *t
	c.EstimatedCount = 0
	for _, e := range f.st.entries {
		if e.CatalogTypeID == t.ID {
			c.EstimatedCount++
		}
	}
	return &c
}

func (f *Fake) createType(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name                string            `json:"name"`
		Description         string            `json:"description"`
		TypeName            string            `json:"type_name"`
		Icon                string            `json:"icon"`
		Color               string            `json:"color"`
		Annotations         map[string]string `json:"annotations"`
		Categories          []string          `json:"categories"`
		SourceRepoURL       string            `json:"source_repo_url"`
		UseNameAsIdentifier bool              `json:"use_name_as_identifier"`
		Ranked              bool              `json:"ranked"`
	}
	if !decode(w, r, &in) {
		return
	}
	if strings.TrimSpace(in.Name) == "" {
		invalid(w, "name", "A name is required")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.TypeName == "" {
		in.TypeName = `Custom["` + strings.ReplaceAll(in.Name, " ", "") + `"]`
	}
	for _, t := range f.st.types {
		if t.TypeName == in.TypeName {
			invalid(w, "type_name", "A catalog type with this type_name already exists")
			return
		}
	}
	if in.Icon == "" {
		in.Icon = "box"
	}
	if in.Color == "" {
		in.Color = "blue"
	}
	if in.Annotations == nil {
		in.Annotations = map[string]string{}
	}
	if in.Categories == nil {
		in.Categories = []string{}
	}
	now := f.now()
	t := &catalogType{ID: f.newID(), Name: in.Name, Description: in.Description, TypeName: in.TypeName, Icon: in.Icon, Color: in.Color,
		Annotations: in.Annotations, Categories: in.Categories, EngineResourceType: in.TypeName, IsEditable: true, Ranked: in.Ranked,
		UseNameAsIdentifier: in.UseNameAsIdentifier, SourceRepoURL: in.SourceRepoURL,
		Schema: catalogSchema{Version: 1, Attributes: []catalogAttribute{}}, CreatedAt: now, UpdatedAt: now}
	f.st.types[t.ID] = t
	writeJSON(w, http.StatusCreated, map[string]any{"catalog_type": f.typeView(t)})
}

func (f *Fake) updateSchema(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Version    int64              `json:"version"`
		Attributes []catalogAttribute `json:"attributes"`
	}
	if !decode(w, r, &in) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.st.types[r.PathValue("id")]
	if !ok {
		notFound(w, "Catalog type")
		return
	}
	if in.Version != t.Schema.Version {
		invalid(w, "version", fmt.Sprintf("The schema has changed (version %d): reload it and try again", t.Schema.Version))
		return
	}
	seen := map[string]bool{}
	attrs := make([]catalogAttribute, 0, len(in.Attributes))
	for i, a := range in.Attributes {
		if strings.TrimSpace(a.Name) == "" || a.Type == "" {
			invalid(w, fmt.Sprintf("attributes[%d]", i), "Attributes need a name and a type")
			return
		}
		if seen[a.Name] {
			invalid(w, fmt.Sprintf("attributes[%d].name", i), "Attribute names must be unique")
			return
		}
		seen[a.Name] = true
		if a.ID == "" {
			a.ID = f.newID()
		} else if _, ok := t.Schema.Attribute(a.ID); !ok {
			invalid(w, fmt.Sprintf("attributes[%d].id", i), "No such attribute")
			return
		}
		attrs = append(attrs, a)
	}
	t.Schema = catalogSchema{Version: t.Schema.Version + 1, Attributes: attrs}
	t.UpdatedAt = f.now()
	writeJSON(w, http.StatusOK, map[string]any{"catalog_type": f.typeView(t)})
}

// Attribute finds an attribute by id.
func (s catalogSchema) Attribute(id string) (catalogAttribute, bool) {
	for _, a := range s.Attributes {
		if a.ID == id {
			return a, true
		}
	}
	return catalogAttribute{}, false
}

type entryPayload struct {
	CatalogTypeID    string             `json:"catalog_type_id"`
	Name             string             `json:"name"`
	ExternalID       string             `json:"external_id"`
	Aliases          []string           `json:"aliases"`
	Rank             *int32             `json:"rank"`
	AttributeValues  map[string]binding `json:"attribute_values"`
	UpdateAttributes []string           `json:"update_attributes"`
}

// bindValues checks attribute values against the type's schema and adds
// labels. f.mu is held.
func bindValues(t *catalogType, in map[string]binding) (map[string]binding, string, string) {
	out := map[string]binding{}
	for id, b := range in {
		a, ok := t.Schema.Attribute(id)
		if !ok {
			return nil, "attribute_values." + id, "No attribute with this id on the catalog type"
		}
		if a.Array && b.Value != nil {
			return nil, "attribute_values." + id, "This attribute is an array: use array_value"
		}
		if !a.Array && b.ArrayValue != nil {
			return nil, "attribute_values." + id, "This attribute is not an array: use value"
		}
		nb := binding{}
		if b.Value != nil {
			nb.Value = &bindingValue{Label: b.Value.Literal, Literal: b.Value.Literal}
		}
		for _, v := range b.ArrayValue {
			nb.ArrayValue = append(nb.ArrayValue, bindingValue{Label: v.Literal, Literal: v.Literal})
		}
		if nb.Value == nil && nb.ArrayValue == nil {
			continue
		}
		out[id] = nb
	}
	return out, "", ""
}

func (f *Fake) createEntry(w http.ResponseWriter, r *http.Request) {
	var in entryPayload
	if !decode(w, r, &in) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.st.types[in.CatalogTypeID]
	if !ok {
		invalid(w, "catalog_type_id", "No catalog type with this id")
		return
	}
	if strings.TrimSpace(in.Name) == "" {
		invalid(w, "name", "A name is required")
		return
	}
	vals, field, msg := bindValues(t, in.AttributeValues)
	if msg != "" {
		invalid(w, field, msg)
		return
	}
	now := f.now()
	if in.ExternalID != "" {
		for _, e := range f.st.entries {
			if e.CatalogTypeID == t.ID && e.ExternalID == in.ExternalID {
				f.applyEntry(e, in, vals, now)
				writeJSON(w, http.StatusCreated, map[string]any{"catalog_entry": e})
				return
			}
		}
	}
	e := &catalogEntry{ID: f.newID(), CatalogTypeID: t.ID, CreatedAt: now}
	f.applyEntry(e, in, vals, now)
	f.st.entries[e.ID] = e
	writeJSON(w, http.StatusCreated, map[string]any{"catalog_entry": e})
}

func (f *Fake) applyEntry(e *catalogEntry, in entryPayload, vals map[string]binding, now time.Time) {
	e.Name = in.Name
	e.ExternalID = in.ExternalID
	e.Aliases = append([]string{}, in.Aliases...)
	if in.Rank != nil {
		e.Rank = *in.Rank
	}
	if len(in.UpdateAttributes) > 0 && e.AttributeValues != nil {
		for _, id := range in.UpdateAttributes {
			if v, ok := vals[id]; ok {
				e.AttributeValues[id] = v
			} else {
				delete(e.AttributeValues, id)
			}
		}
	} else {
		e.AttributeValues = vals
	}
	e.UpdatedAt = now
}

func (f *Fake) showEntry(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.st.entries[r.PathValue("id")]
	if !ok {
		notFound(w, "Catalog entry")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"catalog_entry": e, "catalog_type": f.typeView(f.st.types[e.CatalogTypeID])})
}

func (f *Fake) updateEntry(w http.ResponseWriter, r *http.Request) {
	var in entryPayload
	if !decode(w, r, &in) {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.st.entries[r.PathValue("id")]
	if !ok {
		notFound(w, "Catalog entry")
		return
	}
	if strings.TrimSpace(in.Name) == "" {
		invalid(w, "name", "A name is required")
		return
	}
	vals, field, msg := bindValues(f.st.types[e.CatalogTypeID], in.AttributeValues)
	if msg != "" {
		invalid(w, field, msg)
		return
	}
	if in.ExternalID == "" {
		in.ExternalID = e.ExternalID
	}
	f.applyEntry(e, in, vals, f.now())
	writeJSON(w, http.StatusOK, map[string]any{"catalog_entry": e, "catalog_type": f.typeView(f.st.types[e.CatalogTypeID])})
}

func (f *Fake) deleteEntry(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.st.entries[r.PathValue("id")]; !ok {
		notFound(w, "Catalog entry")
		return
	}
	delete(f.st.entries, r.PathValue("id"))
	w.WriteHeader(http.StatusNoContent)
}

func (f *Fake) listEntries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size, ok := pageSize(w, r, 0, 250)
	if !ok {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.st.types[q.Get("catalog_type_id")]
	if !ok {
		invalid(w, "catalog_type_id", "No catalog type with this id")
		return
	}
	ident := q.Get("identifier")
	var ids []string
	for id, e := range f.st.entries {
		if e.CatalogTypeID != t.ID {
			continue
		}
		if ident != "" && !(e.ID == ident || e.ExternalID == ident || slices.Contains(e.Aliases, ident) || (t.UseNameAsIdentifier && e.Name == ident)) {
			continue
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	pageIDs, next := page(ids, q.Get("after"), size)
	out := make([]*catalogEntry, 0, len(pageIDs))
	for _, id := range pageIDs {
		out = append(out, f.st.entries[id])
	}
	meta := map[string]any{"page_size": size, "total_record_count": len(ids)}
	if next != "" {
		meta["after"] = next
	}
	writeJSON(w, http.StatusOK, map[string]any{"catalog_entries": out, "catalog_type": f.typeView(t), "pagination_meta": meta})
}

// Entry is the test view of a catalog entry.
type Entry struct {
	ID, TypeID, Name, ExternalID string
	Aliases                      []string
	// Attributes maps attribute names to their literal(s).
	Attributes map[string][]string
}

// Entries returns the entries of the catalog type named typeName, by
// external_id (entries without one under their id).
func (f *Fake) Entries(typeName string) map[string]Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]Entry{}
	for _, e := range f.st.entries {
		t := f.st.types[e.CatalogTypeID]
		if t == nil || t.Name != typeName {
			continue
		}
		v := Entry{ID: e.ID, TypeID: t.ID, Name: e.Name, ExternalID: e.ExternalID, Aliases: append([]string(nil), e.Aliases...), Attributes: map[string][]string{}}
		for id, b := range e.AttributeValues {
			a, _ := t.Schema.Attribute(id)
			if b.Value != nil {
				v.Attributes[a.Name] = []string{b.Value.Literal}
			}
			for _, x := range b.ArrayValue {
				v.Attributes[a.Name] = append(v.Attributes[a.Name], x.Literal)
			}
		}
		key := e.ExternalID
		if key == "" {
			key = e.ID
		}
		out[key] = v
	}
	return out
}

// CatalogTypes returns the names of the catalog types with their schema
// versions.
func (f *Fake) CatalogTypes() map[string]int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int64{}
	for _, t := range f.st.types {
		out[t.Name] = t.Schema.Version
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
