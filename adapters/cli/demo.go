package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"supportdesk/adapters/fixture"
	"supportdesk/core/access"
	"supportdesk/core/platform"
	"supportdesk/core/redact"
)

func newDemo(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Serve the API with demo data (by default in a local SQLite file) and show how to try it",
		Long: `Migrate the database (by default the SQLite file supportdesk.db in the
working directory), load the built-in demo data the first time, serve the
HTTP API, and print the URL, a token per role and ready-to-paste curl
commands. A later run reuses the file and keeps earlier requests. Serves
until Ctrl-C or SIGTERM.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			delivery, err := e.demoDeliverySettings()
			if err != nil {
				return err
			}
			return e.serve(cmd.Context(), func(ctx context.Context, srv *Server) (func(context.Context), error) {
				return e.startDemo(ctx, srv, delivery)
			})
		},
	}
	cmd.Flags().StringVar(&e.settings.Addr, "addr", e.settings.Addr, "listen address (env SUPPORTDESK_ADDR)")
	return cmd
}

// startDemo loads the demo data unless an earlier run did, starts the
// demo's own webhook receiver, then prints the guide. It runs once the
// server listens, so the printed URL is live; the stop it returns removes
// the demo's endpoint.
func (e *env) startDemo(ctx context.Context, srv *Server, delivery demoDelivery) (func(context.Context), error) {
	demo := fixture.Demo()
	loaded, err := srv.Records.HasWorkspace(ctx, fixture.DemoWorkspaceID)
	if err != nil {
		return nil, err
	}
	status := "demo data already loaded; earlier requests are kept"
	if !loaded {
		counts, err := srv.Records.Import(ctx, demo)
		if err != nil {
			return nil, err
		}
		status = "demo data loaded: " + counts.String()
	}
	receiver, stop, err := e.startDemoReceiver(ctx, srv)
	if err != nil {
		return nil, err
	}
	engine := srv.Schema.Engine()
	err = writeDemoGuide(e.stdout, demoGuide{
		url:      baseURL(srv.Addr),
		database: engine + " " + e.shownDatabaseURL(engine),
		dbFlag:   e.databaseFlag(engine),
		status:   status,
		tenant:   tenantName(demo, fixture.DemoTenantID),
		delivery: delivery.describe(receiver),
	})
	return stop, err
}

// baseURL turns the bound address into one a browser or curl on this
// machine can open: a wildcard or the usual loopback address becomes
// localhost.
func baseURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return "http://" + a.String()
	}
	host := tcp.IP.String()
	if len(tcp.IP) == 0 || tcp.IP.IsUnspecified() || tcp.IP.Equal(net.IPv4(127, 0, 0, 1)) || tcp.IP.Equal(net.IPv6loopback) {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}

// databaseFlag is what the printed commands need to reach the same
// database: nothing for the default file in the working directory.
func (e *env) databaseFlag(engine string) string {
	if e.settings.DatabaseURL == e.settings.DefaultDatabaseURL {
		return ""
	}
	return " --database-url " + shellQuote(e.shownDatabaseURL(engine))
}

// shownDatabaseURL is the database URL as printed: a SQLite path made
// absolute, a PostgreSQL URL without its credentials (the reader knows them).
func (e *env) shownDatabaseURL(engine string) string {
	url := e.settings.DatabaseURL
	if engine == "postgres" {
		red, _ := redact.String(url)
		return red
	}
	if abs, err := filepath.Abs(url); err == nil {
		return abs
	}
	return url
}

// tenantName returns the name of tenant id in f, or the id if f lacks it.
func tenantName(f *platform.Records, id string) string {
	for _, t := range f.Tenants {
		if t.ID == id {
			return t.Name
		}
	}
	return id
}

// demoGuide is what the guide tells about this run.
type demoGuide struct {
	url, database, dbFlag, status, tenant string
	// delivery says where requests are delivered in this run.
	delivery string
}

// demoBody is a create body as the API takes it, members in the order a
// reader expects.
type demoBody struct {
	Severity          string `json:"severity"`
	Summary           string `json:"summary"`
	ReproductionNotes string `json:"reproduction_notes,omitempty"`
	ContactEmail      string `json:"contact_email,omitempty"`
}

// The example submissions: one per entry context.
var (
	demoTenantBody = demoBody{
		Severity:     "high",
		Summary:      "Microsoft Graph connection degraded since this morning",
		ContactEmail: "olivia.park@northwind.example",
	}
	demoRunBody = demoBody{
		Severity:          "blocking",
		Summary:           "Policy sync fails with 401 Unauthorized",
		ReproductionNotes: "Started after the consent change; retrying gives the same error.",
	}
)

// writeDemoGuide prints what a new user needs: where the service is, a
// token per role and what it may do, two curl commands (one per entry
// context, as the owner, whose requests carry diagnostics) and how to read
// the result back.
func writeDemoGuide(w io.Writer, g demoGuide) error {
	var b strings.Builder
	fmt.Fprintf(&b, "supportdesk demo is running at %s\n", g.url)
	fmt.Fprintf(&b, "  database: %s\n  %s\n", g.database, g.status)
	fmt.Fprintf(&b, "  web UI: %s/ (sign in with one of the tokens below)\n", g.url)
	fmt.Fprintf(&b, "  API description: %s/openapi.json\n\n", g.url)

	fmt.Fprintf(&b, "API tokens (send as \"Authorization: Bearer <token>\"), by role on the tenant %s:\n", g.tenant)
	var curlToken string
	for _, u := range fixture.DemoUsers {
		role := u.Role
		if role == "" {
			role = "(none)"
		}
		fmt.Fprintf(&b, "  %-9s %-34s %s\n", role, u.Token, u.Email)
		fmt.Fprintf(&b, "  %-9s %s\n", "", mayDo(access.Role(u.Role), u.Note))
		if curlToken == "" && access.CapabilitiesOf(access.Role(u.Role)).Has(access.SupportDiagnosticsView) {
			curlToken = u.Token
		}
	}

	fmt.Fprintf(&b, "\nCreate a support request from the tenant dashboard of %s:\n", g.tenant)
	b.WriteString(curl(g.url+"/v1/tenants/"+fixture.DemoTenantID+"/support-requests", curlToken, demoTenantBody))
	b.WriteString("\n…or from the run viewer of its failed policy sync:\n")
	b.WriteString(curl(g.url+"/v1/operation-runs/"+fixture.DemoFailedRunID+"/support-requests", curlToken, demoRunBody))
	b.WriteString("\nEach answers 201 Created with a \"reference\". Find the request with:\n")
	fmt.Fprintf(&b, "  supportdesk%s request show <reference>\n", g.dbFlag)
	fmt.Fprintf(&b, "  (from a source checkout: go run ./cmd/supportdesk%s request show <reference>)\n", g.dbFlag)
	b.WriteString("\n" + g.delivery)
	b.WriteString("\nPress Ctrl-C to stop.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// mayDo says what a tenant role may do, from its capabilities;
// for a user without a role, the demo's note says why they get 404.
func mayDo(r access.Role, note string) string {
	caps := access.CapabilitiesOf(r)
	var what string
	switch {
	case caps.Has(access.SupportRequestsCreate) && caps.Has(access.SupportDiagnosticsView):
		what = "creates requests with diagnostics attached"
	case caps.Has(access.SupportRequestsCreate):
		what = "creates requests with the canonical context only"
	case caps.Has(access.TenantView):
		what = "may view the tenant; a create gets 403"
	default:
		return "no tenant role: " + note
	}
	names := make([]string, 0, 4)
	for _, c := range caps.List() {
		names = append(names, string(c))
	}
	return what + " (" + strings.Join(names, ", ") + ")"
}

// curl renders a ready-to-paste POST of body to url with token; -w ends
// the response with a line break, so the prompt does not stick to it.
func curl(url, token string, body demoBody) string {
	data, _ := json.Marshal(body) // strings only: it always encodes
	return "  curl -sS -w '\\n' -X POST " + shellQuote(url) + " \\\n" +
		"    -H " + shellQuote("Authorization: Bearer "+token) + " \\\n" +
		"    -H 'Content-Type: application/json' \\\n" +
		"    -d " + shellQuote(string(data)) + "\n"
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
