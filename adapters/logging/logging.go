// Package logging makes the service's structured logger: JSON lines through
// log/slog, with redaction policy v1 applied to every message and string
// value on its way out, so that a secret that slips into an error message
// still never reaches a log line.
package logging

import (
	"context"
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
	return &redactingHandler{next: h.next.WithGroup(name)}
}

// redactAttr redacts a value by its key (as in JSON) and, for strings and
// errors, by its content; groups are walked.
func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	if redact.SensitiveKey(a.Key) {
		return slog.String(a.Key, redact.Marker)
	}
	switch v.Kind() {
	case slog.KindString:
		s, _ := redact.String(v.String())
		return slog.String(a.Key, s)
	case slog.KindGroup:
		group := v.Group()
		red := make([]any, len(group))
		for i, g := range group {
			red[i] = redactAttr(g)
		}
		return slog.Group(a.Key, red...)
	case slog.KindAny:
		// Errors and other values are logged by their text, redacted.
		if err, ok := v.Any().(error); ok {
			s, _ := redact.String(err.Error())
			return slog.String(a.Key, s)
		}
		if s, ok := v.Any().(interface{ String() string }); ok {
			red, _ := redact.String(s.String())
			return slog.String(a.Key, red)
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
