package httpapi_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/fx"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/envelope"
	"supportdesk/ports"
)

// slowQueries are queries that run far longer than any request may.
var slowQueries = map[gormstore.Dialect]string{
	gormstore.Postgres: `SELECT 1 FROM pg_sleep(30)`,
	// Counting to a billion takes minutes unless interrupted.
	gormstore.SQLite: `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) SELECT max(x) FROM c`,
}

// slowReader runs a slow query with the context the use case hands it
// before reading the snapshot, and reports how the query ended. It reads
// rows (Query, not Exec): both drivers must stop a statement at the
// deadline while its rows are being read, too.
type slowReader struct {
	next  ports.EnvelopeReader
	db    *gormstore.DB
	ended chan queryEnd
}

type queryEnd struct {
	took time.Duration
	err  error
}

func (r slowReader) ReadEnvelope(ctx context.Context, scope envelope.Scope, withBundle bool) (envelope.Snapshot, *envelope.Bundle, error) {
	start := time.Now()
	var n int64
	err := r.db.Gorm().WithContext(ctx).Raw(slowQueries[r.db.Dialect()]).Scan(&n).Error
	r.ended <- queryEnd{time.Since(start), err}
	if err != nil {
		return envelope.Snapshot{}, nil, err
	}
	return r.next.ReadEnvelope(ctx, scope, withBundle)
}

func TestRequestDeadlineReachesTheDatabase(t *testing.T) {
	const timeout = 500 * time.Millisecond
	for _, engine := range []string{string(gormstore.SQLite), string(gormstore.Postgres)} {
		t.Run(engine, func(t *testing.T) {
			ended := make(chan queryEnd, 1)
			cfg := serviceConfig(engineURL(t, engine))
			cfg.RequestTimeout = timeout
			svc := startService(t, cfg, fx.Decorate(func(next ports.EnvelopeReader, db *gormstore.DB) ports.EnvelopeReader {
				return slowReader{next: next, db: db, ended: ended}
			}))
			w := newWorld()
			b := newBasic(w)
			w.load(t, svc.db)

			start := time.Now()
			res := svc.post(t, "/v1/tenants/"+b.tenant+"/support-requests", b.roles["owner"].token, obj(sev, sum))
			took := time.Since(start)
			wantUnavailable(t, "create past its deadline", res)
			q := <-ended
			if q.err == nil || q.took > timeout+2*time.Second {
				t.Errorf("the slow query ended after %v with %v; want it cancelled at the %v deadline", q.took, q.err, timeout)
			}
			if took > timeout+2*time.Second {
				t.Errorf("the request took %v with a %v deadline", took, timeout)
			}
			if n := count(t, svc.db, "support_requests"); n != 0 {
				t.Errorf("%d requests stored", n)
			}
			t.Logf("answered after %v; the statement ended after %v: %v", took, q.took, q.err)
			if svc.db.Dialect() == gormstore.Postgres {
				// The server stops too: pgx sends a cancel request for a
				// statement whose context ended (asynchronously).
				deadline := time.Now().Add(5 * time.Second)
				for sleeping(t, svc.db) > 0 {
					if time.Now().After(deadline) {
						t.Fatal("pg_sleep still runs on the server 5 s after the deadline")
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
}

// sleeping counts the pg_sleep statements other sessions run on db.
func sleeping(t *testing.T, db *gormstore.DB) int64 {
	t.Helper()
	var n int64
	if err := db.Gorm().Raw(`SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}
