package incidentio

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/ghlsync/ghlsync/internal/crmsync"
	iio "github.com/ghlsync/ghlsync/internal/incidentio"
)

// The attributes of the "GHL Contact" catalog type, all owned by the API
// (mode "api", so the dashboard does not drift from GHL).
const (
	AttrFirstName = "First name"
	AttrLastName  = "Last name"
	AttrEmail     = "Email"
	AttrPhone     = "Phone"
	AttrCompany   = "Company"
	AttrTags      = "Tags"
	AttrGHLLink   = "GHL link"
	AttrLocation  = "GHL location"
)

var schemaAttrs = []iio.CatalogTypeAttribute{
	{Name: AttrFirstName, Type: "String", Mode: "api"},
	{Name: AttrLastName, Type: "String", Mode: "api"},
	{Name: AttrEmail, Type: "String", Mode: "api"},
	{Name: AttrPhone, Type: "String", Mode: "api"},
	{Name: AttrCompany, Type: "String", Mode: "api"},
	{Name: AttrTags, Type: "String", Array: true, Mode: "api"},
	{Name: AttrGHLLink, Type: "String", Mode: "api"},
	{Name: AttrLocation, Type: "String", Mode: "api"},
}

// contactType is the ensured catalog type: its id and attribute ids by
// name.
type contactType struct {
	id    string
	attrs map[string]string
}

// ensureType returns the catalog type, creating it and its schema on first
// use. The result is cached; concurrent callers wait for one another, and
// a failure is retried by the next call.
func (c *Connector) ensureType(ctx context.Context) (*contactType, error) {
	c.typeMu.Lock()
	defer c.typeMu.Unlock()
	if c.ctype != nil {
		return c.ctype, nil
	}
	t, err := c.findType(ctx)
	if err != nil {
		return nil, err
	}
	if t == nil {
		t, _, err = c.api.CatalogTypes.Create(ctx, &iio.CreateCatalogTypeRequest{Name: c.typeName,
			Description: "GoHighLevel contacts, kept in sync by ghlsync (external_id = GHL contact id). Do not edit by hand.",
			TypeName:    catalogTypeName, Icon: "user", Annotations: map[string]string{"ghlsync.managed": "true"}})
		if errors.Is(err, iio.ErrAmbiguous) {
			// It may exist now: look again rather than create a second one.
			t, err = c.findType(ctx)
			if err == nil && t == nil {
				err = fmt.Errorf("create catalog type %q: %w", c.typeName, iio.ErrAmbiguous)
			}
		}
		if err != nil {
			return nil, peerError("create catalog type", err)
		}
	}
	for attempt := 0; ; attempt++ {
		missing := false
		for _, a := range schemaAttrs {
			if _, ok := t.Schema.Attribute(a.Name); !ok {
				missing = true
			}
		}
		if !missing {
			break
		}
		attrs := append([]iio.CatalogTypeAttribute(nil), t.Schema.Attributes...)
		for _, a := range schemaAttrs {
			if _, ok := t.Schema.Attribute(a.Name); !ok {
				attrs = append(attrs, a)
			}
		}
		updated, _, err := c.api.CatalogTypes.UpdateSchema(ctx, t.ID, &iio.UpdateCatalogTypeSchemaRequest{Version: t.Schema.Version, Attributes: attrs})
		if err == nil {
			t = updated
			continue
		}
		if attempt >= 2 {
			return nil, peerError("update catalog type schema", err)
		}
		// A concurrent update (stale version) or an unclear outcome: reload.
		if t, err = c.findType(ctx); err != nil {
			return nil, err
		}
		if t == nil {
			return nil, peerError("update catalog type schema", fmt.Errorf("catalog type %q disappeared", c.typeName))
		}
	}
	ct := &contactType{id: t.ID, attrs: map[string]string{}}
	for _, a := range t.Schema.Attributes {
		ct.attrs[a.Name] = a.ID
	}
	c.ctype = ct
	return ct, nil
}

// findType looks the catalog type up by name (or by its type_name).
func (c *Connector) findType(ctx context.Context) (*iio.CatalogType, error) {
	types, _, err := c.api.CatalogTypes.List(ctx)
	if err != nil {
		return nil, peerError("list catalog types", err)
	}
	for i := range types {
		if types[i].Name == c.typeName {
			return &types[i], nil
		}
	}
	for i := range types {
		if types[i].TypeName == catalogTypeName {
			return &types[i], nil
		}
	}
	return nil, nil
}

// contactLink is the GHL deep link of a contact.
func (c *Connector) contactLink(locationID, contactID string) string {
	return c.appURL + "/v2/location/" + url.PathEscape(locationID) + "/contacts/detail/" + url.PathEscape(contactID)
}

