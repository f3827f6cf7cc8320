package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/ports"
)

// errorWidth is where the table cuts a delivery's last error.
const errorWidth = 60

// deliveriesOptions are the flags of deliveries list.
type deliveriesOptions struct {
	dead      bool
	reference string
	limit     int
}

func newDeliveries(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deliveries",
		Short: "List and retry the deliveries of events to NATS and the webhooks",
		Long: `Each event is delivered to every destination (NATS JetStream and each
webhook endpoint) at least once: a failed attempt is retried with exponential
backoff and jitter, and a delivery still failing 24 hours after its first
attempt is dead. Dead deliveries are listed with --dead and can be retried.`,
		Args: subcommandOnly,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	var opts deliveriesOptions
	list := &cobra.Command{
		Use:   "list [--dead] [--reference SR-...] [--limit N]",
		Short: "List deliveries, newest first",
		Long: `List deliveries, newest first: id, the request's reference, destination,
state (pending, delivered or dead), attempts made, the last error and, for a
pending one, when the next attempt is due.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return e.runDeliveriesList(cmd.Context(), opts) },
	}
	f := list.Flags()
	f.BoolVar(&opts.dead, "dead", false, "only dead deliveries (given up on)")
	f.StringVar(&opts.reference, "reference", "", "only the deliveries of this request's event")
	f.IntVar(&opts.limit, "limit", ports.DefaultListLimit, fmt.Sprintf("at most this many deliveries (1–%d)", ports.MaxListLimit))
	retry := &cobra.Command{
		Use:   "retry ID",
		Short: "Make a dead or pending delivery due now",
		Long: `Make the delivery due now, for the next relay to attempt. A dead one starts
its retry schedule again (attempts count from zero, dead 24 hours after the
next attempt). A delivered one cannot be retried.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("deliveries retry needs exactly one delivery id")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return e.runDeliveriesRetry(cmd.Context(), args[0]) },
	}
	cmd.AddCommand(list, retry)
	return cmd
}

func (e *env) runDeliveriesList(ctx context.Context, opts deliveriesOptions) error {
	if opts.limit < 1 || opts.limit > ports.MaxListLimit {
		return usagef("--limit must be between 1 and %d", ports.MaxListLimit)
	}
	filter := ports.DeliveryFilter{Dead: opts.dead, Limit: opts.limit}
	if opts.reference != "" {
		ref, err := reference.Parse(opts.reference)
		if err != nil {
			return usagef("--reference %q is not a support reference such as SR-01JF3Q9W8Z6X1V2B3N4M5P6R7S", opts.reference)
		}
		filter.Reference = ref.String()
	}
	return e.withService(ctx, migrated, func(p Ports) error {
		list, err := p.Deliveries.List(ctx, filter)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(e.stderr, "no deliveries match")
			return nil
		}
		w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tREFERENCE\tDESTINATION\tSTATE\tATTEMPTS\tLAST ERROR\tNEXT ATTEMPT")
		for _, d := range list {
			lastErr, next := "-", "-"
			if d.LastError != "" {
				lastErr = cell(d.LastError, errorWidth)
			}
			if d.NextAttemptAt != nil {
				next = d.NextAttemptAt.UTC().Format(time.RFC3339)
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.Reference, cell(d.Destination, 0), d.State, d.Attempts, lastErr, next)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if len(list) == opts.limit {
			fmt.Fprintf(e.stderr, "showing the newest %d; raise --limit to see more\n", opts.limit)
		}
		return nil
	})
}

func (e *env) runDeliveriesRetry(ctx context.Context, id string) error {
	return e.withService(ctx, migrated, func(p Ports) error {
		if err := p.Deliveries.Retry(ctx, id, time.Now()); err != nil {
			if core.KindOf(err) == core.KindNotFound {
				return core.Errorf(core.KindNotFound, "no delivery with id %q (see `supportdesk deliveries list`)", id)
			}
			return err
		}
		fmt.Fprintf(e.stdout, "delivery %s is due now; a running serve process attempts it shortly\n", id)
		return nil
	})
}
