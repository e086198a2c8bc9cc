// Package authcmd is the "ghlsync auth" command: it installs GHL tokens
// from a terminal. With no --pit it runs the OAuth authorization-code flow
// through a loopback redirect listener and the same install.Flow.Callback
// the app-install function runs; with --pit and --location it stores a
// Private Integration Token. Either way the location's secret is written
// and its installation recorded active: the documented recovery path for
// an installation marked reauth_required.
//
// Example:
//
//	err := authcmd.Run(ctx, []string{"--client-id", id, "--client-secret", secret}, os.Stdout, os.Stderr)
//	err = authcmd.Run(ctx, []string{"--pit", "pit-…", "--location", "ve9EPM428h8vShlRW1KT"}, os.Stdout, os.Stderr)
package authcmd

import (
	"context"
	"flag"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/ghlsync/ghlsync/internal/cli"
	"github.com/ghlsync/ghlsync/internal/ghl"
	"github.com/ghlsync/ghlsync/internal/ghlauth"
	"github.com/ghlsync/ghlsync/internal/install"
	"github.com/ghlsync/ghlsync/internal/store"
	"github.com/ghlsync/ghlsync/internal/store/dynamostore"
	"github.com/ghlsync/ghlsync/internal/store/memstore"
	"github.com/ghlsync/ghlsync/internal/tokens"
)

// Usage is the one-line summary of the command.
const Usage = "install GHL tokens: OAuth in the browser, or --pit TOKEN --location ID"

// DefaultAuthorizeURL is GHL's authorization (choose location) page.
const DefaultAuthorizeURL = "https://marketplace.gohighlevel.com/v2/oauth/chooselocation"

// DefaultScopes are the scopes ghlsync needs (contacts, tasks, notes,
// calendars). An agency install also needs oauth.readonly and oauth.write.
const DefaultScopes = "contacts.readonly contacts.write locations/tasks.readonly calendars.readonly calendars/events.readonly calendars/events.write"

// ErrUsage reports bad flags or arguments (cli.ErrUsage: exit code 2).
var ErrUsage = cli.ErrUsage

// options are the parsed flags.
type options struct {
	pit, location                    string
	clientID, clientSecret, scope    string
	appSecretName, stage, prefix     string
	authorizeURL, ghlBaseURL, listen string
	secretsEndpoint                  string
	table, dynamoEndpoint, storeFile string
	timeout                          time.Duration
}

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("auth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: ghlsync auth [flags]            OAuth install through the browser")
		fmt.Fprintln(stderr, "       ghlsync auth --pit TOKEN --location ID   store a Private Integration Token")
		fmt.Fprintln(stderr, "The location's token secret goes to AWS Secrets Manager (normal SDK configuration) or --secrets-endpoint;")
		fmt.Fprintln(stderr, "its installation record to DynamoDB (--table) or an embedded store file (--store-file), and becomes active.")
		fmt.Fprintln(stderr, "Exit codes: 0 done, 1 failed, 2 bad usage.")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.pit, "pit", "", "Private Integration Token to store (with --location)")
	fs.StringVar(&o.location, "location", "", "location id for --pit")
	fs.StringVar(&o.clientID, "client-id", "", "GHL app client id (default: read --app-secret-name)")
	fs.StringVar(&o.clientSecret, "client-secret", "", "GHL app client secret (default: read --app-secret-name)")
	fs.StringVar(&o.scope, "scope", DefaultScopes, "space-separated scopes to request")
	fs.StringVar(&o.stage, "stage", "dev", "deployment stage; names the default secrets")
	fs.StringVar(&o.appSecretName, "app-secret-name", "", "secret holding {client_id, client_secret} (default ghlsync/<stage>/app)")
	fs.StringVar(&o.prefix, "secret-prefix", "", "token secret name prefix (default ghlsync/<stage>)")
	fs.StringVar(&o.authorizeURL, "authorize-url", DefaultAuthorizeURL, "GHL authorization page (override for a sandbox)")
	fs.StringVar(&o.ghlBaseURL, "ghl-base-url", ghl.DefaultBaseURL, "GHL API base URL")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "loopback address of the redirect listener")
	fs.StringVar(&o.secretsEndpoint, "secrets-endpoint", "", "Secrets Manager endpoint (local double or emulator)")
	fs.StringVar(&o.table, "table", "", "DynamoDB table of the install registry")
	fs.StringVar(&o.dynamoEndpoint, "dynamodb-endpoint", "", "DynamoDB endpoint (DynamoDB Local)")
	fs.StringVar(&o.storeFile, "store-file", "", "embedded store file instead of DynamoDB (local run)")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "how long to wait for the browser redirect")
	if err := cli.Parse(fs, args); err != nil {
		return o, err
	}
	if (o.pit == "") != (o.location == "") {
		return o, fmt.Errorf("%w: --pit and --location go together", ErrUsage)
	}
	if (o.table == "") == (o.storeFile == "") {
		return o, fmt.Errorf("%w: give exactly one of --table and --store-file", ErrUsage)
	}
	if host, _, err := net.SplitHostPort(o.listen); err != nil || !net.ParseIP(host).IsLoopback() {
		return o, fmt.Errorf("%w: --listen must be a loopback address such as 127.0.0.1:0", ErrUsage)
	}
	if o.prefix == "" {
		o.prefix = "ghlsync/" + o.stage
	}
	if o.appSecretName == "" {
		o.appSecretName = "ghlsync/" + o.stage + "/app"
	}
	return o, nil
}

