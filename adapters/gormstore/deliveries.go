package gormstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"supportdesk/core"
	"supportdesk/core/reference"
	"supportdesk/ports"
)

// Deliveries is the operator's view of deliveries: what the CLI lists and
// retries, and the figures of the metrics.
type Deliveries struct{ db *DB }

var (
	_ ports.Deliveries  = (*Deliveries)(nil)
	_ ports.DeliveryLog = (*Deliveries)(nil)
)

// NewDeliveries returns the operator's view of the deliveries over db.
func NewDeliveries(db *DB) *Deliveries { return &Deliveries{db: db} }

// deliveryListingRow is a delivery with its event's reference and, for a
// webhook, the endpoint's URL.
type deliveryListingRow struct {
	ID            string
	EventID       string
	Reference     string
	Destination   string
	WebhookURL    *string
	Attempts      int
	LastAttemptAt *dbTime
	NextAttemptAt dbTime
	DeliveredAt   *dbTime
	DeadAt        *dbTime
	LastError     *string
}

// deliveryListing selects deliveryListingRows; the webhooks join matches on text since
// a destination names the endpoint, and the table is small.
const deliveryListing = `SELECT d.id, d.event_id, e.reference, d.destination, w.url AS webhook_url, d.attempts,
	d.last_attempt_at, d.next_attempt_at, d.delivered_at, d.dead_at, d.last_error
	FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
	LEFT JOIN webhooks w ON d.destination = 'webhook:' || w.id`

func toDeliveryListing(r deliveryListingRow) ports.DeliveryListing {
	st := ports.DeliveryStatus{
		ID: r.ID, Destination: r.Destination, State: "pending", Attempts: r.Attempts,
		LastAttemptAt: timeOrNil(r.LastAttemptAt), DeliveredAt: timeOrNil(r.DeliveredAt),
		LastError: stringOrEmpty(r.LastError),
	}
	if r.WebhookURL != nil {
		st.Destination = "webhook " + *r.WebhookURL
	}
	switch {
	case r.DeliveredAt != nil:
		st.State = "delivered"
	case r.DeadAt != nil:
		st.State = "dead"
	default:
		next := r.NextAttemptAt.Time
		st.NextAttemptAt = &next
	}
	return ports.DeliveryListing{DeliveryStatus: st, EventID: r.EventID, Reference: r.Reference}
}

// ForReference implements ports.DeliveryLog.
func (s *Deliveries) ForReference(ctx context.Context, ref reference.Reference) ([]ports.DeliveryStatus, error) {
	var rows []deliveryListingRow
	if err := s.db.gorm.WithContext(ctx).Raw(deliveryListing+` WHERE e.reference = ? ORDER BY d.destination, d.id`, ref.String()).
		Scan(&rows).Error; err != nil {
		return nil, toCoreError(fmt.Errorf("list deliveries of %s: %w", ref, err))
	}
	out := make([]ports.DeliveryStatus, 0, len(rows))
	for _, r := range rows {
		out = append(out, toDeliveryListing(r).DeliveryStatus)
	}
	return out, nil
}

// List implements ports.Deliveries: newest first.
func (s *Deliveries) List(ctx context.Context, f ports.DeliveryFilter) ([]ports.DeliveryListing, error) {
	q, args := deliveryListing+` WHERE 1 = 1`, []any{}
	if f.Dead {
		q += ` AND d.dead_at IS NOT NULL`
	}
	if f.Reference != "" {
		q += ` AND e.reference = ?`
		args = append(args, f.Reference)
	}
	limit := ports.ListFilter{Limit: f.Limit}.EffectiveLimit()
	q += ` ORDER BY d.created_at DESC, d.id DESC LIMIT ?`
	args = append(args, limit)
	var rows []deliveryListingRow
	if err := s.db.gorm.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, toCoreError(fmt.Errorf("list deliveries: %w", err))
	}
	return toCore(rows, toDeliveryListing), nil
}

var errNoDelivery = core.Errorf(core.KindNotFound, "no such delivery (see `supportdesk deliveries list`)")

// Retry implements ports.Deliveries. A dead delivery starts its schedule
// again: attempts count from 0 and it dies MaxAge after the next one.
func (s *Deliveries) Retry(ctx context.Context, id string, now time.Time) error {
	if !core.IsUUID(id) {
		return errNoDelivery
	}
	err := s.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var row struct {
			DeliveredAt *dbTime
			DeadAt      *dbTime
		}
		err := tx.Raw(`SELECT delivered_at, dead_at FROM deliveries WHERE id = ?`, id).Take(&row).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			return errNoDelivery
		case err != nil:
			return err
		case row.DeliveredAt != nil:
			return core.Errorf(core.KindConflict, "delivery %s was delivered already", id)
		}
		update := `UPDATE deliveries SET next_attempt_at = ? WHERE id = ?`
		if row.DeadAt != nil {
			update = `UPDATE deliveries SET next_attempt_at = ?, dead_at = NULL, attempts = 0, first_attempt_at = NULL
				WHERE id = ?`
		}
		return tx.Exec(update, utc(now), id).Error
	})
	if err != nil {
		return toCoreError(fmt.Errorf("retry delivery %s: %w", id, err))
	}
	return nil
}

// Stats implements ports.Deliveries.
func (s *Deliveries) Stats(ctx context.Context) (ports.DeliveryStats, error) {
	db := s.db.gorm.WithContext(ctx)
	var events, pending struct {
		Oldest *dbTime
		N      int
	}
	var dead int
	err := db.Raw(`SELECT min(occurred_at) AS oldest, count(*) AS n FROM outbox_events WHERE fanned_out_at IS NULL`).Scan(&events).Error
	if err == nil {
		err = db.Raw(`SELECT min(e.occurred_at) AS oldest, count(*) AS n FROM deliveries d
			JOIN outbox_events e ON e.id = d.event_id WHERE d.delivered_at IS NULL AND d.dead_at IS NULL`).Scan(&pending).Error
	}
	if err == nil {
		err = db.Raw(`SELECT count(*) FROM deliveries WHERE dead_at IS NOT NULL`).Scan(&dead).Error
	}
	if err != nil {
		return ports.DeliveryStats{}, toCoreError(fmt.Errorf("read delivery figures: %w", err))
	}
	st := ports.DeliveryStats{Pending: events.N + pending.N, Dead: dead}
	for _, t := range []*dbTime{events.Oldest, pending.Oldest} {
		if t != nil && (st.OldestPending == nil || t.Before(*st.OldestPending)) {
			v := t.Time
			st.OldestPending = &v
		}
	}
	return st, nil
}
