package usecase

import (
	"context"
	"time"
	"unicode/utf8"

	"supportdesk/core"
	"supportdesk/core/canon"
	"supportdesk/core/support"
	"supportdesk/core/text"
	"supportdesk/ports"
)

// Idempotency-Key rules (docs/api.md, IETF httpapi-idempotency-key-header).
const (
	// MaxIdempotencyKey is the longest key accepted, in characters.
	MaxIdempotencyKey = 255
	// IdempotencyTTL is how long a key replays its first result.
	IdempotencyTTL = 24 * time.Hour
	// AbandonedAfter is the lease of an in-flight claim: unfinished for
	// longer, it is taken to belong to a server that died, and a retry may
	// take it over (docs/api.md: within 30 seconds). It is well above the
	// default request deadline; a claim taken over from a holder that is
	// somehow still working cannot be completed by it (the completion names
	// the claim), so no key ever makes two requests.
	AbandonedAfter = 30 * time.Second
)

// checkIdempotencyKey validates a key's form: printable characters (the
// rule of every text field, without tabs) and at most MaxIdempotencyKey
// of them.
func checkIdempotencyKey(key string) error {
	if text.Check(key, text.Key) != text.OK || utf8.RuneCountInString(key) > MaxIdempotencyKey {
		return core.Invalid(core.FieldError{Field: "Idempotency-Key",
			Message: "must be 1 to 255 printable characters"})
	}
	return nil
}

// fingerprint identifies a submission: its target and its input exactly as
// received, so that the same body replays and any change is refused.
func fingerprint(s ports.Submission) string {
	doc := map[string]any{
		"target_type":        string(s.Target.Type),
		"target_id":          s.Target.ID,
		"severity":           s.Input.Severity,
		"summary":            s.Input.Summary,
		"reproduction_notes": s.Input.ReproductionNotes,
		"contact_name":       s.Input.ContactName,
		"contact_email":      s.Input.ContactEmail,
	}
	b, _ := canon.Marshal(doc) // strings only: cannot fail
	return canon.Digest(b)
}

// claim takes the submission's key. It returns the earlier request when the
// key replays one, or the time of the new claim.
func (s *Service) claim(ctx context.Context, sub ports.Submission, now time.Time) (*support.Request, time.Time, error) {
	rec := ports.IdempotencyRecord{Fingerprint: fingerprint(sub), CreatedAt: now, ExpiresAt: now.Add(IdempotencyTTL)}
	held, fresh, err := s.idempotency.Claim(ctx, sub.Actor.ID, sub.IdempotencyKey, rec, now.Add(-AbandonedAfter))
	if err != nil {
		return nil, time.Time{}, err
	}
	switch {
	case fresh:
		return nil, held.CreatedAt, nil
	case held.Fingerprint != rec.Fingerprint:
		return nil, time.Time{}, core.Invalid(core.FieldError{Field: "Idempotency-Key",
			Message: "was already used with a different request; use a new key"})
	case held.Reference == "":
		e := core.Errorf(core.KindConflict, "a request with this Idempotency-Key is still being processed; retry later")
		// Retry when the holder should have answered, or its lease ended.
		e.RetryAfter = max(held.CreatedAt.Add(AbandonedAfter).Sub(now), time.Second)
		return nil, time.Time{}, e
	}
	req, err := s.requests.Get(ctx, held.Reference)
	if err != nil {
		return nil, time.Time{}, err
	}
	return req, time.Time{}, nil
}
