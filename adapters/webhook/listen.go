package webhook

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// listenStopTimeout bounds how long a stopping Listen waits for the
// deliveries in flight.
const listenStopTimeout = 5 * time.Second

// Listen serves h (a Receiver) over HTTP on addr until ctx ends, then lets
// the requests in flight finish. It calls listening once with the address
// it bound, and refused with the status and reason of every answer of 400
// or more, so that the operator sees why a delivery was turned away. It
// returns an error if addr cannot be bound or the server fails; nil once
// ctx ends.
func Listen(ctx context.Context, addr string, h http.Handler, listening func(net.Addr), refused func(status int, reason string)) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("webhook listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &recorder{ResponseWriter: w}
			h.ServeHTTP(rec, r)
			if rec.status >= 400 {
				refused(rec.status, strings.TrimSpace(rec.body.String()))
			}
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	listening(ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("webhook listen on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), listenStopTimeout)
	defer cancel()
	if err := srv.Shutdown(stopCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("webhook listen: shut down: %w", err)
	}
	return nil
}

// recorder keeps the status and the start of the body of an answer.
type recorder struct {
	http.ResponseWriter
	status int
	body   strings.Builder
}

// maxReason bounds the part of a refusal's body that is kept.
const maxReason = 512

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if room := maxReason - r.body.Len(); room > 0 {
		r.body.Write(b[:min(room, len(b))])
	}
	return r.ResponseWriter.Write(b)
}
