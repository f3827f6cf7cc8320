package redact

import (
	"cmp"
	"slices"
	"strings"

	"supportdesk/core/redact/formats"
)

// String redacts secrets inside free text. It returns the redacted text and
// how many secrets were replaced.
//
// Invalid UTF-8 is first replaced by U+FFFD, so the result is always valid
// UTF-8. Only the secret part of a match is replaced; the text around it is
// kept. What matches:
//
//   - JWTs: "eyJ…" followed by at least two more dot-separated base64url
//     segments (JWS and JWE compact forms).
//   - "Bearer <cred>" and "Basic <cred>" (scheme case-insensitive) when the
//     credential looks like one (see looksSecret), so that "Bearer of bad
//     news", "Basic plan" and "Basic authentication failed" stay readable.
//   - key=value, key: value, "key":"value" and key => value pairs whose key is
//     sensitive (SensitiveKey). A quoted value is replaced inside its quotes;
//     an unquoted one runs to whitespace or one of ,;&"'<>)]}\ and keeps a
//     leading auth scheme ("Authorization: Bearer x" loses "Bearer x"). A
//     Cookie/Set-Cookie header value runs to the end of the line. Inside a
//     sentence ("refresh token: context deadline exceeded", the shape of
//     wrapped Go errors) a "key: value" value is only redacted when it looks
//     like a credential; key=value and quoted values always are.
//   - PEM private-key blocks, header to footer, as a whole; a block cut off
//     before its footer is redacted up to the end of its base64 body.
//   - URL user info: "scheme://user:pass@host" keeps the user and loses the
//     password; "scheme://token@host" loses the user part only when it looks
//     like a credential, so "ssh://git@github.com" stays.
//   - Query parameters sig, signature, token, code and key (after '?', '&'
//     or "&amp;"), plus any parameter with a sensitive name such as
//     access_token or X-Amz-Credential. Plain words ("token expired",
//     "error code=500" outside a query) are not keys and stay.
//
// The rules overlap in odd inputs (a quoted value whose closing quote lies
// inside another secret, a PEM block cut off inside a URL), and one round of
// replacements can then expose a new match. String therefore repeats until a
// round changes nothing, which makes it idempotent by construction. Ordinary
// text settles in the first round; the check costs one more scan when
// something was found. Every changing round removes at least one byte that
// is not part of a marker, or merges markers, so the loop ends. In such
// inputs a secret is counted once per round that touched it.
func String(s string) (string, int) {
	s = strings.ToValidUTF8(s, "\uFFFD")
	total := 0
	for {
		out, n := redactOnce(s)
		if n == 0 {
			return s, total
		}
		s, total = out, total+n
	}
}

// redactOnce runs every rule over s and replaces what they found.
func redactOnce(s string) (string, int) {
	var buf [8]span
	sp := formatSpans(s, buf[:0])
	sp = authSpans(s, sp)
	sp = urlSpans(s, sp)
	sp = kvSpans(s, sp)
	return replace(s, sp)
}

// span is the byte range [start, end) of a secret.
type span struct{ start, end int }

// formatSpans adds the credentials found by their own format (package
// formats).
func formatSpans(s string, sp []span) []span {
	var buf [8]formats.Match
	for _, m := range formats.Find(s, buf[:0]) {
		sp = append(sp, span{m.Start, m.End})
	}
	return sp
}

type byteSet [256]bool

func makeSet(chars string) *byteSet {
	var b byteSet
	for i := 0; i < len(chars); i++ {
		b[chars[i]] = true
	}
	return &b
}

const (
	alnum         = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	valueEndChars = " \t\r\n\f\v\"'`,;&<>)]}\\"
)

var (
	keyChars  = makeSet(alnum + "_-.")
	wordChars = makeSet(alnum + "_")
	blanks    = makeSet(" \t\r\n\f")
	// credChars is the token68 alphabet of RFC 9110 credentials.
	credChars = makeSet(alnum + "._~+/=-")
	// valueEnd ends an unquoted value; ']' is in it so "map[token:abc]"
	// keeps its bracket (markerLen keeps the marker's own ']' from counting).
	valueEnd = makeSet(valueEndChars)
	queryEnd = makeSet(valueEndChars + "#")
	lineEnd  = makeSet("\r\n\"\\")
	// fieldStart precedes a key that starts a field rather than sitting in
	// a sentence: line starts (also JSON-escaped "\n"), JSON/map openers,
	// list separators and string starts.
	fieldStart   = makeSet("\r\n{[(,;\\\"'")
	authorityEnd = makeSet(" \t\r\n\f\v/?#\\\"'<>")
)

