package redact

import (
	"encoding/json"
	"strings"
)

// Value redacts a decoded JSON value (as produced by encoding/json into any,
// with either float64 or json.Number numbers: map[string]any, []any, string,
// bool, nil, numbers). It returns a new value (the input is not modified) and
// the count.
//
// Under a sensitive key (see SensitiveKey) the whole value, whatever its
// type, becomes Marker, except null, which carries nothing and stays null; a
// value that already is Marker counts 0. Every other string goes through
// String. Map keys are kept, made valid UTF-8 if needed. Go integer and float
// types pass through like JSON numbers; any other type cannot be inspected
// and is replaced by Marker (fail closed), so callers should hand over
// JSON-shaped data.
func Value(v any) (any, int) {
	switch t := v.(type) {
	case nil, bool, float64, json.Number,
		float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return v, 0
	case string:
		return String(t)
	case []any:
		if t == nil {
			return t, 0
		}
		out := make([]any, len(t))
		n := 0
		for i, e := range t {
			var c int
			out[i], c = Value(e)
			n += c
		}
		return out, n
	case map[string]any:
		if t == nil {
			return t, 0
		}
		out := make(map[string]any, len(t))
		n := 0
		for k, e := range t {
			k = strings.ToValidUTF8(k, "\uFFFD")
			if e != nil && SensitiveKey(k) {
				if e != Marker {
					n++
				}
				out[k] = Marker
				continue
			}
			var c int
			out[k], c = Value(e)
			n += c
		}
		return out, n
	}
	return Marker, 1
}
