package gormstore_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/core"
	"supportdesk/test/testdb"
)

// Transient tells an outage to wait for from a database that answers but
// refuses, on the drivers' errors — codes and types, not their text.
func TestTransientOnRealErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusing := ln.Addr().String()
	ln.Close()

	good, err := url.Parse(testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	at := func(change func(u *url.URL)) string { u := *good; change(&u); return u.String() }
	for _, c := range []struct {
		name, url string
		transient bool
	}{
		{"connection refused", at(func(u *url.URL) { u.Host = refusing }), true},
		{"unknown role", at(func(u *url.URL) { u.User = url.User("no_such_role") }), false},
		{"unknown database", at(func(u *url.URL) { u.Path = "/no_such_database" }), false},
		{"unknown host", at(func(u *url.URL) { u.Host = "no-such-host.invalid" }), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "unknown host" && !resolverSaysNotFound("no-such-host.invalid") {
				t.Skip("this machine's resolver does not answer that a name does not exist")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			db, err := gormstore.OpenWith(ctx, c.url, gormstore.Options{NoWait: true})
			if err != nil {
				t.Fatalf("open without waiting: %v", err)
			}
			defer db.Close()
			err = db.Migrate(ctx)
			if err == nil || gormstore.Transient(err) != c.transient {
				t.Fatalf("Transient(%v) = %v, want %v", err, !c.transient, c.transient)
			}
		})
	}
}

// A closed pool is unavailable (503, retry), not an internal error.
func TestClosedPoolIsUnavailable(t *testing.T) {
	db := testdb.SQLite(t)
	db.Close()
	if err := db.Ping(context.Background()); core.KindOf(err) != core.KindUnavailable {
		t.Fatalf("Ping on a closed pool: %v (kind %v), want unavailable", err, core.KindOf(err))
	}
}

// Read commands open an existing file only; a missing directory is named.
func TestOpenExistingSQLite(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if _, err := gormstore.OpenWith(context.Background(), missing, gormstore.Options{Existing: true}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open a missing file: %v, want not exist", err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Fatalf("the refused open created %s", missing)
	}
	if _, err := gormstore.Open(context.Background(), filepath.Join(dir, "no", "such", "x.db")); err == nil {
		t.Fatal("open in a missing directory succeeded")
	}
	if _, err := gormstore.Open(context.Background(), "mysql://root@localhost/x"); err == nil {
		t.Fatal("a mysql:// URL was taken")
	}
}

// resolverSaysNotFound reports whether the resolver answers that host does
// not exist (rather than failing to answer, which is an outage to wait for).
func resolverSaysNotFound(host string) bool {
	_, err := net.LookupHost(host)
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsNotFound
}
