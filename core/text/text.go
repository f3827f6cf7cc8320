// Package text holds the rules every value a person types or a file
// carries must follow before supportdesk keeps it: printable text that
// cannot spoof what is shown around it, and email addresses. Support
// requests, Idempotency-Keys and fixture files all check their text here,
// each phrasing the problem for its own reader.
package text

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Problem is why a string is not printable text; OK when it is.
type Problem int

// The problems Check finds, in the order it looks for them.
const (
	OK Problem = iota
	// InvalidUTF8: the bytes are not UTF-8.
	InvalidUTF8
	// NUL: U+0000, which PostgreSQL cannot store and C readers cut at.
	NUL
	// Control: a C0 or C1 control character or DEL other than tab, or a
	// line break where the text must be one line.
	Control
	// Bidi: a bidirectional embedding, override or isolate (U+202A–U+202E,
	// U+2066–U+2069), which can make "gnp.exe" read as "exe.png".
	Bidi
	// Invisible: nothing but invisible characters (such as U+200B or
	// U+FEFF), perhaps among white space: text that looks empty but is not.
	Invisible
)

// Message says what is wrong as a predicate of the field, for people.
func (p Problem) Message() string {
	switch p {
	case InvalidUTF8:
		return "must be valid UTF-8 text"
	case NUL:
		return "must not contain NUL characters"
	case Control:
		return "must not contain control characters"
	case Bidi:
		return "must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)"
	case Invisible:
		return "must contain visible characters, not only invisible ones"
	}
	return ""
}

// Form says which white space a text may hold besides spaces.
type Form int

const (
	// Line is one line: tabs, no line breaks.
	Line Form = iota
	// Lines may hold tabs and line breaks: LF, CR and the Unicode line
	// and paragraph separators U+2028 and U+2029.
	Lines
	// Key is one line without tabs: an identifier a client chooses, such
	// as an Idempotency-Key, made of printable characters only.
	Key
)

// Check returns the first problem of s as text of form f, or OK. Zero-width joiners, variation selectors and the
// left-to-right and right-to-left marks are allowed among visible
// characters (emoji sequences and right-to-left scripts need them); only
// the explicit bidirectional embeddings, overrides and isolates are
// refused. White space alone is not a problem here: whether blank text is
// allowed is the field's own rule.
func Check(s string, f Form) Problem {
	if !utf8.ValidString(s) {
		return InvalidUTF8
	}
	visible, invisible := false, false
	for _, r := range s {
		switch {
		case r == '\t' && f != Key:
		case r == 0:
			return NUL
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			if f != Lines {
				return Control
			}
		case unicode.IsControl(r):
			return Control
		case isBidiControl(r):
			return Bidi
		case unicode.IsSpace(r):
		case isInvisible(r):
			invisible = true
		default:
			visible = true
		}
	}
	if invisible && !visible {
		return Invisible
	}
	return OK
}

// isBidiControl reports whether r is an explicit bidirectional embedding,
// override (U+202A–U+202E) or isolate (U+2066–U+2069).
func isBidiControl(r rune) bool {
	return r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// isInvisible reports whether r shows nothing by itself: format characters
// (zero-width space and joiners, marks, the byte order mark, …) and the
// other default-ignorable code points (variation selectors, Hangul
// fillers, …).
func isInvisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
		unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// MaxEmail is the longest email address accepted, in characters (RFC 5321).
const MaxEmail = 254

// IsEmail reports whether s is a bare email address, as a person writes
// one in a form: an addr-spec without display name or angle brackets, of
// at most MaxEmail characters, with a dotted domain.
func IsEmail(s string) bool {
	if utf8.RuneCountInString(s) > MaxEmail {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	domain := s[at+1:]
	return at > 0 && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// OneOf reports whether v is one of the values allowed: the check of every
// closed set of values (severities, roles, statuses).
func OneOf[T ~string](v T, allowed []T) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

// Clip cuts s to at most n bytes, on a character boundary, and marks the
// cut with an ellipsis; a shorter s is returned as it is.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
