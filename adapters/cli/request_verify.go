package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func newRequestVerify(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "verify REF",
		Short: "Recompute the digest of a request's stored context envelope",
		Long: `Recompute the SHA-256 of a request's stored context envelope and compare
it with the digest stored at creation. Prints "ok <digest>" when they match;
exits 1 naming both digests when they do not.`,
		Args: oneReference,
		RunE: func(cmd *cobra.Command, args []string) error { return e.runVerify(cmd.Context(), args[0]) },
	}
}

func (e *env) runVerify(ctx context.Context, refArg string) error {
	ref, err := parseReference(refArg)
	if err != nil {
		return err
	}
	return e.withService(ctx, migrated, func(p Ports) error {
		v, err := p.Admin.Verify(ctx, ref)
		if err != nil {
			return err
		}
		if !v.OK() {
			msg := fmt.Sprintf("%s: the stored context envelope does not match its digest: stored %s, computed %s", ref, v.Stored, v.Computed)
			if !v.Canonical {
				msg += "; the stored bytes are not canonical JSON"
			}
			return errors.New(msg)
		}
		fmt.Fprintln(e.stdout, "ok", v.Computed)
		return nil
	})
}
