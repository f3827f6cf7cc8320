package jetstream

import (
	"context"
	"errors"
	"fmt"
	"slices"

	jsapi "github.com/nats-io/nats.go/jetstream"

	"supportdesk/core/delivery"
)

// Subjects is the subject filter of the stream: every workspace's events.
const Subjects = delivery.SubjectPrefix + ">"

// EnsureStream declares the stream: it creates it if it does not exist —
// file storage, limits retention, the subjects, duplicate window and max
// age of Config — and otherwise brings the settings the service owns back
// to Config if they drifted, keeping whatever else an operator tuned
// (replicas, byte limits, other subjects). Several instances may run it
// at once.
//
// It returns an error wrapping ErrStreamDrift if the stream exists with a
// storage type or retention policy NATS cannot change in place (the error
// says what to do), and otherwise the server's or the connection's error;
// all are worth retrying, the first once an operator has acted.
func (p *Publisher) EnsureStream(ctx context.Context) error {
	err := p.ensureStream(ctx)
	p.setDeclared(err == nil)
	return err
}

// ErrStreamDrift is wrapped by EnsureStream's error for a stream whose
// settings cannot be updated to what the service needs.
var ErrStreamDrift = errors.New("the NATS stream's settings cannot be changed in place")

func (p *Publisher) ensureStream(ctx context.Context) error {
	want := p.streamConfig()
	s, err := p.js.Stream(ctx, want.Name)
	if errors.Is(err, jsapi.ErrStreamNotFound) {
		_, err = p.js.CreateStream(ctx, want)
		if !errors.Is(err, jsapi.ErrStreamNameAlreadyInUse) {
			if err != nil {
				return fmt.Errorf("create NATS stream %s: %w", want.Name, err)
			}
			return nil
		}
		s, err = p.js.Stream(ctx, want.Name) // another instance made it first
	}
	if err != nil {
		return fmt.Errorf("look up NATS stream %s: %w", want.Name, err)
	}

	have := s.CachedInfo().Config
	if have.Storage != want.Storage || have.Retention != want.Retention {
		return fmt.Errorf("%w: stream %s has %s storage and %s retention, the service needs %s and %s; "+
			"move its messages elsewhere if they matter and delete it (nats stream rm %s) so the service creates it anew",
			ErrStreamDrift, want.Name, have.Storage, have.Retention, want.Storage, want.Retention, want.Name)
	}
	updated, drifted := reconcile(have, want)
	if !drifted {
		return nil
	}
	if _, err := p.js.UpdateStream(ctx, updated); err != nil {
		return fmt.Errorf("update NATS stream %s to the service's settings: %w", want.Name, err)
	}
	return nil
}

func (p *Publisher) streamConfig() jsapi.StreamConfig {
	return jsapi.StreamConfig{
		Name:        p.cfg.Stream,
		Description: "supportdesk support_request.created events, one subject per workspace",
		Subjects:    []string{Subjects},
		Storage:     jsapi.FileStorage,
		Retention:   jsapi.LimitsPolicy,
		Discard:     jsapi.DiscardOld,
		MaxAge:      p.cfg.MaxAge,
		Duplicates:  p.cfg.Duplicates,
	}
}

// reconcile returns have with the settings the service owns set as in
// want — its subject among the subjects, the duplicate window and the max
// age — and whether that changed anything.
func reconcile(have, want jsapi.StreamConfig) (jsapi.StreamConfig, bool) {
	out, drifted := have, false
	out.Subjects = slices.Clone(have.Subjects)
	for _, s := range want.Subjects {
		if !slices.Contains(out.Subjects, s) {
			out.Subjects = append(out.Subjects, s)
			drifted = true
		}
	}
	if have.Duplicates != want.Duplicates {
		out.Duplicates, drifted = want.Duplicates, true
	}
	if have.MaxAge != want.MaxAge {
		out.MaxAge, drifted = want.MaxAge, true
	}
	return out, drifted
}
