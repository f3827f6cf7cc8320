// Package redact implements redaction policy v1 (SPEC §6). It is applied to
// every value that enters an envelope, a diagnostics bundle, audit metadata or
// a log line, so it is pure, allocation-light and never panics.
//
// Two mechanisms make up the policy:
//
//   - Keys: a value stored under a key for which SensitiveKey reports true is
//     replaced as a whole (Value, and key=value pairs inside text).
//   - Text: String finds credentials inside free text (JWTs, Bearer/Basic
//     credentials, key=value pairs, PEM private keys, URL user info and
//     secret-bearing query parameters) and replaces only the secret part.
//
// The policy errs on the side of redacting: substring key matching
// deliberately accepts false positives such as "Kansas" (contains "sas") or
// "max_tokens" (contains "token"), because a missed secret costs more than a
// hidden harmless value.
//
// Both String and Value are idempotent: redacting their output again changes
// nothing and counts 0. A value that is exactly the marker is not a secret,
// and scanners step over the marker as one opaque token.
package redact

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Marker replaces every redacted secret.
const Marker = "[REDACTED]"

// PolicyVersion names the policy implemented here; envelopes report it as
// redaction.policy so a reader knows which rules were applied.
const PolicyVersion = "v1"

// sensitiveWords are matched against keys lower-cased with '-' and '_'
// removed, so "X-Api-Key", "api_key" and "apiKey" all contain "apikey". They
// are indexed by first letter so a key is checked in one pass; SensitiveKey
// runs for every key=value candidate in every string.
var sensitiveWords = func() (idx [256][][]byte) {
	for _, w := range []string{
		"password", "passwd", "secret", "token", "apikey", "authorization", "cookie",
		"session", "credential", "privatekey", "accesskey", "signature", "sas",
	} {
		idx[w[0]] = append(idx[w[0]], []byte(w))
	}
	return idx
}()

// SensitiveKey reports whether a value stored under key k must be redacted:
// k, compared case-insensitively and with '-' and '_' ignored, contains one
// of the policy words (password, passwd, secret, token, apikey,
// authorization, cookie, session, credential, privatekey, accesskey,
// signature, sas). It is a substring test on purpose: "aws_access_key_id",
// "sas_url" and "sessionId" match, and so do false positives like "Kansas".
func SensitiveKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if k[i] >= utf8.RuneSelf {
			// Unicode lower-casing folds look-alikes such as the Kelvin
			// sign into ASCII letters the words below are written in.
			k = strings.ToLower(k)
			break
		}
	}
	var buf [64]byte
	n := buf[:0]
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '-' || c == '_':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		n = append(n, c)
	}
	for i, c := range n {
		for _, w := range sensitiveWords[c] {
			if bytes.HasPrefix(n[i:], w) {
				return true
			}
		}
	}
	return false
}
