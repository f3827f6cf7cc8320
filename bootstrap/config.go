// Package bootstrap wires supportdesk with fx: one module per adapter, one
// place that chooses the database. It reads like a table of contents.
package bootstrap

import (
	"os"
	"strconv"
	"time"
)

// Config is what an operator can set, from the environment or flags.
type Config struct {
	// DatabaseURL is a postgres:// URL or a SQLite file path.
	DatabaseURL string
	// Addr is the HTTP listen address.
	Addr string
	// CreateLimit is how many create attempts one user may make per minute.
	CreateLimit int
	// RequestTimeout bounds each HTTP request, database work included.
	RequestTimeout time.Duration
	// SecureCookies marks web session cookies Secure even when the server
	// cannot tell the request came over TLS.
	SecureCookies bool
}

// Defaults of SPEC §9 and §8.
const (
	DefaultDatabaseURL = "supportdesk.db"
	DefaultAddr        = ":8080"
	DefaultCreateLimit = 30
)

// ConfigFromEnv reads SUPPORTDESK_DATABASE_URL, SUPPORTDESK_ADDR,
// SUPPORTDESK_CREATE_LIMIT and SUPPORTDESK_SECURE_COOKIES, falling back to
// the defaults.
func ConfigFromEnv() Config {
	c := Config{
		DatabaseURL:    os.Getenv("SUPPORTDESK_DATABASE_URL"),
		Addr:           os.Getenv("SUPPORTDESK_ADDR"),
		CreateLimit:    DefaultCreateLimit,
		RequestTimeout: 10 * time.Second,
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = DefaultDatabaseURL
	}
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if n, err := strconv.Atoi(os.Getenv("SUPPORTDESK_CREATE_LIMIT")); err == nil && n > 0 {
		c.CreateLimit = n
	}
	c.SecureCookies = os.Getenv("SUPPORTDESK_SECURE_COOKIES") == "true"
	return c
}
