package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// The environment variables that hold the keys of the Box.
const (
	// KeyEnv holds the current key: 32 random bytes in standard base64
	// (openssl rand -base64 32). Every secret is sealed with it.
	KeyEnv = "SUPPORTDESK_SECRET_KEY"
	// PreviousKeyEnv holds the keys being rotated out, comma separated:
	// secrets sealed with them can still be opened, and are resealed with
	// the current key.
	PreviousKeyEnv = "SUPPORTDESK_SECRET_KEY_PREVIOUS"
)

// KeyBytes is the size of a Box key: AES-256.
const KeyBytes = 32

// boxVersion starts every sealed value; a new format would get "v2".
const boxVersion = "v1"

// ErrNoKey is returned by BoxFromEnv when KeyEnv is not set: endpoint
// secrets cannot be stored, so "webhook add" refuses.
var ErrNoKey = errors.New(KeyEnv + " is not set: webhook secrets are stored encrypted with it; " +
	"set it to 32 random bytes in standard base64 (openssl rand -base64 32)")

// Box encrypts endpoint secrets at rest with AES-256-GCM. A sealed value
// reads "v1:<key id>:<base64url of nonce and ciphertext>": the key id (the
// first 4 bytes of a SHA-256 of the key, in hex, which reveals nothing
// useful about it) says which key opens it, so keys can be rotated; the
// nonce is random for every seal. The version, the key id and a binding
// chosen by the caller (the endpoint's id) are authenticated with the
// ciphertext, so a sealed value copied to another endpoint's row does not
// open.
//
// Rotating the key, with no downtime:
//
//  1. Make a new key: openssl rand -base64 32.
//  2. On every instance set SUPPORTDESK_SECRET_KEY_PREVIOUS to the old key
//     (append it, comma separated, if the variable already holds keys) and
//     SUPPORTDESK_SECRET_KEY to the new one, and restart. Secrets sealed
//     with either key open; new ones are sealed with the new key.
//  3. Reseal the stored secrets with the new key (supportdesk webhook
//     reseal, which calls Reseal on each endpoint's secrets), until it
//     reports that every secret in use is sealed with the new key.
//  4. Remove the old key from SUPPORTDESK_SECRET_KEY_PREVIOUS and restart.
//
// If a key has leaked, rotate the endpoint secrets too (webhook rotate):
// the old key opens every secret sealed before step 3.
type Box struct {
	current  boxKey
	previous []boxKey
}

type boxKey struct {
	id   string
	aead cipher.AEAD
}

// ParseKey decodes a key in standard base64. It returns an error, which
// never repeats the input, unless the text is standard base64 of exactly
// KeyBytes bytes.
func ParseKey(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, errors.New("the key is not standard base64")
	}
	if len(key) != KeyBytes {
		return nil, fmt.Errorf("the key is %d bytes, want %d (openssl rand -base64 32)", len(key), KeyBytes)
	}
	return key, nil
}

// BoxFromEnv makes the Box of the keys in KeyEnv and PreviousKeyEnv, read
// with getenv (os.Getenv). It returns ErrNoKey if KeyEnv is empty, and an
// error naming the variable if a key is malformed or a previous key is
// the current one.
func BoxFromEnv(getenv func(string) string) (*Box, error) {
	cur := getenv(KeyEnv)
	if strings.TrimSpace(cur) == "" {
		return nil, ErrNoKey
	}
	current, err := ParseKey(cur)
	if err != nil {
		// "NAME: reason" would read as a secret's assignment to the
		// redaction of the CLI's errors, which would hide the reason.
		return nil, fmt.Errorf("%s is malformed: %w", KeyEnv, err)
	}
	var previous [][]byte
	if prev := getenv(PreviousKeyEnv); strings.TrimSpace(prev) != "" {
		for i, s := range strings.Split(prev, ",") {
			k, err := ParseKey(s)
			if err != nil {
				return nil, fmt.Errorf("%s, key %d, is malformed: %w", PreviousKeyEnv, i+1, err)
			}
			previous = append(previous, k)
		}
	}
	b, err := NewBox(current, previous...)
	if err != nil {
		return nil, fmt.Errorf("%s and %s: %w", KeyEnv, PreviousKeyEnv, err)
	}
	return b, nil
}

