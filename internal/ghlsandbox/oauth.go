package ghlsandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// App is a marketplace app registered in the sandbox.
type App struct {
	ID           string
	VersionID    string
	ClientID     string
	ClientSecret string
	Name         string
}

type install struct {
	appID       string
	userType    string
	locationID  string
	companyID   string
	userID      string
	scopes      []string
	installedAt time.Time
}

func installKey(appID, target string) string { return appID + "/" + target }

func (s *Sandbox) registerApp(name string) *App {
	id := s.ids.objectID()
	a := &App{ID: id, VersionID: s.ids.objectID(), ClientID: id + "-" + strings.ToLower(s.ids.token(8)),
		ClientSecret: strings.ToLower(s.ids.token(8) + "-" + s.ids.token(4) + "-" + s.ids.token(4) + "-" + s.ids.token(4) + "-" + s.ids.token(12)), Name: name}
	s.mu.Lock()
	s.apps[a.ID] = a
	s.clients[a.ClientID] = a
	s.mu.Unlock()
	return a
}

// RegisterApp adds another marketplace app and returns its credentials.
func (s *Sandbox) RegisterApp(name string) App { return *s.registerApp(name) }

// App returns the sandbox's default marketplace app. Webhooks carry its
// appId and versionId.
func (s *Sandbox) App() App { return *s.defApp }

func (s *Sandbox) appByID(id string) *App {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.apps[id]
}

// InstallOptions describe an app installation.
type InstallOptions struct {
	// AppID of the app; default App().ID.
	AppID string
	// LocationID installs on a sub-account (user type Location). Leave it
	// empty for an agency (Company) install, which covers every location of
	// the sandbox company for POST /oauth/locationToken.
	LocationID string
	// Scopes granted; default Scopes() plus oauth.write and oauth.readonly
	// for agency installs.
	Scopes []string
}

// Install is the result of InstallApp.
type Install struct {
	AppID      string
	LocationID string
	CompanyID  string
	UserType   string
	UserID     string
	Scopes     []string
	// Code is a fresh single-use authorization code (valid 10 minutes of
	// sandbox time) for POST /oauth/token, as the OAuth redirect carries.
	Code string
}

// InstallApp installs an app on a location (or the agency) the way a user
// does in the marketplace: it records the installation, emits INSTALL to
// the app webhook URL on first install, and returns an authorization code.
func (s *Sandbox) InstallApp(o InstallOptions) (Install, error) {
	if o.AppID == "" {
		o.AppID = s.defApp.ID
	}
	app := s.appByID(o.AppID)
	if app == nil {
		return Install{}, fmt.Errorf("ghlsandbox: install app %s: %w", o.AppID, ErrNotFound)
	}
	userType, target, locID := "Company", s.defCo, ""
	if o.LocationID != "" {
		if _, err := s.mustLocation(o.LocationID); err != nil {
			return Install{}, fmt.Errorf("ghlsandbox: install app: %w", err)
		}
		userType, target, locID = "Location", o.LocationID, o.LocationID
	}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = s.Scopes()
		if userType == "Company" {
			scopes = append(scopes, "oauth.readonly", "oauth.write")
		}
	}
	now := s.now()
	s.mu.Lock()
	in, existed := s.installs[installKey(app.ID, target)]
	if !existed {
		in = &install{appID: app.ID, userType: userType, locationID: locID, companyID: s.defCo, userID: s.ids.id(), installedAt: now}
		s.installs[installKey(app.ID, target)] = in
	}
	in.scopes = slices.Clone(scopes)
	inCopy := *in
	s.mu.Unlock()

	code := s.ids.token(40)
	s.auth.mu.Lock()
	s.auth.codes[code] = &codeRecord{grant: grant{appID: app.ID, userType: userType, locationID: locID, companyID: s.defCo, userID: inCopy.userID, scopes: inCopy.scopes}, expires: now.Add(10 * time.Minute)}
	s.auth.mu.Unlock()
	if !existed {
		s.emitInstall("INSTALL", app, &inCopy)
	}
	return Install{AppID: app.ID, LocationID: locID, CompanyID: s.defCo, UserType: userType, UserID: inCopy.userID, Scopes: inCopy.scopes, Code: code}, nil
}

