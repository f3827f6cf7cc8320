package httpapi_test

import (
	"fmt"
	"strings"
	"time"

	"supportdesk/core/platform"
)

// history is what fillTenant wrote, as the envelope must count it.
type history struct {
	newestRun            string
	openBySeverity       map[string]int
	openReviewsByStatus  map[string]int
	latest50Outcomes     map[string]int
	longestTextCodePoint int
}

// fillTenant gives tenantID n runs, findings, reviews, reports and audit
// entries (actorID acting), their free text longer than any cap and
// multi-byte, so that an envelope has to cut and shrink. The fixture
// import writes them with multi-row INSERTs.
func (w *world) fillTenant(workspaceID, tenantID, actorID string, n int) history {
	h := history{openBySeverity: map[string]int{}, openReviewsByStatus: map[string]int{}, latest50Outcomes: map[string]int{}}
	text := func(kind string, i int) string {
		// 1,200 code points, 4 bytes each: cut to 500 in the envelope, and
		// enough of them to go over 64 KiB unless lists shrink.
		return fmt.Sprintf("%s %d ", kind, i) + strings.Repeat("😀", 1200)
	}
	h.longestTextCodePoint = 1200
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	checked := base
	w.ProviderConnections = append(w.ProviderConnections, platform.ProviderConnection{
		ID: w.ids.NewID(), TenantID: tenantID, Provider: "microsoft_graph", Status: "degraded", ConsentState: "granted",
		LastCheckedAt: &checked, LastErrorCode: "throttled", LastErrorMessage: text("error", 0),
	})
	outcomes := []string{"succeeded", "partially_succeeded", "failed", "cancelled", ""}
	severities := []string{"low", "medium", "high", "critical"}
	reviewStatuses := []string{"pending", "in_progress", "completed"}
	actions := []string{"tenant.updated", "policy.changed", "support_request.created", "report.generated"}
	for i := 0; i < n; i++ {
		at := base.Add(time.Duration(i) * time.Minute)

		run := platform.OperationRun{
			ID: w.ids.NewID(), TenantID: tenantID, Type: "policy_sync", Status: "completed",
			Outcome: outcomes[i%len(outcomes)], StartedAt: at, RawPayload: []byte(`{"items":[1,2,3]}`),
		}
		if run.Outcome == "" {
			run.Status = "running"
		} else {
			done := at.Add(30 * time.Second)
			run.CompletedAt = &done
		}
		if run.Outcome == "failed" {
			run.FailureCode = "graph_error"
			run.FailureMessage = text("failure", i)
		}
		w.OperationRuns = append(w.OperationRuns, run)
		if i >= n-50 {
			label := run.Outcome
			if label == "" {
				label = "none"
			}
			h.latest50Outcomes[label]++
		}
		h.newestRun = run.ID

		f := platform.Finding{ID: w.ids.NewID(), TenantID: tenantID, Severity: severities[i%4], Status: "open",
			Title: text("finding", i), DetectedAt: at}
		if i%3 == 0 {
			f.Status = "resolved"
		} else {
			h.openBySeverity[f.Severity]++
		}
		w.Findings = append(w.Findings, f)

		r := platform.Review{ID: w.ids.NewID(), TenantID: tenantID, Status: reviewStatuses[i%3], Title: text("review", i), DueAt: at}
		if r.Status != "completed" {
			h.openReviewsByStatus[r.Status]++
		}
		w.Reviews = append(w.Reviews, r)

		w.Reports = append(w.Reports, platform.Report{ID: w.ids.NewID(), TenantID: tenantID, Kind: text("kind", i),
			Status: "ready", GeneratedAt: at})

		// Every fourth entry is a support_request.* one, which the
		// excerpt must skip.
		w.AuditEntries = append(w.AuditEntries, platform.AuditEntry{ID: w.ids.NewID(), WorkspaceID: workspaceID,
			TenantID: tenantID, ActorID: actorID, Action: actions[i%len(actions)], SubjectType: "tenant",
			SubjectID: text("subject", i), Metadata: []byte(`{"note":"bulk"}`), OccurredAt: at})
	}
	return h
}
