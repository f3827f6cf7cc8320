package envelope

import (
	"supportdesk/core/redact"
	"supportdesk/core/support"
)

// Redacted returns a copy of s with the redaction policy applied to every
// string it holds — ids, names, states and messages alike, and the keys of
// its counts — for pages that show a snapshot as it is. A test walks the
// types by reflection, so a field added to them and forgotten here fails.
func Redacted(s Snapshot) Snapshot {
	s.Scope = redactedScope(s.Scope)
	r(&s.Workspace.ID)
	r(&s.Workspace.Name)
	for _, p := range []*string{&s.Tenant.ID, &s.Tenant.WorkspaceID, &s.Tenant.Name, &s.Tenant.ExternalID, &s.Tenant.Status} {
		r(p)
	}
	if s.Run != nil {
		run := redactedRun(*s.Run)
		s.Run = &run
	}
	if s.Connection != nil {
		c := *s.Connection
		for _, p := range []*string{&c.ID, &c.Provider, &c.Status, &c.ConsentState, &c.LastErrorCode, &c.LastErrorMessage} {
			r(p)
		}
		s.Connection = &c
	}
	s.RecentRuns = redactedEach(s.RecentRuns, redactedRun)
	s.OpenFindings = redactedEach(s.OpenFindings, func(f Finding) Finding {
		for _, p := range []*string{&f.ID, &f.Severity, &f.Status, &f.Title} {
			r(p)
		}
		return f
	})
	s.Reviews = redactedEach(s.Reviews, func(v Review) Review {
		for _, p := range []*string{&v.ID, &v.Status, &v.Title} {
			r(p)
		}
		return v
	})
	s.Reports = redactedEach(s.Reports, func(p Report) Report {
		for _, f := range []*string{&p.ID, &p.Kind, &p.Status} {
			r(f)
		}
		return p
	})
	s.Audit = redactedEach(s.Audit, func(a AuditItem) AuditItem {
		for _, p := range []*string{&a.ID, &a.Action, &a.ActorID, &a.SubjectType, &a.SubjectID} {
			r(p)
		}
		return a
	})
	s.OpenFindingsBySeverity = redactedKeys(s.OpenFindingsBySeverity)
	s.OpenReviewsByStatus = redactedKeys(s.OpenReviewsByStatus)
	return s
}

// r redacts the string p points to.
func r(p *string) { *p, _ = redact.String(*p) }

func redactedScope(sc Scope) Scope {
	t := string(sc.Type)
	r(&t)
	sc.Type = support.ContextType(t)
	r(&sc.TenantID)
	r(&sc.RunID)
	return sc
}

func redactedRun(x Run) Run {
	for _, p := range []*string{&x.ID, &x.Type, &x.Status, &x.Outcome, &x.FailureCode, &x.FailureMessage} {
		r(p)
	}
	return x
}

// redactedEach returns a redacted copy of items; the snapshot's own slices
// are left as they are.
func redactedEach[T any](items []T, redacted func(T) T) []T {
	if items == nil {
		return nil
	}
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = redacted(it)
	}
	return out
}

func redactedKeys(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		k, _ = redact.String(k)
		out[k] += v
	}
	return out
}
