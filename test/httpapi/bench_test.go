package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"supportdesk/adapters/gormstore"
	"supportdesk/core/support"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// BenchmarkPreview measures an envelope build — the use case's Preview:
// authorization, the snapshot and diagnostics reads, and the canonical
// envelope — for a tenant with 10 rows and one with 10,000 rows of each
// of runs, findings, reviews, reports and audit entries. The reads are
// LIMITed and indexed, so both should cost about the same.
//
//	SUPPORTDESK_TEST_POSTGRES_URL=… go test ./test/httpapi -run '^$' -bench Preview -count 5
func BenchmarkPreview(b *testing.B) {
	sizes := []int{10, 10_000}
	for _, e := range testdb.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			w := newWorld()
			ws := w.workspace("bench")
			owner, _ := w.user("owner")
			w.workspaceMember(ws, owner, "member")
			tenants := map[int]string{}
			for _, n := range sizes {
				tenants[n] = w.tenant(ws, fmt.Sprint("rows-", n))
				w.tenantMember(tenants[n], owner, "owner")
				w.fillTenant(ws, tenants[n], owner, n)
			}
			w.load(b, db)
			// Bring the tables to their steady state after the bulk load, as
			// autovacuum would soon after on PostgreSQL: planner statistics,
			// and the visibility map that index-only scans (the counts) need.
			settle := "ANALYZE"
			if db.Dialect() == gormstore.Postgres {
				settle = "VACUUM ANALYZE"
			}
			if err := db.Gorm().Exec(settle).Error; err != nil {
				b.Fatalf("%s: %v", settle, err)
			}
			s := newServer(b, db)
			ctx := context.Background()
			for _, n := range sizes {
				b.Run(fmt.Sprint("rows=", n), func(b *testing.B) {
					target := support.PrimaryContext{Type: support.ContextTenant, ID: tenants[n]}
					for b.Loop() {
						if _, err := s.desk.Preview(ctx, ports.Actor{ID: owner}, target); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkCreate measures one support-request creation over HTTP on a
// real listener — authentication, the rate limit, authorization, the
// envelope read and build, the write — for a profile of where a request's
// CPU goes:
//
//	SUPPORTDESK_TEST_POSTGRES_URL=… go test ./test/httpapi -run '^$' -bench Create -cpuprofile cpu.out
func BenchmarkCreate(b *testing.B) {
	for _, e := range testdb.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			w := newWorld()
			basic := newBasic(w)
			w.load(b, db)
			s := newServer(b, db) // no create limit
			url := s.base + "/v1/tenants/" + basic.tenant + "/support-requests"
			body := []byte(obj(sev, sum))
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			for b.Loop() {
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+basic.roles["owner"].token)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					b.Fatalf("status %d", res.StatusCode)
				}
			}
		})
	}
}
