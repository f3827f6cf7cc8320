package gormstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// readPipelined runs reads on PostgreSQL in one REPEATABLE READ READ ONLY
// transaction, sending all its queries as one pgx batch: three round trips
// (begin, the batch, commit) instead of one per query. A submission's
// reads are a dozen short index lookups, so round trips, not the queries,
// are what they cost.
func (db *DB) readPipelined(ctx context.Context, reads []pendingRead) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipelined read: driver connection of type %T is not pgx", driverConn)
		}
		tx, err := c.Conn().BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		// After Commit this is a no-op; after a failure it ends the
		// transaction before the connection goes back to the pool.
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		batch := &pgx.Batch{}
		for _, rd := range reads {
			batch.Queue(numbered(rd.query), rd.args...)
		}
		results := tx.SendBatch(ctx, batch)
		for _, rd := range reads {
			n, err := scanRows(results, rd.dest)
			if err != nil {
				_ = results.Close()
				return fmt.Errorf("read %s: %w", rd.what, err)
			}
			*rd.found = n > 0
		}
		if err := results.Close(); err != nil {
			return err
		}
		return tx.Commit(ctx)
	})
}

// numbered turns the ? placeholders of the shared SQL into PostgreSQL's
// $1, $2, …; no statement here has a ? inside a literal.
func numbered(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// scanRows reads the next result of results into dest — a pointer to a row
// struct (first row only) or to a slice of them — matching columns to
// fields by name, underscores and case ignored (workspace_name →
// WorkspaceName), as GORM does for the same structs. It returns how many
// rows there were.
func scanRows(results pgx.BatchResults, dest any) (int, error) {
	rows, err := results.Query()
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	target := reflect.ValueOf(dest).Elem()
	rowType := target.Type()
	if target.Kind() == reflect.Slice {
		rowType = rowType.Elem()
	}
	fields, err := fieldsFor(rowType, rows.FieldDescriptions())
	if err != nil {
		return 0, err
	}
	n := 0
	for rows.Next() {
		row := reflect.New(rowType).Elem()
		ptrs := make([]any, len(fields))
		for i, f := range fields {
			ptrs[i] = row.Field(f).Addr().Interface()
		}
		if err := rows.Scan(ptrs...); err != nil {
			return 0, err
		}
		if target.Kind() == reflect.Slice {
			target.Set(reflect.Append(target, row))
		} else if n == 0 {
			target.Set(row)
		}
		n++
	}
	return n, rows.Err()
}

// fieldsFor returns, for each column, the index of its field in t.
func fieldsFor(t reflect.Type, cols []pgconn.FieldDescription) ([]int, error) {
	byName := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		byName[strings.ToLower(t.Field(i).Name)] = i
	}
	out := make([]int, len(cols))
	for i, c := range cols {
		f, ok := byName[strings.ReplaceAll(strings.ToLower(c.Name), "_", "")]
		if !ok {
			return nil, errors.New("no field of " + t.Name() + " for column " + c.Name)
		}
		out[i] = f
	}
	return out, nil
}
