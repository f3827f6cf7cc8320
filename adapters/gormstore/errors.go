package gormstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"supportdesk/core"
)

// toCoreError maps every error of this package's storage calls to a core
// error, at the boundary of the package: one that already carries a core
// kind keeps it; one that means the database cannot be reached now
// (connection refused or lost, pool closed, server shutting down or
// starting, SQLite busy) becomes KindUnavailable, so callers answer 503
// and retry; anything else is KindInternal. The caller-facing message
// never carries the driver's text, which stays in Err for the logs.
func toCoreError(err error) error {
	if err == nil {
		return nil
	}
	var ce *core.Error
	if errors.As(err, &ce) {
		return err
	}
	if isUnreachable(err) {
		return core.Wrap(core.KindUnavailable, err, "the database is unavailable, retry later")
	}
	return core.Wrap(core.KindInternal, err, "database error")
}

// errDBClosed is database/sql's error for a call on a closed pool. The
// package does not export it, so it is taken once from a pool closed on
// purpose; database/sql returns that one value, so errors.Is matches it.
var errDBClosed = func() error {
	db := sql.OpenDB(nopConnector{})
	_ = db.Close()
	return db.PingContext(context.Background())
}()

// nopConnector is never asked to connect: errDBClosed's pool is closed
// before any use.
type nopConnector struct{}

func (nopConnector) Connect(context.Context) (driver.Conn, error) { return nil, driver.ErrBadConn }
func (nopConnector) Driver() driver.Driver                        { return nil }

// isUnreachable reports whether err means the database does not answer
// now but may later: the network, the pool or the server's state, as the
// drivers' error types and codes say — never the error text.
func isUnreachable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// The server answered: class 08 is a connection exception and
		// 57P01–57P03 are admin shutdown, crash shutdown and "cannot connect
		// now" (starting up). Any other code, a refused password or an
		// unknown database included, is not an outage.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		// The primary code is the low byte of an extended one.
		switch liteErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
		return false
	}
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, errDBClosed) ||
		errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &netErr)
}

// Transient reports whether err, from Open, Ping or Migrate, means the
// database is not there yet rather than misconfigured: it is worth
// retrying while the server starts or the network comes up. A refused
// password, an unknown role or database, a host name that does not
// resolve or a URL that does not parse are not: retrying would only hide
// them.
func Transient(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false
	}
	return isUnreachable(err)
}

// isDuplicate reports whether err is a unique or primary-key violation.
func isDuplicate(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505" // unique_violation
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		return liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || liteErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
	}
	return false
}