// Run runs the command with the AWS clients of the normal SDK
// configuration (Command{}.Run).
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return Command{}.Run(ctx, args, stdout, stderr)
}

// Command is "ghlsync auth" with injectable dependencies.
type Command struct {
	// Secrets replaces the Secrets Manager client built from the SDK
	// configuration and --secrets-endpoint (tests, local doubles).
	Secrets Secrets
}

// Run parses args and runs the command. It prints the authorization URL
// and the outcome to stdout; it never prints a token.
func (c Command) Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	var awsCfg aws.Config
	if c.Secrets == nil || o.table != "" {
		if awsCfg, err = awsconfig.LoadDefaultConfig(ctx); err != nil {
			return fmt.Errorf("AWS configuration: %w", err)
		}
		if awsCfg.Region == "" && (o.secretsEndpoint != "" || o.dynamoEndpoint != "") {
			awsCfg.Region = "us-east-1" // local endpoints ignore it, signing needs one
		}
	}
	sm := c.Secrets
	if sm == nil {
		sm = secretsmanager.NewFromConfig(awsCfg, func(so *secretsmanager.Options) {
			if o.secretsEndpoint != "" {
				so.BaseEndpoint = aws.String(o.secretsEndpoint)
			}
		})
	}
	var st store.Store
	if o.storeFile != "" {
		if st, err = memstore.Open(o.storeFile); err != nil {
			return err
		}
	} else {
		st = dynamostore.New(dynamodb.NewFromConfig(awsCfg, func(do *dynamodb.Options) {
			if o.dynamoEndpoint != "" {
				do.BaseEndpoint = aws.String(o.dynamoEndpoint)
			}
		}, dynamostore.ClientOptions), o.table)
	}
	return run(ctx, o, sm, st, stdout)
}

// Secrets is what the command needs of Secrets Manager;
// *secretsmanager.Client satisfies it.
type Secrets interface {
	tokens.SecretsAPI
	install.Secrets
}

