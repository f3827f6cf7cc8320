package redact

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzString(f *testing.F) {
	for _, tc := range stringCases {
		f.Add(tc.in)
	}
	f.Add(benchMessage)
	for i, tc := range positiveCases() {
		if i%40 == 0 {
			f.Add(tc.in)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		var c Counts
		out := c.String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 output %q", out)
		}
		if c.Rules()[ruleUnsettled.String()] != 0 {
			t.Fatalf("redaction of %q did not settle", s)
		}
		if again, n := String(out); again != out || n != 0 {
			t.Fatalf("not idempotent:\n in   %q\n out  %q\n out2 %q (count %d)", s, out, again, n)
		}
		if k := strings.Count(s, Marker); k > 0 && s == strings.Repeat(Marker, k) {
			if o, n := String(s); o != s || n != 0 {
				t.Fatalf("marker-only input %q changed to %q (count %d)", s, o, n)
			}
		}
	})
}

func FuzzValue(f *testing.F) {
	for _, tc := range valueCases {
		f.Add([]byte(tc.in), false)
	}
	for _, tc := range stringCases {
		b, _ := json.Marshal(map[string]any{"message": tc.in, "token": tc.in})
		f.Add(b, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, useNumber bool) {
		d := json.NewDecoder(bytes.NewReader(data))
		if useNumber {
			d.UseNumber()
		}
		var in any
		if d.Decode(&in) != nil {
			return
		}
		before, _ := json.Marshal(in)
		out, _ := Value(in)
		if after, _ := json.Marshal(in); !bytes.Equal(before, after) {
			t.Fatalf("input modified: %s -> %s", before, after)
		}
		if !validUTF8(out) {
			t.Fatalf("invalid UTF-8 in %#v", out)
		}
		if again, n := Value(out); n != 0 || !reflect.DeepEqual(again, out) {
			t.Fatalf("not idempotent: %#v -> %#v (count %d)", out, again, n)
		}
		if in == Marker && out != Marker {
			t.Fatalf("marker changed to %#v", out)
		}
	})
}

func validUTF8(v any) bool {
	switch t := v.(type) {
	case string:
		return utf8.ValidString(t)
	case []any:
		for _, e := range t {
			if !validUTF8(e) {
				return false
			}
		}
	case map[string]any:
		for k, e := range t {
			if !utf8.ValidString(k) || !validUTF8(e) {
				return false
			}
		}
	}
	return true
}
