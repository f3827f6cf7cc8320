// Package formats finds credentials by their own format — cloud provider
// keys, source-hosting and CI tokens, chat and payment API keys, SaaS tokens
// with known prefixes, private keys, JWTs — wherever they stand in free
// text. Each kind is a rule with a stable id; the redaction policy
// (package redact) replaces what Find reports and counts it per rule id.
//
// Find is linear in the length of its input: rules run only where their
// cheap literal pre-filter matched.
package formats

import (
	"regexp"
	"strings"
)

// Match is one credential found: the byte range [Start, End) of its secret
// part and the id of the rule that found it.
type Match struct {
	Start, End int
	Rule       string
}

// Rule describes one kind of credential.
type Rule struct {
	// ID is stable: envelopes count redactions per rule id.
	ID          string
	Description string
}

// Rules returns every rule, by id.
func Rules() []Rule {
	return []Rule{
		{ID: "jwt", Description: "JSON Web Token (JWS or JWE compact form)"},
		{ID: "private-key", Description: "PEM private key block"},
	}
}

// Find appends to dst the credentials s holds, in order of Start. Matches
// of different rules may overlap; the caller merges them.
func Find(s string, dst []Match) []Match {
	dst = pemMatches(s, dst)
	dst = jwtMatches(s, dst)
	return dst
}

var (
	pemBeginRe = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----`)
	pemEndRe   = regexp.MustCompile(`-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----`)
)

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
	base64URL = makeSet(alnum + "_-")
	pemBody   = makeSet(alnum + "+/=-:,. \t\r\n")
)

// pemMatches finds PEM private-key blocks, header to footer; a block cut
// off before its footer runs to the end of its base64 body.
func pemMatches(s string, dst []Match) []Match {
	end := 0 // end of the last block
	run := 0 // end of the last body run; a later header inside it shares it
	for _, m := range pemBeginRe.FindAllStringIndex(s, -1) {
		if m[0] < end {
			continue
		}
		if m[1] >= run {
			run = m[1] + pemBodyLen(s[m[1]:])
		}
		end = run
		if f := pemEndRe.FindStringIndex(s[m[1]:run]); f != nil {
			end = m[1] + f[1]
		}
		dst = append(dst, Match{Start: m[0], End: end, Rule: "private-key"})
	}
	return dst
}

// pemBodyLen measures the run of characters a PEM body (and its footer) can
// consist of, accepting JSON-escaped line breaks.
func pemBodyLen(t string) int {
	i := 0
	for i < len(t) {
		switch {
		case pemBody[t[i]]:
			i++
		case t[i] == '\\' && i+1 < len(t) && strings.IndexByte("nrt", t[i+1]) >= 0:
			i += 2
		default:
			return i
		}
	}
	return i
}

// jwtMatches finds JWS and JWE compact tokens: "eyJ" (base64 of `{"`), then
// base64url segments joined by at least two dots. The token ends with its
// last non-empty segment, so a sentence's final period stays. A scan rather
// than a regexp: Go's regexp falls back to a far slower engine on inputs
// past a few KB.
func jwtMatches(s string, dst []Match) []Match {
	for i := 0; ; {
		j := strings.Index(s[i:], "eyJ")
		if j < 0 {
			return dst
		}
		a := i + j
		e, end, dots, endDots := a+3, a+3, 0, 0
		for ; e < len(s) && (base64URL[s[e]] || s[e] == '.'); e++ {
			if s[e] == '.' {
				dots++
			} else {
				end, endDots = e+1, dots
			}
		}
		if end > a+3 && s[a+3] != '.' && endDots >= 2 {
			dst = append(dst, Match{Start: a, End: end, Rule: "jwt"})
		}
		// Another "eyJ" inside this run ends at the same place with fewer
		// dots, so it cannot match where this one failed.
		i = e
	}
}
