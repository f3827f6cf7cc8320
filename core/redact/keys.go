package redact

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// A key names a secret when its words contain one of secretWords and no
// other word of the key says it names something about the secret rather
// than the secret itself (its type, its expiry, an error about it).
//
// Keys are split into words at separators (anything but letters and
// digits, so '-', '_', '.' and spaces), at lower-to-upper case changes
// ("clientSecret") and between letters and digits. A secret word matches a
// run of whole words ("pass_word", "api-key", "SharedAccessKey") or, unless
// it is marked whole, a part of one ("dbpassword", "accesstoken"). Short
// words that occur inside ordinary words are whole-only: "sas" names a
// secret in "sas_token" but not in "Kansas" or "Arkansas".
type secretWord struct {
	w     []byte
	whole bool
}

var secretWords = secretWordList([]struct {
	w     string
	whole bool
}{
	{"password", false}, {"passwd", false}, {"passphrase", false}, {"pwd", true}, {"pass", true},
	{"secret", false}, {"token", false}, {"apikey", false}, {"authorization", false}, {"auth", true},
	{"cookie", false}, {"session", false}, {"sessid", false},
	{"credential", false}, {"creds", true}, {"cred", true},
	{"privatekey", false}, {"accesskey", false}, {"accountkey", false}, {"sharedkey", false},
	{"masterkey", false}, {"signingkey", false}, {"encryptionkey", false}, {"subscriptionkey", false},
	{"functionkey", false}, {"functionskey", false}, {"primarykey", true}, {"secondarykey", true},
	{"signature", false}, {"sig", true}, {"sas", true}, {"jwt", true},
})

func secretWordList(words []struct {
	w     string
	whole bool
}) []secretWord {
	out := make([]secretWord, len(words))
	for i, w := range words {
		out[i] = secretWord{[]byte(w.w), w.whole}
	}
	return out
}

// describingWords, after the last secret word, make the key name a
// property of a secret: "token_type", "tokenExpiresIn", "passwordPolicies",
// "SharedAccessKeyName", "password_file", "authorization_uri" (a URL-named
// value is still scanned by the URL rules, which find its secret parts).
var describingWords = []string{
	"type", "types", "kind", "name", "names", "expires", "expiry", "expiration", "ttl", "lifetime",
	"timeout", "age", "length", "len", "size", "count", "limit", "min", "minimum", "max", "maximum",
	"endpoint", "url", "uri", "link", "policy", "policies", "date", "time", "datetime", "timestamp",
	"version", "format", "algorithm", "alg", "hint", "method", "methods", "mode", "scheme",
	"file", "path", "dir", "enabled", "required", "require", "requires", "status", "prefix",
	"provider", "issuer", "audience", "strength", "complexity", "history", "html", "days",
	"last", "changed", "change", "updated", "created", "modified", "valid", "since", "until",
	"rotated", "rotation", "permission", "permissions", "scope", "scopes", "roles",
}

// conditionWords anywhere in a key make it the name of a condition, as
// error codes are: "InvalidAuthenticationToken", "token_expired",
// "Authorization_RequestDenied", "SessionNotFound".
var conditionWords = []string{
	"invalid", "expired", "missing", "denied", "failed", "failure", "not", "unauthorized", "revoked",
	"malformed", "mismatch", "unsupported", "unknown", "bad", "empty", "wrong", "incorrect",
	"rejected", "exceeded", "locked", "blocked", "too", "weak", "reused",
}

// quantityWords anywhere in a key make it count something: "max_tokens",
// "total_tokens", "numSessions", and the token usage of language model
// APIs ("prompt_tokens", "completion_tokens", "cached_tokens").
var quantityWords = []string{"max", "min", "total", "num", "number", "maximum", "minimum",
	"prompt", "completion", "input", "output", "cached", "reasoning", "used", "remaining"}

// cursorPrefixes before "token" name a paging or control token, not a
// credential: Graph's "$skiptoken" and "$deltatoken", "nextPageToken",
// "continuationToken", .NET's "cancellationToken".
var cursorPrefixes = func() (out [][]byte) {
	for _, p := range []string{"skip", "delta", "page", "next", "continuation", "cancellation", "resume", "pagination", "paging", "sync"} {
		out = append(out, []byte(p))
	}
	return out
}()

var tokenWord = []byte("token")

// wordKinds says, for every word of the three lists, which lists hold it:
// one map read per word of a key.
var wordKinds = func() map[string]uint8 {
	m := map[string]uint8{}
	for kind, words := range [...][]string{kindDescribing: describingWords, kindCondition: conditionWords, kindQuantity: quantityWords} {
		for _, w := range words {
			m[w] |= 1 << kind
		}
	}
	return m
}()

const (
	kindDescribing = iota
	kindCondition
	kindQuantity
)

// SensitiveKey reports whether a value stored under key k is a secret and
// must be redacted as a whole. Keys are compared after Unicode
// compatibility folding (see foldKey), case-insensitively, with
// separators and invisible characters ignored; see secretWords,
// describingWords, conditionWords and quantityWords for the rule.
func SensitiveKey(k string) bool {
	if !mayNameSecret(k) {
		return false
	}
	var bArr [64]byte
	var sArr [16]int
	b, starts := splitKey(k, bArr[:0], sArr[:0])
	return sensitiveWords(b, starts)
}

// letter classes used to find word boundaries.
const (
	classNone = iota
	classLower
	classUpper
	classDigit
)

func classOf(c byte) int {
	switch {
	case 'a' <= c && c <= 'z', c == foreignLetter:
		return classLower
	case 'A' <= c && c <= 'Z':
		return classUpper
	case '0' <= c && c <= '9':
		return classDigit
	}
	return classNone
}

