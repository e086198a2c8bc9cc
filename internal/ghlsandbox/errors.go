package ghlsandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// apiError is an error answer in GHL's envelope (NOTES §6.2): message is a
// string, except on 422 where it is an array of strings.
type apiError struct {
	status   int
	message  string
	messages []string
	meta     map[string]any
}

func (e *apiError) Error() string { return strconv.Itoa(e.status) + " " + e.message }

func errorName(status int) string {
	switch status {
	case http.StatusUnprocessableEntity:
		return "Unprocessable Entity"
	default:
		return http.StatusText(status)
	}
}

func (e *apiError) body() []byte {
	m := map[string]any{"statusCode": e.status, "error": errorName(e.status)}
	if e.status == http.StatusUnprocessableEntity {
		msgs := e.messages
		if msgs == nil {
			msgs = []string{e.message}
		}
		m["message"] = msgs
	} else {
		m["message"] = e.message
	}
	if e.meta != nil {
		m["meta"] = e.meta
	}
	b, _ := json.Marshal(m)
	return b
}

func errStatus(status int, msg string) *apiError { return &apiError{status: status, message: msg} }

func errBadRequest(msg string) *apiError { return errStatus(http.StatusBadRequest, msg) }

func errNotFound(msg string) *apiError { return errStatus(http.StatusNotFound, msg) }

func errUnprocessable(msgs ...string) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, message: "Unprocessable Entity", messages: msgs}
}

// Messages of the auth errors (NOTES §2, §3, §6.2).
const (
	msgInvalidToken     = "Invalid token: access token is invalid"
	msgScope            = "The token is not authorized for this scope."
	msgAuthClass        = "This AuthClass is not yet supported"
	msgNoLocation       = "The token does not have access to this location."
	msgVersionMissing   = "Version header was not found"
	msgVersionInvalid   = "Version header is invalid"
	msgRefreshInvalid   = "Invalid grant: refresh token is invalid"
	msgCodeInvalid      = "Invalid grant: authorization code is invalid"
	msgLocationInactive = "Location is not active"
)

func errUnauthorized(msg string) *apiError { return errStatus(http.StatusUnauthorized, msg) }

func errForbidden() *apiError { return errStatus(http.StatusForbidden, msgNoLocation) }