// replace substitutes Marker for the union of the spans and counts the
// replaced regions. Overlapping and touching spans become one marker. Spans
// that already are exactly Marker are dropped first, so a round over
// redacted text changes nothing.
func replace(s string, sp []span) (string, int) {
	sp = slices.DeleteFunc(sp, func(p span) bool { return s[p.start:p.end] == Marker })
	if len(sp) == 0 {
		return s, 0
	}
	slices.SortFunc(sp, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	var b strings.Builder
	b.Grow(len(s) + len(sp)*len(Marker))
	last, n := 0, 0
	for i := 0; i < len(sp); {
		start, end := sp[i].start, sp[i].end
		for i++; i < len(sp) && sp[i].start <= end; i++ {
			end = max(end, sp[i].end)
		}
		b.WriteString(s[last:start])
		b.WriteString(Marker)
		last = end
		n++
	}
	b.WriteString(s[last:])
	return b.String(), n
}

// looksSecret tells a credential from a word: at least 8 bytes mixing at
// least two of lower case, upper case (not counting the first byte, so
// capitalised words don't qualify) and digits. Text containing Marker never
// qualifies: the marker's capitals must not turn a word that was kept into
// a secret in the next round.
func looksSecret(t string) bool {
	if len(t) < 8 || strings.Contains(t, Marker) {
		return false
	}
	var lower, upper, digit int
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case 'a' <= c && c <= 'z':
			lower = 1
		case 'A' <= c && c <= 'Z' && i > 0:
			upper = 1
		case '0' <= c && c <= '9':
			digit = 1
		}
	}
	return lower+upper+digit >= 2
}

// authSpans finds "Bearer <cred>" and "Basic <cred>". Scanning for 'b' is
// several times faster than a case-insensitive regexp, which has no literal
// prefix to search for.
func authSpans(s string, sp []span) []span {
	for i := 0; i < len(s); i++ {
		if s[i]|0x20 != 'b' || i > 0 && wordChars[s[i-1]] {
			continue
		}
		a := i
		switch {
		case len(s)-i >= 6 && strings.EqualFold(s[i:i+6], "bearer"):
			a += 6
		case len(s)-i >= 5 && strings.EqualFold(s[i:i+5], "basic"):
			a += 5
		default:
			continue
		}
		if a == len(s) || !blanks[s[a]] {
			continue
		}
		for a < len(s) && blanks[s[a]] {
			a++
		}
		b := a
		for b < len(s) && credChars[s[b]] {
			b++
		}
		if looksSecret(s[a:b]) {
			sp = append(sp, span{a, b})
		}
	}
	return sp
}

func urlSpans(s string, sp []span) []span {
	for i := 0; ; {
		j := strings.Index(s[i:], "://")
		if j < 0 {
			return sp
		}
		a := i + j + 3
		i = a // not e: the ':' of a nested "://" may end this authority
		e := a
		for e < len(s) && !authorityEnd[s[e]] {
			e += markerLen(s, e)
		}
		// The last '@' ends the user info, as in browsers, so an
		// unescaped '@' inside a password is still covered.
		if at := strings.LastIndexByte(s[a:e], '@'); at >= 0 {
			ui := s[a : a+at]
			if c := strings.IndexByte(ui, ':'); c >= 0 {
				if c+1 < at {
					sp = append(sp, span{a + c + 1, a + at})
				}
			} else if looksSecret(ui) {
				sp = append(sp, span{a, a + at})
			}
		}
	}
}

// runMemo remembers the last run scanned for one delimiter set. Every
// position inside a run ends where the run ends, so scanning "a=a=a=…" stays
// linear.
type runMemo struct{ from, to int }

// end returns where the unquoted value starting at from ends.
func (m *runMemo) end(s string, from int, delim *byteSet) int {
	if m.from <= from && from < m.to {
		return m.to
	}
	e := from
	for e < len(s) && !delim[s[e]] {
		e += markerLen(s, e)
	}
	*m = runMemo{from, e}
	return e
}