// splitKey splits k into words: it appends the lower-cased letters and
// digits of k to b and the offset in b where each word starts to starts.
func splitKey(k string, b []byte, starts []int) ([]byte, []int) {
	if strings.IndexByte(k, '\\') >= 0 {
		k = unescapeKey(k)
	}
	for i := 0; i < len(k); i++ {
		if k[i] >= utf8.RuneSelf {
			k = foldKey(k)
			break
		}
	}
	prev := classNone
	for i := 0; i < len(k); i++ {
		c := k[i]
		cl := classOf(c)
		if cl == classNone {
			prev = classNone
			continue
		}
		newWord := prev == classNone ||
			cl == classUpper && (prev == classLower || prev == classDigit) ||
			cl == classUpper && prev == classUpper && i+1 < len(k) && classOf(k[i+1]) == classLower ||
			cl == classLower && prev == classDigit ||
			cl == classDigit && prev != classDigit
		if newWord {
			starts = append(starts, len(b))
		}
		if cl == classUpper {
			c += 'a' - 'A'
		}
		b = append(b, c)
		prev = cl
	}
	return b, starts
}

// firstTrigrams holds the first three letters of every secret word.
var firstTrigrams = func() (t [26 * 26 * 26]bool) {
	for _, w := range secretWords {
		t[trigram(w.w[0], w.w[1], w.w[2])] = true
	}
	return t
}()

func trigram(a, b, c byte) int { return (int(a-'a')*26+int(b-'a'))*26 + int(c-'a') }

// mayNameSecret is a quick test that rejects most keys before they are
// split into words: an ASCII key can only name a secret if three letters
// in a row (separators skipped, digits breaking the row) start a secret
// word. Keys with other characters go the whole way.
func mayNameSecret(k string) bool {
	var l0, l1 byte // the two letters before, lower-cased; 0 when none
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case 'a' <= c && c <= 'z':
		case '0' <= c && c <= '9':
			l0, l1 = 0, 0
			continue
		case c >= utf8.RuneSelf || c == '\\':
			return true // folded or unescaped by splitKey
		default:
			continue
		}
		if l0 != 0 && firstTrigrams[trigram(l0, l1, c)] {
			return true
		}
		l0, l1 = l1, c
	}
	return false
}

// wordsByBigram indexes secretWords by their first two letters, so that a
// key is checked in one pass and most positions are rejected by one table
// read: SensitiveKey runs for every key=value candidate of every text.
var wordsByBigram = func() (idx [26][26][]secretWord) {
	for _, w := range secretWords {
		idx[w.w[0]-'a'][w.w[1]-'a'] = append(idx[w.w[0]-'a'][w.w[1]-'a'], w)
	}
	return idx
}()

// sensitiveWords applies the rule to a split key.
func sensitiveWords(b []byte, starts []int) bool {
	if len(b) < 3 {
		return false
	}
	last := -1 // index of the word holding the end of the last secret word found
	for i := 0; i+1 < len(b); i++ {
		c0, c1 := b[i]-'a', b[i+1]-'a'
		if c0 >= 26 || c1 >= 26 {
			continue
		}
		for _, sw := range wordsByBigram[c0][c1] {
			if e := matchAt(b, starts, i, sw); e >= 0 {
				last = max(last, wordOf(starts, e-1))
			}
		}
	}
	if last < 0 {
		return false
	}
	for i := range starts {
		k := wordKinds[string(wordAt(b, starts, i))]
		if k&(1<<kindCondition|1<<kindQuantity) != 0 || i > last && k&(1<<kindDescribing) != 0 {
			return false
		}
	}
	return true
}

// matchAt returns the end of secret word sw at offset a of b, or -1.
func matchAt(b []byte, starts []int, a int, sw secretWord) int {
	if !bytes.HasPrefix(b[a:], sw.w) {
		return -1
	}
	e := a + len(sw.w)
	if bytes.Equal(sw.w, tokenWord) && hasCursorPrefix(b[:a]) {
		return -1
	}
	if !sw.whole {
		return e
	}
	// Whole words only: it starts a word and ends one (a plural "s" may
	// follow: "creds", "sigs").
	switch {
	case !startsWord(starts, a):
		return -1
	case e == len(b) || startsWord(starts, e):
		return e
	case b[e] == 's' && (e+1 == len(b) || startsWord(starts, e+1)):
		return e + 1
	}
	return -1
}

// wordAt returns word i.
func wordAt(b []byte, starts []int, i int) []byte {
	end := len(b)
	if i+1 < len(starts) {
		end = starts[i+1]
	}
	return b[starts[i]:end]
}

// startsWord reports whether a word starts at offset o.
func startsWord(starts []int, o int) bool {
	for _, s := range starts {
		if s >= o {
			return s == o
		}
	}
	return false
}

// wordOf returns the index of the word holding offset o.
func wordOf(starts []int, o int) int {
	w := 0
	for i, s := range starts {
		if s > o {
			break
		}
		w = i
	}
	return w
}

func hasCursorPrefix(before []byte) bool {
	for _, p := range cursorPrefixes {
		if bytes.HasSuffix(before, p) {
			return true
		}
	}
	return false
}

// unescapeKey decodes the \uXXXX escapes of a key found in JSON-escaped
// text ("pass\u200dword", "API\u212AEY") and drops other backslashes.
func unescapeKey(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if k[i] != '\\' {
			b.WriteByte(k[i])
			continue
		}
		if i+5 < len(k) && k[i+1] == 'u' && isHex(k[i+2]) && isHex(k[i+3]) && isHex(k[i+4]) && isHex(k[i+5]) {
			b.WriteRune(rune(hexValue(k[i+2 : i+6])))
			i += 5
		}
	}
	return b.String()
}
