package redact

import "strings"

var bees = makeSet("bB")

// authSchemes finds "Bearer <credential>" and "Basic <credential>",
// the scheme in any letter case, where the credential looks like one (see
// credentialLike): "Bearer cnryihxjtbstsnfubv" and "bearer
// demo-owner-token-please-change" lose their credential, "Bearer of bad
// news", "Basic plan" and "Basic authentication failed" stay. The
// parameters of a challenge ("Bearer realm=\"\", error=\"invalid_token\"")
// are not credentials.
func (sc *scanner) authSchemes() {
	s := sc.s
	sc.steps += len(s)
	for i := 0; i < len(s); i++ {
		if !bees[s[i]] || i > 0 && wordChars[s[i-1]] {
			continue
		}
		a, rule := i, ruleBearer
		switch {
		case len(s)-i > 6 && strings.EqualFold(s[i:i+6], "bearer"):
			a, rule = i+6, ruleBearer
		case len(s)-i > 5 && strings.EqualFold(s[i:i+5], "basic"):
			a, rule = i+5, ruleBasic
		default:
			continue
		}
		if !blanks[s[a]] {
			continue
		}
		for a < len(s) && blanks[s[a]] {
			a++
		}
		b := a
		for b < len(s) && credChars[s[b]] {
			b++
		}
		if b > a && !authParam(s, a, b) && credentialLike(s[a:b]) {
			sc.add(a, b, rule)
		}
		i = b - 1
	}
}

// authParam reports whether s[a:b], a run of token68 characters, is the
// start of an auth-param (name=value or name="value", names being
// lower-case words such as realm, error or authorization_uri) rather than
// a credential, which may only end in '='.
func authParam(s string, a, b int) bool {
	eq := strings.IndexByte(s[a:b], '=')
	if eq <= 0 {
		return false
	}
	e := a + eq
	if e+1 < b && s[e+1] != '=' {
		return true // name=value
	}
	for i := a; i < e; i++ {
		if c := s[i]; (c < 'a' || c > 'z') && c != '_' && c != '-' {
			return false
		}
	}
	return e+1 == b && b < len(s) && s[b] == '"'
}
