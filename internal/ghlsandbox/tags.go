package ghlsandbox

import (
	"net/http"
	"slices"
)

func (s *Sandbox) addTags(rc *reqCtx) (int, any, *apiError) { return s.changeTags(rc, true) }

func (s *Sandbox) removeTags(rc *reqCtx) (int, any, *apiError) { return s.changeTags(rc, false) }

// changeTags is POST (201) and DELETE (200, JSON body) /contacts/{id}/tags;
// both answer the contact's tags after the change.
func (s *Sandbox) changeTags(rc *reqCtx, add bool) (int, any, *apiError) {
	var tags opt[[]string]
	if e := bind(rc.body, "TagsDTO", map[string]any{"tags": &tags}); e != nil {
		return 0, nil, e
	}
	if !tags.has() {
		return 0, nil, errUnprocessable("tags must be an array")
	}
	id := rc.param("contactId")
	l, e := s.contactFor(rc, id)
	if e != nil {
		return 0, nil, e
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.contacts[id]
	if c == nil {
		return 0, nil, errNotFound("Contact not found")
	}
	next := applyTags(c.Tags, tags.V, add)
	if !slices.Equal(next, c.Tags) {
		c.Tags = next
		s.changeContact(c, contactChange{tags: true})
	}
	status := http.StatusOK
	if add {
		status = http.StatusCreated
	}
	out := slices.Clone(c.Tags)
	if out == nil {
		out = []string{}
	}
	return status, map[string]any{"tags": out}, nil
}

func applyTags(cur, change []string, add bool) []string {
	change = normTags(change)
	out := slices.Clone(cur)
	for _, t := range change {
		i := slices.Index(out, t)
		switch {
		case add && i < 0:
			out = append(out, t)
		case !add && i >= 0:
			out = slices.Delete(out, i, i+1)
		}
	}
	return out
}
