package web

import "testing"

// Every form a hostile "next" can take to leave the site, raw and as a
// browser would see it after its own normalisation.
func TestLocalPathRefusesEveryWayOffTheSite(t *testing.T) {
	for _, next := range []string{
		"", "tenants", "https://evil.example", "//evil.example", "///evil.example",
		"/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example",
		" /evil.example", "/ /evil.example", "/\\evil.example", "\\\\evil.example",
		"/\x00/evil.example", "/\x0b/evil.example", "/\x7f/evil.example",
		"/%2F/evil.example", "/%2f%2fevil.example", "/%5Cevil.example", "/%5c%5cevil.example",
		"/%09/evil.example", "/%0a/evil.example", "/%00", "/\u00a0/evil.example",
		"/\u2028/evil.example", "/%", "/%zz", "javascript:alert(1)", "/\x1b[31m",
	} {
		if got := localPath(next); got != defaultLanding {
			t.Errorf("localPath(%q) = %q, want %q", next, got, defaultLanding)
		}
	}
}

func TestLocalPathKeepsPagesOfThisSite(t *testing.T) {
	for next, want := range map[string]string{
		"/tenants": "/tenants",
		"/tenants/30000000-0000-4000-8000-000000000001?tab=runs": "/tenants/30000000-0000-4000-8000-000000000001?tab=runs",
		"/runs/x/support#form": "/runs/x/support",
		"/a%20b":               "/a%20b",
		"/search?q=a%2Fb":      "/search?q=a%2Fb",
	} {
		if got := localPath(next); got != want {
			t.Errorf("localPath(%q) = %q, want %q", next, got, want)
		}
	}
}
