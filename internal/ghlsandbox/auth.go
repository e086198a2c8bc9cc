package ghlsandbox

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// accessToken is what a bearer token grants.
type accessToken struct {
	private    bool   // a Private Integration Token
	userType   string // "Location" or "Company"
	appID      string
	versionID  string
	locationID string
	companyID  string
	userID     string
	scopes     []string
	expires    time.Time // zero: never
}

func (t *accessToken) limitKey() string {
	if t.userType == "Company" {
		return t.appID + "/" + t.companyID
	}
	return t.appID + "/" + t.locationID
}

func (t *accessToken) has(scope string) bool { return slices.Contains(t.scopes, scope) }

// grant is what an authorization code or a refresh token stands for.
type grant struct {
	appID      string
	userType   string
	locationID string
	companyID  string
	userID     string
	scopes     []string
}

type refreshRecord struct {
	grant
	used bool
}

type codeRecord struct {
	grant
	expires time.Time
	used    bool
}

type authStore struct {
	mu      sync.RWMutex
	access  map[string]*accessToken
	refresh map[string]*refreshRecord
	codes   map[string]*codeRecord
}

func newAuthStore() *authStore {
	return &authStore{access: map[string]*accessToken{}, refresh: map[string]*refreshRecord{}, codes: map[string]*codeRecord{}}
}

// Scopes lists every scope an operation of the sandbox requires.
func (s *Sandbox) Scopes() []string {
	var out []string
	for _, r := range s.routes {
		if r.scope != "" && !slices.Contains(out, r.scope) {
			out = append(out, r.scope)
		}
	}
	sort.Strings(out)
	return out
}

// authenticate resolves the bearer token and checks its user type and scope
// for the route (NOTES §2, §3).
func (s *Sandbox) authenticate(r *http.Request, rt *route, now time.Time) (*accessToken, *apiError) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	raw = strings.TrimSpace(raw)
	if !ok || raw == "" {
		return nil, errUnauthorized(msgInvalidToken)
	}
	s.auth.mu.RLock()
	tok := s.auth.access[raw]
	s.auth.mu.RUnlock()
	if tok == nil || (!tok.expires.IsZero() && !now.Before(tok.expires)) {
		return nil, errUnauthorized(msgInvalidToken)
	}
	switch rt.auth {
	case authLocation:
		if tok.userType != "Location" {
			return nil, errUnauthorized(msgAuthClass)
		}
	case authAgency:
		if tok.userType != "Company" {
			return nil, errUnauthorized(msgAuthClass)
		}
	}
	if !tok.has(rt.scope) {
		return nil, errUnauthorized(msgScope)
	}
	return tok, nil
}

// IssuePrivateToken creates a static Private Integration Token for a
// location with the given scopes (all of Scopes() when none are given).
func (s *Sandbox) IssuePrivateToken(locationID string, scopes ...string) (string, error) {
	l, err := s.mustLocation(locationID)
	if err != nil {
		return "", fmt.Errorf("ghlsandbox: issue private token: %w", err)
	}
	if len(scopes) == 0 {
		scopes = s.Scopes()
	}
	tok := "pit-" + strings.ToLower(s.ids.token(8)+"-"+s.ids.token(4)+"-"+s.ids.token(4)+"-"+s.ids.token(4)+"-"+s.ids.token(12))
	s.auth.mu.Lock()
	s.auth.access[tok] = &accessToken{private: true, userType: "Location", appID: "pit:" + tok[4:12],
		locationID: l.id, companyID: l.companyID, userID: s.ids.id(), scopes: slices.Clone(scopes)}
	s.auth.mu.Unlock()
	return tok, nil
}

// RevokeToken invalidates an access token or Private Integration Token.
func (s *Sandbox) RevokeToken(token string) {
	s.auth.mu.Lock()
	delete(s.auth.access, token)
	s.auth.mu.Unlock()
}

// issue mints an access token (and, with refresh, a single-use refresh
// token) for g. Caller holds s.auth.mu.
func (s *Sandbox) issueLocked(g grant, now time.Time, refresh bool) (access, refreshTok string, t *accessToken) {
	app := s.appByID(g.appID)
	access = "eyJ" + s.ids.token(61)
	t = &accessToken{userType: g.userType, appID: g.appID, locationID: g.locationID, companyID: g.companyID,
		userID: g.userID, scopes: slices.Clone(g.scopes), expires: now.Add(s.opts.AccessTokenTTL)}
	if app != nil {
		t.versionID = app.VersionID
	}
	s.auth.access[access] = t
	if refresh {
		refreshTok = "eyJ" + s.ids.token(61)
		s.auth.refresh[refreshTok] = &refreshRecord{grant: g}
	}
	return access, refreshTok, t
}

// revokeInstall drops every token and refresh token of app on the target.
func (s *Sandbox) revokeInstall(appID, locationID, companyID string) {
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	match := func(a, l, c string) bool {
		return a == appID && ((locationID != "" && l == locationID) || (locationID == "" && c == companyID))
	}
	for k, t := range s.auth.access {
		if !t.private && match(t.appID, t.locationID, t.companyID) {
			delete(s.auth.access, k)
		}
	}
	for k, r := range s.auth.refresh {
		if match(r.appID, r.locationID, r.companyID) {
			delete(s.auth.refresh, k)
		}
	}
}

// locationFor checks that the token may act on locationID and returns it.
func (s *Sandbox) locationFor(rc *reqCtx, locationID string) (*location, *apiError) {
	if locationID != rc.tok.locationID {
		return nil, errForbidden()
	}
	l := s.location(locationID)
	if l == nil {
		return nil, errForbidden()
	}
	return l, nil
}

// entityLocation finds the location that owns an entity id and checks that
// the token may act on it.
func (s *Sandbox) entityLocation(rc *reqCtx, id, what string) (*location, *apiError) {
	v, ok := s.index.Load(id)
	if !ok {
		return nil, errNotFound(what + " not found")
	}
	l := v.(*location)
	if l.id != rc.tok.locationID {
		return nil, errForbidden()
	}
	return l, nil
}