// run wires the flow on the given secrets and store and runs it.
func run(ctx context.Context, o options, sm Secrets, st store.Store, stdout io.Writer) error {
	app := ghl.ClientCredentials{ClientID: o.clientID, ClientSecret: o.clientSecret}
	if o.pit == "" && (app.ClientID == "" || app.ClientSecret == "") {
		a, err := tokens.LoadAppSecret(ctx, sm, o.appSecretName)
		if err != nil {
			return fmt.Errorf("no --client-id/--client-secret and %w", err)
		}
		app = ghl.ClientCredentials{ClientID: a.ClientID, ClientSecret: a.ClientSecret.Reveal()}
	}
	hc := &http.Client{Timeout: 30 * time.Second}
	gc, err := ghl.NewClient(hc, ghl.WithBaseURL(o.ghlBaseURL))
	if err != nil {
		return err
	}
	provider, err := tokens.New(tokens.Config{
		Secrets: sm, Leases: st, Installations: st, SecretPrefix: o.prefix,
		Refresher: &ghlauth.Refresher{OAuth: gc.OAuth, App: app},
		Minter:    &ghlauth.Minter{HTTP: hc, Options: []ghl.Option{ghl.WithBaseURL(o.ghlBaseURL)}},
	})
	if err != nil {
		return err
	}
	flow := &install.Flow{OAuth: gc.OAuth, App: app, RequireState: true, Tokens: provider, Installations: st,
		Secrets: sm, SecretPrefix: o.prefix}
	if o.pit != "" {
		if err := flow.InstallPIT(ctx, o.location, tokens.Sensitive(o.pit)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "stored the private integration token of location %s; installation active\n", o.location)
		return nil
	}
	return browserFlow(ctx, o, flow, stdout)
}

// browserFlow listens on loopback, prints the authorization URL, waits for
// GHL's redirect and completes the install with flow.Callback.
func browserFlow(ctx context.Context, o options, flow *install.Flow, stdout io.Writer) error {
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", o.listen, err)
	}
	redirect := "http://" + ln.Addr().String() + "/oauth/callback"
	flow.RedirectURI = redirect
	state, err := install.SignState(install.StateKey(flow.App.ClientSecret), time.Now(), nil)
	if err != nil {
		_ = ln.Close()
		return err
	}
	q := url.Values{"response_type": {"code"}, "redirect_uri": {redirect}, "client_id": {flow.App.ClientID}, "scope": {o.scope}, "state": {state}}
	fmt.Fprintf(stdout, "Open this URL in a browser and choose the location to install:\n\n  %s?%s\n\nWaiting for the redirect to %s ...\n", o.authorizeURL, q.Encode(), redirect)

	type outcome struct {
		res install.CallbackResult
		err error
	}
	done := make(chan outcome, 1)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /oauth/callback", func(w http.ResponseWriter, r *http.Request) {
		if msg := r.URL.Query().Get("error"); msg != "" {
			http.Error(w, "authorization refused: "+msg, http.StatusBadRequest)
			select {
			case done <- outcome{err: fmt.Errorf("GHL refused the authorization: %.100s", msg)}:
			default:
			}
			return
		}
		res, err := flow.Callback(r.Context(), r.URL.Query().Get("code"), r.URL.Query().Get("state"))
		if err != nil {
			status := http.StatusInternalServerError
			if install.IsClientError(err) {
				status = http.StatusBadRequest
			}
			http.Error(w, "ghlsync install failed: "+err.Error(), status)
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, "<!doctype html><p>ghlsync installed for location %s. You can close this window.</p>\n", html.EscapeString(strings.Join(res.LocationIDs, ", ")))
		}
		select {
		case done <- outcome{res: res, err: err}:
		default:
		}
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	timer := time.NewTimer(o.timeout)
	defer timer.Stop()
	select {
	case out := <-done:
		if out.err != nil {
			return out.err
		}
		if out.res.UserType == tokens.UserTypeCompany {
			fmt.Fprintf(stdout, "installed for agency %s; active locations: %s\n", out.res.CompanyID, strings.Join(out.res.LocationIDs, ", "))
		} else {
			fmt.Fprintf(stdout, "installed for location %s; installation active\n", strings.Join(out.res.LocationIDs, ", "))
		}
		return nil
	case <-timer.C:
		return fmt.Errorf("no redirect within %s", o.timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}
