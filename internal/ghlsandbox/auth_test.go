package ghlsandbox_test

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ghlsync/ghlsync/internal/ghlsandbox"
	"github.com/google/go-cmp/cmp"
)

func TestAuthErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	id := e.createContact(map[string]any{"email": "auth@example.com"})
	readOnly, err := e.sb.IssuePrivateToken(e.loc.ID, "contacts.readonly")
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.sb.AddLocation(ghlsandbox.LocationOptions{Name: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	otherTok, err := e.sb.IssuePrivateToken(other.ID)
	if err != nil {
		t.Fatal(err)
	}
	agency := agencyToken(t, e)
	unauthorized := func(msg string) map[string]any {
		return map[string]any{"statusCode": 401.0, "message": msg, "error": "Unauthorized"}
	}
	tests := []struct {
		name   string
		r      req
		status int
		want   map[string]any
	}{
		{"no token", req{method: "GET", path: "/contacts/" + id, token: ptr(""), specInvalid: true}, 401, unauthorized("Invalid token: access token is invalid")},
		{"unknown token", req{method: "GET", path: "/contacts/" + id, token: ptr("not-a-token")}, 401, unauthorized("Invalid token: access token is invalid")},
		{"missing scope", req{method: "PUT", path: "/contacts/" + id, body: map[string]any{"city": "X"}, token: &readOnly}, 401, unauthorized("The token is not authorized for this scope.")},
		{"scope ok", req{method: "GET", path: "/contacts/" + id, token: &readOnly}, 200, nil},
		{"agency token on sub-account route", req{method: "GET", path: "/contacts/" + id, token: &agency}, 401, unauthorized("This AuthClass is not yet supported")},
		{"contact of another location", req{method: "GET", path: "/contacts/" + id, token: &otherTok}, 403,
			map[string]any{"statusCode": 403.0, "message": "The token does not have access to this location.", "error": "Forbidden"}},
		{"locationId of another location", req{method: "POST", path: "/contacts/", body: map[string]any{"locationId": e.loc.ID}, token: &otherTok}, 403,
			map[string]any{"statusCode": 403.0, "message": "The token does not have access to this location.", "error": "Forbidden"}},
		{"missing Version", req{method: "GET", path: "/contacts/" + id, version: ptr(""), specInvalid: true}, 400,
			map[string]any{"statusCode": 400.0, "message": "Version header was not found", "error": "Bad Request"}},
		{"wrong Version", req{method: "GET", path: "/contacts/" + id, version: ptr("2021-04-15"), specInvalid: true}, 400,
			map[string]any{"statusCode": 400.0, "message": "Version header is invalid", "error": "Bad Request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(tt.r)
			mustStatus(t, r, tt.status)
			if tt.want != nil {
				if diff := cmp.Diff(tt.want, r.json(t)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// agencyToken installs the app on the agency and exchanges the code.
func agencyToken(t *testing.T, e *env) string {
	t.Helper()
	in, err := e.sb.InstallApp(ghlsandbox.InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := tokenCall(t, e, url.Values{"grant_type": {"authorization_code"}, "code": {in.Code}})
	mustStatus(t, r, http.StatusOK)
	return r.json(t)["access_token"].(string)
}

func tokenCall(t *testing.T, e *env, form url.Values) resp {
	t.Helper()
	app := e.sb.App()
	if form.Get("client_id") == "" {
		form.Set("client_id", app.ClientID)
	}
	if form.Get("client_secret") == "" {
		form.Set("client_secret", app.ClientSecret)
	}
	return e.do(req{method: "POST", path: "/oauth/token", form: form.Encode(), token: ptr("")})
}

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
	UserType     string `json:"userType"`
	LocationID   string `json:"locationId"`
	CompanyID    string `json:"companyId"`
	UserID       string `json:"userId"`
	Scope        string `json:"scope"`
}

func TestOAuthRefreshRotation(t *testing.T) {
	t.Parallel()
	clock := ghlsandbox.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := newEnv(t, ghlsandbox.Options{Clock: clock})
	in, err := e.sb.InstallApp(ghlsandbox.InstallOptions{LocationID: e.loc.ID})
	if err != nil {
		t.Fatal(err)
	}
	r := tokenCall(t, e, url.Values{"grant_type": {"authorization_code"}, "code": {in.Code}, "user_type": {"Location"}})
	mustStatus(t, r, http.StatusOK)
	var first tokenAnswer
	r.decode(t, &first)
	if first.ExpiresIn != 86399 || first.UserType != "Location" || first.LocationID != e.loc.ID || first.RefreshToken == "" || first.UserID == "" {
		t.Fatalf("token answer = %+v", first)
	}
	bad := func(r resp, msg string) {
		t.Helper()
		mustStatus(t, r, http.StatusBadRequest)
		if diff := cmp.Diff(map[string]any{"statusCode": 400.0, "message": msg, "error": "Bad Request"}, r.json(t)); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
	}
	bad(tokenCall(t, e, url.Values{"grant_type": {"authorization_code"}, "code": {in.Code}}), "Invalid grant: authorization code is invalid")

	// The access token works, and expires on the sandbox clock.
	mustStatus(t, e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + e.loc.ID, token: &first.AccessToken}), http.StatusOK)
	clock.Advance(86399 * time.Second)
	mustStatus(t, e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + e.loc.ID, token: &first.AccessToken}), http.StatusUnauthorized)

	// Inactive location: refused without consuming the refresh token.
	if err := e.sb.SetLocationActive(e.loc.ID, false); err != nil {
		t.Fatal(err)
	}
	bad(tokenCall(t, e, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}}), "Location is not active")
	if err := e.sb.SetLocationActive(e.loc.ID, true); err != nil {
		t.Fatal(err)
	}
	r = tokenCall(t, e, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}})
	mustStatus(t, r, http.StatusOK)
	var second tokenAnswer
	r.decode(t, &second)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == first.AccessToken {
		t.Fatal("refresh did not rotate the tokens")
	}
	mustStatus(t, e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + e.loc.ID, token: &second.AccessToken}), http.StatusOK)

	// Single use: the old refresh token is dead.
	bad(tokenCall(t, e, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}}), "Invalid grant: refresh token is invalid")

	// Concurrent refreshes with one token: exactly one wins.
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = tokenCall(t, e, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {second.RefreshToken}}).status
		}()
	}
	wg.Wait()
	wins := 0
	for _, s := range statuses {
		if s == http.StatusOK {
			wins++
		}
	}
	if wins != 1 {
		t.Errorf("concurrent refreshes: %d succeeded (%v), want exactly 1", wins, statuses)
	}

	// Uninstall revokes everything.
	if err := e.sb.UninstallApp("", e.loc.ID); err != nil {
		t.Fatal(err)
	}
	mustStatus(t, e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + e.loc.ID, token: &second.AccessToken}), http.StatusUnauthorized)
}

func TestOAuthTokenErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	app := e.sb.App()
	tests := []struct {
		name        string
		form        url.Values
		specInvalid bool
		msg         string
	}{
		{"missing client id", url.Values{"client_secret": {"x"}, "grant_type": {"refresh_token"}}, true, "Missing parameter: clientId"},
		{"bad grant type", url.Values{"client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "grant_type": {"password"}}, true, "Invalid parameter: grantType"},
		{"wrong secret", url.Values{"client_id": {app.ClientID}, "client_secret": {"nope"}, "grant_type": {"refresh_token"}, "refresh_token": {"r"}}, false, "Invalid parameter: clientSecret"},
		{"unknown refresh token", url.Values{"client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "grant_type": {"refresh_token"}, "refresh_token": {"nope"}}, false,
			"Invalid grant: refresh token is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := e.do(req{method: "POST", path: "/oauth/token", form: tt.form.Encode(), token: ptr(""), specInvalid: tt.specInvalid})
			mustStatus(t, r, http.StatusBadRequest)
			if diff := cmp.Diff(map[string]any{"statusCode": 400.0, "message": tt.msg, "error": "Bad Request"}, r.json(t)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocationTokenFromAgency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{})
	agency := agencyToken(t, e)
	form := url.Values{"companyId": {e.sb.CompanyID()}, "locationId": {e.loc.ID}}
	r := e.do(req{method: "POST", path: "/oauth/locationToken", form: form.Encode(), token: &agency})
	mustStatus(t, r, http.StatusOK)
	var tok tokenAnswer
	r.decode(t, &tok)
	if tok.LocationID != e.loc.ID || tok.AccessToken == "" {
		t.Fatalf("location token = %+v", tok)
	}
	mustStatus(t, e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + e.loc.ID, token: &tok.AccessToken}), http.StatusOK)
	// A location token cannot mint location tokens.
	r = e.do(req{method: "POST", path: "/oauth/locationToken", form: form.Encode(), token: &tok.AccessToken})
	mustStatus(t, r, http.StatusUnauthorized)
	r = e.do(req{method: "GET", path: "/oauth/installedLocations?companyId=" + e.sb.CompanyID() + "&appId=" + e.sb.App().ID, token: &agency})
	mustStatus(t, r, http.StatusOK)
	if n := r.json(t)["count"]; n != 1.0 {
		t.Errorf("installed locations count = %v, want 1", n)
	}
}

func rateHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for _, k := range []string{"X-RateLimit-Max", "X-RateLimit-Remaining", "X-RateLimit-Interval-Milliseconds", "X-RateLimit-Limit-Daily", "X-RateLimit-Daily-Remaining"} {
		out[k] = h.Get(k)
	}
	return out
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	clock := ghlsandbox.NewFakeClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	e := newEnv(t, ghlsandbox.Options{Clock: clock, RateLimit: ghlsandbox.RateLimitOptions{Daily: 150}})
	get := func() resp {
		return e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + e.loc.ID})
	}
	for i := 1; i <= 100; i++ {
		r := get()
		mustStatus(t, r, http.StatusOK)
		want := map[string]string{"X-RateLimit-Max": "100", "X-RateLimit-Remaining": strconv.Itoa(100 - i), "X-RateLimit-Interval-Milliseconds": "10000",
			"X-RateLimit-Limit-Daily": "150", "X-RateLimit-Daily-Remaining": strconv.Itoa(150 - i)}
		if diff := cmp.Diff(want, rateHeaders(r.header)); diff != "" {
			t.Fatalf("request %d headers (-want +got):\n%s", i, diff)
		}
	}
	r := get()
	mustStatus(t, r, http.StatusTooManyRequests)
	if r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("429 headers = %v", rateHeaders(r.header))
	}
	// Another location has its own budget.
	other, _ := e.sb.AddLocation(ghlsandbox.LocationOptions{})
	otherTok, _ := e.sb.IssuePrivateToken(other.ID)
	mustStatus(t, e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + other.ID, token: &otherTok}), http.StatusOK)
	// A new window opens after 10 s; the daily budget then runs out.
	clock.Advance(10 * time.Second)
	for i := 0; i < 50; i++ {
		mustStatus(t, get(), http.StatusOK)
	}
	r = get()
	mustStatus(t, r, http.StatusTooManyRequests)
	if r.header.Get("X-RateLimit-Daily-Remaining") != "0" {
		t.Errorf("daily headers = %v", rateHeaders(r.header))
	}
	clock.Advance(12 * time.Hour)
	mustStatus(t, get(), http.StatusOK)
	// Even unauthenticated answers carry the headers.
	r = e.do(req{method: "GET", path: "/contacts/x", token: ptr("bad")})
	if r.header.Get("X-RateLimit-Max") == "" || r.header.Get("X-RateLimit-Daily-Remaining") == "" {
		t.Errorf("401 lacks rate-limit headers: %v", rateHeaders(r.header))
	}
}

func TestRateLimitsDisabled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ghlsandbox.Options{RateLimit: ghlsandbox.RateLimitOptions{Disabled: true}})
	for i := 0; i < 150; i++ {
		r := e.do(req{method: "GET", path: "/contacts/search/duplicate?locationId=" + e.loc.ID})
		mustStatus(t, r, http.StatusOK)
		if r.header.Get("X-RateLimit-Max") != "100" {
			t.Fatalf("headers missing with limits disabled: %v", rateHeaders(r.header))
		}
	}
}
