package core

import "time"

// TimePrecision is the precision of every timestamp supportdesk stores:
// what PostgreSQL keeps, and so what both engines keep, so that a time
// answered when a record is made is the time read back later.
const TimePrecision = time.Microsecond

// StoredTime returns t as storage keeps it: in UTC, truncated to
// TimePrecision.
func StoredTime(t time.Time) time.Time { return t.UTC().Truncate(TimePrecision) }
