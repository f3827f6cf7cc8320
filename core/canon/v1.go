package canon

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// MarshalV1 returns the canonical JSON of v as envelopes of schema
// support-request-context/v1 were written: object keys sorted by their
// bytes, strings with \n \r \t as short escapes and every other control
// character as \u00xx, integers in decimal and floats in Go's shortest 'g'
// form. It exists to verify records stored under v1 and nothing else: new
// documents are written by Marshal.
//
// A json.Number holding an integer is written as the integer it is (the
// v1 writer only ever wrote integers in decimal), so that verifying a v1
// record holding 1000000 re-creates "1000000", not "1e+06".
func MarshalV1(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeV1(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func encodeV1(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		writeV1String(b, x)
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("canon: %v is not a JSON number", x)
		}
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			b.WriteString(strconv.FormatInt(i, 10))
			return nil
		}
		f, err := x.Float64()
		if err != nil {
			return fmt.Errorf("canon: %q is not a JSON number", string(x))
		}
		return encodeV1(b, f)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeV1(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeV1String(b, k)
			b.WriteByte(':')
			if err := encodeV1(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("canon: cannot encode %T", v)
	}
	return nil
}

// writeV1String escapes only quote, backslash and control characters, the
// latter as \u00xx except \n \r \t, and replaces invalid UTF-8 with U+FFFD.
func writeV1String(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString("\ufffd")
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			writeControl(b, byte(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}
