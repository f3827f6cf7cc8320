package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"supportdesk/core"
)

// defaultGrace is how long a rotated-out secret keeps signing by default.
const defaultGrace = 24 * time.Hour

// defaultListenAddr is where "webhook listen" listens by default: this
// machine only.
const defaultListenAddr = "127.0.0.1:8787"

func newWebhook(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "Manage the webhook endpoints events are delivered to",
		Long: `Every support request created is delivered as a support_request.created
event to each registered webhook endpoint: a POST signed per Standard Webhooks
1.0 with the endpoint's whsec_ secret. Secrets are stored encrypted with
SUPPORTDESK_SECRET_KEY; "webhook listen" runs a local receiver to try it out.`,
		Args: subcommandOnly,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var allowPrivate bool
	add := &cobra.Command{
		Use:   "add URL [--allow-private]",
		Short: "Register a webhook endpoint and print its secret once",
		Long: `Register the http or https URL as a webhook endpoint and print its id and
its whsec_ secret, once: only an encrypted copy is stored, with the key in
SUPPORTDESK_SECRET_KEY (32 random bytes in standard base64, made with
openssl rand -base64 32); without that key the command refuses.

A URL whose host is, or resolves to, a loopback, private or link-local address
(127.0.0.1, 10.0.0.0/8, 169.254.169.254, ::1, localhost, …) is refused unless
--allow-private is given, so that the service cannot be made to call into its
own network.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("webhook add needs exactly one URL")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.runWebhookAdd(cmd.Context(), args[0], allowPrivate)
		},
	}
	add.Flags().BoolVar(&allowPrivate, "allow-private", false, "allow a loopback, private or link-local target")
	list := &cobra.Command{
		Use:   "list",
		Short: "List the webhook endpoints, oldest first (never their secrets)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return e.runWebhookList(cmd.Context()) },
	}
	remove := &cobra.Command{
		Use:   "remove ID",
		Short: "Remove a webhook endpoint: nothing more is delivered to it",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("webhook remove needs exactly one webhook id")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return e.runWebhookRemove(cmd.Context(), args[0]) },
	}
	var grace time.Duration
	rotate := &cobra.Command{
		Use:   "rotate ID [--grace 24h]",
		Short: "Give a webhook endpoint a new secret and print it once",
		Long: `Give the endpoint a new whsec_ secret and print it, once. Deliveries are
signed with the new secret at once, and with the old one beside it for the
grace period (default 24h), so the receiver can switch without refusing a
delivery: during the grace both signatures are in webhook-signature. A second
rotation within the grace drops the oldest secret.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("webhook rotate needs exactly one webhook id")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.runWebhookRotate(cmd.Context(), args[0], grace)
		},
	}
	rotate.Flags().DurationVar(&grace, "grace", defaultGrace, "how long the old secret keeps signing, e.g. 1h or 48h")
	reseal := &cobra.Command{
		Use:   "reseal",
		Short: "Seal every webhook secret anew with the current SUPPORTDESK_SECRET_KEY",
		Long: `After SUPPORTDESK_SECRET_KEY was rotated (the new key in it, the old one in
SUPPORTDESK_SECRET_KEY_PREVIOUS), seal every endpoint's secret anew under the
new key, so that the old key can be removed. The secrets themselves do not
change: receivers notice nothing. It prints how many were resealed, and exits
1 if an endpoint was rotated meanwhile: run it again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.runWebhookReseal(cmd.Context()) },
	}
	var (
		addr    string
		secrets []string
		body    bool
	)
	listen := &cobra.Command{
		Use:   "listen [--addr 127.0.0.1:8787] --secret whsec_... [--body]",
		Short: "Run a local receiver that verifies webhook signatures and prints each event",
		Long: `Run a local Standard Webhooks receiver, for trying deliveries out: register
it with "webhook add http://127.0.0.1:8787/ --allow-private", give it the
secret printed, and create a request. Each delivery whose signature verifies
is answered 204 and printed on one line (webhook id, event type, reference,
severity, summary), followed by the body with --body. A delivery that does not
verify is answered 401 (bad signature) or 400 (missing header, or timestamp
more than 5 minutes off: a replay), and said so on stderr. It needs no
database and runs until interrupted (Ctrl-C).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return e.runWebhookListen(cmd.Context(), addr, secrets, body)
		},
	}
	listen.Flags().StringVar(&addr, "addr", defaultListenAddr, "listen address")
	listen.Flags().StringArrayVar(&secrets, "secret", nil, "the endpoint's whsec_ secret (required; repeat it to accept both during a rotation)")
	listen.Flags().BoolVar(&body, "body", false, "print each event's body after its line")
	cmd.AddCommand(add, list, remove, rotate, reseal, listen)
	return cmd
}

// secretNotice follows every secret printed.
const secretNotice = "This secret will not be shown again: give it to the receiver now (only an encrypted copy is stored)."

