package ghlsandbox

import (
	"net/http"
	"sort"
	"strconv"
)

type businessJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Phone       string `json:"phone,omitempty"`
	Email       string `json:"email,omitempty"`
	Website     string `json:"website,omitempty"`
	Address     string `json:"address,omitempty"`
	City        string `json:"city,omitempty"`
	Description string `json:"description,omitempty"`
	State       string `json:"state,omitempty"`
	PostalCode  string `json:"postalCode,omitempty"`
	Country     string `json:"country,omitempty"`
	LocationID  string `json:"locationId"`
	CreatedAt   string `json:"createdAt"`
	UpdatedAt   string `json:"updatedAt"`
}

func businessView(b *Business) businessJSON {
	return businessJSON{ID: b.ID, Name: b.Name, Phone: b.Phone, Email: b.Email, Website: b.Website, Address: b.Address, City: b.City,
		Description: b.Description, State: b.State, PostalCode: b.PostalCode, Country: b.Country, LocationID: b.LocationID,
		CreatedAt: fmtTime(b.CreatedAt), UpdatedAt: fmtTime(b.UpdatedAt)}
}

type businessRequest struct {
	Name, LocationID, Phone, Email, Website, Address, City, PostalCode, State, Country, Description opt[string]
}

func (r *businessRequest) fields() map[string]any {
	return map[string]any{"name": &r.Name, "locationId": &r.LocationID, "phone": &r.Phone, "email": &r.Email, "website": &r.Website,
		"address": &r.Address, "city": &r.City, "postalCode": &r.PostalCode, "state": &r.State, "country": &r.Country, "description": &r.Description}
}

func (r *businessRequest) apply(b *Business) {
	for _, f := range []struct {
		dst *string
		v   opt[string]
	}{{&b.Name, r.Name}, {&b.Phone, r.Phone}, {&b.Email, r.Email}, {&b.Website, r.Website}, {&b.Address, r.Address}, {&b.City, r.City},
		{&b.PostalCode, r.PostalCode}, {&b.State, r.State}, {&b.Country, r.Country}, {&b.Description, r.Description}} {
		if f.v.Set {
			*f.dst = f.v.V
		}
	}
}

func (s *Sandbox) listBusinesses(rc *reqCtx) (int, any, *apiError) {
	q := rc.r.URL.Query()
	if q.Get("locationId") == "" {
		return 0, nil, errBadRequest("locationId should not be empty")
	}
	l, e := s.locationFor(rc, q.Get("locationId"))
	if e != nil {
		return 0, nil, e
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	skip, _ := strconv.Atoi(q.Get("skip"))
	l.mu.RLock()
	defer l.mu.RUnlock()
	bs := make([]*Business, 0, len(l.businesses))
	for _, b := range l.businesses {
		bs = append(bs, b)
	}
	sort.Slice(bs, func(i, j int) bool { return bs[i].ID < bs[j].ID })
	bs = bs[min(max(skip, 0), len(bs)):]
	bs = bs[:min(limit, len(bs))]
	out := make([]businessJSON, len(bs))
	for i, b := range bs {
		out[i] = businessView(b)
	}
	return http.StatusOK, map[string]any{"businesses": out}, nil
}

func (s *Sandbox) createBusiness(rc *reqCtx) (int, any, *apiError) {
	var r businessRequest
	if e := bind(rc.body, "CreateBusinessDto", r.fields()); e != nil {
		return 0, nil, e
	}
	var msgs []string
	if !r.Name.has() || r.Name.V == "" {
		msgs = append(msgs, "name should not be empty")
	}
	if !r.LocationID.has() || r.LocationID.V == "" {
		msgs = append(msgs, "locationId should not be empty")
	}
	if msgs != nil {
		return 0, nil, errUnprocessable(msgs...)
	}
	l, e := s.locationFor(rc, r.LocationID.V)
	if e != nil {
		return 0, nil, e
	}
	now := s.now()
	b := &Business{ID: s.ids.objectID(), LocationID: l.id, CreatedAt: now, UpdatedAt: now}
	r.apply(b)
	l.mu.Lock()
	l.businesses[b.ID] = b
	s.index.Store(b.ID, l)
	l.mu.Unlock()
	return http.StatusCreated, map[string]any{"success": true, "buiseness": businessView(b)}, nil
}

func (s *Sandbox) getBusiness(rc *reqCtx) (int, any, *apiError) {
	l, e := s.entityLocation(rc, rc.param("businessId"), "Business")
	if e != nil {
		return 0, nil, e
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	b := l.businesses[rc.param("businessId")]
	if b == nil {
		return 0, nil, errNotFound("Business not found")
	}
	return http.StatusOK, map[string]any{"business": businessView(b)}, nil
}

func (s *Sandbox) updateBusiness(rc *reqCtx) (int, any, *apiError) {
	var r businessRequest
	if e := bind(rc.body, "UpdateBusinessDto", r.fields()); e != nil {
		return 0, nil, e
	}
	l, e := s.entityLocation(rc, rc.param("businessId"), "Business")
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.businesses[rc.param("businessId")]
	if b == nil {
		return 0, nil, errNotFound("Business not found")
	}
	r.apply(b)
	b.UpdatedAt = s.now()
	return http.StatusOK, map[string]any{"success": true, "buiseness": businessView(b)}, nil
}

func (s *Sandbox) deleteBusiness(rc *reqCtx) (int, any, *apiError) {
	l, e := s.entityLocation(rc, rc.param("businessId"), "Business")
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.businesses[rc.param("businessId")]
	if b == nil {
		return 0, nil, errNotFound("Business not found")
	}
	delete(l.businesses, b.ID)
	s.index.Delete(b.ID)
	for _, c := range l.contacts {
		if c.BusinessID == b.ID {
			c.BusinessID = ""
			s.changeContact(c, contactChange{fields: true})
		}
	}
	return http.StatusOK, map[string]any{"success": true}, nil
}
