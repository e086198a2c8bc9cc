package devserver

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ghlsync/ghlsync/internal/apigw"
	"github.com/ghlsync/ghlsync/internal/install/installapp"
	"github.com/ghlsync/ghlsync/internal/syncapp"
)

// apiHandler is what serves one API Gateway route.
type apiHandler interface {
	Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)
}

// routes mounts the functions' routes (each route key is also a ServeMux
// pattern: "GET /peer/contacts/{id}"), the sandbox, the peer inbox and the
// dev page.
func (s *Server) routes(flows syncapp.Flows, app *installapp.Handler) http.Handler {
	mux := http.NewServeMux()
	sync := syncapp.SyncRoutes(flows)
	wrapped := make(map[string]syncapp.Route, len(sync))
	for key, r := range sync {
		wrapped[key] = s.Activity.WrapRoute(key, r)
	}
	h := &syncapp.Handler{Routes: wrapped, Logger: s.logger}
	for key := range wrapped {
		mux.Handle(key, s.apiRoute(key, h))
	}
	if app != nil {
		for _, key := range []string{installapp.RouteCallback, installapp.RouteWebhook} {
			mux.Handle(key, s.apiRoute(key, &recordedApp{h: app, activity: s.Activity}))
		}
	}
	if s.Sandbox != nil {
		mux.Handle(PathSandbox+"/", http.StripPrefix(PathSandbox, s.Sandbox))
	}
	if s.Inbox != nil {
		inbox := s.inboxHandler()
		mux.Handle(PathInbox, inbox)
		mux.Handle(PathInbox+"/", inbox)
	}
	mux.HandleFunc("GET /{$}", s.page)
	mux.HandleFunc("POST "+PathSendEvent, s.sendForm)
	mux.HandleFunc("POST "+PathEditContact, s.editForm)
	mux.HandleFunc("POST "+PathSweep, s.sweepNow)
	mux.HandleFunc("GET "+PathActivity, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s.Activity.Entries())
	})
	return mux
}

var paramRE = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

// apiRoute converts the HTTP request into the API Gateway event of key
// (path parameters filled from the pattern), calls h and writes its answer.
func (s *Server) apiRoute(key string, h apiHandler) http.Handler {
	names := paramRE.FindAllStringSubmatch(key, -1)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var params map[string]string
		if len(names) > 0 {
			params = map[string]string{}
			for _, n := range names {
				params[n[1]] = r.PathValue(n[1])
			}
		}
		ev, err := apigw.FromHTTP(r, key, params, apigw.MaxBodyBytes)
		if err != nil {
			apigw.WriteHTTP(w, apigw.Error(http.StatusRequestEntityTooLarge, "body_too_large", "the body is over 256 KiB"))
			return
		}
		resp, err := h.Handle(r.Context(), ev)
		if err != nil {
			apigw.WriteHTTP(w, apigw.Error(http.StatusBadGateway, "handler_error", err.Error()))
			return
		}
		apigw.WriteHTTP(w, resp)
	})
}

// recordedApp records every app-install answer in the activity log.
type recordedApp struct {
	h        *installapp.Handler
	activity *Activity
}

func (a *recordedApp) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	resp, err := a.h.Handle(ctx, ev)
	if err == nil {
		a.activity.Add(appEntry(ev.RouteKey, resp))
	}
	return resp, err
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// inboxHandler serves the recording peer and records each delivery.
func (s *Server) inboxHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		s.Inbox.ServeHTTP(sw, r)
		id := r.Header.Get("Webhook-Id")
		if id == "" {
			id = r.Header.Get("Svix-Id")
		}
		ds := s.Inbox.Deliveries()
		for i := len(ds) - 1; i >= 0; i-- {
			d := ds[i]
			if d.ID != id {
				continue
			}
			var data struct {
				GHLID string `json:"ghlId"`
			}
			_ = json.Unmarshal(d.Envelope.Data, &data)
			why := d.VerifyError
			if d.SchemaError != "" {
				why = d.SchemaError
			}
			s.Activity.Add(inboxEntry(string(d.Envelope.Type), data.GHLID, id, sw.status, d.Duplicate, why))
			return
		}
	})
}
