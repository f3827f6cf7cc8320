package redact

import (
	"cmp"
	"slices"
	"strings"

	"supportdesk/core/redact/formats"
)

// maxRounds bounds the rounds of redactText. Ordinary text settles in one
// round (a second confirms it); odd overlaps of rules need one more.
const maxRounds = 6

// redactText runs every rule over s and replaces what they found, counting
// into c (which may be nil) and returning the total.
//
// The rules overlap in odd inputs (a quoted value whose closing quote lies
// inside another secret, a private key cut off inside a URL), and one round
// of replacements can then expose a new match. redactText therefore
// repeats until a round changes nothing, which makes it idempotent by
// construction; a secret touched by two rounds counts twice. Should a
// text not settle within maxRounds, it is replaced as a whole (fail
// closed; the fuzz targets have not found such a text).
func redactText(s string, c *Counts) (string, int) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	total := 0
	// No buffer of spans is made ahead: most texts hold no secret, and a
	// buffer would escape to the heap (the scanner's methods keep it) and
	// cost an allocation for every text.
	var sp []span
	for round := 0; round < maxRounds; round++ {
		sp = findSpans(s, sp[:0])
		out, n := replace(s, sp, c)
		if n == 0 {
			return s, total
		}
		s, total = out, total+n
	}
	c.add(ruleUnsettled, 1)
	return Marker, total + 1
}

// findSpans returns the secrets of s, in no particular order.
func findSpans(s string, sp []span) []span {
	sc := scanner{s: s, sp: sp}
	sc.scan()
	return sc.sp
}

// scanner holds one round's scan of a text: the text, the secrets found
// so far, and how many bytes the scans examined, which the linear-time
// test bounds (counted once a scan ends, so that counting costs nothing).
type scanner struct {
	s     string
	sp    []span
	steps int
}

// scan runs every rule over the text.
func (sc *scanner) scan() {
	sc.formats()
	sc.authSchemes()
	sc.userInfo()
	sc.assignments()
	sc.xmlElements()
	sc.callArguments()
	sc.flags()
}

// span is the byte range [start, end) of a secret and the rule that found
// it. It holds no pointer, so a long list of spans costs the collector
// nothing.
type span struct {
	start, end int
	rule       ruleID
}

// add adds the span [start, end). A rule finds its spans in order, so one
// that overlaps the last span of the same rule extends it: hostile input
// ("token:token:token:…") makes one span, not one per byte.
func (sc *scanner) add(start, end int, rule ruleID) {
	if end <= start {
		return
	}
	if n := len(sc.sp); n > 0 && sc.sp[n-1].rule == rule && sc.sp[n-1].start <= start && start <= sc.sp[n-1].end {
		sc.sp[n-1].end = max(sc.sp[n-1].end, end)
		return
	}
	sc.sp = append(sc.sp, span{start, end, rule})
}

// counted adds the bytes a scan from from examined up to end (-1: the end
// of the text) to the steps, and returns end.
func (sc *scanner) counted(from, end int) int {
	if end < 0 {
		sc.steps += len(sc.s) - from
	} else {
		sc.steps += end - from
	}
	return end
}

// quote returns closingQuote(from, q), counting the bytes examined.
func (sc *scanner) quote(from int, q byte) int {
	return sc.counted(from, closingQuote(sc.s, from, q))
}

// index returns where sub occurs in the text at or after from, or -1,
// counting the bytes examined.
func (sc *scanner) index(from int, sub string) int {
	j := strings.Index(sc.s[from:], sub)
	if j >= 0 {
		j += from
	}
	return sc.counted(from, j)
}

// formats adds the credentials found by their own format.
func (sc *scanner) formats() {
	for _, m := range formats.Find(sc.s, nil) {
		if m.Start < m.End && m.End <= len(sc.s) {
			sc.sp = append(sc.sp, span{m.Start, m.End, formatRule(m.Rule)})
		}
	}
}

