package gormstore

import (
	"context"

	"supportdesk/ports"
)

// Schema is the database's schema as the ports see it.
type Schema struct{ db *DB }

var _ ports.Schema = (*Schema)(nil)

// NewSchema returns the schema of db.
func NewSchema(db *DB) *Schema { return &Schema{db: db} }

// Engine implements ports.Schema.
func (s *Schema) Engine() string { return string(s.db.Dialect()) }

// Migrate implements ports.Schema.
func (s *Schema) Migrate(ctx context.Context) error { return s.db.Migrate(ctx) }

// Migrations implements ports.Schema.
func (s *Schema) Migrations(ctx context.Context) ([]ports.Migration, error) {
	list, err := s.db.MigrationStatus(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ports.Migration, len(list))
	for i, m := range list {
		out[i] = ports.Migration{Version: m.Version, Name: m.Name, Applied: m.Applied, AppliedAt: m.AppliedAt}
	}
	return out, nil
}

// Migrated implements ports.Schema.
func (s *Schema) Migrated(ctx context.Context) (bool, error) { return s.db.Migrated(ctx) }