func (e *env) runWebhookAdd(ctx context.Context, url string, allowPrivate bool) error {
	return e.withService(ctx, migrated, func(p Ports) error {
		w, secret, err := p.Webhooks.Add(ctx, url, allowPrivate)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added webhook %s for %s\nsecret: %s\n%s\n", w.ID, w.URL, secret, secretNotice)
		return nil
	})
}

func (e *env) runWebhookList(ctx context.Context) error {
	return e.withService(ctx, migrated, func(p Ports) error {
		list, err := p.Webhooks.List(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(e.stderr, "no webhooks; add one with: supportdesk webhook add URL")
			return nil
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tURL\tPRIVATE\tCREATED\tOLD SECRET SIGNS UNTIL")
		for _, h := range list {
			private, until := "no", "-"
			if h.AllowPrivate {
				private = "allowed"
			}
			if h.PreviousUntil != nil {
				until = h.PreviousUntil.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", h.ID, cell(h.URL, 0), private, h.CreatedAt.UTC().Format(time.RFC3339), until)
		}
		return w.Flush()
	})
}

func (e *env) runWebhookRemove(ctx context.Context, id string) error {
	return e.withService(ctx, migrated, func(p Ports) error {
		if err := p.Webhooks.Remove(ctx, id); err != nil {
			return webhookError(err, id)
		}
		fmt.Fprintf(e.stdout, "removed webhook %s: nothing more is delivered to it\n", id)
		return nil
	})
}

func (e *env) runWebhookRotate(ctx context.Context, id string, grace time.Duration) error {
	if grace <= 0 {
		return usagef("--grace must be a positive duration such as 1h or 24h")
	}
	return e.withService(ctx, migrated, func(p Ports) error {
		w, secret, err := p.Webhooks.Rotate(ctx, id, grace)
		if err != nil {
			return webhookError(err, id)
		}
		until := "the end of the grace period"
		if w.PreviousUntil != nil {
			until = w.PreviousUntil.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(e.stdout, "rotated the secret of webhook %s (%s)\nsecret: %s\nThe old secret keeps signing beside it until %s (grace %s).\n%s\n",
			w.ID, w.URL, secret, until, grace, secretNotice)
		return nil
	})
}

func (e *env) runWebhookReseal(ctx context.Context) error {
	return e.withService(ctx, migrated, func(p Ports) error {
		done, err := p.Webhooks.Reseal(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "resealed the secrets of %d webhooks with key %s; %d were sealed with it already\n",
			done.Resealed, done.KeyID, done.Current)
		if done.Changed > 0 {
			return fmt.Errorf("%d webhooks were rotated or removed meanwhile and were left as they were; run webhook reseal again", done.Changed)
		}
		fmt.Fprintln(e.stdout, "every secret in use is sealed with it: the old key can be removed from SUPPORTDESK_SECRET_KEY_PREVIOUS")
		return nil
	})
}

// webhookError names the id an unknown endpoint was looked up by.
func webhookError(err error, id string) error {
	if core.KindOf(err) == core.KindNotFound {
		return core.Errorf(core.KindNotFound, "no webhook with id %q (see `supportdesk webhook list`)", id)
	}
	return err
}

// event is what "webhook listen" prints of a supportdesk event body.
type event struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Data struct {
		Reference string `json:"reference"`
		Severity  string `json:"severity"`
		Summary   string `json:"summary"`
	} `json:"data"`
}

func (e *env) runWebhookListen(ctx context.Context, addr string, secrets []string, withBody bool) error {
	if len(secrets) == 0 {
		return usagef("webhook listen needs the endpoint's secret, as webhook add printed it, in --secret")
	}
	ctx, cancel := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	var mu sync.Mutex // deliveries arrive on several goroutines
	err := e.backend.Listen(ctx, addr, secrets, Listening{
		Listening: func(a net.Addr) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(e.stderr, "listening for webhooks on http://%s/ until interrupted (Ctrl-C)\n", a)
		},
		Received: func(m ReceivedWebhook) {
			mu.Lock()
			defer mu.Unlock()
			var ev event
			if err := json.Unmarshal(m.Body, &ev); err != nil || ev.Type == "" {
				fmt.Fprintf(e.stdout, "%s  (not a supportdesk event: %d bytes)\n", m.ID, len(m.Body))
			} else {
				fmt.Fprintf(e.stdout, "%s  %s  %s  %s  %s\n", m.ID, cell(ev.Type, 0), cell(ev.Data.Reference, 0),
					cell(ev.Data.Severity, 0), strconv.Quote(ev.Data.Summary))
			}
			if withBody {
				fmt.Fprintf(e.stdout, "%s\n", m.Body)
			}
		},
		Refused: func(status int, reason string) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(e.stderr, "refused a delivery with %d: %s\n", status, oneLine(errors.New(reason)))
		},
	})
	if core.KindOf(err) == core.KindInvalid {
		return usageError{err}
	}
	return err
}
