package gormstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"supportdesk/core"
	"supportdesk/ports"
)

// Agents stores support agents: a users row each, marked in
// support_agents, with their workspaces in support_agent_workspaces.
type Agents struct{ db *DB }

var _ ports.Agents = (*Agents)(nil)

// NewAgents returns the agent store over db.
func NewAgents(db *DB) *Agents { return &Agents{db: db} }

type agentRow struct {
	UserID     string
	Name       string
	Email      string
	CreatedAt  dbTime
	DisabledAt *dbTime
}

const agentSQL = `SELECT a.user_id, u.name, u.email, a.created_at, a.disabled_at
FROM support_agents a JOIN users u ON u.id = a.user_id`

// Add implements ports.Agents in one transaction: the user, its mark and
// its workspaces.
func (s *Agents) Add(ctx context.Context, a ports.Agent) error {
	err := s.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var taken int64
		if err := tx.Raw(`SELECT count(*) FROM users WHERE lower(email) = lower(?)`, a.Email).Scan(&taken).Error; err != nil {
			return fmt.Errorf("look up email: %w", err)
		}
		if taken > 0 {
			return core.Errorf(core.KindConflict, "a user with email %s exists already", a.Email)
		}
		if len(a.Workspaces) > 0 {
			var known int64
			if err := tx.Raw(`SELECT count(*) FROM workspaces WHERE id IN ?`, a.Workspaces).Scan(&known).Error; err != nil {
				return fmt.Errorf("look up workspaces: %w", err)
			}
			if int(known) != len(a.Workspaces) {
				return core.Invalid(core.FieldError{Field: "workspace", Message: "names a workspace that does not exist"})
			}
		}
		if err := tx.Exec(`INSERT INTO users (id, name, email) VALUES (?, ?, ?)`, a.UserID, a.Name, a.Email).Error; err != nil {
			if isDuplicate(err) {
				return core.Wrap(core.KindConflict, err, "a user with this email exists already")
			}
			return fmt.Errorf("insert user: %w", err)
		}
		if err := tx.Exec(`INSERT INTO support_agents (user_id, created_at) VALUES (?, ?)`, a.UserID, utc(a.CreatedAt)).Error; err != nil {
			return fmt.Errorf("insert agent: %w", err)
		}
		for _, w := range a.Workspaces {
			if err := tx.Exec(`INSERT INTO support_agent_workspaces (user_id, workspace_id) VALUES (?, ?)`, a.UserID, w).Error; err != nil {
				return fmt.Errorf("insert agent workspace: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return toCoreError(fmt.Errorf("add agent %s: %w", a.Email, err))
	}
	return nil
}

// List implements ports.Agents.
func (s *Agents) List(ctx context.Context) ([]ports.Agent, error) {
	var rows []agentRow
	if err := s.db.gorm.WithContext(ctx).Raw(agentSQL + ` ORDER BY lower(u.email), u.id`).Scan(&rows).Error; err != nil {
		return nil, toCoreError(fmt.Errorf("list agents: %w", err))
	}
	var scopes []struct{ UserID, WorkspaceID string }
	if err := s.db.gorm.WithContext(ctx).Raw(`SELECT user_id, workspace_id FROM support_agent_workspaces ORDER BY workspace_id`).
		Scan(&scopes).Error; err != nil {
		return nil, toCoreError(fmt.Errorf("list agent workspaces: %w", err))
	}
	agents := make([]ports.Agent, len(rows))
	for i, r := range rows {
		agents[i] = toCoreAgent(r, nil)
		for _, sc := range scopes {
			if sc.UserID == r.UserID {
				agents[i].Workspaces = append(agents[i].Workspaces, sc.WorkspaceID)
			}
		}
	}
	return agents, nil
}

// ByUserID implements ports.Agents.
func (s *Agents) ByUserID(ctx context.Context, userID string) (ports.Agent, error) {
	if !core.IsUUID(userID) {
		return ports.Agent{}, core.Errorf(core.KindNotFound, "agent not found")
	}
	return s.one(ctx, ` WHERE a.user_id = ?`, userID)
}

// ByEmail implements ports.Agents.
func (s *Agents) ByEmail(ctx context.Context, email string) (ports.Agent, error) {
	return s.one(ctx, ` WHERE lower(u.email) = lower(?)`, email)
}

func (s *Agents) one(ctx context.Context, where string, arg string) (ports.Agent, error) {
	var row agentRow
	res := s.db.gorm.WithContext(ctx).Raw(agentSQL+where, arg).Scan(&row)
	if res.Error != nil {
		return ports.Agent{}, toCoreError(fmt.Errorf("read agent: %w", res.Error))
	}
	if res.RowsAffected == 0 {
		return ports.Agent{}, core.Errorf(core.KindNotFound, "agent not found")
	}
	var ws []string
	if err := s.db.gorm.WithContext(ctx).Raw(`SELECT workspace_id FROM support_agent_workspaces WHERE user_id = ? ORDER BY workspace_id`,
		row.UserID).Scan(&ws).Error; err != nil {
		return ports.Agent{}, toCoreError(fmt.Errorf("read agent workspaces: %w", err))
	}
	return toCoreAgent(row, ws), nil
}

// Disable implements ports.Agents.
func (s *Agents) Disable(ctx context.Context, email string, t time.Time) error {
	a, err := s.ByEmail(ctx, email)
	if err != nil {
		return err
	}
	err = s.db.gorm.WithContext(ctx).Exec(`UPDATE support_agents SET disabled_at = ? WHERE user_id = ? AND disabled_at IS NULL`,
		utc(t), a.UserID).Error
	if err != nil {
		return toCoreError(fmt.Errorf("disable agent %s: %w", email, err))
	}
	return nil
}

func toCoreAgent(r agentRow, workspaces []string) ports.Agent {
	return ports.Agent{
		UserID: r.UserID, Name: r.Name, Email: r.Email, Workspaces: slices.Clip(workspaces),
		CreatedAt: r.CreatedAt.Time, DisabledAt: timeOrNil(r.DisabledAt),
	}
}
