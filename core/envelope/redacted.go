package envelope

import "supportdesk/core/redact"

// Redacted returns a copy of s with redaction policy v1 applied to every
// free-text value, for pages that show a snapshot as it is.
func Redacted(s Snapshot) Snapshot {
	r := func(v *string) { *v, _ = redact.String(*v) }
	run := func(x *Run) { r(&x.Type); r(&x.FailureCode); r(&x.FailureMessage) }
	r(&s.Workspace.Name)
	r(&s.Tenant.Name)
	r(&s.Tenant.ExternalID)
	if s.Run != nil {
		c := *s.Run
		run(&c)
		s.Run = &c
	}
	if s.Connection != nil {
		c := *s.Connection
		r(&c.LastErrorCode)
		r(&c.LastErrorMessage)
		s.Connection = &c
	}
	s.RecentRuns = append([]Run(nil), s.RecentRuns...)
	for i := range s.RecentRuns {
		run(&s.RecentRuns[i])
	}
	s.OpenFindings = append([]Finding(nil), s.OpenFindings...)
	for i := range s.OpenFindings {
		r(&s.OpenFindings[i].Title)
	}
	s.Reviews = append([]Review(nil), s.Reviews...)
	for i := range s.Reviews {
		r(&s.Reviews[i].Title)
	}
	s.Reports = append([]Report(nil), s.Reports...)
	for i := range s.Reports {
		r(&s.Reports[i].Kind)
	}
	s.Audit = append([]AuditItem(nil), s.Audit...)
	for i := range s.Audit {
		r(&s.Audit[i].SubjectID)
	}
	return s
}