// entryRequest is the upsert body for a GHL contact.
func (c *Connector) entryRequest(ct *contactType, loc string, k *crmsync.Contact) *iio.CatalogEntryRequest {
	name := strings.TrimSpace(k.Name)
	if name == "" {
		name = strings.TrimSpace(k.FirstName + " " + k.LastName)
	}
	for _, alt := range []string{k.Email, k.Phone, k.GHLID} {
		if name == "" {
			name = alt
		}
	}
	var aliases []string
	for _, a := range []string{strings.ToLower(strings.TrimSpace(k.Email)), strings.TrimSpace(k.Phone)} {
		if a != "" && !contains(aliases, a) {
			aliases = append(aliases, a)
		}
	}
	vals := map[string]iio.CatalogAttributeSet{}
	set := func(attr, v string) {
		if v != "" {
			vals[ct.attrs[attr]] = iio.CatalogAttributeSet{Value: &iio.CatalogAttributeValue{Literal: v}}
		}
	}
	set(AttrFirstName, k.FirstName)
	set(AttrLastName, k.LastName)
	set(AttrEmail, strings.ToLower(strings.TrimSpace(k.Email)))
	set(AttrPhone, k.Phone)
	set(AttrCompany, k.CompanyName)
	set(AttrLocation, loc)
	if loc != "" {
		set(AttrGHLLink, c.contactLink(loc, k.GHLID))
	}
	if tags := crmsync.NormalizeTags(k.Tags); len(tags) > 0 {
		var arr []iio.CatalogAttributeValue
		for _, t := range tags {
			arr = append(arr, iio.CatalogAttributeValue{Literal: t})
		}
		vals[ct.attrs[AttrTags]] = iio.CatalogAttributeSet{ArrayValue: arr}
	}
	return &iio.CatalogEntryRequest{CatalogTypeID: ct.id, Name: name, ExternalID: k.GHLID, Aliases: aliases, AttributeValues: vals}
}

// contactFromEntry is the canonical contact a catalog entry describes.
func (c *Connector) contactFromEntry(ct *contactType, e *iio.CatalogEntry) *crmsync.Contact {
	k := &crmsync.Contact{GHLID: e.ExternalID, PeerID: e.ID, Name: e.Name,
		FirstName: e.Literal(ct.attrs[AttrFirstName]), LastName: e.Literal(ct.attrs[AttrLastName]),
		Email: e.Literal(ct.attrs[AttrEmail]), Phone: e.Literal(ct.attrs[AttrPhone]), CompanyName: e.Literal(ct.attrs[AttrCompany]),
		LocationID: e.Literal(ct.attrs[AttrLocation]), Tags: crmsync.NormalizeTags(e.Literals(ct.attrs[AttrTags])), UpdatedAt: e.UpdatedAt}
	// Entries made by hand may carry email and phone only as aliases.
	for _, a := range e.Aliases {
		switch {
		case k.Email == "" && strings.Contains(a, "@"):
			k.Email = strings.ToLower(a)
		case k.Phone == "" && strings.HasPrefix(a, "+"):
			k.Phone = a
		}
	}
	if k.LocationID == "" {
		k.LocationID = c.location
	}
	return k
}

// entryOf finds the catalog entry of a GHL contact: by entry id when
// known, else by external_id. Absent is (nil, nil).
func (c *Connector) entryOf(ctx context.Context, ct *contactType, entryID, ghlID string) (*iio.CatalogEntry, error) {
	if entryID != "" && entryID != ghlID {
		e, _, err := c.api.CatalogEntries.Get(ctx, entryID)
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, iio.ErrNotFound) {
			return nil, peerError("get catalog entry", err)
		}
	}
	if ghlID == "" {
		return nil, nil
	}
	page, _, err := c.api.CatalogEntries.List(ctx, &iio.ListCatalogEntriesOptions{CatalogTypeID: ct.id, PageSize: 5, Identifier: ghlID})
	if err != nil {
		return nil, peerError("find catalog entry", err)
	}
	for i := range page.CatalogEntries {
		if page.CatalogEntries[i].ExternalID == ghlID {
			return &page.CatalogEntries[i], nil
		}
	}
	return nil, nil
}

// fieldIDOf resolves the configured custom field to its id (cached once
// found). An unknown field is ("", nil): no incident can name contacts yet.
func (c *Connector) fieldIDOf(ctx context.Context) (string, error) {
	c.fieldMu.Lock()
	defer c.fieldMu.Unlock()
	if c.fieldID != "" {
		return c.fieldID, nil
	}
	fields, _, err := c.api.CustomFields.List(ctx)
	if err != nil {
		return "", peerError("list custom fields", err)
	}
	for _, byID := range []bool{true, false} {
		for _, f := range fields {
			if (byID && f.ID == c.field) || (!byID && f.Name == c.field) {
				c.fieldID = f.ID
				return f.ID, nil
			}
		}
	}
	return "", nil // not created yet: looked up again next time
}

// contactIncidents lists the incidents whose contacts field names the
// entry.
func (c *Connector) contactIncidents(ctx context.Context, entryID string) ([]iio.Incident, error) {
	fid, err := c.fieldIDOf(ctx)
	if err != nil || fid == "" {
		return nil, err
	}
	var out []iio.Incident
	for inc, err := range c.api.Incidents.All(ctx, iio.ListIncidentsOptions{CustomFieldOneOf: map[string][]string{fid: {entryID}}}) {
		if err != nil {
			return nil, peerError("list the contact's incidents", err)
		}
		out = append(out, inc)
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
