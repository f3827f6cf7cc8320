package webhook

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// MaxReceivedBody bounds the body a Receiver reads: an event is at most
// the 64 KiB envelope plus the request's fields.
const MaxReceivedBody = 1 << 20

// Receiver is an http.Handler that accepts Standard Webhooks POSTs signed
// with one of its secrets — the local receiver of "supportdesk webhook
// listen". It answers:
//
//   - 204 after handing the verified message to the callback;
//   - 400 when a webhook header is missing or the timestamp is malformed or
//     more than Tolerance away from the clock (a replay);
//   - 401 when no signature matches a secret;
//   - 405 to anything but POST, 413 to a body over MaxReceivedBody;
//   - 500 when the callback fails, so the sender tries again.
type Receiver struct {
	secrets []Secret
	now     func() time.Time
	handle  func(Message) error
}

// NewReceiver returns a Receiver that verifies with secrets (several
// during a rotation) against the clock now (time.Now if nil) and passes
// each verified message to handle. It returns an error if there is no
// secret or no callback.
func NewReceiver(secrets []Secret, now func() time.Time, handle func(Message) error) (*Receiver, error) {
	if len(secrets) == 0 {
		return nil, errors.New("webhook receiver: no secret to verify with")
	}
	if handle == nil {
		return nil, errors.New("webhook receiver: no callback")
	}
	if now == nil {
		now = time.Now
	}
	return &Receiver{secrets: secrets, now: now, handle: handle}, nil
}

// ServeHTTP verifies one delivery; see Receiver.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "only POST delivers a webhook", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReceivedBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the body", http.StatusBadRequest)
		return
	}
	m, err := Verify(r.Header, body, rc.secrets, rc.now())
	switch {
	case errors.Is(err, ErrSignature):
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := rc.handle(m); err != nil {
		http.Error(w, "the receiver could not handle the event", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
