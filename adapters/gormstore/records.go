package gormstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"supportdesk/core"
	"supportdesk/core/credential"
	"supportdesk/core/platform"
	"supportdesk/ports"
)

// Records imports the platform's records.
type Records struct{ db *DB }

var _ ports.RecordImporter = (*Records)(nil)

// NewRecords returns the record importer over db.
func NewRecords(db *DB) *Records { return &Records{db: db} }

// batchRows returns the rows of one multi-row INSERT (and the keys of one
// existence check) on dialect d. The SQLite driver finds each parameter by
// a linear search over the arguments, so there a statement costs the
// square of its parameters: 100 rows (at most 1,000 parameters) measured
// fastest. PostgreSQL gains from fewer round trips; 1,000 rows of at most
// 10 columns stay far below its 65,535 parameters.
func batchRows(d Dialect) int {
	if d == SQLite {
		return 100
	}
	return 1000
}

// Import implements ports.RecordImporter. API tokens are stored as their
// credential.Hash only, created at the time of the import.
func (s *Records) Import(ctx context.Context, r *platform.Records) (platform.Counts, error) {
	batch := batchRows(s.db.Dialect())
	err := s.db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		it := &importTx{tx: tx, batch: batch}
		if err := it.refuseExisting(r); err != nil {
			return err
		}
		return it.insertAll(r, core.StoredTime(time.Now()))
	})
	switch {
	case err == nil:
		return r.Counts(), nil
	case core.KindOf(err) == core.KindInvalid:
		return platform.Counts{}, err
	case isDuplicate(err):
		return platform.Counts{}, core.Wrap(core.KindConflict, err,
			"the import collided with records written at the same time; nothing was written")
	}
	if err := toCoreError(err); core.KindOf(err) == core.KindUnavailable {
		return platform.Counts{}, err
	}
	return platform.Counts{}, core.Wrap(core.KindInternal, err, "the import failed; nothing was written")
}

// HasWorkspace implements ports.RecordImporter.
func (s *Records) HasWorkspace(ctx context.Context, id string) (bool, error) {
	var n int64
	if err := s.db.gorm.WithContext(ctx).Table("workspaces").Where("id = ?", id).Count(&n).Error; err != nil {
		return false, toCoreError(fmt.Errorf("look for workspace %s: %w", id, err))
	}
	return n > 0, nil
}

// importTx is one import's transaction.
type importTx struct {
	tx    *gorm.DB
	batch int // rows per statement, keys per query
}

// fieldError names the field of a record that cannot be imported, as the
// fixture parser names its problems: path such as "tenants[0].id".
func fieldError(path, msg string) *core.Error {
	return &core.Error{Kind: core.KindInvalid, Message: path + ": " + msg, Fields: []core.FieldError{{Field: path, Message: msg}}}
}

// refuseExisting refuses the first record, in file order, whose key is
// already taken in the database. Memberships need no check: they join
// records of the same import, whose ids are checked to be new.
func (it *importTx) refuseExisting(r *platform.Records) error {
	ids := func(n int, id func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id(i)
		}
		return out
	}
	userKeys, err := it.userKeysTaken(r.Users)
	if err != nil {
		return err
	}
	checks := []struct {
		array, what string // what: "a workspace"
		ids         []string
		more        func(i int) error // further keys of record i
	}{
		{"workspaces", "a workspace", ids(len(r.Workspaces), func(i int) string { return r.Workspaces[i].ID }), nil},
		{"users", "a user", ids(len(r.Users), func(i int) string { return r.Users[i].ID }), userKeys},
		{"tenants", "a tenant", ids(len(r.Tenants), func(i int) string { return r.Tenants[i].ID }), nil},
		{"provider_connections", "a provider connection", ids(len(r.ProviderConnections), func(i int) string { return r.ProviderConnections[i].ID }), nil},
		{"operation_runs", "an operation run", ids(len(r.OperationRuns), func(i int) string { return r.OperationRuns[i].ID }), nil},
		{"findings", "a finding", ids(len(r.Findings), func(i int) string { return r.Findings[i].ID }), nil},
		{"reviews", "a review", ids(len(r.Reviews), func(i int) string { return r.Reviews[i].ID }), nil},
		{"reports", "a report", ids(len(r.Reports), func(i int) string { return r.Reports[i].ID }), nil},
		{"audit_entries", "an audit entry", ids(len(r.AuditEntries), func(i int) string { return r.AuditEntries[i].ID }), nil},
	}
	for _, c := range checks {
		// Each array's table is named like the array.
		taken, err := it.existing("SELECT id FROM "+c.array+" WHERE id IN ?", c.ids)
		if err != nil {
			return err
		}
		for i, id := range c.ids {
			if taken[id] {
				return fieldError(fmt.Sprintf("%s[%d].id", c.array, i), fmt.Sprintf("%s with id %q already exists", c.what, id))
			}
			if c.more == nil {
				continue
			}
			if err := c.more(i); err != nil {
				return err
			}
		}
	}
	return nil
}

