package gormstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"supportdesk/core"
	"supportdesk/ports"
)

// Webhooks keeps the webhook endpoints in webhooks, their secrets sealed
// by the caller: this adapter never sees one in clear.
type Webhooks struct{ db *DB }

var _ ports.WebhookStore = (*Webhooks)(nil)

// NewWebhooks returns the webhook store over db.
func NewWebhooks(db *DB) *Webhooks { return &Webhooks{db: db} }

// webhookRow is a row of webhooks.
type webhookRow struct {
	ID             string `gorm:"primaryKey"`
	URL            string
	Secret         string
	PreviousSecret *string
	PreviousUntil  *dbTime
	AllowPrivate   bool
	CreatedAt      dbTime `gorm:"autoCreateTime:false"`
	RemovedAt      *dbTime
}

func (webhookRow) TableName() string { return "webhooks" }

func toWebhookRow(w ports.Webhook) webhookRow {
	row := webhookRow{ID: w.ID, URL: w.URL, Secret: w.Secret, AllowPrivate: w.AllowPrivate, CreatedAt: utc(w.CreatedAt)}
	if w.PreviousSecret != "" && w.PreviousUntil != nil {
		prev, until := w.PreviousSecret, utc(*w.PreviousUntil)
		row.PreviousSecret, row.PreviousUntil = &prev, &until
	}
	return row
}

func toCoreWebhook(r webhookRow) ports.Webhook {
	return ports.Webhook{
		ID: r.ID, URL: r.URL, AllowPrivate: r.AllowPrivate, Secret: r.Secret,
		PreviousSecret: stringOrEmpty(r.PreviousSecret), PreviousUntil: timeOrNil(r.PreviousUntil),
		CreatedAt: r.CreatedAt.Time,
	}
}

var errNoWebhook = core.Errorf(core.KindNotFound, "no such webhook (see `supportdesk webhook list`)")

// AddWebhook implements ports.WebhookStore.
func (s *Webhooks) AddWebhook(ctx context.Context, w ports.Webhook) error {
	row := toWebhookRow(w)
	if err := s.db.gorm.WithContext(ctx).Create(&row).Error; err != nil {
		return toCoreError(fmt.Errorf("add webhook: %w", err))
	}
	return nil
}

// Webhooks implements ports.WebhookStore.
func (s *Webhooks) Webhooks(ctx context.Context) ([]ports.Webhook, error) {
	var rows []webhookRow
	if err := s.db.gorm.WithContext(ctx).Where("removed_at IS NULL").Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, toCoreError(fmt.Errorf("list webhooks: %w", err))
	}
	return toCore(rows, toCoreWebhook), nil
}

// Webhook implements ports.WebhookStore.
func (s *Webhooks) Webhook(ctx context.Context, id string) (ports.Webhook, error) {
	if !core.IsUUID(id) {
		return ports.Webhook{}, errNoWebhook
	}
	var row webhookRow
	err := s.db.gorm.WithContext(ctx).Where("id = ? AND removed_at IS NULL", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ports.Webhook{}, errNoWebhook
	}
	if err != nil {
		return ports.Webhook{}, toCoreError(fmt.Errorf("get webhook %s: %w", id, err))
	}
	return toCoreWebhook(row), nil
}

// RemoveWebhook implements ports.WebhookStore.
func (s *Webhooks) RemoveWebhook(ctx context.Context, id string, at time.Time) error {
	if !core.IsUUID(id) {
		return errNoWebhook
	}
	res := s.db.gorm.WithContext(ctx).Exec(`UPDATE webhooks SET removed_at = ? WHERE id = ? AND removed_at IS NULL`, utc(at), id)
	if res.Error != nil {
		return toCoreError(fmt.Errorf("remove webhook %s: %w", id, res.Error))
	}
	if res.RowsAffected != 1 {
		return errNoWebhook
	}
	return nil
}

// RotateWebhook implements ports.WebhookStore. A rotation within the
// grace period of the last one drops the oldest secret: two sign at most.
func (s *Webhooks) RotateWebhook(ctx context.Context, id, secret string, until time.Time) error {
	if !core.IsUUID(id) {
		return errNoWebhook
	}
	res := s.db.gorm.WithContext(ctx).Exec(`UPDATE webhooks SET previous_secret = secret, previous_until = ?, secret = ?
		WHERE id = ? AND removed_at IS NULL`, utc(until), secret, id)
	if res.Error != nil {
		return toCoreError(fmt.Errorf("rotate webhook %s: %w", id, res.Error))
	}
	if res.RowsAffected != 1 {
		return errNoWebhook
	}
	return nil
}

// ResealWebhook implements ports.WebhookStore: one UPDATE that matches the
// sealed values it replaces, so a rotation in between is not undone.
func (s *Webhooks) ResealWebhook(ctx context.Context, old, resealed ports.Webhook) (bool, error) {
	if !core.IsUUID(old.ID) {
		return false, errNoWebhook
	}
	to := toWebhookRow(resealed)
	res := s.db.gorm.WithContext(ctx).Exec(`UPDATE webhooks SET secret = ?, previous_secret = ?
		WHERE id = ? AND removed_at IS NULL AND secret = ? AND COALESCE(previous_secret, '') = ?`,
		to.Secret, to.PreviousSecret, old.ID, old.Secret, old.PreviousSecret)
	if res.Error != nil {
		return false, toCoreError(fmt.Errorf("reseal webhook %s: %w", old.ID, res.Error))
	}
	return res.RowsAffected == 1, nil
}
