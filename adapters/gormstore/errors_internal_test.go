package gormstore

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// Server states that a real server gives only with effort (starting up,
// shutting down), by their SQLSTATE: an outage to wait for, unlike a
// refusal. The other cases run on real errors in errors_test.go.
func TestUnreachableByCode(t *testing.T) {
	for code, want := range map[string]bool{
		"57P03": true,  // cannot_connect_now: the database system is starting up
		"57P01": true,  // admin_shutdown
		"08006": true,  // connection_failure
		"28P01": false, // invalid_password
		"28000": false, // invalid_authorization_specification
		"3D000": false, // invalid_catalog_name: unknown database
		"42P01": false, // undefined_table
	} {
		err := fmt.Errorf("connect: %w", &pgconn.PgError{Code: code})
		if got := Transient(err); got != want {
			t.Errorf("Transient(SQLSTATE %s) = %v, want %v", code, got, want)
		}
	}
}
