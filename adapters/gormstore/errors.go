package gormstore

import (
	"context"
	"errors"
	"net"
	"strings"

	sqlite "github.com/glebarez/go-sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	sqlite3 "modernc.org/sqlite/lib"

	"supportdesk/core"
)

// unavailable is the error mapping at the boundary of this package: an
// error that already carries a core kind keeps it; one that means the
// database cannot be reached (connection refused or lost, pool closed,
// shutdown) becomes KindUnavailable, so callers answer 503 and retry;
// anything else is KindInternal. The caller-facing message never carries
// the driver's text, which stays in Err for the logs.
func unavailable(err error) error {
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

func isUnreachable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-57P03: admin shutdown,
		// crash shutdown, cannot connect now.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	msg := err.Error()
	for _, s := range []string{"sql: database is closed", "conn closed", "connection refused", "broken pipe",
		"connection reset", "unexpected EOF", "database is locked", "SQLITE_BUSY", "failed to connect"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
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
