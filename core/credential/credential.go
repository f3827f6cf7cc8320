// Package credential holds how supportdesk makes and keeps the secrets
// that authenticate people — API tokens and web session ids: random, shown
// once, and stored only as a hash.
package credential

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// TokenPrefix starts every API token supportdesk issues, so that a leaked
// one is recognisable.
const TokenPrefix = "sdt_"

// NewToken returns a fresh API token: TokenPrefix and 32 random bytes in
// URL-safe base64.
func NewToken() string {
	var b [32]byte
	// crypto/rand.Read never fails on supported platforms (Go 1.24+).
	_, _ = rand.Read(b[:])
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Hash returns the stored form of a secret: hex SHA-256. The secrets are
// long random strings, so a fast hash is enough; only hashes are stored.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
