package gormstore

// ReadStatements returns, by name, the statements of the snapshot and
// diagnostics reads as dialect d runs them, for the query plan test.
func ReadStatements(d Dialect) map[string]string {
	ds := dialects[d]
	return map[string]string{
		"tenant":              tenantSQL,
		"run":                 runSQL,
		"latest connection":   ds.latestConnection,
		"recent runs":         recentRunsSQL,
		"failed runs":         failedRunsSQL,
		"outcome counts":      outcomeCountsSQL,
		"open findings":       openFindingsSQL,
		"open finding counts": openFindingCountsSQL,
		"reviews":             reviewsSQL,
		"open review counts":  openReviewCountsSQL,
		"reports":             reportsSQL,
		"audit excerpt":       ds.auditExcerpt,
	}
}
