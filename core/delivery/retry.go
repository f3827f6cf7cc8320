package delivery

import (
	"math/rand/v2"
	"time"

	"supportdesk/core"
)

// Policy is the retry schedule of one delivery to one destination:
// exponential backoff with full jitter, capped, until the delivery is dead.
//
// After the n-th failed attempt (n ≥ 1) the next one waits a random time in
// [0, min(Cap, Base·2^(n-1))] — "full jitter" as AWS's architecture blog
// defines it, which spreads the retries of many deliveries that failed
// together (a receiver's outage) instead of sending them in waves. Attempts
// go on until MaxAge after the first one: the last attempt is made at
// first+MaxAge at the latest, and when an attempt made at or after that
// time fails the delivery is dead.
type Policy struct {
	// Base is the ceiling of the first retry's delay.
	Base time.Duration
	// Cap bounds every delay.
	Cap time.Duration
	// MaxAge is how long after the first attempt a delivery is retried.
	MaxAge time.Duration
}

// DefaultPolicy is the schedule of docs/delivery.md: a 1 s base, so a blip costs
// about a second; a 1 h cap, so a receiver that comes back after a long
// outage waits at most an hour (30 minutes on average) for its backlog;
// dead 24 h after the first attempt. That is about a dozen attempts in the
// first hour and some 60 in all.
var DefaultPolicy = Policy{Base: time.Second, Cap: time.Hour, MaxAge: 24 * time.Hour}

// Random is the source of jitter: *rand.Rand of math/rand/v2 (a seeded one
// in tests) or SystemRandom.
type Random interface {
	// Int64N returns a number in [0, n); n > 0.
	Int64N(n int64) int64
}

// SystemRandom draws jitter from math/rand/v2's global generator, which
// is safe for concurrent use. Jitter needs no cryptographic randomness.
var SystemRandom Random = systemRandom{}

type systemRandom struct{}

func (systemRandom) Int64N(n int64) int64 { return rand.Int64N(n) }

// Validate reports a KindInvalid error unless 0 < Base ≤ Cap and MaxAge > 0.
func (p Policy) Validate() error {
	if p.Base <= 0 || p.Cap < p.Base || p.MaxAge <= 0 {
		return core.Errorf(core.KindInvalid, "retry policy needs 0 < base ≤ cap and a positive max age (got base %s, cap %s, max age %s)",
			p.Base, p.Cap, p.MaxAge)
	}
	return nil
}

// Ceiling returns the largest delay after the given number of failed
// attempts: min(Cap, Base·2^(attempts-1)), without overflow for any count.
// A count below 1 is taken as 1.
func (p Policy) Ceiling(attempts int) time.Duration {
	d := p.Base
	for i := 1; i < attempts && d < p.Cap; i++ {
		// The loop stops once d reaches Cap, so it runs at most ~63
		// times; doubling past the largest Duration wraps negative.
		d *= 2
		if d <= 0 {
			return p.Cap
		}
	}
	return min(d, p.Cap)
}

// Delay returns a delay drawn uniformly from [0, Ceiling(attempts)].
func (p Policy) Delay(attempts int, r Random) time.Duration {
	return time.Duration(r.Int64N(int64(p.Ceiling(attempts)) + 1))
}

// Next decides what follows the failed attempt number attempts (1 for the
// first) of a delivery first tried at first, failed at now. dead is true
// when now is at or after first+MaxAge: that was the last attempt.
// Otherwise next is now plus a jittered Delay — at least retryAfter (the
// receiver's Retry-After, 0 if none) but never more than Cap — and never
// later than first+MaxAge, so the last attempt falls on the deadline.
func (p Policy) Next(attempts int, first, now time.Time, retryAfter time.Duration, r Random) (next time.Time, dead bool) {
	deadline := first.Add(p.MaxAge)
	if !now.Before(deadline) {
		return time.Time{}, true
	}
	delay := max(p.Delay(attempts, r), min(retryAfter, p.Cap))
	next = now.Add(delay)
	if next.After(deadline) {
		next = deadline
	}
	return next, false
}
