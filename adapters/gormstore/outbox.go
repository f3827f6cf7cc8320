package gormstore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"supportdesk/core/event"
	"supportdesk/core/reference"
	"supportdesk/ports"
)

// Outbox is the relay's side of outbox_events and deliveries. On
// PostgreSQL, relays of several processes claim rows with FOR UPDATE SKIP
// LOCKED, so they pass over each other's rows instead of waiting; SQLite
// serialises writers (immediate transactions), so the same statements
// without the locking clause are safe there.
type Outbox struct{ db *DB }

var _ ports.Outbox = (*Outbox)(nil)

// NewOutbox returns the relay's outbox over db.
func NewOutbox(db *DB) *Outbox { return &Outbox{db: db} }

// deliveryRow is the part of a row of deliveries a relay works with.
type deliveryRow struct {
	ID             string
	EventID        string
	Destination    string
	Attempts       int
	FirstAttemptAt *dbTime
}

// newDeliveryRow is a delivery as fan-out inserts it.
type newDeliveryRow struct {
	ID            string
	EventID       string
	Destination   string
	NextAttemptAt dbTime
	CreatedAt     dbTime `gorm:"autoCreateTime:false"`
}

func (newDeliveryRow) TableName() string { return "deliveries" }

// Each engine's locking clause of the claims; SQLite has none.
func (o *Outbox) skipLocked() string {
	if o.db.dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// FanOut implements ports.Outbox. The deliveries and the mark commit
// together, and a delivery that exists already (an earlier fan-out that
// could not mark its event) is left as it is.
func (o *Outbox) FanOut(ctx context.Context, now time.Time, destinations []string, limit int) (int, error) {
	n := 0
	err := o.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var ids []string
		if err := tx.Raw(`SELECT id FROM outbox_events WHERE fanned_out_at IS NULL
			ORDER BY occurred_at, id LIMIT ?`+o.skipLocked(), limit).Scan(&ids).Error; err != nil {
			return fmt.Errorf("select events to fan out: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		at := utc(now)
		rows := make([]newDeliveryRow, 0, len(ids)*len(destinations))
		for _, id := range ids {
			for _, dest := range destinations {
				rows = append(rows, newDeliveryRow{ID: uuid.NewString(), EventID: id, Destination: dest, NextAttemptAt: at, CreatedAt: at})
			}
		}
		if len(rows) > 0 {
			if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows).Error; err != nil {
				return fmt.Errorf("insert deliveries: %w", err)
			}
		}
		if err := tx.Exec(`UPDATE outbox_events SET fanned_out_at = ? WHERE id IN ?`, at, ids).Error; err != nil {
			return fmt.Errorf("mark events fanned out: %w", err)
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, toCoreError(fmt.Errorf("fan out outbox events: %w", err))
	}
	return n, nil
}

// Claim implements ports.Outbox with one UPDATE … RETURNING: the rows it
// leases are chosen and taken in the same statement.
func (o *Outbox) Claim(ctx context.Context, owner string, now, until time.Time, limit int) ([]ports.Delivery, error) {
	db := o.db.gorm.WithContext(ctx)
	var rows []deliveryRow
	err := db.Raw(`UPDATE deliveries SET lease_owner = ?, lease_until = ?
		WHERE id IN (SELECT id FROM deliveries
			WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= ?
			AND (lease_until IS NULL OR lease_until <= ?)
			ORDER BY next_attempt_at LIMIT ?`+o.skipLocked()+`)
		RETURNING id, event_id, destination, attempts, first_attempt_at`,
		owner, utc(until), utc(now), utc(now), limit).Scan(&rows).Error
	if err != nil {
		return nil, toCoreError(fmt.Errorf("claim deliveries: %w", err))
	}
	if len(rows) == 0 {
		return nil, nil
	}
	eventIDs := make([]string, 0, len(rows))
	for _, r := range rows {
		eventIDs = append(eventIDs, r.EventID)
	}
	var events []eventRow
	if err := db.Where("id IN ?", eventIDs).Find(&events).Error; err != nil {
		// The leases expire by themselves; nothing to undo.
		return nil, toCoreError(fmt.Errorf("read the events of claimed deliveries: %w", err))
	}
	byID := make(map[string]event.Event, len(events))
	for _, e := range events {
		byID[e.ID] = toCoreEvent(e)
	}
	out := make([]ports.Delivery, 0, len(rows))
	for _, r := range rows {
		out = append(out, ports.Delivery{
			ID: r.ID, Event: byID[r.EventID], Destination: r.Destination,
			Attempts: r.Attempts, FirstAttemptAt: timeOrNil(r.FirstAttemptAt),
		})
	}
	return out, nil
}

func toCoreEvent(e eventRow) event.Event {
	return event.Event{ID: e.ID, Type: e.Type, Reference: reference.Reference(e.Reference),
		WorkspaceID: e.WorkspaceID, OccurredAt: e.OccurredAt.Time}
}

// Record implements ports.Outbox. The lease owner and the attempt count
// fence the update: a relay whose lease expired and was taken over
// records nothing.
func (o *Outbox) Record(ctx context.Context, owner string, d ports.Delivery, out ports.Outcome) error {
	at := utc(out.At)
	var delivered, dead any
	next := at
	switch {
	case out.Delivered:
		delivered = at
	case out.Dead:
		dead = at
	default:
		next = utc(out.Next)
	}
	var status any
	if out.Status != 0 {
		status = out.Status
	}
	var lastError any
	if out.Error != "" {
		lastError = out.Error
	}
	res := o.db.gorm.WithContext(ctx).Exec(`UPDATE deliveries SET attempts = attempts + 1,
		first_attempt_at = COALESCE(first_attempt_at, ?), last_attempt_at = ?, next_attempt_at = ?,
		last_status = ?, last_error = ?, delivered_at = ?, dead_at = ?,
		lease_owner = NULL, lease_until = NULL
		WHERE id = ? AND lease_owner = ? AND attempts = ?`,
		at, at, next, status, lastError, delivered, dead, d.ID, owner, d.Attempts)
	if res.Error != nil {
		return toCoreError(fmt.Errorf("record attempt %d of delivery %s: %w", d.Attempts+1, d.ID, res.Error))
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("record attempt %d of delivery %s: %w", d.Attempts+1, d.ID, ports.ErrLeaseLost)
	}
	return nil
}

// Release implements ports.Outbox.
func (o *Outbox) Release(ctx context.Context, owner string) error {
	err := o.db.gorm.WithContext(ctx).Exec(`UPDATE deliveries SET lease_owner = NULL, lease_until = NULL
		WHERE lease_owner = ?`, owner).Error
	if err != nil {
		return toCoreError(fmt.Errorf("release the leases of %s: %w", owner, err))
	}
	return nil
}

// NextDue implements ports.Outbox: a leased delivery counts as due when
// its lease expires, since only then may another relay take it.
func (o *Outbox) NextDue(ctx context.Context) (time.Time, bool, error) {
	due := `max(next_attempt_at, COALESCE(lease_until, next_attempt_at))`
	if o.db.dialect == Postgres {
		due = `GREATEST(next_attempt_at, lease_until)`
	}
	var row struct{ Due *dbTime }
	err := o.db.gorm.WithContext(ctx).Raw(`SELECT min(` + due + `) AS due FROM deliveries
		WHERE delivered_at IS NULL AND dead_at IS NULL`).Scan(&row).Error
	if err != nil {
		return time.Time{}, false, toCoreError(fmt.Errorf("read when the next delivery is due: %w", err))
	}
	if row.Due == nil {
		return time.Time{}, false, nil
	}
	return row.Due.Time, true, nil
}