// userKeysTaken looks up the users' emails (regardless of case) and token
// hashes, and returns the check of user i's.
func (it *importTx) userKeysTaken(users []platform.User) (func(i int) error, error) {
	emails := make([]string, len(users))
	var hashes []string
	for i, u := range users {
		emails[i] = strings.ToLower(u.Email)
		for _, t := range u.Tokens {
			hashes = append(hashes, credential.Hash(t))
		}
	}
	takenEmails, err := it.existing("SELECT lower(email) FROM users WHERE lower(email) IN ?", emails)
	if err != nil {
		return nil, err
	}
	takenTokens, err := it.existing("SELECT token_hash FROM api_tokens WHERE token_hash IN ?", hashes)
	if err != nil {
		return nil, err
	}
	return func(i int) error {
		if takenEmails[emails[i]] {
			return fieldError(fmt.Sprintf("users[%d].email", i), fmt.Sprintf("a user with email %q already exists", quoted(users[i].Email)))
		}
		for j, t := range users[i].Tokens {
			if takenTokens[credential.Hash(t)] {
				return fieldError(fmt.Sprintf("users[%d].tokens[%d]", i, j), "this token already belongs to a user")
			}
		}
		return nil
	}, nil
}

// quoted cuts a value for a one-line message; %q quotes it.
func quoted(s string) string {
	const limit = 64
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}

// existing returns which of keys the query (with one "IN ?") finds.
func (it *importTx) existing(query string, keys []string) (map[string]bool, error) {
	found := map[string]bool{}
	for start := 0; start < len(keys); start += it.batch {
		var out []string
		if err := it.tx.Raw(query, keys[start:min(start+it.batch, len(keys))]).Scan(&out).Error; err != nil {
			return nil, err
		}
		for _, k := range out {
			found[k] = true
		}
	}
	return found, nil
}

// table is how one kind of record is written: its table, its columns and
// the column values of record i of n.
type table struct {
	name    string
	columns []string
	n       int
	values  func(i int) []any
}