// UninstallApp removes an installation (locationID empty: the agency
// install), revokes its tokens and emits UNINSTALL.
func (s *Sandbox) UninstallApp(appID, locationID string) error {
	if appID == "" {
		appID = s.defApp.ID
	}
	target := locationID
	if target == "" {
		target = s.defCo
	}
	s.mu.Lock()
	in, ok := s.installs[installKey(appID, target)]
	delete(s.installs, installKey(appID, target))
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("ghlsandbox: uninstall app %s from %s: %w", appID, target, ErrNotFound)
	}
	s.revokeInstall(appID, locationID, s.defCo)
	s.emitInstall("UNINSTALL", s.appByID(appID), in)
	return nil
}

func (s *Sandbox) installed(appID, locationID string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.installs[installKey(appID, locationID)]; ok {
		return true
	}
	_, ok := s.installs[installKey(appID, s.defCo)]
	return ok
}

// tokenResponse is GetAccessCodeSuccessfulResponseDto.
type tokenResponse struct {
	AccessToken        string   `json:"access_token"`
	TokenType          string   `json:"token_type"`
	ExpiresIn          int64    `json:"expires_in"`
	RefreshToken       string   `json:"refresh_token,omitempty"`
	Scope              string   `json:"scope"`
	UserType           string   `json:"userType,omitempty"`
	LocationID         string   `json:"locationId,omitempty"`
	CompanyID          string   `json:"companyId,omitempty"`
	ApprovedLocations  []string `json:"approvedLocations,omitempty"`
	UserID             string   `json:"userId"`
	PlanID             string   `json:"planId,omitempty"`
	AppID              string   `json:"appId,omitempty"`
	VersionID          string   `json:"versionId,omitempty"`
	IsBulkInstallation *bool    `json:"isBulkInstallation,omitempty"`
}

func formValues(rc *reqCtx) url.Values {
	if !strings.HasPrefix(rc.r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return url.Values{}
	}
	v, err := url.ParseQuery(string(rc.body))
	if err != nil {
		return url.Values{}
	}
	return v
}

// oauthToken is POST /oauth/token (NOTES §5): authorization_code and
// refresh_token grants; refresh tokens are single-use; an inactive location
// refuses without consuming the refresh token.
func (s *Sandbox) oauthToken(rc *reqCtx) (int, any, *apiError) {
	f := formValues(rc)
	for _, p := range [][2]string{{"client_id", "clientId"}, {"client_secret", "clientSecret"}, {"grant_type", "grantType"}} {
		if f.Get(p[0]) == "" {
			return 0, nil, errBadRequest("Missing parameter: " + p[1])
		}
	}
	gt := f.Get("grant_type")
	if gt != "authorization_code" && gt != "refresh_token" {
		return 0, nil, errBadRequest("Invalid parameter: grantType")
	}
	s.mu.RLock()
	app := s.clients[f.Get("client_id")]
	s.mu.RUnlock()
	if app == nil {
		return 0, nil, errBadRequest("Invalid parameter: clientId")
	}
	if f.Get("client_secret") != app.ClientSecret {
		return 0, nil, errBadRequest("Invalid parameter: clientSecret")
	}
	if ut := f.Get("user_type"); ut != "" && ut != "Company" && ut != "Location" {
		return 0, nil, errBadRequest("Invalid parameter: userType")
	}
	s.auth.mu.Lock()
	defer s.auth.mu.Unlock()
	var g grant
	switch gt {
	case "authorization_code":
		code := f.Get("code")
		if code == "" {
			return 0, nil, errBadRequest("Missing parameter: code")
		}
		rec := s.auth.codes[code]
		if rec == nil || rec.used || rec.appID != app.ID || !rc.now.Before(rec.expires) {
			return 0, nil, errBadRequest(msgCodeInvalid)
		}
		rec.used = true
		g = rec.grant
	case "refresh_token":
		rt := f.Get("refresh_token")
		if rt == "" {
			return 0, nil, errBadRequest("Missing parameter: refreshToken")
		}
		rec := s.auth.refresh[rt]
		if rec == nil || rec.used || rec.appID != app.ID {
			return 0, nil, errBadRequest(msgRefreshInvalid)
		}
		if rec.locationID != "" {
			l := s.location(rec.locationID)
			if l == nil {
				return 0, nil, errBadRequest(msgRefreshInvalid)
			}
			l.mu.RLock()
			active := l.active
			l.mu.RUnlock()
			if !active {
				return 0, nil, errBadRequest(msgLocationInactive)
			}
		}
		rec.used = true
		g = rec.grant
	}
	access, refresh, _ := s.issueLocked(g, rc.now, true)
	no := false
	resp := tokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(s.opts.AccessTokenTTL / time.Second), RefreshToken: refresh,
		Scope: strings.Join(g.scopes, " "), UserType: g.userType, LocationID: g.locationID, CompanyID: g.companyID, UserID: g.userID, IsBulkInstallation: &no}
	if g.locationID != "" {
		resp.ApprovedLocations = nil
	}
	return http.StatusOK, resp, nil
}

