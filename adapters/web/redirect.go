package web

import (
	"net/url"
	"strings"
)

// defaultLanding is where sign-in leads when no safe target was asked for.
const defaultLanding = "/tenants"

// localPath returns next if it is a path on this site, else defaultLanding,
// so that the sign-in redirect cannot become an open redirect.
//
// Browsers normalise a Location before they follow it: they drop tab, CR
// and LF anywhere, strip leading and trailing C0 controls and spaces, and
// read a backslash as a slash. "/\t/evil.example" thus becomes
// "//evil.example", another host. Rather than imitate that normalisation,
// localPath refuses every byte it could act on — C0 controls, space, DEL
// and backslash, raw or percent-encoded in the part a browser decodes —
// and then accepts only an absolute path whose second byte is not a slash:
// no scheme, no host, no user info. What it returns is re-encoded from the
// parsed path and query, never the raw input.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || len(next) > 2048 {
		return defaultLanding
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c == 0x7f || c == '\\' || c >= 0x80 {
			return defaultLanding
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return defaultLanding
	}
	// The decoded path must not begin like a network path either: a
	// server or proxy that decodes "/%2F%5Cevil" would send "//\evil".
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.ContainsAny(u.Path, "\\") {
		return defaultLanding
	}
	for _, r := range u.Path {
		if r < ' ' || r == 0x7f {
			return defaultLanding
		}
	}
	u.Fragment, u.RawFragment = "", ""
	return u.RequestURI()
}
