package gormstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"supportdesk/adapters/gormstore"
	"supportdesk/ports"
	"supportdesk/test/testdb"
)

// TestReadsUseTheirIndexes checks the plan of every snapshot and
// diagnostics read: each must walk the index of the migrations made for it
// (so it stops at its LIMIT), and none may sort. A query whose text drifts
// from a partial index's predicate (the audit excerpt's escaped LIKE, the
// failed runs' outcome) silently loses its index; this test catches that.
//
// PostgreSQL's choice depends on statistics, and on a table this small it
// rightly prefers scanning and sorting; there, sequential and bitmap scans
// and sorts are disabled for the check, so what it verifies is that the
// index can serve the query in order. The plans on 100k rows per tenant,
// with statistics, are the same.
func TestReadsUseTheirIndexes(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			s := newSeeder(t, db)
			ws := s.workspace()
			actor, tenant := s.user(), s.tenant(ws)
			runID := uuid.NewString()
			s.inTx(func(s seeder) {
				for i := range 50 {
					s.run(run{ID: uuid.NewString(), TenantID: tenant, Type: "sync", Status: "completed", Outcome: ptr("failed"), StartedAt: at(i)})
					s.audit(ws, tenant, actor, uuid.NewString(), "support_request.created", at(i))
				}
				s.run(run{ID: runID, TenantID: tenant, Type: "sync", Status: "running", StartedAt: at(99)})
			})

			want := map[string]struct {
				args  []any
				index string
			}{
				"tenant":              {[]any{tenant}, "tenants"},
				"run":                 {[]any{runID, tenant}, "operation_runs"},
				"latest connection":   {[]any{tenant}, "provider_connections_tenant_checked"},
				"recent runs":         {[]any{tenant, 5}, "operation_runs_tenant_started"},
				"failed runs":         {[]any{tenant, 5}, "operation_runs_tenant_failed"},
				"outcome counts":      {[]any{tenant, 50}, "operation_runs_tenant_started"},
				"open findings":       {[]any{tenant, 5}, "findings_tenant_status_detected"},
				"open finding counts": {[]any{tenant}, "findings_tenant_status_severity"},
				"reviews":             {[]any{tenant, 5}, "reviews_tenant_due"},
				"open review counts":  {[]any{tenant}, "reviews_tenant_status"},
				"reports":             {[]any{tenant, 5}, "reports_tenant_generated"},
				"audit excerpt":       {[]any{tenant, 10}, "audit_entries_tenant_excerpt"},
			}
			statements := gormstore.ReadStatements(gormstore.Dialect(e.Name))
			if len(statements) != len(want) {
				t.Fatalf("%d read statements, the test knows %d", len(statements), len(want))
			}
			for name, query := range statements {
				w, ok := want[name]
				if !ok {
					t.Errorf("no expected plan for %q", name)
					continue
				}
				plan := explain(t, db, query, w.args)
				if !strings.Contains(plan, w.index) {
					t.Errorf("%s does not use %s:\n%s", name, w.index, plan)
				}
				if strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") || strings.Contains(plan, "Sort") {
					t.Errorf("%s sorts instead of reading its index in order:\n%s", name, plan)
				}
			}
		})
	}
}

func explain(t *testing.T, db *gormstore.DB, query string, args []any) string {
	t.Helper()
	var lines []string
	err := db.Gorm().Transaction(func(tx *gorm.DB) error {
		prefix := "EXPLAIN QUERY PLAN "
		if db.Dialect() == gormstore.Postgres {
			prefix = "EXPLAIN (COSTS OFF) "
			for _, off := range []string{"enable_seqscan", "enable_bitmapscan", "enable_sort"} {
				if err := tx.Exec("SET LOCAL " + off + " = off").Error; err != nil {
					return err
				}
			}
		}
		rows, err := tx.Raw(prefix+query, args...).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		for rows.Next() {
			// The plan text is the last column on both engines.
			values := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range values {
				ptrs[i] = &values[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			lines = append(lines, toString(values[len(values)-1]))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("explain %q: %v", query, err)
	}
	return strings.Join(lines, "\n")
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.String()
	}
	return ""
}

// TestDeskPagesUseTheirIndexes checks the plan of every shape of page the
// support desk and the requester's list ask for, first and deep: each walks
// a (…, created_at DESC, reference DESC) index of support_requests in
// order, so a page costs the same at any size.
func TestDeskPagesUseTheirIndexes(t *testing.T) {
	for _, e := range testdb.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t)
			after := &ports.PageKey{CreatedAt: at(10), Reference: "SR-01JAAAAAAAAAAAAAAAAAAAAAAA"}
			ws, tenant, user := uuid.NewString(), uuid.NewString(), uuid.NewString()
			cases := map[string]struct {
				q     ports.PageQuery
				index string
			}{
				"desk, everything":    {ports.PageQuery{Limit: 50}, "support_requests_created"},
				"desk, a workspace":   {ports.PageQuery{Filter: ports.DeskFilter{WorkspaceID: ws}, Limit: 50}, "support_requests_workspace_created"},
				"desk, a tenant":      {ports.PageQuery{Filter: ports.DeskFilter{TenantID: tenant}, Limit: 50}, "support_requests_tenant_created"},
				"desk, a severity":    {ports.PageQuery{Filter: ports.DeskFilter{Severity: "blocking"}, Limit: 50}, "support_requests_severity_created"},
				"desk, since a day":   {ports.PageQuery{Filter: ports.DeskFilter{Since: at(5)}, Limit: 50}, "support_requests_created"},
				"an agent's scope":    {ports.PageQuery{Workspaces: []string{ws}, Limit: 50}, "support_requests_workspace_created"},
				"own requests":        {ports.PageQuery{CreatedBy: user, Limit: 50}, "support_requests_creator_created"},
				"own requests, deep":  {ports.PageQuery{CreatedBy: user, After: after, Limit: 50}, "support_requests_creator_created"},
				"desk, a tenant deep": {ports.PageQuery{Filter: ports.DeskFilter{TenantID: tenant}, After: after, Limit: 50}, "support_requests_tenant_created"},
			}
			for name, c := range cases {
				plan := explain(t, db, gormstore.PageSQL(db, c.q), nil)
				if !strings.Contains(plan, c.index) {
					t.Errorf("%s does not use %s:\n%s", name, c.index, plan)
				}
				if strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") || strings.Contains(plan, "Sort") {
					t.Errorf("%s sorts instead of reading its index in order:\n%s", name, plan)
				}
			}
		})
	}
}