// NewBox makes a Box that seals with current and opens with current or
// any of previous. It returns an error if a key is not KeyBytes long or
// two keys share a key id (the same key given twice).
func NewBox(current []byte, previous ...[]byte) (*Box, error) {
	cur, err := newBoxKey(current)
	if err != nil {
		return nil, err
	}
	b := &Box{current: cur}
	seen := map[string]bool{cur.id: true}
	for _, p := range previous {
		k, err := newBoxKey(p)
		if err != nil {
			return nil, err
		}
		if seen[k.id] {
			return nil, fmt.Errorf("key %s is given twice", k.id)
		}
		seen[k.id] = true
		b.previous = append(b.previous, k)
	}
	return b, nil
}

func newBoxKey(key []byte) (boxKey, error) {
	if len(key) != KeyBytes {
		return boxKey{}, fmt.Errorf("a key is %d bytes, want %d", len(key), KeyBytes)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return boxKey{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return boxKey{}, err
	}
	sum := sha256.Sum256(append([]byte("supportdesk secret box key id\x00"), key...))
	return boxKey{id: hex.EncodeToString(sum[:4]), aead: aead}, nil
}

// KeyID returns the id of the current key, as sealed values name it.
func (b *Box) KeyID() string { return b.current.id }

// Seal encrypts plaintext under the current key, bound to binding (the
// endpoint's id). It fails only if the system's random source does.
func (b *Box) Seal(plaintext []byte, binding string) (string, error) {
	k := b.current
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal secret: %w", err)
	}
	out := k.aead.Seal(nonce, nonce, plaintext, additionalData(k.id, binding))
	return boxVersion + ":" + k.id + ":" + base64.RawURLEncoding.EncodeToString(out), nil
}

// Open decrypts a value made by Seal with the same binding, under the
// current key or a previous one. It returns an error if the format is not
// one Seal makes, if the value names a key the Box does not hold (with
// the key id and which variables to check), or if it does not decrypt:
// the value or its binding was altered.
func (b *Box) Open(sealed, binding string) ([]byte, error) {
	plain, _, err := b.open(sealed, binding)
	return plain, err
}

// Reseal returns sealed encrypted under the current key, and whether that
// changed anything: a value already under the current key is returned as
// it is. It returns Open's errors.
func (b *Box) Reseal(sealed, binding string) (string, bool, error) {
	plain, k, err := b.open(sealed, binding)
	if err != nil {
		return "", false, err
	}
	if k.id == b.current.id {
		return sealed, false, nil
	}
	out, err := b.Seal(plain, binding)
	return out, err == nil, err
}

func (b *Box) open(sealed, binding string) ([]byte, boxKey, error) {
	version, rest, _ := strings.Cut(sealed, ":")
	id, data, ok := strings.Cut(rest, ":")
	if version != boxVersion || !ok {
		return nil, boxKey{}, errors.New("open secret: not a value sealed by this version of supportdesk")
	}
	k, ok := b.key(id)
	if !ok {
		return nil, boxKey{}, fmt.Errorf("open secret: it was sealed with key %s, which is neither %s (key %s) nor in %s",
			id, KeyEnv, b.current.id, PreviousKeyEnv)
	}
	raw, err := base64.RawURLEncoding.DecodeString(data)
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return nil, boxKey{}, errors.New("open secret: the sealed value is damaged")
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], additionalData(id, binding))
	if err != nil {
		return nil, boxKey{}, errors.New("open secret: it does not decrypt (the value or the endpoint it belongs to was altered)")
	}
	return plain, k, nil
}

func (b *Box) key(id string) (boxKey, bool) {
	if id == b.current.id {
		return b.current, true
	}
	for _, k := range b.previous {
		if k.id == id {
			return k, true
		}
	}
	return boxKey{}, false
}

func additionalData(id, binding string) []byte {
	return []byte(boxVersion + ":" + id + ":" + binding)
}
