package stdwebhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ghlsync/ghlsync/internal/crmsync"
)

// maxMessage bounds the peer's message kept in a PeerRejectedError.
const maxMessage = 200

// Send delivers ev once: POST of the envelope to the URL for ev's kind,
// signed with the current secret, webhook-id = ev.ID, webhook-timestamp =
// now (the envelope timestamp is ev.Time, now when zero). See the package
// doc for how the answer is classified.
func (c *Connector) Send(ctx context.Context, ev crmsync.Event) (crmsync.SendResult, error) {
	if ev.ID == "" {
		return crmsync.SendResult{}, fmt.Errorf("stdwebhooks: send %s: %w", ev.Type, errNoID)
	}
	if ev.Time.IsZero() {
		ev.Time = c.now()
	}
	body, err := Encode(ev)
	if err != nil {
		return crmsync.SendResult{}, err
	}
	op := fmt.Sprintf("stdwebhooks: send %s %s", ev.Type, ev.ID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.urls[ev.Type.Kind()], bytes.NewReader(body))
	if err != nil {
		return crmsync.SendResult{}, fmt.Errorf("%s: build request: %w", op, scrubURLError(err))
	}
	signed := c.secret.SignedHeaders(ev.ID, c.now(), body)
	for k, v := range signed {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.client.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return crmsync.SendResult{}, fmt.Errorf("%s: %w: %w", op, crmsync.ErrPeerUnavailable, ctxErr)
		}
		return crmsync.SendResult{}, fmt.Errorf("%s: %w: %w", op, crmsync.ErrPeerUnavailable, scrubURLError(err))
	}
	defer resp.Body.Close()
	answer, readErr := io.ReadAll(io.LimitReader(resp.Body, c.maxBody))

	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		// The delivery is accepted once the status arrives; a body cut off
		// mid-way only loses the optional id.
		return crmsync.SendResult{PeerID: peerID(answer)}, nil
	case s == http.StatusRequestTimeout, s == http.StatusTooManyRequests, s >= 500:
		return crmsync.SendResult{}, fmt.Errorf("%s: %w: status %d", op, crmsync.ErrPeerUnavailable, s)
	case s >= 300 && s < 400:
		return crmsync.SendResult{}, &crmsync.PeerRejectedError{Status: s, Message: "redirected: configure the final URL (redirects are not followed)"}
	default:
		if readErr != nil {
			answer = nil
		}
		return crmsync.SendResult{}, &crmsync.PeerRejectedError{Status: s, Message: c.rejectMessage(s, answer, signed.Values("Webhook-Signature"))}
	}
}

// scrubURLError drops the URL (it may carry a token) from a client error,
// keeping the operation and the cause.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &scrubbed{msg: ue.Op + ": " + ue.Err.Error(), err: ue.Err}
	}
	return err
}

type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// peerID reads {"id": …} or {"peerId": …} (a string or a number) from a
// 2xx answer; anything else means no id.
func peerID(body []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	for _, k := range []string{"id", "peerId"} {
		raw, ok := m[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
	}
	return ""
}

// rejectMessage is the peer's explanation, bounded and printable: the
// "message"/"error"/"detail"/"title" of a JSON answer, else the text.
// Anything that looks like our signature is removed.
func (c *Connector) rejectMessage(status int, body []byte, signatures []string) string {
	msg := jsonMessage(body)
	if msg == "" && !json.Valid(body) {
		msg = string(body)
	}
	for _, s := range signatures {
		for _, part := range strings.Fields(s) {
			_, sig, _ := strings.Cut(part, ",")
			if sig != "" {
				msg = strings.ReplaceAll(msg, sig, "[REDACTED]")
			}
		}
	}
	msg = clean(msg)
	if msg == "" {
		return http.StatusText(status)
	}
	return msg
}

func jsonMessage(body []byte) string {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	for _, k := range []string{"message", "error", "detail", "title"} {
		switch v := m[k].(type) {
		case string:
			return v
		case []any:
			var parts []string
			for _, p := range v {
				if s, ok := p.(string); ok {
					parts = append(parts, s)
				}
			}
			if len(parts) > 0 {
				return strings.Join(parts, "; ")
			}
		case map[string]any:
			if s, ok := v["message"].(string); ok {
				return s
			}
		}
	}
	return ""
}

// clean collapses whitespace, drops control characters and invalid UTF-8,
// and bounds the result to maxMessage runes (then an ellipsis).
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case r == utf8.RuneError || unicode.IsControl(r):
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	out := []rune(b.String())
	if len(out) > maxMessage {
		return string(out[:maxMessage]) + "…"
	}
	return string(out)
}
