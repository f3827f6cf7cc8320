// Package bootstrap wires supportdesk with fx: one module per adapter, one
// place that chooses the database. It reads like a table of contents.
package bootstrap

import (
	"cmp"
	"fmt"
	"os"
	"strconv"
	"time"

	"supportdesk/adapters/httpapi"
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

// Defaults of the settings an operator leaves unset.
const (
	DefaultDatabaseURL = "supportdesk.db"
	DefaultAddr        = ":8080"
	DefaultCreateLimit = 30
)

// ConfigFromEnv reads SUPPORTDESK_DATABASE_URL, SUPPORTDESK_ADDR,
// SUPPORTDESK_CREATE_LIMIT and SUPPORTDESK_SECURE_COOKIES, falling back to
// the defaults for those unset. A create limit that is not a whole number
// of at least 1 is an error, not silently the default: an operator who set
// it meant something.
func ConfigFromEnv() (Config, error) {
	c := Config{
		DatabaseURL:    cmp.Or(os.Getenv("SUPPORTDESK_DATABASE_URL"), DefaultDatabaseURL),
		Addr:           cmp.Or(os.Getenv("SUPPORTDESK_ADDR"), DefaultAddr),
		CreateLimit:    DefaultCreateLimit,
		RequestTimeout: httpapi.DefaultRequestTimeout,
		SecureCookies:  os.Getenv("SUPPORTDESK_SECURE_COOKIES") == "true",
	}
	if v := os.Getenv("SUPPORTDESK_CREATE_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return Config{}, fmt.Errorf("SUPPORTDESK_CREATE_LIMIT must be a whole number of create attempts per user and minute, at least 1 (got %q)", v)
		}
		c.CreateLimit = n
	}
	return c, nil
}
