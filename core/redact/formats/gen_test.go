package formats

import (
	"encoding/base64"
	"hash/crc32"
	"math/big"
	"math/rand/v2"
	"strings"
)

// This file builds credentials from their published formats, independently
// of the rule patterns: a spec lists a format's parts (literal prefixes,
// runs of an alphabet with a length range, computed parts such as
// checksums or encodings) and a seeded generator turns it into tokens. The
// same parts yield near-miss negatives (one character short or long, glued
// to a word, wrong letter case, a byte outside the alphabet).

// Alphabets.
const (
	digits   = "0123456789"
	lowerHex = "0123456789abcdef"
	upperHex = "0123456789ABCDEF"
	upperAN  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerAN  = "abcdefghijklmnopqrstuvwxyz0123456789"
	letters  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b62      = alnum
	b64u     = alnum + "_-"
	b64s     = alnum + "+/"
	base32U  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	base32L  = "abcdefghijklmnopqrstuvwxyz234567"
	bech32   = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	base58   = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	cryptB64 = "./" + alnum
)

// part is one piece of a token.
type part struct {
	lit      string   // a literal
	oneOf    []string // or one of several literals
	set      string   // or a run of this alphabet
	min, max int      // with a length in [min, max]
	// fn computes the part from the token built so far.
	fn func(r *rand.Rand, prev string) string
	// outside marks a part that is not the secret (a webhook URL's host).
	outside bool
}

func L(s string) part               { return part{lit: s} }
func O(s ...string) part            { return part{oneOf: s} }
func C(set string, n int) part      { return part{set: set, min: n, max: n} }
func R(set string, lo, hi int) part { return part{set: set, min: lo, max: hi} }
func F(fn func(r *rand.Rand, prev string) string) part {
	return part{fn: fn}
}
func out(p part) part { p.outside = true; return p }

// spec is the published format of one rule's credential.
type spec struct {
	rule  string
	parts []part
	// ctx are provider phrases, one of which stands before a context
	// rule's token.
	ctx []string
	// Near-miss negatives that do not apply to this format.
	noShort, noLong, noGlue, noCase, noAlpha bool
	// digestLike marks formats shaped like a digest or id themselves (hex,
	// UUIDs, base64 of 32 bytes), so a digest after the provider word is a
	// legitimate match, not a negative.
	digestLike bool
	// only restricts the placements to those named: tokens whose end is
	// a run (base64 across line breaks, a cut-off PEM body) absorb the
	// words or line breaks some placements put after them.
	only []string
	// note says why the spec departs from the defaults.
	note string
}

// token is a generated credential: text, and the secret part [a, b).
type token struct {
	text string
	a, b int
}

// build generates a token; length picks each run's length (nil: random).
func (sp spec) build(r *rand.Rand, length func(k int, p part) int) token {
	var sb strings.Builder
	a, b := -1, -1
	for k, p := range sp.parts {
		var t string
		switch {
		case p.lit != "":
			t = p.lit
		case p.oneOf != nil:
			t = p.oneOf[r.IntN(len(p.oneOf))]
		case p.fn != nil:
			t = p.fn(r, sb.String())
		default:
			n := p.min + r.IntN(min(p.max, p.min+40)-p.min+1)
			if length != nil {
				n = length(k, p)
			}
			t = randString(r, p.set, n)
		}
		if !p.outside {
			if a < 0 {
				a = sb.Len()
			}
			b = sb.Len() + len(t)
		}
		sb.WriteString(t)
	}
	return token{sb.String(), a, b}
}

func randString(r *rand.Rand, set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[r.IntN(len(set))]
	}
	return string(b)
}

// lastRun is the index of the last run part (for length negatives).
func (sp spec) lastRun() int {
	for k := len(sp.parts) - 1; k >= 0; k-- {
		if sp.parts[k].set != "" {
			return k
		}
	}
	return -1
}

// Computed parts.

// ghChecksum appends the 6-character base62 CRC32 of the 30 random
// characters before it, as GitHub (and npm) tokens carry.
func ghChecksum(r *rand.Rand, prev string) string {
	i := strings.LastIndexByte(prev, '_')
	c := crc32.ChecksumIEEE([]byte(prev[i+1:]))
	s := new(big.Int).SetUint64(uint64(c)).Text(62)
	return strings.Repeat("0", 6-len(s)) + s
}

func b64(set func([]byte) string, n int) part {
	return F(func(r *rand.Rand, _ string) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return set(b)
	})
}

var (
	stdB64 = base64.StdEncoding.EncodeToString
	rawURL = base64.RawURLEncoding.EncodeToString
)

func uuidPart(upper bool) part {
	return F(func(r *rand.Rand, _ string) string {
		set := lowerHex
		if upper && r.IntN(2) == 0 {
			set = upperHex
		}
		return randString(r, set, 8) + "-" + randString(r, set, 4) + "-4" + randString(r, set, 3) + "-" +
			string("89ab"[r.IntN(4)]) + randString(r, set, 3) + "-" + randString(r, set, 12)
	})
}

// snowflake is the base64 of a Discord user id.
func snowflake(r *rand.Rand, _ string) string {
	id := randString(r, "123456789", 1) + randString(r, digits, 16+r.IntN(3))
	return base64.RawURLEncoding.EncodeToString([]byte(id))
}

// withSignature places a fixed signature at offset at of an n-character
// random base64 key with the given padding.
func withSignature(n, at int, sig, pad string) part {
	return F(func(r *rand.Rand, _ string) string {
		body := n - len(pad)
		return randString(r, b64s, at) + sig + randString(r, b64s, body-at-len(sig)) + pad
	})
}
