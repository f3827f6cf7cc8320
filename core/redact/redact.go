// Package redact implements redaction policy v2 (docs/envelope.md#redaction): the one place
// that decides what of a value may leave supportdesk. Every exit — the
// context envelope, the diagnostics bundle, audit metadata, web pages,
// events and webhooks, log lines — sends its values through String (free
// text) or Value (JSON-shaped data).
//
// What the policy replaces by Marker:
//
//   - under a key that names a secret (SensitiveKey), the whole value;
//   - inside free text, the secret part of credentials found by their own
//     format (package formats: cloud, source hosting, chat, payment and
//     SaaS tokens, private keys, JWTs), of assignments to secret-named keys
//     in the shapes of logs, configs, code and command lines, of connection
//     strings, of Bearer and Basic credentials, of URL user info and of
//     secret-bearing query and matrix parameters — also JSON-escaped, with
//     escaped line breaks and percent-encoded.
//
// What it keeps, because support needs it: error codes and their messages
// ("InvalidAuthenticationToken: Access token has expired"), GUIDs and
// request, correlation and trace ids, hashes, ETags, timestamps, file
// names, hosts and paths. A high-entropy string alone is not a secret; it
// is one where a credential is expected (after a secret-named key, after
// Bearer, as URL user info). Keys are matched by whole words, so "Kansas"
// is not "sas", and a key that names a property of a secret
// ("token_type", "passwordPolicies", "SharedAccessKeyName") or a condition
// ("InvalidAuthenticationToken", "token_expired") is not secret itself.
//
// Every rule has a stable id (Rules); Counts tallies replacements per rule
// for the redaction manifest of envelopes and bundles, which says how many
// values each rule replaced and never what.
//
// String and Value are pure, never panic, return valid UTF-8, run in time
// linear in their input, and are idempotent: redacting their output again
// changes nothing and counts 0. A value that is exactly Marker is not a
// secret, and scanners step over Marker as one opaque token.
package redact

// Marker replaces every redacted secret.
const Marker = "[REDACTED]"

// PolicyVersion names the policy implemented here; envelopes and bundles
// report it as redaction.policy so a reader knows which rules applied.
const PolicyVersion = "v2"

// String redacts secrets inside free text. It returns the redacted text
// and how many secrets were replaced. See Counts.String.
func String(s string) (string, int) {
	return redactText(s, nil)
}

// Value redacts a JSON-shaped value and returns a redacted copy and how
// many values were replaced. See Counts.Value.
func Value(v any) (any, int) {
	var c Counts
	out := c.Value(v)
	return out, c.Total()
}
