// Package ratelimit bounds create attempts per user with a token bucket
// for each (golang.org/x/time/rate), held in this process's memory: the
// limiter of a SQLite database, which one process owns. Several processes
// on one PostgreSQL database share gormstore.RateLimiter instead.
package ratelimit

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"supportdesk/ports"
)

// PerUser allows each user perMinute attempts a minute, all of them at once
// if they have been saved up: a bucket of perMinute tokens, refilled evenly.
// It is safe for concurrent use.
type PerUser struct {
	mu        sync.Mutex
	limit     rate.Limit
	burst     int
	users     map[string]*rate.Limiter
	lastSweep time.Time
}

var _ ports.RateLimiter = (*PerUser)(nil)

// New returns a PerUser limiter of perMinute attempts a minute.
func New(perMinute int) *PerUser {
	return &PerUser{
		limit: rate.Limit(float64(perMinute) / 60),
		burst: perMinute,
		users: map[string]*rate.Limiter{},
	}
}

// sweepEvery is how often buckets that are full again — users idle long
// enough to have their whole allowance back — are dropped, so memory
// follows active users, not every user ever seen.
const sweepEvery = time.Minute

// Allow implements ports.RateLimiter.
func (p *PerUser) Allow(_ context.Context, userID string, now time.Time) (bool, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now.Sub(p.lastSweep) >= sweepEvery {
		for id, l := range p.users {
			if l.TokensAt(now) >= float64(p.burst) {
				delete(p.users, id)
			}
		}
		p.lastSweep = now
	}
	l, ok := p.users[userID]
	if !ok {
		l = rate.NewLimiter(p.limit, p.burst)
		p.users[userID] = l
	}
	if l.AllowN(now, 1) {
		return true, 0
	}
	r := l.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return false, wait
}
