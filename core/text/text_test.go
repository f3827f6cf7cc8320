package text

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	cases := []struct {
		name string
		s    string
		form Form
		want Problem
	}{
		{"plain", "Backups fail since Monday", Line, OK},
		{"empty", "", Line, OK},
		{"only spaces", "   ", Line, OK},
		{"tab", "a\tb", Line, OK},
		{"accents and CJK", "Zürich – 東京", Line, OK},
		// Emoji sequences hold zero-width joiners and variation selectors.
		{"emoji with zero-width joiner", "Dev 👩\u200d💻 blocked", Line, OK},
		{"emoji alone", "👩\u200d💻", Line, OK},
		{"family emoji", "👨\u200d👩\u200d👧", Line, OK},
		{"keycap with variation selector", "1\ufe0f\u20e3 step", Line, OK},
		// Right-to-left text with its marks.
		{"Hebrew with RLM", "שלום\u200f עולם", Line, OK},
		{"Arabic with ALM and LRM", "مرحبا\u061c بالعالم\u200e", Line, OK},
		{"line feed in one line", "a\nb", Line, Control},
		{"carriage return in one line", "a\rb", Line, Control},
		{"line separator in one line", "a\u2028b", Line, Control},
		{"paragraph separator in one line", "a\u2029b", Line, Control},
		{"line breaks in lines", "a\r\nb\nc\u2028d\u2029e", Lines, OK},
		{"tab in lines", "a\tb", Lines, OK},
		{"NUL", "a\x00b", Lines, NUL},
		{"BEL", "a\x07b", Lines, Control},
		{"ESC", "a\x1b[31mb", Line, Control},
		{"vertical tab in lines", "a\vb", Lines, Control},
		{"DEL", "a\x7fb", Line, Control},
		{"C1 NEL", "a\u0085b", Lines, Control},
		{"C1 CSI", "a\u009bb", Line, Control},
		{"invalid UTF-8", "a\xffb", Line, InvalidUTF8},
		{"right-to-left override", "invoice \u202egnp.exe", Line, Bidi},
		{"left-to-right embedding", "a\u202ab", Lines, Bidi},
		{"pop directional formatting", "a\u202cb", Line, Bidi},
		{"left-to-right override", "a\u202db", Line, Bidi},
		{"left-to-right isolate", "a\u2066b", Line, Bidi},
		{"first strong isolate", "a\u2068b", Line, Bidi},
		{"pop directional isolate", "a\u2069b", Line, Bidi},
		{"zero-width space alone", "\u200b", Line, Invisible},
		{"byte order mark alone", "\ufeff", Line, Invisible},
		{"invisible among spaces", " \u200b\u200c \u2060 ", Line, Invisible},
		{"invisible on lines", "\u200b\n\u200d", Lines, Invisible},
		{"Hangul filler alone", "\u3164", Line, Invisible},
		{"soft hyphen alone", "\u00ad", Line, Invisible},
		{"zero-width space inside a word", "ab\u200bcd", Line, OK},
		{"tab in a key", "a\tb", Key, Control},
		{"key", "retry-7f3a 2024", Key, OK},
		{"line feed in a key", "a\nb", Key, Control},
	}
	for _, c := range cases {
		if got := Check(c.s, c.form); got != c.want {
			t.Errorf("%s: Check(%q) = %v, want %v", c.name, c.s, got, c.want)
		}
	}
}

func TestProblemMessages(t *testing.T) {
	if OK.Message() != "" {
		t.Errorf("OK has message %q", OK.Message())
	}
	seen := map[string]bool{}
	for p := InvalidUTF8; p <= Invisible; p++ {
		m := p.Message()
		if !strings.HasPrefix(m, "must ") || seen[m] {
			t.Errorf("problem %d: message %q is not a distinct predicate", p, m)
		}
		seen[m] = true
	}
}

func TestIsEmail(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"ada@example.com", true},
		{"ada.lovelace+ops@mail.example.co.uk", true},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com", true},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com", false},
		{"", false},
		{"ada.example.com", false},
		{"ada@localhost", false},
		{"ada@.example.com", false},
		{"ada@example.com.", false},
		{"@example.com", false},
		{"Ada <ada@example.com>", false},
		{" ada@example.com", false},
		{"ada@example.com\n", false},
	} {
		if got := IsEmail(c.s); got != c.want {
			t.Errorf("IsEmail(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

func TestOneOf(t *testing.T) {
	type color string
	allowed := []color{"red", "green"}
	if !OneOf(color("green"), allowed) || OneOf(color("Green"), allowed) || OneOf(color(""), allowed) {
		t.Error("OneOf must match exactly one of the allowed values")
	}
}