// insertAll writes r's records parents first, so that foreign keys hold
// at every statement; each table's columns are listed where it is written.
func (it *importTx) insertAll(r *platform.Records, now time.Time) error {
	type token struct{ hash, userID string }
	var tokens []token
	for _, u := range r.Users {
		for _, t := range u.Tokens {
			tokens = append(tokens, token{credential.Hash(t), u.ID})
		}
	}
	tables := []table{
		{"workspaces", []string{"id", "name"}, len(r.Workspaces), func(i int) []any {
			w := r.Workspaces[i]
			return []any{w.ID, w.Name}
		}},
		{"users", []string{"id", "name", "email"}, len(r.Users), func(i int) []any {
			u := r.Users[i]
			return []any{u.ID, u.Name, u.Email}
		}},
		{"api_tokens", []string{"token_hash", "user_id", "created_at"}, len(tokens), func(i int) []any {
			return []any{tokens[i].hash, tokens[i].userID, utc(now)}
		}},
		{"workspace_memberships", []string{"workspace_id", "user_id", "role"}, len(r.WorkspaceMemberships), func(i int) []any {
			m := r.WorkspaceMemberships[i]
			return []any{m.WorkspaceID, m.UserID, m.Role}
		}},
		{"tenants", []string{"id", "workspace_id", "name", "external_id", "status"}, len(r.Tenants), func(i int) []any {
			t := r.Tenants[i]
			return []any{t.ID, t.WorkspaceID, t.Name, t.ExternalID, t.Status}
		}},
		{"tenant_memberships", []string{"tenant_id", "user_id", "role"}, len(r.TenantMemberships), func(i int) []any {
			m := r.TenantMemberships[i]
			return []any{m.TenantID, m.UserID, m.Role}
		}},
		{"provider_connections", []string{"id", "tenant_id", "provider", "status", "consent_state", "last_checked_at",
			"last_error_code", "last_error_message", "raw_payload"}, len(r.ProviderConnections), func(i int) []any {
			c := r.ProviderConnections[i]
			return []any{c.ID, c.TenantID, c.Provider, c.Status, c.ConsentState, utcOrNil(c.LastCheckedAt),
				c.LastErrorCode, c.LastErrorMessage, jsonText(c.RawPayload)}
		}},
		{"operation_runs", []string{"id", "tenant_id", "type", "status", "outcome", "started_at", "completed_at",
			"failure_code", "failure_message", "raw_payload"}, len(r.OperationRuns), func(i int) []any {
			o := r.OperationRuns[i]
			return []any{o.ID, o.TenantID, o.Type, o.Status, nullable(o.Outcome), utc(o.StartedAt), utcOrNil(o.CompletedAt),
				o.FailureCode, o.FailureMessage, jsonText(o.RawPayload)}
		}},
		{"findings", []string{"id", "tenant_id", "severity", "status", "title", "detected_at"}, len(r.Findings), func(i int) []any {
			f := r.Findings[i]
			return []any{f.ID, f.TenantID, f.Severity, f.Status, f.Title, utc(f.DetectedAt)}
		}},
		{"reviews", []string{"id", "tenant_id", "status", "title", "due_at"}, len(r.Reviews), func(i int) []any {
			v := r.Reviews[i]
			return []any{v.ID, v.TenantID, v.Status, v.Title, utc(v.DueAt)}
		}},
		{"reports", []string{"id", "tenant_id", "kind", "status", "generated_at"}, len(r.Reports), func(i int) []any {
			p := r.Reports[i]
			return []any{p.ID, p.TenantID, p.Kind, p.Status, utc(p.GeneratedAt)}
		}},
		{"audit_entries", []string{"id", "workspace_id", "tenant_id", "actor_id", "action", "subject_type", "subject_id",
			"metadata", "occurred_at"}, len(r.AuditEntries), func(i int) []any {
			a := r.AuditEntries[i]
			return []any{a.ID, a.WorkspaceID, nullable(a.TenantID), a.ActorID, a.Action, a.SubjectType, a.SubjectID,
				jsonText(a.Metadata), utc(a.OccurredAt)}
		}},
	}
	for _, t := range tables {
		if err := it.insert(t); err != nil {
			return err
		}
	}
	return nil
}

// insert writes the rows of t in multi-row INSERTs of it.batch rows.
func (it *importTx) insert(t table) error {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.columns)), ", ") + ")"
	head := "INSERT INTO " + t.name + " (" + strings.Join(t.columns, ", ") + ") VALUES "
	for start := 0; start < t.n; start += it.batch {
		end := min(start+it.batch, t.n)
		rows := make([]string, 0, end-start)
		args := make([]any, 0, (end-start)*len(t.columns))
		for i := start; i < end; i++ {
			rows = append(rows, row)
			args = append(args, t.values(i)...)
		}
		if err := it.tx.Exec(head+strings.Join(rows, ", "), args...).Error; err != nil {
			return fmt.Errorf("insert %s: %w", t.name, err)
		}
	}
	return nil
}

// jsonText is the column value of an opaque JSON object: its bytes, or
// the column default {} when there are none.
func jsonText(v json.RawMessage) string {
	if v == nil {
		return "{}"
	}
	return string(v)
}

// nullable maps "" (none) to NULL.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// utcOrNil is utc for an optional time: nil is NULL.
func utcOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return utc(*t)
}
