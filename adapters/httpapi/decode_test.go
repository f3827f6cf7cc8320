package httpapi

import (
	"slices"
	"testing"

	"supportdesk/core"
	"supportdesk/core/support"
)

func TestValidText(t *testing.T) {
	cases := map[string]bool{
		`""`:                   true,
		`"plain"`:              true,
		`"é€😀"`:                true,
		`"\ud83d\ude00"`:       true,
		`"\\ud800"`:            true, // an escaped backslash, then text
		`"\\\ud800"`:           false,
		`"\ud800"`:             false,
		`"\udc00"`:             false,
		`"\ud800\u0041"`:       false,
		`"\ud800\ud800"`:       false,
		`"\ud800x"`:            false,
		`"x\ud83d"`:            false,
		"\"\xff\"":             false,
		"\"\xed\xa0\x80\"":     false,
		`"\u00e9\n\t\"\/\\"`:   true,
		`"\uD83D\uDE00 upper"`: true,
	}
	for lit, want := range cases {
		if got := validText([]byte(lit)); got != want {
			t.Errorf("validText(%q) = %v, want %v", lit, got, want)
		}
	}
}

func TestDecodeCreate(t *testing.T) {
	in, fields, err := decodeCreate([]byte(` {"severity":"low", "summary":"s", "reproduction_notes":null,
		"contact_name":"n", "contact_email":"e@x.io"} `))
	want := support.Input{Severity: "low", Summary: "s", ContactName: "n", ContactEmail: "e@x.io"}
	if err != nil || len(fields) != 0 || in != want {
		t.Fatalf("decodeCreate = %+v, %v, %v", in, fields, err)
	}

	_, fields, err = decodeCreate([]byte(`{"b":1,"summary":5,"a":2,"severity":null,"b":3}`))
	if err != nil {
		t.Fatal(err)
	}
	names := func(fs []core.FieldError) []string {
		var out []string
		for _, f := range fs {
			out = append(out, f.Field)
		}
		return out
	}
	if got := names(fields); !slices.Equal(got, []string{"b", "summary", "a", "severity"}) {
		t.Errorf("fields %q", got)
	}
	merged := mergeFields(fields, []core.FieldError{{Field: "summary", Message: "is required"}, {Field: "contact_email", Message: "bad"}})
	if got := names(merged); !slices.Equal(got, []string{"severity", "summary", "contact_email", "b", "a"}) {
		t.Errorf("merged %q", got)
	}

	for _, body := range []string{"", "{", "{}{}", "[]", "null", `{"a":1,}`, "{} x"} {
		if _, _, err := decodeCreate([]byte(body)); err == nil {
			t.Errorf("%q decoded", body)
		}
	}
}

func TestCheckMediaType(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/json":                    true,
		"application/json;charset=utf-8":      true,
		"APPLICATION/JSON; charset=\"UTF-8\"": true,
		"application/json; charset=latin1":    false,
		"":                                    false,
		"text/json":                           false,
		"application/problem+json":            false,
	} {
		if err := checkMediaType(ct, ""); (err == nil) != ok {
			t.Errorf("%q: %v", ct, err)
		}
	}
	for ce, ok := range map[string]bool{"": true, "identity": true, "gzip": false, "br": false, "gzip, identity": false} {
		if err := checkMediaType("application/json", ce); (err == nil) != ok {
			t.Errorf("Content-Encoding %q: %v", ce, err)
		}
	}
}
