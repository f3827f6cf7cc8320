package gormstore_test

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"supportdesk/adapters/gormstore"
	"supportdesk/test/testdb"
)

// instances opens n pools on one fresh PostgreSQL database, as n serve
// processes would, each with a limiter of perMinute attempts a minute.
func instances(t testing.TB, n, perMinute int) []*gormstore.RateLimiter {
	t.Helper()
	url := testdb.PostgresURL(t)
	out := make([]*gormstore.RateLimiter, n)
	for i := range out {
		db, err := gormstore.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		out[i] = gormstore.NewRateLimiter(db, perMinute, slog.New(slog.DiscardHandler))
	}
	return out
}

// Two instances take from one allowance per user: 5 a minute is 5 in all,
// then a refusal that says when the next one fits, at most the emission
// interval (12 s) away; a refusal takes nothing, and the allowance
// refills with time.
func TestRateLimiterIsSharedAcrossInstances(t *testing.T) {
	l := instances(t, 2, 5)
	ctx := context.Background()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	const emission = 12 * time.Second
	for i := range 5 {
		if ok, _ := l[i%2].Allow(ctx, "ada", now); !ok {
			t.Fatalf("attempt %d refused, want 5 allowed across both instances", i+1)
		}
	}
	var wait time.Duration
	for _, inst := range l {
		ok, w := inst.Allow(ctx, "ada", now)
		if ok || w <= 0 || w > emission {
			t.Fatalf("sixth attempt: ok %v, Retry-After %v; want refused, within (0, %v]", ok, w, emission)
		}
		wait = w
	}
	if ok, _ := l[1].Allow(ctx, "bob", now); !ok {
		t.Fatal("another user was limited")
	}

	// Refused attempts, however many, leave the allowance as it was: one
	// Retry-After later exactly one more fits, on either instance.
	for range 10 {
		if ok, w := l[0].Allow(ctx, "ada", now.Add(wait/2)); ok || w != wait/2 {
			t.Fatalf("halfway through the wait: ok %v, Retry-After %v; want refused, %v", ok, w, wait/2)
		}
	}
	now = now.Add(wait)
	if ok, _ := l[1].Allow(ctx, "ada", now); !ok {
		t.Fatalf("attempt after Retry-After %v refused", wait)
	}
	if ok, w := l[0].Allow(ctx, "ada", now); ok || w != emission {
		t.Fatalf("second attempt right after: ok %v, Retry-After %v; want refused for %v", ok, w, emission)
	}

	// A minute idle gives the whole allowance back, and no more.
	now = now.Add(time.Minute)
	for i := range 5 {
		if ok, _ := l[i%2].Allow(ctx, "ada", now); !ok {
			t.Fatalf("after a minute idle, attempt %d refused", i+1)
		}
	}
	if ok, _ := l[0].Allow(ctx, "ada", now); ok {
		t.Fatal("after a minute idle, a sixth attempt was allowed")
	}
}

// Twenty attempts of one user at once, from two instances, let exactly
// the limit through: the row lock orders them.
func TestRateLimiterConcurrentAttempts(t *testing.T) {
	l := instances(t, 2, 5)
	ctx := context.Background()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	var allowed atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			<-start
			if ok, w := l[i%2].Allow(ctx, "ada", now); ok {
				allowed.Add(1)
			} else if w <= 0 || w > 12*time.Second {
				t.Errorf("refused with Retry-After %v, want within (0, 12s]", w)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := allowed.Load(); n != 5 {
		t.Fatalf("%d of 20 concurrent attempts allowed, want 5", n)
	}
}

// A limit that does not divide a minute into whole microseconds still
// allows exactly that many at once.
func TestRateLimiterUnevenLimit(t *testing.T) {
	l := instances(t, 1, 7)[0]
	ctx := context.Background()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range 7 {
		if ok, _ := l.Allow(ctx, "ada", now); !ok {
			t.Fatalf("attempt %d of 7 refused", i+1)
		}
	}
	if ok, w := l.Allow(ctx, "ada", now); ok || w <= 0 || w > time.Minute/7 {
		t.Fatalf("eighth attempt: ok %v, Retry-After %v", ok, w)
	}
}

// When the store fails the attempt goes on, and each failure is logged
// once.
func TestRateLimiterFailsOpen(t *testing.T) {
	db := testdb.Postgres(t)
	var logs bytes.Buffer
	l := gormstore.NewRateLimiter(db, 1, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if ok, _ := l.Allow(ctx, "ada", now); !ok {
		t.Fatal("first attempt refused")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if ok, w := l.Allow(ctx, "ada", now); !ok || w != 0 {
			t.Fatalf("attempt %d with the store closed: ok %v, Retry-After %v; want allowed", i+1, ok, w)
		}
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines for 3 failures, want 3:\n%s", len(lines), logs.String())
	}
	for _, line := range lines {
		if !strings.Contains(line, "level=WARN") || !strings.Contains(line, "create rate limit unavailable") ||
			!strings.Contains(line, "database is closed") {
			t.Errorf("log line %q, want a warning naming the failure", line)
		}
	}
}

// BenchmarkRateLimiter measures one allowed attempt: one statement, one
// round trip.
func BenchmarkRateLimiter(b *testing.B) {
	l := instances(b, 1, 30)[0]
	ctx := context.Background()
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for b.Loop() {
		now = now.Add(2 * time.Second) // one emission interval: always allowed
		if ok, _ := l.Allow(ctx, "ada", now); !ok {
			b.Fatal("refused")
		}
	}
}

// BenchmarkRateLimiterParallel measures attempts of many users at once,
// as a loaded server makes them.
func BenchmarkRateLimiterParallel(b *testing.B) {
	l := instances(b, 1, 30)[0]
	ctx := context.Background()
	var users atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		user := "user-" + strconv.FormatInt(users.Add(1), 10)
		now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		for pb.Next() {
			now = now.Add(2 * time.Second)
			if ok, _ := l.Allow(ctx, user, now); !ok {
				b.Error("refused")
				return
			}
		}
	})
}
