package envelope

import (
	"bytes"
	"encoding/json"

	"supportdesk/core/canon"
)

// Canonical reports whether b, a stored envelope, is in the canonical form
// of the schema it names: RFC 8785 (canon.Marshal) for Schema, the
// byte-ordered form of v1 (canon.MarshalV1) for records stored as
// SchemaV1. Bytes that are not a JSON object naming a known schema are not
// canonical.
func Canonical(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers as written, not through float64
	var doc map[string]any
	if dec.Decode(&doc) != nil {
		return false
	}
	marshal := canon.Marshal
	switch doc["schema"] {
	case Schema:
	case SchemaV1:
		marshal = canon.MarshalV1
	default:
		return false
	}
	again, err := marshal(doc)
	return err == nil && bytes.Equal(again, b)
}
