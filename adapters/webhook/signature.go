package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Tolerance is how far a webhook-timestamp may lie from the verifier's
// clock, in either direction, before the message counts as a replay.
const Tolerance = 5 * time.Minute

// signatureVersion marks an HMAC-SHA256 signature ("v1a" would be ed25519,
// which supportdesk does not use).
const signatureVersion = "v1"

// Errors of Verify, each wrapped with the detail. A receiver answers
// ErrMissingHeader and ErrTimestamp with 400 and ErrSignature with 401.
var (
	ErrMissingHeader = errors.New("missing webhook header")
	ErrTimestamp     = errors.New("bad webhook timestamp")
	ErrSignature     = errors.New("no valid webhook signature")
)

// Message is one signed webhook: the id that stays the same across
// retries (the event id), the time of the attempt, and the exact body.
type Message struct {
	ID        string
	Timestamp time.Time
	Body      []byte
}

// Sign returns the webhook-signature value of m: one "v1,<base64 of
// HMAC-SHA256(key, id.timestamp.body)>" per secret, space separated, in
// the order given — during a rotation the new secret and the old one. The
// timestamp is m.Timestamp in Unix seconds.
//
// It returns an error if there is no secret, a secret is zero, or the id is
// empty or holds a '.' or white space (the signed content is delimited by
// dots, so the id must not contain one).
func Sign(m Message, secrets ...Secret) (string, error) {
	switch {
	case m.ID == "" || strings.ContainsAny(m.ID, ". \t\r\n"):
		return "", fmt.Errorf("sign webhook: id %q must be non-empty, without dots or white space", m.ID)
	case len(secrets) == 0:
		return "", errors.New("sign webhook: no secret")
	}
	ts := strconv.FormatInt(m.Timestamp.Unix(), 10)
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		if s.IsZero() {
			return "", errors.New("sign webhook: empty secret")
		}
		sigs[i] = signatureVersion + "," + base64.StdEncoding.EncodeToString(mac(s, m.ID, ts, m.Body))
	}
	return strings.Join(sigs, " "), nil
}

// mac is HMAC-SHA256 under s of "id.timestamp.body".
func mac(s Secret, id, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// SetHeaders signs m with the secrets and sets the three Standard Webhooks
// headers on h. It returns Sign's errors.
func SetHeaders(h http.Header, m Message, secrets ...Secret) error {
	sig, err := Sign(m, secrets...)
	if err != nil {
		return err
	}
	h.Set(HeaderID, m.ID)
	h.Set(HeaderTimestamp, strconv.FormatInt(m.Timestamp.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return nil
}

// Verify checks a received webhook: the headers h, the raw body, the
// secrets the receiver accepts (several during a rotation) and its clock
// now. It returns the message when the timestamp lies within Tolerance of
// now and one v1 signature of the header matches one secret; signatures
// of other versions are ignored, and every comparison is constant-time.
//
// It returns an error wrapping ErrMissingHeader if a header is missing,
// ErrTimestamp if the timestamp is not Unix seconds or lies outside the
// tolerance, and ErrSignature if no signature matches.
func Verify(h http.Header, body []byte, secrets []Secret, now time.Time) (Message, error) {
	id, ts, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	for _, name := range []string{HeaderID, HeaderTimestamp, HeaderSignature} {
		if h.Get(name) == "" {
			return Message{}, fmt.Errorf("%w: %s", ErrMissingHeader, name)
		}
	}
	sent, err := parseTimestamp(ts)
	if err != nil {
		return Message{}, err
	}
	if d := now.Sub(sent); d > Tolerance || d < -Tolerance {
		return Message{}, fmt.Errorf("%w: %s is %s away from now, more than %s", ErrTimestamp, ts, d.Abs().Round(time.Second), Tolerance)
	}

	valid := false
	for _, s := range secrets {
		if s.IsZero() {
			continue
		}
		want := mac(s, id, ts, body)
		for _, entry := range strings.Fields(sigs) {
			version, encoded, ok := strings.Cut(entry, ",")
			if !ok || version != signatureVersion {
				continue
			}
			got, err := base64.StdEncoding.DecodeString(encoded)
			if err != nil {
				continue
			}
			// Keep comparing after a match so the time taken does not
			// depend on which signature matched.
			if hmac.Equal(got, want) {
				valid = true
			}
		}
	}
	if !valid {
		return Message{}, ErrSignature
	}
	return Message{ID: id, Timestamp: sent, Body: body}, nil
}

// parseTimestamp reads Unix seconds written as digits only.
func parseTimestamp(ts string) (time.Time, error) {
	bad := fmt.Errorf("%w: %q is not Unix seconds", ErrTimestamp, ts)
	if len(ts) > 18 {
		return time.Time{}, bad
	}
	for _, c := range ts {
		if c < '0' || c > '9' {
			return time.Time{}, bad
		}
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return time.Time{}, bad
	}
	return time.Unix(n, 0), nil
}