// replace substitutes Marker for the union of the spans and counts the
// replaced regions, each for the most specific rule among its spans.
// Overlapping and touching spans become one marker. Spans that already are
// exactly Marker are dropped first, so a round over redacted text changes
// nothing.
func replace(s string, sp []span, c *Counts) (string, int) {
	sp = slices.DeleteFunc(sp, func(p span) bool { return s[p.start:p.end] == Marker })
	if len(sp) == 0 {
		return s, 0
	}
	slices.SortStableFunc(sp, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	var b strings.Builder
	b.Grow(len(s) + len(sp)*len(Marker))
	last, n := 0, 0
	for i := 0; i < len(sp); {
		start, end, rule := sp[i].start, sp[i].end, sp[i].rule
		for i++; i < len(sp) && sp[i].start <= end; i++ {
			end = max(end, sp[i].end)
			if priority(sp[i].rule) < priority(rule) {
				rule = sp[i].rule
			}
		}
		b.WriteString(s[last:start])
		b.WriteString(Marker)
		last = end
		n++
		c.add(rule, 1)
	}
	b.WriteString(s[last:])
	return b.String(), n
}

// markerLen returns how far to step over s[i]: all of Marker when it starts
// there, else one byte. Scanners step over the marker as a whole so that
// its ']' cannot end a value and leave a "[REDACTED" that looks like a
// secret.
func markerLen(s string, i int) int {
	if s[i] == '[' && strings.HasPrefix(s[i:], Marker) {
		return len(Marker)
	}
	return 1
}

type byteSet [256]bool

func makeSet(chars string) *byteSet {
	var b byteSet
	for i := 0; i < len(chars); i++ {
		b[chars[i]] = true
	}
	return &b
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

var (
	wordChars = makeSet(alnum + "_")
	blanks    = makeSet(" \t")
	spaces    = makeSet(" \t\r\n\f\v")
	// credChars is the token68 alphabet of RFC 9110 credentials.
	credChars = makeSet(alnum + "._~+/=-")
)

// keyChars may make up a key: ASCII letters, digits and "_-.$@", and any
// non-ASCII byte, so that keys spelt with look-alike letters are read
// whole and folded (see foldKey).
var keyChars = func() *byteSet {
	b := makeSet(alnum + "_-.$@")
	for c := 0x80; c < 0x100; c++ {
		b[c] = true
	}
	return b
}()

// isEscape reports whether s[i] starts a JSON or C escape that ends a
// value: \n \r \t \" \' \uXXXX, or the same behind doubled backslashes
// (\\n, \\\"). A backslash before anything else is part of the value.
func isEscape(s string, i int) bool {
	j := i
	for j < len(s) && s[j] == '\\' {
		j++
	}
	if j == i || j == len(s) {
		return j > i && j == len(s)
	}
	switch s[j] {
	case 'n', 'r', 't', '"', '\'':
		return true
	case 'u':
		return j+4 < len(s) && isHex(s[j+1]) && isHex(s[j+2]) && isHex(s[j+3]) && isHex(s[j+4])
	}
	return false
}

// credentialLike tells a credential from a word where one is expected but
// not certain: after Bearer and Basic, as the only user info of a URL, or
// after a secret-named key in a sentence. It needs at least 8 bytes and
// either a mix of letter cases (not counting a capital first letter),
// letters with digits, a base64 or token symbol, or — for letters only —
// a length or a letter pattern no English word has.
func credentialLike(t string) bool {
	if len(t) < 8 || strings.Contains(t, Marker) {
		return false
	}
	var lower, upper, digit, symbol, joiner bool
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case 'a' <= c && c <= 'z':
			lower = true
		case 'A' <= c && c <= 'Z':
			upper = upper || i > 0
		case '0' <= c && c <= '9':
			digit = true
		case c == '-' || c == '.':
			joiner = true
		default:
			symbol = true
		}
	}
	switch {
	case symbol, lower && upper:
		return true
	case digit:
		return lower || upper || len(t) >= 16
	case joiner:
		return len(t) >= 16 || !allWordLike(t)
	}
	return !wordLike(t)
}

// allWordLike reports whether every part of t between '-' and '.' is
// word-like.
func allWordLike(t string) bool {
	for part := range strings.FieldsFuncSeq(t, func(r rune) bool { return r == '-' || r == '.' }) {
		if !wordLike(part) {
			return false
		}
	}
	return true
}

// wordLike reports whether letters t could be an English word: at most 24
// letters, at least 28 % of them vowels and no run of more than four
// consonants. Random letters fail it ("cnryihxjtbstsnfubv"); words pass
// it ("authentication", "subscription", "credentials").
func wordLike(t string) bool {
	if len(t) > 24 {
		return false
	}
	vowels, run := 0, 0
	for i := 0; i < len(t); i++ {
		switch t[i] | 0x20 {
		case 'a', 'e', 'i', 'o', 'u':
			vowels++
			run = 0
		default:
			if run++; run > 4 {
				return false
			}
		}
	}
	return vowels*100 >= 28*len(t)
}

// idLike reports values that are identifiers, codes or times rather than
// credentials, for positions where a credential is only suspected: GUIDs,
// error codes such as "AADSTS50076" or "0x80049217", and timestamps.
func idLike(t string) bool {
	return isGUID(t) || errorCodeLike(t) || timestampLike(t)
}

// isGUID reports the 8-4-4-4-12 hex form, optionally in braces.
func isGUID(t string) bool {
	t = strings.TrimSuffix(strings.TrimPrefix(t, "{"), "}")
	if len(t) != 36 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// errorCodeLike: capitals followed by digits ("AADSTS7000215", "ERR42"),
// or a hexadecimal status ("0x80049217").
func errorCodeLike(t string) bool {
	if len(t) > 2 && t[0] == '0' && t[1]|0x20 == 'x' {
		for i := 2; i < len(t); i++ {
			if !isHex(t[i]) {
				return false
			}
		}
		return true
	}
	i := 0
	for i < len(t) && 'A' <= t[i] && t[i] <= 'Z' {
		i++
	}
	if i == 0 || i == len(t) {
		return false
	}
	for ; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return false
		}
	}
	return true
}

// timestampLike: digits with the separators of dates and times only.
func timestampLike(t string) bool {
	digits := 0
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case '0' <= c && c <= '9':
			digits++
		case strings.IndexByte("-:.TZ+/", c) >= 0:
		default:
			return false
		}
	}
	return digits >= 6
}
