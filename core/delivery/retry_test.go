package delivery

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 13)) }

func TestDefaultPolicyIsValidAndAsDocumented(t *testing.T) {
	p := DefaultPolicy
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if p.Base != time.Second || p.Cap != time.Hour || p.MaxAge != 24*time.Hour {
		t.Fatalf("DefaultPolicy = %+v, want 1s base, 1h cap, 24h max age", p)
	}
}

func TestValidateRefusesNonsense(t *testing.T) {
	for _, p := range []Policy{
		{},
		{Base: 0, Cap: time.Hour, MaxAge: time.Hour},
		{Base: -time.Second, Cap: time.Hour, MaxAge: time.Hour},
		{Base: time.Minute, Cap: time.Second, MaxAge: time.Hour},
		{Base: time.Second, Cap: time.Hour, MaxAge: 0},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", p)
		}
	}
}

func TestCeilingDoublesFromBaseUpToCap(t *testing.T) {
	p := DefaultPolicy
	want := []time.Duration{time.Second, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	for attempts, w := range want { // attempts 0 counts as 1
		if got := p.Ceiling(attempts); got != w {
			t.Errorf("Ceiling(%d) = %s, want %s", attempts, got, w)
		}
	}
	if got := p.Ceiling(12); got != 2048*time.Second {
		t.Errorf("Ceiling(12) = %s, want 2048s", got)
	}
	for _, attempts := range []int{13, 14, 64, 1000, math.MaxInt} {
		if got := p.Ceiling(attempts); got != time.Hour {
			t.Errorf("Ceiling(%d) = %s, want the 1h cap", attempts, got)
		}
	}
	// Doubling near the largest Duration must not wrap around.
	huge := Policy{Base: math.MaxInt64 / 3, Cap: math.MaxInt64, MaxAge: time.Hour}
	for _, attempts := range []int{2, 3, 70} {
		if got := huge.Ceiling(attempts); got < huge.Base {
			t.Errorf("huge.Ceiling(%d) = %d, wrapped below base", attempts, got)
		}
	}
}

func TestJitterStaysWithinBoundsAndFillsThem(t *testing.T) {
	p := DefaultPolicy
	r := seeded(1)
	for _, attempts := range []int{1, 2, 5, 12, 13, 40} {
		ceiling := p.Ceiling(attempts)
		lo, hi := ceiling, time.Duration(0)
		for range 5000 {
			d := p.Delay(attempts, r)
			if d < 0 || d > ceiling {
				t.Fatalf("Delay(%d) = %s, outside [0, %s]", attempts, d, ceiling)
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		// Full jitter spreads over the whole range, not near its top.
		if lo > ceiling/20 || hi < ceiling-ceiling/20 {
			t.Errorf("attempts %d: delays in [%s, %s], want them to span [0, %s]", attempts, lo, hi, ceiling)
		}
	}
}

func TestScheduleIsDeadAt24HoursAndNotBefore(t *testing.T) {
	p := DefaultPolicy
	first := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	deadline := first.Add(24 * time.Hour)
	for seed := range uint64(20) {
		r := seeded(seed)
		now, attempts := first, 1
		for {
			next, dead := p.Next(attempts, first, now, 0, r)
			if dead {
				break
			}
			if next.Before(now) || next.After(deadline) {
				t.Fatalf("seed %d attempt %d at %s: next %s outside [now, deadline]", seed, attempts, now, next)
			}
			if gap := next.Sub(now); gap > p.Ceiling(attempts) {
				t.Fatalf("seed %d attempt %d: waits %s, more than the ceiling %s", seed, attempts, gap, p.Ceiling(attempts))
			}
			now, attempts = next, attempts+1 // the fake clock jumps to the next attempt, which fails again
		}
		if !now.Equal(deadline) {
			t.Errorf("seed %d: dead after the attempt at %s, want the last attempt at the deadline %s", seed, now, deadline)
		}
		if attempts < 30 || attempts > 120 {
			t.Errorf("seed %d: %d attempts in 24 h, want some 60", seed, attempts)
		}
	}
}

func TestNextAroundTheDeadline(t *testing.T) {
	p := DefaultPolicy
	first := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	deadline := first.Add(p.MaxAge)
	r := seeded(7)

	if next, dead := p.Next(50, first, deadline.Add(-time.Nanosecond), 0, r); dead || next.After(deadline) {
		t.Errorf("1 ns before the deadline: next %s, dead %v; want one more attempt by the deadline", next, dead)
	}
	if next, dead := p.Next(50, first, deadline.Add(-p.Cap-time.Nanosecond), 0, r); dead || next.After(deadline) {
		t.Errorf("a cap before the deadline: next %s, dead %v", next, dead)
	}
	for _, now := range []time.Time{deadline, deadline.Add(time.Second), deadline.Add(48 * time.Hour)} {
		if _, dead := p.Next(50, first, now, 0, r); !dead {
			t.Errorf("attempt failed at %s (deadline %s): not dead", now, deadline)
		}
	}
}

func TestNextHonoursRetryAfterUpToTheCap(t *testing.T) {
	p := DefaultPolicy
	first := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := first.Add(time.Minute)
	r := seeded(3)

	next, dead := p.Next(1, first, now, 10*time.Minute, r)
	if dead || next.Before(now.Add(10*time.Minute)) || next.After(now.Add(10*time.Minute)) {
		t.Errorf("Retry-After 10m after attempt 1: next in %s, want 10m", next.Sub(now))
	}
	next, _ = p.Next(1, first, now, 5*time.Hour, r)
	if next.Sub(now) != p.Cap {
		t.Errorf("Retry-After 5h: next in %s, want the %s cap", next.Sub(now), p.Cap)
	}
	late := first.Add(p.MaxAge - time.Minute)
	if next, _ := p.Next(1, first, late, time.Hour, r); !next.Equal(first.Add(p.MaxAge)) {
		t.Errorf("Retry-After past the deadline: next %s, want the deadline", next)
	}
}