// locationToken is POST /oauth/locationToken: an agency token mints a
// location token (with its own single-use refresh token).
func (s *Sandbox) locationToken(rc *reqCtx) (int, any, *apiError) {
	f := formValues(rc)
	var msgs []string
	for _, p := range []string{"companyId", "locationId"} {
		if f.Get(p) == "" {
			msgs = append(msgs, p+" should not be empty")
		}
	}
	if msgs != nil {
		return 0, nil, errUnprocessable(msgs...)
	}
	if f.Get("companyId") != rc.tok.companyID {
		return 0, nil, errForbidden()
	}
	l := s.location(f.Get("locationId"))
	if l == nil || l.companyID != rc.tok.companyID {
		return 0, nil, errBadRequest("Location not found")
	}
	if !s.installed(rc.tok.appID, l.id) {
		return 0, nil, errBadRequest("App is not installed on this location")
	}
	g := grant{appID: rc.tok.appID, userType: "Location", locationID: l.id, companyID: l.companyID, userID: rc.tok.userID}
	for _, sc := range rc.tok.scopes {
		if !strings.HasPrefix(sc, "oauth.") {
			g.scopes = append(g.scopes, sc)
		}
	}
	s.auth.mu.Lock()
	access, refresh, t := s.issueLocked(g, rc.now, true)
	s.auth.mu.Unlock()
	return http.StatusOK, tokenResponse{AccessToken: access, TokenType: "Bearer", ExpiresIn: int64(s.opts.AccessTokenTTL / time.Second), RefreshToken: refresh,
		Scope: strings.Join(g.scopes, " "), LocationID: l.id, UserID: g.userID, AppID: g.appID, VersionID: t.versionID}, nil
}

type installedLocation struct {
	ID          string `json:"_id"`
	Name        string `json:"name"`
	Address     string `json:"address"`
	IsInstalled bool   `json:"isInstalled"`
	VersionID   string `json:"versionId,omitempty"`
	InstalledAt string `json:"installedAt,omitempty"`
}

// installedLocations is GET /oauth/installedLocations.
func (s *Sandbox) installedLocations(rc *reqCtx) (int, any, *apiError) {
	q := rc.r.URL.Query()
	if q.Get("companyId") == "" || q.Get("appId") == "" {
		return 0, nil, errUnprocessable("companyId should not be empty", "appId should not be empty")
	}
	if q.Get("companyId") != rc.tok.companyID {
		return 0, nil, errForbidden()
	}
	app := s.appByID(q.Get("appId"))
	if app == nil {
		return 0, nil, errBadRequest("Invalid parameter: appId")
	}
	skip, _ := strconv.Atoi(q.Get("skip"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 {
		limit = 20
	}
	var all []installedLocation
	for _, li := range s.Locations() {
		if li.CompanyID != rc.tok.companyID || (q.Get("locationId") != "" && q.Get("locationId") != li.ID) {
			continue
		}
		if qs := strings.ToLower(q.Get("query")); qs != "" && !strings.Contains(strings.ToLower(li.Name), qs) {
			continue
		}
		s.mu.RLock()
		in := s.installs[installKey(app.ID, li.ID)]
		s.mu.RUnlock()
		il := installedLocation{ID: li.ID, Name: li.Name, IsInstalled: in != nil}
		if in != nil {
			il.VersionID, il.InstalledAt = app.VersionID, fmtTime(in.installedAt)
		}
		if v := q.Get("isInstalled"); v != "" && strconv.FormatBool(il.IsInstalled) != v {
			continue
		}
		all = append(all, il)
	}
	total := len(all)
	all = all[min(skip, len(all)):]
	all = all[:min(limit, len(all))]
	if all == nil {
		all = []installedLocation{}
	}
	return http.StatusOK, map[string]any{"locations": all, "count": total, "installToFutureLocations": false}, nil
}
