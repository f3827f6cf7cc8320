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
		{"a\"b\\c\n\t\x01<>&é", `"a\"b\\c\n\t\u0001<>&é"`},
		{"bad \xff byte", "\"bad \ufffd byte\""},
		{42, `42`},
		{int64(-7), `-7`},
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

func TestMarshalRejects(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), struct{}{}, map[string]string{}, []string{}, json.Number("x")} {
		if _, err := Marshal(v); err == nil {
			t.Errorf("Marshal(%#v) succeeded, want an error", v)
		}
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
