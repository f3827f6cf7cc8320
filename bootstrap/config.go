// Package bootstrap wires supportdesk with fx: one module per adapter, one
// place that chooses the database. It reads like a table of contents.
package bootstrap

import (
	"cmp"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/adapters/httpapi"
	"supportdesk/adapters/jetstream"
	"supportdesk/adapters/webhook"
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
	// AuthFailureLimit is how many failed authentications (bearer tokens,
	// sign-ins) one client address may make per minute.
	AuthFailureLimit int
	// TrustedProxies are the proxies whose X-Forwarded-For names the
	// client address; none: the connection's peer is the client.
	TrustedProxies []string
	// NATSURL is the NATS server events are published to; none: no NATS
	// delivery.
	NATSURL string
	// SecretKey seals webhook secrets; none: webhooks cannot be added.
	SecretKey string
}

// Defaults of the settings an operator leaves unset.
const (
	DefaultDatabaseURL = gormstore.DefaultURL
	DefaultAddr        = ":8080"
	DefaultCreateLimit = 30
	// DefaultAuthFailureLimit lets a person mistype a token a few times
	// and a script guess almost nothing.
	DefaultAuthFailureLimit = 20
)

// ConfigFromEnv reads SUPPORTDESK_DATABASE_URL, SUPPORTDESK_ADDR,
// SUPPORTDESK_CREATE_LIMIT, SUPPORTDESK_AUTH_FAILURE_LIMIT,
// SUPPORTDESK_TRUSTED_PROXIES, SUPPORTDESK_SECURE_COOKIES,
// SUPPORTDESK_NATS_URL and SUPPORTDESK_SECRET_KEY, falling back
// to the defaults for those unset. A limit that is not a whole number of
// at least 1, or a proxy that is not an address or CIDR range, is an
// error, not silently the default: an operator who set it meant something.
func ConfigFromEnv() (Config, error) {
	c := Config{
		DatabaseURL:      cmp.Or(os.Getenv("SUPPORTDESK_DATABASE_URL"), DefaultDatabaseURL),
		Addr:             cmp.Or(os.Getenv("SUPPORTDESK_ADDR"), DefaultAddr),
		CreateLimit:      DefaultCreateLimit,
		AuthFailureLimit: DefaultAuthFailureLimit,
		RequestTimeout:   httpapi.DefaultRequestTimeout,
		NATSURL:          strings.TrimSpace(os.Getenv(jetstream.URLEnv)),
		SecretKey:        os.Getenv(webhook.KeyEnv),
	}
	var err error
	if c.SecureCookies, err = flag("SUPPORTDESK_SECURE_COOKIES"); err != nil {
		return Config{}, err
	}
	if c.CreateLimit, err = perMinute("SUPPORTDESK_CREATE_LIMIT", "create attempts per user", c.CreateLimit); err != nil {
		return Config{}, err
	}
	if c.AuthFailureLimit, err = perMinute("SUPPORTDESK_AUTH_FAILURE_LIMIT", "failed authentications per client address", c.AuthFailureLimit); err != nil {
		return Config{}, err
	}
	for _, p := range strings.Split(os.Getenv("SUPPORTDESK_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if _, err := netip.ParseAddr(p); err != nil {
			if _, err := netip.ParsePrefix(p); err != nil {
				return Config{}, fmt.Errorf("SUPPORTDESK_TRUSTED_PROXIES must list IP addresses or CIDR ranges, comma-separated (got %q)", p)
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	return c, nil
}

// flag reads the on/off setting in the environment variable name: unset
// or empty is off; anything but true or false (as strconv.ParseBool reads
// them) is an error, not silently off.
func flag(name string) (bool, error) {
	v := os.Getenv(name)
	if v == "" {
		return false, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false (got %q)", name, v)
	}
	return on, nil
}

// perMinute reads the per-minute limit in the environment variable name,
// or def when it is unset.
func perMinute(name, what string, def int) (int, error) {
	v := os.Getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%s must be a whole number of %s and minute, at least 1 (got %q)", name, what, v)
	}
	return n, nil
}
