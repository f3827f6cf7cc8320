package formats

import (
	"math"
	"strings"
)

type byteSet [256]bool

func makeSet(chars string) *byteSet {
	var b byteSet
	for i := 0; i < len(chars); i++ {
		b[chars[i]] = true
	}
	return &b
}

const (
	alnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b64std = alnum + "+/"
)

var (
	base64URL = makeSet(alnum + "_-")
	base64Std = makeSet(b64std)
	base64Any = makeSet(b64std + "_-=")
)

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// Token checks. A context rule's token shape often also fits hashes and
// ids (hex, base64); these checks demand what random keys almost always
// have and digests of one alphabet never do.

// mixedCase: upper case, lower case and a digit, as nearly every random
// key over [A-Za-z0-9] of 16 or more characters has.
func mixedCase(tok string) bool {
	var u, l, d bool
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		u = u || 'A' <= c && c <= 'Z'
		l = l || 'a' <= c && c <= 'z'
		d = d || '0' <= c && c <= '9'
	}
	return u && l && d
}

// lettersAndDigits: at least one letter and one digit (for hex and
// single-case alphabets, where an all-digit run is a number).
func lettersAndDigits(tok string) bool {
	var l, d bool
	for i := 0; i < len(tok); i++ {
		l = l || isLetter(tok[i])
		d = d || '0' <= tok[i] && tok[i] <= '9'
	}
	return l && d
}

// upperAndLower: both letter cases (Hugging Face tokens are letters only).
func upperAndLower(tok string) bool {
	var u, l bool
	for i := 0; i < len(tok); i++ {
		u = u || 'A' <= tok[i] && tok[i] <= 'Z'
		l = l || 'a' <= tok[i] && tok[i] <= 'z'
	}
	return u && l
}

// entropy is the Shannon entropy of tok in bits per byte.
func entropy(tok string) float64 {
	var n [256]int
	for i := 0; i < len(tok); i++ {
		n[tok[i]]++
	}
	h := 0.0
	for _, c := range n {
		if c > 0 {
			p := float64(c) / float64(len(tok))
			h -= p * math.Log2(p)
		}
	}
	return h
}

// randomBase64 accepts a base64 token that looks drawn at random: mixed
// case with digits, high entropy, and not a path ("a//b", many slashes).
func randomBase64(tok string) bool {
	return mixedCase(tok) && entropy(tok) >= 4.0 && !strings.Contains(tok, "//") &&
		strings.Count(tok, "/") <= len(tok)/10+1
}

// lineBreak returns the length of a line break at s[i]: a real one ("\n",
// "\r\n"), a JSON-escaped one (`\n`, `\r\n`), a doubly escaped one
// (`\\n`) or a \u000a escape; 0 if there is none.
func lineBreak(s string, i int) int {
	switch {
	case i >= len(s):
		return 0
	case s[i] == '\n':
		return 1
	case s[i] == '\r':
		if i+1 < len(s) && s[i+1] == '\n' {
			return 2
		}
		return 1
	case s[i] != '\\':
		return 0
	}
	j := i
	for j < len(s) && s[j] == '\\' {
		j++
	}
	if j == len(s) {
		return 0
	}
	switch s[j] {
	case 'n', 'r':
		return j + 1 - i
	case 'u':
		if strings.HasPrefix(s[j:], "u000a") || strings.HasPrefix(s[j:], "u000A") ||
			strings.HasPrefix(s[j:], "u000d") || strings.HasPrefix(s[j:], "u000D") {
			return j + 5 - i
		}
	}
	return 0
}
