package canon

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestMarshal(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{nil, `null`},
		{true, `true`},
		{"bad \xff byte", "\"bad \ufffd byte\""},
		{42, `42`},
		{int64(-7), `-7`},
		{uint8(200), `200`},
		{1.5, `1.5`},
		{json.Number("10"), `10`},
		{[]any{}, `[]`},
		{map[string]any{}, `{}`},
		{map[string]any{"b": 1, "a": []any{"x", nil}, "A": map[string]any{"z": false, "y": true}},
			`{"A":{"y":true,"z":false},"a":["x",null],"b":1}`},
	}
	for _, c := range cases {
		got, err := Marshal(c.in)
		if err != nil {
			t.Fatalf("Marshal(%#v): %v", c.in, err)
		}
		if string(got) != c.want {
			t.Errorf("Marshal(%#v) = %s, want %s", c.in, got, c.want)
		}
		if !json.Valid(got) {
			t.Errorf("Marshal(%#v) = %s is not valid JSON", c.in, got)
		}
	}
}

// TestJCSStrings checks RFC 8785 §3.2.2.2: the short escapes \b \f \n \r
// \t, other control characters as \u00xx in lower-case hex, quote and
// backslash escaped, and nothing else — not '/', not DEL, not U+2028, not
// non-ASCII letters or characters beyond U+FFFF.
func TestJCSStrings(t *testing.T) {
	in := "\b\f\n\r\t\x00\x01\x1f\"\\/\x7f\u2028\u00e9\u20ac\U0001F600"
	want := `"\b\f\n\r\t\u0000\u0001\u001f\"\\/` + "\x7f\u2028\u00e9\u20ac\U0001F600" + `"`
	got, err := Marshal(in)
	if err != nil || string(got) != want {
		t.Fatalf("Marshal(%q) = %s, %v; want %s", in, got, err, want)
	}
}

// TestJCSKeyOrder checks RFC 8785 §3.2.3: keys sorted by UTF-16 code
// units. A character beyond U+FFFF is written with a surrogate pair from
// 0xD800, so it sorts before U+E000–U+FFFF, which byte order (and code
// point order) would put first.
func TestJCSKeyOrder(t *testing.T) {
	for _, c := range []struct {
		keys []string
		want string
	}{
		{[]string{"\uE000", "\U0001F600"}, `{"` + "\U0001F600" + `":0,"` + "\uE000" + `":0}`},
		{[]string{"\uFFFF", "\U00010000"}, `{"` + "\U00010000" + `":0,"` + "\uFFFF" + `":0}`},
		{[]string{"\uFB33", "\U0001F600", "\u20AC", "\u00F6", "\u0080", "1", "\r"},
			`{"\r":0,"1":0,"` + "\u0080" + `":0,"` + "\u00F6" + `":0,"` + "\u20AC" + `":0,"` + "\U0001F600" + `":0,"` + "\uFB33" + `":0}`},
		{[]string{"\U0001F601", "\U0001F600", "\U00010000"}, `{"` + "\U00010000" + `":0,"` + "\U0001F600" + `":0,"` + "\U0001F601" + `":0}`},
		{[]string{"ab", "a", "b", "aa", "B"}, `{"B":0,"a":0,"aa":0,"ab":0,"b":0}`},
	} {
		m := map[string]any{}
		for _, k := range c.keys {
			m[k] = 0
		}
		got, err := Marshal(m)
		if err != nil || string(got) != c.want {
			t.Errorf("keys %q: got %s, %v; want %s", c.keys, got, err, c.want)
		}
	}
}

