package chaos

import (
	"context"
	"log/slog"
)

// traceSink collects, for the trace line of one delivery, the error the
// functions' handler logged for it.
type traceSink struct{ err string }

type sinkKey struct{}

// sinkHandler is the handler's logger when Config.Trace is set: it hands
// the "error" attribute of a request's log line to the traceSink in the
// request's context.
type sinkHandler struct{}

func (sinkHandler) Enabled(context.Context, slog.Level) bool { return true }

func (sinkHandler) Handle(ctx context.Context, r slog.Record) error {
	s, ok := ctx.Value(sinkKey{}).(*traceSink)
	if !ok {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "error" {
			s.err = a.Value.String()
		}
		return true
	})
	return nil
}

func (h sinkHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h sinkHandler) WithGroup(string) slog.Handler      { return h }
