package gormstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"supportdesk/ports"
)

// readPipelined runs reads on PostgreSQL in one REPEATABLE READ READ ONLY
// transaction, sending the BEGIN, every query and the COMMIT as one pgx
// batch: one round trip instead of one per query. A submission's reads are
// a dozen short index lookups, so round trips, not the queries, are what
// they cost.
func (db *DB) readPipelined(ctx context.Context, reads []pendingRead) error {
	return db.pipeline(ctx, func(c *pgx.Conn) error {
		batch := &pgx.Batch{}
		batch.Queue("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
		for _, rd := range reads {
			batch.Queue(numberedOnce(rd.query), rd.args...)
		}
		batch.Queue("COMMIT")
		results := c.SendBatch(ctx, batch)
		defer results.Close()
		if _, err := results.Exec(); err != nil {
			return err
		}
		for _, rd := range reads {
			n, err := scanRows(results, rd.dest)
			if err != nil {
				return fmt.Errorf("read %s: %w", rd.what, err)
			}
			*rd.found = n > 0
		}
		if _, err := results.Exec(); err != nil {
			return err
		}
		return results.Close()
	})
}

// pipeline runs fn on a pooled connection's pgx connection, for batches
// that hold their own BEGIN and COMMIT. If fn fails with the transaction
// still open (a statement failed, so the COMMIT was skipped, or the
// context ended), the transaction is rolled back before the connection
// goes back to the pool; a connection that cannot is discarded.
func (db *DB) pipeline(ctx context.Context, fn func(*pgx.Conn) error) error {
	conn, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("pipeline: driver connection of type %T is not pgx", driverConn)
		}
		err := fn(c.Conn())
		if pc := c.Conn().PgConn(); pc.TxStatus() != 'I' && !pc.IsClosed() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if _, rerr := c.Conn().Exec(rctx, "ROLLBACK"); rerr != nil {
				_ = c.Conn().Close(rctx) // the pool drops a closed connection
			}
		}
		return err
	})
}

// queryRow runs query (with ? placeholders) on db's pool through
// database/sql and returns its row. The hot path's single-row reads take
// this way rather than GORM, which would build, reflect over and log each
// one.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if db.dialect == Postgres {
		query = numberedOnce(query)
	}
	return db.sql.QueryRowContext(ctx, query, args...)
}

// numberedQueries caches numbered for the statements of the hot path's
// reads, which are a fixed set of constants: it then renumbers nothing.
var numberedQueries sync.Map // string → string

func numberedOnce(query string) string {
	if q, ok := numberedQueries.Load(query); ok {
		return q.(string)
	}
	q := numbered(query)
	numberedQueries.Store(query, q)
	return q
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

// The statements of a creation on PostgreSQL, sent as one batch.
const (
	insertRequestSQL = `INSERT INTO support_requests (reference, workspace_id, tenant_id, context_type, context_id,
	severity, summary, reproduction_notes, contact_name, contact_email, created_by, created_at, attachment_mode,
	context, context_digest) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`
	insertAuditSQL = `INSERT INTO audit_entries (id, workspace_id, tenant_id, actor_id, action, subject_type, subject_id,
	metadata, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	insertEventSQL = `INSERT INTO outbox_events (id, type, reference, workspace_id, occurred_at) VALUES ($1, $2, $3, $4, $5)`
	// A claim that was taken over matches no row; dividing by the count
	// then fails the statement, which aborts the whole batch's
	// transaction: the batch cannot look at a result before it commits.
	completeKeySQL = `WITH done AS (UPDATE idempotency_keys SET reference = $1
	WHERE user_id = $2 AND key = $3 AND created_at = $4 AND reference IS NULL RETURNING 1)
	SELECT 1 / (SELECT count(*) FROM done)`
)

// divisionByZero is the SQLSTATE completeKeySQL fails with.
const divisionByZero = "22012"

// createPipelined writes a creation — the request, its audit entry, its
// outbox event and the completion of its key's claim — in one round trip:
// BEGIN, the statements and COMMIT as one batch. Any failure aborts the
// transaction, so it is all or nothing as with createInTx.
func (db *DB) createPipelined(ctx context.Context, row requestRow, entry auditRow, event eventRow, key *ports.KeyCompletion) error {
	type step struct {
		what, sql string
		args      []any
	}
	steps := []step{
		{"begin", "BEGIN", nil},
		{"insert support request", insertRequestSQL, []any{row.Reference, row.WorkspaceID, row.TenantID, row.ContextType,
			row.ContextID, row.Severity, row.Summary, row.ReproductionNotes, row.ContactName, row.ContactEmail, row.CreatedBy,
			row.CreatedAt.Time, row.AttachmentMode, row.Context, row.ContextDigest}},
		{"insert audit entry " + entry.ID, insertAuditSQL, []any{entry.ID, entry.WorkspaceID, entry.TenantID, entry.ActorID,
			entry.Action, entry.SubjectType, entry.SubjectID, entry.Metadata, entry.OccurredAt.Time}},
		{"insert outbox event " + event.ID, insertEventSQL, []any{event.ID, event.Type, event.Reference, event.WorkspaceID,
			event.OccurredAt.Time}},
	}
	if key != nil {
		steps = append(steps, step{"complete idempotency key", completeKeySQL,
			[]any{row.Reference, key.UserID, key.Key, utc(key.ClaimedAt).Time}})
	}
	steps = append(steps, step{"commit", "COMMIT", nil})
	return db.pipeline(ctx, func(c *pgx.Conn) error {
		batch := &pgx.Batch{}
		for _, s := range steps {
			batch.Queue(s.sql, s.args...)
		}
		results := c.SendBatch(ctx, batch)
		defer results.Close()
		for _, s := range steps {
			_, err := results.Exec()
			var pgErr *pgconn.PgError
			switch {
			case err == nil:
			case s.sql == insertRequestSQL && isDuplicate(err):
				return errReferenceTaken(err)
			case errors.As(err, &pgErr) && pgErr.Code == divisionByZero:
				return errKeyTakenOver
			default:
				return fmt.Errorf("%s: %w", s.what, err)
			}
		}
		return results.Close()
	})
}