// markerLen returns how far to step over s[i]: all of Marker when it starts
// there, else one byte. Scanners step over the marker as a whole so that its
// ']' cannot end a value and leave a "[REDACTED" that looks like a secret.
func markerLen(s string, i int) int {
	if s[i] == '[' && strings.HasPrefix(s[i:], Marker) {
		return len(Marker)
	}
	return 1
}

func kvSpans(s string, sp []span) []span {
	var plain, query, line runMemo
	for i := 0; i < len(s); i++ {
		if s[i] != '=' && s[i] != ':' {
			continue
		}
		ks, ke, quotedKey := keyBefore(s, i)
		if ks == ke {
			continue
		}
		key, sep := s[ks:ke], s[i]
		inQuery := sep == '=' && ks > 0 &&
			(s[ks-1] == '?' || s[ks-1] == '&' || strings.HasSuffix(s[:ks], "&amp;"))
		if !SensitiveKey(key) && !(inQuery && queryParam(key)) {
			continue
		}
		if sep == ':' && (strings.HasSuffix(s[:ks], "//") || strings.HasPrefix(s[i:], "://")) {
			continue // a URL, not a pair: urlSpans handles its user info
		}
		v := i + 1
		if sep == '=' && v < len(s) && s[v] == '>' {
			v++
		}
		for v < len(s) && (s[v] == ' ' || s[v] == '\t') {
			v++
		}
		prose := sep == ':' && v > i+1 && !quotedKey && !atFieldStart(s, ks)
		a, b := v, -1
		switch {
		case v == len(s):
			continue
		case s[v] == '"' || s[v] == '\'':
			a = v + 1
			b = closingQuote(s, a, s[v])
		case strings.HasPrefix(s[v:], `\"`):
			a = v + 2
			if b = strings.Index(s[a:], `\"`); b >= 0 {
				b += a
			}
		}
		if b < 0 { // unquoted, or a quote that is never closed
			switch {
			case inQuery:
				b = query.end(s, a, queryEnd)
			case sep == ':' && !prose && strings.Contains(strings.ToLower(key), "cookie"):
				b = line.end(s, a, lineEnd)
			default:
				t := a + schemeLen(s[a:])
				b = plain.end(s, t, valueEnd)
				if prose && !looksSecret(s[t:b]) {
					continue
				}
			}
		}
		if b > a {
			sp = append(sp, span{a, b})
		}
	}
	return sp
}

// keyBefore finds the key in front of the separator at i, skipping blanks and
// a closing quote (also a JSON-escaped one).
func keyBefore(s string, i int) (start, end int, quoted bool) {
	j := i
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	if j > 0 && (s[j-1] == '"' || s[j-1] == '\'') {
		quoted = true
		j--
		if j > 0 && s[j-1] == '\\' {
			j--
		}
	}
	end = j
	for j > 0 && keyChars[s[j-1]] {
		j--
	}
	return j, end, quoted
}

// atFieldStart reports whether the key at ks starts a field (a header line,
// YAML, a map or list entry) rather than sitting inside a sentence.
func atFieldStart(s string, ks int) bool {
	j := ks
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	return j == 0 || fieldStart[s[j-1]]
}

// closingQuote returns the index of the quote q closing a string that starts
// at from, honouring backslash escapes, or -1.
func closingQuote(s string, from int, q byte) int {
	for j := from; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return -1
}

// schemeLen returns the length of a leading HTTP auth scheme plus the blanks
// after it when a credential follows, so the scheme is redacted with it.
func schemeLen(t string) int {
	w := 0
	for w < len(t) && (keyChars[t[w]] && t[w] != '.' && t[w] != '_') {
		w++
	}
	if !isAuthScheme(t[:w]) {
		return 0
	}
	e := w
	for e < len(t) && (t[e] == ' ' || t[e] == '\t') {
		e++
	}
	if e == w || e == len(t) || valueEnd[t[e]] {
		return 0
	}
	return e
}

func isAuthScheme(w string) bool {
	for _, s := range [...]string{"bearer", "basic", "digest", "token", "sharedkey", "negotiate", "ntlm", "aws4-hmac-sha256"} {
		if strings.EqualFold(w, s) {
			return true
		}
	}
	return false
}

// queryParam reports the query parameter names the policy names explicitly;
// other sensitive parameters are caught by SensitiveKey.
func queryParam(k string) bool {
	for _, p := range [...]string{"sig", "signature", "token", "code", "key"} {
		if strings.EqualFold(k, p) {
			return true
		}
	}
	return false
}
