package redact

import "strings"

// authorityEnd ends the authority of a URL (and so its user info).
// A ';' ends it too: in "Endpoint=https://host;Secret=…" the ';' starts a
// connection-string field.
var authorityEnd = makeSet(" \t\r\n\f\v/?#\\\"'<>;")

// userInfo finds credentials in the user info of URLs:
// "scheme://user:pass@host" loses the password and keeps the user, also
// JSON-escaped ("https:\/\/u:p@h") and percent-encoded ("user%3Apass@");
// "scheme://token@host" loses the user part only when it looks like a
// credential, so "ssh://git@github.com" stays. The last '@' ends the user
// info, as in browsers, so an unescaped '@' inside a password is covered.
// Secret-bearing query and matrix parameters are found with the other
// assignments (assignmentSpans).
func (sc *scanner) userInfo() {
	s := sc.s
	sc.steps += len(s)
	for i := 0; i < len(s); {
		j := strings.IndexByte(s[i:], ':')
		if j < 0 {
			return
		}
		a := i + j + 1
		i = a // not the authority's end: the ':' of a nested "://" may end it
		switch {
		case strings.HasPrefix(s[a:], "//"):
			a += 2
		case strings.HasPrefix(s[a:], `\/\/`):
			a += 4
		default:
			continue
		}
		e := a
		for e < len(s) && !authorityEnd[s[e]] {
			e += markerLen(s, e)
		}
		sc.counted(a, e)
		at := strings.LastIndexByte(s[a:e], '@')
		if at <= 0 {
			continue
		}
		ui := s[a : a+at]
		if c, w := userInfoColon(ui); c >= 0 {
			sc.add(a+c+w, a+at, ruleURLUserInfo)
		} else if credentialLike(ui) {
			sc.add(a, a+at, ruleURLUserInfo)
		}
	}
}

// userInfoColon returns where the user and password of user info are
// separated and how wide the separator is: ':' or its percent-encoding.
func userInfoColon(ui string) (int, int) {
	if c := strings.IndexByte(ui, ':'); c >= 0 {
		return c, 1
	}
	for i := 0; i+3 <= len(ui); i++ {
		if ui[i] == '%' && ui[i+1] == '3' && ui[i+2]|0x20 == 'a' {
			return i, 3
		}
	}
	return -1, 0
}
