// Package apigw converts between API Gateway HTTP API (payload 2.0) events
// and plain HTTP, so the same handlers serve Lambda and the local dev
// server, and builds the JSON responses every handler returns.
//
// Example:
//
//	body, err := apigw.Body(ev, apigw.MaxBodyBytes)
//	if errors.Is(err, apigw.ErrBodyTooLarge) {
//		return apigw.Error(http.StatusRequestEntityTooLarge, "body_too_large", "body over 256 KiB"), nil
//	}
//	return apigw.JSON(http.StatusOK, result), nil
package apigw
