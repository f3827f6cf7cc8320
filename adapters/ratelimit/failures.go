package ratelimit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"

	"supportdesk/ports"
)

// FailuresPerAddress throttles failed authentication per client address:
// each address has a bucket of perMinute failures, refilled evenly, and
// may not try again while it is empty. Successes cost nothing, and the
// bucket is the address's, not the account's, so guessing from one
// address never locks out the user whose token is guessed. It is safe for
// concurrent use.
type FailuresPerAddress struct {
	mu        sync.Mutex
	limit     rate.Limit
	burst     int
	addrs     map[string]*rate.Limiter
	lastSweep time.Time
	now       func() time.Time
}

var _ ports.AuthFailures = (*FailuresPerAddress)(nil)

// maxAddresses bounds the addresses tracked at once, so that failures from
// ever new addresses cannot grow memory without end. Beyond it, new
// addresses are not tracked until buckets refill and are swept.
const maxAddresses = 100_000

// NewFailures returns a FailuresPerAddress allowing perMinute failures a
// minute per address.
func NewFailures(perMinute int) *FailuresPerAddress {
	return &FailuresPerAddress{
		limit: rate.Limit(float64(perMinute) / 60),
		burst: perMinute,
		addrs: map[string]*rate.Limiter{},
		now:   time.Now,
	}
}

// Check implements ports.AuthFailures.
func (f *FailuresPerAddress) Check(addr string) (bool, time.Duration) {
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.addrs[addr]
	if !ok || l.TokensAt(now) >= 1 {
		return true, 0
	}
	r := l.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	r.CancelAt(now)
	return false, wait
}

// Failed implements ports.AuthFailures.
func (f *FailuresPerAddress) Failed(addr string) {
	now := f.now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if now.Sub(f.lastSweep) >= sweepEvery || len(f.addrs) >= maxAddresses {
		for a, l := range f.addrs {
			if l.TokensAt(now) >= float64(f.burst) {
				delete(f.addrs, a)
			}
		}
		f.lastSweep = now
	}
	l, ok := f.addrs[addr]
	if !ok {
		if len(f.addrs) >= maxAddresses {
			return
		}
		l = rate.NewLimiter(f.limit, f.burst)
		f.addrs[addr] = l
	}
	l.AllowN(now, 1)
}
