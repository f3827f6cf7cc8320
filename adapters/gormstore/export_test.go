package gormstore

import (
	"gorm.io/gorm"

	"supportdesk/ports"
)

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

// PageSQL returns the statement of the page q names, its values inlined,
// for the query plan test.
func PageSQL(db *DB, q ports.PageQuery) string {
	return db.gorm.ToSQL(func(tx *gorm.DB) *gorm.DB {
		var rows []requestRow
		return pageQuery(tx, q).Find(&rows)
	})
}