// TestJCSNumbers checks RFC 8785 §3.2.2.3: numbers as ECMAScript's
// Number.prototype.toString writes IEEE 754 doubles.
func TestJCSNumbers(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{0.0, "0"},
		{math.Copysign(0, -1), "0"},
		{1.0, "1"},
		{-1.5, "-1.5"},
		{0.1, "0.1"},
		{1e6, "1000000"},
		{1_000_000, "1000000"},
		{json.Number("1000000"), "1000000"},
		{json.Number("1234567"), "1234567"},
		{1e20, "100000000000000000000"},
		{1e21, "1e+21"},
		{123456789012345680000.0, "123456789012345680000"},
		{1e-6, "0.000001"},
		{1e-7, "1e-7"},
		{1.5e-7, "1.5e-7"},
		{5e-324, "5e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{333333333.33333329, "333333333.3333333"},
		{json.Number("1E30"), "1e+30"},
		{json.Number("4.50"), "4.5"},
		{json.Number("2e-3"), "0.002"},
		{json.Number("0.000000000000000000000000001"), "1e-27"},
		{json.Number("-0"), "0"},
		{int64(1 << 53), "9007199254740992"},
		{int64(1<<53 + 1), "9007199254740992"}, // rounded to the nearest double
		{uint64(math.MaxUint64), "18446744073709552000"},
		{json.Number("12345678901234567890"), "12345678901234567000"},
	} {
		got, err := Marshal(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
}

// TestReencodeIsStable checks what verification relies on: canonical
// bytes decoded (numbers as json.Number) and encoded again are the same
// bytes, integers of a million and more included.
func TestReencodeIsStable(t *testing.T) {
	doc := map[string]any{"n": 1_000_000, "big": int64(1 << 53), "f": 0.25, "e": 1e-9, "s": "\b\u2028", "k": []any{1e21, -3}}
	first, err := Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(string(first)))
	dec.UseNumber()
	var back any
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	again, err := Marshal(back)
	if err != nil || string(again) != string(first) {
		t.Fatalf("re-encoded %s, %v; first %s", again, err, first)
	}
}

func TestMarshalRejects(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), struct{}{}, map[string]string{}, []string{}, json.Number("x"),
		json.Number("0x10"), json.Number("1e400"), map[string]any{"bad\xff": 1}} {
		if _, err := Marshal(v); err == nil {
			t.Errorf("Marshal(%#v) succeeded, want an error", v)
		}
	}
}

// TestMarshalV1 pins the form envelopes of schema v1 were stored in.
func TestMarshalV1(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{"\b\f\n\r\t\x01", `"\u0008\u000c\n\r\t\u0001"`},
		{map[string]any{"\U0001F600": 0, "\uE000": 0, "b": 1, "a": 2}, `{"a":2,"b":1,"` + "\uE000" + `":0,"` + "\U0001F600" + `":0}`},
		{1_000_000, "1000000"},
		{json.Number("1000000"), "1000000"},
		{json.Number("1.5"), "1.5"},
		{1e21, "1e+21"},
	} {
		got, err := MarshalV1(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("MarshalV1(%#v) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
	if _, err := MarshalV1(struct{}{}); err == nil {
		t.Error("MarshalV1 encoded a struct")
	}
}

func TestSameValueSameBytes(t *testing.T) {
	build := func() map[string]any {
		m := map[string]any{}
		for i := 0; i < 200; i++ {
			k := strings.Repeat(string(rune('a'+i%26)), 1+i/26)
			m[k] = []any{i, k, map[string]any{"n": i, "k": k}}
		}
		return m
	}
	first, err := Marshal(build())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		again, err := Marshal(build())
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(first) {
			t.Fatalf("build %d gave different bytes", i)
		}
		if Digest(again) != Digest(first) {
			t.Fatalf("build %d gave a different digest", i)
		}
	}
}

func TestDigest(t *testing.T) {
	// sha256 of the empty string.
	const want = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	if got := Digest(nil); got != want {
		t.Fatalf("Digest(nil) = %s, want %s", got, want)
	}
	if got := Digest([]byte("{}")); got == want || len(got) != len("sha256:")+64 {
		t.Fatalf("Digest({}) = %s", got)
	}
}
