package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"supportdesk/adapters/gormstore"
)

// TestEnvelopeBounds creates requests on a tenant with 10,000 runs,
// findings, reviews, reports and audit entries: the stored envelope must
// stay within every cap of docs/envelope.md and still count exactly.
func TestEnvelopeBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 50,000 rows per engine")
	}
	forEachEngine(t, func(t *testing.T, db *gormstore.DB) {
		w := newWorld()
		b := newBasic(w)
		big := w.tenant(b.workspace, "big")
		owner := b.roles["owner"]
		w.tenantMember(big, owner.id, "owner")
		start := time.Now()
		h := w.fillTenant(b.workspace, big, owner.id, 10_000)
		w.load(t, db)
		t.Logf("seeded 50,000 rows in %v", time.Since(start).Round(time.Millisecond))
		s := newServer(t, db)

		shrunk := 0
		for _, path := range []string{"/v1/tenants/" + big, "/v1/operation-runs/" + h.newestRun} {
			start := time.Now()
			c := createdOf(t, s.post(t, path+"/support-requests", owner.token, obj(sev, sum)))
			t.Logf("%s: created in %v", path, time.Since(start).Round(time.Millisecond))
			if c.AttachmentMode != "diagnostics_attached" {
				t.Errorf("attachment mode %q", c.AttachmentMode)
			}
			res := s.get(t, "/v1/support-requests/"+c.Reference, owner.token)
			var rec struct {
				Context json.RawMessage `json:"context"`
			}
			if err := json.Unmarshal(res.Body, &rec); err != nil {
				t.Fatalf("decode record: %v", err)
			}
			shrunk += checkEnvelopeBounds(t, rec.Context, h)
		}
		if shrunk == 0 {
			t.Error("no envelope had to shrink a list: make the seeded texts longer so the 64 KiB cap is exercised")
		}
	})
}

// checkEnvelopeBounds checks one stored envelope and returns how many
// lists were shrunk to meet the size cap.
func checkEnvelopeBounds(t *testing.T, raw json.RawMessage, h history) int {
	t.Helper()
	if len(raw) > 64<<10 {
		t.Errorf("envelope is %d bytes, over 64 KiB", len(raw))
	}
	shrunk := strings.Count(string(raw), `"reason":"size_cap"`)
	t.Logf("envelope: %d bytes, %d lists shrunk to fit", len(raw), shrunk)
	var env struct {
		RecentRuns []struct {
			ID string `json:"id"`
		} `json:"recent_operation_runs"`
		Findings struct {
			OpenBySeverity map[string]int `json:"open_by_severity"`
			OpenTotal      int            `json:"open_total"`
			LatestOpen     []any          `json:"latest_open"`
		} `json:"findings"`
		Reviews struct {
			OpenByStatus map[string]int `json:"open_by_status"`
			Latest       []any          `json:"latest"`
		} `json:"reviews"`
		Reports []any `json:"reports"`
		Audit   []struct {
			Action string `json:"action"`
		} `json:"audit_excerpt"`
		Diagnostics struct {
			RecentOutcomes struct {
				RunsCounted int            `json:"runs_counted"`
				Counts      map[string]int `json:"counts"`
			} `json:"recent_outcomes"`
			LatestFailedRuns []any `json:"latest_failed_runs"`
		} `json:"diagnostics"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("decode envelope: %v", err)
	}
	caps := []struct {
		list string
		n    int
		max  int
	}{
		{"recent_operation_runs", len(env.RecentRuns), 5},
		{"findings.latest_open", len(env.Findings.LatestOpen), 5},
		{"reviews.latest", len(env.Reviews.Latest), 5},
		{"reports", len(env.Reports), 5},
		{"audit_excerpt", len(env.Audit), 10},
		{"diagnostics.latest_failed_runs", len(env.Diagnostics.LatestFailedRuns), 5},
	}
	for _, c := range caps {
		if c.n > c.max {
			t.Errorf("%s has %d items, cap %d", c.list, c.n, c.max)
		}
	}
	if len(env.RecentRuns) == 0 || env.RecentRuns[0].ID != h.newestRun {
		t.Errorf("recent runs do not start with the newest run %s", h.newestRun)
	}
	if len(env.Audit) == 0 {
		t.Error("the audit excerpt is empty")
	}
	for _, a := range env.Audit {
		if strings.HasPrefix(a.Action, "support_request.") {
			t.Errorf("audit excerpt holds %s", a.Action)
		}
	}
	total := 0
	for sev, n := range h.openBySeverity {
		total += n
		if env.Findings.OpenBySeverity[sev] != n {
			t.Errorf("open %s findings = %d, want %d", sev, env.Findings.OpenBySeverity[sev], n)
		}
	}
	if env.Findings.OpenTotal != total {
		t.Errorf("open findings = %d, want %d", env.Findings.OpenTotal, total)
	}
	for status, n := range h.openReviewsByStatus {
		if env.Reviews.OpenByStatus[status] != n {
			t.Errorf("%s reviews = %d, want %d", status, env.Reviews.OpenByStatus[status], n)
		}
	}
	if env.Diagnostics.RecentOutcomes.RunsCounted != 50 {
		t.Errorf("runs counted = %d, want 50", env.Diagnostics.RecentOutcomes.RunsCounted)
	}
	for outcome, n := range h.latest50Outcomes {
		if env.Diagnostics.RecentOutcomes.Counts[outcome] != n {
			t.Errorf("%s among the latest 50 runs = %d, want %d", outcome, env.Diagnostics.RecentOutcomes.Counts[outcome], n)
		}
	}

	// Every free-text value is cut to 500 code points, marker included.
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	cut := 0
	walkStrings(doc, func(s string) {
		if n := utf8.RuneCountInString(s); n > 500 {
			t.Errorf("a value of %d code points: %.40q…", n, s)
		}
		if strings.HasSuffix(s, "…[truncated]") {
			cut++
		}
	})
	if cut == 0 {
		t.Errorf("no value was cut, though every text has %d code points", h.longestTextCodePoint)
	}
	return shrunk
}

// walkStrings calls fn with every string in a decoded JSON value.
func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case map[string]any:
		for k, e := range x {
			fn(k)
			walkStrings(e, fn)
		}
	}
}
