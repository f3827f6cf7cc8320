// Package logging makes the service's structured logger: JSON lines through
// log/slog, with the redaction policy (core/redact) applied to the message
// and to every attribute on its way out, whatever its shape — strings,
// errors, maps, slices, structs, pointers, LogValuers and groups, nested —
// so that a secret that slips into a log call still never reaches a line.
package logging

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"supportdesk/core/redact"
)

// New returns a JSON logger writing to w at level.
func New(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(&redactingHandler{next: slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

type redactingHandler struct{ next slog.Handler }

func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	msg, _ := redact.String(r.Message)
	out := slog.NewRecord(r.Time, r.Level, msg, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = redactAttr(a)
	}
	return &redactingHandler{next: h.next.WithAttrs(red)}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	name, _ = redact.String(name)
	return &redactingHandler{next: h.next.WithGroup(name)}
}

// redactAttr redacts an attribute as redact.Value redacts a JSON member:
// by its key (a secret-named key loses its whole value, unless that is a
// boolean) and by its content.
func redactAttr(a slog.Attr) slog.Attr {
	key, _ := redact.String(a.Key)
	v := a.Value.Resolve()
	if redact.SensitiveKey(a.Key) && v.Kind() != slog.KindBool && !(v.Kind() == slog.KindAny && v.Any() == nil) {
		return slog.String(key, redact.Marker)
	}
	switch v.Kind() {
	case slog.KindString:
		s, _ := redact.String(v.String())
		return slog.String(key, s)
	case slog.KindGroup:
		group := v.Group()
		red := make([]any, len(group))
		for i, g := range group {
			red[i] = redactAttr(g)
		}
		return slog.Group(key, red...)
	case slog.KindAny:
		return slog.Any(key, redactAny(v.Any()))
	}
	return slog.Attr{Key: key, Value: v} // numbers, booleans, times, durations
}

// redactAny returns what the JSON handler would print for x, redacted: an
// error by its text, anything else by its JSON form (struct fields,
// map entries, slice items, pointers followed), and what JSON cannot
// encode by its %+v text.
func redactAny(x any) any {
	if x == nil {
		return nil
	}
	if err, ok := x.(error); ok {
		s, _ := redact.String(err.Error())
		return s
	}
	b, err := json.Marshal(x)
	if err != nil {
		s, _ := redact.String(fmt.Sprintf("%+v", x))
		return s
	}
	var doc any
	if err := json.Unmarshal(b, &doc); err != nil {
		s, _ := redact.String(string(b))
		return s
	}
	out, _ := redact.Value(doc)
	return out
}
