// Package webhook delivers events to support's ticket systems as Standard
// Webhooks 1.0: it signs and verifies webhook-id, webhook-timestamp and
// webhook-signature, POSTs signed bodies to endpoints while refusing
// private targets, keeps endpoint secrets encrypted at rest (Box) and
// serves a local receiver for trying it out (Receiver).
package webhook

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SecretPrefix starts every serialized endpoint secret, as Standard
// Webhooks names symmetric (HMAC-SHA256) secrets.
const SecretPrefix = "whsec_"

// Secret sizes in bytes. Standard Webhooks asks for at least 24 random
// bytes (192 bits) and at most 64 (512 bits); NewSecret makes 32.
const (
	MinSecretBytes = 24
	MaxSecretBytes = 64
	newSecretBytes = 32
)

// ErrBadSecret is wrapped by every error ParseSecret returns.
var ErrBadSecret = errors.New("bad webhook secret")

// Secret is the key an endpoint's signatures are made with: the decoded
// bytes of its whsec_ form. Its String method hides it, so printing a
// Secret by accident reveals nothing; Encode gives the whsec_ form.
type Secret struct {
	key []byte
}

// NewSecret returns a new random secret of 32 bytes. It fails only if the
// system's random source does.
func NewSecret() (Secret, error) {
	key := make([]byte, newSecretBytes)
	if _, err := rand.Read(key); err != nil {
		return Secret{}, fmt.Errorf("new webhook secret: %w", err)
	}
	return Secret{key: key}, nil
}

// ParseSecret reads a secret in its whsec_ form: the prefix, then the key in
// standard base64 (padded or not). It returns an error wrapping
// ErrBadSecret, which never repeats the input, if the prefix is missing,
// the rest is not base64 or the key is not 24–64 bytes long.
func ParseSecret(s string) (Secret, error) {
	rest, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return Secret{}, fmt.Errorf("%w: it must start with %s", ErrBadSecret, SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(rest)
	}
	if err != nil {
		return Secret{}, fmt.Errorf("%w: what follows %s is not standard base64", ErrBadSecret, SecretPrefix)
	}
	if len(key) < MinSecretBytes || len(key) > MaxSecretBytes {
		return Secret{}, fmt.Errorf("%w: it holds %d bytes, want %d to %d", ErrBadSecret, len(key), MinSecretBytes, MaxSecretBytes)
	}
	return Secret{key: key}, nil
}

// Encode returns the secret in its whsec_ form, to show the endpoint's
// owner once or to seal in a Box.
func (s Secret) Encode() string { return SecretPrefix + base64.StdEncoding.EncodeToString(s.key) }

// String hides the secret: it returns "whsec_[hidden]".
func (s Secret) String() string { return SecretPrefix + "[hidden]" }

// GoString hides the secret from %#v as String does from %v.
func (s Secret) GoString() string { return s.String() }

// IsZero reports whether s holds no key (the zero Secret).
func (s Secret) IsZero() bool { return len(s.key) == 0 }
