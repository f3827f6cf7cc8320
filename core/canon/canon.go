// Package canon writes canonical JSON and its "sha256:<hex>" digest, so
// that the same value always yields the same bytes and the same digest.
//
// Marshal writes the JSON Canonicalization Scheme of RFC 8785 (JCS), so
// that anyone can recompute a digest with a JCS library: no white space,
// object keys sorted by their UTF-16 code units, strings with only the
// escapes JSON requires (\b \f \n \r \t in their short forms, other
// control characters as \u00xx in lower-case hex), numbers as ECMAScript
// writes them. MarshalV1 writes the canonical form of envelopes stored
// under schema v1, for verifying those records only.
package canon

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Marshal returns the canonical JSON (RFC 8785) of v. v is built from
// map[string]any, []any, string, bool, nil, Go integers, finite float64
// and json.Number; any other type is an error, so that nothing is encoded
// by reflection with an order or format of its own. Numbers are written as
// the IEEE 754 doubles JCS defines them to be: integers are exact up to
// 2^53, larger ones are rounded to the nearest double. Invalid UTF-8 in a
// string value is replaced by U+FFFD; in an object key it is an error.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeJCS(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Digest returns "sha256:" followed by the lower-case hex SHA-256 of b.
func Digest(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func encodeJCS(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		writeJCSString(b, x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil || !json.Valid([]byte(x)) {
			return fmt.Errorf("canon: %q is not a JSON number", string(x))
		}
		return writeNumber(b, f)
	case float64:
		return writeNumber(b, x)
	case float32:
		return writeNumber(b, float64(x))
	case int:
		writeInt(b, int64(x))
	case int8:
		writeInt(b, int64(x))
	case int16:
		writeInt(b, int64(x))
	case int32:
		writeInt(b, int64(x))
	case int64:
		writeInt(b, x)
	case uint:
		writeUint(b, uint64(x))
	case uint8:
		writeUint(b, uint64(x))
	case uint16:
		writeUint(b, uint64(x))
	case uint32:
		writeUint(b, uint64(x))
	case uint64:
		writeUint(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeJCS(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if !utf8.ValidString(k) {
				return fmt.Errorf("canon: object key %q is not valid UTF-8", k)
			}
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJCSString(b, k)
			b.WriteByte(':')
			if err := encodeJCS(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("canon: cannot encode %T", v)
	}
	return nil
}

// maxExact is 2^53: every integer up to it is a double of its own.
const maxExact = 1 << 53

func writeInt(b *bytes.Buffer, x int64) {
	if -maxExact <= x && x <= maxExact {
		b.WriteString(strconv.FormatInt(x, 10))
		return
	}
	_ = writeNumber(b, float64(x)) // finite: cannot fail
}

func writeUint(b *bytes.Buffer, x uint64) {
	if x <= maxExact {
		b.WriteString(strconv.FormatUint(x, 10))
		return
	}
	_ = writeNumber(b, float64(x))
}

// writeNumber writes f as ECMAScript's Number.prototype.toString does
// (ECMA-262, Number::toString), which RFC 8785 adopts: the shortest digits
// that round-trip, in plain notation from 1e-6 up to 1e21 and in
// exponent notation ("1e+21", "1.5e-7") outside; -0 is "0".
func writeNumber(b *bytes.Buffer, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("canon: %v is not a JSON number", f)
	}
	if f == 0 {
		b.WriteByte('0')
		return nil
	}
	if f < 0 {
		b.WriteByte('-')
		f = -f
	}
	// Shortest round-trip digits d1…dk and n such that f = 0.d1…dk × 10^n.
	e := strconv.FormatFloat(f, 'e', -1, 64) // "d.ddde±x"
	mant, exp, _ := bytes.Cut([]byte(e), []byte("e"))
	digits := bytes.Replace(mant, []byte("."), nil, 1)
	x, _ := strconv.Atoi(string(exp))
	k, n := len(digits), x+1
	switch {
	case k <= n && n <= 21:
		b.Write(digits)
		b.Write(bytes.Repeat([]byte("0"), n-k))
	case 0 < n && n <= 21:
		b.Write(digits[:n])
		b.WriteByte('.')
		b.Write(digits[n:])
	case -6 < n && n <= 0:
		b.WriteString("0.")
		b.Write(bytes.Repeat([]byte("0"), -n))
		b.Write(digits)
	default:
		b.WriteByte(digits[0])
		if k > 1 {
			b.WriteByte('.')
			b.Write(digits[1:])
		}
		b.WriteByte('e')
		if n-1 >= 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.Itoa(n - 1))
	}
	return nil
}

// compareUTF16 orders strings by their UTF-16 code units, as RFC 8785
// sorts object keys. It differs from byte (and code point) order only
// where a character beyond U+FFFF, a surrogate pair starting at 0xD800,
// meets one of U+E000–U+FFFF.
func compareUTF16(a, b string) int {
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			if c := cmp.Compare(firstUnit(ra), firstUnit(rb)); c != 0 {
				return c
			}
			return cmp.Compare(ra, rb) // same high surrogate: the low ones order as code points
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(len(a), len(b))
}

// firstUnit returns the first UTF-16 code unit of r.
func firstUnit(r rune) rune {
	if r >= 0x10000 {
		return 0xD800 + (r-0x10000)>>10
	}
	return r
}

const hexDigits = "0123456789abcdef"

// writeJCSString writes s as a JSON string with RFC 8785's escaping and
// invalid UTF-8 replaced by U+FFFD.
func writeJCSString(b *bytes.Buffer, s string) {
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
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
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

func writeControl(b *bytes.Buffer, c byte) {
	b.WriteString(`\u00`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&0xF])
}
