package httpapi_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"supportdesk/core/reference"
	"supportdesk/core/support"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// BenchmarkNotFoundPaths times, through the use cases the API calls, the
// two ways each 404 can arise — the target exists but is not the caller's,
// or it does not exist — over 1,000 interleaved pairs, and reports the
// median of each. Equal medians are the point: a difference would tell a
// caller which references, tenants or runs exist.
//
//	go test ./test/httpapi -run '^$' -bench NotFoundPaths -benchtime 1x
func BenchmarkNotFoundPaths(b *testing.B) {
	const pairs = 1000
	for _, e := range testdb.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			db := e.Open(b)
			w := newWorld()
			mine, other := newBasic(w), newBasic(w)
			w.load(b, db)
			s := newServer(b, db)
			ctx := context.Background()
			owner := ports.Actor{ID: mine.roles["owner"].id}
			stranger := ports.Actor{ID: other.roles["owner"].id}
			req, err := s.desk.Submit(ctx, ports.Submission{Actor: owner, Channel: support.ChannelAPI,
				Target: support.PrimaryContext{Type: support.ContextTenant, ID: mine.tenant},
				Input:  support.Input{Severity: "high", Summary: "Sync fails"}})
			if err != nil {
				b.Fatal(err)
			}
			unknown, err := reference.NewGenerator().New(time.Now())
			if err != nil {
				b.Fatal(err)
			}
			paths := []struct {
				name           string
				exists, absent func() error
			}{
				{"reference",
					func() error { _, err := s.desk.Get(ctx, stranger, req.Reference()); return err },
					func() error { _, err := s.desk.Get(ctx, stranger, unknown); return err }},
				{"tenant",
					func() error { _, err := s.desk.Preview(ctx, stranger, tenantTarget(mine.tenant)); return err },
					func() error { _, err := s.desk.Preview(ctx, stranger, tenantTarget(uuid.NewString())); return err }},
				{"run",
					func() error { _, err := s.desk.Preview(ctx, stranger, runTarget(mine.run)); return err },
					func() error { _, err := s.desk.Preview(ctx, stranger, runTarget(uuid.NewString())); return err }},
			}
			for _, p := range paths {
				b.Run(p.name, func(b *testing.B) {
					for b.Loop() {
						exists, absent := make([]time.Duration, 0, pairs), make([]time.Duration, 0, pairs)
						for i := range pairs {
							first, second, fs, ss := p.exists, p.absent, &exists, &absent
							if i%2 == 1 { // alternate the order, so neither profits from a warm cache
								first, second, fs, ss = p.absent, p.exists, &absent, &exists
							}
							*fs = append(*fs, timed(b, first))
							*ss = append(*ss, timed(b, second))
						}
						b.ReportMetric(float64(median(exists).Nanoseconds()), "ns-exists-median")
						b.ReportMetric(float64(median(absent).Nanoseconds()), "ns-absent-median")
					}
				})
			}
		})
	}
}

func timed(b *testing.B, f func() error) time.Duration {
	start := time.Now()
	err := f()
	took := time.Since(start)
	if err == nil {
		b.Fatal("a 404 path found something")
	}
	return took
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

func tenantTarget(id string) support.PrimaryContext {
	return support.PrimaryContext{Type: support.ContextTenant, ID: id}
}

func runTarget(id string) support.PrimaryContext {
	return support.PrimaryContext{Type: support.ContextOperationRun, ID: id}
}
